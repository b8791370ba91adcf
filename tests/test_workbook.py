"""Reading real .xlsx files: headers as people type them, values as Excel stores them."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest

from cchc_cli.engine.scoring import score_unit
from cchc_cli.folders import score_file
from cchc_cli.model.problems import CchcError
from cchc_cli.model.unit import cell_ref
from cchc_cli.reading.workbook import read_unit

from .conftest import set_cell


def test_cell_ref():
    assert [cell_ref(0, 0), cell_ref(13, 3), cell_ref(0, 25), cell_ref(0, 26)] == [
        "A1", "D14", "Z1", "AA1"]


def test_a_written_workbook_reads_back_with_cells(cs2019, sheets_for, make_workbook):
    path = make_workbook(sheets_for())
    wb = read_unit(path)
    assert wb.problems == []
    assert (wb.info.code, wb.info.year, wb.info.group) == ("STC", 2020, "Sở, ban ngành tỉnh")
    row = wb.appraisal.get("7.1.10")
    assert row.values["points"] == Decimal("1")
    assert row.cells["points"] == f"C{row.row}"  # Mã | Nội dung | Điểm thẩm định
    scored = {code for code in wb.appraisal.rows if not cs2019.is_parent(code)}
    assert scored == set(cs2019.leaves) - {
        c for c, leaf in cs2019.leaves.items() if leaf.scoring == "survey"}


def test_headers_match_ignoring_case_diacritics_spacing_and_nfd(cs2019, sheets_for,
                                                                make_workbook):
    sheets = sheets_for()
    header = sheets["Thẩm định"][0]
    for old, new in [("Mã", "  MÃ "),
                     ("Điểm thẩm định", unicodedata.normalize("NFD", "điểm   thẩm định")),
                     ("Không phát sinh", "KHONG PHAT SINH")]:
        header[header.index(old)] = new
    sheets["Thẩm định"].insert(0, ["BẢNG THẨM ĐỊNH CHỈ SỐ CCHC NĂM 2020"])  # a title above
    sheets["thẩm định "] = sheets.pop("Thẩm định")
    result = score_file(make_workbook(sheets), criteria=cs2019)
    assert result.totals.achieved == 100 and result.status == "appraised"


def test_numbers_as_text_with_decimal_comma_and_codes_as_numbers(cs2019, sheets_for,
                                                                 make_workbook):
    sheets = sheets_for()
    set_cell(sheets, "Thẩm định", "1.1.2", "Điểm thẩm định", "0,95")
    set_cell(sheets, "Thẩm định", "2.1", "Điểm thẩm định", "0.86")
    set_cell(sheets, "Thẩm định", "2.1", "Mã", 2.1)  # a code typed as a number
    result = score_file(make_workbook(sheets), criteria=cs2019)
    assert result.totals.achieved == Decimal("99.81")


def test_nfd_text_in_info_and_reasons_is_normalised(cs2019, sheets_for, make_workbook):
    sheets = sheets_for()
    sheets["Thông tin"][2][1] = unicodedata.normalize("NFD", "Sở Tài chính")
    set_cell(sheets, "Thẩm định", "1.5", "Điểm thẩm định", 1)
    set_cell(sheets, "Thẩm định", "1.5", "Lý do trừ điểm",
             unicodedata.normalize("NFD", "Tham mưu chưa hết trách nhiệm"))
    result = score_file(make_workbook(sheets), criteria=cs2019)
    assert result.unit.name == "Sở Tài chính"
    assert result.lost[0].reason == "Tham mưu chưa hết trách nhiệm"


@pytest.mark.parametrize("mark", ["x", "X", "có", "KPS", "Không phát sinh", "không áp dụng",
                                  "N/A", True])
def test_not_applicable_marks(cs2019, sheets_for, parse, mark):
    sheets = sheets_for()
    set_cell(sheets, "Thẩm định", "6.3", "Điểm thẩm định", None)
    set_cell(sheets, "Thẩm định", "6.3", "Không phát sinh", mark)
    assert score_unit(cs2019, parse(sheets)).totals.reduction == Decimal("2.5")


def test_missing_sheets_and_columns_are_named(sheets_for, make_workbook):
    sheets = sheets_for()
    del sheets["Tự đánh giá"]
    header = sheets["Thẩm định"][0]
    header[header.index("Điểm thẩm định")] = "Điểm"  # not a name of the appraisal column
    wb = read_unit(make_workbook(sheets))
    problems = {(p.code, p.sheet, p.params.get("sheet") or p.params.get("column"))
                for p in wb.problems}
    assert ("missing-sheet", None, "Tự đánh giá") in problems
    assert ("missing-column", "Thẩm định", "Điểm thẩm định") in problems


@pytest.mark.parametrize("info, code, cell", [
    ({"Tên đơn vị": "Sở Tài chính", "Năm": 2020}, "missing-info", None),
    ({"Mã đơn vị": "STC", "Năm": "hai nghìn"}, "invalid-year", "B3"),
    ({"Mã đơn vị": "STC", "Năm": 20.5}, "invalid-year", "B3"),
    ({"Mã đơn vị": "STC", "Năm": None}, "missing-info", None),
])
def test_unit_information_is_required(sheets_for, make_workbook, info, code, cell):
    wb = read_unit(make_workbook(sheets_for(info=info)))
    problem = next(p for p in wb.problems if p.code == code)
    assert problem.sheet == "Thông tin"
    if cell:
        assert problem.cell == cell
    with pytest.raises(CchcError):
        score_file(wb.path)


@pytest.mark.parametrize("name, content, code", [
    ("notes.txt", b"hello", "not-a-workbook"),
    ("empty.xlsx", b"", "unreadable-workbook"),
    ("broken.xlsx", b"PK\x03\x04 not really a zip", "unreadable-workbook"),
])
def test_files_that_are_not_workbooks(tmp_path, name, content, code):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CchcError) as err:
        read_unit(path)
    assert err.value.problems[0].code == code
    assert err.value.problems[0].file == str(path)


def test_missing_file(tmp_path):
    with pytest.raises(CchcError) as err:
        read_unit(tmp_path / "STC.xlsx")
    assert err.value.problems[0].code == "file-not-found"


def test_reading_never_changes_the_input(sheets_for, make_workbook):
    path = make_workbook(sheets_for())
    before = path.read_bytes()
    score_file(path)
    assert path.read_bytes() == before
