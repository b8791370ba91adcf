"""Reading one unit's workbook (one file per unit per year) with python-calamine.

The template's sheets (header names match ignoring case, diacritics and spacing):

* ``Thông tin`` — key | value rows: Mã đơn vị, Tên đơn vị, Năm, Nhóm, Bộ tiêu chí.
* ``Tự đánh giá`` — Mã | Nội dung | Điểm tối đa | Điểm tự đánh giá | Không phát sinh |
  Tài liệu kiểm chứng | Ghi chú.
* ``Thẩm định`` — Mã | Điểm thẩm định | Không phát sinh | Lý do trừ điểm | Trách nhiệm |
  Điểm thẩm định lần 2 (optional; the score after giải trình).
* ``Điều tra XHH`` (optional) — Mã | Điểm | Không phát sinh.

A ``Nội dung`` (title) column may stand on any sheet, for the people reading it.

Every value keeps the cell it came from, so any problem can be pointed at (``Thẩm định!B14``).
Reading never stops at the first problem: it collects them all on the returned workbook.
"""

from __future__ import annotations

import errno
import math
import os
import re
import stat
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from cchc_cli.model.decimals import NotANumber, cell_as_text, excel_decimal, plain, to_decimal
from cchc_cli.model.problems import CchcError, Problem
from cchc_cli.model.text import clean_code, fold, nfc, unit_code
from cchc_cli.model.unit import (
    INVALID,
    Cells,
    FigureRow,
    FigureSheet,
    SheetData,
    SheetRow,
    UnitInfo,
    UnitWorkbook,
    cell_ref,
    figure_key,
    flag_problem,
)
from cchc_cli.reading import limits
from cchc_cli.reading.child import BookData, far_cell_problem, open_calamine, read_isolated
from cchc_cli.reading.xlsx import Flags, Merge, SheetScan, Unscannable, XlsxBook, grid, is_zip

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
HEADER_SEARCH_ROWS = 20

Kind = Literal["code", "points", "mark", "text", "figure"]


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    names: tuple[str, ...]  # the printed header and accepted variants
    kind: Kind
    required: bool = False

    @property
    def label(self) -> str:
        return self.names[0]


@dataclass(frozen=True, slots=True)
class SheetSpec:
    role: str
    names: tuple[str, ...]
    columns: tuple[Column, ...]
    required: bool

    @property
    def label(self) -> str:
        return self.names[0]


# Column names as provinces print them; a criteria set may add more (``columns:``).
CODE = Column("code", ("Mã", "Mã tiêu chí", "Mã số", "STT", "TT"), "code", required=True)
NOT_APPLICABLE = Column("not_applicable", ("Không phát sinh", "KPS", "Không áp dụng"), "mark")
TITLE = Column("title", ("Nội dung", "Tiêu chí", "Lĩnh vực/Tiêu chí/Tiêu chí thành phần",
                         "Lĩnh vực/Tiêu chí", "Nội dung tiêu chí"), "text")  # for people
MAX = Column("max", ("Điểm tối đa", "Điểm chuẩn", "Thang điểm"), "points")

SELF = SheetSpec("self", ("Tự đánh giá", "Tự chấm"), (
    CODE,
    TITLE,
    MAX,
    Column("points", ("Điểm tự đánh giá", "Điểm tự chấm", "Tự chấm", "Tự đánh giá"), "points",
           required=True),
    NOT_APPLICABLE,
    Column("evidence", ("Tài liệu kiểm chứng",), "text"),
    Column("note", ("Ghi chú",), "text"),
), required=True)

APPRAISAL = SheetSpec("appraisal", ("Thẩm định",), (
    CODE,
    TITLE,
    Column("points", ("Điểm thẩm định", "Điểm thẩm định lần 1", "Thẩm định lần 1",
                      "Điểm chấm thực tế", "Thẩm định"), "points", required=True),
    NOT_APPLICABLE,
    Column("reason", ("Lý do trừ điểm", "Lý do", "Nhận xét", "Ý kiến", "Ý kiến thẩm định"),
           "text"),
    Column("responsible", ("Trách nhiệm", "Phòng chịu trách nhiệm"), "text"),
    Column("points2", ("Điểm thẩm định lần 2", "Thẩm định lần 2", "Sau giải trình",
                       "Điểm sau giải trình"), "points"),
), required=False)

