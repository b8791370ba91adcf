"""Bad input never crashes and never misleads: every case of the catalog, through the CLI,
with its exit code, problem code and cell. (Issue: "a catalog of problems".)"""

from __future__ import annotations

import hashlib
import json
import shutil
import unicodedata
from pathlib import Path

import pytest

from cchc_cli.model.problems import CATALOG

from .conftest import INFO_2020, SAMPLES, add_row, set_cell
from .test_criteria import MINIMAL
from .test_scoring import TEN_CRITERIA

FIXTURES = Path(__file__).parent / "fixtures"


def validate(cli, path) -> tuple[int, list[dict]]:
    result = cli("validate", path, "--json")
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.stdout)


def expect(cli, path, code: str, *, cell: str | None = None, sheet: str | None = None,
           criterion: str | None = None, args: tuple = ()) -> dict:
    """`cchc score` refuses with exit 1 naming the problem; `cchc validate` lists it."""
    scored = cli("score", path, *args)
    assert scored.exit_code == 1, scored.output
    assert f"[{code}]" in scored.stderr and scored.stderr.startswith("Lỗi:")
    assert "Traceback" not in scored.output and scored.stdout == ""
    exit_code, problems = validate(cli, path)
    if not args:
        assert exit_code == 1
        found = [p for p in problems if p["code"] == code]
        assert found, problems
        problem = found[0]
        assert problem["file"] == str(path)
        if cell:
            assert problem["cell"] == cell
        if sheet:
            assert problem["sheet"] == sheet
        if criterion:
            assert problem["criterion"] == criterion
        assert set(problem) >= {"code", "severity", "file", "sheet", "cell", "criterion",
                                "message"}
        return problem
    return {}


# --- files ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, content, code", [
    ("notes.txt", b"hello", "not-a-workbook"),
    ("empty.xlsx", b"", "unreadable-workbook"),
    ("garbage.xlsx", b"this is not a zip", "unreadable-workbook"),
    ("old.xls", b"\xd0\xcf\x11\xe0 not really", "unreadable-workbook"),
])
def test_files_that_are_not_workbooks(cli, tmp_path, name, content, code):
    path = tmp_path / name
    path.write_bytes(content)
    expect(cli, path, code)


