"""Exact numbers: cell values to ``Decimal``, and the one rounding done for display.

A workbook cell holds a binary double. Excel *shows* it with at most 15 significant digits:
``=0.7+0.1`` is stored as 0.79999999999999993 and shown as 0.8, and the officer who checks our
figure against the sheet sees 0.8. So every number read from a cell, typed or cached from a
formula, is taken as Excel shows it — rounded to 15 significant digits — and only then made a
``Decimal`` (:func:`excel_decimal`). Text is accepted with a decimal point or a decimal comma
("0,5"), nothing else: "1,5 điểm" or "0.5đ" is reported, not guessed.
"""

from __future__ import annotations

import datetime as _dt
import functools
import math
import re
from collections.abc import Callable
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, localcontext
from typing import Any, Literal, TypeVar, cast

from cchc_cli.model.text import nfc

# All arithmetic runs in this context, whatever the caller's global context is: every public
# entry point (and each worker process) enters it with @exact, so the arithmetic inside is
# written with plain operators.
EXACT = Context(prec=40)

Function = TypeVar("Function", bound=Callable[..., Any])


def exact(function: Function) -> Function:
    """Run ``function`` in the exact context (40 digits), whatever the caller has set:
    ``decimal.getcontext().prec = 3`` in a caller must not change a published figure. Not for
    generators (they would hand the context to their caller between items)."""
    @functools.wraps(function)
    def within(*args: Any, **kwargs: Any) -> Any:
        with localcontext(EXACT):
            return function(*args, **kwargs)

    return cast(Function, within)

_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2013": "-"})


EXCEL_DIGITS = 15  # significant digits Excel displays and computes with


def excel_decimal(value: float | Decimal) -> Decimal:
    """A finite cell number as Excel displays it: 0.79999999999999993 → Decimal("0.8")."""
    if isinstance(value, Decimal):
        if not value or not value.is_finite():
            return value
        exponent = value.adjusted() - (EXCEL_DIGITS - 1)
        return value.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_EVEN,
                              context=EXACT).normalize(EXACT)
    return _float_decimal(value)


@functools.lru_cache(maxsize=4096)
def _float_decimal(value: float) -> Decimal:
    """A float cell as Excel shows it (cached: a year's workbooks hold few distinct scores;
    ``Decimal`` is immutable, so one value serves every cell that holds it)."""
    if abs(value) < _SMALLEST_NORMAL:  # Excel keeps no subnormal doubles: they are 0
        return Decimal(0)
    return Decimal(format(value, f".{EXCEL_DIGITS}g"))


_SMALLEST_NORMAL = 2.2250738585072014e-308


def excel_number(text: str) -> Decimal | None:
    """A number as a workbook's XML writes it ("0.79999999999999993"), as Excel shows it; None
    when it is not a number a cell can hold (Excel's doubles stop near 1.8e308)."""
    try:
        value = Decimal(text.strip())
    except ArithmeticError:
        return None
    if not value.is_finite() or (value and not -330 < value.adjusted() < 310):
        return None
    return excel_decimal(value)


class NotANumber(ValueError):
    """A cell that should hold points holds something else; ``text`` is what it holds."""

    def __init__(self, text: str):
        super().__init__(text)
        self.text = text


def to_decimal(value: object) -> Decimal | None:
    """A cell's value as an exact ``Decimal``; ``None`` for an empty cell.

    Raises :class:`NotANumber` for anything that is not plainly a number.
    """
    if value is None:
        return None
    if isinstance(value, bool):  # bool is an int subclass: check first
        raise NotANumber("TRUE" if value else "FALSE")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NotANumber(repr(value))
        return excel_decimal(value)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, str):
        text = nfc(value).translate(_MINUS_SIGNS).replace(" ", "")
        if not text:
            return None
        if not _NUMBER.match(text):
            raise NotANumber(nfc(value))
        return Decimal(text.replace(",", "."))
    if isinstance(value, _dt.date | _dt.time | _dt.timedelta):
        raise NotANumber(str(value))
    raise NotANumber(str(value))


RoundingMode = Literal["truncate", "half_up"]
_MODES = {"truncate": ROUND_DOWN, "half_up": ROUND_HALF_UP}


def round_for_display(value: Decimal, decimals: int, mode: RoundingMode) -> Decimal:
    """The once-only rounding of a displayed figure (truncate: 78.8176… → 78.81)."""
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=_MODES[mode], context=EXACT)


def plain(value: Decimal) -> str:
    """``Decimal`` as plain text without exponent or trailing zeros: 9.50 → "9.5", 1E+2 → "100"."""
    text = format(value.normalize(EXACT), "f")
    return "0" if text in ("-0", "") else text


def fixed(value: Decimal, decimals: int, lang: str = "en") -> str:
    """``Decimal`` with exactly ``decimals`` digits (already rounded); Vietnamese text writes
    a decimal comma (78,81), as the memos do — JSON and CSV always keep the point."""
    return localize(format(value, f".{decimals}f"), lang)


def localize(number_text: str, lang: str) -> str:
    """A number's text in the reader's convention: "9.5" → "9,5" in Vietnamese."""
    return number_text.replace(".", ",") if lang == "vi" else number_text


def cell_as_text(value: Any) -> str:
    """A cell's value as text, as the spreadsheet shows it: a number to Excel's 15 significant
    digits and without trailing zeros (``0.7+0.1`` → ``"0.8"``, ``101.0`` → ``"101"``), text
    in NFC, an empty cell ``""``."""
    if value is None:
        return ""
    if isinstance(value, float | Decimal) and math.isfinite(value):
        return plain(excel_decimal(value))
    return nfc(str(value))
