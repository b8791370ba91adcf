"""Mutations of a good unit workbook, as forty offices filling forms by hand produce them.

``mutated_workbook(rng, path)`` writes a random variant of the 2020 sample to ``path``; the
fuzz test and ``tests/fuzz/run.py`` both use it. Every variant must end in a score or in
catalogued problems — never in an uncaught exception.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

from tests import hostile
from tests.builders import write_workbook

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "samples" / "2020" / "STC.xlsx"

Sheets = dict[str, list[list[Any]]]

NASTY_VALUES: list[Any] = [
    "", None, "x", "KPS", "có lẽ", "1,5 điểm", "0.5đ", "0,5", " 1 ", "−0,25", "N/A",
    "#REF!", "#DIV/0!", "#VALUE!", "#N/A", "=1/0", "=A1+1", "=0.25+0.25", "=SUM(B2:B9)",
    1e300, -1e300, -1, -0.25, 0, 0.1, 1.0000000001, 123456789, 2.675, True, False,
    dt.datetime(2020, 5, 1), dt.date(2021, 1, 5),
    unicodedata.normalize("NFD", "Không phát sinh"), unicodedata.normalize("NFD", "Điểm"),
    "1.1.1", "1.10", 1.1, 7.1, "TC 1.1.2", "I", "  ", "Ｘ", "ｘ", "١", "½", "1/2", "1e3",
    "Nhóm 1", "soc-trang-so-2021", "2019", 2030, "abc" * 200,
    # ticks, and text that a terminal library would take for markup
    "✓", "✔", "√", "☑", "×", "✗", "X", "•", "✓✗", "\u200b", "\ufeffx",
    "[xem phụ lục 2]", "[/]", "[link=http://x]y[/link]", "[bold]đậm", ":warning:", "$\\frac{$",
]


@cache
def base_sheets() -> Sheets:
    import python_calamine as calamine

    book = calamine.CalamineWorkbook.from_path(str(BASE))
    return {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for name in book.sheet_names}


def _copy(sheets: Sheets) -> Sheets:
    return {name: [list(row) for row in rows] for name, rows in sheets.items()}


def _random_cell(rng: random.Random, sheets: Sheets) -> tuple[list[Any], int] | None:
    name = rng.choice(list(sheets))
    rows = sheets[name]
    if not rows:
        return None
    row = rng.choice(rows)
    if not row:
        row.append(None)
    return row, rng.randrange(len(row))


def _drop_sheet(rng: random.Random, sheets: Sheets) -> None:
    if len(sheets) > 1:
        del sheets[rng.choice(list(sheets))]


def _rename_sheet(rng: random.Random, sheets: Sheets) -> None:
    old = rng.choice(list(sheets))
    new = rng.choice([old.upper(), f" {old} ", unicodedata.normalize("NFD", old), old[:-1],
                      "Sheet1", "Thẩm định (2)"])[:31].strip() or "Sheet"
    if new not in sheets:
        sheets[new] = sheets.pop(old)


def _header(rng: random.Random, sheets: Sheets) -> None:
    name = rng.choice(list(sheets))
    rows = sheets[name]
    if rows and rows[0]:
        c = rng.randrange(len(rows[0]))
        rows[0][c] = rng.choice([None, "Điểm", "STT", "Ma", "MÃ", "Mã tiêu chí",
                                 unicodedata.normalize("NFD", str(rows[0][c] or "")),
                                 f"  {rows[0][c]}  "])


def _cell(rng: random.Random, sheets: Sheets) -> None:
    picked = _random_cell(rng, sheets)
    if picked:
        row, c = picked
        row[c] = rng.choice(NASTY_VALUES)


def _rows(rng: random.Random, sheets: Sheets) -> None:
    name = rng.choice(list(sheets))
    rows = sheets[name]
    if not rows:
        return
    action = rng.choice(["empty", "delete", "duplicate", "shuffle", "title"])
    i = rng.randrange(len(rows))
    if action == "empty":
        rows.insert(i, [])
    elif action == "delete":
        del rows[i]
    elif action == "duplicate":
        rows.insert(i, list(rows[i]))
    elif action == "shuffle":
        head, tail = rows[:1], rows[1:]
        rng.shuffle(tail)
        rows[:] = head + tail
    else:
        rows.insert(0, ["BẢNG CHẤM ĐIỂM CHỈ SỐ CCHC NĂM 2020"])


MUTATIONS = [_drop_sheet, _rename_sheet, _header, _cell, _cell, _cell, _rows, _rows]


def _writable(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("#") and value not in (
            "#REF!", "#DIV/0!", "#VALUE!", "#N/A", "#NAME?", "#NUM!", "#NULL!"):
        return value
    return None if value == "" else value


def mutated_workbook(rng: random.Random, path: Path) -> str:
    """Write a mutated copy of the sample to ``path``; returns what was done (for reports)."""
    sheets = _copy(base_sheets())
    done = []
    for _ in range(rng.randint(1, 4)):
        mutation = rng.choice(MUTATIONS)
        mutation(rng, sheets)
        done.append(mutation.__name__.strip("_"))
    write_workbook(path, {name: [[_writable(v) for v in row] for row in rows]
                          for name, rows in sheets.items()})
    if rng.random() < 0.3:  # below what openpyxl writes: the archive and its XML
        damage = rng.choice(DAMAGES)
        damage(rng, path, rng.choice(sorted(sheets)))
        done.append(damage.__name__.strip("_"))
    if rng.random() < 0.05:  # a file cut short in transfer
        data = path.read_bytes()
        path.write_bytes(data[: rng.randrange(len(data))])
        done.append("truncate")
    return "+".join(done)


def _far_cell(rng: random.Random, path: Path, sheet: str) -> None:
    ref = rng.choice(["XFD1048576", "A1048576", "XFD1", "IW1", "A10001", "ZZ99999"])
    hostile.add_far_cell(path, sheet, ref, rng.choice(["1", "0.5"]))


def _bomb(rng: random.Random, path: Path, sheet: str) -> None:
    hostile.inflating_part(path, sheet, rng.choice([1, 40]))


def _corrupt(rng: random.Random, path: Path, sheet: str) -> None:
    hostile.corrupt_stream(path, sheet)


def _unclosed(rng: random.Random, path: Path, sheet: str) -> None:
    hostile.unclosed_cells(path, sheet, rng.choice([10, 3000]))


def _entities(rng: random.Random, path: Path, sheet: str) -> None:
    hostile.entity_bomb(path, sheet)


def _odd_cell(rng: random.Random, path: Path, sheet: str) -> None:
    """An error or a formula without a value, written as other programs write XML."""
    ref = f"{rng.choice('ABCDEFG')}{rng.randint(2, 60)}"
    xml = rng.choice([
        '<x:c xmlns:x="{ns}" r="{ref}" t="e"><x:v>#DIV/0!</x:v></x:c>',
        "<c t='e' r='{ref}'><v>#REF!</v></c>",
        '<c r="{ref}"><f>1/0</f></c>',
        '<c r="{ref}"><f\n>A1</f><v></v></c>',
        '<c r="{ref}"><f>0.7+0.1</f><v>0.79999999999999993</v></c>',
        '<c r="{ref}" t="inlineStr"><is><t>[/]</t></is></c>',
    ]).format(ns=hostile.MAIN_NS, ref=ref)
    try:
        hostile.set_cell(path, sheet, ref, xml)
    except ValueError:  # no such row to put it in
        pass


def _hide(rng: random.Random, path: Path, sheet: str) -> None:
    hostile.hide_sheet(path, sheet)


DAMAGES = [_far_cell, _bomb, _corrupt, _unclosed, _entities, _odd_cell, _odd_cell, _hide]


def check(path: Path, registry: Any) -> tuple[str, list[str]]:
    """Score the file as `cchc` does; returns ("scored" | "rejected", problem codes).

    Raises whatever the tool would fail with — that is a crash."""
    from cchc_cli.folders import assess_file
    from cchc_cli.model.problems import CATALOG
    from cchc_cli.output.files import to_json

    result, problems = assess_file(path, registry)
    codes = [p.code for p in problems]
    assert all(code in CATALOG for code in codes)
    for problem in problems:
        problem.line_text("vi")
        problem.line_text("en")
    if result is None:
        assert any(p.is_error for p in problems), "rejected without an error"
        return "rejected", codes
    to_json(result.as_dict())
    totals = result.totals
    assert totals.achieved == sum(f.totals.achieved for f in result.fields)
    assert totals.index_exact is None or 0 <= totals.index_exact <= 100
    return "scored", codes
