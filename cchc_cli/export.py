"""Results as files and data: JSON now (xlsx/csv/docx writers join here).

JSON numbers are written from the exact ``Decimal`` text, so 71.33 is written 71.33 — never
71.32999999999 — and nothing passes through a binary float on the way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .decimals import plain


def to_json(value: Any, indent: int = 2) -> str:
    """Serialise dicts, lists, str, int, bool, None and ``Decimal`` (as a JSON number)."""
    return _encode(value, indent, 0)


def _encode(value: Any, indent: int, depth: int) -> str:
    if value is None or isinstance(value, bool | int | str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not a finite number: {value}")
        return plain(value)
    pad = "\n" + " " * (indent * (depth + 1))
    end = "\n" + " " * (indent * depth)
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        parts = [f"{json.dumps(str(k), ensure_ascii=False)}: {_encode(v, indent, depth + 1)}"
                 for k, v in value.items()]
        return "{" + pad + ("," + pad).join(parts) + end + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        return "[" + pad + ("," + pad).join(_encode(v, indent, depth + 1) for v in value) \
            + end + "]"
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
