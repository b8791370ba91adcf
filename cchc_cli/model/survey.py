"""The sociological survey (điều tra xã hội học): how a criteria set declares it, and what
scoring it gives.

A set's ``survey:`` names the respondent groups (with their weights), the value of each answer
as a share of a question's points (``A: 100, B: 60, C: 20, D: 0`` in %), how answers combine
(``mean``: the mean share; ``top``: the share of the top answers, "hài lòng + rất hài lòng"),
the minimum number of answers below which an item stays pending, and the questions that score
each survey-scored item. The engine (``engine/survey.py``) turns counted answers into points:

    share of a group  = Σ count × value / Σ count          (combine: mean)
                      = Σ count of the top answers / Σ count   (combine: top)
    share of an item  = Σ weight × share of a group / Σ weight  (over the groups asked)
    points            = share × the item's max, rounded by the set's rule rounding

Every share is an exact ``Fraction``; the points are ``Decimal``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from cchc_cli.model.decimals import EXACT
from cchc_cli.model.text import fold, nfc

Combine = Literal["mean", "top"]
HUNDRED = Decimal(100)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True,
                              defer_build=True)


def header_key(text: str) -> str:
    """How a question's column header is matched: case, accents, spaces and punctuation aside
    ("CÂU 1", "Câu 1." and "cau1" are one), but a separator between numbers kept ("Câu 1.1"
    is not "Câu 11") and leading zeros dropped ("Câu 01" is "Câu 1")."""
    decomposed = unicodedata.normalize("NFD", nfc(text).lower().replace("đ", "d"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = re.sub(r"(?<=\d)[^0-9a-z]+(?=\d)", "\x00", plain)
    plain = re.sub(r"\d+", lambda m: str(int(m.group())), plain)
    return re.sub(r"[^0-9a-z\x00]", "", plain).replace("\x00", ".")


def answer_key(raw: Any) -> str | None:
    """An answer as the survey compares it: ``"a"``, ``" A. "`` and ``"A)"`` are ``"A"``; the
    number 3 (or 3.0, as a spreadsheet stores it) is ``"3"``; ``None`` for a blank."""
    if raw is None or isinstance(raw, bool):
        return None if raw is None else str(raw).upper()
    if isinstance(raw, int | float | Decimal):
        number = Decimal(str(raw))
        return str(int(number)) if number == number.to_integral_value() else str(number)
    text = nfc(str(raw)).strip().rstrip(".)").strip().upper()
    if re.fullmatch(r"\d+(?:[.,]0+)?", text):
        text = str(int(re.split(r"[.,]", text)[0]))
    return text or None


def _options(value: Any) -> Any:
    """A scale written in YAML: option → share in %; the options may be numbers (1–5)."""
    if isinstance(value, dict):
        return {answer_key(k) or str(k): v for k, v in value.items()}
    return value


class SurveyGroup(_Strict):
    """A group of respondents (đối tượng khảo sát) and its weight in an item's share."""

    code: str = Field(min_length=1)
    title: str = Field(min_length=1)
    weight: Decimal = Field(default=Decimal(1), gt=0)
    aliases: list[str] = Field(default_factory=list)  # how answer files name it

    def names(self) -> set[str]:
        return {fold(name) for name in (self.code, self.title, *self.aliases)}


class SurveyQuestion(_Strict):
    """A question (câu hỏi): the column that holds its answers, the item it scores and the
    groups asked it."""

    column: str = Field(min_length=1)  # the header in the answer file, e.g. "Câu 1"
    item: str = Field(min_length=1)
    groups: list[str] = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)  # other headers for it, e.g. "Q1"
    scale: str | None = None  # one of the survey's named scales; default: ``scale``

    def names(self) -> set[str]:
        return {header_key(name) for name in (self.column, *self.aliases)}


