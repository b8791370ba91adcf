"""What python-calamine cannot tell about the cells of an .ods, .xlsb or .xls, read from the file
itself after calamine has read it (:mod:`cchc_cli.reading.xlsx` looks at an .xlsx/.xlsm first):

* cells holding an error or a formula without a value: calamine returns ``''`` for ``#DIV/0!``
  and for a formula nobody computed, as for an empty cell, and a #DIV/0! in an optional column
  (the second appraisal round) would then silently let the first round's figure stand;
* numeric cells displayed as a percentage: "50%" typed into a score cell holds 0.5;
* merged ranges, which calamine does not report for .ods and .xlsb: a "Không phát sinh" mark
  merged down two rows marks both;
* in an .ods, content beyond the grid the tool reads, including what calamine drops without a
  word (past column XFD or row 1,048,576), so that the far-cell warning names it.

Every cell is named as calamine places it (row and column from A1); each format is one pass:

* .ods: ``content.xml`` with expat, counting repeated rows and cells as calamine does but
  never expanding a repeat beyond the grid the tool reads (a row repeated 1,048,576 times costs
  one step). An error is what LibreOffice writes (``calcext:value-type="error"``, its text in
  ``<text:p>``); a formula without a value has ``table:formula`` and no value at all; a
  percentage is ``office:value-type="percentage"``; a merged range is
  ``table:number-rows-spanned`` / ``table:number-columns-spanned`` on its top-left cell.
* .xlsb ([MS-XLSB]): ``BrtCellError`` and ``BrtFmlaError`` records; number records
  (``BrtCellRk``, ``BrtCellReal``, ``BrtFmlaNum``) whose style's number format in
  ``xl/styles.bin`` is a percentage; ``BrtMergeCell``.
* .xls (BIFF8 in a compound file, [MS-XLS], [MS-CFB]): ``BOOLERR`` records holding an error,
  ``FORMULA`` records whose cached result is an error, or a string whose ``STRING`` record never
  comes; ``NUMBER``, ``RK``, ``MULRK`` and numeric ``FORMULA`` records whose XF's number format
  (a ``FORMAT`` record, or built-in 9 and 10) is a percentage. calamine reports .xls merges
  itself. BIFF5 and older, and encrypted files, are not looked at.

A number format is a percentage as :func:`cchc_cli.reading.xlsx._format_kind` decides for .xlsx.
Every read is bounded by :mod:`cchc_cli.reading.limits` (a part or stream past ``PART_BYTES`` is
refused; a sector chain that loops or leaves the file ends; a sheet with more marked cells than
``SHEET_CELLS`` is refused) and linear in the file's size. A file this module does not
understand gives no marks; one past the budget, a catalogued problem.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from cchc_cli.model.decimals import excel_decimal, excel_number
from cchc_cli.model.problems import CchcError, Problem
from cchc_cli.model.unit import cell_name
from cchc_cli.reading import limits
from cchc_cli.reading.xlsx import (
    _BUILTIN_PERCENT,
    Archive,
    Flags,
    Merge,
    _format_kind,
    _mib,
    is_zip,
    parse_xml,
    refuse,
)

FAR_NAMED = 5  # far cells named in the warning; all are counted


@dataclass
class CellMarks:
    """One sheet's cells as calamine cannot see them."""

    flags: Flags = field(default_factory=dict)  # cell → ("error" | "formula", what it holds)
    percent: dict[str, Decimal] = field(default_factory=dict)  # cell → its value, shown as %
    merges: list[Merge] = field(default_factory=list)  # within the grid
    far: list[str] = field(default_factory=list)  # the first far cells with content (.ods)
    far_count: int = 0

    def __bool__(self) -> bool:
        return bool(self.flags or self.percent or self.merges or self.far_count)

    def mark(self, table: dict[str, Any], row: int, col: int, value: Any, file: str,
             sheet: str) -> None:
        """Mark one cell, if it lies within the grid; past the cell budget the sheet is
        refused."""
        if row < limits.GRID_ROWS and col < limits.GRID_COLUMNS:
            if len(self.flags) + len(self.percent) >= limits.SHEET_CELLS:
                raise _too_many(file, sheet)
            table[cell_name(row, col)] = value

    def merge(self, first: tuple[int, int], last: tuple[int, int]) -> None:
        """A merged range whose top-left cell lies within the grid, cut to the grid (the
        cells beyond it are not read)."""
        (r0, c0), (r1, c1) = first, last
        if r0 < limits.GRID_ROWS and c0 < limits.GRID_COLUMNS and r1 >= r0 and c1 >= c0:
            self.merges.append(((r0, c0), (min(r1, limits.GRID_ROWS - 1),
                                           min(c1, limits.GRID_COLUMNS - 1))))


