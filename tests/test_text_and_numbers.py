"""Text folding and exact numbers: the small pieces everything else stands on."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest

from cchc_cli.model.decimals import NotANumber, fixed, plain, round_for_display, to_decimal
from cchc_cli.model.text import clean_code, fold, nfc


@pytest.mark.parametrize("text, key", [
    ("Điểm thẩm định", "diemthamdinh"),
    ("ĐIỂM  THẨM ĐỊNH ", "diemthamdinh"),
    ("điểm_thẩm-định", "diemthamdinh"),
    ("Không phát sinh", "khongphatsinh"),
    ("N/A", "na"),
])
def test_fold_ignores_case_diacritics_spacing_and_maps_d(text, key):
    assert fold(text) == key


def test_decomposed_text_is_normalised_to_nfc():
    decomposed = unicodedata.normalize("NFD", "Sở Tài chính")
    assert decomposed != "Sở Tài chính"
    assert nfc(decomposed) == "Sở Tài chính"
    assert fold(decomposed) == fold("Sở Tài chính")


@pytest.mark.parametrize("raw, code", [(" 1.1.2. ", "1.1.2"), ("7.1.10", "7.1.10"),
                                       ("1 .2", "1.2")])
def test_clean_code(raw, code):
    assert clean_code(raw) == code


@pytest.mark.parametrize("raw, expected", [
    (0.1, "0.1"),          # a float keeps the decimal the user typed
    (0.05, "0.05"),
    (1.0, "1"),
    (0.7 + 0.1, "0.8"),    # cached as 0.79999999999999993: Excel shows 0.8
    (0.1 + 0.2, "0.3"),
    (71.33 - 5e-15, "71.33"),
    (1 / 3, "0.333333333333333"),  # 15 significant digits, as Excel shows
    (123456789012345678.0, "1.23456789012346E+17"),
    (-1e-320, "0"),  # a subnormal double: Excel holds none, it is 0
    (2, "2"),
    ("0,5", "0.5"),        # decimal comma
    (" 1.25 ", "1.25"),
    ("\u22120,25", "-0.25"),  # a typographic minus sign
    ("", None),
    (None, None),
])
def test_to_decimal_accepts_numbers_and_plain_numeric_text(raw, expected):
    value = to_decimal(raw)
    assert (None if value is None else str(value)) == expected


@pytest.mark.parametrize("raw", ["1,5 điểm", "0.5đ", "1.000,5", "x", True, float("nan")])
def test_to_decimal_refuses_anything_else(raw):
    with pytest.raises(NotANumber):
        to_decimal(raw)


def test_truncation_is_not_rounding():
    exact = Decimal("71.33") * 100 / Decimal("90.5")  # 78.8176…
    assert round_for_display(exact, 2, "truncate") == Decimal("78.81")
    assert round_for_display(exact, 2, "half_up") == Decimal("78.82")
    assert round_for_display(Decimal("78.815"), 2, "half_up") == Decimal("78.82")


def test_plain_and_fixed_text():
    assert plain(Decimal("9.50")) == "9.5"
    assert plain(Decimal("1E+2")) == "100"
    assert plain(Decimal("-0.00")) == "0"
    assert fixed(Decimal("62.40"), 2) == "62.40"
