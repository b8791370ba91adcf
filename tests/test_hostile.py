"""Trust: careless offices and hostile files. Every class of input here is built on disk (see
tests/hostile.py) and must end in the figures Excel shows, or in a catalogued problem naming
the file, sheet and cell — never a silently different figure, a crash or a lost unit."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from tests.builders import Entry

from . import hostile
from .conftest import INFO_2020, SAMPLES, set_cell
from .test_bad_input import expect

FIXTURES = Path(__file__).parent / "fixtures"

D = Decimal
MAIN = hostile.MAIN_NS
# Items of the 2019 set with max 1 and no scoring rule, in order: 19 of them lose their point.
ONES = ["1.3.2", "1.4.2", "1.6", "1.7.1", "2.2.1", "2.2.2", "2.3.1", "2.3.2", "2.3.3", "2.4.1",
        "2.4.2", "2.5.2", "3.1.1", "3.1.2", "3.1.3", "3.2.1", "3.2.2", "3.3.1", "3.3.2"]


def info(code: str) -> dict:
    return {**INFO_2020, "Mã đơn vị": code, "Tên đơn vị": f"Đơn vị {code}"}


def eighty(sheets_for, code: str = "STC") -> tuple[dict, str]:
    """A unit at exactly 80.00 %: 19 items lose 1 point, 3.4.4 loses 0.8, and 4.1.1 scores
    0.8 of 1 — the cell the tests write as a formula. Returns the sheets and that cell."""
    entries = {c: Entry(appraised=D(0)) for c in ONES}
    entries["3.4.4"] = Entry(appraised=D("0.2"))
    sheets = sheets_for(entries, info=info(code))
    cell = set_cell(sheets, "Thẩm định", "4.1.1", "Điểm thẩm định", 0.8)
    return sheets, cell


def score_json(cli, path: Path) -> dict:
    result = cli("score", path, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout, parse_float=Decimal)
    data.pop("warnings")
    return data


# --- figures as Excel shows them ------------------------------------------------------------


def assert_merged_mark_counts(cli, path, top: str, below: str) -> None:
    """A "x" merged over 1.3.2–1.3.3's "Không phát sinh" cells reduces both (1 + 0.5 points),
    with a warning naming the range."""
    result = cli("score", path, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout, parse_float=Decimal)
    assert data["totals"]["reduction"] == Decimal("1.5")  # 1.3.2 (1) and 1.3.3 (0.5)
    merged = [w for w in data["warnings"] if w["code"] == "merged-mark"]
    assert merged and merged[0]["cell"] == top and f"{top}:{below}" in merged[0]["message"]


def test_a_formulas_float_artefact_is_the_figure_excel_shows(cli, tmp_path, sheets_for):
    sheets, cell = eighty(sheets_for)
    typed = hostile_copy = tmp_path / "typed" / "STC.xlsx"
    typed.parent.mkdir()
    from tests.builders import write_workbook

    write_workbook(typed, sheets)
    hostile_copy = tmp_path / "formula" / "STC.xlsx"
    hostile_copy.parent.mkdir()
    shutil.copy(typed, hostile_copy)
    # what Excel caches for =0.7+0.1: the double nearest 0.8 from below, shown as 0.8
    hostile.set_cell(hostile_copy, "Thẩm định", cell,
                     f'<c r="{cell}"><f>0.7+0.1</f><v>0.79999999999999993</v></c>')
    a, b = score_json(cli, typed), score_json(cli, hostile_copy)
    assert a == b
    assert b["totals"]["achieved"] == 80 and b["totals"]["deducted"] == 20
    assert b["totals"]["index"] == D("80.00") and b["band"] == "Nhóm 2"
    item = next(i for i in b["items"] if i["code"] == "4.1.1")
    assert (item["final"], item["deducted"]) == (D("0.8"), D("0.2"))


def test_rank_and_gains_see_the_formula_unit_exactly_where_the_typed_one_is(cli, tmp_path,
                                                                             sheets_for):
    from tests.builders import write_workbook

    folder = tmp_path / "2020"
    folder.mkdir()
    for code in ("AAA", "BBB"):
        sheets, cell = eighty(sheets_for, code)
        write_workbook(folder / f"{code}.xlsx", sheets)
    hostile.set_cell(folder / "BBB.xlsx", "Thẩm định", cell,
                     f'<c r="{cell}"><f>0.7+0.1</f><v>0.79999999999999993</v></c>')
    ranked = cli("rank", folder, "--json")
    assert ranked.exit_code == 0, ranked.output
    units = json.loads(ranked.stdout, parse_float=Decimal)["groups"][0]["units"]
    assert [(u["code"], u["rank"], u["index"], u["band"]) for u in units] == [
        ("AAA", 1, D("80.00"), "Nhóm 2"), ("BBB", 1, D("80.00"), "Nhóm 2")]  # a true tie
    gains = cli("gains", folder, "--unit", "BBB", "--json")
    assert gains.exit_code == 0, gains.output
    points = {g["code"]: g["points"] for g in json.loads(gains.stdout, parse_float=Decimal)
              ["gains"]}
    assert points["4.1.1"] == D("0.2") and points["3.4.4"] == D("0.8")


# --- what "Không phát sinh" holds -------------------------------------------------------------


@pytest.mark.parametrize("tick", ["✓", "✔", "√", "☑", "×", "✗", "X", "Ｘ", "•", " x ", "KPS"])
def test_tick_marks_mark_an_item_as_not_arising(cli, make_workbook, sheets_for, tick):
    sheets = sheets_for({"1.3.2": Entry(self_na=True, na=True)})
    set_cell(sheets, "Thẩm định", "1.3.2", "Không phát sinh", tick)
    set_cell(sheets, "Tự đánh giá", "1.3.2", "Không phát sinh", tick)
    data = score_json(cli, make_workbook(sheets))
    assert data["totals"]["reduction"] == 1 and data["totals"]["max_after_reduction"] == 99
    assert next(i for i in data["items"] if i["code"] == "1.3.2")["applicable"] is False


@pytest.mark.parametrize("mark, shown", [("?", "?"), ("có lẽ", "có lẽ"), ("1", "1"),
                                         ("\u200b", "⟨U+200B⟩"), ("✓✗", "✓✗")])
def test_any_other_mark_is_an_error_naming_the_cell(cli, make_workbook, sheets_for, mark, shown):
    sheets = sheets_for()
    cell = set_cell(sheets, "Thẩm định", "1.3.2", "Không phát sinh", mark)
    problem = expect(cli, make_workbook(sheets), "invalid-mark", cell=cell, sheet="Thẩm định",
                     criterion="1.3.2")
    assert f"“{shown}”" in problem["message"]


@pytest.mark.parametrize("code", ["x", "X"])
def test_an_x_in_the_code_column_is_not_field_ten(cli, make_workbook, sheets_for, code):
    sheets = sheets_for()
    sheets["Thẩm định"].append([code, "dòng ghi chú", None, None, None, None, None])
    problem = expect(cli, make_workbook(sheets), "unknown-criterion", sheet="Thẩm định")
    assert problem["criterion"] == code


# --- the right sheet ------------------------------------------------------------------------------


def test_a_hidden_twin_sheet_is_named_and_the_visible_one_used(cli, tmp_path, sheets_for):
    from tests.builders import write_workbook

    sheets = sheets_for()
    twin = [list(row) for row in sheets["Thẩm định"]]
    set_cell({"Tham dinh": twin}, "Tham dinh", "2.1", "Điểm thẩm định", 0)  # the old appraisal
    path = write_workbook(tmp_path / "2020" / "STC.xlsx", {**sheets, "Tham dinh": twin})
    hostile.hide_sheet(path, "Tham dinh")
    result = cli("score", path, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout, parse_float=Decimal)
    assert data["totals"]["achieved"] == 100  # the visible sheet's full marks, not the twin's
    twin_warning = [w for w in data["warnings"] if w["code"] == "twin-sheet"]
    assert twin_warning and "“Tham dinh”" in twin_warning[0]["message"]
    assert twin_warning[0]["sheet"] == "Thẩm định"


def test_two_visible_sheets_that_fold_alike_are_an_error_naming_both(cli, tmp_path, sheets_for):
    from tests.builders import write_workbook

    sheets = sheets_for()
    path = write_workbook(tmp_path / "2020" / "STC.xlsx",
                          {**sheets, "THAM DINH": [list(r) for r in sheets["Thẩm định"]]})
    problem = expect(cli, path, "ambiguous-sheet")
    assert "“Thẩm định”" in problem["message"] and "“THAM DINH”" in problem["message"]


def test_after_an_ambiguous_sheet_no_other_sheet_is_tried(cli, tmp_path, sheets_for):
    from tests.builders import write_workbook

    sheets = sheets_for()
    path = write_workbook(tmp_path / "2020" / "STC.xlsx",
                          {**sheets, "Tham dinh": [list(r) for r in sheets["Thẩm định"]]})
    result = cli("score", path)
    assert result.exit_code == 1
    assert "[ambiguous-sheet]" in result.stderr and "[sheet-by-content]" not in result.stderr


def test_two_sheets_under_two_names_of_one_role_are_not_chosen_between(cli, tmp_path,
                                                                        sheets_for):
    from tests.builders import write_workbook

    sheets = sheets_for()
    path = write_workbook(tmp_path / "2020" / "STC.xlsx",
                          {**sheets, "Tự chấm": [list(r) for r in sheets["Tự đánh giá"]]})
    problem = expect(cli, path, "ambiguous-sheet")
    assert "“Tự đánh giá”" in problem["message"] and "“Tự chấm”" in problem["message"]


# --- display-dependent cells -------------------------------------------------------------------


def test_a_score_shown_as_a_percentage_is_an_error_naming_the_cell(cli, make_workbook,
                                                                   sheets_for):
    sheets = sheets_for()
    cell = set_cell(sheets, "Thẩm định", "1.1.4", "Điểm thẩm định", 0.5)
    path = make_workbook(sheets)
    hostile.percent_style(path, "Thẩm định", cell)
    problem = expect(cli, path, "percent-format", cell=cell, sheet="Thẩm định",
                     criterion="1.1.4")
    assert "50 %" in problem["message"] and "0,5" in problem["message"]


def test_a_merged_mark_marks_every_row_it_covers(cli, make_workbook, sheets_for):
    sheets = sheets_for({"1.3.2": Entry(na=True, self_na=True), "1.3.3": Entry(self_na=True)})
    top = set_cell(sheets, "Thẩm định", "1.3.2", "Không phát sinh", "x")
    below = set_cell(sheets, "Thẩm định", "1.3.3", "Không phát sinh", None)
    set_cell(sheets, "Thẩm định", "1.3.3", "Điểm thẩm định", None)  # covered: empty, as Excel
    assert below == f"{top[0]}{int(top[1:]) + 1}"
    path = make_workbook(sheets)
    hostile.merge(path, "Thẩm định", f"{top}:{below}")
    assert_merged_mark_counts(cli, path, top, below)


def test_a_merged_range_over_score_cells_is_an_error(cli, make_workbook, sheets_for):
    sheets = sheets_for()
    top = set_cell(sheets, "Thẩm định", "2.2.1", "Điểm thẩm định", 1)
    below = f"{top[0]}{int(top[1:]) + 1}"
    path = make_workbook(sheets)
    hostile.merge(path, "Thẩm định", f"{top}:{below}")
    problem = expect(cli, path, "merged-score-cells", cell=top, sheet="Thẩm định")
    assert f"{top}:{below}" in problem["message"]


def test_a_merged_range_spanning_the_sheet_costs_nothing(cli, tmp_path):
    path = sample(tmp_path)
    hostile.merge(path, "Thẩm định", "D18:ZZZZZZZZ99999999")  # ~5·10¹⁹ cells, if walked
    problem = expect(cli, path, "merged-score-cells", cell="D18", sheet="Thẩm định")
    assert "D18:ZZZZZZZZ99999999" in problem["message"]


# --- error and formula cells, however the XML is written ------------------------------------------

ERRORS = [
    '<x:c xmlns:x="{ns}" r="{ref}" t="e"><x:v>#DIV/0!</x:v></x:c>',
    "<c t='e' r='{ref}'><v>#DIV/0!</v></c>",
    '<c\n r="{ref}"\n t = "e"><v>#DIV/0!</v></c>',
    '<c r="{ref}" s="0" t="e"><f>1/0</f><v>#DIV/0!</v></c>',
]
FORMULAS = [
    '<c r="{ref}"><f>1/0</f></c>',
    '<c r="{ref}"><f>0.9+0.05</f><v> </v></c>',  # a blank cached value is no value
    '<c r="{ref}"><f>0.9+0.05</f><v>\n</v></c>',
    '<c r="{ref}"><f\n>A1*2</f><v></v></c>',
    '<x:c xmlns:x="{ns}" r="{ref}"><x:f>A1</x:f></x:c>',
    "<c r='{ref}'><f t='shared' si='0'/></c>",
]


@pytest.mark.parametrize("xml", ERRORS)
def test_an_error_in_round_two_is_found_whatever_the_xml(cli, make_workbook, sheets_for, xml):
    sheets = sheets_for()
    ref = set_cell(sheets, "Thẩm định", "2.1", "Điểm thẩm định lần 2", None)
    path = make_workbook(sheets)
    hostile.set_cell(path, "Thẩm định", ref, xml.format(ns=MAIN, ref=ref))
    expect(cli, path, "error-cell", cell=ref, sheet="Thẩm định", criterion="2.1")


@pytest.mark.parametrize("xml", FORMULAS)
def test_a_formula_without_a_value_is_found_whatever_the_xml(cli, make_workbook, sheets_for,
                                                             xml):
    sheets = sheets_for()
    ref = set_cell(sheets, "Thẩm định", "2.1", "Điểm thẩm định lần 2", None)
    path = make_workbook(sheets)
    hostile.set_cell(path, "Thẩm định", ref, xml.format(ns=MAIN, ref=ref))
    expect(cli, path, "formula-without-value", cell=ref, sheet="Thẩm định", criterion="2.1")


def test_a_formula_without_value_is_found_when_another_cell_balances_the_count(
        cli, make_workbook, sheets_for):
    sheets = sheets_for()
    ref = set_cell(sheets, "Thẩm định", "2.1", "Điểm thẩm định lần 2", None)
    path = make_workbook(sheets)
    hostile.set_cell(path, "Thẩm định", ref, f'<c r="{ref}"><f>0.9+0.05</f></c>')
    hostile.set_cell(path, "Thẩm định", "H7", '<c r="H7"><is/><v>1</v></c>')
    expect(cli, path, "formula-without-value", cell=ref, sheet="Thẩm định", criterion="2.1")


def test_a_sheet_linked_in_another_case_is_still_looked_at(cli, make_workbook, sheets_for):
    sheets = sheets_for()
    ref = set_cell(sheets, "Thẩm định", "2.1", "Điểm thẩm định lần 2", None)
    path = make_workbook(sheets)
    part = hostile.sheet_part(path, "Thẩm định")
    hostile.set_cell(path, "Thẩm định", ref, f'<c r="{ref}" t="e"><v>#DIV/0!</v></c>')
    target = part.removeprefix("xl/")
    hostile.rewrite(path, "xl/_rels/workbook.xml.rels", lambda d: d.replace(
        f'Target="/{part}"'.encode(), f'Target="/{part.replace("worksheets", "Worksheets")}"'
        .encode()).replace(f'Target="{target}"'.encode(),
                           f'Target="{target.replace("worksheets", "Worksheets")}"'.encode()))
    assert b"Worksheets" in __import__("zipfile").ZipFile(path).read("xl/_rels/workbook.xml.rels")
    expect(cli, path, "error-cell", cell=ref, sheet="Thẩm định", criterion="2.1")


@pytest.mark.parametrize("spelling", ['s="0{n}"', 's = "{n}"', "s='{n}'"])
def test_a_percent_style_is_found_however_its_index_is_written(cli, make_workbook, sheets_for,
                                                                spelling):
    sheets = sheets_for()
    cell = set_cell(sheets, "Thẩm định", "1.1.4", "Điểm thẩm định", 0.5)
    path = make_workbook(sheets)
    hostile.percent_style(path, "Thẩm định", cell)
    part = hostile.sheet_part(path, "Thẩm định")

    def respell(data: bytes) -> bytes:
        import re as regex

        tag = regex.search(rf'<c r="{cell}"[^>]*>'.encode(), data).group(0)  # type: ignore[union-attr]
        n = regex.search(rb's="(\d+)"', tag).group(1).decode()  # type: ignore[union-attr]
        return data.replace(tag, tag.replace(f's="{n}"'.encode(),
                                             spelling.format(n=n).encode()), 1)

    hostile.rewrite(path, part, respell)
    expect(cli, path, "percent-format", cell=cell, sheet="Thẩm định")


def test_a_serial_number_column_beside_the_code_column_is_not_the_code(cli, make_workbook,
                                                                       sheets_for):
    sheets = sheets_for()
    reference = score_json(cli, make_workbook(sheets, "REF.xlsx"))
    for sheet in ("Tự đánh giá", "Thẩm định"):
        for n, row in enumerate(sheets[sheet]):
            row.insert(0, "STT" if n == 0 else n)  # 1, 2, 3 … in front of "Mã"
    assert score_json(cli, make_workbook(sheets)) == reference


def test_a_score_column_twice_is_an_error_naming_both(cli, make_workbook, sheets_for):
    sheets = sheets_for()
    for row in sheets["Thẩm định"]:
        row.append(row[2] if row and row[0] != "Mã" else "Điểm thẩm định")
    problem = expect(cli, make_workbook(sheets), "duplicate-column", sheet="Thẩm định")
    assert "C1, H1" in problem["message"]


# --- hostile files: each one workbook's problem, in bounded memory ------------------------------


def sample(tmp_path: Path, year: str = "2020", code: str = "STC") -> Path:
    folder = tmp_path / year
    folder.mkdir(exist_ok=True)
    return Path(shutil.copy(SAMPLES / year / f"{code}.xlsx", folder / f"{code}.xlsx"))


def test_a_far_cell_is_a_warning_and_changes_nothing(cli, tmp_path):
    path = sample(tmp_path)
    before = score_json(cli, path)
    hostile.add_far_cell(path, "Thẩm định", "XFD1048576", "7")
    result = cli("score", path, "--json")
    assert result.exit_code == 0, result.output
    after = json.loads(result.stdout, parse_float=Decimal)
    far = [w for w in after.pop("warnings") if w["code"] == "far-cell"]
    assert after == before
    assert far and far[0]["cell"] == "XFD1048576" and far[0]["sheet"] == "Thẩm định"


@pytest.mark.parametrize("ref, code", [("AAAA1", "far-cell"), ("A99999999999", "far-cell"),
                                       ("ZZZZZZZZZZZZZZ1", "odd-cell-reference"),
                                       ("1A", "odd-cell-reference")])
def test_references_calamine_would_place_far_away_never_reach_it(cli, tmp_path, ref, code):
    path = sample(tmp_path)
    before = score_json(cli, path)
    hostile.set_cell(path, "Thẩm định", "H5", f'<c r="{ref}"><v>1</v></c>')
    result = cli("score", path, "--json")
    assert result.exit_code == 0, result.output  # calamine alone aborts the process on these
    after = json.loads(result.stdout, parse_float=Decimal)
    assert code in [w["code"] for w in after.pop("warnings")]
    assert after == before


def test_a_row_number_past_the_grid_without_cell_references_is_a_far_cell(cli, tmp_path):
    path = sample(tmp_path)
    before = score_json(cli, path)
    part = hostile.sheet_part(path, "Thẩm định")
    hostile.rewrite(path, part, lambda d: d.replace(
        b"</sheetData>", b'<row r="3000000000"><c><v>1</v></c></row></sheetData>'))
    result = cli("score", path, "--json")
    assert result.exit_code == 0, result.output  # calamine alone asks for 672 GB and aborts
    after = json.loads(result.stdout, parse_float=Decimal)
    assert "far-cell" in [w["code"] for w in after.pop("warnings")]
    assert after == before


def test_too_many_sheets_are_refused(cli, tmp_path):
    path = sample(tmp_path)
    part = hostile.sheet_part(path, "Thông tin")
    rid = __import__("re").search(
        rb'Id="(rId\d+)"[^>]*Target="[^"]*' + part.rsplit("/", 1)[1].encode() + rb'"',
        __import__("zipfile").ZipFile(path).read("xl/_rels/workbook.xml.rels"))
    rid = rid.group(1).decode() if rid else "rId1"
    many = "".join(f'<sheet name="S{i}" sheetId="{i + 100}" r:id="{rid}"/>' for i in range(1001))
    hostile.rewrite(path, "xl/workbook.xml", lambda d: d.replace(b"</sheets>",
                                                                many.encode() + b"</sheets>"))
    expect(cli, path, "workbook-too-many-sheets")


def test_large_shared_strings_are_not_copied_into_every_cell(tmp_path):
    path = sample(tmp_path)
    big = "x" * (2 << 20)  # one 2 MiB string, used by 300 cells: 600 MB if copied per cell
    hostile.rewrite(path, "[Content_Types].xml", lambda d: d.replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                     b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                     b"</Types>"))
    hostile.rewrite(path, "xl/_rels/workbook.xml.rels", lambda d: d.replace(
        b"</Relationships>", b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/'
                             b'officeDocument/2006/relationships/sharedStrings" '
                             b'Target="sharedStrings.xml"/></Relationships>'))
    with __import__("zipfile").ZipFile(path, "a") as archive:
        archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN}" count="1" uniqueCount="1">'
                                                 f"<si><t>{big}</t></si></sst>")
    baseline = peak_rss_mib("validate", str(path))
    cells = "".join(f'<c r="J{r}" t="s"><v>0</v></c>' for r in range(2, 302))
    part = hostile.sheet_part(path, "Thẩm định")
    hostile.rewrite(path, part, lambda d: d.replace(
        b"</sheetData>", f'<row r="500">{cells}</row></sheetData>'.encode()))
    assert peak_rss_mib("validate", str(path)) < baseline + 64


@pytest.mark.parametrize("build, code", [
    (lambda p: hostile.inflating_part(p, "Thẩm định", 40), "part-too-large"),
    (lambda p: hostile.corrupt_stream(p, "Thẩm định"), "corrupt-part"),
    (lambda p: hostile.entity_bomb(p, "Thẩm định"), "unsafe-xml"),
], ids=["bomb", "corrupt-deflate", "entity-bomb"])
def test_a_hostile_workbook_is_one_catalogued_problem(cli, tmp_path, build, code):
    path = sample(tmp_path)
    build(path)
    problem = expect(cli, path, code)
    assert "xl/worksheets/" in problem["message"]  # the part is named


@pytest.mark.parametrize("extra", ["", "<c r='B1' t='e'><v>#N/A</v></c>"],
                         ids=["plain", "careful"])
def test_unclosed_tags_are_refused_in_linear_time(cli, tmp_path, extra):
    # 3,000 unclosed cells: a regular expression such as <c …>.*?</c> took minutes on 27 KB
    path = sample(tmp_path)
    hostile.unclosed_cells(path, "Thẩm định", 30_000)
    if extra:  # an error cell sends the sheet to the careful parse (expat)
        hostile.set_cell(path, "Thẩm định", "B1", extra)
    scored = cli("score", path)
    assert scored.exit_code == 1 and "Traceback" not in scored.output
    assert "Thẩm định" in scored.stderr
    assert "[malformed-xml]" in scored.stderr or "[unreadable-workbook]" in scored.stderr


def test_a_part_that_lies_about_its_size_is_refused(cli, tmp_path):
    path = sample(tmp_path)
    part = hostile.sheet_part(path, "Thẩm định")
    hostile.replace_stream(path, part, lambda data: __import__("zlib").compress(
        data + b" " * 1_000_000, 6)[2:-4], declared_size=1000)
    expect(cli, path, "corrupt-part")


def _moved(path: Path) -> None:
    """The central directory places the archive a megabyte after the file's end."""
    import struct

    data = bytearray(path.read_bytes())
    end = data.rindex(b"PK\x05\x06")
    struct.pack_into("<I", data, end + 16, struct.unpack_from("<I", data, end + 16)[0] + 10**6)
    path.write_bytes(bytes(data))


