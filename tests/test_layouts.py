"""The workbooks offices really send: formats, layouts, column names, codes as printed."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from cchc_cli.engine.scoring import score_unit
from cchc_cli.folders import assess_file, score_file
from cchc_cli.output.files import to_json
from cchc_cli.reading.criteria_file import check_criteria_text

from .conftest import INFO_2020, set_cell
from .test_criteria import MINIMAL

FIXTURES = Path(__file__).parent / "fixtures"


def as_json(result) -> dict:
    data = json.loads(to_json(result.as_dict()))
    data.pop("warnings")
    return data


def test_every_format_scores_the_same():
    results = {p.suffix: as_json(score_file(p)) for p in sorted((FIXTURES / "formats").iterdir())}
    assert set(results) == {".xlsx", ".xls", ".ods", ".xlsm", ".xlsb"}
    reference = results[".xlsx"]
    assert reference["totals"]["achieved"] == 71.33 and reference["totals"]["index"] == 78.81
    for suffix, data in results.items():
        assert data == reference, suffix


@pytest.mark.parametrize("suffix", [".xls", ".ods", ".xlsm", ".xlsb"])
def test_other_formats_through_the_cli(cli, suffix):
    result = cli("score", FIXTURES / "formats" / f"STC{suffix}", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["totals"]["index"] == 78.81


def test_a_tien_giang_style_sheet_scores_without_any_option(cli):
    path = FIXTURES / "tien-giang" / "2022_STC.xlsx"
    result = cli("score", path, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout, parse_float=Decimal)
    assert (data["totals"]["achieved"], data["totals"]["max_after_reduction"],
            data["totals"]["index"]) == (Decimal("67.83"), Decimal("89"), Decimal("76.21"))
    assert data["unit"]["code"] == "STC" and data["unit"]["year"] == 2022
    assert [w["code"] for w in data["warnings"]] == ["info-from-filename", "sheet-by-content"]
    assert "không có trang “Thông tin”" in result.stderr
    # the sheet used is named, since it was not found by its name
    assert ("không có trang tên “Tự đánh giá”, “Thẩm định”; dùng trang “Bảng điểm”"
            in result.stderr)


def test_a_subtotal_that_disagrees_is_a_warning_naming_the_cell(cli, tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "2022_STC.xlsx"
    shutil.copy(FIXTURES / "tien-giang" / "2022_STC.xlsx", path)
    book = load_workbook(path)
    ws = book.active
    row = next(r for r in ws.iter_rows(min_row=6) if r[0].value == "II")
    row[4].value = 7.5  # field 2 appraised: its items add up to 6.21
    book.save(path)
    result, problems = assess_file(path)
    assert result is not None and result.totals.achieved == Decimal("67.83")
    (mismatch,) = [p for p in problems if p.code == "subtotal-mismatch"]
    assert (mismatch.cell, mismatch.criterion) == (row[4].coordinate, "2")
    assert mismatch.message() == "dòng tổng 2 ghi 7,5, tổng các tiêu chí con là 6,21"


@pytest.mark.parametrize("old, new", [
    ("Mã", "STT"), ("Mã", "TT"), ("Mã", "Mã tiêu chí"),
    ("Điểm tối đa", "Thang điểm"), ("Điểm tối đa", "Điểm chuẩn"),
    ("Điểm tự đánh giá", "Điểm tự chấm"), ("Điểm tự đánh giá", "Tự chấm"),
    ("Điểm thẩm định", "Điểm chấm thực tế"), ("Điểm thẩm định", "Thẩm định lần 1"),
    ("Điểm thẩm định lần 2", "Sau giải trình"), ("Lý do trừ điểm", "Nhận xét"),
    ("Lý do trừ điểm", "Ý kiến"), ("Trách nhiệm", "Phòng chịu trách nhiệm"),
])
def test_column_names_as_provinces_print_them(cs2019, sheets_for, parse, old, new):
    sheets = sheets_for()
    set_cell(sheets, "Thẩm định", "2.1", "Điểm thẩm định lần 2", Decimal("0.5"))
    set_cell(sheets, "Thẩm định", "2.1", "Lý do trừ điểm", "Trễ hạn")
    set_cell(sheets, "Thẩm định", "2.1", "Trách nhiệm", "Văn phòng")
    set_cell(sheets, "Tự đánh giá", "2.1", "Điểm tự đánh giá", Decimal("0.75"))
    for name in ("Tự đánh giá", "Thẩm định"):
        header = sheets[name][0]
        if old in header:
            header[header.index(old)] = new
    result = score_unit(cs2019, parse(sheets))
    item = next(i for i in result.items if i.code == "2.1")
    assert (item.final, item.self_points, item.reason, item.responsible) == (
        Decimal("0.5"), Decimal("0.75"), "Trễ hạn", "Văn phòng")


def test_a_criteria_set_may_add_column_names(tmp_path, sheets_for, make_workbook):
    text = MINIMAL.replace("fields:", 'columns: {self: ["Điểm đơn vị chấm"]}\nfields:')
    cs, problems = check_criteria_text(text, "set.yaml")
    assert problems == []
    sheets = sheets_for(cs=cs, info={**INFO_2020, "Năm": 2021})
    header = sheets["Tự đánh giá"][0]
    header[header.index("Điểm tự đánh giá")] = "Điểm đơn vị chấm"
    result, problems = assess_file(make_workbook(sheets), criteria=cs)
    assert [p.code for p in problems] == [] and result.self_totals.achieved == 3


@pytest.mark.parametrize("printed, code", [
    ("1.1.2.", "1.1.2"), ("TC 1.1.2", "1.1.2"), ("TC1.1.2.", "1.1.2"), (" 1.1.2 ", "1.1.2"),
    ("Tiêu chí 1.1.2", "1.1.2"), ("tctp 1.1.2", "1.1.2"),
])
def test_codes_as_printed(cs2019, sheets_for, parse, printed, code):
    sheets = sheets_for()
    for name in ("Tự đánh giá", "Thẩm định"):
        set_cell(sheets, name, code, "Mã", printed)
    result = score_unit(cs2019, parse(sheets))
    assert result.totals.achieved == 100


def test_roman_numerals_name_fields(cs2019, sheets_for, parse):
    sheets = sheets_for()
    for name in ("Tự đánh giá", "Thẩm định"):
        for arabic, roman in (("1", "I"), ("4", "IV"), ("7", "VII")):
            set_cell(sheets, name, arabic, "Mã", roman)
    wb = parse(sheets)
    assert {"1", "4", "7"} <= set(wb.appraisal.rows)
    assert score_unit(cs2019, wb).totals.achieved == 100


@pytest.mark.parametrize("written", ["KPS", "Không phát sinh", "không áp dụng", "N/A"])
def test_not_applicable_written_in_the_score_cell(cs2019, sheets_for, parse, written):
    sheets = sheets_for()
    set_cell(sheets, "Thẩm định", "6.3", "Điểm thẩm định", written)
    assert score_unit(cs2019, parse(sheets)).totals.reduction == Decimal("2.5")


@pytest.mark.parametrize("folder, name", [("2020", "STC.xlsx"), ("don-vi", "2020_STC.xlsx"),
                                          ("don-vi", "STC-2020.xlsx")])
def test_unit_from_the_file_name_and_year_folder(tmp_path, sheets_for, folder, name):
    from tests.builders import write_workbook
    sheets = sheets_for()
    del sheets["Thông tin"]
    path = write_workbook(tmp_path / folder / name, sheets)
    result, problems = assess_file(path)
    assert result is not None
    assert (result.unit.code, result.unit.year) == ("STC", 2020)
    assert [p.code for p in problems] == ["info-from-filename"]


def test_without_information_or_a_telling_name_it_is_an_error(tmp_path, sheets_for):
    from tests.builders import write_workbook
    sheets = sheets_for()
    del sheets["Thông tin"]
    path = write_workbook(tmp_path / "bang diem cua so.xlsx", sheets)
    result, problems = assess_file(path)
    assert result is None and [p.code for p in problems] == ["missing-sheet"]
