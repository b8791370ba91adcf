"""What the terminal prints is what the cell holds: no markup or emoji codes read from inputs,
values quoted short with invisible characters spelled out, and a hint that fits the problem."""

from __future__ import annotations

import json
import os

import pytest

from cchc_cli.model.problems import CATALOG, Hint, Kind, Problem, Severity
from cchc_cli.model.text import shown, visible, writable
from cchc_cli.reading.criteria_file import check_criteria_text
from tests.builders import Entry, unit_sheets, write_workbook

from .conftest import SAMPLES, D, set_cell
from .test_criteria import MINIMAL

# everything rich would read as markup or an emoji code; $…$ would be mathtext in a chart
MARKUP = "[xem phụ lục 2] [link=http://x]y[/link] [/] [bold]đậm :warning:"
NAME = "Sở [xem phụ lục 2] [/] :warning:"  # short enough for a table title on one line
ITEM = "Con [bold]một[/] :smile:"
SET_TITLE = "Bộ [link=http://x]thử[/link] [/]"


def _set_text() -> str:
    text = (MINIMAL.replace("title: Test", f'title: "{SET_TITLE}"')
            .replace("title: Con một", f'title: "{ITEM}"')
            .replace("years: {from: 2021}", "years: {from: 2019}"))
    assert text != MINIMAL
    return text


@pytest.fixture
def hostile(tmp_path):
    """A criteria set and two years of two units whose texts are all markup; returns
    (data root, env for the CLI)."""
    sets = tmp_path / "sets"
    sets.mkdir()
    (sets / "test.yaml").write_text(_set_text(), encoding="utf-8")
    cs, problems = check_criteria_text(_set_text(), "test.yaml")
    assert cs is not None, problems
    data = tmp_path / "data"
    for year in (2022, 2023):
        for code, name in (("STC", NAME), ("SXD", "Sở Xây dựng")):
            lost = code == "STC" and year == 2023
            entries = {"1.1.1": Entry(appraised=D(0), reason="Lý do " + MARKUP,
                                      responsible="Phòng " + MARKUP)} if lost else {}
            info = {"Mã đơn vị": code, "Tên đơn vị": name, "Năm": year,
                    "Nhóm": "Sở, ban ngành tỉnh", "Bộ tiêu chí": "test-set"}
            write_workbook(data / str(year) / f"{code}.xlsx", unit_sheets(cs, info, entries))
    return data, {"CCHC_CRITERIA": str(sets), "COLUMNS": "300"}


@pytest.mark.parametrize("args, texts", [
    (("score", "{data}/2023/STC.xlsx", "--detail"), [NAME, ITEM, "Lý do " + MARKUP,
                                                     "Phòng " + MARKUP]),
    (("rank", "{data}/2023"), [NAME]),
    (("compare", "2022", "2023", "-u", "STC", "--data", "{data}"), [NAME, "Lý do " + MARKUP]),
    (("gains", "{data}/2023", "-u", "STC"), [NAME, ITEM, "Lý do " + MARKUP, "Phòng " + MARKUP]),
    (("history", "-u", "STC", "--data", "{data}"), [NAME]),
    (("criteria", "show", "{sets}/test.yaml"), [SET_TITLE, ITEM]),
], ids=lambda v: v[0] if isinstance(v, tuple) else "")
def test_text_from_inputs_prints_literally(cli, hostile, args, texts):
    data, env = hostile
    args = [a.format(data=data, sets=env["CCHC_CRITERIA"]) for a in args]
    result = cli(*args, env=env)
    assert result.exit_code == 0, result.output
    for text in texts:
        assert text in result.stdout
    assert "⚠" not in result.stdout and "😄" not in result.stdout
    assert "\x1b]8;" not in result.stdout  # no hyperlink escape