SURVEY = SheetSpec("survey", ("Điều tra XHH", "Điều tra xã hội học"), (
    CODE,
    TITLE,
    Column("points", ("Điểm", "Điểm điều tra XHH"), "points", required=True),
    NOT_APPLICABLE,
), required=False)

# The figures a unit declares for the scoring rules: one row a figure (optional).
FIGURES = SheetSpec("figures", ("Số liệu", "Số liệu kê khai"), (
    CODE,
    Column("figure", ("Ký hiệu", "Tên số liệu"), "text", required=True),
    Column("label", ("Diễn giải", "Nội dung số liệu"), "text"),  # for people
    Column("self", ("Số liệu đơn vị kê khai", "Đơn vị kê khai", "Số liệu tự kê khai"), "figure",
           required=True),
    Column("appraised", ("Số liệu thẩm định", "Thẩm định số liệu"), "figure"),
), required=False)

# Keys a criteria set's ``columns:`` may give more header names for.
ALIAS_KEYS = {
    "code": [("self", "code"), ("appraisal", "code"), ("survey", "code")],
    "title": [("self", "title"), ("appraisal", "title"), ("survey", "title")],
    "max": [("self", "max")],
    "self": [("self", "points")],
    "not_applicable": [("self", "not_applicable"), ("appraisal", "not_applicable"),
                       ("survey", "not_applicable")],
    "evidence": [("self", "evidence")],
    "appraisal": [("appraisal", "points")],
    "appraisal_2": [("appraisal", "points2")],
    "reason": [("appraisal", "reason")],
    "responsible": [("appraisal", "responsible")],
    "survey": [("survey", "points")],
}


def with_aliases(spec: SheetSpec, aliases: Mapping[str, Sequence[str]] | None) -> SheetSpec:
    """``spec`` with the extra header names a criteria set declares for its columns."""
    if not aliases:
        return spec
    extra: dict[str, list[str]] = {}
    for name, names in aliases.items():
        for role, key in ALIAS_KEYS.get(name, []):
            if role == spec.role:
                extra.setdefault(key, []).extend(names)
    if not extra:
        return spec
    columns = tuple(Column(c.key, (*c.names, *extra.get(c.key, [])), c.kind, c.required)
                    for c in spec.columns)
    return SheetSpec(spec.role, spec.names, columns, spec.required)

INFO_SHEET = ("Thông tin",)
INFO_KEYS = {
    "code": ("Mã đơn vị",),
    "name": ("Tên đơn vị",),
    "year": ("Năm",),
    "group": ("Nhóm", "Khối"),
    "criteria_set": ("Bộ tiêu chí",),
}

# What marks an item as not arising ("không phát sinh"); an empty cell means it arises. Offices
# tick the cell in many ways; a tick folds to nothing, so ticks are matched before folding (on
# NFKC, which makes a full-width "Ｘ" an "X"). Anything else that is not empty and not an explicit
# "no" is reported: a mark the tool does not know is never read as an empty cell.
_MARK_TICKS = frozenset("xX✓✔√☑☒✅×✗✘✕✖⨯•●■")
_MARK_YES = {fold(t) for t in ("x", "có", "KPS", "không phát sinh", "không áp dụng", "N/A")}
_MARK_NO = {fold(t) for t in ("không", "0")}
# written in a score cell instead of points (not "x": that is a mark, not a word)
_NA_WORDS = {fold(t) for t in ("KPS", "không phát sinh", "không áp dụng", "N/A")}


# --- reading --------------------------------------------------------------------------------


@dataclass
class SheetMarks:
    """What the reader knows about one sheet's cells beyond their values (see xlsxscan):
    cells holding an error or a formula without a value (calamine reads both as empty), numeric
    cells displayed as a percentage, and merged ranges."""

    flags: Flags = field(default_factory=dict)
    percent: Mapping[str, Decimal] = field(default_factory=dict)
    merges: Sequence[Merge] = ()


class Source:
    """A workbook's sheets as the parser asks for them, one at a time."""

    names: list[str]
    hidden: set[str]

    def rows(self, name: str) -> list[list[Any]]:
        raise NotImplementedError

    def marks(self, name: str) -> SheetMarks:
        return SheetMarks()

    def close(self) -> None:
        pass


class _MemorySource(Source):
    def __init__(self, sheets: Mapping[str, list[list[Any]]]):
        self.names, self.hidden, self._sheets = list(sheets), set(), sheets

    def rows(self, name: str) -> list[list[Any]]:
        return [list(r) for r in self._sheets[name]]


