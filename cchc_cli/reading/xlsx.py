"""An .xlsx/.xlsm looked at before python-calamine reads it, and what calamine cannot tell us.

calamine is fast and exact on values, but it trusts the archive: a zip bomb, or one stray value
at XFD1048576, makes it allocate without bound (a dense grid of 17 billion cells: the process
aborts). It returns ``''`` for an error cell and for a formula without a cached value, as for an
empty cell, and it does not say how a cell is displayed. So this module

* inflates every XML part itself, counting the bytes it gets (not the sizes the archive
  declares) against the budget in :mod:`cchc_cli.reading.limits`, and checks each part's CRC;
* looks at each sheet before calamine does: cells holding an error or a formula without a value,
  numeric cells displayed as a percentage, merged ranges, and *far cells* — content beyond the
  grid the tool reads. A sheet with far cells is read here, sparsely, instead of by calamine.

A byte-level look (C-speed regular expressions, each linear) decides whether a sheet needs the
careful parse — expat, namespace aware, whatever the attribute order, quoting or prefix; a sheet
of plain values and formulas with values does not.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any
from xml.parsers import expat

from cchc_cli.model.decimals import excel_number
from cchc_cli.model.problems import CchcError, Problem
from cchc_cli.model.unit import cell_name
from cchc_cli.reading import limits

Flags = dict[str, tuple[str, str]]  # cell → ("formula" | "error", what the cell holds)
Merge = tuple[tuple[int, int], tuple[int, int]]  # ((row, col), (row, col)), 0-based, inclusive


def _mib(n: int) -> str:
    return f"{n / limits.MiB:.0f} MiB" if n >= limits.MiB else f"{n} B"


def refuse(code: str, file: str, **params: Any) -> CchcError:
    return CchcError([Problem(code, file=file, params=params)])


# --- the archive ---------------------------------------------------------------------------------


def _zip_directory(path: Path, size: int) -> tuple[int, int] | None:
    """The number of members the archive's end record declares and the size of its central
    directory, which zipfile reads whole whatever the count says (None: no end record)."""
    with path.open("rb") as handle:
        tail = min(size, 65_557)  # the end record and the longest comment
        handle.seek(size - tail)
        data = handle.read(tail)
        at = data.rfind(b"PK\x05\x06")
        if at < 0 or at + 22 > len(data):
            return None
        entries, directory = struct.unpack("<HI", data[at + 10:at + 16])
        locator = data.rfind(b"PK\x06\x07", 0, at)
        if entries == 0xFFFF and locator >= 0:  # zip64: the count is in the zip64 end record
            offset = struct.unpack("<Q", data[locator + 8:locator + 16])[0]
            if offset < size:
                handle.seek(offset)
                record = handle.read(56)
                if record[:4] == b"PK\x06\x06" and len(record) == 56:
                    entries, directory = struct.unpack("<QQ", record[32:48])
        return entries, directory


def zip_within_budget(path: Path) -> bool:
    """Whether a zip's size and directory are within the budget, so that zipfile may open it
    (it reads the whole central directory, whatever count the end record gives)."""
    size = path.stat().st_size
    if size > limits.FILE_BYTES:
        return False
    directory = _zip_directory(path, size)
    return directory is None or _members(*directory) <= limits.ZIP_ENTRIES


def _members(entries: int, directory_bytes: int) -> int:
    # a directory entry takes 46 bytes and its name: a bigger directory lies about its count
    return max(entries, directory_bytes // 46)


def is_zip(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) == b"PK\x03\x04"


class Archive:
    """A workbook's zip archive, each part inflated at most once and within the budget."""

    def __init__(self, path: Path, file_limit: int = limits.FILE_BYTES):
        self.path, self.file = path, str(path)
        size = path.stat().st_size
        if size > file_limit:
            raise refuse("workbook-too-large", self.file, size=_mib(size),
                         limit=_mib(file_limit))
        directory = _zip_directory(path, size)
        if directory is not None:
            entries = _members(*directory)
            if entries > limits.ZIP_ENTRIES:
                raise refuse("zip-too-many-parts", self.file, n=f"{entries:,}",
                             limit=f"{limits.ZIP_ENTRIES:,}")
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
            raise refuse("unreadable-workbook", self.file, detail=str(exc)[:160]) from exc
        self._inflated = 0
        # part names are case-insensitive in a package (Excel opens "Worksheets/Sheet3.xml")
        self._names = {info.filename.lower(): info for info in self.zip.infolist()}
        self._kept: dict[str, bytes] = {}

    def close(self) -> None:
        self.zip.close()

    def has(self, name: str) -> bool:
        return name.lower() in self._names

    def size(self, name: str) -> int:
        """A part's size as the archive declares it (0 if absent); read() counts the truth."""
        info = self._names.get(name.lower())
        return info.file_size if info else 0

    def names(self) -> list[str]:
        return [info.filename for info in self._names.values()]

    def read(self, name: str, keep: bool = True) -> bytes:
        """The part, inflated here (not trusting its declared size), CRC checked; kept for a
        second reader unless ``keep`` is false."""
        if name.lower() in self._kept:
            return self._kept[name.lower()]
        info = self._names[name.lower()]
        budget = min(limits.PART_BYTES, limits.XML_BYTES - self._inflated)
        try:
            data = self._inflate(info, budget)
        except (zlib.error, OSError, ValueError) as exc:  # bad data, or an offset off the file
            raise refuse("corrupt-part", self.file, part=name, detail=str(exc)[:120]) from exc
        if len(data) > budget:
            if budget < limits.PART_BYTES:
                raise refuse("part-too-large", self.file, part=name,
                              limit=_mib(limits.XML_BYTES) + " (tổng/total)")
            raise refuse("part-too-large", self.file, part=name, limit=_mib(limits.PART_BYTES))
        if zlib.crc32(data) != info.CRC or len(data) != info.file_size:
            raise refuse("corrupt-part", self.file, part=name, detail="CRC / size")
        data = bytes(data)
        self._inflated += len(data)
        if keep:
            self._kept[name.lower()] = data
        return data

    def _inflate(self, info: zipfile.ZipInfo, budget: int) -> bytes | bytearray:
        with self.path.open("rb") as raw:
            raw.seek(info.header_offset)
            header = raw.read(30)
            if len(header) < 30 or header[:4] != b"PK\x03\x04":
                raise zlib.error("no local header")
            name_len, extra_len = struct.unpack("<HH", header[26:30])
            raw.seek(info.header_offset + 30 + name_len + extra_len)
            left = info.compress_size
            if info.compress_type == zipfile.ZIP_STORED:
                return raw.read(min(left, budget + 1))
            if info.compress_type != zipfile.ZIP_DEFLATED:
                raise zlib.error(f"compression method {info.compress_type}")
            inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            out = bytearray()
            while len(out) <= budget and not inflater.eof:
                if inflater.unconsumed_tail:
                    chunk = inflater.unconsumed_tail
                else:
                    chunk = raw.read(min(1 << 16, left)) if left > 0 else b""
                    left -= len(chunk)
                    if not chunk:
                        break
                # at most 1 MiB a call: a bomb never holds more than the budget and a step
                out += inflater.decompress(chunk, min(1 << 20, budget + 1 - len(out)))
            return out  # not copied: a part past the budget is dropped as it is


