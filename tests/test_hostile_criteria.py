"""Criteria files are input too: hostile or careless YAML is refused with a catalogued problem
at its line, in bounded time and memory, and never breaks a command that does not need it."""

from __future__ import annotations

import os
import shutil

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_cli.folders import load_registry
from cchc_cli.model.problems import CchcError
from cchc_cli.reading.criteria_file import check_criteria_text
from cchc_cli.reading.yamltext import MAX_BYTES

from .conftest import ROOT, SAMPLES
from .test_criteria import MINIMAL

# nine levels of nine aliases: 324 bytes that stand for 9^9 = 387 million strings
ALIAS_BOMB = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
    f"{name}: &{name} [{','.join([f'*{prev}'] * 9)}]\n"
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True))


def with_rule(expr: str) -> str:
    """MINIMAL with a formula rule on item 1.2 (line 22)."""
    return MINIMAL.replace(
        '{code: "1.2", title: Khảo sát, max: 1, scoring: survey}',
        '{code: "1.2", title: Khảo sát, max: 1, scoring: survey, figures: {a: A}, '
        f'rule: {{kind: formula, expr: "{expr}"}}}}')


# name → (text, code, line): every one of these was an exit 3, a hang or 7 GB before
HOSTILE = {
    # the limit is passed at the first alias of f (line 6): 74,740 values before it, and
    # each *e repeats 66,430
    "alias-bomb": (ALIAS_BOMB, "criteria-too-many-values", 6),
    "recursive-list": ("id: x\nloop: &a [1, *a]\n", "criteria-recursive-alias", 2),
    "recursive-map": ("id: x\nloop: &a\n  inner: *a\n", "criteria-recursive-alias", 3),
    "list-key": ("id: x\n? [a, b]\n: 1\n", "criteria-key-not-scalar", 2),
    "flow-list-key": ("id: x\nodd: {[1]: 2}\n", "criteria-key-not-scalar", 2),
    "huge-exponent": (MINIMAL.replace("total: 3", "total: 1e999999999"),
                      "criteria-number-range", 6),
    "quoted-huge-exponent": (MINIMAL.replace("total: 3", 'total: "1e999999999"'),
                             "criteria-number-range", 6),
    "minus-infinity": (MINIMAL.replace("max: 1, scoring", "max: -.inf, scoring"),
                       "criteria-number-range", 22),
    "not-a-number": (MINIMAL.replace("max: 1, scoring", "max: .nan, scoring"),
                     "criteria-number-range", 22),
    "5000-digits": (MINIMAL.replace("max: 1, scoring", f"max: {'1' * 5000}, scoring"),
                    "criteria-number-range", 22),
    "too-fine": (MINIMAL.replace("max: 1, scoring", "max: 0.00000000001, scoring"),
                 "criteria-number-range", 22),
    "month-13": (MINIMAL.replace("title: Test", "title: 2001-13-45"), "criteria-bad-value", 2),
    "deep-flow": ("[" * 500 + "]" * 500, "criteria-too-deep", 1),
    "deep-block": ("".join("  " * i + "a:\n" for i in range(70)) + "  " * 70 + "1\n",
                   "criteria-too-deep", 64),
    "498-minus": (with_rule("-" * 498 + "a"), "criteria-invalid", 22),
    "10000-parentheses": (with_rule("(" * 10_000 + "a" + ")" * 10_000),
                          "criteria-invalid", 22),
}


@pytest.fixture(params=["CSafeLoader", "SafeLoader"])
def loader(request, monkeypatch):
    """Each case with libyaml and with PyYAML's pure-Python parser (when libyaml is absent)."""
    if request.param == "SafeLoader":
        monkeypatch.delattr(yaml, "CSafeLoader", raising=False)
    elif not hasattr(yaml, "CSafeLoader"):
        pytest.skip("PyYAML without libyaml")
    return request.param


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_text_is_one_catalogued_problem_at_its_line(name, loader):
    text, code, line = HOSTILE[name]
    cs, problems = check_criteria_text(text, "hostile.yaml")
    assert cs is None
    found = [p for p in problems if p.code == code]
    assert found, [p.line_text("en") for p in problems]
    assert found[0].line == line and found[0].file == "hostile.yaml"


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000,
                                  "{a: " * 100_000 + "1" + "}" * 100_000,
                                  "- " * 100_000 + "x\n"])
