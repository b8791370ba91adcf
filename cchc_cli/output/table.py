"""The one table model every output draws from — the terminal (terminal.py), .xlsx and .csv
(files.py), .docx (docx.py) — and the one way a figure in it is written as text.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from cchc_cli.model.decimals import fixed, localize, plain

NumberKind = Literal["int", "points", "index", "points_change", "index_change"]
ColumnKind = Literal["text", "code", "int", "points", "index", "points_change", "index_change"]
"""What a column holds, which decides how it is written everywhere (terminal, .docx, .xlsx,
.csv): text wraps; a ``code`` (a unit's code, a rank "17/19", a year) never wraps; numbers:

- ``points``: as many decimals as the value needs, up to the set's: 89 · 90,5 · 90,73;
- ``index``: always the set's decimals: 94,10;
- ``…_change``: a difference, the same rule with its sign: +2,19 · -7,95 · 0.
"""

NUMBER_KINDS = ("int", "points", "index", "points_change", "index_change")


SHEET_NAME_MAX = 31
_SHEET_NAME_BAD = str.maketrans({ch: " " for ch in "[]:*?/\\"})


@dataclass(frozen=True)
class Column:
    header: str
    kind: ColumnKind = "text"
    width: int | None = None  # characters; None: fitted to the content


@dataclass(frozen=True)
class Figure:
    """A number in a column of several kinds (a summary whose "Điểm" row stands above its
    "Chỉ số" row): written by its own kind."""

    value: Decimal
    kind: NumberKind
    decimals: int | None = None  # its own set's, when not the table's (another year's set)


@dataclass(frozen=True)
class Table:
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    notes: tuple[str, ...] = ()  # lines above the header (a totals line, a heading)
    sheet: str | None = None  # a short sheet name, when the title is long

    @property
    def sheet_name(self) -> str:
        """The name of its sheet in an .xlsx: Excel allows 31 characters; a longer name is cut
        at a word and ends with "…", never mid-word ("… · năm 2")."""
        name = " ".join((self.sheet or self.title).translate(_SHEET_NAME_BAD).split())
        if len(name) <= SHEET_NAME_MAX:
            return name
        cut = name[:SHEET_NAME_MAX]
        space = cut.rfind(" ")
        cut = cut[:space] if space > 0 else cut[:SHEET_NAME_MAX - 1]
        return cut.rstrip(" ·,-–") + "…"


def figure_text(value: Decimal, kind: str, decimals: int, lang: str = "en") -> str:
    """A figure (already rounded by the set's policy) as text, by its kind (``ColumnKind``):
    "78,81" in Vietnamese, "78.81" otherwise; a change carries its sign."""
    value = abs(value) if value == 0 else value  # never "-0,00"
    text = fixed(value, decimals, lang) if kind.startswith("index") \
        else localize(plain(value), lang)
    return "+" + text if kind.endswith("_change") and value > 0 else text


def cell_text(value: Any, column: Column, decimals: int, lang: str = "en", *,
              empty: str = "—") -> str:
    """A table cell as text, the same for every medium (see ``ColumnKind``); an empty cell
    as ``empty`` ("—" where a reader reads it; "" where a program does: csv, xlsx)."""
    if value is None:
        return empty
    if isinstance(value, Figure):
        own = decimals if value.decimals is None else value.decimals
        return figure_text(value.value, value.kind, own, lang)
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        kind = column.kind if column.kind in NUMBER_KINDS else "int"
        return figure_text(Decimal(value), kind, decimals, lang)
    return str(value)


def number_format(kind: str, decimals: int) -> str:
    """The .xlsx number format of a figure of ``kind``: the cell holds the number, the format
    writes it as the terminal does (Excel puts the reader's own decimal separator)."""
    places = "0." + "0" * decimals if decimals else "0"
    if kind == "index":
        return places
    if kind == "index_change":
        return f"+{places};-{places};{places}"
    if kind == "points_change":
        return "+General;-General;0"
    return "General"