class Survey(_Strict):
    """The survey a criteria set declares (``survey:`` in YAML)."""

    note: str | None = None
    groups: list[SurveyGroup] = Field(min_length=1)
    scale: dict[str, Decimal] = Field(min_length=2)  # option → share of the points, in %
    scales: dict[str, dict[str, Decimal]] = Field(default_factory=dict)  # more, by name
    combine: Combine = "mean"  # how an item's answers become its share
    top: list[str] = Field(default_factory=list)  # the top answers, for "top"
    index: Combine = "top"  # how the satisfaction index combines all of a unit's answers
    min_answers: int = Field(default=1, ge=1)  # per unit, item and group
    questions: list[SurveyQuestion] = Field(min_length=1)

    @field_validator("scale", mode="before")
    @classmethod
    def _scale_keys(cls, value: Any) -> Any:
        return _options(value)

    @field_validator("scales", mode="before")
    @classmethod
    def _scales_keys(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {name: _options(scale) for name, scale in value.items()}
        return value

    @field_validator("top", mode="before")
    @classmethod
    def _top_keys(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [answer_key(v) or str(v) for v in value]
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Survey:
        for name, scale in {"scale": self.scale, **self.scales}.items():
            bad = [k for k, v in scale.items() if not Decimal(0) <= v <= HUNDRED]
            if bad:
                raise ValueError(f"a share is between 0 and 100 (%): {name}: {', '.join(bad)}")
        codes = [g.code for g in self.groups]
        twice = sorted({c for c in codes if codes.count(c) > 1})
        if twice:
            raise ValueError(f"groups declared twice: {', '.join(twice)}")
        seen: dict[str, str] = {}
        for q in self.questions:
            unknown = [g for g in q.groups if g not in codes]
            if unknown:
                raise ValueError(f"question {q.column!r} names groups not declared: "
                                 f"{', '.join(unknown)} (declared: {', '.join(codes)})")
            if q.scale is not None and q.scale not in self.scales:
                raise ValueError(f"question {q.column!r} names a scale not declared: {q.scale}")
            for name in q.names():
                if name in seen:
                    raise ValueError(f"two questions answer to the header {name!r}: "
                                     f"{seen[name]!r} and {q.column!r}")
                seen[name] = q.column
        if "top" in (self.combine, self.index):
            if not self.top:
                raise ValueError("`top` (the top answers) is needed when combine or index "
                                 "is `top`")
            for name, scale in {"scale": self.scale, **self.scales}.items():
                missing = [t for t in self.top if t not in scale]
                if missing:
                    raise ValueError(f"top answers not in {name}: {', '.join(missing)}")
        return self

    def scale_of(self, question: SurveyQuestion) -> dict[str, Decimal]:
        return self.scales[question.scale] if question.scale else self.scale

    def find_group(self, name: str) -> SurveyGroup | None:
        key = fold(name)
        return next((g for g in self.groups if key in g.names()), None)

    def find_question(self, header: str) -> SurveyQuestion | None:
        key = header_key(header)
        return next((q for q in self.questions if key in q.names()), None)

    def questions_of(self, item: str) -> list[SurveyQuestion]:
        return [q for q in self.questions if q.item == item]

    def options(self) -> set[str]:
        return {*self.scale, *(k for s in self.scales.values() for k in s)}


# --- what the answers give ---------------------------------------------------------------------


@dataclass(frozen=True)
class GroupAnswers:
    """One group's answers to the questions of one item (or to one question)."""

    group: str  # the group's code
    counts: dict[str, int]  # option → answers, in the scale's order
    blanks: int
    share: Fraction | None  # None: fewer answers than the minimum

    @property
    def answered(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class SurveyItem:
    """A survey-scored item of one unit: its answers by group, share and points."""

    code: str
    max: Decimal
    groups: tuple[GroupAnswers, ...]
    share: Fraction | None  # None: pending
    points: Decimal | None  # share × max, rounded by the set's rule rounding; None: pending
    working: dict[str, str]  # "vi" / "en": the arithmetic in words
    pending: str | None = None  # why: "no-answers" | "too-few"

    @property
    def answered(self) -> int:
        return sum(g.answered for g in self.groups)


@dataclass
class SurveyUnit:
    """One unit's survey: its items, its questionnaires and its satisfaction index."""

    code: str
    items: dict[str, SurveyItem] = field(default_factory=dict)
    questionnaires: int | None = None  # phiếu; None when the file is pre-tallied
    satisfaction: Fraction | None = None  # the index / 100

    @property
    def satisfaction_percent(self) -> Decimal | None:
        return None if self.satisfaction is None else to_decimal(self.satisfaction * 100)


def to_decimal(value: Fraction) -> Decimal:
    """A fraction as a decimal to 40 significant digits (counts are capped at 10⁹, so a
    rounding to hundredths from it is the rounding of the exact fraction)."""
    with localcontext(EXACT):
        return Decimal(value.numerator) / Decimal(value.denominator)


Key = tuple[str, str, str]  # (unit key, group code, question column)


@dataclass
class SurveyAnswers:
    """The answers of one survey file, counted (reading/survey.py builds it; the engine scores
    it). Units are keyed by :func:`~cchc_cli.model.text.unit_key`."""

    file: str
    criteria: str  # the id of the set whose survey it was read by
    counts: dict[Key, dict[str, int]] = field(default_factory=dict)  # option → answers
    blanks: dict[Key, int] = field(default_factory=dict)
    questionnaires: dict[tuple[str, str], int] | None = None  # (unit, group) → phiếu
    units: dict[str, tuple[str, str]] = field(default_factory=dict)  # key → (code, "Sheet!A2")
    columns: set[str] = field(default_factory=set)  # the declared questions found in the file
    tallied: bool = False  # delivered as counts, not as questionnaires
    problems: list[Any] = field(default_factory=list)  # Problem


@dataclass
class SurveyResult:
    """A survey scored: every unit found in the answers, and the province's mean share of each
    question (the mean over units of the question's share)."""

    criteria: Any  # the CriteriaSet (model/criteria.py imports this module)
    answers: SurveyAnswers
    units: dict[str, SurveyUnit]  # by unit key
    means: dict[str, Fraction | None]  # question column → mean share
    problems: list[Any] = field(default_factory=list)

    def unit(self, code: str) -> SurveyUnit | None:
        return self.units.get(fold(code))

    def as_dict(self, lang: str = "vi") -> dict[str, Any]:
        """The survey scored, as data (``cchc survey --json``); numbers stay ``Decimal``:
        shares and indices in %, rounded for display as the set's rule rounding and display
        policy say, with the exact value beside them as text."""
        cs = self.criteria

        def percent(share: Fraction | None, display: Any) -> Decimal | None:
            return None if share is None else display(to_decimal(share * 100))

        return {
            "file": self.answers.file,
            "criteria_set": cs.id,
            "shape": "tallied" if self.answers.tallied else "answers",
            "units": [{
                "code": u.code,
                "questionnaires": u.questionnaires,
                "satisfaction_index": percent(u.satisfaction, cs.display),
                "satisfaction_index_exact": None if u.satisfaction is None
                else str(to_decimal(u.satisfaction * 100)),
                "items": [{
                    "code": i.code, "max": i.max, "answered": i.answered,
                    "share_percent": percent(i.share, cs.rule_rounding.apply),
                    "points": i.points, "pending": i.pending,
                    "groups": [{"group": g.group, "answers": g.counts, "blank": g.blanks,
                                "share_percent": percent(g.share, cs.rule_rounding.apply)}
                               for g in i.groups],
                    "working": i.working[lang]} for i in u.items.values()],
            } for u in self.units.values()],
            "questions": [{"question": q.column, "item": q.item, "groups": q.groups,
                           "province_mean_percent": percent(self.means[q.column],
                                                            cs.rule_rounding.apply)}
                          for q in cs.survey.questions],
            "warnings": [p.as_dict(lang) for p in self.problems],
        }