def test_nesting_100000_deep_never_reaches_a_recursion(text, loader):
    # libyaml stops at its own 1,000 levels (a syntax error); PyYAML's parser does not, and
    # reading stops at MAX_DEPTH
    _, problems = check_criteria_text(text, "deep.yaml")
    assert [(p.code, p.line) for p in problems] in (
        [("criteria-too-deep", 1)], [("criteria-yaml-syntax", 1)])


def test_the_alias_bomb_is_refused_where_it_goes_off():
    _, problems = check_criteria_text(ALIAS_BOMB, "bomb.yaml")
    assert len(ALIAS_BOMB.encode()) < 600
    (problem,) = problems
    assert problem.path == "f[0]"
    assert problem.message("vi") == ("YAML có quá 100000 giá trị (tính cả các giá trị mà bí "
                                     "danh *… lặp lại); dừng đọc")


def test_a_recursive_alias_names_itself():
    _, (problem,) = check_criteria_text(HOSTILE["recursive-list"][0], "loop.yaml")
    assert problem.path == "loop[1]"
    assert problem.message("en") == ("alias *a sits inside the very value &a it refers to; "
                                     "reading stopped")


def test_an_alias_counts_its_depth_too():
    # 60 levels under the alias, which sits 5 deep (the root, b, three lists): 65
    text = "a: &a " + "[" * 60 + "]" * 60 + "\nb: [[[[*a]]]]\n"
    _, (problem,) = check_criteria_text(text, "deep.yaml")
    assert (problem.code, problem.line, problem.path) == ("criteria-too-deep", 2,
                                                          "b[0][0][0][0]")
    _, problems = check_criteria_text(text.replace("[[[[*a]]]]", "[[[*a]]]"), "deep.yaml")
    assert "criteria-too-deep" not in {p.code for p in problems}


def test_every_number_out_of_range_is_reported_at_once_with_its_line():
    text = (MINIMAL.replace("total: 3", "total: 1e999999999")
            .replace("max: 1, scoring", "max: .nan, scoring")
            .replace("{name: Khá, lower: 80}", "{name: Khá, lower: 80.00000000001}"))
    _, problems = check_criteria_text(text, "set.yaml")
    # the refused values are not reported again by the model (as "not a number")
    assert [(p.code, p.line, p.path) for p in problems] == [
        ("criteria-number-range", 6, "total"),
        ("criteria-number-range", 10, "bands[1].lower"),
        ("criteria-number-range", 22, "fields[0].criteria[1].max")]
    assert problems[0].message("en") == (
        "the number 1e999999999 is out of range: it must be finite, at most 10^12 in absolute "
        "value, with at most 10 decimal places and 40 characters")


def test_numbers_within_range_keep_their_exact_value():
    text = MINIMAL.replace("max: 1, scoring", "max: 1.0000000000, scoring")  # 10 places
    text = text.replace("title: Test", 'title: "1e5"')  # number-like text stays text
    cs, problems = check_criteria_text(text, "set.yaml")
    assert problems == [] and cs.title == "1e5"
    assert str(cs.leaves["1.2"].max) == "1.0000000000"


def test_a_value_that_cannot_be_built_is_a_problem_not_a_crash():
    _, problems = check_criteria_text("id: !!int abc\nwhen: 2001-02-30\n", "set.yaml")
    assert [(p.code, p.line) for p in problems[:2]] == [("criteria-bad-value", 1),
                                                        ("criteria-bad-value", 2)]
    assert problems[1].message("en") == ("cannot read the value “2001-02-30”: ValueError: day "
                                         "is out of range for month")


