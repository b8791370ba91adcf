"""Docs that cannot drift: the README's set-up, the catalog table, CI's test command."""

from __future__ import annotations

import os
import re

from cchc_cli.model.problems import catalog_markdown

from .conftest import ROOT

README = ROOT / "README.md"


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


def test_readme_catalog_is_the_catalog():
    text = README.read_text(encoding="utf-8")
    start, end = "<!-- catalog:start -->\n", "<!-- catalog:end -->"
    table = catalog_markdown() + "\n"
    if os.environ.get("CCHC_UPDATE_GOLDEN"):
        before, rest = text.split(start, 1)
        text = before + start + table + end + rest.split(end, 1)[1]
        README.write_text(text, encoding="utf-8")
    assert text.split(start, 1)[1].split(end, 1)[0] == table