Found = list[tuple[str, CellMarks]]  # each sheet's marks, in the workbook's own order

# BErr codes ([MS-XLSB] 2.5.97.2, [MS-XLS] 2.5.10), the texts Excel shows
ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?",
          0x24: "#NUM!", 0x2A: "#N/A", 0x2B: "#GETTING_DATA"}


def error_text(code: int) -> str:
    return ERRORS.get(code, f"#ERR{code:02X}")


def cell_marks(path: Path, names: list[str]) -> dict[str, CellMarks]:
    """Per sheet (named as calamine names them, ``names`` in workbook order), the cells holding
    an error ("error", "#DIV/0!") or a formula without a value ("formula", "=…"), the numeric
    cells shown as a percentage, the merged ranges calamine does not report, and the far cells
    of an .ods; sheets with none of these are left out. Raises :class:`CchcError` for a file
    past the budget."""
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        return {}
    return _by_name(reader(path), names, first_wins=path.suffix.lower() == ".xlsb")


def _by_name(found: Found, names: list[str], first_wins: bool) -> dict[str, CellMarks]:
    """The marks under calamine's sheet names: by position when both list the same number of
    sheets (names decoded alike or not), else by the names as decoded here. For two sheets of
    one name, calamine reads the last (.ods, .xls) or the first (.xlsb)."""
    known = set(names)
    pairs = zip(names, (m for _, m in found), strict=True) if len(found) == len(names) else (
        (name, marks) for name, marks in found if name in known)
    result: dict[str, CellMarks] = {}
    seen: set[str] = set()
    for name, marks in pairs:
        if first_wins and name in seen:
            continue
        seen.add(name)
        if marks:
            result[name] = marks
        else:
            result.pop(name, None)
    return result


def _too_many(file: str, sheet: str) -> CchcError:
    return CchcError([Problem("sheet-too-many-cells", file=file, sheet=sheet,
                              params={"limit": f"{limits.SHEET_CELLS:,}"})])


def _count(text: str | None) -> int:
    """A repeat count as written; anything else counts once (calamine refuses it anyway)."""
    if text is None or not (text.isascii() and text.isdigit()) or len(text) > 18:
        return 1
    return int(text)


def _is_percent(number_format: int, custom: dict[int, str]) -> bool:
    """Whether a number format id shows a percentage: by its code when the file defines it,
    else as built-in 9 ("0%") and 10 ("0.00%")."""
    code = custom.get(number_format)
    if code is not None:
        return _format_kind(code) == "percent"
    return number_format in _BUILTIN_PERCENT


def _rk(rk: int) -> Decimal:
    """An RkNumber ([MS-XLS] 2.5.217, [MS-XLSB] 2.5.122): 30 bits of a signed integer or of a
    double's high word, divided by 100 when bit 0 says so."""
    if rk & 2:
        number = Decimal((rk - (1 << 32) if rk & 0x8000_0000 else rk) >> 2)
    else:
        number = excel_decimal(struct.unpack("<d", struct.pack("<II", 0, rk & 0xFFFF_FFFC))[0])
    return excel_decimal(number.scaleb(-2)) if rk & 1 else number


# --- .ods --------------------------------------------------------------------------------------

_VALUE_ATTRS = ("office:value", "office:string-value", "office:date-value", "office:time-value",
                "office:boolean-value")
_CELLS = ("table:table-cell", "table:covered-table-cell")
_SPANS = ("table:number-rows-spanned", "table:number-columns-spanned")