# --- XML, read with expat --------------------------------------------------------------------


def _local(name: str) -> str:
    """An element's or attribute's name without its prefix: "x:c" → "c" (expat runs without
    namespace processing, which is faster; Excel's parts use one namespace per role)."""
    return name.rpartition(":")[2]


def parse_xml(data: bytes, file: str, part: str, start: Any = None, end: Any = None,
              text: Any = None) -> None:
    """Run expat over a part; a DOCTYPE (which Excel never writes: it is how entity bombs
    start) or malformed XML is a catalogued problem naming the part."""
    parser = expat.ParserCreate()

    def no_doctype(*_args: Any) -> None:
        raise CchcError([Problem("unsafe-xml", file=file, params={"part": part})])

    parser.StartDoctypeDeclHandler = no_doctype
    parser.EntityDeclHandler = no_doctype
    if start:
        parser.StartElementHandler = start
    if end:
        parser.EndElementHandler = end
    if text:
        parser.CharacterDataHandler = text
    parser.buffer_text = True
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise CchcError([Problem("malformed-xml", file=file, params={
            "part": part, "line": exc.lineno, "detail": expat.ErrorString(exc.code)})]) from exc
    except LookupError as exc:  # an XML declaration naming an encoding nobody knows
        raise CchcError([Problem("malformed-xml", file=file, params={
            "part": part, "line": 1, "detail": str(exc)[:120]})]) from exc


