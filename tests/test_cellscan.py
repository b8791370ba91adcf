"""What python-calamine cannot tell about the cells of an .ods, .xlsb or .xls, read from the file
(cellscan.cell_marks): error cells and formulas without a value, which calamine reads as empty;
numbers shown as a percentage; merged ranges calamine does not report; an .ods's far cells,
some of which calamine drops. Each is named at the cell calamine places it and reaches the
engine; every hostile or broken file ends in no marks or a catalogued problem."""

from __future__ import annotations

import struct
import sys
import zipfile
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
import python_calamine as calamine

from cchc_cli.model.problems import CchcError
from cchc_cli.model.unit import cell_name
from cchc_cli.reading import cell_marks as cellscan
from cchc_cli.reading import limits
from cchc_cli.reading.cell_marks import CellMarks, cell_marks
from cchc_cli.reading.child import read_book
from cchc_cli.reading.xlsx import split_ref
from tests.builders import Entry

from . import hostile
from .conftest import set_cell
from .test_bad_input import expect
from .test_hostile import assert_merged_mark_counts

FIXTURES = Path(__file__).parent / "fixtures"
sys.path.insert(0, str(FIXTURES))
import make_xlsb  # noqa: E402

SHEET = "Thẩm định"


def names(path: Path) -> list[str]:
    book = calamine.CalamineWorkbook.from_path(str(path))
    try:
        return list(book.sheet_names)
    finally:
        book.close()


def calamine_rows(path: Path, sheet: str) -> list[list]:
    book = calamine.CalamineWorkbook.from_path(str(path))
    try:
        return book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    finally:
        book.close()


def at(rows: list[list], ref: str) -> object:
    """A cell of calamine's rows; one outside them (calamine sizes a sheet by its last value)
    is empty."""
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            if cell_name(r, c) == ref:
                return value
    return ""


def flags_of(path: Path, sheets: list[str]) -> dict[str, dict]:
    """The error and formula cells :func:`cell_marks` finds, by sheet."""
    return {name: marks.flags for name, marks in cell_marks(path, sheets).items() if marks.flags}


def codes(err: pytest.ExceptionInfo) -> list[str]:
    return [p.code for p in err.value.problems]


# --- the 2020 sample with #DIV/0! in round two of 2.1 (tests/fixtures/make_error_cells.py) -------

DIV0 = {"G31": ("error", "#DIV/0!")}
FOUND = {".ods": {SHEET: {**DIV0, "G33": ("formula", "=[.C33]")}},
         ".xls": {SHEET: DIV0}, ".xlsb": {SHEET: DIV0}}


@pytest.mark.parametrize("suffix", sorted(FOUND))
def test_the_error_cell_of_each_format_is_named(suffix):
    path = FIXTURES / "error-cells" / f"STC{suffix}"
    assert calamine_rows(path, SHEET)[30][6] == ""  # what calamine alone would let through
    assert flags_of(path, names(path)) == FOUND[suffix]


@pytest.mark.parametrize("suffix", sorted(FOUND))
def test_the_cli_refuses_the_error_in_round_two(cli, suffix):
    path = FIXTURES / "error-cells" / f"STC{suffix}"
    problem = expect(cli, path, "error-cell", cell="G31", sheet=SHEET, criterion="2.1")
    assert "#DIV/0!" in problem["message"]
    scored = cli("score", path)
    assert f"{SHEET}!G31 · tiêu chí 2.1: ô đang báo lỗi #DIV/0!" in scored.stderr
    assert ("[formula-without-value]" in scored.stderr) == (suffix == ".ods")
    if suffix == ".ods":
        assert f"{SHEET}!G33 · tiêu chí 2.2.1: ô có công thức =[.C33] nhưng chưa có giá trị" \
            in scored.stderr


def test_clean_workbooks_of_each_format_have_no_flags():
    for suffix in (".ods", ".xls", ".xlsb", ".xlsx"):
        path = FIXTURES / "formats" / f"STC{suffix}"
        assert flags_of(path, names(path)) == {}


def test_the_child_reader_carries_the_flags_and_survives_a_bug_in_the_scanner(monkeypatch):
    path = FIXTURES / "error-cells" / "STC.ods"
    assert read_book(path).flags == FOUND[".ods"]

    def broken(*_args):
        raise IndexError("a bug")

    monkeypatch.setattr(cellscan, "cell_marks", broken)
    data = read_book(path)
    assert data.flags == {} and data.sheets[SHEET][30][0] == "2.1" and not data.problems


# --- .ods --------------------------------------------------------------------------------------

NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
      'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
      'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"')
MANIFEST = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
            '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type='
            '"application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>')
# a cell as LibreOffice writes =1/0, and one that calamine reads as the text "X"
ERROR = ('<table:table-cell table:formula="of:=1/0" office:value-type="string" '
         'office:string-value="" calcext:value-type="error"{rep}><text:p>#DIV/0!</text:p>'
         '</table:table-cell>')
MARK = '<table:table-cell office:value-type="string" office:string-value="X"{rep}/>'


def ods(path: Path, tables: dict[str, str], head: str = "") -> Path:
    body = "".join(f'<table:table table:name="{n}">{rows}</table:table>'
                   for n, rows in tables.items())
    content = (f'<?xml version="1.0" encoding="UTF-8"?>{head}<office:document-content {NS}>'
               f"<office:body><office:spreadsheet>{body}</office:spreadsheet></office:body>"
               "</office:document-content>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"),
                         "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", MANIFEST)
        archive.writestr("content.xml", content)
    return path


def cell(kind: str, rep: int = 1) -> str:
    return (ERROR if kind == "E" else MARK).format(
        rep=f' table:number-columns-repeated="{rep}"' if rep != 1 else "")


def empty(rep: int = 1) -> str:
    return f'<table:table-cell table:number-columns-repeated="{rep}"/>'