def test_markup_in_a_problem_message_and_its_file_name_prints_literally(cli, sheets_for,
                                                                       make_workbook):
    sheets = sheets_for()
    cell = set_cell(sheets, "Thẩm định", "1.1.2", "Điểm thẩm định", MARKUP)
    path = make_workbook(sheets, name="[bold]STC[/] :warning:.xlsx")
    result = cli("score", path)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"Lỗi: {path} · Thẩm định!{cell} · tiêu chí 1.1.2: “{MARKUP}” không phải là số điểm "
        "(chỉ ghi số, ví dụ 0,5 hoặc 0.5) [not-a-number]")
    assert "Traceback" not in result.output


# --- values quoted in messages ---------------------------------------------------------------


@pytest.mark.parametrize("value, expected", [
    ("STC", "STC"),
    ("STC\u200b", "STC⟨U+200B⟩"),
    ("\ufeffSTC", "⟨U+FEFF⟩STC"),
    ("a\x1b[31mb", "a⟨U+001B⟩[31mb"),
    ("x\u202ey", "x⟨U+202E⟩y"),  # a bidi override would reverse what follows on screen
    ("\udcff.xlsx", "⟨U+DCFF⟩.xlsx"),  # an undecodable byte of a file name
    ("a\nb\tc", "a⟨U+000A⟩b⟨U+0009⟩c"),
    ("Sở Tài chính", "Sở Tài chính"),
])
def test_invisible_characters_are_spelled_out(value, expected):
    assert shown(value) == expected


def test_a_long_value_is_cut_after_80_characters_never_inside_a_spelled_character():
    assert shown("x" * 80) == "x" * 80
    assert shown("x" * 81) == "x" * 80 + "…"
    assert shown("x" * 75 + "\u200b" + "y") == "x" * 75 + "…"  # ⟨U+200B⟩ would pass 80
    assert shown("p/" * 100, limit=None) == "p/" * 100
    assert visible("a\nb", keep="\n") == "a\nb"


def test_messages_quote_values_short_and_visible_and_json_says_the_same(cli, sheets_for,
                                                                       make_workbook):
    sheets = sheets_for()
    value = "\ufeff0,5\u200b" + "ghi chú " * 30
    cell = set_cell(sheets, "Thẩm định", "1.1.2", "Điểm thẩm định", value)
    path = make_workbook(sheets)
    quoted = "⟨U+FEFF⟩0,5⟨U+200B⟩" + ("ghi chú " * 10)[:61] + "…"
    assert len(quoted) == 81
    message = f"“{quoted}” không phải là số điểm (chỉ ghi số, ví dụ 0,5 hoặc 0.5)"
    result = cli("score", path)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"Lỗi: {path} · Thẩm định!{cell} · tiêu chí 1.1.2: {message} [not-a-number]")
    problems = json.loads(cli("validate", path, "--json").stdout)
    (problem,) = [p for p in problems if p["code"] == "not-a-number"]
    assert problem["message"] == message
    assert problem["cell"] == cell


def test_places_from_inputs_are_spelled_out_and_paths_shown_whole():
    long_sheet = "Thẩm định\u200b" + "x" * 100
    problem = Problem("score-missing", file="/d/" + "y" * 120 + "\u200b.xlsx", sheet=long_sheet,
                      cell="D14", criterion="1.1\ufeff", params={"column": "Điểm thẩm định"})
    place, message = problem.line_text("en").split(": ", 1)
    assert place == ("/d/" + "y" * 120 + "⟨U+200B⟩.xlsx · Thẩm định⟨U+200B⟩" + "x" * 63
                     + "…!D14 · criterion 1.1⟨U+FEFF⟩")
    assert message == "no Điểm thẩm định for an applicable criterion [score-missing]"


def test_lists_of_names_get_more_room():
    present = ", ".join(f"Trang {i}" for i in range(30))
    problem = Problem("missing-sheet", file="a.xlsx", params={"sheet": "Thẩm định",
                                                             "present": present})
    assert f"(các trang có: {present[:200]}…)" in problem.message()