@dataclass
class SheetInfo:
    name: str
    part: str
    hidden: bool


def _sheet_parts(archive: Archive) -> tuple[list[SheetInfo], bool]:
    """The sheets in workbook order with their parts, and whether dates count from 1904."""
    book, rels = "xl/workbook.xml", "xl/_rels/workbook.xml.rels"
    targets: dict[str, str] = {}
    if archive.has(rels):
        def rel(tag: str, attrs: dict[str, str]) -> None:
            if _local(tag) == "Relationship":
                attrs = {_local(k): v for k, v in attrs.items()}
                if "Id" in attrs:
                    targets[attrs["Id"]] = attrs.get("Target", "")

        parse_xml(archive.read(rels), archive.file, rels, start=rel)
    sheets: list[SheetInfo] = []
    date1904 = [False]

    def sheet(tag: str, attrs: dict[str, str]) -> None:
        local = _local(tag)
        if local == "sheet":
            rid = next((v for k, v in attrs.items() if k != "id" and _local(k) == "id"), "")
            target = targets.get(rid, "")
            part = target.lstrip("/") if target.startswith("/") else str(
                PurePosixPath("xl") / target)
            sheets.append(SheetInfo(attrs.get("name", ""), posixpath.normpath(part),
                                    attrs.get("state", "visible") != "visible"))
        elif local == "workbookPr":
            date1904[0] = attrs.get("date1904", "0").lower() in ("1", "true")

    if archive.has(book):
        parse_xml(archive.read(book), archive.file, book, start=sheet)
    return sheets, date1904[0]


# --- number formats --------------------------------------------------------------------------

_BUILTIN_PERCENT = {9, 10}
_BUILTIN_DATE = {*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)}
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')


def _format_kind(code: str) -> str | None:
    """"percent", "date" or None for a number format code (its first section)."""
    bare = _QUOTED.sub("", code.split(";")[0])
    if "%" in bare:
        return "percent"
    if bare.lower() != "general" and re.search(r"[dmyhs]", bare, re.IGNORECASE):
        return "date"
    return None


@dataclass
class Styles:
    kinds: list[str | None] = field(default_factory=list)  # by cell style index (s="…")

    def of(self, style: str | None) -> str | None:
        try:
            return self.kinds[int(style)] if style else None
        except (ValueError, IndexError):
            return None

    def indices(self, kind: str) -> list[int]:
        return [i for i, k in enumerate(self.kinds) if k == kind]


def _styles(archive: Archive) -> Styles:
    part = "xl/styles.xml"
    styles = Styles()
    if not archive.has(part):
        return styles
    custom: dict[int, str] = {}
    depth = {"cellXfs": 0}

    def start(tag: str, attrs: dict[str, str]) -> None:
        local = _local(tag)
        if local == "numFmt":
            try:
                custom[int(attrs.get("numFmtId", ""))] = attrs.get("formatCode", "")
            except ValueError:
                pass
        elif local == "cellXfs":
            depth["cellXfs"] += 1
        elif local == "xf" and depth["cellXfs"]:
            try:
                number = int(attrs.get("numFmtId", "0"))
            except ValueError:
                number = 0
            if number in custom:
                styles.kinds.append(_format_kind(custom[number]))
            else:
                styles.kinds.append("percent" if number in _BUILTIN_PERCENT else
                                    "date" if number in _BUILTIN_DATE else None)

    def end(tag: str) -> None:
        if _local(tag) == "cellXfs":
            depth["cellXfs"] -= 1

    parse_xml(archive.read(part), archive.file, part, start=start, end=end)
    return styles


