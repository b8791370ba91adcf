"""Cells python-calamine reads as empty although they hold an error or a formula without a
value, in an .ods, .xlsb or .xls (:mod:`cchc_cli.xlsxscan` does the same for .xlsx/.xlsm).

calamine returns ``''`` for ``#DIV/0!`` and for a formula nobody computed, as for an empty cell;
a #DIV/0! in an optional column (the second appraisal round) would then silently let the first
round's figure stand. So each format is looked at here, after calamine has read it, and every
such cell is named as calamine places it (row and column from A1):

* .ods: ``content.xml`` with expat, counting repeated rows and cells as calamine does but
  never expanding a repeat beyond the grid the tool reads (a row repeated 1,048,576 times costs
  one step). An error is what LibreOffice writes (``calcext:value-type="error"``, its text in
  ``<text:p>``); a formula without a value has ``table:formula`` and no value at all.
* .xlsb: ``BrtCellError`` and ``BrtFmlaError`` records of each sheet part ([MS-XLSB]).
* .xls (BIFF8 in a compound file): ``BOOLERR`` records holding an error and ``FORMULA`` records
  whose cached result is an error, or a string whose ``STRING`` record never comes ([MS-XLS],
  [MS-CFB]). BIFF5 and older, and encrypted files, are not looked at.

Every read is bounded by :mod:`cchc_cli.limits` (a part or stream past ``PART_BYTES`` is
refused; a sector chain that loops or leaves the file ends) and linear in the file's size. A
file this module does not understand gives no flags; one past the budget, a catalogued problem.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path

from . import limits
from .problems import CchcError, Problem
from .xlsxscan import Archive, Flags, _mib, cell_name, is_zip, parse_xml, refuse

Found = list[tuple[str, Flags]]  # each sheet's flags, in the workbook's own order

# BErr codes ([MS-XLSB] 2.5.97.2, [MS-XLS] 2.5.10), the texts Excel shows
ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?",
          0x24: "#NUM!", 0x2A: "#N/A", 0x2B: "#GETTING_DATA"}


def error_text(code: int) -> str:
    return ERRORS.get(code, f"#ERR{code:02X}")


def error_cells(path: Path, names: list[str]) -> dict[str, Flags]:
    """Per sheet (named as calamine names them, ``names`` in workbook order), the cells holding
    an error ("error", "#DIV/0!") or a formula without a value ("formula", "=…"); sheets
    without such cells are left out. Raises :class:`CchcError` for a file past the budget."""
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        return {}
    return _by_name(reader(path), names, first_wins=path.suffix.lower() == ".xlsb")


def _by_name(found: Found, names: list[str], first_wins: bool) -> dict[str, Flags]:
    """The flags under calamine's sheet names: by position when both list the same number of
    sheets (names decoded alike or not), else by the names as decoded here. For two sheets of
    one name, calamine reads the last (.ods, .xls) or the first (.xlsb)."""
    known = set(names)
    pairs = zip(names, (f for _, f in found), strict=True) if len(found) == len(names) else (
        (name, flags) for name, flags in found if name in known)
    result: dict[str, Flags] = {}
    seen: set[str] = set()
    for name, flags in pairs:
        if first_wins and name in seen:
            continue
        seen.add(name)
        if flags:
            result[name] = flags
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


# --- .ods --------------------------------------------------------------------------------------

_VALUE_ATTRS = ("office:value", "office:string-value", "office:date-value", "office:time-value",
                "office:boolean-value")
_CELLS = ("table:table-cell", "table:covered-table-cell")


class _OdsScan:
    """expat callbacks over content.xml. Names are matched with their usual prefixes, exactly
    as calamine matches them (a file with other prefixes has no sheets for calamine)."""

    def __init__(self, file: str):
        self.file = file
        self.found: Found = []
        self.flags: Flags | None = None  # the named table being read
        self.name = ""
        self.tables = 0  # table:table elements open inside it
        self.in_row = False
        self.row = self.rows = self.col = 0  # the row's first index and repeat; next column
        self.depth = 0  # elements open inside the current cell (0: not in a cell)
        self.notes = 0  # office:annotation elements open inside the cell
        self.error: tuple[int, int] | None = None  # (column, repeat) of an error cell
        self.text: list[str] = []

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if self.depth:
            self.depth += 1
            if tag == "office:annotation":
                self.notes += 1
            return
        if tag == "table:table":
            if self.flags is not None:
                self.tables += 1
            elif "table:name" in attrs:
                self.flags, self.name, self.tables, self.row = {}, attrs["table:name"], 1, 0
            return
        if self.flags is None:
            return
        if tag == "table:table-row" and not self.in_row:
            self.in_row, self.col = True, 0
            self.rows = _count(attrs.get("table:number-rows-repeated"))
        elif tag in _CELLS and self.in_row:
            self.depth = 1
            col, repeat = self.col, _count(attrs.get("table:number-columns-repeated"))
            self.col += repeat
            if self.row >= limits.GRID_ROWS or col >= limits.GRID_COLUMNS:
                return
            if attrs.get("calcext:value-type") == "error":
                self.error, self.text = (col, repeat), []
            elif "table:formula" in attrs and attrs.get("office:value-type") != "string" \
                    and not any(key in attrs for key in _VALUE_ATTRS):
                self._flag(col, repeat, ("formula", _formula(attrs["table:formula"])))

    def end(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1
            if tag == "office:annotation":
                self.notes -= 1
            if not self.depth and self.error is not None:
                shown = "".join(self.text).strip().split("\n")[0][:60] or "#ERR"
                self._flag(*self.error, ("error", shown))
                self.error = None
            return
        if self.flags is None:
            return
        if tag == "table:table-row" and self.in_row:
            self.in_row = False
            self.row += self.rows
        elif tag == "table:table":
            self.tables -= 1
            if not self.tables:
                self.found.append((self.name, self.flags))
                self.flags = None

    def characters(self, data: str) -> None:
        if self.error is not None and not self.notes:
            self.text.append(data)

    def _flag(self, col: int, repeat: int, flag: tuple[str, str]) -> None:
        """Flag the cell at ``col`` on the current row, repeated across and down as written,
        within the grid only; past the cell budget the sheet is refused."""
        assert self.flags is not None
        rows = range(self.row, min(self.row + self.rows, limits.GRID_ROWS))
        cols = range(col, min(col + repeat, limits.GRID_COLUMNS))
        if len(self.flags) + len(rows) * len(cols) > limits.SHEET_CELLS:
            raise _too_many(self.file, self.name)
        for r in rows:
            for c in cols:
                self.flags[cell_name(r, c)] = flag


def _formula(text: str) -> str:
    """"of:=1/0" → "=1/0": the formula without its namespace prefix."""
    head, eq, body = text.partition("=")
    return "=" + (body if (eq and ":" in head) or not head else text)


# Without these bytes no cell can be flagged: no formula, no "error" (an attribute value can
# spell it with a character reference), and no DOCTYPE to refuse; the parse is then skipped.
_ODS_CAREFUL = (b"table:formula", b"error", b"&#", b"<!")


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
    if not any(token in data for token in _ODS_CAREFUL):
        return []
    scan = _OdsScan(str(path))
    parse_xml(data, scan.file, part, scan.start, scan.end, scan.characters)
    return scan.found


# --- .xlsb -------------------------------------------------------------------------------------

_ROW_HDR, _CELL_ERROR, _FMLA_ERROR = 0x00, 0x03, 0x0B
_BUNDLE_SH, _END_BUNDLE_SHS, _BEGIN_SHEET_DATA, _END_SHEET_DATA = 0x9C, 0x90, 0x91, 0x92
_XLSB_LAST_ROW = 0x10_0000  # calamine stops reading a sheet at a row past this


def _records(data: bytes, start: int = 0):  # type: ignore[no-untyped-def]
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


def _xlsb_sheet(data: bytes) -> Flags:
    flags: Flags = {}
    row, reading = 0, False
    unpack = struct.unpack_from
    for kind, at, size in _records(data):
        if not reading:
            reading = kind == _BEGIN_SHEET_DATA
        elif kind == _ROW_HDR and size >= 4:
            row = unpack("<I", data, at)[0]
            if row > _XLSB_LAST_ROW:
                break
        elif kind in (_CELL_ERROR, _FMLA_ERROR) and size >= 9:
            col = unpack("<I", data, at)[0]
            if row < limits.GRID_ROWS and col < limits.GRID_COLUMNS:
                flags[cell_name(row, col)] = ("error", error_text(data[at + 8]))
        elif kind == _END_SHEET_DATA:
            break
    return flags


def _xlsb(path: Path) -> Found:
    if not is_zip(path):
        return []
    archive = Archive(path)
    try:
        rels, book = "xl/_rels/workbook.bin.rels", "xl/workbook.bin"
        if not (archive.has(rels) and archive.has(book)):
            return []
        targets: dict[str, str] = {}

        def relationship(tag: str, attrs: dict[str, str]) -> None:
            if tag == "Relationship" and "Id" in attrs and "Target" in attrs:
                targets[attrs["Id"]] = attrs["Target"]

        parse_xml(archive.read(rels), archive.file, rels, start=relationship)
        sheets = _xlsb_sheets(archive.read(book))
        found: Found = []
        done: dict[str, Flags] = {}  # a part named by two sheets is read once
        for name, rel in sheets:
            part = "xl/" + targets.get(rel, "")  # joined as calamine joins it
            if part not in done:
                done[part] = _xlsb_sheet(archive.read(part, keep=False)) \
                    if rel in targets and archive.has(part) else {}
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
_FORMULA, _BOOLERR, _STRING = 0x0006, 0x0205, 0x0207


def _biff(stream: bytes, start: int, stop: int):  # type: ignore[no-untyped-def]
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


def _biff8_sheets(stream: bytes) -> list[tuple[str, int]] | None:
    """(name, substream offset) of each BOUNDSHEET; None for a file that is not plain BIFF8
    (older BIFF, encrypted)."""
    records = _biff(stream, 0, len(stream))
    first = next(records, None)
    if first is None or first[0] != _BOF or first[2] < 2 or \
            struct.unpack_from("<H", stream, first[1])[0] != 0x0600:
        return None
    sheets = []
    for kind, at, size in records:
        if kind == _EOF:
            break
        if kind == _FILEPASS:
            return None
        if kind == _BOUNDSHEET and size >= 8:
            sheets.append((_short_string(stream, at + 6, at + size),
                           struct.unpack_from("<I", stream, at)[0]))
    return sheets


def _biff8_sheet(stream: bytes, start: int, stop: int) -> Flags:
    flags: Flags = {}
    unpack = struct.unpack_from
    waiting: tuple[int, int] | None = None  # a formula whose string result is still to come

    def flag(row: int, col: int, what: tuple[str, str]) -> None:
        if row < limits.GRID_ROWS and col < limits.GRID_COLUMNS:
            flags[cell_name(row, col)] = what

    for kind, at, size in _biff(stream, start, stop):
        if kind == _FORMULA and size >= 20:
            if waiting:  # its STRING never came: calamine leaves the cell empty
                flag(*waiting, ("formula", "="))
                waiting = None
            row, col = unpack("<HH", stream, at)
            if stream[at + 12:at + 14] == b"\xff\xff":
                if stream[at + 6] == 2:
                    flag(row, col, ("error", error_text(stream[at + 8])))
                elif stream[at + 6] == 0:
                    waiting = (row, col)
        elif kind == _STRING:
            waiting = None
        elif kind == _BOOLERR and size >= 8 and stream[at + 7] == 1:
            row, col = unpack("<HH", stream, at)
            flag(row, col, ("error", error_text(stream[at + 6])))
        elif kind == _EOF:
            break
    if waiting:
        flag(*waiting, ("formula", "="))
    return flags


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
    sheets = _biff8_sheets(stream) if stream else None
    if not sheets:
        return []
    # Each sheet is walked from its offset up to the next sheet's at most, so that sheets
    # pointing into one another cost one pass over the stream, not one each.
    starts = sorted({pos for _, pos in sheets if pos < len(stream)})
    bounds = [*starts, len(stream)]
    walked = {pos: _biff8_sheet(stream, pos, bounds[i + 1]) for i, pos in enumerate(starts)}
    return [(name, walked.get(pos, {})) for name, pos in sheets]


_READERS: dict[str, Callable[[Path], Found]] = {".ods": _ods, ".xlsb": _xlsb, ".xls": _xls}