def _new_zip_version(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[data.index(b"PK\x01\x02") + 6] = 70  # "version needed": 7.0, which zipfile refuses
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage, code", [
    (_moved, "corrupt-part"),
    (_new_zip_version, "unreadable-workbook"),
    (lambda p: hostile.rewrite(p, "xl/styles.xml", lambda d: b'<?xml version="1.0" '
                               b'encoding="UTw-8"?>' + d.split(b"?>", 1)[-1]), "malformed-xml"),
], ids=["offsets-off-the-file", "zip-version-7", "unknown-encoding"])
def test_damage_below_the_xml_is_a_catalogued_problem(cli, tmp_path, damage, code):
    path = sample(tmp_path)
    damage(path)
    expect(cli, path, code)


def test_one_hostile_workbook_never_takes_the_year_down(cli, tmp_path):
    folder = tmp_path / "2020"
    shutil.copytree(SAMPLES / "2020", folder)
    hostile.corrupt_stream(folder / "SYT.xlsx", "Thẩm định")
    hostile.add_far_cell(folder / "SNV.xlsx", "Tự đánh giá")
    hostile.entity_bomb(folder / "STP.xlsx", "Thẩm định")
    result = cli("rank", folder, "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    ranked = [u["code"] for g in data["groups"] for u in g["units"]]
    assert len(ranked) == 17 and "SNV" in ranked and "STC" in ranked
    assert {Path(n["file"]).name: n["problems"][0]["code"] for n in data["not_ranked"]} == {
        "SYT.xlsx": "corrupt-part", "STP.xlsx": "unsafe-xml"}
    stc = next(u for g in data["groups"] for u in g["units"] if u["code"] == "STC")
    assert stc["index"] == 78.81


def peak_rss_mib(*args: str) -> float:
    """Peak memory of a `cchc` run, measured by a fresh Python around it (its children only)."""
    probe = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], "
             "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    cchc = str(Path(sys.executable).with_name("cchc"))
    out = subprocess.run([sys.executable, "-c", probe, cchc, *args], capture_output=True,
                         text=True, timeout=120, check=True)
    return int(out.stdout) / 1024


