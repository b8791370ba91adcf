"""Survey answers read and counted, as a contractor delivers them, in one of two shapes:

- **answers** (phiếu): one row per questionnaire — unit code, respondent group (or one sheet
  per group, named after it), an optional respondent id, then one column per question;
- **pre-tallied**: one row per unit × group × question, with the count of each answer in a
  column named after the option (``A``, ``B`` … or ``1`` … ``5``).

Both give the same :class:`~cchc_cli.model.survey.SurveyAnswers`. ``.csv`` (UTF-8, with or
without BOM) is streamed in this process; ``.xlsx/.xlsm/.xlsb/.xls/.ods`` are read by
python-calamine in a child process with capped memory and time (reading/child.py). Rows are
counted a chunk at a time, column by column (``Counter`` over ``zip``: the counting runs in C),
and the raw values are resolved afterwards, once per distinct value; the cells of bad values
are found by a second pass only when there are some.
"""

from __future__ import annotations

import csv
import math
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from itertools import chain, islice, repeat
from pathlib import Path
from typing import Any

from cchc_cli.model.criteria import CriteriaSet
from cchc_cli.model.decimals import cell_as_text
from cchc_cli.model.problems import CchcError, Problem
from cchc_cli.model.survey import Survey, SurveyAnswers, SurveyQuestion, answer_key
from cchc_cli.model.text import fold, nfc, unit_code, unit_key
from cchc_cli.model.unit import cell_ref, flag_problem
from cchc_cli.reading import limits
from cchc_cli.reading.xlsx import Flags, split_ref

HEADER_ROWS = 20  # the header is looked for in the first rows, as in a unit's workbook
CHUNK = 4096  # rows counted at a time
SHOWN_CELLS = 5  # cells named for one problem
SUFFIXES = (".csv", ".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")

_UNIT = {fold(n) for n in ("Mã đơn vị", "Đơn vị", "Mã cơ quan", "Cơ quan", "Mã ĐV",
                           "Cơ quan, đơn vị", "Đơn vị được khảo sát", "Unit", "Unit code")}
_GROUP = {fold(n) for n in ("Nhóm", "Nhóm đối tượng", "Đối tượng", "Đối tượng khảo sát",
                            "Group", "Respondent group")}
_RESPONDENT = {fold(n) for n in ("Mã phiếu", "Số phiếu", "Phiếu số", "Respondent",
                                 "Respondent id", "ID")}
_QUESTION = {fold(n) for n in ("Câu hỏi", "Câu", "Question")}
_BLANK = {fold(n) for n in ("Để trống", "Bỏ trống", "Không trả lời", "Blank")}

Rows = Callable[[], Iterator[list[Any]]]  # a fresh iterator over a sheet's rows each call


@dataclass
class _Layout:
    """One sheet's header: which column holds what."""

    sheet: str
    header: int  # 0-based row of the header
    unit: int
    group: int | None
    group_code: str | None  # the sheet's group, when it has no group column
    respondent: int | None
    questions: dict[int, SurveyQuestion] = field(default_factory=dict)  # answers shape
    question: int | None = None  # pre-tallied shape: the question column
    options: dict[int, str] = field(default_factory=dict)  # pre-tallied: column → option
    blank: int | None = None  # pre-tallied: the blank answers' count

    @property
    def tallied(self) -> bool:
        return self.question is not None


_text = cell_as_text


def _find_layout(sheet: str, head: list[list[Any]], survey: Survey, file: str,
                 problems: list[Problem]) -> _Layout | None:
    for r, row in enumerate(head):
        keys = [fold(_text(v)) for v in row]
        unit = next((c for c, k in enumerate(keys) if k in _UNIT), None)
        if unit is None:
            continue
        questions = {c: q for c, v in enumerate(row)
                     if (q := survey.find_question(_text(v))) is not None}
        question = next((c for c, k in enumerate(keys) if k in _QUESTION), None)
        if not questions and question is None:
            continue
        group = next((c for c, k in enumerate(keys) if k in _GROUP), None)
        layout = _Layout(sheet, r, unit, group, None,
                         next((c for c, k in enumerate(keys) if k in _RESPONDENT), None))
        if question is not None and not questions:
            layout.question = question
            options = survey.options()
            layout.options = {c: key for c, v in enumerate(row)
                              if (key := answer_key(_text(v) or None)) in options}
            layout.blank = next((c for c, k in enumerate(keys) if k in _BLANK), None)
            if not layout.options:
                problems.append(Problem("survey-no-options", file=file, sheet=sheet,
                                        cell=cell_ref(r, question), params={
                                            "options": ", ".join(sorted(options))}))
            _twice(layout.options, sheet, r, file, problems)
        else:
            layout.questions = questions
            _twice({c: q.column for c, q in questions.items()}, sheet, r, file, problems)
        known = {unit, group, layout.respondent, question, layout.blank, *questions,
                 *layout.options}
        for c, v in enumerate(row):
            if c not in known and _text(v):
                problems.append(Problem("survey-unknown-question", file=file, sheet=sheet,
                                        cell=cell_ref(r, c), params={"value": _text(v)}))
        if group is None:
            found = survey.find_group(sheet)
            if found is None:
                problems.append(Problem("survey-no-group", file=file, sheet=sheet, params={
                    "groups": ", ".join(g.code for g in survey.groups)}))
                return None
            layout.group_code = found.code
        return layout
    return None


