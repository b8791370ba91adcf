"""A criteria set's YAML draft written from an imported table (``cchc criteria import``), in
the shipped sets' own style: fields and parents as blocks, scored items as one-line mappings,
each with a comment naming where it is printed in the source and its method text."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from cchc_cli.model.decimals import plain
from cchc_cli.reading.annex import Draft, DraftItem


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is YAML's)."""
    return json.dumps(text, ensure_ascii=False)


MISSING = "# ← điểm tối đa còn thiếu / the maximum is missing"


def _max(value: Decimal | None, block: bool = True) -> str:
    """The maximum; a missing one is ``null`` (the check then names it), with a comment when
    the line can end in one (not inside a one-line mapping)."""
    if value is not None:
        return plain(value)
    return f"null  {MISSING}" if block else "null"


def _comment(item: DraftItem, indent: str) -> list[str]:
    lines = [f"{indent}# nguồn / source: {item.place}" + (" (mã suy ra / code inferred)"
                                                          if item.inferred else "")]
    if item.note:
        note = " ".join(item.note.split())
        lines += [f"{indent}# {part}" for part in _wrap(note, 96 - len(indent))]
    return lines


def _wrap(text: str, width: int) -> Iterable[str]:
    import textwrap

    return textwrap.wrap(text, max(40, width)) or [""]


def _item(item: DraftItem, indent: str, reducible: bool = False) -> list[str]:
    """An item and its children; "hạ chuẩn" on a parent's row makes its scored items
    reducible (only a scored item can be)."""
    out = _comment(item, indent)
    reducible = reducible or item.reducible
    flags = (", scoring: survey" if item.survey else "") + \
        (", reducible: true" if reducible and not item.children else "")
    if not item.children:
        if item.max is None:
            out.append(f"{indent}{MISSING}")
        out.append(f"{indent}- {{code: {_q(item.code)}, title: {_q(item.title)}, "
                   f"max: {_max(item.max, block=False)}{flags}}}")
        return out
    out += [f"{indent}- code: {_q(item.code)}", f"{indent}  title: {_q(item.title)}",
            f"{indent}  max: {_max(item.max)}"]
    if item.survey:
        out.append(f"{indent}  scoring: survey")
    out.append(f"{indent}  subcriteria:")
    for child in item.children:
        out += _item(child, indent + "    ", reducible)
    return out


def draft_yaml(draft: Draft, *, set_id: str, province: str, group: str, first_year: int,
               last_year: int | None, title: str | None = None) -> str:
    total = draft.total if draft.total is not None else sum(
        (f.max for f in draft.fields if f.max is not None), Decimal(0))
    years = f"{{from: {first_year}" + (f", to: {last_year}}}" if last_year else "}")
    lines = [
        "# BẢN NHÁP do `cchc criteria import` dựng từ bảng tiêu chí của tỉnh — hãy đối chiếu",
        "# với văn bản gốc, sửa, rồi kiểm tra: cchc criteria check TỆP.yaml",
        "# DRAFT made by `cchc criteria import` from the province's table: compare it with the",
        "# source, fix it, then check it with `cchc criteria check FILE.yaml`.",
        f"# Nguồn / source: {draft.source} (dựng ngày / made on {date.today().isoformat()})",
        "",
        f"id: {set_id}",
        f"title: {_q(title or f'Bộ tiêu chí đánh giá Chỉ số CCHC – {group} – {province}')}",
        f"province: {_q(province)}",
        f"group: {_q(group)}",
        f"years: {years}",
        f"total: {plain(total)}",
        f"source: {_q(draft.source)}",
        "rounding: {decimals: 2, mode: truncate}   # ← theo quyết định của tỉnh / as published",
        "bands:   # ← xếp loại theo quyết định của tỉnh / the province's bands",
        "  - {name: Xuất sắc, lower: 90, inclusive: true}",
        "  - {name: Tốt, lower: 80, inclusive: true}",
        "  - {name: Khá, lower: 65, inclusive: true}",
        "  - {name: Trung bình, lower: 50, inclusive: true}",
    ]
    if draft.penalties:
        lines += ["adjustments:", "  applies_to: points", "  penalty:"]
        for item in draft.penalties:
            lines += _comment(item, "    ")
            lines.append(f"    - {{code: {_q('TR' + item.code.replace('.', '_'))}, "
                         f"title: {_q(item.title)}, max: {_max(item.max, block=False)}}}")
    lines.append("fields:")
    for spec in draft.fields:
        lines += _comment(spec, "  ")
        lines += [f"  - code: {_q(spec.code)}", f"    title: {_q(spec.title)}",
                  f"    max: {_max(spec.max)}"]
        if spec.survey:
            lines.append("    scoring: survey")
        lines.append("    criteria:")
        for item in spec.children:
            lines += _item(item, "      ", spec.reducible)
    return "\n".join(lines) + "\n"
