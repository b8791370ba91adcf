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




def nfc(text: str) -> str:
    """Normalise to NFC and collapse runs of whitespace (incl. non-breaking) to one space."""
    if not text:
        return ""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    # str.split() splits at exactly the characters re's \s matches (str.isspace), in C
    return " ".join(text.split())


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


def code_key(code: str) -> tuple[tuple[int, int, str], ...]:
    """Criteria codes in their natural order: 7.1.9 before 7.1.10 (a part that is not ASCII
    digits, "2.¹", sorts after the numbers, by its text)."""
    return tuple((0, int(part), "") if part.isascii() and part.isdigit() else (1, 0, part)
                 for part in code.split("."))


# --- text from inputs, as messages and the terminal show it -------------------------------------

ELLIPSIS = "…"


def _visible_char(ch: str) -> str:
    return f"⟨U+{ord(ch):04X}⟩"


def visible(text: str, keep: str = "") -> str:
    """``text`` with every character that prints as nothing (or moves the cursor) spelled out:
    ``"STC\\u200b"`` → ``"STC⟨U+200B⟩"``. Covers what ``str.isprintable`` refuses — controls
    (incl. ESC), format characters (zero-width space, BOM, bidi overrides), lone surrogates
    (undecodable bytes in a file name), separators other than the plain space — except the
    characters in ``keep``."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch in keep else _visible_char(ch) for ch in text)


_FILE_KEEP = "\t\n\r"  # a file holds these as tabs and line breaks


def writable(text: str) -> str:
    """Text from inputs as cchc writes it into a file (.xlsx, .csv, .docx, a chart): spelled
    out as on the terminal (see :func:`visible`) but for tabs and line breaks. This is what
    keeps such files whole and honest: XML cannot hold C0 controls, U+FFFE/U+FFFF or a lone
    surrogate (openpyxl and python-docx refuse them; Excel and Word would refuse the file),
    UTF-8 cannot encode a lone surrogate (a file name in another encoding), and a bidi
    override or a zero-width character would reverse or hide a label. ``--json`` is data:
    it keeps the text as it is."""
    return visible(text, keep=_FILE_KEEP)


def shown(value: object, limit: int | None = 80) -> str:
    """A value quoted in a message: invisible characters spelled out (see :func:`visible`),
    then cut after ``limit`` characters with "…" (``None``: never cut — file paths). A
    spelled-out character is never cut in half."""
    text = str(value)
    if limit is None:
        return visible(text)
    if text.isprintable():
        return text if len(text) <= limit else text[:limit] + ELLIPSIS
    out: list[str] = []
    size = 0
    for ch in text:
        token = ch if ch.isprintable() else _visible_char(ch)
        if size + len(token) > limit:
            return "".join(out) + ELLIPSIS
        out.append(token)
        size += len(token)
    return "".join(out)


def unit_code(text: str) -> str:
    """A unit's code, however it was written — in a workbook, a file name, on the command
    line — in the one form the tool uses: NFC, no spaces, no trailing dot, upper case
    (``" stc."`` → ``"STC"``)."""
    return clean_code(text).upper()


def unit_key(code: str) -> str:
    """What two unit codes are compared by: case, accents and punctuation aside."""
    return fold(code)