def _twice(columns: dict[int, str], sheet: str, r: int, file: str,
           problems: list[Problem]) -> None:
    """Two columns for one question (or one option of a tally) would count its answers
    twice: an error naming both header cells."""
    first: dict[str, int] = {}
    for c, name in columns.items():
        if name in first:
            problems.append(Problem("survey-duplicate-column", file=file, sheet=sheet,
                                    cell=cell_ref(r, c), params={
                                        "value": name, "other": cell_ref(r, first[name])}))
        else:
            first[name] = c


class _Counting:
    """Counts of raw values, resolved once per distinct value at the end."""

    def __init__(self, cs: CriteriaSet, file: str):
        assert cs.survey is not None
        self.cs, self.survey, self.file = cs, cs.survey, file
        self.problems: list[Problem] = []
        # (question column, raw unit, raw group, raw answer) → answers
        # the answers shape, counted in C: each (raw unit, raw group) pair gets a small number,
        # then each question column counts (pair number, raw answer)
        self.pairs: dict[tuple[Any, Any], int] = {}
        # where each pair is first: (sheet number, row, "Phiếu!A5")
        self.seen: dict[tuple[Any, Any], tuple[int, int, str]] = {}
        self.counted: dict[str, Counter[tuple[int, Any]]] = {}
        self.forms: Counter[tuple[Any, Any]] = Counter()  # (raw unit, raw group) → phiếu
        self.ids: dict[str | None, Counter[Any]] = {}  # the sheet's group → raw ids
        self.sheets: dict[str, tuple[dict[str, Counter[tuple[int, Any]]],
                                     Counter[tuple[Any, Any]]]] = {}
        self.units: dict[str, tuple[str, str]] = {}
        self.columns: set[str] = set()
        self.tallied: list[_Layout] = []
        self.tally_rows: dict[tuple[str, str, str], str] = {}  # key → "Sheet!C5"
        self.answered: list[_Layout] = []
        self.counts: dict[tuple[str, str, str], dict[str, int]] = {}
        self.questionnaires: dict[tuple[str, str], int] = {}  # (unit, group) → phiếu
        self.blanks: Counter[tuple[str, str, str]] = Counter()

    # -- the answers shape ---------------------------------------------------------------------
    def answers(self, layout: _Layout, rows: Iterator[list[Any]]) -> None:
        self.answered.append(layout)
        self.columns |= {q.column for q in layout.questions.values()}
        width = 1 + max([layout.unit, layout.group or 0, layout.respondent or 0,
                         *layout.questions])
        group = layout.group
        first = layout.header + 1  # the 0-based row of the chunk's first row
        counted: dict[str, Counter[tuple[int, Any]]] = {}  # this sheet's, merged at the end
        forms: Counter[tuple[Any, Any]] = Counter()
        for chunk in iter(lambda: list(islice(rows, CHUNK)), []):
            padded = chunk if min(map(len, chunk)) >= width else [
                row if len(row) >= width else [*row, *repeat(None, width - len(row))]
                for row in chunk]
            columns = list(zip(*padded, strict=False))  # rows at least `width` long
            units = columns[layout.unit]
            groups = columns[group] if group is not None else \
                tuple(repeat(layout.group_code, len(padded)))
            pairs = list(zip(units, groups, strict=True))
            for pair in set(pairs).difference(self.pairs):
                self.pairs[pair] = len(self.pairs)
                row = first + pairs.index(pair)
                self.seen[pair] = (len(self.answered), row,
                                   f"{layout.sheet}!{cell_ref(row, layout.unit)}")
            first += len(chunk)
            keys = list(map(self.pairs.__getitem__, pairs))
            if layout.respondent is not None:  # ids are per sheet when a sheet is a group
                self.ids.setdefault(layout.group_code, Counter()).update(
                    columns[layout.respondent])
            for c, q in layout.questions.items():
                counted.setdefault(q.column, Counter()).update(
                    zip(keys, columns[c], strict=True))
            forms.update(pairs)
        for other, (other_counted, other_forms) in self.sheets.items():
            if forms and forms == other_forms and counted == other_counted:
                self.problems.append(Problem("survey-duplicate-sheet", file=self.file,
                                             sheet=layout.sheet, params={"other": other}))
        self.sheets[layout.sheet] = (counted, forms)
        for column, counter in counted.items():
            self.counted.setdefault(column, Counter()).update(counter)
        self.forms.update(forms)

    # -- the pre-tallied shape ----------------------------------------------------------------
    def tally(self, layout: _Layout, rows: Iterator[list[Any]]) -> None:
        self.tallied.append(layout)
        assert layout.question is not None
        sheet = layout.sheet
        for r, row in enumerate(rows, start=layout.header + 1):
            def at(c: int | None, row: list[Any] = row) -> Any:
                return row[c] if c is not None and c < len(row) else None

            raw_unit, raw_q = _text(at(layout.unit)), _text(at(layout.question))
            counts = {o: at(c) for c, o in layout.options.items()}
            if not raw_unit and not raw_q and all(v in (None, "") for v in counts.values()):
                continue
            place = (sheet, cell_ref(r, layout.unit))
            unit = self._unit(raw_unit, place)
            if unit is None:
                self.problems.append(Problem("survey-unit-missing", file=self.file,
                                             sheet=sheet, cell=place[1], params={"n": 1}))
            group = layout.group_code or self._group(_text(at(layout.group)),
                                                     (sheet, cell_ref(r, layout.group or 0)))
            q = self.survey.find_question(raw_q)
            if q is None:
                self.problems.append(Problem("survey-tally-question", file=self.file,
                                             sheet=sheet, cell=cell_ref(r, layout.question),
                                             params={"value": raw_q or "∅"}))
                continue
            if unit is not None and group is not None:
                key = (unit, group, q.column)
                if key in self.tally_rows:
                    self.problems.append(Problem(
                        "survey-duplicate-tally", file=self.file, sheet=sheet,
                        cell=cell_ref(r, layout.question), params={
                            "unit": raw_unit, "group": group, "question": q.column,
                            "other": self.tally_rows[key]}))
                    continue
                self.tally_rows[key] = f"{sheet}!{cell_ref(r, layout.question)}"
            self.columns.add(q.column)
            whole: dict[str, int] = {}
            for c, o in layout.options.items():
                n = _count(at(c))
                if n is None:
                    self.problems.append(Problem("survey-bad-count", file=self.file,
                                                 sheet=sheet, cell=cell_ref(r, c),
                                                 params={"value": _text(at(c))}))
                else:
                    whole[o] = n
            blank = _count(at(layout.blank)) if layout.blank is not None else 0
            if blank is None:
                self.problems.append(Problem("survey-bad-count", file=self.file, sheet=sheet,
                                             cell=cell_ref(r, layout.blank or 0),
                                             params={"value": _text(at(layout.blank))}))
                blank = 0
            if unit is None or group is None:
                continue
            scale = self.survey.scale_of(q)
            invalid = [o for o, n in whole.items() if n and o not in scale]
            for o in invalid:
                c = next(c for c, opt in layout.options.items() if opt == o)
                self.problems.append(Problem("survey-invalid-answer", file=self.file,
                                             sheet=sheet, cell=cell_ref(r, c), params={
                                                 "question": q.column, "value": o,
                                                 "options": ", ".join(scale), "n": whole[o]}))
            if group not in q.groups:
                n = sum(whole.values())
                if n:
                    self.problems.append(Problem("survey-not-asked", file=self.file,
                                                 sheet=sheet, cell=cell_ref(r, layout.unit),
                                                 params={"n": n, "group": group,
                                                         "question": q.column}))
                continue
            into = self.counts.setdefault((unit, group, q.column), {})
            for o, n in whole.items():
                if o in scale:
                    into[o] = into.get(o, 0) + n
            self.blanks[(unit, group, q.column)] += blank

    # -- resolving -----------------------------------------------------------------------------
    def _unit(self, raw: str, place: tuple[str, str]) -> str | None:
        if not raw:
            return None
        code = unit_code(raw)
        key = unit_key(code)
        self.units.setdefault(key, (code, f"{place[0]}!{place[1]}"))
        return key

    def _group(self, raw: str, place: tuple[str, str]) -> str | None:
        found = self.survey.find_group(raw) if raw else None
        if found is None:
            self.problems.append(Problem("survey-unknown-group", file=self.file,
                                         sheet=place[0], cell=place[1], params={
                                             "value": raw or "∅", "n": 1, "groups": ", ".join(
                                                 g.code for g in self.survey.groups)}))
        return found.code if found else None

    def resolve(self, sheets: list[tuple[_Layout, Rows]]) -> None:
        """The raw counts of the answers shape resolved into units, groups and options; the
        cells of what cannot be resolved found by a second pass."""
        groups: dict[Any, str | None] = {}
        for raw in {g for (_u, g) in self.forms}:
            named = self.survey.find_group(_text(raw)) if _text(raw) else None
            groups[raw] = named.code if named else None
        units: dict[Any, str | None] = {}
        for raw in {u for (u, _g) in self.forms}:
            units[raw] = unit_key(unit_code(_text(raw))) if _text(raw) else None
        questions = {q.column: q for q in self.survey.questions}
        answers: dict[tuple[str, Any], str | None] = {}
        bad = _Bad()
        blank_by_question: Counter[str] = Counter()
        pair_of = list(self.pairs)
        raw_counts = ((column, *pair_of[key], raw_answer, n)
                      for column, counter in self.counted.items()
                      for (key, raw_answer), n in counter.items())
        for column, raw_unit, raw_group, raw_answer, n in raw_counts:
            q = questions[column]
            answer = answers.get((column, raw_answer), "?")
            if answer == "?":
                answer = answers[(column, raw_answer)] = answer_key(
                    raw_answer if raw_answer != "" else None)
            unit, group = units[raw_unit], groups[raw_group]
            if unit is None:
                if answer is not None:
                    bad.no_unit = True
                continue
            if group is None:
                bad.groups[raw_group] = sum(m for (u, g), m in self.forms.items()
                                            if g == raw_group and units[u] is not None)
                continue
            if answer is None:
                if group in q.groups:
                    self.blanks[(unit, group, column)] += n
                    blank_by_question[column] += n
                continue
            if answer not in self.survey.scale_of(q):
                bad.answers[(column, raw_answer)] = bad.answers.get((column, raw_answer), 0) + n
                continue
            if group not in q.groups:
                key = (group, column)
                bad.not_asked[key] = bad.not_asked.get(key, 0) + n
                continue
            into = self.counts.setdefault((unit, group, column), {})
            into[answer] = into.get(answer, 0) + n
        self.id_counts = _repeated_ids(self.ids)
        bad.ids = set(self.id_counts)
        places = _locate(sheets, bad, units, groups, self.survey) if bad else _Places()
        self._report(bad, places, blank_by_question)
        for pair, (_sheet, _row, place) in sorted(self.seen.items(), key=lambda kv: kv[1]):
            found = units[pair[0]]
            if found is not None and found not in self.units:
                self.units[found] = (unit_code(_text(pair[0])), place)
        for (raw_unit, raw_group), n in self.forms.items():
            unit, group = units[raw_unit], groups[raw_group]
            if unit is not None and group is not None:
                key2 = (unit, group)
                self.questionnaires[key2] = self.questionnaires.get(key2, 0) + n

    def _report(self, bad: _Bad, places: _Places, blanks: Counter[str]) -> None:
        file = self.file
        groups = ", ".join(g.code for g in self.survey.groups)
        found = self.problems
        if bad.no_unit:
            found.append(_at("survey-unit-missing", file, places.no_unit,
                             n=places.no_unit_rows))
        for raw, n in bad.groups.items():
            found.append(_at("survey-unknown-group", file, places.groups.get(raw, []),
                             value=_text(raw) or "∅", n=n, groups=groups))
        for (column, raw), n in bad.answers.items():
            q = next(q for q in self.survey.questions if q.column == column)
            found.append(_at("survey-invalid-answer", file, places.answers.get((column, raw), []),
                             question=column, value=_text(raw),
                             options=", ".join(self.survey.scale_of(q)), n=n))
        for (group, column), n in bad.not_asked.items():
            found.append(_at("survey-not-asked", file, places.not_asked.get((group, column), []),
                             n=n, group=group, question=column))
        for value in sorted(bad.ids, key=str):
            cells = places.ids.get(value, [])
            shown_cells = [f"{s}!{c}" for s, c in cells] if len({s for s, _c in cells}) > 1 \
                else [c for _s, c in cells]
            found.append(_at("survey-duplicate-respondent", file, cells, value=value[1],
                             n=self.id_counts[value], cells=", ".join(shown_cells)))
        if blanks:
            detail = ", ".join(f"{c}: {n}" for c, n in blanks.items())
            self.problems.append(Problem("survey-blank-answers", file=file, params={
                "n": sum(blanks.values()), "detail": detail}))

    def answers_of(self) -> SurveyAnswers:
        questionnaires = self.questionnaires if self.answered else None
        missing = [q for q in self.survey.questions if q.column not in self.columns]
        if missing:
            self.problems.append(Problem("survey-question-missing", file=self.file, params={
                "n": len(missing), "questions": ", ".join(q.column for q in missing),
                "items": ", ".join(dict.fromkeys(q.item for q in missing))}))
        return SurveyAnswers(file=self.file, criteria=self.cs.id, counts=self.counts,
                             blanks=dict(self.blanks), questionnaires=questionnaires,
                             units=self.units, columns=self.columns,
                             tallied=bool(self.tallied) and not self.answered,
                             problems=self.problems)