def test_a_python_tag_builds_nothing():
    text = "id: x\nrun: !!python/object/apply:os.system [echo hacked]\n"
    _, problems = check_criteria_text(text, "set.yaml")
    assert all(p.code == "criteria-invalid" for p in problems)  # `run` is just an unknown key


def test_too_large_a_text_is_not_parsed(tmp_path):
    text = "# " + "x" * MAX_BYTES + "\n"
    _, problems = check_criteria_text(text, "big.yaml")
    assert [(p.code, p.file) for p in problems] == [("criteria-too-large", "big.yaml")]
    assert problems[0].message("en").startswith("the file is larger than the limit of 2 MiB")
    big = tmp_path / "big.yaml"
    big.write_text(text, encoding="utf-8")
    with pytest.raises(CchcError) as err:
        load_registry([tmp_path]).get("x")
    assert err.value.problems[0].code == "criteria-too-large"


# pieces a careless edit or a hostile hand leaves in a set
SPLINTERS = ["&a ", "*a", "[", "]", "{", "}", ": ", "? ", "- ", "!!int ", "!!float ", "!!binary ",
             "!!set ", "!!python/name:os.system ", "1e999999999", ".nan", "-.inf", "1" * 50,
             "2001-13-45", "\n", "  ", "'", '"', "#", ",", "<<: *a", "~", "|", "---\n",
             "%YAML 1.1\n", "\t", "\x00", "\ud800", "((((", "-" * 100, "min(", ")"]


@settings(max_examples=40, deadline=None)
@given(st.randoms(use_true_random=False), st.booleans())
def test_mutated_sets_end_in_a_set_or_in_catalogued_problems(rng, shipped):
    text = (ROOT / "criteria" / "soc-trang" / "so-2019.yaml").read_text(encoding="utf-8") \
        if shipped else MINIMAL
    for _ in range(rng.randint(1, 6)):
        at = rng.randrange(len(text) + 1)
        kind = rng.random()
        if kind < 0.5:
            text = text[:at] + rng.choice(SPLINTERS) + text[at:]
        elif kind < 0.8:
            text = text[:at] + text[at + rng.randint(1, 30):]
        else:  # a block repeated, as a paste gone wrong
            text = text[:at] + text[at:at + rng.randint(1, 200)] * rng.randint(2, 5) + text[at:]
    cs, problems = check_criteria_text(text, "set.yaml")  # any exception here is a crash
    assert (cs is None) == bool(problems)


# --- through the command, placed where CCHC_CRITERIA points ------------------------------------


@pytest.fixture(scope="module")
def hostile_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    for name, (text, _, _) in HOSTILE.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return folder


def test_hostile_files_leave_score_working_with_the_same_figures(cli, hostile_folder):
    clean = cli("score", SAMPLES / "2020" / "STC.xlsx", "--json")
    beside = cli("score", SAMPLES / "2020" / "STC.xlsx", "--json",
                 env={"CCHC_CRITERIA": str(hostile_folder)})
    assert beside.exit_code == 0, beside.stderr
    assert beside.stdout == clean.stdout and '"achieved": 71.33' in clean.stdout
    assert beside.stderr == ""