# every format id a cell style names: one that is a built-in percentage (9: 0%, 10: 0.00%),
# or that is not written as plain digits ("+9", " 9 "), sends styles.xml to the parse, which
# reads ids as int() does
_FORMAT_ID = re.compile(rb"""numFmtId\s*=\s*["']([^"']*)["']""")


_ENCODING = re.compile(rb"""\s*<\?xml[^>]*encoding\s*=\s*["']([^"']*)""")


def _may_have_percent(styles: bytes) -> bool:
    """Whether styles.xml may hold a percentage format: a "%" in a custom format, a built-in
    percentage id, or anything the byte level cannot read plainly ("<!", "&#", an encoding
    other than UTF-8) — those are parsed, and refused if they must be."""
    declared = _ENCODING.match(styles)
    return b"%" in styles or b"<!" in styles or b"&#" in styles or b"\x00" in styles \
        or (declared is not None and declared.group(1).lower() not in (b"utf-8", b"utf8")) \
        or any(not ident.isdigit() or int(ident) in _BUILTIN_PERCENT
               for ident in _FORMAT_ID.findall(styles))


def _shared_strings(archive: Archive) -> list[str]:
    part = "xl/sharedStrings.xml"
    if not archive.has(part):
        return []
    strings: list[str] = []
    state = {"si": False, "t": False, "phonetic": 0}
    pieces: list[str] = []

    def start(tag: str, _attrs: dict[str, str]) -> None:
        local = _local(tag)
        if local == "si":
            state["si"] = True
            pieces.clear()
        elif local == "rPh":
            state["phonetic"] += 1
        elif local == "t" and state["si"] and not state["phonetic"]:
            state["t"] = True

    def end(tag: str) -> None:
        local = _local(tag)
        if local == "si":
            strings.append("".join(pieces))
            state["si"] = False
        elif local == "rPh":
            state["phonetic"] -= 1
        elif local == "t":
            state["t"] = False

    def text(data: str) -> None:
        if state["t"]:
            pieces.append(data)

    parse_xml(archive.read(part), archive.file, part, start=start, end=end, text=text)
    return strings


# --- one sheet -------------------------------------------------------------------------------

# The byte-level look. These send a sheet to the careful parse: a DOCTYPE, comment or CDATA;
# any single quote (Excel quotes attributes with ", so '…' is an odd writer, or text); an error
# type; an attribute value opening with an entity; merged cells; a prefixed cell, formula or
# value; a formula element written other than <f> or <f …>.
_CAREFUL_TOKENS = (b"<!", b"'", b'"e"', b'="&', b"mergeCell")
# (two patterns, each with a literal first byte: an alternation would make re slow)
_PREFIXED = re.compile(rb":[cfv][\s>/]")
_ODD_FORMULA = re.compile(rb"<f[\t\n\r/]")
_CELL_START = re.compile(rb"<c[\s>/]")
_FORMULA_THEN_VALUE = re.compile(rb"</f><v>[^<\s]")
_SHARED_FORMULA_THEN_VALUE = re.compile(rb"<f [^<>]*/><v>[^<\s]")
# a cell whose reference is not plain upper-case letters and digits, or that may lie beyond
# the grid (two letters: column AA or later; five digits: row 10,000 or later)
_ODD_OR_FAR = re.compile(rb'<c r="(?:[^A-Z]|[A-Z][^0-9]|[A-Z][0-9]{5})')


def _plain(data: bytes) -> bool:
    """Whether a byte-level look shows a sheet calamine can be trusted with as it is: every
    cell written ``<c r="A1"…``, none far, no error cell, every formula followed by a value,
    no merged cell. Anything else goes to the careful parse."""
    if any(token in data for token in _CAREFUL_TOKENS) or _PREFIXED.search(data) \
            or _ODD_FORMULA.search(data):
        return False
    if b"<f" in data:  # every formula followed at once by a value that is not blank
        formulas = data.count(b"<f>") + data.count(b"<f ")
        if formulas != (len(_FORMULA_THEN_VALUE.findall(data))
                        + len(_SHARED_FORMULA_THEN_VALUE.findall(data))):
            return False
    if len(_CELL_START.findall(data)) != data.count(b'<c r="'):
        return False
    return not _ODD_OR_FAR.search(data)