def _repeated_ids(ids: dict[str | None, Counter[Any]]) -> dict[tuple[str | None, str], int]:
    """Respondent ids given more than once, as compared by :func:`_id_key`, with how often.
    Most files have none: that is found without a Python step per questionnaire."""
    repeated: dict[tuple[str | None, str], int] = {}
    for scope, raw in ids.items():
        raw.pop(None, None)
        raw.pop("", None)
        keys = list(raw)
        if set(map(type, keys)) <= {str}:
            norm = list(map(str.casefold, map(str.strip, keys)))
        else:
            norm = list(map(_id_key, keys))
        if len(set(norm)) == len(norm) and (not raw or max(raw.values()) == 1):
            continue
        counts: Counter[str] = Counter()
        for key, n in zip(norm, raw.values(), strict=True):
            counts[key] += n
        repeated.update({(scope, key): n for key, n in counts.items() if key and n > 1})
    return repeated


def _id_key(raw: Any) -> str:
    """A respondent id as compared: "P1", "p1 " and "P1" are one; 101 and "101" are one."""
    return _text(raw).strip().casefold()


MAX_COUNT = 10**9  # answers to one question from one group of one unit; a nation is fewer


def _count(value: Any) -> int | None:
    """A count cell: a whole number from 0 to 10⁹, as a number or as plain digits ("1.000"
    is refused: in Vietnamese it is a thousand, elsewhere one); empty is 0; ``None`` if it is
    not one."""
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
            return None
        number = int(value)
    else:
        text = nfc(str(value))
        if not re.fullmatch(r"[0-9]+", text):
            return None
        number = int(text)
    return number if 0 <= number <= MAX_COUNT else None


