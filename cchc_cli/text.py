"""Vietnamese text as it arrives from hand-filled workbooks: NFC, folding, codes.

Headers, marks and group names are matched on a *folded* key: lower case, no diacritics,
no spacing or punctuation. ``đ`` has no Unicode decomposition, so it is mapped to ``d``
explicitly (otherwise "Điểm thẩm định" would fold to "iem tham inh").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_D_MAP = str.maketrans({"đ": "d", "Đ": "d"})
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_SPACES = re.compile(r"\s+")


_ODD_SPACE = re.compile(r"\s\s|[^\S ]")


def nfc(text: str) -> str:
    """Normalise to NFC and collapse runs of whitespace (incl. non-breaking) to one space."""
    if not text:
        return ""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if _ODD_SPACE.search(text):
        text = _SPACES.sub(" ", text)
    return text.strip()


@lru_cache(maxsize=8192)  # headers and marks repeat in every workbook
def fold(text: str) -> str:
    """A matching key: ``"Điểm thẩm  định"`` → ``"diemthamdinh"``."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_MAP).lower())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_ALNUM.sub("", stripped)


_CODE_SPACES = re.compile(r"\s+")


def clean_code(text: str) -> str:
    """A criterion code as typed: NFC, no spaces, no trailing dot (``" 1.1.2. "`` → ``"1.1.2"``)."""
    return _CODE_SPACES.sub("", nfc(text)).rstrip(".")