def test_truncated_workbook(cli, tmp_path):
    data = (SAMPLES / "2020" / "STC.xlsx").read_bytes()
    path = tmp_path / "STC.xlsx"
    path.write_bytes(data[: len(data) // 2])
    expect(cli, path, "unreadable-workbook")


def test_password_protected_workbook(cli, tmp_path):
    path = tmp_path / "STC.xlsx"
    shutil.copy(FIXTURES / "password.xlsx", path)
    expect(cli, path, "password-protected")


def test_locked_or_unreadable_file(cli, tmp_path, make_workbook, sheets_for, monkeypatch):
    path = make_workbook(sheets_for())
    real_open = Path.open

    def locked(self, *args, **kwargs):
        if self == path:
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", locked)
    expect(cli, path, "file-locked")


def test_folder_without_workbooks(cli, tmp_path):
    (tmp_path / "2023").mkdir()
    (tmp_path / "2023" / "ghi-chu.docx").write_bytes(b"x")
    for command in (("rank",), ("validate",)):
        result = cli(*command, tmp_path / "2023")
        assert result.exit_code == 1
        assert "[no-workbooks]" in result.output


# --- sheets, headers, unit information ------------------------------------------------------------


def test_missing_sheet(cli, make_workbook, sheets_for):
    sheets = sheets_for()
    del sheets["Tự đánh giá"]
    problem = expect(cli, make_workbook(sheets), "missing-sheet")
    assert "Tự đánh giá" in problem["message"]


def test_missing_header(cli, make_workbook, sheets_for):
    sheets = sheets_for()
    sheets["Thẩm định"][0] = ["Số", "Điểm thẩm định"]  # no code column near the top
    expect(cli, make_workbook(sheets), "missing-header", sheet="Thẩm định")


def test_unrecognised_header_is_a_missing_column(cli, make_workbook, sheets_for):
    sheets = sheets_for()
    header = sheets["Thẩm định"][0]
    header[header.index("Điểm thẩm định")] = "Điểm chấm"
    problem = expect(cli, make_workbook(sheets), "missing-column", sheet="Thẩm định", cell="A1")
    assert "Điểm thẩm định" in problem["message"]


@pytest.mark.parametrize("drop, cell", [("Mã đơn vị", None), ("Năm", None)])
def test_information_without_unit_code_or_year(cli, make_workbook, sheets_for, drop, cell):
    info = {k: v for k, v in INFO_2020.items() if k != drop}
    problem = expect(cli, make_workbook(sheets_for(info=info)), "missing-info",
                     sheet="Thông tin")
    assert drop in problem["message"]


def test_year_differs_from_its_year_folder(cli, tmp_path, sheets_for):
    from tests.builders import write_workbook
    path = write_workbook(tmp_path / "2021" / "STC.xlsx", sheets_for())  # says 2020
    problem = expect(cli, path, "year-mismatch")
    assert "2020" in problem["message"] and "2021" in problem["message"]


# --- criteria sets --------------------------------------------------------------------------------


def test_unknown_criteria_set_id(cli, make_workbook, sheets_for):
    info = {**INFO_2020, "Bộ tiêu chí": "ha-noi-2020"}
    problem = expect(cli, make_workbook(sheets_for(info=info)), "unknown-criteria-set")
    assert "soc-trang-so-2019" in problem["message"]  # the known sets are named


def test_no_criteria_set_fits(cli, make_workbook, sheets_for):
    info = {**INFO_2020, "Năm": 2018}
    expect(cli, make_workbook(sheets_for(info=info)), "no-criteria-set")


def test_invalid_criteria_yaml_names_path_and_line(cli, tmp_path, make_workbook, sheets_for):
    bad = tmp_path / "bad.yaml"
    bad.write_text(MINIMAL.replace("max: 3\n", "max: ba\n"), encoding="utf-8")
    result = cli("score", make_workbook(sheets_for()), "--criteria", bad)
    assert result.exit_code == 1
    assert f"Lỗi: {bad}:14 · fields[0].max · tiêu chí 1: phải là một số [criteria-invalid]" \
        in result.stderr


# --- codes ----------------------------------------------------------------------------------------


def test_unknown_code(cli, make_workbook, sheets_for):
    sheets = sheets_for()
    add_row(sheets, "Thẩm định", {"Mã": "9.9", "Điểm thẩm định": 1})
    row = len(sheets["Thẩm định"])
    expect(cli, make_workbook(sheets), "unknown-criterion", sheet="Thẩm định",
           cell=f"A{row}", criterion="9.9")


def test_scored_item_missing(cli, make_workbook, sheets_for):
    sheets = sheets_for()
    sheets["Thẩm định"] = [r for r in sheets["Thẩm định"] if r[0] != "3.1.2"]
    expect(cli, make_workbook(sheets), "missing-criterion", sheet="Thẩm định",
           criterion="3.1.2")


def test_same_code_on_two_rows(cli, make_workbook, sheets_for):
    sheets = sheets_for()
    add_row(sheets, "Thẩm định", {"Mã": "1.5", "Điểm thẩm định": 1})
    row = len(sheets["Thẩm định"])
    problem = expect(cli, make_workbook(sheets), "duplicate-criterion", cell=f"A{row}",
                     criterion="1.5")
    assert "Thẩm định!A" in problem["message"]


def test_code_as_number_that_could_be_two_items(cli, tmp_path, make_workbook, sheets_for):
    from cchc_cli.reading.criteria_file import check_criteria_text
    cs, _ = check_criteria_text(TEN_CRITERIA, "ten.yaml")
    criteria = tmp_path / "ten.yaml"
    criteria.write_text(TEN_CRITERIA, encoding="utf-8")
    sheets = sheets_for(cs=cs)
    cell = set_cell(sheets, "Thẩm định", "1.1", "Mã", 1.1)
    result = cli("score", make_workbook(sheets), "--criteria", criteria)
    assert result.exit_code == 1
    assert f"Thẩm định!{cell} · tiêu chí 1.1: mã 1.1 được nhập dạng số nên có thể là " \
           f"1.1 / 1.10" in result.stderr


# --- scores ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("value, code", [
    ("một", "not-a-number"),
    ("1,5 điểm", "not-a-number"),
    ("0.5đ", "not-a-number"),
    (1.5, "score-above-max"),
    (-0.25, "score-below-min"),       # negative where the set does not allow it
    (1e300, "score-above-max"),       # huge
    ("=0.25+0.25", "formula-without-value"),
    ("#REF!", "error-cell"),
    ("#DIV/0!", "error-cell"),
    ("#VALUE!", "error-cell"),
])
def test_bad_scores_are_named_with_their_cell(cli, make_workbook, sheets_for, value, code):
    sheets = sheets_for()
    cell = set_cell(sheets, "Thẩm định", "1.1.2", "Điểm thẩm định", value)
    problem = expect(cli, make_workbook(sheets), code, sheet="Thẩm định", cell=cell,
                     criterion="1.1.2")
    if code == "formula-without-value":
        assert "=0.25+0.25" in problem["message"]