def test_criteria_check_and_list_report_each_hostile_file_at_its_line(cli, hostile_folder):
    files = sorted(hostile_folder.glob("*.yaml"))
    checked = cli("criteria", "check", *files, "--lang", "en")
    listed = cli("criteria", "list", env={"CCHC_CRITERIA": str(hostile_folder)})
    assert checked.exit_code == 1 and listed.exit_code == 1
    for name, (_, code, line) in HOSTILE.items():
        place = f"{hostile_folder / name}.yaml:{line}"
        for result in (checked, listed):
            assert any(place in row and f"[{code}]" in row
                       for row in result.stderr.splitlines()), (name, result.stderr)
    assert "Traceback" not in checked.stderr + listed.stderr
    assert "soc-trang-so-2019" in listed.stdout  # the good sets are still listed


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX pipes and symlinks")
def test_files_that_cannot_be_read_are_reported_not_waited_for(cli, tmp_path):
    (tmp_path / "loop.yaml").symlink_to("loop.yaml")
    os.mkfifo(tmp_path / "pipe.yaml")  # opening it would wait for a writer forever
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")  # endless
    (tmp_path / "folder.yaml").mkdir()
    env = {"CCHC_CRITERIA": str(tmp_path)}
    assert cli("score", SAMPLES / "2020" / "STC.xlsx", env=env).exit_code == 0
    listed = cli("criteria", "list", "--lang", "en", env=env)
    assert listed.exit_code == 1
    assert listed.stderr.splitlines()[:3] == [
        f"Error: {tmp_path / 'loop.yaml'}: cannot read the file: OSError [unreadable-file]",
        f"Error: {tmp_path / 'pipe.yaml'}: cannot read the file: not a regular file "
        "[unreadable-file]",
        f"Error: {tmp_path / 'zero.yaml'}: cannot read the file: not a regular file "
        "[unreadable-file]"]


# --- one id, two files ------------------------------------------------------------------------


def test_an_id_in_two_files_fails_only_what_needs_it(cli, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    copy = mine / "so-2019.yaml"
    shutil.copy(ROOT / "criteria" / "soc-trang" / "so-2019.yaml", copy)
    env = {"CCHC_CRITERIA": str(mine)}
    builtin = ROOT / "criteria" / "soc-trang" / "so-2019.yaml"
    expected = (f"{builtin}:12 · id: mã bộ tiêu chí “soc-trang-so-2019” trùng với tệp "
                f"{copy} [criteria-duplicate-id]")
    # named in the workbook's "Bộ tiêu chí" cell (2020), chosen by group and year (2019),
    # named by --criteria: each needs the id, and each fails naming both files
    for args in ([SAMPLES / "2020" / "STC.xlsx"], [SAMPLES / "2019" / "STC.xlsx"],
                 [SAMPLES / "2023" / "STC.xlsx", "--criteria", "soc-trang-so-2019"]):
        result = cli("score", *args, env=env)
        assert result.exit_code == 1, result.stdout
        assert expected in result.stderr, result.stderr
    # 2023 uses the 2021 set: not broken by the twin
    assert cli("score", SAMPLES / "2023" / "STC.xlsx", env=env).exit_code == 0
    listed = cli("criteria", "list", env={**env, "COLUMNS": "400"})
    assert listed.exit_code == 1 and expected in listed.stderr
    assert str(copy) in listed.stdout and str(builtin) in listed.stdout  # both are listed


def test_a_folder_named_twice_is_not_a_twin_of_itself(cli, tmp_path):
    (tmp_path / "mine.yaml").write_text(MINIMAL, encoding="utf-8")
    twice = f"{tmp_path}{os.pathsep}{tmp_path}"
    result = cli("criteria", "list", "--criteria", tmp_path, env={"CCHC_CRITERIA": twice})
    assert result.exit_code == 0, result.stderr
    assert "test-set" in result.stdout


def test_a_set_not_found_shows_the_broken_files_too(cli, tmp_path):
    (tmp_path / "mine.yaml").write_text(MINIMAL.replace("total: 3", "total: 1e999999999"),
                                        encoding="utf-8")
    env = {"CCHC_CRITERIA": str(tmp_path)}
    unknown = cli("score", SAMPLES / "2020" / "STC.xlsx", "--criteria", "test-set", env=env)
    assert unknown.exit_code == 1
    lines = unknown.stderr.splitlines()
    assert lines[0].startswith(f"Lỗi: {tmp_path / 'mine.yaml'}:6 · total: số 1e999999999")
    assert "[unknown-criteria-set]" in lines[1]
    # a group no set serves: the broken set may be the one meant
    with pytest.raises(CchcError) as err:
        load_registry([tmp_path]).select(year=2020, group="UBND xã", set_id=None)
    assert [p.code for p in err.value.problems] == ["criteria-number-range", "no-criteria-set"]