_REF = re.compile(r"^\s*\$?([A-Za-z]{1,12})\$?([0-9]{1,20})\s*$")


def split_ref(ref: str) -> tuple[int, int] | None:
    """"D14" → (13, 3), 0-based; None if it is not a cell reference. Letters and digits are
    taken however many there are ("AAAA1", "A99999999999"), as calamine takes them: such a cell
    lies far beyond the grid, which is what matters."""
    m = _REF.match(ref)
    if not m or int(m.group(2)) == 0:
        return None
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


@dataclass
class SheetScan:
    """What the careful look at one sheet found (empty for a plain sheet)."""

    flags: Flags = field(default_factory=dict)
    percent: dict[str, Decimal] = field(default_factory=dict)  # cell → value shown as percent
    merges: list[Merge] = field(default_factory=list)
    far: list[tuple[str, str]] = field(default_factory=list)  # (cell, what it holds)
    far_count: int = 0
    odd_refs: int = 0  # cells whose reference is not letters and a row number from 1
    odd_ref: str = ""  # the first of them, as written
    string_cells: int = 0  # cells holding a shared string
    # the sheet's cells when it is read here (far cells left out): (row, col) → value
    cells: dict[tuple[int, int], Any] | None = None


class _CellParser:
    """The careful parse of a sheet: every cell's place as calamine would see it, its type,
    style, formula and value. Expat calls back for every element, so this stays lean: plain
    attributes, no per-cell objects."""

    def __init__(self, styles: Styles, strings: Any, date1904: bool, keep_values: bool):
        self.styles, self.strings, self.date1904 = styles, strings, date1904
        self.keep = keep_values
        self.scan = SheetScan(cells={} if keep_values else None)
        self.row, self.col = -1, -1
        self.in_cell = False
        self.kind: str = "n"
        self.style: str | None = None
        self.value: str | None = None
        self.formula: str | None = None
        self.inline: str | None = None
        self.capture = ""  # "v", "f" or "t" (inline text): where character data goes
        self.in_inline = False
        self.phonetic = 0
        self.count = 0

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if ":" in tag:  # a prefix means the same to calamine
            tag = tag.rpartition(":")[2]
            attrs = {key.rpartition(":")[2]: value for key, value in attrs.items()}
        if tag == "c":
            self.count += 1
            if self.count > limits.SHEET_CELLS:
                raise _TooManyCells
            ref = attrs.get("r")
            place = split_ref(ref) if ref is not None else None
            if place is None:
                if ref is not None:  # a reference calamine may place anywhere, or refuse
                    self.scan.odd_refs += 1
                    self.scan.odd_ref = self.scan.odd_ref or ref[:40]
                place = (max(self.row, 0), self.col + 1)
            self.row, self.col = place
            self.in_cell = True
            self.kind = attrs.get("t", "n").strip()
            if self.kind == "s":
                self.scan.string_cells += 1
            self.style = attrs.get("s")
            self.value, self.formula, self.inline = None, None, None
        elif not self.in_cell:
            if tag == "row":
                given = attrs.get("r", "").strip()
                if given.isascii() and given.isdigit() and int(given) > 0:
                    self.row = int(given) - 1  # however large: calamine takes it as written
                else:
                    if given:  # a row number calamine may read otherwise, or refuse
                        self.scan.odd_refs += 1
                        self.scan.odd_ref = self.scan.odd_ref or given[:40]
                    self.row += 1
                self.col = -1
            elif tag == "mergeCell":
                first, _, last = attrs.get("ref", "").partition(":")
                a, b = split_ref(first), split_ref(last or first)
                if a and b:
                    self.scan.merges.append((a, b))
        elif tag == "v":
            self.capture, self.value = "v", ""
        elif tag == "f":
            self.capture, self.formula = "f", ""
        elif tag == "is":
            self.in_inline, self.inline = True, ""
        elif tag == "rPh":
            self.phonetic += 1
        elif tag == "t" and self.in_inline and not self.phonetic:
            self.capture = "t"

    def text(self, data: str) -> None:
        capture = self.capture
        if capture == "v":
            self.value += data  # type: ignore[operator]
        elif capture == "f":
            self.formula += data  # type: ignore[operator]
        elif capture == "t":
            self.inline += data  # type: ignore[operator]

    def end(self, tag: str) -> None:
        if ":" in tag:
            tag = tag.rpartition(":")[2]
        if tag == "c":
            if self.in_cell:
                self._done()
            self.in_cell = False
        elif tag in ("v", "f", "t"):
            self.capture = ""
        elif tag == "is":
            self.in_inline = False
        elif tag == "rPh":
            self.phonetic -= 1

    def _done(self) -> None:
        row, col, kind, raw = self.row, self.col, self.kind, self.value
        if raw is None and self.inline is None and self.formula is None:
            return  # a formatted empty cell: calamine does not place it either
        if row >= limits.GRID_ROWS or col >= limits.GRID_COLUMNS:
            self.scan.far_count += 1
            if len(self.scan.far) < 5:
                self.scan.far.append((cell_name(row, col), ""))
            return
        if kind == "e":
            self.scan.flags[cell_name(row, col)] = ("error", (raw or "").strip())
        elif self.formula is not None and self.inline is None and (
                raw is None or (not raw.strip() and kind != "str")):  # "" is a string's value
            self.scan.flags[cell_name(row, col)] = ("formula", "=" + self.formula)
        percent = self.style is not None and self.styles.of(self.style) == "percent"
        if not (self.keep or percent):
            return
        value = self._value(kind, raw, self.inline, self.style)
        if percent and isinstance(value, Decimal):
            self.scan.percent[cell_name(row, col)] = value
        if self.keep:
            self.scan.cells[(row, col)] = value  # type: ignore[index]

    def _value(self, kind: str, raw: str | None, inline: str | None, style: str | None) -> Any:
        """A cell's value as python-calamine gives it (numbers as Excel shows them)."""
        if kind == "inlineStr":
            return inline or ""
        if raw is None or raw == "":
            return ""
        if kind == "s":
            try:
                return self.strings()[int(raw)]
            except (ValueError, IndexError):
                return ""
        if kind in ("str", "e"):
            return raw if kind == "str" else ""
        if kind == "b":
            return raw.strip() in ("1", "true")
        if kind == "d":
            try:
                return dt.datetime.fromisoformat(raw.strip())
            except ValueError:
                return raw
        number = excel_number(raw)
        if number is None:
            return raw
        if self.styles.of(style) == "date":
            base = dt.datetime(1904, 1, 1) if self.date1904 else dt.datetime(1899, 12, 30)
            try:
                return base + dt.timedelta(microseconds=int(number * 86_400_000_000))
            except OverflowError:
                return number
        return number


