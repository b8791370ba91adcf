"""A province's criteria table read from its own published annex — a Word table (.docx) or a
scoring form (.xlsx/.xls/.ods) — into a draft tree (``cchc criteria import``).

The table is the one whose header names a code (STT, Mã), a title (Lĩnh vực / Tiêu chí /
Nội dung…) and a maximum (Điểm tối đa, Điểm chuẩn…); a method or evidence column is kept as a
note. Tables continued over pages (the header repeated, or the table split in two with the same
columns) are one table; cells merged across columns are read once. Codes: ``1``, ``1.1``,
``1.1.1``; Roman numerals for fields (``II`` → ``2``); ``TC 1.1``; trailing dots. A row without a
code (``a)``, ``-``) becomes a child of the coded row above, and is reported as inferred.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from cchc_cli.model.decimals import cell_as_text
from cchc_cli.model.problems import CchcError, Problem
from cchc_cli.model.text import fold, nfc

HEADER_ROWS = 20

_CODE = {fold(n) for n in ("STT", "TT", "Số TT", "Mã", "Mã số", "Mã tiêu chí", "Ký hiệu")}
_TITLE = {fold(n) for n in (
    "Nội dung", "Tiêu chí", "Lĩnh vực", "Tên tiêu chí", "Lĩnh vực/Tiêu chí/Tiêu chí thành phần",
    "Lĩnh vực, tiêu chí, tiêu chí thành phần", "Lĩnh vực/tiêu chí", "Nội dung tiêu chí",
    "Lĩnh vực, tiêu chí", "Tiêu chí, tiêu chí thành phần", "Nội dung đánh giá")}
_MAX = {fold(n) for n in ("Điểm tối đa", "Điểm chuẩn", "Thang điểm", "Điểm", "Số điểm",
                          "Điểm tối đa (điểm)", "Max")}
_METHOD = {fold(n) for n in ("Phương pháp đánh giá", "Tài liệu kiểm chứng", "Phương pháp chấm",
                             "Phương pháp đánh giá/Tài liệu kiểm chứng", "Ghi chú",
                             "Cách chấm", "Hướng dẫn chấm điểm")}
_TOTAL = re.compile(r"^(tổng cộng|tổng điểm|tổng|cộng)\b", re.I)
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50}
SURVEY_WORDS = ("điều tra xhh", "đtxhh", "điều tra xã hội học", "xã hội học")
REDUCIBLE_WORDS = ("hạ chuẩn", "không phát sinh", "nếu có")


@dataclass
class SourceRow:
    """One row of the table as printed."""

    place: str  # "bảng 1, dòng 14" / "Tự đánh giá!A14"
    code: str
    title: str
    max: str
    method: str


@dataclass
class DraftItem:
    code: str
    title: str
    max: Decimal | None
    place: str
    note: str = ""
    survey: bool = False
    reducible: bool = False
    penalty: bool = False
    inferred: bool = False  # the code was inferred from the row's position
    children: list[DraftItem] = field(default_factory=list)


@dataclass
class Draft:
    source: str
    fields: list[DraftItem]
    total: Decimal | None  # the table's total row, when it has one
    total_place: str | None
    penalties: list[DraftItem]
    problems: list[Problem]


_text = cell_as_text


def _header(cells: list[str]) -> dict[str, int] | None:
    keys = [fold(c) for c in cells]
    found: dict[str, int] = {}
    for name, aliases in (("code", _CODE), ("title", _TITLE), ("max", _MAX),
                          ("method", _METHOD)):
        at = next((i for i, k in enumerate(keys) if k in aliases and i not in found.values()),
                  None)
        if at is not None:
            found[name] = at
    return found if {"code", "title", "max"} <= set(found) else None


# --- the source --------------------------------------------------------------------------------


def _docx_tables(path: Path) -> list[tuple[str, list[list[str]]]]:
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise CchcError([Problem("unreadable-file", file=str(path),
                                 params={"detail": str(exc)[:160]})]) from None
    except Exception as exc:  # a broken or encrypted package
        raise CchcError([Problem("unreadable-file", file=str(path), params={
            "detail": f"{exc.__class__.__name__}: {str(exc)[:140]}"})]) from None
    tables = []
    for n, table in enumerate(document.tables, start=1):
        rows = []
        for row in table.rows:
            seen: list[Any] = []
            cells = []
            for cell in row.cells:  # a cell merged across columns comes once per column
                if any(cell._tc is s for s in seen):
                    continue
                seen.append(cell._tc)
                cells.append(nfc(cell.text))
            rows.append(cells)
        tables.append((f"bảng {n}", rows))
    return tables


def _book_tables(path: Path) -> list[tuple[str, list[list[str]]]]:
    from cchc_cli.reading.workbook import open_source

    problems: list[Problem] = []
    source = open_source(path, problems)
    try:
        return [(name, [[_text(v) for v in row] for row in source.rows(name)])
                for name in source.names if name not in source.hidden]
    finally:
        source.close()


def read_rows(path: str | Path) -> tuple[list[SourceRow], list[Problem]]:
    """The criteria table's rows, in order, with where each is printed."""
    path = Path(path)
    file = str(path)
    if not path.is_file():
        raise CchcError([Problem("file-not-found", file=file)])
    suffix = path.suffix.lower()
    if suffix == ".docx":
        tables = _docx_tables(path)
    elif suffix in (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"):
        tables = _book_tables(path)
    else:
        raise CchcError([Problem("import-format", file=file)])
    problems: list[Problem] = []
    found: list[tuple[str, dict[str, int], list[tuple[int, list[str]]], list[str]]] = []
    last: tuple[dict[str, int], int, list[str]] | None = None
    for name, rows in tables:
        header_at = next((r for r, row in enumerate(rows[:HEADER_ROWS]) if _header(row)), None)
        if header_at is None:
            # a table split in two: the same number of columns right after a criteria table
            if suffix == ".docx" and last is not None and rows and len(rows[0]) == last[1]:
                found[-1][2].extend((r + 1, row) for r, row in enumerate(rows))
            continue
        columns = _header(rows[header_at])
        assert columns is not None
        head = [fold(c) for c in rows[header_at]]
        body = [(r + 1, row) for r, row in enumerate(rows[header_at + 1:], start=header_at + 1)
                if [fold(c) for c in row] != head]  # a header repeated on each page
        if found and found[-1][3] == head:
            found[-1][2].extend(body)  # the same table continued
        else:
            found.append((name, columns, body, head))
        last = (columns, len(rows[header_at]), head)
    if not found:
        raise CchcError([Problem("import-no-table", file=file)])
    if len(found) > 1:
        raise CchcError([Problem("import-two-tables", file=file, params={
            "tables": ", ".join(name for name, *_rest in found)})])
    name, columns, body, _head = found[0]
    result = []
    for r, row in body:
        def at(key: str, row: list[str] = row) -> str:
            i = columns.get(key)
            return row[i] if i is not None and i < len(row) else ""

        place = f"{name}, dòng {r}" if suffix == ".docx" else f"{name}!A{r}"
        if any(cell.strip() for cell in row):
            result.append(SourceRow(place, at("code"), at("title"), at("max"), at("method")))
    return result, problems


# --- the tree ----------------------------------------------------------------------------------


def _roman(text: str) -> int | None:
    if not text or any(ch not in _ROMAN for ch in text):
        return None
    total = 0
    for i, ch in enumerate(text):
        value = _ROMAN[ch]
        total += -value if i + 1 < len(text) and _ROMAN[text[i + 1]] > value else value
    return total


def normal_code(raw: str) -> str | None:
    """"1.1." → "1.1"; "II" → "2"; "TC 1.1" → "1.1"; "Tiêu chí 2.3" → "2.3"; else ``None``."""
    text = nfc(raw).strip().rstrip(".").strip()
    text = re.sub(r"^(?:tc|tctp|lv|tiêu chí|lĩnh vực)\s*", "", text, flags=re.I)
    if re.fullmatch(r"\d+(?:\.\d+)*", text):
        return ".".join(str(int(p)) for p in text.split("."))
    roman = _roman(text.upper())
    return str(roman) if roman else None


def parse_max(raw: str, place: str, file: str, problems: list[Problem]) -> Decimal | None:
    """"2", "0,5", "1.5"; "2 điểm" or "tối đa 2" read with a warning; ``None`` if absent."""
    text = nfc(raw).strip()
    if not text:
        return None
    plain = text.replace(",", ".")
    try:
        return Decimal(plain)
    except InvalidOperation:
        pass
    numbers = re.findall(r"-?\d+(?:[.,]\d+)?", text)
    if len(numbers) == 1:
        value = Decimal(numbers[0].replace(",", "."))
        problems.append(Problem("import-max-text", file=file, path=place,
                                params={"value": text, "max": str(value)}))
        return value
    problems.append(Problem("import-max-unreadable", file=file, path=place,
                            params={"value": text}))
    return None


def build_draft(rows: list[SourceRow], file: str) -> Draft:
    problems: list[Problem] = []
    fields: list[DraftItem] = []
    penalties: list[DraftItem] = []
    nodes: dict[str, DraftItem] = {}
    total: Decimal | None = None
    total_place: str | None = None
    last: DraftItem | None = None
    inferred_count: dict[str, int] = {}
    for row in rows:
        title = row.title.strip()
        if _TOTAL.match(fold_text(title)) or _TOTAL.match(fold_text(row.code)):
            total = parse_max(row.max, row.place, file, problems)
            total_place = row.place
            continue
        code = normal_code(row.code)
        words = f"{title} {row.method}".lower()
        value = parse_max(row.max, row.place, file, problems)
        penalty = (value is not None and value < 0) or "điểm trừ" in words
        inferred = False
        if code is None:
            if last is None or not (title or row.max.strip()):
                continue  # a note line before the first criterion, or an empty row
            # "a)" under the coded row above; "b)" beside the "a)" before it
            parent = nodes.get(last.code.rpartition(".")[0], last) if last.inferred else last
            n = inferred_count.get(parent.code, len(parent.children)) + 1
            inferred_count[parent.code] = n
            code, inferred = f"{parent.code}.{n}", True
            problems.append(Problem("import-code-inferred", file=file, path=row.place,
                                    params={"code": code, "title": title[:60]}))
        if code in nodes:
            problems.append(Problem("import-duplicate-code", file=file, path=row.place,
                                    params={"code": code, "other": nodes[code].place}))
            continue
        item = DraftItem(code, title or code, abs(value) if value is not None else None,
                         row.place, note=row.method.strip(),
                         survey=any(w in words for w in SURVEY_WORDS),
                         reducible=any(w in words for w in REDUCIBLE_WORDS),
                         penalty=penalty, inferred=inferred)
        if item.max is None:
            problems.append(Problem("import-no-max", file=file, path=row.place,
                                    params={"code": code}))
        if penalty:
            penalties.append(item)
            continue
        parent_code = code.rpartition(".")[0]
        if not parent_code:
            fields.append(item)
        elif parent_code in nodes:
            nodes[parent_code].children.append(item)
        else:
            problems.append(Problem("import-orphan", file=file, path=row.place,
                                    params={"code": code, "parent": parent_code}))
            continue
        nodes[code] = item
        last = item
    if not fields:
        raise CchcError([*problems, Problem("import-no-table", file=file)])
    if total is not None and all(f.max is not None for f in fields):
        fields_sum = sum((f.max for f in fields if f.max is not None), Decimal(0))
        if fields_sum != total:
            problems.append(Problem("import-total-mismatch", file=file, path=total_place,
                                    params={"total": str(total), "sum": str(fields_sum)}))
    return Draft(file, fields, total, total_place, penalties, problems)


def fold_text(text: str) -> str:
    return nfc(text).strip().lower()
