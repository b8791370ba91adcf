"""Error cells and formulas without a value in .ods, .xlsb and .xls, which python-calamine reads
as empty: each is named (cellscan.error_cells) and refused by the engine, at the cell calamine
places it; every hostile or broken file ends in no flags or a catalogued problem."""

from __future__ import annotations

import struct
import sys
import zipfile
from pathlib import Path

import pytest
import python_calamine as calamine

from cchc_cli import cellscan, limits
from cchc_cli.cellscan import error_cells
from cchc_cli.isolated import read_book
from cchc_cli.problems import CchcError
from cchc_cli.xlsxscan import cell_name

from . import hostile
from .test_bad_input import expect

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
    assert error_cells(path, names(path)) == FOUND[suffix]


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
        assert error_cells(path, names(path)) == {}


def test_the_child_reader_carries_the_flags_and_survives_a_bug_in_the_scanner(monkeypatch):
    path = FIXTURES / "error-cells" / "STC.ods"
    assert read_book(path).flags == FOUND[".ods"]

    def broken(*_args):
        raise IndexError("a bug")

    monkeypatch.setattr(cellscan, "error_cells", broken)
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
    found = error_cells(errors, ["S"])["S"]
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
    assert error_cells(path, ["S"]) == {"S": {
        "B1": ("formula", "=[.A1]*2"), "C1": ("formula", "=[.A1]"),
        "F1": ("error", "#N/A"), "G1": ("error", "Err:502")}}


def test_an_ods_error_spelled_with_a_character_reference_is_found(tmp_path):
    path = ods(tmp_path / "ref.ods", {"S": row(number(1), '<table:table-cell office:value-type='
                                              '"string" office:string-value="" calcext:value-type='
                                              '"&#101;rror"><text:p>#REF!</text:p>'
                                              "</table:table-cell>")})
    assert error_cells(path, ["S"]) == {"S": {"B1": ("error", "#REF!")}}


def test_ods_sheets_are_named_as_calamine_names_them(tmp_path):
    path = ods(tmp_path / "two.ods", {"A": row(number(1)), "B": row(cell("E"))})
    assert error_cells(path, ["A", "B"]) == {"B": {"A1": ("error", "#DIV/0!")}}
    # names decoded otherwise by calamine: by position
    assert error_cells(path, ["a", "b"]) == {"b": {"A1": ("error", "#DIV/0!")}}
    # a different count of sheets: by name
    assert error_cells(path, ["X", "B", "Y"]) == {"B": {"A1": ("error", "#DIV/0!")}}


def test_a_hostile_ods_with_huge_repeats_costs_nothing(tmp_path):
    """Whole-sheet repeats around a value and after an error: nothing is expanded beyond the
    grid (were it, this would build 17 billion cells)."""
    rows = (row(empty(16384), rep=1048576) + row(empty(16383), number(1), rep=1048576)
            + row(cell("E"), empty(16384), rep=1048576))
    path = ods(tmp_path / "huge.ods", {"S": row(empty(9), cell("E")) + rows})
    assert error_cells(path, ["S"]) == {"S": {"J1": ("error", "#DIV/0!")}}


def test_an_ods_error_repeated_over_the_whole_sheet_is_refused(tmp_path):
    path = ods(tmp_path / "all.ods", {"S": row(cell("E", 16384), rep=1048576)})
    with pytest.raises(CchcError) as err:
        error_cells(path, ["S"])
    assert codes(err) == ["sheet-too-many-cells"] and err.value.problems[0].sheet == "S"


def test_an_ods_error_repeated_within_the_budget_is_named_cell_by_cell(tmp_path):
    path = ods(tmp_path / "block.ods", {"S": row(number(1)) + row(cell("E", 300), rep=20)})
    flags = error_cells(path, ["S"])["S"]
    assert len(flags) == 20 * limits.GRID_COLUMNS and "IV21" in flags and "A22" not in flags


def test_ods_doctype_is_refused_even_after_calamine_read_it(cli, tmp_path):
    path = ods(tmp_path / "STC.ods", {"S": row(number(1))}, head="<!DOCTYPE x [<!ENTITY e 'x'>]>")
    with pytest.raises(CchcError) as err:
        error_cells(path, ["S"])
    assert codes(err) == ["unsafe-xml"]
    scored = cli("score", path)
    assert scored.exit_code == 1 and "[unsafe-xml]" in scored.stderr


