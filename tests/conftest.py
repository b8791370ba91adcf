"""Shared fixtures: the built-in criteria sets, and factories that let each test state its
own workbook data (in memory through the real parser, or as a real .xlsx file)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cchc_cli.cli import app
from cchc_cli.folders import load_registry
from cchc_cli.model.criteria import CriteriaSet, Registry
from cchc_cli.model.unit import UnitWorkbook
from cchc_cli.reading.workbook import unit_from_rows
from tests.builders import Entry, unit_sheets, write_workbook

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"

INFO_2020 = {"Mã đơn vị": "STC", "Tên đơn vị": "Sở Tài chính", "Năm": 2020,
             "Nhóm": "Sở, ban ngành tỉnh"}


def D(text: str | int) -> Decimal:
    return Decimal(str(text))


@pytest.fixture(scope="session")
def registry() -> Registry:
    return load_registry()


@pytest.fixture(scope="session")
def cs2019(registry: Registry) -> CriteriaSet:
    return registry.get("soc-trang-so-2019")


@pytest.fixture(scope="session")
def cs2021(registry: Registry) -> CriteriaSet:
    return registry.get("soc-trang-so-2021")


Sheets = dict[str, list[list[Any]]]


@pytest.fixture
def sheets_for(cs2019: CriteriaSet) -> Callable[..., Sheets]:
    """Canonical sheets for one unit; ``entries`` maps codes to :class:`Entry` values."""

    def build(entries: Mapping[str, Entry] | None = None, *, cs: CriteriaSet | None = None,
              info: Mapping[str, Any] | None = None, **options: Any) -> Sheets:
        return unit_sheets(cs or cs2019, info or INFO_2020, entries or {}, **options)

    return build


@pytest.fixture
def parse() -> Callable[[Sheets], UnitWorkbook]:
    """Parse sheets in memory through the same code that reads files."""
    return lambda sheets: unit_from_rows(sheets, "STC.xlsx")


@pytest.fixture
def make_workbook(tmp_path: Path) -> Callable[..., Path]:
    """Write sheets (name → rows) as a real .xlsx in ``tmp_path``; returns its path."""

    def write(sheets: Sheets, name: str = "STC.xlsx") -> Path:
        return write_workbook(tmp_path / name, sheets)

    return write


@pytest.fixture
def cli() -> Callable[..., Any]:
    """Run the CLI in-process; stdout and stderr are kept apart."""
    runner = CliRunner()

    def run(*args: str, env: Mapping[str, str] | None = None) -> Any:
        return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "120", **(env or {})})

    return run


def find_row(sheets: Sheets, sheet: str, code: str) -> list[Any]:
    """The row of ``code`` on ``sheet``."""
    for row in sheets[sheet]:
        if row and row[0] == code:
            return row
    raise KeyError(code)


def set_cell(sheets: Sheets, sheet: str, code: str, column: str, value: Any) -> str:
    """Put ``value`` in the ``column`` (header text) of ``code``'s row; returns the cell
    address as Excel shows it (e.g. "C14"), to compare with what a problem names."""
    rows = sheets[sheet]
    header = next(i for i, row in enumerate(rows) if row and row[0] == "Mã")
    col = rows[header].index(column)
    for r, row in enumerate(rows[header + 1:], start=header + 1):
        if row and row[0] == code:
            row[col] = value
            return f"{chr(65 + col)}{r + 1}"
    raise KeyError(code)


def add_row(sheets: Sheets, sheet: str, values: Mapping[str, Any]) -> None:
    """Append a row given as {header text: value} to ``sheet``."""
    header = next(row for row in sheets[sheet] if row and row[0] == "Mã")
    sheets[sheet].append([values.get(column) for column in header])


def evaluate(cs: CriteriaSet, wb: UnitWorkbook) -> tuple[list, list]:
    """Every item's result and every problem found (reading problems included)."""
    from cchc_cli.engine.scoring import _examine

    items, _adjustments, problems = _examine(cs, wb)
    return items, problems