# --- hints that fit ---------------------------------------------------------------------------

CELL_HINT = "Gợi ý: sửa các ô nêu trên trong bảng tính rồi chạy lại."


def _hints(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("Gợi ý:")]


def test_a_cell_problem_gets_the_cell_hint(cli, sheets_for, make_workbook):
    sheets = sheets_for()
    set_cell(sheets, "Thẩm định", "1.1.2", "Điểm thẩm định", 1.5)
    assert _hints(cli("score", make_workbook(sheets)).stderr) == [CELL_HINT]


def test_an_empty_file_gets_the_file_hint_not_the_cell_hint(cli, tmp_path):
    empty = tmp_path / "STC.xlsx"
    empty.write_bytes(b"")
    result = cli("score", empty)
    assert result.exit_code == 1
    assert _hints(result.stderr) == [
        "Gợi ý: kiểm tra đó đúng là tệp cần dùng và không bị khóa; với bảng tính, mở bằng "
        "Excel rồi lưu lại (.xlsx, không đặt mật khẩu) và chạy lại."]


def test_an_unknown_criteria_set_gets_the_criteria_hint(cli, sheets_for, make_workbook):
    result = cli("score", make_workbook(sheets_for()), "-c", "no-such-set", "--lang", "en")
    assert result.exit_code == 1
    assert "[unknown-criteria-set]" in result.stderr
    assert [line for line in result.stderr.splitlines() if line.startswith("Hint:")] == [
        "Hint: name the criteria set in the “Bộ tiêu chí” cell of the “Thông tin” sheet, or "
        "choose one with --criteria; see the known sets with: cchc criteria list."]