class _OdsScan:
    """expat callbacks over content.xml. Names are matched with their usual prefixes, exactly
    as calamine matches them (a file with other prefixes has no sheets for calamine)."""

    def __init__(self, file: str):
        self.file = file
        self.found: Found = []
        self.marks: CellMarks | None = None  # the named table being read
        self.name = ""
        self.tables = 0  # table:table elements open inside it
        self.in_row = False
        self.row = self.rows = self.col = 0  # the row's first index and repeat; next column
        self.depth = 0  # elements open inside the current cell (0: not in a cell)
        self.notes = 0  # office:annotation elements open inside the cell
        # (column, repeat) of the current cell when its text matters: an error cell (the text
        # is the error), a text cell reaching past the grid (whether it is content)
        self.error: tuple[int, int] | None = None
        self.far: tuple[int, int] | None = None
        self.text: list[str] = []

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if self.depth:
            self.depth += 1
            if tag == "office:annotation":
                self.notes += 1
            return
        if tag == "table:table":
            if self.marks is not None:
                self.tables += 1
            elif "table:name" in attrs:
                self.marks, self.name, self.tables, self.row = CellMarks(), \
                    attrs["table:name"], 1, 0
            return
        if self.marks is None:
            return
        if tag == "table:table-row" and not self.in_row:
            self.in_row, self.col = True, 0
            self.rows = _count(attrs.get("table:number-rows-repeated"))
        elif tag in _CELLS and self.in_row:
            self.depth, self.text = 1, []
            col, repeat = self.col, _count(attrs.get("table:number-columns-repeated"))
            self.col += repeat
            if self.row + self.rows > limits.GRID_ROWS or col + repeat > limits.GRID_COLUMNS:
                self._far(col, repeat, attrs)
            if self.row >= limits.GRID_ROWS or col >= limits.GRID_COLUMNS:
                return
            if tag == "table:table-cell" and (_SPANS[0] in attrs or _SPANS[1] in attrs):
                self._merge(col, attrs)
            if attrs.get("calcext:value-type") == "error":
                self.error = (col, repeat)
            elif "table:formula" in attrs and attrs.get("office:value-type") != "string" \
                    and not any(key in attrs for key in _VALUE_ATTRS):
                self._mark(self.marks.flags, col, repeat,
                           ("formula", _formula(attrs["table:formula"])))
            if attrs.get("office:value-type") == "percentage" and "office:value" in attrs:
                value = excel_number(attrs["office:value"])
                if value is not None:
                    self._mark(self.marks.percent, col, repeat, value)

    def _merge(self, col: int, attrs: dict[str, str]) -> None:
        """A merged range from this cell, if it spans more than itself; only the first of
        repeated cells is taken (a repeat would lie under the first one's range)."""
        rows, cols = (max(1, _count(attrs.get(span))) for span in _SPANS)
        if (rows > 1 or cols > 1) and self.marks is not None:
            self.marks.merge((self.row, col), (self.row + rows - 1, col + cols - 1))

    def end(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1
            if tag == "office:annotation":
                self.notes -= 1
            if not self.depth:
                self._cell_done()
            return
        if self.marks is None:
            return
        if tag == "table:table-row" and self.in_row:
            self.in_row = False
            self.row += self.rows
        elif tag == "table:table":
            self.tables -= 1
            if not self.tables:
                self.found.append((self.name, self.marks))
                self.marks = None

    def characters(self, data: str) -> None:
        if (self.error is not None or self.far is not None) and not self.notes:
            self.text.append(data)

    def _cell_done(self) -> None:
        if self.error is not None and self.marks is not None:
            shown = "".join(self.text).strip().split("\n")[0][:60] or "#ERR"
            self._mark(self.marks.flags, *self.error, ("error", shown))
        if self.far is not None and any(self.text):
            self._far_cells(*self.far)
        self.error = self.far = None

    def _mark(self, table: dict[str, Any], col: int, repeat: int, value: Any) -> None:
        """Mark the cell at ``col`` on the current row, repeated across and down as written,
        within the grid only; past the cell budget the sheet is refused."""
        marks = self.marks
        assert marks is not None
        rows = range(self.row, min(self.row + self.rows, limits.GRID_ROWS))
        cols = range(col, min(col + repeat, limits.GRID_COLUMNS))
        if len(marks.flags) + len(marks.percent) + len(rows) * len(cols) > limits.SHEET_CELLS:
            raise _too_many(self.file, self.name)
        for r in rows:
            for c in cols:
                table[cell_name(r, c)] = value

    def _far(self, col: int, repeat: int, attrs: dict[str, str]) -> None:
        """A cell reaching past the grid: content if it has a formula or a value (an empty
        string is none); a text cell's content is its text, known at its end."""
        if "table:formula" in attrs or any(attrs.get(key) for key in _VALUE_ATTRS):
            self._far_cells(col, repeat)
        elif attrs.get("office:value-type") == "string" and \
                not any(key in attrs for key in _VALUE_ATTRS):
            self.far = (col, repeat)

    def _far_cells(self, col: int, repeat: int) -> None:
        """Count the cells of this repeat that lie past the grid, and name the first few, in
        arithmetic: a repeat may reach far past the rows and columns any sheet has."""
        marks = self.marks
        assert marks is not None
        top, bottom, right = self.row, self.row + self.rows, col + repeat
        inside = max(0, min(bottom, limits.GRID_ROWS) - top) * \
            max(0, min(right, limits.GRID_COLUMNS) - col)
        far = self.rows * repeat - inside
        if not far:
            return
        marks.far_count += far
        r = top
        while r < bottom and len(marks.far) < FAR_NAMED:
            first = col if r >= limits.GRID_ROWS else max(col, limits.GRID_COLUMNS)
            if first >= right:  # a row within the grid whose cells are too: so are the rows
                r = limits.GRID_ROWS  # down to the grid's last
                continue
            marks.far += [cell_name(r, c) for c in
                          range(first, min(right, first + FAR_NAMED - len(marks.far)))]
            r += 1


def _formula(text: str) -> str:
    """"of:=1/0" → "=1/0": the formula without its namespace prefix."""
    head, eq, body = text.partition("=")
    return "=" + (body if (eq and ":" in head) or not head else text)


# Without these bytes no cell can be marked: no formula, no "error" (an attribute value can
# spell it with a character reference), no percentage, no merged range, no repeat and no DOCTYPE
# to refuse; and without as many rows or cells as the grid has, none lies past it. The parse is
# then skipped (LibreOffice always writes repeats: this is for other writers).
_ODS_CAREFUL = (b"table:formula", b"error", b"&#", b"<!", b"percentage", b"-spanned",
                b"-repeated")


def _ods(path: Path) -> Found:
    if not is_zip(path):
        return []
    archive, part = Archive(path), "content.xml"
    try:
        if not archive.has(part):
            return []
        data = archive.read(part, keep=False)
    finally:
        archive.close()
    if not any(token in data for token in _ODS_CAREFUL) and \
            data.count(b"table-row") < limits.GRID_ROWS and \
            data.count(b"table-cell") < limits.GRID_COLUMNS:
        return []
    scan = _OdsScan(str(path))
    parse_xml(data, scan.file, part, scan.start, scan.end, scan.characters)
    return scan.found


# --- .xlsb -------------------------------------------------------------------------------------

_ROW_HDR, _CELL_RK, _CELL_ERROR, _CELL_REAL, _FMLA_NUM, _FMLA_ERROR = \
    0x00, 0x02, 0x03, 0x05, 0x09, 0x0B
_BUNDLE_SH, _END_BUNDLE_SHS, _BEGIN_SHEET_DATA, _END_SHEET_DATA = 0x9C, 0x90, 0x91, 0x92
_MERGE_CELL = 0xB0
_FMT, _XF, _BEGIN_CELL_XFS, _END_CELL_XFS = 0x2C, 0x2F, 0x269, 0x26A
_XLSB_LAST_ROW = 0x10_0000  # calamine stops reading a sheet at a row past this


def _records(data: bytes, start: int = 0):
    """BIFF12 records as (type, body offset, body size): a type of 1–2 bytes and a size of
    1–4 bytes, 7 bits each, the high bit meaning "more". A record cut short ends the part."""
    n, i = len(data), start
    while i < n:
        b = data[i]
        i += 1
        kind = b & 0x7F
        if b & 0x80:
            if i >= n:
                return
            kind |= (data[i] & 0x7F) << 7
            i += 1
        size = 0
        for shift in (0, 7, 14, 21):
            if i >= n:
                return
            b = data[i]
            i += 1
            size |= (b & 0x7F) << shift
            if not b & 0x80:
                break
        if i + size > n:
            return
        yield kind, i, size
        i += size


def _wide(data: bytes, at: int, end: int) -> tuple[str, int] | None:
    """An XLWideString (count of UTF-16 units, then UTF-16LE) and where it ends."""
    if at + 4 > end:
        return None
    count = struct.unpack_from("<I", data, at)[0]
    if count == 0xFFFF_FFFF or at + 4 + 2 * count > end:
        return None
    stop = at + 4 + 2 * count
    return data[at + 4:stop].decode("utf-16-le", "replace"), stop


def _xlsb_sheets(book: bytes) -> list[tuple[str, str]]:
    """(sheet name, relationship id) of each BrtBundleSh in xl/workbook.bin, in order; a sheet
    without a relationship is left out, as calamine leaves it out."""
    sheets = []
    for kind, at, size in _records(book):
        if kind == _END_BUNDLE_SHS:
            break
        if kind == _BUNDLE_SH:
            rel = _wide(book, at + 8, at + size)
            name = _wide(book, rel[1], at + size) if rel else None
            if rel and name:
                sheets.append((name[0], rel[0]))
    return sheets


def _xlsb_percent_styles(styles: bytes) -> set[int]:
    """The cell styles (BrtXF records after BrtBeginCellXFs, numbered from 0, as calamine and
    a cell's iStyleRef count them) whose number format is a percentage; a format's code is in
    a BrtFmt record (its id, then an XLWideString)."""
    custom: dict[int, str] = {}
    percent: set[int] = set()
    index, in_cell_xfs = 0, False
    for kind, at, size in _records(styles):
        if kind == _FMT and size >= 6:
            code = _wide(styles, at + 2, at + size)
            if code:
                custom[struct.unpack_from("<H", styles, at)[0]] = code[0]
        elif kind == _BEGIN_CELL_XFS:
            in_cell_xfs = True
        elif kind == _END_CELL_XFS:
            break
        elif kind == _XF and in_cell_xfs and size >= 4:
            if _is_percent(struct.unpack_from("<H", styles, at + 2)[0], custom):
                percent.add(index)
            index += 1
    return percent


def _xlsb_sheet(data: bytes, percent: set[int], file: str, name: str) -> CellMarks:
    """A sheet part's error cells and percent-formatted numbers (in the rows calamine reads),
    and its merged ranges (after the cells)."""
    marks = CellMarks()
    row, state = 0, "before"  # "before" the sheet data, "cells" in it, "after" it
    unpack = struct.unpack_from
    for kind, at, size in _records(data):
        if state == "before":
            if kind == _BEGIN_SHEET_DATA:
                state = "cells"
        elif state == "cells":
            if kind == _ROW_HDR and size >= 4:
                row = unpack("<I", data, at)[0]
                if row > _XLSB_LAST_ROW:
                    state = "after"
            elif kind in (_CELL_ERROR, _FMLA_ERROR) and size >= 9:
                marks.mark(marks.flags, row, unpack("<I", data, at)[0],
                           ("error", error_text(data[at + 8])), file, name)
            elif percent and kind in (_CELL_RK, _CELL_REAL, _FMLA_NUM) and size >= 12 and \
                    (unpack("<I", data, at + 4)[0] & 0xFF_FFFF) in percent:  # iStyleRef: 24 bits
                if kind == _CELL_RK:
                    value = _rk(unpack("<I", data, at + 8)[0])
                elif size >= 16:
                    value = excel_decimal(unpack("<d", data, at + 8)[0])
                else:
                    continue
                marks.mark(marks.percent, row, unpack("<I", data, at)[0], value, file, name)
            elif kind == _END_SHEET_DATA:
                state = "after"
        elif kind == _MERGE_CELL and size >= 16:
            first_row, last_row, first_col, last_col = unpack("<4I", data, at)
            marks.merge((first_row, first_col), (last_row, last_col))
    return marks


def _xlsb(path: Path) -> Found:
    if not is_zip(path):
        return []
    archive = Archive(path)
    try:
        rels, book, styles = "xl/_rels/workbook.bin.rels", "xl/workbook.bin", "xl/styles.bin"
        if not (archive.has(rels) and archive.has(book)):
            return []
        targets: dict[str, str] = {}

        def relationship(tag: str, attrs: dict[str, str]) -> None:
            if tag == "Relationship" and "Id" in attrs and "Target" in attrs:
                targets[attrs["Id"]] = attrs["Target"]

        parse_xml(archive.read(rels), archive.file, rels, start=relationship)
        sheets = _xlsb_sheets(archive.read(book))
        # calamine reads the styles from this part, whatever the relationships say
        percent = _xlsb_percent_styles(archive.read(styles)) if archive.has(styles) else set()
        found: Found = []
        done: dict[str, CellMarks] = {}  # a part named by two sheets is read once
        for name, rel in sheets:
            part = "xl/" + targets.get(rel, "")  # joined as calamine joins it
            if part not in done:
                done[part] = _xlsb_sheet(archive.read(part, keep=False), percent, archive.file,
                                         name) if rel in targets and archive.has(part) \
                    else CellMarks()
            found.append((name, done[part]))
        return found
    finally:
        archive.close()


# --- .xls: the compound file -----------------------------------------------------------------

_OLE = bytes.fromhex("D0CF11E0A1B11AE1")
_END = 0xFFFF_FFFE  # ENDOFCHAIN: like every marker, past any sector a file can have
_MINI_CUTOFF = 4096  # a stream shorter than this lives in the mini stream (calamine: fixed)
_MINI = 64


class _Odd(Exception):
    """A file this module does not understand: no flags."""


class _Compound:
    """The streams of an OLE2 compound file ([MS-CFB]), each chain followed at most once per
    sector and never past the file or the budget."""

    def __init__(self, data: bytes, file: str):
        if len(data) < 512 or data[:8] != _OLE:
            raise _Odd
        self.data, self.file = data, file
        shift, mini_shift = struct.unpack_from("<HH", data, 30)
        if shift not in (9, 12) or mini_shift != 6:
            raise _Odd
        self.size = 1 << shift
        self.count = max(0, len(data) // self.size - 1)  # whole sectors after the header
        # header: first directory sector, mini FAT's first sector and length, first DIFAT sector
        dir_start, _, _, self.minifat_start, minifat_count, difat_start = struct.unpack_from(
            "<6I", data, 48)
        self.fat = self._fat(data, difat_start)
        self.minifat_len = minifat_count * self.size
        entries = self.chain(dir_start, limits.PART_BYTES)
        self.entries = [entries[i:i + 128] for i in range(0, len(entries) - 127, 128)]
        if not self.entries:
            raise _Odd

    def _fat(self, data: bytes, difat_start: int) -> list[int]:
        """The FAT: its sectors are listed in the header, then in the DIFAT chain; no more
        are read than the file has sectors to describe."""
        ids = list(struct.unpack_from("<109I", data, 76))
        per = self.size // 4 - 1
        seen: set[int] = set()
        sector = difat_start
        while sector < self.count and sector not in seen and len(ids) < self.count:
            seen.add(sector)
            at = (sector + 1) * self.size
            ids += struct.unpack_from(f"<{per}I", data, at)
            sector = struct.unpack_from("<I", data, at + per * 4)[0]
        fat: list[int] = []
        for sector in ids:
            if len(fat) >= self.count:
                break
            if sector < self.count:
                fat += struct.unpack_from(f"<{self.size // 4}I", data, (sector + 1) * self.size)
        return fat

    def chain(self, start: int, length: int, mini: tuple[bytes, list[int]] | None = None) -> bytes:
        """Up to ``length`` bytes of the chain from ``start``: in the file's sectors, or in
        the mini stream's 64-byte sectors."""
        data, table, size, base = (self.data, self.fat, self.size, self.size) if mini is None \
            else (mini[0], mini[1], _MINI, 0)
        count = (len(data) - base) // size
        out = bytearray()
        seen: set[int] = set()
        sector = start
        while sector < count and sector not in seen and len(out) < length:
            seen.add(sector)
            at = base + sector * size
            out += data[at:at + size]
            sector = table[sector] if sector < len(table) else _END
        return bytes(out[:length])

    def stream(self, *names: str) -> bytes | None:
        """The first stream found by the first name that exists (as calamine looks)."""
        for name in names:
            entry = next((e for e in self.entries
                          if e[:64].decode("utf-16-le", "ignore").split("\0")[0] == name), None)
            if entry is None:
                continue
            start = struct.unpack_from("<I", entry, 116)[0]
            length = struct.unpack_from("<I" if self.size == 512 else "<Q", entry, 120)[0]
            budget = min(length, limits.PART_BYTES + 1)
            if length >= _MINI_CUTOFF:
                data = self.chain(start, budget)
            else:
                root = self.entries[0]
                ministream = self.chain(struct.unpack_from("<I", root, 116)[0],
                                        min(struct.unpack_from("<I", root, 120)[0],
                                            limits.PART_BYTES))
                raw = self.chain(self.minifat_start, self.minifat_len)
                minifat = list(struct.unpack_from(f"<{len(raw) // 4}I", raw))
                data = self.chain(start, budget, (ministream, minifat))
            if len(data) > limits.PART_BYTES:
                raise refuse("part-too-large", self.file, part=name,
                             limit=_mib(limits.PART_BYTES))
            return data
        return None


# --- .xls: BIFF8 -------------------------------------------------------------------------------

_BOF, _EOF, _FILEPASS, _BOUNDSHEET = 0x0809, 0x000A, 0x002F, 0x0085
_FORMAT, _XF_RECORD = 0x041E, 0x00E0
_FORMULA, _BOOLERR, _STRING, _NUMBER, _RK, _MULRK = 0x0006, 0x0205, 0x0207, 0x0203, 0x027E, 0x00BD


def _biff(stream: bytes, start: int, stop: int):
    """BIFF records as (type, body offset, body size) from ``start`` until ``stop``; a record
    cut short ends the walk."""
    i = start
    while i + 4 <= stop:
        kind, size = struct.unpack_from("<HH", stream, i)
        if i + 4 + size > stop:
            return
        yield kind, i + 4, size
        i += 4 + size


def _short_string(data: bytes, at: int, end: int) -> str:
    """A ShortXLUnicodeString: count, flags (bit 0: two bytes a character), characters."""
    if at + 2 > end:
        return ""
    count, wide = data[at], data[at + 1] & 1
    body = data[at + 2:min(end, at + 2 + count * (2 if wide else 1))]
    return body.decode("utf-16-le" if wide else "latin-1", "replace").replace("\0", "")


def _unicode_string(data: bytes, at: int, end: int) -> str:
    """An XLUnicodeString: a two-byte count, flags (bit 0: two bytes a character), characters."""
    if at + 3 > end:
        return ""
    count, wide = struct.unpack_from("<H", data, at)[0], data[at + 2] & 1
    body = data[at + 3:min(end, at + 3 + count * (2 if wide else 1))]
    return body.decode("utf-16-le" if wide else "latin-1", "replace")


def _biff8_sheets(stream: bytes) -> tuple[list[tuple[str, int]], set[int]] | None:
    """(name, substream offset) of each BOUNDSHEET, and the XFs (numbered from 0 in the order
    written, as a cell's ixfe counts them) whose number format is a percentage; None for a
    file that is not plain BIFF8 (older BIFF, encrypted)."""
    records = _biff(stream, 0, len(stream))
    first = next(records, None)
    if first is None or first[0] != _BOF or first[2] < 2 or \
            struct.unpack_from("<H", stream, first[1])[0] != 0x0600:
        return None
    sheets = []
    custom: dict[int, str] = {}
    formats: list[int] = []  # each XF's number format
    for kind, at, size in records:
        if kind == _EOF:
            break
        if kind == _FILEPASS:
            return None
        if kind == _BOUNDSHEET and size >= 8:
            sheets.append((_short_string(stream, at + 6, at + size),
                           struct.unpack_from("<I", stream, at)[0]))
        elif kind == _FORMAT and size >= 5:
            custom[struct.unpack_from("<H", stream, at)[0]] = _unicode_string(stream, at + 2,
                                                                               at + size)
        elif kind == _XF_RECORD and size >= 4:
            formats.append(struct.unpack_from("<H", stream, at + 2)[0])
    return sheets, {i for i, number_format in enumerate(formats)
                    if _is_percent(number_format, custom)}


def _biff8_sheet(stream: bytes, start: int, stop: int, percent: set[int], file: str,
                 name: str) -> CellMarks:
    marks = CellMarks()
    unpack = struct.unpack_from
    waiting: tuple[int, int] | None = None  # a formula whose string result is still to come

    def flag(row: int, col: int, what: tuple[str, str]) -> None:
        marks.mark(marks.flags, row, col, what, file, name)

    def shown_as_percent(row: int, col: int, value: Decimal) -> None:
        marks.mark(marks.percent, row, col, value, file, name)

    for kind, at, size in _biff(stream, start, stop):
        if kind == _FORMULA and size >= 20:
            if waiting:  # its STRING never came: calamine leaves the cell empty
                flag(*waiting, ("formula", "="))
                waiting = None
            row, col, xf = unpack("<HHH", stream, at)
            if stream[at + 12:at + 14] == b"\xff\xff":
                if stream[at + 6] == 2:
                    flag(row, col, ("error", error_text(stream[at + 8])))
                elif stream[at + 6] == 0:
                    waiting = (row, col)
            elif xf in percent:  # a number
                shown_as_percent(row, col, excel_decimal(unpack("<d", stream, at + 6)[0]))
        elif kind == _STRING:
            waiting = None
        elif kind == _BOOLERR and size >= 8 and stream[at + 7] == 1:
            row, col = unpack("<HH", stream, at)
            flag(row, col, ("error", error_text(stream[at + 6])))
        elif kind == _NUMBER and size >= 14 and percent:
            row, col, xf = unpack("<HHH", stream, at)
            if xf in percent:
                shown_as_percent(row, col, excel_decimal(unpack("<d", stream, at + 6)[0]))
        elif kind == _RK and size >= 10 and percent:
            row, col, xf = unpack("<HHH", stream, at)
            if xf in percent:
                shown_as_percent(row, col, _rk(unpack("<I", stream, at + 6)[0]))
        elif kind == _MULRK and size >= 6 and percent:
            # a row, its first column, an (XF, RK) pair a cell, its last column
            row, col = unpack("<HH", stream, at)
            for i in range(at + 4, at + size - 7, 6):
                xf, rk = unpack("<HI", stream, i)
                if xf in percent:
                    shown_as_percent(row, col, _rk(rk))
                col += 1
        elif kind == _EOF:
            break
    if waiting:
        flag(*waiting, ("formula", "="))
    return marks


def _xls(path: Path) -> Found:
    file = str(path)
    size = path.stat().st_size
    if size > limits.FILE_BYTES:
        raise refuse("workbook-too-large", file, size=_mib(size), limit=_mib(limits.FILE_BYTES))
    with path.open("rb") as handle:
        data = handle.read(limits.FILE_BYTES + 1)
    try:
        stream = _Compound(data, file).stream("Workbook", "Book")
    except (_Odd, struct.error):
        return []
    if not stream:
        return []
    globals_ = _biff8_sheets(stream)
    if not globals_ or not globals_[0]:
        return []
    sheets, percent = globals_
    # Each sheet is walked from its offset up to the next sheet's at most, so that sheets
    # pointing into one another cost one pass over the stream, not one each.
    names: dict[int, str] = {}
    for name, pos in sheets:
        names.setdefault(pos, name)
    starts = sorted(pos for pos in names if pos < len(stream))
    bounds = [*starts, len(stream)]
    walked = {pos: _biff8_sheet(stream, pos, bounds[i + 1], percent, file, names[pos])
              for i, pos in enumerate(starts)}
    return [(name, walked.get(pos, CellMarks())) for name, pos in sheets]


_READERS: dict[str, Callable[[Path], Found]] = {".ods": _ods, ".xlsb": _xlsb, ".xls": _xls}
