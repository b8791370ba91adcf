"""Unit data: what one workbook says, as values with their cells, before any criteria set is
applied. Reading builds it (cchc_cli.reading.workbook); the engine scores it.

Every value keeps the cell it came from, so any problem can be pointed at (``Thẩm định!B14``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from cchc_cli.model.problems import Problem
from cchc_cli.model.text import nfc


def cell_name(row: int, col: int) -> str:
    """0-based (row, col) → ``"D14"``."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


# 0-based (row, col) → "D14"; the same cells are named in every workbook
cell_ref = lru_cache(maxsize=16384)(cell_name)


class Cells(Mapping[str, str]):
    """The cell of each column of one row, as Excel names it ("D14"), computed only when a
    problem needs to name it (most rows never do)."""

    __slots__ = ("_columns", "_row")

    def __init__(self, row: int, columns: Mapping[str, int]):
        self._row, self._columns = row, columns

    def __getitem__(self, key: str) -> str:
        return cell_ref(self._row, self._columns[key])

    def __iter__(self):
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)


class _Invalid:
    """The value of a cell that could not be read as what its column needs. The problem is
    already reported; the engine must neither use the value nor call the cell empty."""

    def __repr__(self) -> str:
        return "INVALID"


INVALID = _Invalid()


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One item's row on one sheet: converted values, and the cell of each."""

    code: str
    row: int  # 1-based, as Excel shows it
    values: dict[str, Any]
    cells: Mapping[str, str]
    code_was_number: bool = False
    # cells that look empty but hold a formula with no value or an error: key → (kind, text).
    # Reported by the engine, which knows whether the row is a scored item or a subtotal.
    flags: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass
class SheetData:
    name: str  # the sheet's name as it is in the workbook
    rows: dict[str, SheetRow] = field(default_factory=dict)

    def get(self, code: str) -> SheetRow | None:
        return self.rows.get(code)


@dataclass(frozen=True, slots=True)
class FigureRow:
    """One declared figure: what the unit wrote, what the council wrote (``None``: empty)."""

    code: str
    figure: str  # as written (the rule's name for it)
    row: int  # 1-based
    declared: Decimal | _Invalid | None
    appraised: Decimal | _Invalid | None
    cells: Mapping[str, str]


@dataclass
class FigureSheet:
    name: str
    rows: dict[tuple[str, str], FigureRow] = field(default_factory=dict)  # (code, figure_key)

    def of(self, code: str) -> list[FigureRow]:
        return [row for (c, _f), row in self.rows.items() if c == code]


@dataclass
class UnitInfo:
    code: str
    name: str
    year: int
    group: str | None
    criteria_set: str | None


@dataclass
class UnitWorkbook:
    """What one workbook says, before any criteria set is applied."""

    path: Path
    info: UnitInfo | None
    sheets: dict[str, SheetData]
    problems: list[Problem]
    figures: FigureSheet | None = None

    @property
    def self_sheet(self) -> SheetData | None:
        return self.sheets.get("self")

    @property
    def appraisal(self) -> SheetData | None:
        return self.sheets.get("appraisal")

    @property
    def survey(self) -> SheetData | None:
        return self.sheets.get("survey")


def figure_key(name: str) -> str:
    """How a figure's name (a rule's symbol) is matched: exactly, ignoring case and the
    spaces around it — not folded, so ``a_1`` and ``a1`` stay two figures."""
    return nfc(name).strip().casefold()


def flag_problem(flagged: tuple[str, str], sheet: str, cell: str, code: str | None, file: str,
                 problems: list[Problem]) -> None:
    kind, held = flagged
    problems.append(Problem("formula-without-value" if kind == "formula" else "error-cell",
                            file=file, sheet=sheet, cell=cell, criterion=code,
                            params={"value": held}))