def test_a_broken_ods_ends_in_no_flags_or_a_catalogued_problem(tmp_path):
    good = FIXTURES / "error-cells" / "STC.ods"
    garbage = tmp_path / "garbage.ods"
    garbage.write_bytes(b"not a zip at all" * 100)
    assert error_cells(garbage, ["S"]) == {}
    cut = tmp_path / "cut.ods"
    cut.write_bytes(good.read_bytes()[:9000])
    with pytest.raises(CchcError) as err:
        error_cells(cut, names(good))
    assert codes(err) == ["unreadable-workbook"]
    unclosed = tmp_path / "unclosed.ods"
    unclosed.write_bytes(good.read_bytes())
    hostile.rewrite(unclosed, "content.xml", lambda data: data[:data.index(b"#DIV/0!") + 9])
    with pytest.raises(CchcError) as err:
        error_cells(unclosed, names(good))
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
    assert error_cells(path, ["A", "B"]) == {"B": {
        cell_name(2, c): ("error", cellscan.ERRORS[code]) for c, code in enumerate(codes_)}}
    # a typed error value (BrtCellError) rather than a formula's, and an unknown code
    part = xlsb_part(row_header(0), make_xlsb.cell(make_xlsb.CELL_ERROR, 3, b"\x17"),
                     row_header(limits.GRID_ROWS - 1),
                     make_xlsb.cell(make_xlsb.FMLA_ERROR, 0, b"\x63\0\0" + bytes(8)),
                     row_header(limits.GRID_ROWS),  # beyond the grid: not read
                     make_xlsb.cell(make_xlsb.CELL_ERROR, 0, b"\x07"))
    hostile.rewrite(path, "xl/worksheets/sheet1.bin", lambda _: part)
    assert at(calamine_rows(path, "A"), "D1") == ""
    assert error_cells(path, ["A", "B"])["A"] == {
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
        error_cells(path, ["A"])
    assert codes(err) == ["corrupt-part"]
    path = tmp_path / "version.xlsb"
    make_xlsb.write(path, {"A": [["x"]]})
    data = bytearray(path.read_bytes())
    central = data.index(b"PK\x01\x02")
    data[central + 6] = 70  # "version needed to extract": 7.0, which zipfile does not read
    path.write_bytes(bytes(data))
    with pytest.raises(CchcError) as err:
        error_cells(path, ["A"])
    assert codes(err) == ["unreadable-workbook"]
    path = tmp_path / "encoding.xlsb"
    make_xlsb.write(path, {"A": [["x"]]})
    hostile.rewrite(path, "xl/_rels/workbook.bin.rels",
                    lambda data: data.replace(b'encoding="UTF-8"', b'encoding="UTw-8"'))
    with pytest.raises(CchcError) as err:
        error_cells(path, ["A"])
    assert codes(err) == ["malformed-xml"]


def test_a_broken_xlsb_ends_in_no_flags_or_a_catalogued_problem(tmp_path):
    path = tmp_path / "cut.xlsb"
    make_xlsb.write(path, {"A": [["x"]]}, errors={"A": {(0, 1): make_xlsb.Error("#N/A")}})
    part = xlsb_part(row_header(0), make_xlsb.cell(make_xlsb.CELL_ERROR, 1, b"\x2a"))
    for cut in range(len(part)):  # a record cut anywhere ends the part quietly
        hostile.rewrite(path, "xl/worksheets/sheet1.bin", lambda _, cut=cut: part[:cut])
        assert error_cells(path, ["A"]) in ({}, {"A": {"B1": ("error", "#N/A")}})
    hostile.rewrite(path, "xl/workbook.bin", lambda data: data[:7])
    assert error_cells(path, ["A"]) == {}
    garbage = tmp_path / "garbage.xlsb"
    garbage.write_bytes(b"PK\x03\x04" + bytes(500))
    with pytest.raises(CchcError) as err:
        error_cells(garbage, ["A"])
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
    assert error_cells(path, ["A", "Bảng"]) == {"Bảng": XLS_FLAGS}


def test_xls_sheets_sharing_a_substream_cost_one_pass(tmp_path):
    names = [f"S{i}" for i in range(3000)]
    head = bof(5) + rec(0x0042, struct.pack("<H", 1200))
    pos = len(head) + sum(len(boundsheet(n, 0)) for n in names) + len(rec(EOF))
    stream = head + b"".join(boundsheet(n, pos) for n in names) + rec(EOF) \
        + bof(0x10) + b"".join(CELLS) + rec(EOF)
    path = tmp_path / "many.xls"
    path.write_bytes(compound(stream))
    found = error_cells(path, names)
    assert len(found) == 3000 and found["S2999"] == XLS_FLAGS


def test_xls_that_is_not_plain_biff8_gives_no_flags(tmp_path):
    path = tmp_path / "odd.xls"
    path.write_bytes(compound(biff8({"A": CELLS}, version=0x0500, pad=5000)))  # BIFF5
    assert error_cells(path, ["A"]) == {}
    path.write_bytes(compound(biff8({"A": CELLS}, extra=rec(FILEPASS, b"\1\0" + bytes(52)))))
    assert error_cells(path, ["A"]) == {}
    path.write_bytes(compound(biff8({"A": CELLS}), name="Other"))  # no Workbook stream
    assert error_cells(path, ["A"]) == {}


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
    assert error_cells(path, ["A"]) in ({}, {"A": XLS_FLAGS})
    far = bytearray(good)
    struct.pack_into("<I", far, fat_at, 0x7FFF_FFF0)  # a chain that leaves the file
    struct.pack_into("<109I", far, 76, *([0x7FFF_FFF0] * 109))  # FAT sectors past the end too
    path.write_bytes(bytes(far))
    assert error_cells(path, ["A"]) == {}
    difat = bytearray(good)
    struct.pack_into("<2I", difat, 68, 0, 1)  # a DIFAT chain through the stream's sectors
    path.write_bytes(bytes(difat))
    assert error_cells(path, ["A"]) in ({}, {"A": XLS_FLAGS})
    for cut in (0, 100, 511, 600, 1500, len(good) // 2, len(good) - 1):
        path.write_bytes(good[:cut])
        assert error_cells(path, ["A"]) in ({}, {"A": XLS_FLAGS}), cut
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(range(256)) * 8)
    assert error_cells(path, ["A"]) == {}


def test_an_xls_stream_past_the_budget_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "big.xls"
    path.write_bytes(compound(biff8({"A": CELLS}, pad=20_000)))
    monkeypatch.setattr(limits, "PART_BYTES", 16_384)
    with pytest.raises(CchcError) as err:
        error_cells(path, ["A"])
    assert codes(err) == ["part-too-large"] and err.value.problems[0].params["part"] == "Workbook"