def _at(code: str, file: str, where: list[tuple[str, str]], **params: Any) -> Problem:
    """A problem at the first of the cells ``where`` it is (none: at the file)."""
    sheet, cell = where[0] if where else (None, None)
    return Problem(code, file=file, sheet=sheet, cell=cell, params=params)


@dataclass
class _Bad:
    no_unit: bool = False
    groups: dict[Any, int] = field(default_factory=dict)
    answers: dict[tuple[str, Any], int] = field(default_factory=dict)
    not_asked: dict[tuple[str, str], int] = field(default_factory=dict)
    ids: set[Any] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.no_unit or self.groups or self.answers or self.not_asked or self.ids)


@dataclass
class _Places:
    no_unit: list[tuple[str, str]] = field(default_factory=list)
    no_unit_rows: int = 0
    groups: dict[Any, list[tuple[str, str]]] = field(default_factory=dict)
    answers: dict[tuple[str, Any], list[tuple[str, str]]] = field(default_factory=dict)
    not_asked: dict[tuple[str, str], list[tuple[str, str]]] = field(default_factory=dict)
    ids: dict[Any, list[tuple[str, str]]] = field(default_factory=dict)


def _note(places: dict[Any, list[tuple[str, str]]], key: Any, sheet: str, cell: str,
          limit: int = SHOWN_CELLS) -> None:
    found = places.setdefault(key, [])
    if len(found) < limit:
        found.append((sheet, cell))


