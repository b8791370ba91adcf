"""The one table model every output draws from — the terminal (terminal.py), .xlsx and .csv
(files.py), .docx (docx.py) — and the one way a figure in it is written as text.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from cchc_cli.model.decimals import fixed, localize, plain

ColumnKind = Literal["text", "int", "points", "index"]


_SHEET_NAME_BAD = str.maketrans({ch: " " for ch in "[]:*?/\\"})


@dataclass(frozen=True)
class Column:
    header: str
    kind: ColumnKind = "text"
    width: int | None = None  # characters; None: fitted to the content


@dataclass(frozen=True)
class Table:
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    notes: tuple[str, ...] = ()  # lines above the header (a totals line, a heading)
    sheet: str | None = None  # a short sheet name, when the title is long

    @property
    def sheet_name(self) -> str:
        return (self.sheet or self.title).translate(_SHEET_NAME_BAD)[:31]


def cell_text(value: Any, column: Column, decimals: int, lang: str = "en", *,
              empty: str = "—") -> str:
    """A table cell as text, the same for every medium: points and index with the set's
    decimals ("78,81" in Vietnamese, "78.81" otherwise), other numbers as they are, an empty
    cell as ``empty`` ("—" where a reader reads it; "" where a program does: csv, xlsx)."""
    if value is None:
        return empty
    if isinstance(value, Decimal):
        if column.kind in ("points", "index"):
            return fixed(value, decimals, lang)
        return localize(plain(value), lang)
    return str(value)
