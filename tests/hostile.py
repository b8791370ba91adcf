"""Builders of hostile and careless workbooks, as bytes on disk: what a careless office or a
hostile file can do to an .xlsx below what openpyxl lets one write — a formula's cached float
artefact, an error cell written with a namespace prefix, a stray value at XFD1048576, a part
that inflates to gigabytes, corrupt deflate data, unclosed tags, an entity bomb.

Each takes a good workbook (written by ``make_workbook`` or copied from ``samples/``) and
rewrites one part of its zip. The tests and the fuzzer (``tests/fuzz``) share them.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def sheet_part(path: Path, sheet: str) -> str:
    """The zip member holding ``sheet`` (openpyxl's workbook.xml and its relationships)."""
    with zipfile.ZipFile(path) as archive:
        book = archive.read("xl/workbook.xml").decode()
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
    for m in re.finditer(r"<sheet\b[^>]*>", book):
        tag = m.group(0)
        name = re.search(r'name="([^"]*)"', tag).group(1)  # type: ignore[union-attr]
        if _unescape(name) == sheet:
            rid = re.search(r'r:id="([^"]*)"', tag).group(1)  # type: ignore[union-attr]
            rel = re.search(rf'<Relationship\b[^>]*Id="{rid}"[^>]*>', rels).group(0)  # type: ignore[union-attr]
            target = re.search(r'Target="([^"]*)"', rel).group(1)  # type: ignore[union-attr]
            return target.lstrip("/") if target.startswith("/") else "xl/" + target
    raise KeyError(sheet)


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def rewrite(path: Path, part: str, change: Callable[[bytes], bytes], *,
            compress: Callable[[bytes], bytes] | None = None) -> None:
    """Write the zip again with ``part`` changed (and, with ``compress``, its deflate stream
    given as is: the caller builds bombs and corrupt data that zipfile would not)."""
    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info.filename)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in members:
            if info.filename == part:
                data = change(data)
            out.writestr(info.filename, data)
    if compress is not None:
        replace_stream(path, part, compress)


def set_cell(path: Path, sheet: str, ref: str, xml: str) -> None:
    """Put ``xml`` (a whole ``<c …>`` element, any prefix or quoting) where cell ``ref`` is
    in ``sheet``; the cell's row must already exist."""
    part = sheet_part(path, sheet)

    def change(data: bytes) -> bytes:
        text = data.decode()
        cell = re.compile(rf'<c r="{ref}"(?:[^>]*/>|[^>]*>.*?</c>)', re.S)
        if cell.search(text):
            return cell.sub(lambda _m: xml, text, count=1).encode()
        row = re.sub(r"\D", "", ref)
        found = re.search(rf'<row r="{row}"[^>]*>', text)
        if found:  # openpyxl keeps cells in order; calamine does not mind if they are not
            end = text.index("</row>", found.end())
            return (text[:end] + xml + text[end:]).encode()
        found = re.search(rf'<row r="{row}"[^>]*/>', text)
        if found:
            tag = found.group(0)[:-2] + ">"
            return text.replace(found.group(0), tag + xml + "</row>", 1).encode()
        end = text.index("</sheetData>")
        return (text[:end] + f'<row r="{row}">{xml}</row>' + text[end:]).encode()

    rewrite(path, part, change)


def add_far_cell(path: Path, sheet: str, ref: str = "XFD1048576", value: str = "1") -> None:
    """One stray value far away: calamine would build a dense grid up to it."""
    set_cell(path, sheet, ref, f'<c r="{ref}"><v>{value}</v></c>')


def inflating_part(path: Path, sheet: str, mib: int) -> None:
    """A sheet whose XML inflates to ``mib`` MiB (whitespace after the root element's start):
    a few hundred KB on disk."""
    part = sheet_part(path, sheet)

    def stream(data: bytes) -> bytes:
        at = data.index(b"<sheetData")
        head, tail = data[:at], data[at:]
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        out = [packer.compress(head)]
        block = b" " * (1 << 20)
        for _ in range(mib):
            out.append(packer.compress(block))
        out.append(packer.compress(tail))
        out.append(packer.flush())
        return b"".join(out)

    replace_stream(path, part, stream, declared_size=None)