def _locate(sheets: list[tuple[_Layout, Rows]], bad: _Bad, units: dict[Any, str | None],
            groups: dict[Any, str | None], survey: Survey) -> _Places:
    """The second pass, on the error path only: the cells of the values that were bad."""
    places = _Places()
    asked = {q.column: set(q.groups) for q in survey.questions}
    for layout, rows in sheets:
        sheet = layout.sheet
        for r, row in enumerate(islice(rows(), layout.header + 1, None), start=layout.header + 1):
            def at(c: int | None, row: list[Any] = row) -> Any:
                return row[c] if c is not None and c < len(row) else None

            raw_unit = at(layout.unit)
            raw_group = at(layout.group) if layout.group is not None else layout.group_code
            answered = [(c, q, v) for c, q in layout.questions.items()
                        if (v := at(c)) not in (None, "")]
            if units.get(raw_unit) is None:
                if answered and bad.no_unit:
                    places.no_unit_rows += 1
                    if len(places.no_unit) < SHOWN_CELLS:
                        places.no_unit.append((sheet, cell_ref(r, layout.unit)))
                continue
            if raw_group in bad.groups:
                _note(places.groups, raw_group, sheet, cell_ref(r, layout.group or 0))
                continue
            group = groups.get(raw_group)
            for c, q, v in answered:
                if (q.column, v) in bad.answers:
                    _note(places.answers, (q.column, v), sheet, cell_ref(r, c))
                elif group not in asked[q.column] and (group, q.column) in bad.not_asked:
                    _note(places.not_asked, (group, q.column), sheet, cell_ref(r, c))
            if layout.respondent is not None and _text(v := at(layout.respondent)) and \
                    (key := (layout.group_code, _id_key(v))) in bad.ids:
                _note(places.ids, key, sheet, cell_ref(r, layout.respondent), limit=10)
    return places