class _ChildSource(Source):
    """A workbook read whole in a child process (.xls, .xlsb, .ods, an odd .xlsx)."""

    def __init__(self, data: BookData):
        self.names, self.hidden, self._data = data.names, data.hidden, data

    def rows(self, name: str) -> list[list[Any]]:
        return self._data.sheets.get(name, [])

    def marks(self, name: str) -> SheetMarks:
        return SheetMarks(flags=self._data.flags.get(name, {}),
                          percent=self._data.percent.get(name, {}),
                          merges=self._data.merges.get(name, ()))


class _XlsxSource(Source):
    """An .xlsx/.xlsm: each sheet looked at first (budget, flags, formats, far cells), then read
    by calamine, or here when it has far cells."""

    def __init__(self, path: Path, book: XlsxBook, problems: list[Problem]):
        self.file, self.book, self.problems = str(path), book, problems
        self.calamine = open_calamine(self.file)
        self.names = list(self.calamine.sheet_names)
        self.hidden = {s.name for s in book.sheets if s.hidden}
        self._scans: dict[str, SheetScan] = {}

    def scan(self, name: str) -> SheetScan:
        if name not in self._scans:
            self._scans[name] = self.book.scan(name)
        return self._scans[name]

    def rows(self, name: str) -> list[list[Any]]:
        scan = self.scan(name)
        if scan.cells is not None:  # read by the scan itself: far cells or odd references
            if scan.far_count:
                self.problems.append(far_cell_problem(self.file, name,
                                                      [c for c, _ in scan.far], scan.far_count))
            if scan.odd_refs:
                self.problems.append(Problem("odd-cell-reference", file=self.file, sheet=name,
                                             params={"n": scan.odd_refs, "ref": scan.odd_ref}))
            return grid(scan.cells)
        return self.calamine.get_sheet_by_name(name).to_python(skip_empty_area=False)

    def marks(self, name: str) -> SheetMarks:
        scan = self.scan(name)
        return SheetMarks(scan.flags, scan.percent, scan.merges)

    def close(self) -> None:
        self.calamine.close()
        self.book.close()