def test_decimal_comma_text_is_fine(cli, make_workbook, sheets_for):
    sheets = sheets_for()
    set_cell(sheets, "Thẩm định", "1.1.2", "Điểm thẩm định", "0,5")
    result = cli("score", make_workbook(sheets), "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["totals"]["achieved"] == 99.5


def test_a_formula_in_the_code_column_is_reported(cli, make_workbook, sheets_for):
    sheets = sheets_for()
    cell = set_cell(sheets, "Thẩm định", "1.1.2", "Mã", '="1.1."&"2"')
    expect(cli, make_workbook(sheets), "formula-without-value", cell=cell)


def test_not_applicable_on_an_item_that_may_not_be_reduced(cli, make_workbook, sheets_for):
    sheets = sheets_for()
    set_cell(sheets, "Thẩm định", "1.5", "Điểm thẩm định", None)
    cell = set_cell(sheets, "Thẩm định", "1.5", "Không phát sinh", "x")
    expect(cli, make_workbook(sheets), "not-reducible", cell=cell, criterion="1.5")


def test_not_applicable_and_scored(cli, make_workbook, sheets_for):
    sheets = sheets_for()
    set_cell(sheets, "Thẩm định", "6.3", "Không phát sinh", "KPS")
    expect(cli, make_workbook(sheets), "not-applicable-with-score", criterion="6.3")


def test_appraisal_missing_for_an_applicable_item(cli, make_workbook, sheets_for):
    sheets = sheets_for()
    cell = set_cell(sheets, "Thẩm định", "2.1", "Điểm thẩm định", None)
    expect(cli, make_workbook(sheets), "score-missing", cell=cell, criterion="2.1")


def test_max_column_disagreeing_is_a_warning(cli, make_workbook, sheets_for):
    sheets = sheets_for()
    cell = set_cell(sheets, "Tự đánh giá", "1.1.4", "Điểm tối đa", 2.5)
    path = make_workbook(sheets)
    assert cli("score", path).exit_code == 0
    exit_code, problems = validate(cli, path)
    assert exit_code == 0
    assert [(p["code"], p["severity"], p["cell"]) for p in problems] == [
        ("max-disagrees", "warning", cell)]


def test_nfd_text_and_stray_spaces_are_normalised_not_errors(cli, make_workbook, sheets_for):
    sheets = sheets_for()
    for name in ("Tự đánh giá", "Thẩm định"):
        header = sheets[name][0]
        header[:] = [unicodedata.normalize("NFD", f"  {h}  ") if h else h for h in header]
        for row in sheets[name][1:]:
            if isinstance(row[0], str):
                row[0] = f" {row[0]} "
    sheets["Thông tin"][2][1] = unicodedata.normalize("NFD", " Sở  Tài chính ")
    path = make_workbook(sheets)
    result = cli("score", path, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["unit"]["name"] == "Sở Tài chính" and data["totals"]["achieved"] == 100


# --- folders -------------------------------------------------------------------------------------


def test_two_workbooks_of_one_unit_and_codes_differing_by_case(cli, tmp_path, sheets_for):
    from tests.builders import write_workbook
    folder = tmp_path / "2020"
    write_workbook(folder / "STC.xlsx", sheets_for())
    write_workbook(folder / "stc-2.xlsx", sheets_for(info={**INFO_2020, "Mã đơn vị": " stc"}))
    write_workbook(folder / "SNV.xlsx", sheets_for(info={**INFO_2020, "Mã đơn vị": "SNV"}))
    exit_code, problems = validate(cli, folder)
    assert exit_code == 1
    dupes = [p for p in problems if p["code"] == "duplicate-unit"]
    assert {p["file"] for p in dupes} == {str(folder / "STC.xlsx"), str(folder / "stc-2.xlsx")}
    result = cli("rank", folder)
    assert result.exit_code == 1 and "SNV" in result.stdout


# --- the catalog, exit codes, nothing changed -----------------------------------------------------


def test_validate_is_clean_on_the_samples(cli):
    for year in ("2019", "2020", "2022", "2023"):
        result = cli("validate", SAMPLES / year)
        assert result.exit_code == 0, result.stdout
        assert "không có lỗi nào" in result.stdout


def test_validate_lists_all_problems_of_all_workbooks(cli, tmp_path, sheets_for):
    from tests.builders import write_workbook
    folder = tmp_path / "2020"
    for code, cells in (("A", ["1.1.2", "2.1"]), ("B", ["3.1.1"])):
        sheets = sheets_for(info={**INFO_2020, "Mã đơn vị": code})
        for item in cells:
            set_cell(sheets, "Thẩm định", item, "Điểm thẩm định", "?")
        write_workbook(folder / f"{code}.xlsx", sheets)
    exit_code, problems = validate(cli, folder)
    assert exit_code == 1
    assert [(Path(p["file"]).name, p["criterion"]) for p in problems] == [
        ("A.xlsx", "1.1.2"), ("A.xlsx", "2.1"), ("B.xlsx", "3.1.1")]
    text = cli("validate", folder).stdout
    assert "Đã kiểm tra 2 bảng tính: 2 bảng tính có lỗi; 3 lỗi, 0 cảnh báo." in text


def test_every_catalogued_problem_has_both_languages():
    for kind in CATALOG.values():
        assert kind.vi and kind.en and kind.vi != kind.en, kind.code


def sha(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_no_command_changes_an_input(cli, tmp_path):
    data = tmp_path / "data"
    for year in ("2022", "2023"):
        shutil.copytree(SAMPLES / year, data / year)
    before = sha(data)
    out = tmp_path / "out"
    out.mkdir()  # cchc creates no folder
    for args in (("score", data / "2023" / "STC.xlsx", "--detail"),
                 ("score", data / "2023" / "STC.xlsx", "--json"),
                 ("validate", data / "2023"),
                 ("rank", data / "2023", "-o", out / "rank.xlsx"),
                 ("rank", data / "2022", "-o", out / "rank.csv"),
                 ("compare", "2022", "2023", "-u", "STC", "--data", data, "-o", out / "c.xlsx"),
                 ("history", "-u", "STC", "--data", data, "--chart", out / "h.png")):
        assert cli(*args).exit_code == 0, args
    assert sha(data) == before


def test_every_catalogued_problem_is_produced_by_some_test():
    """Each code of the catalog is asserted somewhere in the tests: a kind that no test
    produces is either dead or untested."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in Path(__file__).parent.rglob("*.py"))
    untested = [code for code in CATALOG
                if not any(form.format(code) in text for form in ('"{}"', "'{}'", "[{}]"))]
    assert untested == []
