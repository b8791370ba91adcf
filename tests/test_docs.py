"""Docs that cannot drift: the README's set-up is what CI runs, the command examples and the
problem catalog are regenerated from the code (docs/build.py), the library page runs, the JSON
page names every key, and every link leads somewhere."""

from __future__ import annotations

import doctest
import importlib.util
import json
import os
import re

import pytest

from cchc_cli.model.problems import catalog_markdown

from .conftest import ROOT

README = ROOT / "README.md"
DOCS = ROOT / "docs"
PAGES = [README, ROOT / "CONTRIBUTING.md", *sorted(DOCS.glob("*.md"))]


def _load_build():
    spec = importlib.util.spec_from_file_location("docs_build", DOCS / "build.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _load_build()


def _setup_commands(text: str) -> list[str]:
    section = text.split("## Cài đặt và chạy thử", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_readme_has_exactly_two_setup_commands():
    install_and_run, install_and_test = _setup_commands(README.read_text(encoding="utf-8"))
    assert install_and_run.startswith("pip install") and "cchc score samples/" in install_and_run
    assert "[test]" in install_and_test and "pytest" in install_and_test


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert os.access(ROOT / ".ci" / "run", os.X_OK)
    # CI reads the command out of the README rather than repeating it
    assert "README.md" in ci and "Cài đặt và chạy thử" in ci


def test_readme_stays_a_front_page():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 150, "move the detail to docs/ and link to it"
    assert text.index("## In English") > text.index("## Cài đặt và chạy thử")  # Vietnamese first


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_sources_are_cited_by_what_they_are(page):
    """Decisions and memos are named (Quyết định 509/QĐ-UBND, the 2021 memo), not by the
    numbers of the project's working copies."""
    assert not re.search(r"seeds?[ /]?0\d\d", page.read_text(encoding="utf-8"), re.I)


@pytest.mark.parametrize("name", build.FILES)
def test_generated_blocks_are_what_the_code_gives(name, monkeypatch):
    """Examples (from tests/golden/ or the command itself) and the catalog, regenerated in
    memory; CCHC_UPDATE_GOLDEN=1 rewrites them (after the goldens, when both are run)."""
    for variable in ("CCHC_LANG", "CCHC_DATA", "CCHC_CRITERIA"):
        monkeypatch.delenv(variable, raising=False)
    path = ROOT / name
    text = path.read_text(encoding="utf-8")
    assert "<!-- example" in text or "<!-- catalog:start -->" in text, "no generated block left"
    fresh = build.render(text)
    if os.environ.get("CCHC_UPDATE_GOLDEN"):
        path.write_text(fresh, encoding="utf-8")
    assert text == fresh, f"{name} is out of date: run python docs/build.py and review the diff"


def test_catalog_page_is_the_catalog():
    text = (DOCS / "catalog.md").read_text(encoding="utf-8")
    start, end = "<!-- catalog:start -->\n", "<!-- catalog:end -->"
    assert text.split(start, 1)[1].split(end, 1)[0] == catalog_markdown() + "\n"


def test_example_lines_are_picked_as_documented():
    text = "title\n\nrow 1\nrow 2\nrow 3\ntotal   \n\n"
    assert build.pick(text, None) == ["title", "", "row 1", "row 2", "row 3", "total"]
    assert build.pick(text, "1,3-4,-1") == ["title", "row 1", "row 2", "…", "total"]
    assert build.pick(text, "3-") == ["…", "row 1", "row 2", "row 3", "total"]
    assert build.pick(text, "-2") == ["…", "row 3", "…"]


def test_library_page_runs(monkeypatch):
    """docs/library.md is a doctest: its fences are taken away and every `>>>` line run."""
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("CCHC_CRITERIA", raising=False)
    text = re.sub(r"^```.*$", "", (DOCS / "library.md").read_text(encoding="utf-8"), flags=re.M)
    test = doctest.DocTestParser().get_doctest(text, {}, "library.md", "docs/library.md", 0)
    assert len(test.examples) > 10
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    failures = []
    runner.run(test, out=failures.append)
    assert runner.failures == 0, "".join(failures)


def _keys(value: object) -> set[str]:
    if isinstance(value, dict):
        return set(value).union(*(_keys(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_keys(v) for v in value))
    return set()


def test_json_page_names_every_key_of_the_score_document():
    document = json.loads((ROOT / "tests" / "golden" / "score-2020-STC.json").read_text("utf-8"))
    page = (DOCS / "json.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([a-z_]+)`", page)) | set(re.findall(r"[{,]\s*([a-z_]+)", page))
    assert _keys(document) - named == set()


def _anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces → '-'."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_relative_link_leads_somewhere(page):
    text = page.read_text(encoding="utf-8")
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    for target in re.findall(r"\]\(([^)\s]+)\)", prose):
        if re.match(r"[a-z]+:", target):
            continue
        file, _, anchor = target.partition("#")
        path = (page.parent / file).resolve() if file else page
        assert path.exists(), f"{page.name}: {target}"
        if anchor:
            headings = re.findall(r"^#+ (.+)$", path.read_text(encoding="utf-8"), flags=re.M)
            assert anchor in {_anchor(h) for h in headings}, f"{page.name}: {target}"


def test_the_pictures_are_shown_where_they_are_explained():
    shown = {name for page in PAGES
             for name in re.findall(r"!\[[^\]]*\]\((?:docs/)?([\w.-]+\.png)\)",
                                    page.read_text(encoding="utf-8"))}
    assert shown == {path.name for path in DOCS.glob("*.png")}


def test_every_page_is_reachable_from_the_readme():
    text = README.read_text(encoding="utf-8")
    for page in PAGES[1:]:
        assert f"({page.relative_to(ROOT).as_posix()})" in text, page.name
