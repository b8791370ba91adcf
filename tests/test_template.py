"""`cchc template`: the workbook handed out to units, and the round trip back through scoring."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from .conftest import SAMPLES


@pytest.fixture
def blank(cli, tmp_path):
    path = tmp_path / "2020" / "STC.xlsx"
    path.parent.mkdir()
    result = cli("template", "--criteria", "soc-trang-so-2019", "--unit", "stc", "--year",
                 "2020", "--name", "Sở Tài chính", "-o", path)
    assert result.exit_code == 0, result.output
    assert "Đã ghi" in result.stderr
    return path


def rows_by_code(ws):
    return {row[0].value: row for row in ws.iter_rows(min_row=2) if row[0].value}


def validation_of(ws, cell):
    return [dv for dv in ws.data_validations.dataValidation if cell.coordinate in dv.sqref]


def test_template_layout(blank, cs2019):
    book = load_workbook(blank)
    assert book.sheetnames == ["Thông tin", "Tự đánh giá", "Số liệu"]
    info = {r[0].value: r[1].value for r in book["Thông tin"].iter_rows()}
    assert (info["Mã đơn vị"], info["Năm"], info["Bộ tiêu chí"]) == (
        "STC", 2020, "soc-trang-so-2019")
    ws = book["Tự đánh giá"]
    assert [c.value for c in ws[1]][:4] == ["Mã", "Nội dung", "Điểm tối đa", "Điểm tự đánh giá"]
    assert ws.freeze_panes == "A2" and ws.protection.sheet
    rows = rows_by_code(ws)
    assert set(cs2019.leaves) <= set(rows)
    code = rows["7.1.10"][0]  # text, so Excel cannot turn 1.10 into 1.1
    assert code.data_type == "s" and code.number_format == "@"
    score = rows["1.1.4"][3]
    assert score.protection.locked is False and rows["1.1.4"][1].protection.locked
    (dv,) = validation_of(ws, score)
    assert (dv.type, dv.formula1, dv.formula2) == ("decimal", "0", "2")
    reducible, fixed = rows["6.3"][4], rows["1.1.4"][4]
    assert [d.formula1 for d in validation_of(ws, reducible)] == ['"x"']
    assert validation_of(ws, fixed) == [] and fixed.protection.locked
    parent = rows["1.1"]
    assert parent[0].font.bold and str(parent[3].value).startswith("=SUM(D")
    assert rows["1.8"][3].protection.locked  # survey item: not the unit's to score


def test_template_lists_the_figures_each_rule_needs(blank, cs2019):
    ws = load_workbook(blank)["Số liệu"]
    assert [c.value for c in ws[1]] == ["Mã", "Ký hiệu", "Diễn giải", "Số liệu đơn vị kê khai",
                                        "Số liệu thẩm định"]
    listed = [(r[0].value, r[1].value, r[2].value) for r in ws.iter_rows(min_row=2)]
    expected = [(leaf.code, name, label) for leaf in cs2019.leaves.values() if leaf.rule
                for name, label in leaf.figures]
    assert listed == expected and ("7.1.5", "md3", "Số TTHC cung cấp trực tuyến mức độ 3") \
        in listed
    row = next(ws.iter_rows(min_row=2, max_row=2))
    assert row[3].protection.locked is False  # the unit's figure: to fill
    assert row[4].protection.locked  # the council's: not in the unit's template
    assert row[0].number_format == "@" and ws.protection.sheet


def test_a_blank_template_asks_for_every_score(cli, blank):
    result = cli("validate", blank, "--json")
    problems = json.loads(result.stdout)
    missing = {p["criterion"] for p in problems if p["code"] == "score-missing"}
    assert len(missing) == 87 and result.exit_code == 1  # 94 items, 7 by survey
    assert not [p for p in problems if p["code"] in ("formula-without-value", "error-cell")]


def test_a_filled_template_scores_what_was_written(cli, blank, cs2019):
    book = load_workbook(blank)
    ws = book["Tự đánh giá"]
    expected_achieved, expected_reduction = Decimal(0), Decimal(0)
    for code, row in rows_by_code(ws).items():
        leaf = cs2019.leaves.get(code)
        if leaf is None or leaf.scoring == "survey":
            continue
        if code in ("6.3", "4.3"):
            row[4].value = "x"
            expected_reduction += leaf.max
            continue
        value = leaf.max - Decimal("0.25") if code in ("1.1.4", "7.2.1") else leaf.max
        row[3].value = value
        expected_achieved += value
    book.save(blank)
    result = cli("score", blank, "--json")
    assert result.exit_code == 0, result.output
    totals = json.loads(result.stdout, parse_float=Decimal)["totals"]
    assert totals["achieved"] == expected_achieved == Decimal("88.5")  # 100 - 7 - 4 - 0.5
    assert totals["reduction"] == expected_reduction == 4
    assert totals["pending"] == 7  # the survey comes later
    assert json.loads(result.stdout)["status"] == "provisional"


def self_assessed_only(tmp_path):
    """Sở Tài chính's 2023 workbook as the unit sends it: before the council's appraisal."""
    book = load_workbook(SAMPLES / "2023" / "STC.xlsx")
    for name in ("Thẩm định", "Điều tra XHH"):
        del book[name]
    path = tmp_path / "STC-tu-danh-gia.xlsx"
    book.save(path)
    return path


def test_appraisal_template_prefilled_with_the_units_scores(cli, tmp_path):
    source = self_assessed_only(tmp_path)
    out = tmp_path / "STC-tham-dinh.xlsx"
    result = cli("template", "--appraisal", source, "-o", out)
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    assert book.sheetnames == ["Thông tin", "Tự đánh giá", "Thẩm định", "Điều tra XHH",
                               "Số liệu"]
    figures = {(r[0].value, r[1].value): (r[3].value, r[4].value)
               for r in book["Số liệu"].iter_rows(min_row=2)}
    assert figures[("7.2.3", "truc_tuyen")] == (200, None)  # the unit's figure, kept
    review = rows_by_code(book["Thẩm định"])
    assert review["7.2.3"][2].value == 2  # the unit claimed 2: the council edits it
    assert review["6.3"][3].value == "x"
    for row in book["Điều tra XHH"].iter_rows(min_row=2):
        row[2].value = 1 if str(row[0].value).startswith("8.") else None
    book.save(out)
    scored = json.loads(cli("score", out, "--json").stdout, parse_float=Decimal)
    original = json.loads(cli("score", SAMPLES / "2023" / "STC.xlsx", "--json").stdout,
                          parse_float=Decimal)
    assert scored["status"] == "appraised"
    own = original["self_assessed"]
    assert scored["totals"]["achieved"] == own["achieved"] + Decimal("4.61")  # survey full
    assert scored["totals"]["reduction"] == own["reduction"]


def test_template_never_writes_over_its_input(cli, tmp_path):
    source = self_assessed_only(tmp_path)
    before = source.read_bytes()
    result = cli("template", "--appraisal", source, "-o", source)
    assert result.exit_code == 1 and "[output-is-input]" in result.stderr
    assert source.read_bytes() == before


def test_template_needs_unit_and_year(cli, tmp_path):
    assert cli("template", "-o", tmp_path / "x.xlsx").exit_code == 2


def test_criteria_show(cli):
    result = cli("criteria", "show", "soc-trang-so-2021")
    assert result.exit_code == 0
    line = next(x for x in result.stdout.splitlines() if x.startswith(" 7.3.3"))
    assert "0,34" in line and "được" in line
    data = json.loads(cli("criteria", "show", "soc-trang-so-2021", "--json").stdout)
    assert data["id"] == "soc-trang-so-2021" and data["years"] == {"from": 2021, "to": None}


def test_criteria_show_states_each_rule_in_one_line(cli):
    result = cli("criteria", "show", "soc-trang-so-2019", env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "↳ quy tắc chấm: hoan_thanh/nhiem_vu ≥ 80 % → tỷ lệ × 1; dưới: 0" in result.stdout
    assert "↳ quy tắc chấm: 0,5 − 0,25 × tre_han" in result.stdout
    english = cli("criteria", "show", "soc-trang-so-2019", "--lang", "en",
                  env={"COLUMNS": "200"})
    assert "↳ scoring rule: co_tin_bai: yes → 2, no → 0" in english.stdout


def test_the_councils_scores_are_never_replaced(cli, tmp_path):
    """A workbook that already holds the appraisal: refused, not overwritten silently."""
    out = tmp_path / "x.xlsx"
    result = cli("template", "--appraisal", SAMPLES / "2023" / "STC.xlsx", "-o", out)
    assert result.exit_code == 1 and "[template-has-appraisal]" in result.stderr
    assert not out.exists()


def test_every_validation_stops_a_wrong_entry(cli, tmp_path):
    """Data validations with showErrorMessage off let Excel and LibreOffice accept anything:
    every one the template writes stops a wrong entry with a message in Vietnamese."""
    import zipfile

    out = tmp_path / "mau.xlsx"
    assert cli("template", "--criteria", "soc-trang-so-2021", "--unit", "STC", "--year",
               "2024", "-o", out).exit_code == 0
    import html
    import re

    with zipfile.ZipFile(out) as book:
        xml = html.unescape("".join(book.read(n).decode("utf-8") for n in book.namelist()
                                    if n.startswith("xl/worksheets/sheet")))

    validations = re.findall(r"<dataValidation [^>]*>", xml)
    assert len(validations) >= 3
    for tag in validations:
        assert 'showErrorMessage="1"' in tag and 'errorTitle="' in tag and 'error="' in tag
    assert 'error="Điểm là một số từ 0 đến 0,5."' in xml  # the decimal comma