@pytest.mark.parametrize("build", [
    lambda p: hostile.add_far_cell(p, "Thẩm định"),
    lambda p: hostile.inflating_part(p, "Thẩm định", 200),
], ids=["far-cell", "bomb-200MiB"])
def test_hostile_files_are_read_in_bounded_memory(tmp_path, build):
    path = sample(tmp_path)
    baseline = peak_rss_mib("validate", str(path))
    build(path)
    assert peak_rss_mib("validate", str(path)) < baseline + 64


# --- every entry of a year accounted for -------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs and links are POSIX")
def test_links_fifos_and_strays_are_listed_not_lost(cli, tmp_path):
    folder = tmp_path / "2023"
    shutil.copytree(SAMPLES / "2023", folder)
    os.mkfifo(folder / "FIFO.xlsx")
    (folder / "GONE.xlsx").symlink_to("nowhere.xlsx")
    (folder / "LOOP.xlsx").symlink_to("LOOP.xlsx")
    (folder / "STC-link.xlsx").symlink_to(folder / "STC.xlsx")  # a second STC: both named
    (folder / "~$STC.xlsx").write_bytes(b"lock")
    (folder / ".cchc-tmp-xep-hang-1234.xlsx").write_bytes(b"")
    (folder / "minh-chung.pdf").write_bytes(b"%PDF")
    (folder / "old").mkdir()
    result = cli("rank", folder, "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    not_ranked = {Path(n["file"]).name: n["problems"][0]["code"] for n in data["not_ranked"]}
    assert not_ranked == {"FIFO.xlsx": "not-a-regular-file", "GONE.xlsx": "broken-link",
                          "LOOP.xlsx": "link-loop", "STC.xlsx": "duplicate-unit",
                          "STC-link.xlsx": "duplicate-unit"}
    assert {Path(s["file"]).name: s["rule"] for s in data["skipped"]} == {
        "~$STC.xlsx": "lock-file", ".cchc-tmp-xep-hang-1234.xlsx": "cchc-temp",
        "minh-chung.pdf": "not-a-workbook", "old": "folder"}
    ranked = sum(len(g["units"]) for g in data["groups"])
    assert ranked + len(not_ranked) == 19 + 4  # the 19 samples and the 4 odd entries, once each


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_validate_and_score_never_open_a_fifo(cli, tmp_path):
    fifo = tmp_path / "STC.xlsx"
    os.mkfifo(fifo)
    expect(cli, fifo, "not-a-regular-file")  # would hang if it were opened


def test_rank_writes_into_the_year_folder_and_ranks_it_again(cli, tmp_path):
    folder = tmp_path / "2023"
    shutil.copytree(SAMPLES / "2023", folder)
    first = cli("rank", folder, "-o", folder / "xep-hang-2023.xlsx")
    assert first.exit_code == 0, first.output
    again = cli("rank", folder, "--json")
    assert again.exit_code == 0, again.output
    data = json.loads(again.stdout)
    assert sum(len(g["units"]) for g in data["groups"]) == 19
    assert data["skipped"] == [{"file": str(folder / "xep-hang-2023.xlsx"),
                                "rule": "cchc-output"}]
    assert cli("rank", folder, "-o", folder / "xep-hang-2023.xlsx").exit_code == 0


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file names are bytes")
def test_a_file_name_in_another_encoding_is_ranked(cli, tmp_path):
    folder = tmp_path / "2020"
    shutil.copytree(SAMPLES / "2020", folder)
    odd = os.fsdecode(b"S\xe0i-Gon.xlsx")  # Latin-1 bytes: not UTF-8
    (folder / "STC.xlsx").rename(folder / odd)
    result = cli("rank", folder, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert sum(len(g["units"]) for g in data["groups"]) == 19


def test_a_zip_directory_that_lies_about_its_count_is_refused(cli, tmp_path):
    import struct
    import zipfile

    path = sample(tmp_path)
    with zipfile.ZipFile(path, "a") as archive:
        for n in range(12_000):
            archive.writestr(f"x/{n}", b"")
    data = bytearray(path.read_bytes())
    end = data.rindex(b"PK\x05\x06")
    struct.pack_into("<HH", data, end + 8, 13, 13)  # "13 members"
    path.write_bytes(bytes(data))
    expect(cli, path, "zip-too-many-parts")


def test_an_xlsb_workbook_is_ranked_not_dropped(cli, tmp_path):
    folder = tmp_path / "2020"
    shutil.copytree(SAMPLES / "2020", folder)
    (folder / "STC.xlsx").unlink()
    shutil.copy(FIXTURES / "formats" / "STC.xlsb", folder / "STC.xlsb")
    (folder / "SYT.xlsb").write_bytes(b"PK\x03\x04 not really a workbook")
    result = cli("rank", folder, "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    stc = next(u for g in data["groups"] for u in g["units"] if u["code"] == "STC")
    assert (stc["rank"], stc["of"], stc["index"]) == (13, 19, 78.81)
    assert Path(stc["file"]).name == "STC.xlsb"
    assert [Path(n["file"]).name for n in data["not_ranked"]] == ["SYT.xlsb"]  # named, not lost


def test_text_that_starts_with_an_equals_sign_is_written_as_text(cli, tmp_path, sheets_for):
    from openpyxl import load_workbook

    from tests.builders import write_workbook

    sheets = sheets_for({"2.1": Entry(appraised=D("0.5"), reason="placeholder")})
    ref = set_cell(sheets, "Thẩm định", "2.1", "Lý do trừ điểm", "placeholder")
    path = write_workbook(tmp_path / "2020" / "STC.xlsx", sheets)
    hostile.set_cell(path, "Thẩm định", ref, f'<c r="{ref}" t="inlineStr"><is><t>'
                     '=HYPERLINK("http://x")</t></is></c>')  # text, as a unit typed it
    out = tmp_path / "phu-luc.xlsx"
    assert cli("report", path, "-o", out).exit_code == 0
    values = [c for row in load_workbook(out).active.iter_rows() for c in row
              if isinstance(c.value, str) and c.value.startswith("=HYPERLINK")]
    assert values and all(c.data_type == "s" for c in values)


# --- one failure never stops the others --------------------------------------------------------


def test_a_bug_on_one_workbook_is_that_units_problem(cli, tmp_path, monkeypatch):
    from cchc_cli import folders

    real = folders.assess_file

    def flaky(path, *args, **kwargs):
        if Path(path).name == "SYT.xlsx":
            raise ZeroDivisionError("a bug")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(folders, "assess_file", flaky)
    folder = tmp_path / "2020"
    shutil.copytree(SAMPLES / "2020", folder)
    result = cli("rank", folder, "--json")
    assert result.exit_code == 3  # cchc failed, said so, and still ranked the others
    data = json.loads(result.stdout)
    assert sum(len(g["units"]) for g in data["groups"]) == 18
    assert data["not_ranked"][0]["problems"][0]["code"] == "internal-error"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="worker processes are forked")
def test_a_worker_that_dies_loses_only_its_own_workbook(tmp_path, monkeypatch, registry):
    import signal

    from cchc_cli import folders

    real = folders.assess_file

    def deadly(path, *args, **kwargs):
        if Path(path).name == "SYT.xlsx":
            os.kill(os.getpid(), signal.SIGKILL)  # as the kernel ends a reader out of memory
        return real(path, *args, **kwargs)

    monkeypatch.setattr(folders, "assess_file", deadly)
    monkeypatch.setattr(folders, "PARALLEL_FROM", 2)
    folder = tmp_path / "2020"
    shutil.copytree(SAMPLES / "2020", folder)
    ranked = folders.rank_folder(folder, registry, jobs=2)
    assert sum(len(g.units) for g in ranked.groups) == 18
    assert [(Path(n.file).name, n.problems[0].code) for n in ranked.not_ranked] == [
        ("SYT.xlsx", "reader-died")]
    stc = ranked.find("STC")
    assert stc is not None and stc.result.index == D("78.81")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX signals")
def test_sigterm_stops_the_workers_and_exits_143(tmp_path):
    import signal
    import time

    folder = tmp_path / "2023"
    folder.mkdir()
    for n in range(400):  # hard links: a large year in no time
        os.link(SAMPLES / "2023" / "STC.xlsx", folder / f"U{n:03}.xlsx")
    cchc = str(Path(sys.executable).with_name("cchc"))
    proc = subprocess.Popen([cchc, "rank", str(folder), "-o", str(tmp_path / "x.xlsx")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**os.environ, "CCHC_JOBS": "2"})
    children: list[str] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(children) < 2:  # wait for the pool's workers
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split() \
            if Path(f"/proc/{proc.pid}/task/{proc.pid}/children").exists() else []
        time.sleep(0.01)
    assert len(children) >= 2, "the pool never started"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 143, err
    assert "SIGTERM" in err.decode() and "Exception ignored" not in err.decode()
    time.sleep(0.2)
    assert not [c for c in children if Path(f"/proc/{c}").exists()
                and "zombie" not in Path(f"/proc/{c}/status").read_text()]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2023"]  # no x.xlsx, no temp file


def test_a_file_past_the_size_budget_is_refused_before_it_is_read(cli, tmp_path):
    path = tmp_path / "2020" / "STC.xlsx"
    path.parent.mkdir()
    with path.open("wb") as handle:  # sparse: 65 MiB on paper, nothing on disk
        handle.truncate(65 * 1024 * 1024)
    problem = expect(cli, path, "workbook-too-large")
    assert "65 MiB" in problem["message"] and "64 MiB" in problem["message"]


def test_text_longer_than_excel_allows_is_an_error_naming_the_cell(cli, make_workbook,
                                                                   sheets_for):
    sheets = sheets_for({"2.1": Entry(appraised=D("0.5"), reason="x")})
    cell = set_cell(sheets, "Thẩm định", "2.1", "Lý do trừ điểm", "x")
    path = make_workbook(sheets)  # openpyxl would cut the text at Excel's limit: write it raw
    hostile.set_cell(path, "Thẩm định", cell,
                     f'<c r="{cell}" t="inlineStr"><is><t>{"lý do " * 6000}</t></is></c>')
    problem = expect(cli, path, "text-too-long", cell=cell, sheet="Thẩm định", criterion="2.1")
    assert "35.999" in problem["message"] and "32.767" in problem["message"]


def test_a_lone_hidden_sheet_is_used_with_a_warning(cli, tmp_path, sheets_for):
    from tests.builders import write_workbook

    path = write_workbook(tmp_path / "2020" / "STC.xlsx", sheets_for())
    hostile.hide_sheet(path, "Thẩm định")
    result = cli("score", path, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["status"] == "appraised"  # the hidden appraisal counts, and is named
    assert [(w["code"], w["sheet"]) for w in data["warnings"]] == [("hidden-sheet", "Thẩm định")]


def test_an_applicable_item_without_a_self_score_is_a_warning(cli, make_workbook, sheets_for):
    sheets = sheets_for()
    set_cell(sheets, "Tự đánh giá", "2.1", "Điểm tự đánh giá", None)
    result = cli("score", make_workbook(sheets), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [w["code"] for w in data["warnings"]] == ["self-score-missing"]
    assert data["self_assessed"] is None and data["totals"]["achieved"] == 100