def number(value: int) -> str:
    return (f'<table:table-cell office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>")


def row(*cells: str, rep: int = 1) -> str:
    return f'<table:table-row table:number-rows-repeated="{rep}">{"".join(cells)}</table:table-row>'


LAYOUTS = {
    "repeated rows and cells first": lambda k: row(empty(3), rep=5) + row(number(1))
    + row(empty(2), cell(k)),
    "header rows": lambda k: "<table:table-header-rows>" + row(number(1), number(2))
    + "</table:table-header-rows>" + row(empty(), cell(k)),
    "nested row groups": lambda k: row(number(1)) + "<table:table-row-group>"
    + row(number(2), rep=3) + "<table:table-row-group>" + row(empty(2), cell(k))
    + "</table:table-row-group></table:table-row-group>" + row(number(3)),
    "table-rows": lambda k: "<table:table-rows>" + row(number(1), rep=2) + row(cell(k))
    + "</table:table-rows>",
    "a repeated error": lambda k: row(number(1)) + row(empty(2), cell(k, 3), number(5), rep=2),
    "covered cells": lambda k: row(number(1), '<table:covered-table-cell '
                                   'table:number-columns-repeated="2"/>', cell(k))
    + row(number(1), "<table:covered-table-cell/>",
          cell(k).replace("table:table-cell", "table:covered-table-cell")),
    "empty rows between": lambda k: row(number(1)) + row(empty(4), rep=1000) + row(cell(k)),
    "repeats of zero": lambda k: row(number(1), empty(0), cell(k)) + row(number(2), rep=0)
    + row(cell(k)),
    "columns declared, a formula-only row": lambda k: '<table:table-column '
    'table:number-columns-repeated="3"/>' + row('<table:table-cell table:formula="of:=A1"/>')
    + row(empty(), cell(k)),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_ods_error_cells_are_placed_where_calamine_places_cells(tmp_path, layout):
    """The same layout twice: error cells for the scanner, text cells for calamine."""
    marked = ods(tmp_path / "marked.ods", {"S": LAYOUTS[layout]("M")})
    rows = calamine_rows(marked, "S")
    want = {cell_name(r, c) for r, values in enumerate(rows) for c, v in enumerate(values)
            if v == "X"}
    errors = ods(tmp_path / "errors.ods", {"S": LAYOUTS[layout]("E")})
    found = flags_of(errors, ["S"])["S"]
    assert want and {ref for ref, flag in found.items() if flag[0] == "error"} == want


def test_ods_what_counts_as_an_error_or_a_formula_without_value(tmp_path):
    cells = [
        number(1),  # A: a value
        '<table:table-cell table:formula="of:=[.A1]*2"/>',  # B: formula, no value at all
        '<table:table-cell table:formula="of:=[.A1]" office:value-type="float"/>',  # C: typed
        '<table:table-cell table:formula="of:=[.A1]" office:value-type="float" '
        'office:value="1"><text:p>1</text:p></table:table-cell>',  # D: formula with its value
        '<table:table-cell table:formula="of:=&quot;&quot;" office:value-type="string" '
        'office:string-value="" calcext:value-type="string"><text:p/></table:table-cell>',  # E ""
        '<table:table-cell table:formula="of:=NA()" office:value-type="string" '
        'office:string-value="" calcext:value-type="error"><text:p>#N/A</text:p>'
        '<office:annotation><text:p>a note</text:p></office:annotation></table:table-cell>',  # F
        '<table:table-cell table:formula="of:=1/0" calcext:value-type="error"><text:p>Err:502'
        "</text:p></table:table-cell>",  # G: LibreOffice's own error text
    ]
    path = ods(tmp_path / "kinds.ods", {"S": row(*cells)})
    assert calamine_rows(path, "S")[0][1:6] == ["", "", 1.0, "", ""]
    assert flags_of(path, ["S"]) == {"S": {
        "B1": ("formula", "=[.A1]*2"), "C1": ("formula", "=[.A1]"),
        "F1": ("error", "#N/A"), "G1": ("error", "Err:502")}}


def test_an_ods_error_spelled_with_a_character_reference_is_found(tmp_path):
    path = ods(tmp_path / "ref.ods", {"S": row(number(1), '<table:table-cell office:value-type='
                                              '"string" office:string-value="" calcext:value-type='
                                              '"&#101;rror"><text:p>#REF!</text:p>'
                                              "</table:table-cell>")})
    assert flags_of(path, ["S"]) == {"S": {"B1": ("error", "#REF!")}}


def test_ods_sheets_are_named_as_calamine_names_them(tmp_path):
    path = ods(tmp_path / "two.ods", {"A": row(number(1)), "B": row(cell("E"))})
    assert flags_of(path, ["A", "B"]) == {"B": {"A1": ("error", "#DIV/0!")}}
    # names decoded otherwise by calamine: by position
    assert flags_of(path, ["a", "b"]) == {"b": {"A1": ("error", "#DIV/0!")}}
    # a different count of sheets: by name
    assert flags_of(path, ["X", "B", "Y"]) == {"B": {"A1": ("error", "#DIV/0!")}}


def test_a_hostile_ods_with_huge_repeats_costs_nothing(tmp_path):
    """Whole-sheet repeats around a value and after an error: nothing is expanded beyond the
    grid (were it, this would build 17 billion cells)."""
    rows = (row(empty(16384), rep=1048576) + row(empty(16383), number(1), rep=1048576)
            + row(cell("E"), empty(16384), rep=1048576))
    path = ods(tmp_path / "huge.ods", {"S": row(empty(9), cell("E")) + rows})
    assert flags_of(path, ["S"]) == {"S": {"J1": ("error", "#DIV/0!")}}


def test_an_ods_error_repeated_over_the_whole_sheet_is_refused(tmp_path):
    path = ods(tmp_path / "all.ods", {"S": row(cell("E", 16384), rep=1048576)})
    with pytest.raises(CchcError) as err:
        flags_of(path, ["S"])
    assert codes(err) == ["sheet-too-many-cells"] and err.value.problems[0].sheet == "S"


def test_an_ods_error_repeated_within_the_budget_is_named_cell_by_cell(tmp_path):
    path = ods(tmp_path / "block.ods", {"S": row(number(1)) + row(cell("E", 300), rep=20)})
    flags = flags_of(path, ["S"])["S"]
    assert len(flags) == 20 * limits.GRID_COLUMNS and "IV21" in flags and "A22" not in flags


def test_ods_doctype_is_refused_even_after_calamine_read_it(cli, tmp_path):
    path = ods(tmp_path / "STC.ods", {"S": row(number(1))}, head="<!DOCTYPE x [<!ENTITY e 'x'>]>")
    with pytest.raises(CchcError) as err:
        flags_of(path, ["S"])
    assert codes(err) == ["unsafe-xml"]
    scored = cli("score", path)
    assert scored.exit_code == 1 and "[unsafe-xml]" in scored.stderr


def test_a_broken_ods_ends_in_no_flags_or_a_catalogued_problem(tmp_path):
    good = FIXTURES / "error-cells" / "STC.ods"
    garbage = tmp_path / "garbage.ods"
    garbage.write_bytes(b"not a zip at all" * 100)
    assert flags_of(garbage, ["S"]) == {}
    cut = tmp_path / "cut.ods"
    cut.write_bytes(good.read_bytes()[:9000])
    with pytest.raises(CchcError) as err:
        flags_of(cut, names(good))
    assert codes(err) == ["unreadable-workbook"]
    unclosed = tmp_path / "unclosed.ods"
    unclosed.write_bytes(good.read_bytes())
    hostile.rewrite(unclosed, "content.xml", lambda data: data[:data.index(b"#DIV/0!") + 9])
    with pytest.raises(CchcError) as err:
        flags_of(unclosed, names(good))
    assert codes(err) == ["malformed-xml"]


# --- .xlsb -------------------------------------------------------------------------------------


def xlsb_part(*records: bytes) -> bytes:
    r = make_xlsb.record
    return r(make_xlsb.BEGIN_SHEET) + r(make_xlsb.WS_DIM, bytes(16)) \
        + r(make_xlsb.BEGIN_SHEET_DATA) + b"".join(records) + r(make_xlsb.END_SHEET_DATA) \
        + r(make_xlsb.END_SHEET)


def row_header(r: int) -> bytes:
    return make_xlsb.record(make_xlsb.ROW_HDR, struct.pack("<IIH3sI", r, 0, 300, b"\0\0\0", 0))


def test_xlsb_formula_and_value_errors_of_every_code(tmp_path):
    codes_ = list(cellscan.ERRORS)
    errors = {(2, c): make_xlsb.Error(cellscan.ERRORS[code]) for c, code in enumerate(codes_)}
    path = tmp_path / "errors.xlsb"
    make_xlsb.write(path, {"A": [["x"]], "B": [["Mã", 1.5]]}, errors={"B": errors})
    assert all(at(calamine_rows(path, "B"), cell_name(2, c)) == "" for c in range(len(codes_)))
    assert flags_of(path, ["A", "B"]) == {"B": {
        cell_name(2, c): ("error", cellscan.ERRORS[code]) for c, code in enumerate(codes_)}}
    # a typed error value (BrtCellError) rather than a formula's, and an unknown code
    part = xlsb_part(row_header(0), make_xlsb.cell(make_xlsb.CELL_ERROR, 3, b"\x17"),
                     row_header(limits.GRID_ROWS - 1),
                     make_xlsb.cell(make_xlsb.FMLA_ERROR, 0, b"\x63\0\0" + bytes(8)),
                     row_header(limits.GRID_ROWS),  # beyond the grid: not read
                     make_xlsb.cell(make_xlsb.CELL_ERROR, 0, b"\x07"))
    hostile.rewrite(path, "xl/worksheets/sheet1.bin", lambda _: part)
    assert at(calamine_rows(path, "A"), "D1") == ""
    assert flags_of(path, ["A", "B"])["A"] == {
        "D1": ("error", "#REF!"), f"A{limits.GRID_ROWS}": ("error", "#ERR63")}


def test_damage_below_the_zip_and_xml_readers_is_a_catalogued_problem(tmp_path):
    """A central directory that places its members before the file's start or asks for a zip
    version zipfile does not read, and an XML declaration naming an unknown encoding."""
    path = tmp_path / "moved.xlsb"
    make_xlsb.write(path, {"A": [["x"]]})
    data = bytearray(path.read_bytes())
    end = data.rindex(b"PK\x05\x06")
    struct.pack_into("<I", data, end + 16, struct.unpack_from("<I", data, end + 16)[0] + 10**6)
    path.write_bytes(bytes(data))
    with pytest.raises(CchcError) as err:
        flags_of(path, ["A"])
    assert codes(err) == ["corrupt-part"]
    path = tmp_path / "version.xlsb"
    make_xlsb.write(path, {"A": [["x"]]})
    data = bytearray(path.read_bytes())
    central = data.index(b"PK\x01\x02")
    data[central + 6] = 70  # "version needed to extract": 7.0, which zipfile does not read
    path.write_bytes(bytes(data))
    with pytest.raises(CchcError) as err:
        flags_of(path, ["A"])
    assert codes(err) == ["unreadable-workbook"]
    path = tmp_path / "encoding.xlsb"
    make_xlsb.write(path, {"A": [["x"]]})
    hostile.rewrite(path, "xl/_rels/workbook.bin.rels",
                    lambda data: data.replace(b'encoding="UTF-8"', b'encoding="UTw-8"'))
    with pytest.raises(CchcError) as err:
        flags_of(path, ["A"])
    assert codes(err) == ["malformed-xml"]


def test_a_broken_xlsb_ends_in_no_flags_or_a_catalogued_problem(tmp_path):
    path = tmp_path / "cut.xlsb"
    make_xlsb.write(path, {"A": [["x"]]}, errors={"A": {(0, 1): make_xlsb.Error("#N/A")}})
    part = xlsb_part(row_header(0), make_xlsb.cell(make_xlsb.CELL_ERROR, 1, b"\x2a"))
    for cut in range(len(part)):  # a record cut anywhere ends the part quietly
        hostile.rewrite(path, "xl/worksheets/sheet1.bin", lambda _, cut=cut: part[:cut])
        assert flags_of(path, ["A"]) in ({}, {"A": {"B1": ("error", "#N/A")}})
    hostile.rewrite(path, "xl/workbook.bin", lambda data: data[:7])
    assert flags_of(path, ["A"]) == {}
    garbage = tmp_path / "garbage.xlsb"
    garbage.write_bytes(b"PK\x03\x04" + bytes(500))
    with pytest.raises(CchcError) as err:
        flags_of(garbage, ["A"])
    assert codes(err) == ["unreadable-workbook"]


# --- .xls: BIFF8 in a compound file, built here --------------------------------------------------

END, FREE, FAT_SECTOR = 0xFFFF_FFFE, 0xFFFF_FFFF, 0xFFFF_FFFD
BOF, EOF, BOUNDSHEET, FILEPASS = 0x0809, 0x000A, 0x0085, 0x002F


def rec(kind: int, body: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def bof(kind: int, version: int = 0x0600) -> bytes:
    return rec(BOF, struct.pack("<HHHHII", version, kind, 0x0DBB, 0x07CC, 0, 6))


def number_rec(r: int, c: int, value: float) -> bytes:
    return rec(0x0203, struct.pack("<HHHd", r, c, 0, value))


def boolerr(r: int, c: int, code: int, error: int = 1) -> bytes:
    return rec(0x0205, struct.pack("<HHHBB", r, c, 0, code, error))


def formula(r: int, c: int, result: bytes) -> bytes:
    rgce = b"\x1e\x01\x00\x1e\x00\x00\x06"  # 1/0
    return rec(0x0006, struct.pack("<HHH", r, c, 0) + result + struct.pack("<HIH", 0, 0, len(rgce))
               + rgce)


def formula_error(code: int) -> bytes:
    return bytes([2, 0, code, 0, 0, 0, 0xFF, 0xFF])


STRING_RESULT = bytes([0, 0, 0, 0, 0, 0, 0xFF, 0xFF])


def string_rec(text: str) -> bytes:
    return rec(0x0207, struct.pack("<HB", len(text), 1) + text.encode("utf-16-le"))


def boundsheet(name: str, pos: int) -> bytes:
    return rec(BOUNDSHEET, struct.pack("<IBBBB", pos, 0, 0, len(name), 1)
               + name.encode("utf-16-le"))


def biff8(sheets: dict[str, list[bytes]], version: int = 0x0600, extra: bytes = b"",
          pad: int = 0) -> bytes:
    """A BIFF8 workbook stream: globals (BOF, code page, BOUNDSHEETs, EOF), then each sheet."""
    head = bof(5, version) + rec(0x0042, struct.pack("<H", 1200)) + extra
    size = len(head) + sum(len(boundsheet(n, 0)) for n in sheets) + len(rec(EOF))
    bodies = [bof(0x10, version) + b"".join(records) + rec(EOF) for records in sheets.values()]
    positions = [size + sum(len(b) for b in bodies[:i]) for i in range(len(bodies))]
    return (head + b"".join(boundsheet(n, p) for n, p in zip(sheets, positions, strict=True))
            + rec(EOF)
            + b"".join(bodies) + bytes(pad))


def compound(stream: bytes, name: str = "Workbook") -> bytes:
    """A version-3 compound file (512-byte sectors) holding one stream; under 4,096 bytes it
    goes to the mini stream, as the format requires."""
    sectors: list[bytes] = []
    fat: list[int] = []

    def put(data: bytes) -> int:
        data += bytes(-len(data) % 512)
        first = len(sectors)
        for i in range(0, len(data), 512):
            sectors.append(data[i:i + 512])
            fat.append(len(sectors) if i + 512 < len(data) else END)
        return first if data else END

    def entry(title: str, kind: int, start: int, size: int, child: int = FREE) -> bytes:
        raw = title.encode("utf-16-le") + b"\0\0"
        return (raw.ljust(64, b"\0") + struct.pack("<HBBIII", len(raw), kind, 1, FREE, FREE, child)
                + bytes(36) + struct.pack("<IQ", start, size))

    minifat_start, minifat_sectors, root = END, 0, (END, 0)
    if len(stream) < 4096:
        n = -(-len(stream) // 64)
        chain = [i + 1 if i + 1 < n else END for i in range(n)]
        table = b"".join(struct.pack("<I", x) for x in chain)
        table += struct.pack("<I", FREE) * (-len(chain) % 128)
        root = (put(stream + bytes(-len(stream) % 64)), n * 64)
        minifat_start, minifat_sectors, start = put(table), len(table) // 512, 0
    else:
        start = put(stream)
    directory = entry("Root Entry", 5, *root, child=1) + entry(name, 2, start, len(stream)) \
        + bytes(256)
    dir_start = put(directory)
    count = 1
    while len(fat) + count > 128 * count:
        count += 1
    fat_ids = list(range(len(sectors), len(sectors) + count))
    fat += [FAT_SECTOR] * count
    fat += [FREE] * (128 * count - len(fat))
    table = b"".join(struct.pack("<I", x) for x in fat)
    sectors += [table[i * 512:(i + 1) * 512] for i in range(count)]
    header = (bytes.fromhex("D0CF11E0A1B11AE1") + bytes(16)
              + struct.pack("<5H", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
              + struct.pack("<9I", 0, count, dir_start, 0, 4096, minifat_start, minifat_sectors,
                            END, 0)
              + b"".join(struct.pack("<I", x) for x in fat_ids + [FREE] * (109 - count)))
    return header + b"".join(sectors)


CELLS = [number_rec(0, 0, 1.5), boolerr(1, 2, 0x07), boolerr(1, 3, 1, error=0),  # TRUE
         formula(2, 1, formula_error(0x2A)), formula(3, 1, STRING_RESULT), string_rec("ok"),
         formula(4, 4, STRING_RESULT),  # its STRING record never comes
         formula(5, 0, struct.pack("<d", 2.0))]
XLS_FLAGS = {"C2": ("error", "#DIV/0!"), "B3": ("error", "#N/A"), "E5": ("formula", "=")}


@pytest.mark.parametrize("pad", [0, 5000], ids=["mini stream", "regular sectors"])
def test_xls_errors_and_a_formula_whose_string_never_comes(tmp_path, pad):
    path = tmp_path / "book.xls"
    path.write_bytes(compound(biff8({"A": [number_rec(0, 0, 1)], "Bảng": CELLS}, pad=pad)))
    rows = calamine_rows(path, "Bảng")
    assert [at(rows, ref) for ref in ("C2", "D2", "B3", "B4", "E5")] == ["", True, "", "ok", ""]
    assert flags_of(path, ["A", "Bảng"]) == {"Bảng": XLS_FLAGS}


def test_xls_sheets_sharing_a_substream_cost_one_pass(tmp_path):
    names = [f"S{i}" for i in range(3000)]
    head = bof(5) + rec(0x0042, struct.pack("<H", 1200))
    pos = len(head) + sum(len(boundsheet(n, 0)) for n in names) + len(rec(EOF))
    stream = head + b"".join(boundsheet(n, pos) for n in names) + rec(EOF) \
        + bof(0x10) + b"".join(CELLS) + rec(EOF)
    path = tmp_path / "many.xls"
    path.write_bytes(compound(stream))
    found = flags_of(path, names)
    assert len(found) == 3000 and found["S2999"] == XLS_FLAGS


def test_xls_that_is_not_plain_biff8_gives_no_flags(tmp_path):
    path = tmp_path / "odd.xls"
    path.write_bytes(compound(biff8({"A": CELLS}, version=0x0500, pad=5000)))  # BIFF5
    assert flags_of(path, ["A"]) == {}
    path.write_bytes(compound(biff8({"A": CELLS}, extra=rec(FILEPASS, b"\1\0" + bytes(52)))))
    assert flags_of(path, ["A"]) == {}
    path.write_bytes(compound(biff8({"A": CELLS}), name="Other"))  # no Workbook stream
    assert flags_of(path, ["A"]) == {}


def test_a_hostile_compound_file_ends(tmp_path):
    # the sheet's records begin past the stream's first sector
    good = compound(biff8({"A": CELLS}, extra=rec(0x01C1, bytes(1000)), pad=5000))
    path = tmp_path / "hostile.xls"
    fat_at = 512 * (1 + struct.unpack_from("<I", good, 76)[0])
    first = struct.unpack_from("<I", good, 48)[0]  # the directory's sector
    looped = bytearray(good)
    struct.pack_into("<I", looped, fat_at + 4 * 3, 0)  # sector 3 leads back to sector 0
    struct.pack_into("<I", looped, fat_at + 4 * first, first)  # the directory loops on itself
    path.write_bytes(bytes(looped))
    assert flags_of(path, ["A"]) in ({}, {"A": XLS_FLAGS})
    far = bytearray(good)
    struct.pack_into("<I", far, fat_at, 0x7FFF_FFF0)  # a chain that leaves the file
    struct.pack_into("<109I", far, 76, *([0x7FFF_FFF0] * 109))  # FAT sectors past the end too
    path.write_bytes(bytes(far))
    assert flags_of(path, ["A"]) == {}
    difat = bytearray(good)
    struct.pack_into("<2I", difat, 68, 0, 1)  # a DIFAT chain through the stream's sectors
    path.write_bytes(bytes(difat))
    assert flags_of(path, ["A"]) in ({}, {"A": XLS_FLAGS})
    for cut in (0, 100, 511, 600, 1500, len(good) // 2, len(good) - 1):
        path.write_bytes(good[:cut])
        assert flags_of(path, ["A"]) in ({}, {"A": XLS_FLAGS}), cut
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(range(256)) * 8)
    assert flags_of(path, ["A"]) == {}


def test_an_xls_stream_past_the_budget_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "big.xls"
    path.write_bytes(compound(biff8({"A": CELLS}, pad=20_000)))
    monkeypatch.setattr(limits, "PART_BYTES", 16_384)
    with pytest.raises(CchcError) as err:
        flags_of(path, ["A"])
    assert codes(err) == ["part-too-large"] and err.value.problems[0].params["part"] == "Workbook"


# --- percent formats, merged marks and far cells --------------------------------------------------
# A unit as a test states it (conftest's sheets_for), written in each format with the thing under
# test as the programs that write the format store it: a score typed as "50%" (LibreOffice's
# percentage type; an XF or style whose number format is built-in 9 or a code with %), a mark
# merged down two rows (spans on the top-left cell and covered cells; MERGEDCELLS; BrtMergeCell).

Sheets = dict[str, list[list]]


def places(refs: tuple[str, ...]) -> set[tuple[str, int, int]]:
    """("Thẩm định!C7",) → {("Thẩm định", 6, 2)}"""
    return {(sheet, *split_ref(ref)) for sheet, _, ref in (item.partition("!") for item in refs)}


def ranges(merged: tuple[str, ...]) -> list[tuple[str, tuple[int, int], tuple[int, int]]]:
    """("Thẩm định!D18:D19",) → [("Thẩm định", (17, 3), (18, 3))]"""
    found = []
    for item in merged:
        sheet, _, cells = item.partition("!")
        first, last = (split_ref(ref) for ref in cells.split(":"))
        found.append((sheet, first, last))
    return found


def ods_book(path: Path, sheets: Sheets, percent: tuple[str, ...] = (),
             merged: tuple[str, ...] = ()) -> Path:
    """The sheets as an .ods; the cells in ``percent`` typed as percentages."""
    spans: dict[tuple[str, int, int], tuple[int, int]] = {}
    covered: set[tuple[str, int, int]] = set()
    for sheet, (r0, c0), (r1, c1) in ranges(merged):
        spans[(sheet, r0, c0)] = (r1 - r0 + 1, c1 - c0 + 1)
        covered |= {(sheet, r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        covered.discard((sheet, r0, c0))
    shown = places(percent)

    def cell(sheet: str, r: int, c: int, value: object) -> str:
        if (sheet, r, c) in covered:
            return "<table:covered-table-cell/>"
        rows, cols = spans.get((sheet, r, c), (1, 1))
        tag = "table:table-cell" + (f' table:number-rows-spanned="{rows}" '
                                    f'table:number-columns-spanned="{cols}"'
                                    if (rows, cols) != (1, 1) else "")
        if value in (None, ""):
            return f"<{tag}/>"
        if isinstance(value, str):
            kind, attr, text = "string", "", escape(value)
        else:
            kind = "percentage" if (sheet, r, c) in shown else "float"
            attr, text = f' office:value="{value}"', f"{value}"
        return (f'<{tag} office:value-type="{kind}"{attr} calcext:value-type="{kind}">'
                f"<text:p>{text}</text:p></table:table-cell>")

    return ods(path, {name: "".join(
        row(*(cell(name, r, c, v) for c, v in enumerate(values))) for r, values in enumerate(rows))
        for name, rows in sheets.items()})


def xls_book(path: Path, sheets: Sheets, percent: tuple[str, ...] = (),
             merged: tuple[str, ...] = (), number_format: int | str = 9) -> Path:
    """The sheets as BIFF8 (LABEL and NUMBER records) in a compound file; the cells in
    ``percent`` get XF 1, whose number format is ``number_format``: a built-in id, or a code
    of the file's own (a FORMAT record, id 164)."""
    shown = places(percent)
    if isinstance(number_format, str):
        extra = rec(0x041E, struct.pack("<HHB", 164, len(number_format), 1)
                    + number_format.encode("utf-16-le"))
        number_format = 164
    else:
        extra = b""
    extra += rec(0x00E0, bytes(20)) + rec(0x00E0, struct.pack("<HH", 0, number_format) + bytes(16))

    def record(sheet: str, r: int, c: int, value: object) -> bytes:
        if isinstance(value, str):
            return rec(0x0204, struct.pack("<HHHHB", r, c, 0, len(value), 1)
                       + value.encode("utf-16-le"))
        xf = 1 if (sheet, r, c) in shown else 0
        return rec(0x0203, struct.pack("<HHHd", r, c, xf, float(value)))

    def merge_record(sheet: str) -> list[bytes]:
        refs = [struct.pack("<4H", r0, r1, c0, c1)
                for name, (r0, c0), (r1, c1) in ranges(merged) if name == sheet]
        return [rec(0x00E5, struct.pack("<H", len(refs)) + b"".join(refs))] if refs else []

    path.write_bytes(compound(biff8({name: [
        record(name, r, c, v) for r, values in enumerate(rows) for c, v in enumerate(values)
        if v not in (None, "")] + merge_record(name) for name, rows in sheets.items()},
        extra=extra)))
    return path


def xlsb_styles(*number_formats: int | str) -> bytes:
    """xl/styles.bin: cell style 0 General, style i the i-th number format (a built-in id, or
    a code of the file's own, numbered from 164)."""
    r = make_xlsb.record
    custom = {164 + i: f for i, f in enumerate(number_formats) if isinstance(f, str)}
    ids = [f if isinstance(f, int) else 164 + i for i, f in enumerate(number_formats)]
    return (r(0x296) + r(0x267, struct.pack("<I", len(custom)))
            + b"".join(r(0x2C, struct.pack("<H", i) + make_xlsb.wide(code))
                       for i, code in custom.items()) + r(0x268)
            + r(0x269, struct.pack("<I", len(ids) + 1))
            + b"".join(r(0x2F, struct.pack("<HH", 0, i) + bytes(12)) for i in [0, *ids])
            + r(0x26A) + r(0x297))


def xlsb_book(path: Path, sheets: Sheets, percent: tuple[str, ...] = (),
              merged: tuple[str, ...] = (), number_format: int | str = 9) -> Path:
    """The sheets as make_xlsb writes them, with an xl/styles.bin whose style 1 has
    ``number_format``, given to the cells in ``percent``."""
    make_xlsb.write(path, {name: [["" if v is None else float(v) if isinstance(v, Decimal)
                                   else v for v in values] for values in rows]
                           for name, rows in sheets.items()})
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("xl/styles.bin", xlsb_styles(number_format))
    shown, r = places(percent), make_xlsb.record
    for i, sheet in enumerate(sheets, start=1):
        merges = [r(0xB0, struct.pack("<4I", r0, r1, c0, c1))
                  for name, (r0, c0), (r1, c1) in ranges(merged) if name == sheet]

        def change(data: bytes, sheet: str = sheet, merges: list[bytes] = merges) -> bytes:
            out, at_row = bytearray(data), -1
            for kind, at, _size in cellscan._records(data):
                if kind == make_xlsb.ROW_HDR:
                    at_row = struct.unpack_from("<I", data, at)[0]
                elif kind in (make_xlsb.CELL_REAL, make_xlsb.CELL_RK) and \
                        (sheet, at_row, struct.unpack_from("<I", data, at)[0]) in shown:
                    struct.pack_into("<I", out, at + 4, 1)  # iStyleRef
            end = r(make_xlsb.END_SHEET_DATA)
            return bytes(out).replace(end, end + r(0xB1, struct.pack("<I", len(merges)))
                                      + b"".join(merges) + r(0xB2)) if merges else bytes(out)

        hostile.rewrite(path, f"xl/worksheets/sheet{i}.bin", change)
    return path


BOOKS = {".ods": ods_book, ".xls": xls_book, ".xlsb": xlsb_book}


@pytest.mark.parametrize("suffix", sorted(BOOKS))
def test_a_score_shown_as_a_percentage_is_an_error_in_every_format(cli, tmp_path, sheets_for,
                                                                   suffix):
    sheets = sheets_for()
    cell = set_cell(sheets, SHEET, "1.1.4", "Điểm thẩm định", 0.5)
    path = BOOKS[suffix](tmp_path / f"STC{suffix}", sheets, percent=(f"{SHEET}!{cell}",))
    assert at(calamine_rows(path, SHEET), cell) == 0.5  # what calamine alone lets through
    problem = expect(cli, path, "percent-format", cell=cell, sheet=SHEET, criterion="1.1.4")
    assert "50 %" in problem["message"] and "0,5" in problem["message"]


@pytest.mark.parametrize("suffix", [".xls", ".xlsb"])
@pytest.mark.parametrize("number_format, shown", [
    (10, True), ("0.0%", True), ('#,##0.00" %"', False), ("0%;[Red]-0%", True),
    (2, False), ("0.00", False), ('"%"0', False)])
def test_which_number_formats_show_a_percentage(tmp_path, sheets_for, suffix, number_format,
                                                shown):
    sheets = sheets_for()
    cell = set_cell(sheets, SHEET, "1.1.4", "Điểm thẩm định", 0.5)
    path = BOOKS[suffix](tmp_path / f"STC{suffix}", sheets, percent=(f"{SHEET}!{cell}",),
                         number_format=number_format)
    found = cell_marks(path, names(path))
    assert found == ({SHEET: CellMarks(percent={cell: Decimal("0.5")})} if shown else {})


@pytest.mark.parametrize("suffix", sorted(BOOKS))
def test_a_merged_mark_marks_every_row_it_covers_in_every_format(cli, tmp_path, sheets_for,
                                                                 suffix):
    """As tests/test_hostile.py does for .xlsx. calamine reports no merged range for .ods
    and .xlsb: read from the file, the covered row would arise, its score missing."""
    sheets = sheets_for({"1.3.2": Entry(na=True, self_na=True), "1.3.3": Entry(self_na=True)})
    top = set_cell(sheets, SHEET, "1.3.2", "Không phát sinh", "x")
    below = set_cell(sheets, SHEET, "1.3.3", "Không phát sinh", None)
    set_cell(sheets, SHEET, "1.3.3", "Điểm thẩm định", None)  # covered: empty, as Excel
    path = BOOKS[suffix](tmp_path / f"STC{suffix}", sheets, merged=(f"{SHEET}!{top}:{below}",))
    book = calamine.CalamineWorkbook.from_path(str(path))
    try:
        assert bool(book.get_sheet_by_name(SHEET).merged_cell_ranges) == (suffix == ".xls")
    finally:
        book.close()
    assert read_book(path).merges[SHEET] == [(split_ref(top), split_ref(below))]
    assert_merged_mark_counts(cli, path, top, below)


def test_ods_far_cells_are_a_warning_naming_what_calamine_drops_too(cli, tmp_path, sheets_for):
    """A value in column KN, which calamine reads, and one past column XFD, which it drops
    without a word: one warning counts and names both, and the unit is scored."""
    sheets = sheets_for()
    path = ods_book(tmp_path / "STC.ods", sheets)
    last = len(sheets[SHEET])  # the first row below the table, 0-based
    end = f'</table:table><table:table table:name="{list(sheets)[3]}">'.encode()
    hostile.rewrite(path, "content.xml", lambda data: data.replace(
        end, (row(empty(299), number(5)) + row(empty(20000), number(7))).encode() + end))
    far = [cell_name(last, 299), cell_name(last + 1, 20000)]
    rows = calamine_rows(path, SHEET)
    assert at(rows, far[0]) == 5.0 and len(rows) == last + 1  # the second is gone
    problems = [p for p in read_book(path).problems if p.code == "far-cell"]
    assert [(p.sheet, p.cell, p.params["n"], p.params["cells"]) for p in problems] == [
        (SHEET, far[0], 2, ", ".join(far))]
    scored = cli("score", path)
    assert scored.exit_code == 0, scored.output
    assert f"{SHEET}!{far[0]}: 2 ô có dữ liệu nằm ngoài vùng đọc" in scored.stderr
    assert "[far-cell]" in scored.stderr and ", ".join(far) in scored.stderr


def test_ods_far_cells_are_counted_in_arithmetic_and_named_in_order(tmp_path):
    """Whatever a repeat spans past the grid (rows past 1,048,576 too, which calamine drops)
    costs one step; text counts when it has text, an empty string does not; column IV is
    the grid's last."""
    text = '<table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell>'
    rows = (row(number(1)) + row(empty(255), text.format("x"), text.format(""), number(2))
            + row(empty(300), '<table:table-cell office:value-type="string" '
                  'office:string-value=""/>', '<table:table-cell table:formula="of:=1"/>')
            + row(empty(), rep=limits.GRID_ROWS - 4) + row(number(3), rep=2)
            + row(empty(), rep=2_000_000) + row(number(4), rep=10**15)
            + row(empty(250), '<table:table-cell office:value-type="float" office:value="1" '
                  'table:number-columns-repeated="16384"/>', rep=1048576))
    path = ods(tmp_path / "far.ods", {"S": rows})
    marks = cell_marks(path, ["S"])["S"]
    after = limits.GRID_ROWS + 2 + 2_000_000  # the row of 4, from 1
    assert marks.far == ["IX2", "KP3", f"A{limits.GRID_ROWS + 1}", f"A{after}", f"A{after + 1}"]
    assert marks.far_count == 1 + 1 + 1 + 10**15 + 1048576 * 16384 \
        and not (marks.flags or marks.percent or marks.merges)


def test_ods_merged_ranges_as_calamine_would_place_them(tmp_path):
    def spanned(rows: int, cols: int, extra: str = "") -> str:
        return (f'<table:table-cell table:number-rows-spanned="{rows}" '
                f'table:number-columns-spanned="{cols}"{extra} office:value-type="string" '
                'office:string-value="x"/>')

    rows = (row(empty(2), spanned(2, 1)) + row(empty(2), "<table:covered-table-cell/>")
            + row(spanned(1, 3, ' table:number-columns-repeated="2"'), spanned(1, 1),
                  spanned(0, 2))
            + row('<table:covered-table-cell table:number-rows-spanned="3"/>',
                  spanned(10**9, 10**9))
            + row(empty(), rep=limits.GRID_ROWS) + row(spanned(2, 2)))
    path = ods(tmp_path / "merged.ods", {"S": rows})
    assert cell_marks(path, ["S"])["S"].merges == [
        ((0, 2), (1, 2)), ((2, 0), (2, 2)), ((2, 3), (2, 4)),
        ((3, 1), (limits.GRID_ROWS - 1, limits.GRID_COLUMNS - 1))]


def test_ods_percentages_are_named_with_their_value_within_the_budget(tmp_path):
    percent = ('<table:table-cell office:value-type="percentage" office:value="{}"{}>'
               "<text:p>x</text:p></table:table-cell>")
    rows = (row(percent.format("0.123456789012345678", ""),
                percent.format("1", ' table:number-columns-repeated="2"'),
                percent.format("NaN", ""), number(5), rep=2)
            + row('<table:table-cell office:value-type="float" office:value="0.5"/>'))
    path = ods(tmp_path / "percent.ods", {"S": rows})
    assert cell_marks(path, ["S"]) == {"S": CellMarks(percent={
        f"{c}{r}": Decimal(v) for r in (1, 2)
        for c, v in zip("ABC", ["0.123456789012346", "1", "1"], strict=True)})}
    whole = ods(tmp_path / "whole.ods", {"S": row(percent.format(
        "0.5", ' table:number-columns-repeated="16384"'), rep=1048576)})
    with pytest.raises(CchcError) as err:
        cell_marks(whole, ["S"])
    assert codes(err) == ["sheet-too-many-cells"]


@pytest.mark.parametrize("rk, value", [
    (5 << 2 | 2, "5"), ((-7 & 0x3FFF_FFFF) << 2 | 2, "-7"), (50 << 2 | 3, "0.5"),
    (0x3FE0_0000, "0.5"), (0x4059_0000 | 1, "1"), (0xC000_0000, "-2")])
def test_rk_numbers(rk, value):
    assert cellscan._rk(rk) == Decimal(value)


def test_xls_numbers_shown_as_percentages_in_every_record(tmp_path):
    """NUMBER, RK, MULRK and a FORMULA's number, by their XF (built-in 10, or a FORMAT of the
    file's own); a FORMULA's string and a number in another XF are not."""
    extra = (rec(0x041E, struct.pack("<HHB", 170, 5, 0) + b"0.0 %")
             + rec(0x041E, struct.pack("<HHB", 171, 5, 0) + b'0"%"0')
             + b"".join(rec(0x00E0, struct.pack("<HH", 0, fmt) + bytes(16))
                        for fmt in (0, 10, 170, 171)))
    cells = [rec(0x0203, struct.pack("<HHHd", 0, 0, 1, 0.25)),
             rec(0x0203, struct.pack("<HHHd", 0, 1, 3, 0.25)),  # the % is quoted: text
             rec(0x027E, struct.pack("<HHHI", 1, 0, 2, 75 << 2 | 3)),
             rec(0x00BD, struct.pack("<HH", 2, 3) + struct.pack("<HI", 1, 0x3FF0_0000)
                 + struct.pack("<HI", 0, 0x3FF0_0000) + struct.pack("<HI", 2, 3 << 2 | 2)
                 + struct.pack("<H", 5)),
             rec(0x0006, struct.pack("<HHHd", 3, 0, 1, 0.5) + struct.pack("<HIH", 0, 0, 3)
                 + b"\x1e\x01\x00"),
             formula(4, 0, STRING_RESULT), string_rec("0.5")]
    path = tmp_path / "percent.xls"
    path.write_bytes(compound(biff8({"A": cells}, extra=extra)))
    rows = calamine_rows(path, "A")
    assert [at(rows, ref) for ref in ("A1", "A2", "D3", "F3", "A4", "A5")] == [
        0.25, 0.75, 1.0, 3, 0.5, "0.5"]
    assert cell_marks(path, ["A"]) == {"A": CellMarks(percent={
        "A1": Decimal("0.25"), "A2": Decimal("0.75"), "D3": Decimal("1"), "F3": Decimal("3"),
        "A4": Decimal("0.5")})}


def test_xlsb_percentages_by_cell_style_and_merged_ranges(tmp_path):
    """Style 1 shows a percentage; the cell styles of BrtBeginCellStyleXFs do not count.
    Cells past the rows calamine reads are not named, merged ranges after them are."""
    r = make_xlsb.record

    def cell(kind: int, col: int, style: int, payload: bytes) -> bytes:
        return r(kind, struct.pack("<II", col, style) + payload)

    styles = (r(0x272, struct.pack("<I", 1)) + r(0x2F, struct.pack("<HH", 0, 9) + bytes(12))
              + r(0x273) + xlsb_styles(10, "0.00"))
    part = xlsb_part(row_header(0), cell(make_xlsb.CELL_RK, 0, 1, struct.pack("<I", 50 << 2 | 3)),
                     cell(make_xlsb.CELL_REAL, 1, 2, struct.pack("<d", 0.5)),
                     cell(make_xlsb.CELL_REAL, 2, 0x0100_0001, struct.pack("<d", 0.5)),
                     cell(0x09, 3, 1, struct.pack("<dH", 0.25, 0) + bytes(8)),
                     row_header(cellscan._XLSB_LAST_ROW + 1),
                     cell(make_xlsb.CELL_REAL, 0, 1, struct.pack("<d", 0.5)))
    part = part.replace(r(make_xlsb.END_SHEET), r(0xB1, struct.pack("<I", 3)) + b"".join(
        r(0xB0, struct.pack("<4I", *box)) for box in
        [(1, 2, 0, 0), (0, 2**32 - 1, 5, 2**31), (limits.GRID_ROWS, limits.GRID_ROWS + 1, 0, 0)])
        + r(0xB2) + r(make_xlsb.END_SHEET))
    path = tmp_path / "styled.xlsb"
    make_xlsb.write(path, {"A": [["x"]]})
    hostile.rewrite(path, "xl/worksheets/sheet1.bin", lambda _: part)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("xl/styles.bin", styles)
    rows = calamine_rows(path, "A")
    assert [at(rows, ref) for ref in ("A1", "B1", "C1")] == [0.5, 0.5, 0.5]
    assert cell_marks(path, ["A"]) == {"A": CellMarks(
        percent={"A1": Decimal("0.5"), "C1": Decimal("0.5"), "D1": Decimal("0.25")},
        merges=[((1, 0), (2, 0)), ((0, 5), (limits.GRID_ROWS - 1, limits.GRID_COLUMNS - 1))])}
