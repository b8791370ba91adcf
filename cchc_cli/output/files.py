"""Results as files and data: JSON, and tables as .xlsx or .csv.

JSON numbers are written from the exact ``Decimal`` text, so 71.33 is written 71.33 — never
71.32999999999 — and nothing passes through a binary float on the way.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from cchc_cli.model.decimals import plain
from cchc_cli.model.text import writable
from cchc_cli.output.guard import CREATOR, OUTPUT_MARK, write_output
from cchc_cli.output.table import NUMBER_KINDS, Figure, Table, cell_text, number_format


def to_json(value: Any, indent: int = 2) -> str:
    """Serialise dicts, lists, str, int, bool, None and ``Decimal`` (as a JSON number)."""
    return "".join(iter_json(value, indent))


def _json_scalar(value: Any) -> str:
    """A scalar as JSON, Vietnamese kept as it is; a lone surrogate (a file name in another
    encoding, as Python holds it) is written as its \\u escape, which any UTF-8 stream can
    carry and a JSON reader gives back exactly."""
    text = json.dumps(value, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, ensure_ascii=True)
    return text


def iter_json(value: Any, indent: int = 2, depth: int = 0) -> Iterator[str]:
    """The JSON text in pieces, so a large result can be written without building it whole."""
    if value is None or isinstance(value, bool | int | str):
        yield _json_scalar(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not a finite number: {value}")
        yield plain(value)
    elif isinstance(value, Mapping | list | tuple):
        is_map = isinstance(value, Mapping)
        if not value:
            yield "{}" if is_map else "[]"
            return
        pad = "\n" + " " * (indent * (depth + 1))
        yield "{" if is_map else "["
        for n, item in enumerate(value.items() if isinstance(value, Mapping) else value):
            yield ("," if n else "") + pad
            if is_map:
                key, item = item
                yield _json_scalar(str(key)) + ": "
            yield from iter_json(item, indent, depth + 1)
        yield "\n" + " " * (indent * depth) + ("}" if is_map else "]")
    else:
        raise TypeError(f"cannot write {type(value).__name__} as JSON")


def write_json(value: Any, stream: Any) -> None:
    """Write ``value`` as JSON to a text stream, piece by piece, with a final newline."""
    for piece in iter_json(value):
        stream.write(piece)
    stream.write("\n")


# --- tables as .xlsx or .csv -------------------------------------------------------------------


TABLE_SUFFIXES = (".xlsx", ".csv")


def write_tables(path: str | os.PathLike[str], tables: list[Table], *, decimals: int = 2,
                 inputs: Iterable[Path] = (), force: bool = False) -> Path:
    """Write ``tables`` to ``path`` (.xlsx: one sheet each; .csv: one after another).

    Written through :func:`~cchc_cli.output.guard.write_output`: never over an input, nor over a
    workbook cchc did not write unless ``force``; never half a file.
    """
    path = Path(path)
    writer = _write_csv if path.suffix.lower() == ".csv" else _write_xlsx
    return write_output(path, lambda tmp: writer(tmp, tables, decimals),
                        formats=TABLE_SUFFIXES, inputs=inputs, force=force)


def _write_csv(path: Path, tables: list[Table], decimals: int) -> None:
    # UTF-8 with a BOM: Excel then opens Vietnamese diacritics correctly.
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        for n, table in enumerate(map(_writable_table, tables)):
            if len(tables) > 1:
                if n:
                    writer.writerow([])
                writer.writerow([table.title])
            for note in table.notes:
                writer.writerow([note])
            writer.writerow([c.header for c in table.columns])
            for row in table.rows:
                writer.writerow([_inert(cell_text(v, c, decimals, empty=""), v)
                                 for v, c in zip(row, table.columns, strict=True)])


def _inert(text: str, value: object) -> str:
    """Text from an input (a unit code, a reason) that a spreadsheet would run as a formula
    when it opens the .csv ("=HYPERLINK(…)", "+1", "@SUM(…)") is written with a leading
    apostrophe, as Excel itself marks text; numbers are written as they are."""
    if isinstance(value, str) and text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def _write_xlsx(path: Path, tables: list[Table], decimals: int) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    book.properties.creator, book.properties.keywords = CREATOR, OUTPUT_MARK
    bold = Font(bold=True)
    for table in map(_writable_table, tables):
        ws = book.create_sheet(table.sheet_name)
        for n, note in enumerate(table.notes, start=1):
            ws.append([note])
            ws.cell(row=n, column=1).font = bold
        header = len(table.notes) + 1  # (an empty sheet's max_row is already 1)
        ws.append([c.header for c in table.columns])
        for cell in ws[header]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in table.rows:  # Decimal goes in as an exact number
            ws.append([v.value if isinstance(v, Figure) else v for v in row])
        as_text(ws)
        ws.freeze_panes = f"A{header + 1}"
        for c, column in enumerate(table.columns, start=1):
            letter = get_column_letter(c)
            longest = max([len(column.header) // 2 + 1]
                          + [len(cell_text(r[c - 1], column, decimals, empty=""))
                             for r in table.rows], default=8)
            width = column.width or min(max(longest + 2, 8), 60)
            ws.column_dimensions[letter].width = width
            for cell, row in zip(ws[letter][header:], table.rows, strict=True):
                wrap = column.kind == "text" and (width >= 60 or longest > width)
                cell.alignment = Alignment(wrap_text=wrap, vertical="top")
                value = row[c - 1]
                kind = value.kind if isinstance(value, Figure) else column.kind
                own = value.decimals if isinstance(value, Figure) and value.decimals is not None \
                    else decimals
                if kind in NUMBER_KINDS and isinstance(cell.value, Decimal | int):
                    cell.number_format = number_format(kind, own)
        wrapped = {c: ws.column_dimensions[get_column_letter(c)].width
                   for c in range(1, len(table.columns) + 1)
                   if ws.cell(row=header + 1, column=c).alignment.wrap_text}
        widths = {c: ws.column_dimensions[get_column_letter(c)].width
                  for c in range(1, len(table.columns) + 1)}
        heading = max(-(-len(col.header) * 12 // (widths[c] * 10))
                      for c, col in enumerate(table.columns, start=1))
        if heading > 1:  # headers wrap: make their row tall enough, as Excel would
            ws.row_dimensions[header].height = 15 * heading
        for r in range(header + 1, ws.max_row + 1):  # tall enough for the wrapped text
            lines = max([-(-len(str(ws.cell(row=r, column=c).value or "")) * 11 // (w * 10))
                         for c, w in wrapped.items()], default=1)
            if lines > 1:
                ws.row_dimensions[r].height = 15 * lines
        # printed as an office prints an appendix: landscape, one page wide, header repeated
        print_as_appendix(ws, header)
    book.save(path)


def print_as_appendix(ws: Any, header: int) -> None:
    """Print a sheet as an office prints an appendix: landscape, one page wide, as many pages
    long as it takes, the header row repeated on each."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header}:{header}"


def as_text(ws: Any) -> None:
    """A text that starts with "=" (a reason, a title) is text, never a formula: openpyxl would
    write it as one, and Excel would compute what a workbook's author typed."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def _writable_table(table: Table) -> Table:
    """``table`` with every text as cchc writes it in a file (see :func:`text.writable`): in
    an .xlsx, XML could not hold some characters; in a .csv, UTF-8 could not encode a lone
    surrogate (an undecodable file name); in both, a bidi override would reverse a name."""
    def cell(value: Any) -> Any:
        return writable(value) if isinstance(value, str) else value

    return replace(table, title=writable(table.title),
                   columns=[replace(c, header=writable(c.header)) for c in table.columns],
                   rows=[[cell(v) for v in row] for row in table.rows],
                   notes=tuple(map(writable, table.notes)),
                   sheet=None if table.sheet is None else writable(table.sheet))