def test_a_yaml_error_gets_the_yaml_hint(cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(MINIMAL.replace("max: 3\n", "max: 4\n", 1), encoding="utf-8")
    result = cli("criteria", "check", bad)
    assert result.exit_code == 1
    assert _hints(result.stderr) == [
        "Gợi ý: sửa tệp bộ tiêu chí (YAML) ở các dòng nêu trên rồi chạy lại; kiểm tra bằng: "
        "cchc criteria check TỆP.yaml."]


def test_a_missing_header_and_a_cell_each_get_their_hint_once_in_a_fixed_order(cli, tmp_path,
                                                                           sheets_for):
    folder = tmp_path / "2020"
    no_header = sheets_for()
    header = next(row for row in no_header["Thẩm định"] if row and row[0] == "Mã")
    header[0] = "Số"
    write_workbook(folder / "A.xlsx", no_header)
    for name in ("B", "C"):
        sheets = sheets_for(info={"Mã đơn vị": name, "Năm": 2020, "Tên đơn vị": name,
                                  "Nhóm": "Sở, ban ngành tỉnh"})
        set_cell(sheets, "Thẩm định", "1.1.2", "Điểm thẩm định", "x")
        write_workbook(folder / f"{name}.xlsx", sheets)
    result = cli("validate", folder)
    assert result.exit_code == 1
    assert _hints(result.stderr) == [] and _hints(result.stdout) == [
        CELL_HINT,
        "Gợi ý: bảng tính cần đủ các trang, dòng tiêu đề, cột và dòng tiêu chí như bảng tính mẫu "
        "(tạo mẫu bằng: cchc template)."]


def test_warnings_alone_get_no_hint(cli, sheets_for, make_workbook):
    sheets = sheets_for()
    set_cell(sheets, "Tự đánh giá", "1.1.4", "Điểm tối đa", 3)
    result = cli("score", make_workbook(sheets))
    assert result.exit_code == 0 and "[max-disagrees]" in result.stderr
    assert _hints(result.stderr) == []


def test_kinds_without_a_declared_hint_get_one_from_where_they_point(monkeypatch):
    for code in ("output-new", "reader-new", "criteria-new"):
        monkeypatch.setitem(CATALOG, code, Kind(code, Severity.ERROR, "x", "x"))
    assert Problem("output-new", file="out.xlsx").hint is Hint.OUTPUT
    assert Problem("criteria-new", file="set.yaml").hint is Hint.YAML
    assert Problem("reader-new", file="a.xlsx", sheet="S", cell="B2").hint is Hint.CELL
    assert Problem("reader-new", file="a.xlsx", line=3).hint is Hint.YAML
    assert Problem("reader-new", file="a.xlsx", sheet="S").hint is Hint.FILE
    assert Problem("reader-new").hint is Hint.NONE
    # a declared hint wins over the place
    assert Problem("unknown-criteria-set", file="a.xlsx", cell="B6").hint is Hint.CRITERIA


def test_dollar_signs_in_a_name_are_text_in_a_chart_not_mathtext(cli, tmp_path, sheets_for):
    folder = tmp_path / "2020"
    # an unbalanced \frac between dollars is a mathtext syntax error if parsed as math
    write_workbook(folder / "STC.xlsx", sheets_for(info={
        "Mã đơn vị": "STC", "Tên đơn vị": r"Sở $\frac{$ và $x_1$", "Năm": 2020,
        "Nhóm": "Sở, ban ngành tỉnh"}))
    chart = tmp_path / "xep-hang.png"
    result = cli("rank", folder, "--chart", chart)
    assert result.exit_code == 0, result.output
    assert chart.read_bytes().startswith(b"\x89PNG")


def test_tables_spell_out_characters_that_would_print_as_nothing(cli, tmp_path, sheets_for):
    folder = tmp_path / "2020"
    # a right-to-left override would print the rest of the line reversed
    write_workbook(folder / "STC.xlsx", sheets_for(info={
        "Mã đơn vị": "STC", "Tên đơn vị": "Sở\u202eTài chính\u200b", "Năm": 2020,
        "Nhóm": "Sở, ban ngành tỉnh"}))
    result = cli("rank", folder)
    assert result.exit_code == 0
    assert "Sở⟨U+202E⟩Tài chính⟨U+200B⟩" in result.stdout
    assert "\u202e" not in result.stdout and "\u200b" not in result.stdout


# --- text that a file cannot hold as it is (control characters, bidi overrides) --------------

# openpyxl writes the text of a cell as given; the reader decodes Excel's _xHHHH_ escapes, so
# the workbook holds U+0001 and ESC as Excel itself would write them
RAW_NAME, RAW_REASON = "Sở_x001B_[31m Tài\u202echính", "Lý do_x0001_x"
NAME_WRITTEN, REASON_WRITTEN = "Sở⟨U+001B⟩[31m Tài⟨U+202E⟩chính", "Lý do⟨U+0001⟩x"


@pytest.fixture
def unwritable(cli, tmp_path, sheets_for, make_workbook):
    """A year folder whose one unit has an ESC and a right-to-left override in its name and
    a U+0001 in a reason; returns the folder."""
    sheets = sheets_for(info={"Mã đơn vị": "STC", "Tên đơn vị": RAW_NAME, "Năm": 2020,
                              "Nhóm": "Sở, ban ngành tỉnh"})
    set_cell(sheets, "Thẩm định", "1.1.2", "Điểm thẩm định", 0)
    set_cell(sheets, "Thẩm định", "1.1.2", "Lý do trừ điểm", RAW_REASON)
    path = make_workbook(sheets, name="2020/STC.xlsx")
    scored = json.loads(cli("score", path, "--json").stdout)  # the input holds them indeed
    assert scored["unit"]["name"] == "Sở\x1b[31m Tài\u202echính"
    assert [i["reason"] for i in scored["items"] if i["code"] == "1.1.2"] == ["Lý do\x01x"]
    return path.parent


def _xlsx_texts(path) -> list[str]:
    from openpyxl import load_workbook

    book = load_workbook(path)
    return [value for ws in book for row in ws.iter_rows(values_only=True) for value in row
            if isinstance(value, str)]


def _docx_texts(path) -> list[str]:
    from docx import Document

    doc = Document(path)
    return [p.text for p in doc.paragraphs] + [cell.text for table in doc.tables
                                               for row in table.rows for cell in row.cells]


def test_writable_spells_out_what_a_file_cannot_hold_and_keeps_line_breaks():
    assert writable("a\x01\tb\nc\r\u202ed\ufffe\udcff\x1b") == (
        "a⟨U+0001⟩\tb\nc\r⟨U+202E⟩d⟨U+FFFE⟩⟨U+DCFF⟩⟨U+001B⟩")
    assert writable("Sở Tài chính [x] $y$") == "Sở Tài chính [x] $y$"


@pytest.mark.parametrize("command, output, read, texts", [
    (("report", "{folder}/STC.xlsx"), "r.docx", _docx_texts, [NAME_WRITTEN, REASON_WRITTEN]),
    (("report", "{folder}/STC.xlsx"), "r.xlsx", _xlsx_texts, [REASON_WRITTEN]),
    (("gains", "{folder}", "--unit", "STC"), "g.xlsx", _xlsx_texts,
     [NAME_WRITTEN, REASON_WRITTEN]),
    (("rank", "{folder}"), "x.xlsx", _xlsx_texts, [NAME_WRITTEN]),
    (("rank", "{folder}"), "x.csv", lambda p: [p.read_text(encoding="utf-8-sig")],
     [NAME_WRITTEN]),
], ids=["report-docx", "report-xlsx", "gains-xlsx", "rank-xlsx", "rank-csv"])
def test_files_written_spell_out_characters_they_cannot_hold(cli, unwritable, tmp_path,
                                                              command, output, read, texts):
    target = tmp_path / output
    result = cli(*[a.format(folder=unwritable) for a in command], "-o", target)
    assert result.exit_code == 0, result.output
    written = read(target)
    for text in texts:
        assert any(text in value for value in written), (text, written)
    assert not any(ch in value for value in written for ch in "\x01\x1b\u202e")


def test_a_chart_label_is_never_reversed_nor_a_missing_glyph(cli, unwritable, tmp_path):
    assert cli("rank", unwritable, "--chart", tmp_path / "c.png").exit_code == 0
    assert cli("rank", unwritable, "--chart", tmp_path / "c.svg").exit_code == 0
    svg = (tmp_path / "c.svg").read_text(encoding="utf-8")
    assert f"<!-- 1. {NAME_WRITTEN} -->" in svg  # matplotlib names each text it draws
    assert "\u202e" not in svg


def test_a_template_spells_out_a_control_character_from_the_criteria_yaml(cli, tmp_path):
    sets = tmp_path / "x.yaml"
    sets.write_text(MINIMAL.replace("title: Con một", 'title: "Con\\x01 một"'),
                    encoding="utf-8")
    assert cli("criteria", "check", sets).exit_code == 0  # YAML may say "\x01"
    out = tmp_path / "t.xlsx"
    result = cli("template", "--criteria", sets, "--unit", "STC", "--year", "2022", "-o", out)
    assert result.exit_code == 0, result.output
    assert "Con⟨U+0001⟩ một" in _xlsx_texts(out)


def test_a_file_name_no_encoding_can_write_and_a_year_with_nothing_ranked(cli, tmp_path,
                                                                          sheets_for):
    folder = tmp_path / "2020"
    sheets = sheets_for()
    del sheets["Thông tin"]  # not scored: the table names the file
    write_workbook(folder / "x.xlsx", sheets)
    try:
        os.rename(os.fsencode(folder / "x.xlsx"), os.fsencode(folder) + b"/S\xff.xlsx")
    except OSError:
        pytest.skip("the file system refuses a name that is not UTF-8")
    result = cli("rank", folder, "-o", tmp_path / "x.csv", "--chart", tmp_path / "c.png")
    assert result.exit_code == 1  # a workbook not scored, never an internal error (3)
    assert "S⟨U+DCFF⟩.xlsx" in (tmp_path / "x.csv").read_text(encoding="utf-8-sig")
    assert (tmp_path / "c.png").read_bytes().startswith(b"\x89PNG")


# --- hints that fit the problem (each kind's, checked once) ----------------------------------

FOLDER_HINT = ("Gợi ý: kiểm tra lại đường dẫn tệp hoặc thư mục (--data, biến CCHC_DATA), mã đơn "
               "vị, và mỗi đơn vị chỉ có một bảng tính, nằm trong thư mục đúng năm của nó.")


@pytest.mark.parametrize("code, place, hint", [
    ("year-mismatch", {"file": "2021/STC.xlsx"}, Hint.FOLDER),
    ("not-a-regular-file", {"file": "2021/fifo.xlsx"}, Hint.FOLDER),
    ("broken-link", {"file": "2021/STC.xlsx"}, Hint.FOLDER),
    ("link-loop", {"file": "2021/STC.xlsx"}, Hint.FOLDER),
    ("ambiguous-sheet", {"file": "STC.xlsx"}, Hint.LAYOUT),
    ("missing-info", {"file": "STC.xlsx", "sheet": "Thông tin"}, Hint.LAYOUT),
    ("internal-error", {"file": "STC.xlsx"}, Hint.NONE),  # its message says: report it
    ("output-is-input", {"file": "STC.xlsx"}, Hint.OUTPUT),
    ("unknown-group", {"file": "2021"}, Hint.NONE),  # its message names the groups
    ("stdout-write-failed", {}, Hint.NONE),
])
def test_each_kind_gets_the_hint_that_fits(code, place, hint):
    assert Problem(code, **place).hint is hint


def test_the_output_hint_never_offers_force_which_cannot_write_over_an_input(cli):
    sample = SAMPLES / "2020" / "STC.xlsx"
    result = cli("report", sample, "-o", sample, "--force")
    assert result.exit_code == 1
    assert "[output-is-input]" in result.stderr
    assert _hints(result.stderr) == ["Gợi ý: chọn tên hoặc thư mục khác cho tệp kết quả."]
    assert "--force" not in result.stderr


def test_a_workbook_in_another_years_folder_gets_the_folder_hint(cli, sheets_for, make_workbook):
    path = make_workbook(sheets_for(), name="2021/STC.xlsx")  # it says 2020
    result = cli("rank", path.parent)
    assert result.exit_code == 1
    assert "bảng tính ghi năm 2020 nhưng nằm trong thư mục năm 2021 [year-mismatch]" in (
        result.stderr)
    assert _hints(result.stderr) == [FOLDER_HINT]


def test_history_of_a_unit_not_there_says_so_even_with_a_chart(cli, tmp_path, sheets_for,
                                                               make_workbook):
    data = make_workbook(sheets_for(), name="data/2020/STC.xlsx").parent.parent
    chart = tmp_path / "h.png"
    result = cli("history", "--unit", "NOPE", "--data", data, "--chart", chart)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"Lỗi: {data}: không có đơn vị NOPE trong {data} [unit-not-found]")
    assert not chart.exists()


def test_english_messages_name_the_columns_in_english(cli, make_workbook, sheets_for):
    """The engine names a column by a code; each language words it."""
    from .conftest import set_cell as put

    sheets = sheets_for()
    put(sheets, "Thẩm định", "2.1", "Điểm thẩm định", 1.5)
    path = make_workbook(sheets)
    english = cli("score", path, "--lang", "en")
    assert "appraised score 1.5 is above the maximum 1" in english.stderr
    vietnamese = cli("score", path)
    assert "Điểm thẩm định 1,5 lớn hơn điểm tối đa 1" in vietnamese.stderr