# --- the file ----------------------------------------------------------------------------------


def _count_sheets(cs: CriteriaSet, file: str, sheets: list[tuple[str, Rows]],
                  problems: list[Problem], flags: dict[str, Flags] | None = None
                  ) -> SurveyAnswers:
    survey = cs.survey
    assert survey is not None
    counting = _Counting(cs, file)
    counting.problems = problems
    laid: list[tuple[_Layout, Rows]] = []
    for name, rows in sheets:
        iterator = rows()
        head = list(islice(iterator, HEADER_ROWS))
        layout = _find_layout(name, head, survey, file, problems)
        if layout is None:
            continue
        _flagged(layout, (flags or {}).get(name, {}), file, problems)
        rest = iter([*head[layout.header + 1:]])
        body = chain(rest, iterator)
        if layout.tallied:
            counting.tally(layout, body)
        else:
            counting.answers(layout, body)
            laid.append((layout, rows))
    if not counting.tallied and not counting.answered:
        if any(p.code == "survey-no-group" for p in problems):
            raise CchcError(problems)
        raise CchcError([*problems, Problem("survey-no-header", file=file, params={
            "rows": HEADER_ROWS,
            "questions": ", ".join(q.column for q in survey.questions[:3]) + " …"})])
    if counting.answered and counting.tallied:
        problems.append(Problem("survey-mixed-shapes", file=file, params={
            "answers": ", ".join(f"“{x.sheet}”" for x in counting.answered),
            "tallied": ", ".join(f"“{x.sheet}”" for x in counting.tallied)}))
    if counting.answered:
        counting.resolve(laid)
    answers = counting.answers_of()
    if not answers.counts and not any(p.is_error for p in problems):
        problems.append(Problem("survey-no-answers", file=file))
    return answers


def _flagged(layout: _Layout, flags: Flags, file: str, problems: list[Problem]) -> None:
    """Cells below the header, in a column the sheet's layout reads, that hold an error or a
    formula without a value: calamine reads them as empty, Excel shows them otherwise."""
    used = {layout.unit, layout.group, layout.respondent, layout.question, layout.blank,
            *layout.questions, *layout.options} - {None}
    for cell, flagged in sorted(flags.items(), key=lambda kv: split_ref(kv[0]) or (0, 0)):
        place = split_ref(cell)
        if place is not None and place[0] > layout.header and place[1] in used:
            flag_problem(flagged, layout.sheet, cell, None, file, problems)


def _without_sheet(answers: SurveyAnswers, sheet: str) -> SurveyAnswers:
    """A .csv has no sheets: its cells are named alone ("C2"), not as "name!C2"."""
    answers.problems = [replace(p, sheet=None) if p.sheet == sheet else p
                        for p in answers.problems]
    answers.units = {key: (code, place.removeprefix(f"{sheet}!"))
                     for key, (code, place) in answers.units.items()}
    return answers


def _delimiter(head: bytes, encoding: str) -> str:
    """The separator of a .csv: a comma; a semicolon (Excel's CSV where the decimal mark is a
    comma, as in Vietnamese settings) or a tab (Excel's "Unicode text") when the first lines
    hold more of those than commas."""
    text = head.decode(encoding, errors="ignore")
    lines = [line for line in text.splitlines()[:HEADER_ROWS] if line.strip()]
    counts = {sep: sum(line.count(sep) for line in lines) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] > counts[","] else ","


