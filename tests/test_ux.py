"""Issue 17: every screen readable and every command consistent — help in the user's words,
commands that refuse what they would ignore, names that read right in files."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table as RichTable

from cchc_cli.cli import app
from cchc_cli.output.fitting import fitted
from cchc_cli.output.table import Column, Figure, Table, cell_text, number_format

from .conftest import SAMPLES

COMMANDS = [cmd.name or cmd.callback.__name__ for cmd in app.registered_commands]
ENGLISH_HELP = ("Usage:", "Options:", "Arguments:", "Commands:", "Show this message",
                "[required]", "[env var:", "Show completion", "Install completion")


@pytest.mark.parametrize("command", [*COMMANDS, "criteria", "criteria show", "criteria check",
                                     "criteria import", "criteria diff", "criteria list"])
def test_help_is_in_the_users_words(cli, command):
    result = cli(*command.split(), "--help", env={"CCHC_LANG": "vi"})
    assert result.exit_code == 0, result.output
    help_text = result.stdout
    assert help_text.startswith("Cách dùng: cchc ")
    assert [w for w in ENGLISH_HELP if w in help_text] == []
    assert "Hiện hướng dẫn này rồi thoát." in help_text
    usage = help_text.splitlines()[0]
    assert "{" not in usage and "[[" not in usage  # FILE, [FILE]: never {FILE} nor [[FILE]]


def test_help_in_english_keeps_clicks_words(cli):
    result = cli("score", "--help", env={"CCHC_LANG": "en"})
    assert result.stdout.startswith("Usage: cchc score [OPTIONS] FILE")
    assert "Show this message and exit." in result.stdout


@pytest.mark.parametrize("args, says", [
    (["samples/2020/STC.xlsx", "--compare", "2022", "2023", "-u", "STC"],
     "FILE và --compare không dùng cùng nhau"),
    (["--compare", "2022", "2023", "-u", "STC", "--by-office"], "--by-office chỉ dùng với FILE"),
    (["samples/2020/STC.xlsx", "--unit", "STC"], "--unit chỉ dùng với --compare"),
    (["samples/2020/STC.xlsx", "--decision", "QĐ 25"], "--decision chỉ dùng với --rank"),
    (["--rank", "samples/2023", "samples/2020/STC.xlsx"], "FILE và --rank không dùng cùng nhau"),
])
def test_report_refuses_options_it_would_ignore(cli, tmp_path, args, says):
    out = tmp_path / "bao-cao.docx"
    result = cli("report", *args, "--data", SAMPLES, "-o", out)
    assert result.exit_code == 2
    assert says in result.output
    assert not out.exists()


def test_compare_lists_each_office_once(cli):
    result = cli("compare", "2022", "2023", "--unit", "STC", "--data", SAMPLES, "--json")
    items = __import__("json").loads(result.stdout)["items"]
    for item in items:
        offices = [o.strip().casefold() for o in item["responsible"].split(";")]
        assert len(offices) == len(set(offices)), item
    # both years name Phòng Quản lý Giá và Công sản for 1.5
    one = next(i for i in items if i["codes"]["2023"] == ["1.5"])
    assert one["responsible"] == "Phòng Quản lý Giá và Công sản; Phòng Tài chính đầu tư"


def test_sheet_names_fit_31_characters_at_a_word():
    for title in ("Nhóm Sở, ban ngành tỉnh · năm 2023", "Tiêu chí bị trừ nhiều điểm hơn năm trước",
                  "Ủy ban nhân dân các huyện, thị xã, thành phố"):
        name = Table(title, [], []).sheet_name
        assert len(name) <= 31 and name.endswith("…")
        assert title.startswith(name[:-1]) and title[len(name) - 1] == " "  # cut at a space
    assert Table("x" * 40, [], []).sheet_name == "x" * 30 + "…"
    assert Table("a:b/c", [], []).sheet_name == "a b c"


def test_rank_sheets_are_named_year_and_group(cli, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "xep-hang.xlsx"
    assert cli("rank", SAMPLES / "2023", "-o", out).exit_code == 0
    assert load_workbook(out).sheetnames[0] == "2023 · Sở, ban ngành tỉnh"


def test_rank_says_how_its_mean_index_is_taken(cli):
    out = " ".join(cli("rank", SAMPLES / "2022").stdout.split())
    assert "chỉ số trung bình 81,79 % (từ chỉ số chưa làm tròn)" in out
    english = " ".join(cli("rank", SAMPLES / "2022", "--lang", "en").stdout.split())
    assert "mean index 81.79 % (of the unrounded indexes)" in english


def test_criteria_show_labels_appraised_and_survey_items(cli):
    out = cli("criteria", "show", "soc-trang-so-2021", env={"COLUMNS": "200"}).stdout
    line = next(x for x in out.splitlines() if x.lstrip().startswith("1.1.1 "))
    assert "thẩm định" in line and "tự đánh giá" not in line
    survey = next(x for x in out.splitlines() if x.lstrip().startswith("8.1.1 "))
    assert "điều tra XHH" in survey
    assert "{code}" not in out  # the column is headed "Nội dung", not a message template


# --- one number format per kind ---------------------------------------------------------------


@pytest.mark.parametrize("kind, value, vi, en", [
    ("points", "89", "89", "89"), ("points", "90.5", "90,5", "90.5"),
    ("points", "90.73", "90,73", "90.73"), ("index", "94.1", "94,10", "94.10"),
    ("points_change", "2.19", "+2,19", "+2.19"), ("points_change", "-7.95", "-7,95", "-7.95"),
    ("points_change", "0", "0", "0"), ("index_change", "10.54", "+10,54", "+10.54"),
    ("index_change", "0", "0,00", "0.00"), ("index_change", "-0.00", "0,00", "0.00"),
    ("points_change", "-0", "0", "0"),
])
def test_one_rule_per_kind_of_figure(kind, value, vi, en):
    from decimal import Decimal

    column = Column("x", kind)
    assert cell_text(Decimal(value), column, 2, "vi") == vi
    assert cell_text(Decimal(value), column, 2) == en
    assert cell_text(Figure(Decimal(value), kind), Column("x"), 2, "vi") == vi


def test_xlsx_number_formats_follow_the_same_rule():
    assert number_format("points", 2) == "General"
    assert number_format("index", 2) == "0.00"
    assert number_format("index_change", 2) == "+0.00;-0.00;0.00"
    assert number_format("points_change", 2) == "+General;-General;0"


def test_the_same_figure_prints_the_same_in_every_command(cli):
    """STC 2022's max after reduction (89) and 2023's (86,74), as score, rank, compare and
    history print them."""
    env = {"COLUMNS": "200"}
    score = cli("score", SAMPLES / "2022" / "STC.xlsx", env=env).stdout
    rank = cli("rank", SAMPLES / "2022", env=env).stdout
    compare = cli("compare", "2022", "2023", "-u", "STC", "--data", SAMPLES, env=env).stdout
    history = cli("history", "-u", "STC", "--data", SAMPLES, env=env).stdout
    assert re.search(r"Tổng điểm sau hạ chuẩn\s+89\s", score)
    assert re.search(r"Sở Tài chính\s+67,83\s+89\s+76,21", rank)
    assert re.search(r"Điểm sau hạ chuẩn\s+89\s+86,74", compare)
    assert re.search(r"2022\s+67,83\s+89\s+76,21", history)
    for out in (score, rank, compare, history):
        assert "89,00" not in out


# --- the width policy -------------------------------------------------------------------------


def _render(table: RichTable, width: int) -> list[str]:
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(fitted(table, width))
    return console.export_text().splitlines()


def _units_table() -> RichTable:
    table = RichTable("Hạng", "Mã", "Tên đơn vị", "Điểm đạt được", "Chỉ số CCHC (%)")
    table.columns[3].justify = table.columns[4].justify = "right"
    table.columns[3].no_wrap = table.columns[4].no_wrap = True
    table.add_row("10/19", "SLDTBXH", "Sở Lao động – Thương binh và Xã hội", "73,39", "77,80")
    table.add_row("1/19", "STTTT", "Sở Thông tin và Truyền thông", "90,73", "94,10")
    return table


@pytest.mark.parametrize("width", [60, 80, 120])
def test_numbers_ranks_and_codes_never_wrap_and_names_wrap_at_words(width):
    lines = _render(_units_table(), width)
    text = "\n".join(lines)
    assert all(len(line) <= width for line in lines)
    for whole in ("10/19", "SLDTBXH", "73,39", "77,80", "STTTT"):
        assert whole in text
    words = set("Sở Lao động – Thương binh và Xã hội Thông tin Truyền thông".split())
    cells = {w for line in lines for w in line.split()}
    assert not {c for c in cells if any(c != w and w.startswith(c) for w in words)
                and c not in words}  # no word cut in two


def test_below_the_minimum_a_table_is_stacked_one_block_per_row():
    lines = _render(_units_table(), 30)
    assert all(len(line) <= 30 for line in lines)
    assert lines[0].startswith("10/19  SLDTBXH  Sở Lao động")
    assert "  Điểm đạt được: 73,39" in lines and "  Chỉ số CCHC (%): 94,10" in lines
    assert not any("│" in line or "─" in line for line in lines)  # no grid at all


def test_headers_wrap_at_words_so_a_long_header_never_widens_a_column_of_numbers():
    lines = _render(_units_table(), 60)
    assert not any("Điểm đạt được" in line for line in lines)  # wrapped, at its spaces
    assert any(line.split()[-2:] == ["đạt", "CCHC"] or "đạt" in line.split() for line in lines)


def test_piped_output_has_no_trailing_spaces(cli):
    for args in (["rank", SAMPLES / "2023"], ["score", SAMPLES / "2020" / "STC.xlsx"]):
        out = cli(*args, env={"COLUMNS": "100"}).stdout
        assert [line for line in out.splitlines() if line != line.rstrip()] == []


def test_a_provisional_field_table_shows_the_pending_points(cli, sheets_for, make_workbook):
    """max − reduction − pending = after reduction reads off every row, and JSON says it."""
    import json

    path = make_workbook(sheets_for(with_survey=False))
    out = cli("score", path, env={"COLUMNS": "160"}).stdout
    assert "tạm tính: chưa có điểm điều tra XHH" in out
    header = next(i for i, line in enumerate(out.splitlines()) if "Lĩnh vực" in line)
    assert "Chờ điều tra XHH" in " ".join(out.splitlines()[header - 2:header + 1])
    data = json.loads(cli("score", path, "--json").stdout)
    for field in data["fields"]:
        assert Decimal(str(field["max"])) - Decimal(str(field["reduction"])) \
            - Decimal(str(field["pending"])) == Decimal(str(field["max_after_reduction"]))
    assert sum(Decimal(str(f["pending"])) for f in data["fields"]) == \
        Decimal(str(data["totals"]["pending"])) == 7
    rows = [line.split() for line in out.splitlines() if re.match(r"\s*\d\. ", line)]
    assert rows and all(len(row) > 8 for row in rows)


@pytest.mark.parametrize("workbook, chosen", [("2020", "soc-trang-so-2021"),
                                              ("2023", "soc-trang-so-2019")])
def test_a_wrong_criteria_set_is_one_error_not_dozens(cli, workbook, chosen):
    result = cli("score", SAMPLES / workbook / "STC.xlsx", "--criteria", chosen)
    assert result.exit_code == 1
    problems = [line for line in result.stderr.splitlines() if line.startswith(("Lỗi", "Cảnh"))]
    assert len(problems) == 1 and "[criteria-set-year]" in problems[0]


def test_a_set_of_the_right_years_but_other_codes_is_one_mismatch(cli, tmp_path):
    """A 2020 workbook judged by the 2021 set stretched to cover 2020: one error naming what
    differs, not one per criterion."""
    import shutil

    sets = tmp_path / "sets"
    sets.mkdir()
    text = (SAMPLES.parent / "criteria" / "soc-trang" / "so-2021.yaml").read_text("utf-8")
    text = re.sub(r"(?m)^id: .*$", "id: thu-2021", text)
    text = re.sub(r"(?m)^years: .*$", "years: {from: 2019}", text)
    (sets / "thu.yaml").write_text(text, encoding="utf-8")
    book = tmp_path / "STC.xlsx"
    shutil.copy(SAMPLES / "2020" / "STC.xlsx", book)
    result = cli("score", book, "--criteria", "thu-2021", env={"CCHC_CRITERIA": str(sets)})
    assert result.exit_code == 1, result.output
    problems = [line for line in result.stderr.splitlines() if line.startswith(("Lỗi", "Cảnh"))]
    assert len(problems) == 1 and "[criteria-mismatch]" in problems[0], result.stderr
    assert "1.1.4 (Thẩm định!A7), 1.2.6 (Thẩm định!A14)" in problems[0]  # where they are
    assert "1.4.4, 7.2.4, 7.3.3" in problems[0]


def test_warnings_of_one_kind_are_grouped_and_verbose_shows_them_all(cli, sheets_for,
                                                                     make_workbook):
    from cchc_cli.reading.workbook import SELF

    sheets = sheets_for()
    at = [c.key for c in SELF.columns].index("max")
    rows = [row for row in sheets[SELF.label][1:] if str(row[0]).count(".") == 2][:5]
    for row in rows:
        row[at] = row[at] + 1  # the workbook's max disagrees with the set's: a warning each
    path = make_workbook(sheets)
    grouped = cli("score", path)
    assert grouped.exit_code == 0, grouped.output
    lines = [x for x in grouped.stderr.splitlines() if "max-disagrees" in x]
    assert len(lines) == 2 and lines[1].startswith("  … và 4 cảnh báo cùng loại [max-disagrees]")
    assert all(f"{r[0]} (Tự đánh giá!" in lines[1] for r in rows[1:])  # criterion and cell
    every = cli("score", path, "--verbose")
    assert len([x for x in every.stderr.splitlines() if "[max-disagrees]" in x]) == 5
    assert every.stdout == grouped.stdout


def test_a_cross_set_comparison_says_which_items_moved_field_and_both_titles(cli):
    """2020 (2019 set) → 2022 (2021 set): the survey items left fields 1, 4, 5, 7 for field 8."""
    import json

    args = ("compare", "2020", "2022", "-u", "STC", "--data", SAMPLES)
    out = " ".join(cli(*args, env={"COLUMNS": "200"}).stdout.split())
    assert "↳ 1.8 sang lĩnh vực 8 năm 2022 (nay là 8.1.1)" in out
    assert "↳ 4.5, 4.6 sang lĩnh vực 8 năm 2022 (nay là 8.4.1, 8.4.2)" in out
    assert "↳ có 8.4.1, 8.4.2, năm 2020 là 4.5, 4.6 thuộc lĩnh vực 4" in out
    assert "↳ năm 2020: “Hiện đại hóa hành chính”" in out
    fields = {f["code"]: f for f in json.loads(cli(*args, "--json").stdout)["fields"]}
    assert fields["7"]["title_2020"] == "Hiện đại hóa hành chính"
    assert fields["6"]["title_2020"] is None and fields["6"]["moved_out"] == []
    assert {"2020": {"field": "5", "codes": ["5.6", "5.7"]},
            "2022": {"field": "8", "codes": ["8.5.1", "8.5.2"]}} in fields["5"]["moved_out"]
    assert fields["8"]["moved_in"][0]["2020"] == {"field": "1", "codes": ["1.8"]}
    same = json.loads(cli("compare", "2022", "2023", "-u", "STC", "--data", SAMPLES,
                          "--json").stdout)["fields"]
    assert all(f["moved_in"] == f["moved_out"] == [] and f["title_2022"] is None for f in same)


def test_a_few_mistyped_codes_are_told_one_by_one_with_their_cells(cli, tmp_path):
    """Typing slips (or a stray superscript digit) are not "another criteria set"."""
    import shutil

    from openpyxl import load_workbook

    book = tmp_path / "2023" / "STC.xlsx"
    book.parent.mkdir()
    shutil.copy(SAMPLES / "2023" / "STC.xlsx", book)
    wb = load_workbook(book)
    sheet = wb["Thẩm định"]
    typed = {}
    for row in sheet.iter_rows(min_row=2):
        if row[0].value in ("1.1.2", "2.1", "3.3.2"):
            typed[row[0].value] = row[0].coordinate
            row[0].value = "2.\u00b9" if row[0].value == "2.1" else \
                row[0].value.replace(".", ",", 1)
    wb.save(book)
    result = cli("validate", book)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "[criteria-mismatch]" not in result.output and "Lỗi nội bộ" not in result.output
    unknown = [x for x in result.output.splitlines() if "[unknown-criterion]" in x]
    assert len(unknown) == 3, result.output
    assert all(any(f"Thẩm định!{cell}" in x for x in unknown) for cell in typed.values())


@pytest.mark.parametrize("width", [52, 60, 78])
@pytest.mark.parametrize("command", ["compare", "history", "report", "criteria import",
                                     "criteria check"])
def test_vietnamese_help_is_worded_before_it_is_wrapped(cli, command, width):
    """Click wraps its help to its width; the longer Vietnamese words go in before that, so
    no line is longer than click's English lines at the same width."""
    env = {"COLUMNS": str(width)}
    out = cli(*command.split(), "--help", env={**env, "CCHC_LANG": "vi"}).stdout
    english = cli(*command.split(), "--help", env={**env, "CCHC_LANG": "en"}).stdout
    assert max(map(cell_len, out.splitlines())) <= max(map(cell_len, english.splitlines()))
    assert "[env var:" not in out and "[default:" not in out and "Usage:" not in out
    assert ("[biến môi trường: " in out) == ("[env var: " in english)


@pytest.mark.parametrize("styles, percent", [
    (b'<cellXfs><xf numFmtId="9"/></cellXfs>', True),
    (b'<cellXfs><xf numFmtId = \'10\'/></cellXfs>', True),
    (b'<cellXfs><xf numFmtId="+9"/></cellXfs>', True),  # int() reads it as 9
    (b'<cellXfs><xf numFmtId=" 9 "/></cellXfs>', True),
    (b'<numFmt numFmtId="164" formatCode="0.0%"/>', True),
    (b'<cellXfs><xf numFmtId="&#57;"/></cellXfs>', True),
    (b'<cellXfs><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="90"/></cellXfs>', False),
])
def test_styles_are_parsed_whenever_a_percentage_cannot_be_ruled_out(styles, percent):
    from cchc_cli.reading.xlsx import _may_have_percent

    assert _may_have_percent(styles) is percent


def test_a_zero_or_tiny_terminal_width_still_prints(cli):
    for columns in ("0", "3"):
        result = cli("rank", SAMPLES / "2023", env={"COLUMNS": columns})
        assert result.exit_code == 0, result.output
        assert "Sở Tài chính" in " ".join(result.stdout.split())
        assert max(cell_len(line) for line in result.stdout.splitlines()) <= 20