def replace_stream(path: Path, part: str, build: Callable[[bytes], bytes], *,
                   declared_size: int | None = None, crc: int | None = None) -> None:
    """Swap a member's deflate stream for ``build(original bytes)``, fixing the archive's
    offsets. The sizes and CRC written are those of what the stream really inflates to, unless
    ``declared_size`` / ``crc`` say otherwise (a lying header)."""
    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info.filename)) for info in archive.infolist()]
    blob = bytearray()
    central = bytearray()
    for info, data in members:
        name = info.filename.encode()
        if info.filename == part:
            stream = build(data)
            real = zlib.decompressobj(-15)
            size, check = 0, 0
            try:
                for i in range(0, len(stream), 1 << 16):
                    piece = real.decompress(stream[i:i + (1 << 16)])
                    size += len(piece)
                    check = zlib.crc32(piece, check)
            except zlib.error:  # damaged data: the header still says what it was
                size, check = len(data), zlib.crc32(data)
            size = size if declared_size is None else declared_size
            check = check if crc is None else crc
        else:
            stream = zlib.compress(data, 6)[2:-4]
            size, check = len(data), zlib.crc32(data)
        offset = len(blob)
        blob += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, check, len(stream),
                            size, len(name), 0) + name + stream
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, check,
                               len(stream), size, len(name), 0, 0, 0, 0, 0, offset) + name
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central),
                      len(blob), 0)
    path.write_bytes(bytes(blob + central + end))


def corrupt_stream(path: Path, sheet: str) -> None:
    """Flip bytes in the middle of a sheet's deflate data, as a transfer that went wrong."""
    part = sheet_part(path, sheet)

    def build(data: bytes) -> bytes:
        stream = bytearray(zlib.compress(data, 6)[2:-4])
        middle = len(stream) // 2
        for i in range(middle, min(middle + 16, len(stream))):
            stream[i] ^= 0xFF
        return bytes(stream)

    replace_stream(path, part, build)


def unclosed_cells(path: Path, sheet: str, count: int = 3000) -> None:
    """Sheet XML with thousands of ``<c>`` tags that never close (quadratic for a regular
    expression such as ``<c …>.*?</c>``)."""
    part = sheet_part(path, sheet)
    rewrite(path, part, lambda data: data.replace(
        b"</sheetData>", b'<row r="999">' + b'<c r="A999"><v>1</v>' * count + b"</sheetData>"))


def entity_bomb(path: Path, sheet: str) -> None:
    """A billion-laughs DOCTYPE in front of a sheet."""
    part = sheet_part(path, sheet)
    entities = '<!ENTITY a0 "ha">' + "".join(
        f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    doctype = f"<!DOCTYPE worksheet [{entities}]>".encode()

    def change(data: bytes) -> bytes:
        body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
        return b'<?xml version="1.0"?>' + doctype + body.replace(
            b"</sheetData>", b'<row r="998"><c r="A998" t="inlineStr"><is><t>&a9;</t></is></c>'
                             b"</row></sheetData>")

    rewrite(path, part, change)


def percent_style(path: Path, sheet: str, ref: str) -> None:
    """Give cell ``ref`` a percentage number format (style 0 of a new cellXfs entry)."""
    def styles(data: bytes) -> bytes:
        text = data.decode()
        count = int(re.search(r'<cellXfs count="(\d+)"', text).group(1))  # type: ignore[union-attr]
        text = re.sub(r'<cellXfs count="\d+">', f'<cellXfs count="{count + 1}">', text)
        text = text.replace("</cellXfs>", '<xf numFmtId="9" fontId="0" fillId="0" borderId="0" '
                                          'applyNumberFormat="1"/></cellXfs>')
        styles.index = count  # type: ignore[attr-defined]
        return text.encode()

    rewrite(path, "xl/styles.xml", styles)
    part = sheet_part(path, sheet)

    def cell(data: bytes) -> bytes:
        text = data.decode()
        tag = re.search(rf'<c r="{ref}"[^>]*>', text).group(0)  # type: ignore[union-attr]
        new = re.sub(r'\ss="\d+"', "", tag)
        new = new[:-1] + f' s="{styles.index}">'  # type: ignore[attr-defined]
        return text.replace(tag, new, 1).encode()

    rewrite(path, part, cell)


def merge(path: Path, sheet: str, ranges: str) -> None:
    """Merge cells (``"D5:D7"``) in ``sheet``, as Excel writes it."""
    part = sheet_part(path, sheet)

    def change(data: bytes) -> bytes:
        cells = "".join(f'<mergeCell ref="{r}"/>' for r in ranges.split())
        block = f'<mergeCells count="{len(ranges.split())}">{cells}</mergeCells>'.encode()
        return data.replace(b"</sheetData>", b"</sheetData>" + block, 1)

    rewrite(path, part, change)


def hide_sheet(path: Path, sheet: str) -> None:
    def change(data: bytes) -> bytes:
        text = data.decode()
        tag = re.search(rf'<sheet\b[^>]*name="{re.escape(sheet)}"[^>]*/>', text).group(0)  # type: ignore[union-attr]
        hidden = re.sub(r'\sstate="[^"]*"', "", tag).replace(" name=", ' state="hidden" name=')
        return text.replace(tag, hidden, 1).encode()

    rewrite(path, "xl/workbook.xml", change)