def _check_file(path: Path) -> None:
    """What can be said before opening: a missing file, a folder, a FIFO or device (never
    opened: reading one would block), a suffix that is not a workbook, an empty file."""
    file = str(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise CchcError([Problem("broken-link", file=file,
                                     params={"target": os.readlink(path)})]) from None
        raise CchcError([Problem("file-not-found", file=file)]) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise CchcError([Problem("link-loop", file=file)]) from None
        raise CchcError([Problem("file-locked", file=file, params={
            "detail": exc.strerror or exc.__class__.__name__})]) from None
    if stat.S_ISDIR(info.st_mode) or path.suffix.lower() not in WORKBOOK_SUFFIXES:
        raise CchcError([Problem("not-a-workbook", file=file)])
    if not stat.S_ISREG(info.st_mode):
        raise CchcError([Problem("not-a-regular-file", file=file)])
    if info.st_size > limits.FILE_BYTES:
        raise CchcError([Problem("workbook-too-large", file=file, params={
            "size": f"{info.st_size / limits.MiB:.0f} MiB",
            "limit": f"{limits.FILE_BYTES / limits.MiB:.0f} MiB"})])
    try:
        with path.open("rb") as handle:  # read-only; tells a locked file from a broken one
            head = handle.read(8)
    except OSError as exc:
        raise CchcError([Problem("file-locked", file=file,
                                 params={"detail": exc.strerror or exc.__class__.__name__})]
                        ) from exc
    if not head:
        raise CchcError([Problem("unreadable-workbook", file=file,
                                 params={"detail": "tệp rỗng / empty file"})])


def open_source(path: Path, problems: list[Problem]) -> Source:
    """The workbook's sheets, read within the budget (:mod:`cchc_cli.reading.limits`). Raises
    :class:`CchcError` when the file cannot be read at all."""
    _check_file(path)
    if path.suffix.lower() in (".xlsx", ".xlsm") and is_zip(path):
        try:
            return _xlsx_source(path, problems)
        except Unscannable:
            pass  # a sheet that cannot be looked at first: read in the child instead
    data = read_isolated(path)
    problems.extend(data.problems)
    return _ChildSource(data)


def _xlsx_source(path: Path, problems: list[Problem]) -> Source:
    book = XlsxBook(path)
    try:
        source = _XlsxSource(path, book, problems)
    except BaseException:
        book.close()
        raise
    if not all(book.has_sheet(name) for name in source.names):
        source.close()
        raise Unscannable(path.name)
    return source


def read_unit(path: str | os.PathLike[str],
              aliases: Mapping[Any, Sequence[str]] | None = None) -> UnitWorkbook:
    """Read a unit workbook. Raises :class:`CchcError` only when the file cannot be opened;
    every other problem is collected in ``UnitWorkbook.problems``."""
    path = Path(path)
    problems: list[Problem] = []
    source = open_source(path, problems)
    try:
        return _parse(path, source, problems, aliases)
    finally:
        source.close()


def unit_from_rows(sheets: Mapping[str, list[list[Any]]],
                   path: str | os.PathLike[str] = "<memory>",
                   aliases: Mapping[str, Sequence[str]] | None = None) -> UnitWorkbook:
    """Parse sheets given as rows of cell values, as ``read_unit`` would read them from a file
    (used by tests and by callers that already hold the data)."""
    return _parse(Path(path), _MemorySource(sheets), [], aliases)


def _parse(path: Path, source: Source, problems: list[Problem],
           aliases: Mapping[str, Sequence[str]] | None = None) -> UnitWorkbook:
    file = str(path)
    sheet_names = source.names
    cache: dict[str, list[list[Any]]] = {}
    unreadable: set[str] = set()  # sheets already reported: nothing more to say about them

    def rows(name: str) -> list[list[Any]]:
        if name not in cache:
            try:
                cache[name] = source.rows(name)
            except CchcError:
                raise
            except Exception as exc:  # a sheet calamine cannot decode: name it, go on
                problems.append(Problem("unreadable-workbook", file=file, sheet=name,
                                        params={"detail": str(exc)[:160]}))
                cache[name] = []
                unreadable.add(name)
        return cache[name]

    chooser = _SheetChooser(sheet_names, source.hidden, file, problems)
    present = ", ".join(sheet_names) or "—"
    info_name = chooser.find(INFO_SHEET)
    info = None
    if info_name is None:
        info = _info_from_path(path, problems)
    else:
        info = _read_info(rows(info_name), info_name, file, problems)

    sheets: dict[str, SheetData] = {}
    figures_name = chooser.find(FIGURES.names)
    survey_keys = {fold(x) for x in SURVEY.names}
    others = [n for n in sheet_names if n not in (info_name, figures_name)
              and fold(n) not in survey_keys and n not in source.hidden]
    by_content: dict[str, list[str]] = {}  # sheet → the roles it was found for by its header
    for base in (SELF, APPRAISAL, SURVEY):
        spec = with_aliases(base, aliases)
        name = chooser.find(spec.names)
        if name is None and spec.role != "survey" and not chooser.refused(spec.names):
            # one table with both columns, as many provinces print it, on any visible sheet
            name = next((n for n in others if _header_row(rows(n), spec, strict=True)
                         is not None), None)
            if name is not None:
                by_content.setdefault(name, []).append(spec.label)
        if name is None:
            if spec.required and not chooser.refused(spec.names):
                problems.append(Problem("missing-sheet", file=file,
                                        params={"sheet": spec.label, "present": present}))
            continue
        sheet_rows = rows(name)
        if name in unreadable:
            continue
        data = _read_sheet(spec, name, sheet_rows, file, problems, source.marks(name))
        if data is not None:
            sheets[spec.role] = data
    for name, wanted in by_content.items():
        problems.append(Problem("sheet-by-content", file=file, sheet=name,
                                params={"wanted": _quoted(wanted)}))
    figures = None if figures_name is None else _read_figures(
        figures_name, rows(figures_name), file, problems, source.marks(figures_name))
    return UnitWorkbook(path=path, info=info, sheets=sheets, problems=problems, figures=figures)


class _SheetChooser:
    """Finds the sheet of a role by its names (any of them), ignoring case, accents and spacing.
    Two sheets that both answer (a hidden "Tham dinh" beside "Thẩm định", or "Tự chấm" beside
    "Tự đánh giá") are never chosen between silently: the only visible one is used, with a
    warning naming the others; else it is an error naming them all."""

    def __init__(self, names: Sequence[str], hidden: set[str], file: str,
                 problems: list[Problem]):
        self.file, self.problems, self.hidden = file, problems, hidden
        self.by_key: dict[str, list[str]] = {}
        for name in names:
            self.by_key.setdefault(fold(name), []).append(name)
        self._refused: set[frozenset[str]] = set()
        self._said: set[frozenset[str]] = set()

    def refused(self, candidates: Sequence[str]) -> bool:
        return frozenset(fold(c) for c in candidates) in self._refused

    def find(self, candidates: Sequence[str]) -> str | None:
        role = frozenset(fold(c) for c in candidates)
        same = list(dict.fromkeys(n for c in candidates for n in self.by_key.get(fold(c), [])))
        if not same or role in self._refused:
            return None
        visible = [n for n in same if n not in self.hidden]
        first = role not in self._said
        self._said.add(role)
        if len(same) == 1:
            if same[0] in self.hidden and first:
                self.problems.append(Problem("hidden-sheet", file=self.file, sheet=same[0]))
            return same[0]
        if len(visible) == 1:
            if first:
                self.problems.append(Problem("twin-sheet", file=self.file, sheet=visible[0],
                                             params={"others": _quoted(
                                                 n for n in same if n != visible[0])}))
            return visible[0]
        self._refused.add(role)
        self.problems.append(Problem("ambiguous-sheet", file=self.file,
                                     params={"names": _quoted(same)}))
        return None


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(f"“{n}”" for n in names)


_YEAR_TOKEN = re.compile(r"(?<!\d)(19|20|21)\d\d(?!\d)")


def _info_from_path(path: Path, problems: list[Problem]) -> UnitInfo | None:
    """No "Thông tin" sheet: the unit code from the file name (``STC.xlsx``,
    ``2023_STC.xlsx``), the year from the year folder or the name — with a warning."""
    file = str(path)
    stem = nfc(path.stem)
    year_in_name = _YEAR_TOKEN.search(stem)
    folder = path.parent.name
    year = int(folder) if folder.isdigit() and len(folder) == 4 else (
        int(year_in_name.group()) if year_in_name else None)
    code = unit_code(re.sub(r"[_\-\s]+", " ", _YEAR_TOKEN.sub(" ", stem)))
    if year is None or not re.fullmatch(r"[A-Z0-9Đ]{2,15}", code):
        problems.append(Problem("missing-sheet", file=file,
                                params={"sheet": INFO_SHEET[0], "present": "—"}))
        return None
    problems.append(Problem("info-from-filename", file=file, params={"unit": code,
                                                                     "year": year}))
    return UnitInfo(code=code, name=code, year=year, group=None, criteria_set=None)


_text = cell_as_text  # as Excel shows it: 0.7+0.1 is "0.8"


def _read_info(rows: list[list[Any]], sheet: str, file: str,
               problems: list[Problem]) -> UnitInfo | None:
    keys = {fold(name): key for key, names in INFO_KEYS.items() for name in names}
    found: dict[str, tuple[Any, str | None]] = {}
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            key = keys.get(fold(_text(value))) if isinstance(value, str) else None
            if key is None or key in found:
                continue
            rest = [(cc, v) for cc, v in enumerate(row[c + 1:], start=c + 1) if _text(v)]
            cell = cell_ref(r, rest[0][0] if rest else c + 1)
            found[key] = (rest[0][1] if rest else None, cell)
            break

    def text_of(key: str) -> str:
        return _text(found.get(key, (None, ""))[0])

    ok = True
    for key, label in (("code", "Mã đơn vị"), ("year", "Năm")):
        if not text_of(key):
            where = found.get(key, (None, None))[1]
            problems.append(Problem("missing-info", file=file, sheet=sheet, cell=where,
                                    params={"key": label}))
            ok = False
    year = None
    if text_of("year"):
        raw, where = found["year"]
        year = _parse_year(raw)
        if year is None:
            problems.append(Problem("invalid-year", file=file, sheet=sheet, cell=where,
                                    params={"value": _text(raw)}))
            ok = False
    if not ok or year is None:
        return None
    return UnitInfo(
        code=unit_code(text_of("code")),
        name=text_of("name") or unit_code(text_of("code")),
        year=year,
        group=text_of("group") or None,
        criteria_set=text_of("criteria_set") or None,
    )


def _parse_year(raw: Any) -> int | None:
    try:
        number = to_decimal(raw)
    except NotANumber:
        return None
    if number is None or number != number.to_integral_value() or not 1990 <= number <= 2200:
        return None
    return int(number)


def _header_row(rows: list[list[Any]], spec: SheetSpec, strict: bool = False) -> int | None:
    """The header row: the first of the top rows naming the code column and the sheet's
    required columns; failing that (unless ``strict``), the first naming the code column."""
    code_names = {fold(n) for n in CODE.names if fold(n)} | {
        fold(n) for c in spec.columns if c.key == "code" for n in c.names}
    required = [{fold(n) for n in c.names} for c in spec.columns if c.required and c.key != "code"]
    first = None
    for r, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        keys = {fold(v) for v in row if isinstance(v, str)}
        if keys & code_names:
            if all(keys & names for names in required):
                return r
            if first is None:
                first = r
    return None if strict else first


class _Merged:
    """Merged ranges over the cells the engine reads. A range down the "Không phát sinh" column
    marks every row it covers (Excel shows one mark for all of them), with a warning; a range
    over score cells is an error: one number cannot be the score of several criteria."""

    def __init__(self, merges: Sequence[Merge], first_row: int, last_row: int,
                 columns: Sequence[tuple[Column, int]]):
        self.at: dict[tuple[int, int], Merge] = {}
        watched = {c: col.kind for col, c in columns if col.kind in ("mark", "points", "figure")}
        for merge in merges:
            (r0, c0), (r1, c1) = merge
            if (r0, c0) == (r1, c1):
                continue
            for c in watched:  # the columns read, not every column the range spans
                if not c0 <= c <= c1:
                    continue
                for r in range(max(r0, first_row), min(r1, last_row) + 1):
                    self.at[(r, c)] = merge
        self.said: set[Merge] = set()

    @staticmethod
    def text(merge: Merge) -> str:
        (r0, c0), (r1, c1) = merge
        return f"{cell_ref(r0, c0)}:{cell_ref(r1, c1)}"


def _read_sheet(spec: SheetSpec, name: str, rows: list[list[Any]], file: str,
                problems: list[Problem], marks: SheetMarks, keyed: bool = True) -> Any:
    """The rows of one sheet by code (``keyed``), or as a list when a code may repeat."""
    header = _header_row(rows, spec)
    if header is None:
        problems.append(Problem("missing-header", file=file, sheet=name,
                                params={"rows": HEADER_SEARCH_ROWS}))
        return None
    # A column answers to several header names, the most specific first ("Mã" before "STT",
    # a sheet may have both). The best name present wins; the same best name twice (a hidden
    # old column beside the new one) is an error naming both.
    wanted = {fold(n): (col, rank) for col in spec.columns for rank, n in enumerate(col.names)}
    found: dict[str, list[tuple[int, int]]] = {}  # key → (rank, column) of each header cell
    for c, value in enumerate(rows[header]):
        hit = wanted.get(fold(value)) if isinstance(value, str) else None
        if hit is not None:
            found.setdefault(hit[0].key, []).append((hit[1], c))
    positions: dict[str, int] = {}
    twice = False
    for key, hits in found.items():
        best = min(rank for rank, _c in hits)
        at = [c for rank, c in hits if rank == best]
        positions[key] = at[0]
        if len(at) > 1 and key not in ("title", "note"):  # those are for people, never read
            label = next(col.label for col in spec.columns if col.key == key)
            problems.append(Problem("duplicate-column", file=file, sheet=name,
                                    cell=cell_ref(header, at[0]),
                                    params={"column": label, "cells": ", ".join(
                                        cell_ref(header, c) for c in at)}))
            twice = True
    if twice:
        return None
    missing = [col for col in spec.columns if col.required and col.key not in positions]
    for col in missing:
        problems.append(Problem("missing-column", file=file, sheet=name,
                                cell=cell_ref(header, 0),
                                params={"column": col.label, "row": header + 1}))
    if missing:
        return None

    data = SheetData(name=name)
    listed: list[SheetRow] = []
    # title and note are for people; they are not read (long text costs time)
    columns = [(col, positions[col.key]) for col in spec.columns
               if col.key in positions and col.key not in ("code", "title", "note")]
    code_col = positions["code"]
    flags, percent, text_limit = marks.flags, marks.percent, limits.TEXT_CHARS
    merged = _Merged(marks.merges, header + 1, len(rows) - 1, columns) if marks.merges else None
    for r in range(header + 1, len(rows)):
        row = rows[r]
        raw_code = row[code_col] if code_col < len(row) else ""
        if isinstance(raw_code, str) and len(raw_code) > limits.TEXT_CHARS:
            _too_long(raw_code, name, r, code_col, None, file, problems)
            continue
        code, was_number = _code(raw_code)
        if not code:
            flagged = flags.get(cell_ref(r, code_col)) if flags else None
            if flagged:
                flag_problem(flagged, name, cell_ref(r, code_col), None, file, problems)
            continue
        values: dict[str, Any] = {"code": code}
        cells = Cells(r, positions)
        row_flags: dict[str, tuple[str, str]] = {}
        marked_in = None
        for col, c in columns:
            raw = row[c] if c < len(row) else ""
            merge = merged.at.get((r, c)) if merged is not None else None
            if merge is not None:
                if col.kind != "mark":
                    if merge not in merged.said:  # type: ignore[union-attr]
                        merged.said.add(merge)  # type: ignore[union-attr]
                        problems.append(Problem("merged-score-cells", file=file, sheet=name,
                                                cell=cell_ref(*merge[0]), criterion=code,
                                                params={"range": _Merged.text(merge),
                                                        "column": col.label}))
                    values[col.key] = INVALID
                    continue
                if merge[0][0] == merge[1][0]:  # across one row only: no row marked twice
                    merge = None
            if merge is not None:
                top = rows[merge[0][0]] if merge[0][0] < len(rows) else []
                raw = top[merge[0][1]] if merge[0][1] < len(top) else ""
                if raw not in ("", None) and merge not in merged.said:  # type: ignore[union-attr]
                    merged.said.add(merge)  # type: ignore[union-attr]
                    problems.append(Problem("merged-mark", file=file, sheet=name,
                                            cell=cell_ref(*merge[0]),
                                            params={"range": _Merged.text(merge)}))
            if type(raw) is str and len(raw) > text_limit:
                _too_long(raw, name, r, c, code, file, problems)
                values[col.key] = INVALID
                continue
            if percent and col.kind in ("points", "figure") and cell_ref(r, c) in percent \
                    and isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
                shown = excel_decimal(raw) * 100
                problems.append(Problem("percent-format", file=file, sheet=name,
                                        cell=cell_ref(r, c), criterion=code,
                                        params={"shown": f"{plain(shown)} %",
                                                "value": plain(excel_decimal(raw))}))
                values[col.key] = INVALID
                continue
            if raw == "" or raw is None or (type(raw) is str and not raw.strip()):
                flagged = flags.get(cell_ref(r, c)) if flags else None
                if flagged and col.kind != "text":
                    row_flags[col.key] = flagged
                    values[col.key] = INVALID
                else:
                    values[col.key] = False if col.kind == "mark" else (
                        None if col.kind in ("points", "figure") else "")
                continue
            if col.kind == "points" and isinstance(raw, str) and fold(raw) in _NA_WORDS:
                values[col.key] = None  # "KPS" written in the score cell, as forms do
                marked_in = col.key
                continue
            values[col.key] = _convert(col, raw, name, r, c, code, file, problems)
        if not keyed:
            listed.append(SheetRow(code, r + 1, values, cells, was_number, row_flags))
            continue
        if marked_in and values.get("not_applicable") in (None, False):
            values["not_applicable"] = True
            cells = Cells(r, {**positions, "not_applicable": positions[marked_in]})
        if code in data.rows:
            first = data.rows[code]
            problems.append(Problem("duplicate-criterion", file=file, sheet=name,
                                    cell=cells["code"], criterion=code,
                                    params={"other": f"{name}!{first.cells['code']}"}))
            continue
        data.rows[code] = SheetRow(code, r + 1, values, cells, was_number, row_flags)
    return data if keyed else listed


def _too_long(text: str, sheet: str, r: int, c: int, code: str | None, file: str,
              problems: list[Problem]) -> None:
    problems.append(Problem("text-too-long", file=file, sheet=sheet, cell=cell_ref(r, c),
                            criterion=code, params={"n": f"{len(text):,}".replace(",", "."),
                                                    "limit": f"{limits.TEXT_CHARS:,}"
                                                    .replace(",", ".")}))


_FIGURE_YES = {fold(t) for t in ("có", "x", "đạt", "yes")}
_FIGURE_NO = {fold(t) for t in ("không", "chưa", "không đạt", "no")}


def _read_figures(name: str, rows: list[list[Any]], file: str, problems: list[Problem],
                  marks: SheetMarks) -> FigureSheet | None:
    """The "Số liệu" sheet: code | figure | label | the unit's value | the council's value.
    A value is a number, or Có/Không (1/0) for a yes/no fact. An empty sheet is no sheet."""
    if not any(v not in (None, "") for row in rows for v in row):
        return None
    table = _read_sheet(FIGURES, name, rows, file, problems, marks, keyed=False)
    if table is None:
        return None
    sheet = FigureSheet(name)
    for row in table:
        for key, flagged in row.flags.items():
            flag_problem(flagged, name, row.cells[key], row.code, file, problems)
        figure = row.values.get("figure") or ""
        if not figure:
            if any(isinstance(row.values.get(k), Decimal) for k in ("self", "appraised")):
                problems.append(Problem("figure-name-missing", file=file, sheet=name,
                                        cell=row.cells["figure"], criterion=row.code))
            continue
        key = (row.code, figure_key(figure))
        if key in sheet.rows:
            first = sheet.rows[key]
            problems.append(Problem("duplicate-figure", file=file, sheet=name,
                                    cell=row.cells["figure"], criterion=row.code,
                                    params={"figure": figure,
                                            "other": f"{name}!{first.cells['figure']}"}))
            continue
        sheet.rows[key] = FigureRow(row.code, figure, row.row, row.values.get("self"),
                                    row.values.get("appraised"), row.cells)
    return sheet


_CODE_PREFIX = re.compile(r"^(?:tctp|tc|tiêuchíthànhphần|tiêuchí|lĩnhvực|lv)(?=[0-9IVX])",
                          re.IGNORECASE)
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def _roman(text: str) -> int | None:
    if not text or any(ch not in _ROMAN for ch in text) or len(text) > 7:
        return None
    total = 0
    for ch, nxt in zip(text, [*text[1:], ""], strict=True):
        value = _ROMAN[ch]
        total += -value if nxt and _ROMAN[nxt] > value else value
    return total if 0 < total < 40 else None


_PLAIN_CODE = re.compile(r"\d+(?:\.\d+)*")


def _code(raw: Any) -> tuple[str, bool]:
    """A code as printed → the set's form: "TC 1.1.2." → "1.1.2", "II" → "2", 2.1 → "2.1"."""
    if type(raw) is str and _PLAIN_CODE.fullmatch(raw):  # the common case, fast
        return raw, False
    if raw is None or raw == "":
        return "", False
    if isinstance(raw, bool):
        return "", False
    if isinstance(raw, int | float | Decimal):
        if isinstance(raw, float | Decimal) and not math.isfinite(raw):
            return repr(raw), True
        return plain(excel_decimal(raw) if isinstance(raw, float) else Decimal(raw)), True
    code = _CODE_PREFIX.sub("", clean_code(_text(raw)))
    # Fields are numbered I, II … VIII in capitals. A lone "x" or "X" is a tick in the wrong
    # column, not field 10; lower-case "i", "v" number sub-items, not fields.
    roman = _roman(code) if code not in ("X",) else None
    return (str(roman) if roman else code), False


def _mark(raw: Any) -> bool | None:
    """A "Không phát sinh" cell: True (marked), False (empty or an explicit no), None (unclear)."""
    if isinstance(raw, bool):
        return raw
    text = _text(raw)
    if not text:
        return False
    ticks = unicodedata.normalize("NFKC", text).replace(" ", "")
    if ticks and all(ch in _MARK_TICKS for ch in ticks) and len(set(ticks)) == 1:
        return True
    key = fold(text)
    if key in _MARK_YES:
        return True
    if key in _MARK_NO:
        return False
    return None


def _convert(col: Column, raw: Any, sheet: str, r: int, c: int, code: str, file: str,
             problems: list[Problem]) -> Any:
    if col.kind == "figure":  # a number, or a yes/no fact (Có/Không, TRUE/FALSE) as 1/0
        if isinstance(raw, bool):
            return Decimal(int(raw))
        if isinstance(raw, str) and fold(raw) in _FIGURE_YES:
            return Decimal(1)
        if isinstance(raw, str) and fold(raw) in _FIGURE_NO:
            return Decimal(0)
    if col.kind in ("points", "figure"):
        if type(raw) is float and math.isfinite(raw):  # the common case, fast
            return excel_decimal(raw)
        try:
            return to_decimal(raw)
        except NotANumber as exc:
            problems.append(Problem("not-a-number", file=file, sheet=sheet, cell=cell_ref(r, c),
                                    criterion=code, params={"value": exc.text}))
            return INVALID
    if col.kind == "mark":
        mark = _mark(raw)
        if mark is not None:
            return mark
        problems.append(Problem("invalid-mark", file=file, sheet=sheet, cell=cell_ref(r, c),
                                criterion=code, params={"value": _text(raw)}))
        return INVALID
    return _text(raw)