class _CsvRows:
    """A CSV file's rows, a fresh reader each call (the second pass reads it again); the
    files opened are closed by :meth:`close`."""

    def __init__(self, path: Path):
        self.path = path
        self.handles: list[Any] = []

    def __call__(self) -> Iterator[list[Any]]:
        with self.path.open("rb") as raw:
            head = raw.read(1 << 16)
        encoding = "utf-16" if head[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
        handle = self.path.open(newline="", encoding=encoding)
        self.handles.append(handle)
        return csv.reader(handle, delimiter=_delimiter(head, encoding))

    def close(self) -> None:
        for handle in self.handles:
            handle.close()


# --- cells calamine reads as empty: errors, and formulas nobody computed ---------------------

_CELL_START = re.compile(rb"<(?:\w+:)?c[\s>/]")
_ATTR = re.compile(rb"""\b([rt])\s*=\s*["']([^"']*)["']""")
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</")
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
# a formula followed by no value, or an empty one, before the cell ends
_NO_VALUE = re.compile(rb"</(?:\w+:)?f>\s*(?:<(?:\w+:)?v\s*/>\s*|<(?:\w+:)?v>\s*</(?:\w+:)?v>\s*)?"
                       rb"</(?:\w+:)?c>|<(?:\w+:)?f\b[^<>]*/>\s*(?:<(?:\w+:)?v\s*/>\s*)?"
                       rb"</(?:\w+:)?c>")
_ERROR_TYPE = (b'"e"', b"'e'")
# a cell in column AAA (703) or further: a survey has a few dozen columns, and calamine
# allocates every cell up to the furthest (XFD1048576 aborts it). The plain form is searched
# with a literal start (fast); the odd spellings only when the block has some.
_FAR = re.compile(rb'r="([A-Z]{3,}[0-9]+)"')
_FAR_ODD = re.compile(rb"""\br\s*=\s*["']([A-Z]{3,}[0-9]+)["']""")


def _xlsx_flags(path: Path) -> dict[str, Flags]:
    """Each sheet's cells that hold an error or a formula without a value, found by streaming
    the sheet's XML a block of rows at a time (no grid limit: a survey has many rows); only a
    block holding an error type or a formula is looked at cell by cell."""
    import zipfile

    from cchc_cli.reading.xlsx import Archive, _sheet_parts

    archive = Archive(path, file_limit=limits.SURVEY_FILE_BYTES)
    try:
        sheets, _date1904 = _sheet_parts(archive)
    finally:
        archive.close()
    found: dict[str, Flags] = {}
    with zipfile.ZipFile(path) as book:
        names = {info.filename.lower(): info.filename for info in book.infolist()}
        for info in sheets:
            part = names.get(info.part.lower())
            if part is None:
                continue
            flags: Flags = {}
            inflated = 0
            with book.open(part) as stream:
                rest = b""
                while chunk := stream.read(1 << 20):
                    inflated += len(chunk)
                    if inflated > limits.SURVEY_XML_BYTES:
                        limit = f"{limits.SURVEY_XML_BYTES // limits.MiB} MiB"
                        raise CchcError([Problem("part-too-large", file=str(path),
                                                 sheet=info.name,
                                                 params={"part": part, "limit": limit})])
                    block = rest + chunk
                    cut = block.rfind(b"</row>")
                    if cut < 0 and len(block) < 8 << 20:
                        rest = block
                        continue
                    cut = len(block) if cut < 0 else cut + 6
                    block, rest = block[:cut], block[cut:]
                    _look(block, flags, str(path), info.name)
                if rest:
                    _look(rest, flags, str(path), info.name)
            if flags:
                found[info.name] = flags
    return found


def _look(block: bytes, flags: Flags, file: str, sheet: str) -> None:
    """One block of whole rows: a far cell refuses the sheet; a block with an error type or
    a formula without a value is looked at cell by cell."""
    far = _FAR.search(block)
    if far is None and (b"r='" in block or b"r =" in block or b"r= " in block):
        far = _FAR_ODD.search(block)
    if far is not None:
        raise CchcError([Problem("survey-far-cell", file=file, sheet=sheet,
                                 params={"cell": far.group(1).decode("ascii")})])
    formulas = b"<f" in block or b":f" in block
    if any(token in block for token in _ERROR_TYPE) or (formulas and _NO_VALUE.search(block)):
        _flag_cells(block, flags)


def _flag_cells(block: bytes, flags: Flags) -> None:
    """Each cell from its start to the next cell's start (linear: a cell never left open can
    make a search for its end run to the end of the block, for every cell)."""
    starts = [m.start() for m in _CELL_START.finditer(block)]
    for start, end in zip(starts, [*starts[1:], len(block)], strict=True):
        cell = block[start:end]
        close = cell.find(b">")
        attrs = dict(_ATTR.findall(cell[:close if close >= 0 else len(cell)]))
        ref = attrs.get(b"r", b"").decode("ascii", "replace")
        value = _VALUE.search(cell)
        held = value.group(1).decode("utf-8", "replace").strip() if value else ""
        if attrs.get(b"t") == b"e":
            flags[ref] = ("error", held or "#N/A")
        elif _FORMULA.search(cell) and not held:
            flags[ref] = ("formula", "=…")


def _book_flags(path: Path, names: list[str]) -> dict[str, Flags]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _xlsx_flags(path)
    from cchc_cli.reading.cell_marks import cell_marks

    return {name: marks.flags for name, marks in cell_marks(path, names).items() if marks.flags}


def _rows_of(sheet: Any) -> Rows:
    """A calamine sheet's rows, each cell at its column: calamine's rows start at the first
    used column (a sheet whose data starts in column C gives C as the first item)."""
    start = getattr(sheet, "start", None)
    offset = start[1] if start else 0

    def rows() -> Iterator[list[Any]]:
        if not offset:
            return iter(sheet.iter_rows())
        pad = [None] * offset
        return (pad + row for row in sheet.iter_rows())

    return rows


def _read_book(file: str, cs: CriteriaSet) -> SurveyAnswers:
    """Every visible sheet of a workbook, with python-calamine."""
    from cchc_cli.reading.child import open_calamine

    book = open_calamine(file)
    flags = _book_flags(Path(file), list(book.sheet_names))
    problems: list[Problem] = []
    sheets: list[tuple[str, Rows]] = []
    for meta in book.sheets_metadata:
        if str(meta.visible).rsplit(".", 1)[-1] != "Visible":
            problems.append(Problem("survey-hidden-sheet", file=file, sheet=meta.name))
            continue
        sheets.append((meta.name, _rows_of(book.get_sheet_by_name(meta.name))))
    return _count_sheets(cs, file, sheets, problems, flags)


def read_survey(path: str | os.PathLike[str], cs: CriteriaSet) -> SurveyAnswers:
    """The answers of a survey file counted by ``cs``'s survey; raises :class:`CchcError`
    when the file cannot be read as answers at all. Problems with some answers (an unknown
    group, an answer outside the options…) are in the result's ``problems``."""
    from cchc_cli.reading.child import ChildDied, in_child

    path = Path(path)
    file = str(path)
    if cs.survey is None:
        raise CchcError([Problem("survey-not-declared", params={"id": cs.id})])
    if not path.exists():
        raise CchcError([Problem("file-not-found", file=file)])
    if path.is_dir():
        raise CchcError([Problem("survey-format", file=file)])
    if not path.is_file():
        raise CchcError([Problem("not-a-regular-file", file=file)])
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise CchcError([Problem("survey-format", file=file)])
    size = path.stat().st_size
    if size > limits.SURVEY_FILE_BYTES:
        raise CchcError([Problem("workbook-too-large", file=file, params={
            "size": f"{size / limits.MiB:.0f} MiB",
            "limit": f"{limits.SURVEY_FILE_BYTES // limits.MiB} MiB"})])
    try:
        answers: SurveyAnswers = in_child(_read_file, (file, cs))
        return answers
    except ChildDied as died:
        raise CchcError([Problem("reader-died", file=file,
                                 params={"detail": died.detail})]) from None


def _read_file(job: tuple[str, CriteriaSet]) -> SurveyAnswers:
    """In a child process with capped memory and time (a .csv row of fifty million empty
    fields, or a workbook's bomb, ends there): the file read and counted. Whatever the
    reader raises becomes a catalogued problem naming the file."""
    file, cs = job
    path = Path(file)
    try:
        if path.suffix.lower() == ".csv":
            return _read_csv(path, cs)
        return _read_book(file, cs)
    except CchcError:
        raise
    except UnicodeError as exc:
        raise CchcError([Problem("unreadable-file", file=file, params={
            "detail": "không phải UTF-8 hay UTF-16; hãy lưu lại dạng CSV UTF-8 / not UTF-8 "
                      f"or UTF-16: save it again as CSV UTF-8 ({str(exc)[:60]})"})]) from None
    except (OSError, csv.Error) as exc:
        raise CchcError([Problem("unreadable-file", file=file,
                                 params={"detail": str(exc)[:160]})]) from None
    except MemoryError:
        raise
    except Exception as exc:  # a reader's own error on a malformed cell or part
        detail = str(exc).splitlines()[0][:160] if str(exc) else exc.__class__.__name__
        raise CchcError([Problem("unreadable-workbook", file=file,
                                 params={"detail": detail})]) from None


def _read_csv(path: Path, cs: CriteriaSet) -> SurveyAnswers:
    rows = _CsvRows(path)
    try:
        return _without_sheet(_count_sheets(cs, str(path), [(path.stem, rows)], []), path.stem)
    finally:
        rows.close()