class _TooManyCells(Exception):
    pass


class Unscannable(Exception):
    """A sheet whose part cannot be found to be looked at first: the workbook is then read in a
    child process (:mod:`cchc_cli.reading.child`), where a reader that runs away harms nothing."""


class XlsxBook:
    """The checks and the careful reads of one .xlsx/.xlsm; calamine reads what is clean."""

    def __init__(self, path: Path):
        self.archive = Archive(path)
        self.file = str(path)
        try:
            for name in self.archive.names():  # every part calamine may read, within budget
                if name.lower().endswith((".xml", ".rels")) and not name.lower().startswith(
                        ("xl/worksheets/", "xl/chartsheets/", "xl/media/", "docprops/")):
                    self.archive.read(name)
            self.sheets, self.date1904 = _sheet_parts(self.archive)
            if len(self.sheets) > limits.SHEETS:
                raise refuse("workbook-too-many-sheets", self.file, n=f"{len(self.sheets):,}",
                             limit=f"{limits.SHEETS:,}")
            raw = self.archive.read("xl/styles.xml") if self.archive.has("xl/styles.xml") \
                else b""
            # parsed now only when a byte-level look cannot rule out a percentage format (or
            # sees a DOCTYPE, comment or character reference: the parse refuses or reads
            # them); otherwise when a sheet needs the careful parse
            self._styles = _styles(self.archive) if _may_have_percent(raw) else None
        except BaseException:
            self.archive.close()
            raise
        self._parts: dict[str, str] = {}
        for info in self.sheets:
            self._parts.setdefault(info.name, info.part)
        self._strings: list[str] | None = None
        # a percentage format anywhere: every sheet gets the careful look (rare, and the byte
        # level cannot tell s="9" from s="09" or s = "9")
        self._careful_always = self._styles is not None and bool(
            self._styles.indices("percent"))
        # calamine copies a shared string into every cell that uses it (one string of 8 MiB
        # in 300 cells is 2.4 GB): the longest string (in bytes, an upper bound) times a
        # sheet's string cells says when a sheet must be read here, where cells share it
        strings = self.archive.read("xl/sharedStrings.xml") \
            if self.archive.has("xl/sharedStrings.xml") else b""
        self._longest_string = max(map(len, strings.split(b"<si"))) if strings else 0

    def close(self) -> None:
        self.archive.close()

    @property
    def styles(self) -> Styles:
        if self._styles is None:
            self._styles = _styles(self.archive)
        return self._styles

    def strings(self) -> list[str]:
        if self._strings is None:
            self._strings = _shared_strings(self.archive)
        return self._strings

    def part_of(self, sheet: str) -> str | None:
        return self._parts.get(sheet)

    def has_sheet(self, sheet: str) -> bool:
        """Whether the sheet's part is found, so that it can be looked at before calamine."""
        part = self.part_of(sheet)
        return part is not None and self.archive.has(part)

    def scan(self, sheet: str) -> SheetScan:
        """Look at one sheet; raises ``CchcError`` if it is past the budget or malformed."""
        part = self.part_of(sheet)
        if part is None or not self.archive.has(part):
            raise Unscannable(sheet)
        try:
            data = self.archive.read(part, keep=False)
        except CchcError as err:  # name the sheet as well as the part
            raise CchcError([_with_sheet(p, sheet) for p in err.problems]) from None
        if not self._careful_always and _plain(data) and not self._copies_too_much(
                data.count(b't="s"')):
            return SheetScan()  # within the grid, hence within the cell budget
        return self._careful(sheet, part, data)

    def _copies_too_much(self, string_cells: int) -> bool:
        return self._longest_string * string_cells > limits.SHARED_TEXT_BYTES

    def _too_many(self, sheet: str) -> CchcError:
        return CchcError([Problem("sheet-too-many-cells", file=self.file, sheet=sheet,
                                  params={"limit": f"{limits.SHEET_CELLS:,}"})])

    def _careful(self, sheet: str, part: str, data: bytes) -> SheetScan:
        scan = self._parse(sheet, part, data, keep_values=False)
        if scan.far_count or scan.odd_refs or self._copies_too_much(scan.string_cells):
            # read here: calamine would not survive it, could place cells where nothing has
            # looked, or would copy a long shared string into each of many cells
            scan.cells = self._parse(sheet, part, data, keep_values=True).cells
        return scan

    def _parse(self, sheet: str, part: str, data: bytes, keep_values: bool) -> SheetScan:
        parser = _CellParser(self.styles, self.strings, self.date1904, keep_values)
        try:
            parse_xml(data, self.file, part, parser.start, parser.end, parser.text)
        except _TooManyCells:
            raise self._too_many(sheet) from None
        except CchcError as err:
            raise CchcError([_with_sheet(p, sheet) for p in err.problems]) from None
        return parser.scan


def _with_sheet(problem: Problem, sheet: str) -> Problem:
    return problem if problem.sheet else replace(problem, sheet=sheet)


def grid(cells: dict[tuple[int, int], Any]) -> list[list[Any]]:
    """Sparse cells as rows from A1, each as long as its last cell, empty cells ``''``."""
    if not cells:
        return []
    last_row = max(r for r, _ in cells)
    rows: list[list[Any]] = [[] for _ in range(last_row + 1)]
    for (r, c), value in sorted(cells.items()):
        row = rows[r]
        if len(row) <= c:
            row.extend([""] * (c + 1 - len(row)))
        row[c] = value
    return rows

