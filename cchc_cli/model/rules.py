"""Scoring rules: how an item's points follow from the figures a unit declares (số liệu kê khai).

A criteria set may give a leaf a ``rule`` and name the ``figures`` it needs. Kinds:

* ``yes_no`` — ``yes`` points (default: the item's max) when the figure is 1 (Có), else ``no``
  (default 0; may be negative, e.g. −1 when a plan was not issued at all).
* ``tiers`` — thresholds on a value (a ratio shown in %, or a count), the first reached gives
  its points; none reached gives ``otherwise`` (default 0).
* ``threshold_ratio`` — a ratio below ``from`` % gives 0; from it up, ratio × max.
* ``per_event`` — max minus a fixed amount per event of each kind, floored at the item's min.
* ``formula`` — an expression over the figures (see :mod:`cchc_cli.model.expr`).
* ``sum`` — the sum of labelled parts, each one of the kinds above with its own max.

Every result is exact, then capped to the item's [min, max] and rounded once by the set's
``rule_rounding`` (the council writes points in hundredths). :func:`apply` returns the points
and the working, in words, for the reader to check.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal, DecimalException
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from cchc_cli.model.decimals import (
    EXACT,
    RoundingMode,
    exact,
    fixed,
    localize,
    plain,
    round_for_display,
)
from cchc_cli.model.expr import DivisionByZero, ExprError, Node, parse, show_values

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
NAME = r"^[a-z_][a-z0-9_]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True,
                              defer_build=True)  # see criteria._Strict


class _Part(_Strict):
    label: str | None = None  # as a part of a ``sum``: its name and its own max
    max: Decimal | None = None


class _Parsed(_Part):
    """A rule with an expression over the figures (in ``value``, or ``expr``), parsed once."""

    _source: ClassVar[str] = "value"
    _tree: Node | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _parse(self) -> _Parsed:
        try:
            self._tree = parse(getattr(self, self._source))
        except ExprError as exc:
            raise ValueError(f"`{self._source}`: {exc}") from None
        return self

    @property
    def tree(self) -> Node:
        assert self._tree is not None
        return self._tree

    def names(self) -> set[str]:
        return self.tree.names()


class YesNo(_Part):
    kind: Literal["yes_no"]
    figure: str = Field(pattern=NAME)
    yes: Decimal | None = None  # default: the item's (or part's) max
    no: Decimal = ZERO

    def names(self) -> set[str]:
        return {self.figure}


class Tier(_Strict):
    at_least: Decimal = Field(alias="from")
    points: Decimal


class Tiers(_Parsed):
    kind: Literal["tiers"]
    value: str = Field(min_length=1)
    percent: bool = False  # the value is a ratio, shown and compared in %
    tiers: list[Tier] = Field(min_length=1)
    otherwise: Decimal = ZERO

    @model_validator(mode="after")
    def _descending(self) -> Tiers:
        bounds = [t.at_least for t in self.tiers]
        if bounds != sorted(bounds, reverse=True) or len(set(bounds)) != len(bounds):
            raise ValueError("`tiers` phải xếp từ ngưỡng cao xuống thấp / "
                             "tiers must go from the highest threshold down")
        return self


class ThresholdRatio(_Parsed):
    kind: Literal["threshold_ratio"]
    value: str = Field(min_length=1)
    at_least: Decimal = Field(alias="from", ge=0, le=100)  # in %


class Event(_Strict):
    figure: str = Field(pattern=NAME)
    each: Decimal = Field(gt=0)  # points taken off per event


class PerEvent(_Part):
    kind: Literal["per_event"]
    events: list[Event] = Field(min_length=1)

    def names(self) -> set[str]:
        return {e.figure for e in self.events}


class Formula(_Parsed):
    kind: Literal["formula"]
    expr: str = Field(min_length=1)
    _source: ClassVar[str] = "expr"


Part = Annotated[YesNo | Tiers | ThresholdRatio | PerEvent | Formula,
                 Field(discriminator="kind")]


class Sum(_Strict):
    kind: Literal["sum"]
    parts: list[Part] = Field(min_length=2)

    @model_validator(mode="after")
    def _parts_capped(self) -> Sum:
        for i, part in enumerate(self.parts, start=1):
            if part.max is None or not part.label:
                raise ValueError(f"phần {i} của `sum` cần `label` và `max` / "
                                 f"part {i} of `sum` needs a `label` and a `max`")
        return self

    def names(self) -> set[str]:
        return set().union(*(p.names() for p in self.parts))


Rule = Annotated[YesNo | Tiers | ThresholdRatio | PerEvent | Formula | Sum,
                 Field(discriminator="kind")]


RULE_KINDS = frozenset({"yes_no", "tiers", "threshold_ratio", "per_event", "formula", "sum"})


class Rounding(_Strict):
    """How a figure is rounded, once: to ``decimals`` places, truncating (Sóc Trăng publishes
    78.8176… as 78.81) or half up (a rule's 6/7 → 0.86). A set declares one for the figures it
    displays (``rounding``) and one for the points its rules give (``rule_rounding``)."""

    decimals: int = Field(ge=0, le=6)
    mode: RoundingMode

    def apply(self, value: Decimal) -> Decimal:
        return round_for_display(value, self.decimals, self.mode)


# a rule's points are written as the council writes them: hundredths, half up
RULE_ROUNDING = Rounding(decimals=2, mode="half_up")


# --- applying a rule -------------------------------------------------------------------------


class RuleFailed(Exception):
    """A rule that cannot be applied to these figures (a division by zero)."""

    def __init__(self, kind: str, detail: str, names: tuple[str, ...] = ()):
        super().__init__(detail)
        self.kind, self.detail, self.names = kind, detail, names  # the figures at fault


@dataclass(frozen=True, slots=True)
class Outcome:
    """A rule applied to one column of figures."""

    points: Decimal  # capped and rounded: what the item would get
    exact: Decimal  # before capping and rounding
    working: tuple[str, ...]  # the steps, in words, in the language asked for


_WORDS = {
    "vi": {"points": "điểm", "required": "yêu cầu", "yes": "Có", "no": "Không",
           "capped": "giới hạn trong", "rounded": "làm tròn", "total": "Cộng"},
    "en": {"points": "points", "required": "required", "yes": "yes", "no": "no",
           "capped": "capped to", "rounded": "rounded", "total": "Total"},
}


def _num(value: Decimal, lang: str) -> str:
    return localize(plain(value), lang).replace("-", "\u2212")  # a minus sign, as printed


def _percent(value: Decimal, lang: str) -> str:
    """A ratio as the memos print it: 1/30 → "3,33 %" (two decimals, cut, not rounded up)."""
    return f"{fixed(round_for_display(value * HUNDRED, 2, 'truncate'), 2, lang)} %"


def _short(value: Decimal, lang: str) -> str:
    """An exact value for the working: up to 4 decimals, "…" when cut."""
    cut = value.quantize(Decimal("0.0001"), rounding=ROUND_DOWN, context=EXACT)
    return _num(cut, lang) + ("…" if cut != value else "")


def out_of(points: Decimal, maximum: Decimal, lang: str) -> str:
    """"0,41/1,5 điểm" · "0.41 of 1.5 points"."""
    if lang == "en":
        return f"{_short(points, lang)} of {_num(maximum, lang)} points"
    return f"{_short(points, lang)}/{_num(maximum, lang)} điểm"


def _evaluate(tree: Node, figures: Mapping[str, Decimal]) -> Decimal:
    try:
        return tree.evaluate(figures)
    except DivisionByZero as exc:
        raise RuleFailed("division-by-zero", f"{exc.divisor.text()} = "
                         f"{exc.divisor.text(show_values(figures, 'en'))}",
                         tuple(sorted(exc.divisor.names()))) from None


def _part(rule: YesNo | Tiers | ThresholdRatio | PerEvent | Formula, maximum: Decimal,
          minimum: Decimal, figures: Mapping[str, Decimal], labels: Mapping[str, str],
          lang: str) -> tuple[Decimal, str]:
    """One rule (or part) applied: exact points, and the working up to the points."""
    w = _WORDS[lang]
    show = show_values(figures, lang)
    if isinstance(rule, YesNo):
        holds = figures[rule.figure] != 0
        points = (rule.yes if rule.yes is not None else maximum) if holds else rule.no
        return points, f"{labels.get(rule.figure, rule.figure)}: {w['yes'] if holds else w['no']}"
    if isinstance(rule, Tiers):
        value = _evaluate(rule.tree, figures)
        shown = rule.tree.text(show, lang)
        amount = _percent(value, lang) if rule.percent else _num(value, lang)
        scale, unit = (HUNDRED, " %") if rule.percent else (ONE, "")
        scaled = value * scale
        reached = next((t for t in rule.tiers if scaled >= t.at_least), None)
        if reached is None:
            test, points = f"< {_num(rule.tiers[-1].at_least, lang)}{unit} {w['required']}", \
                rule.otherwise
        else:
            test, points = f"≥ {_num(reached.at_least, lang)}{unit}", reached.points
        equals = f"{shown} = {amount}" if shown != amount else amount
        return points, f"{equals} {test}"
    if isinstance(rule, ThresholdRatio):
        ratio = _evaluate(rule.tree, figures)
        shown = f"{rule.tree.text(show, lang)} = {_percent(ratio, lang)}"
        if ratio * HUNDRED < rule.at_least:
            return ZERO, f"{shown} < {_num(rule.at_least, lang)} % {w['required']}"
        points = ratio * maximum
        return points, (f"{shown} ≥ {_num(rule.at_least, lang)} %; {_percent(ratio, lang)} × "
                        f"{_num(maximum, lang)} = {_short(points, lang)}")
    if isinstance(rule, PerEvent):
        taken = ZERO
        steps = []
        for event in rule.events:
            count = figures[event.figure]
            taken += count * event.each
            steps.append(f"{_num(count, lang)} × {_num(event.each, lang)} "
                         f"({labels.get(event.figure, event.figure)})")
        left = maximum - taken
        return left, f"{_num(maximum, lang)} − {' − '.join(steps)} = {_num(left, lang)}"
    value = _evaluate(rule.tree, figures)
    return value, f"{rule.tree.text(None, lang)} = {rule.tree.text(show, lang)} = " \
                  f"{_short(value, lang)}"


@exact
def apply(rule: YesNo | Tiers | ThresholdRatio | PerEvent | Formula | Sum, maximum: Decimal,
          minimum: Decimal, figures: Mapping[str, Decimal], rounding: Rounding,
          lang: str = "vi", labels: Mapping[str, str] | None = None) -> Outcome:
    """The points ``rule`` gives on ``figures`` (every name it uses must be present), capped to
    [minimum, maximum] and rounded once; raises :class:`RuleFailed` on a division by zero."""
    try:
        return _apply(rule, maximum, minimum, figures, rounding, lang, labels or {})
    except DecimalException as exc:  # figures too large for 40 digits: say so, not crash
        raise RuleFailed("too-large", exc.__class__.__name__) from None


def _apply(rule: YesNo | Tiers | ThresholdRatio | PerEvent | Formula | Sum, maximum: Decimal,
           minimum: Decimal, figures: Mapping[str, Decimal], rounding: Rounding,
           lang: str, labels: Mapping[str, str]) -> Outcome:
    w = _WORDS[lang]
    if isinstance(rule, Sum):
        exact = ZERO
        working = []
        for part in rule.parts:
            assert part.max is not None
            points, line = _part(part, part.max, ZERO, figures, labels, lang)
            # a part stays within [0, its max] (a yes_no part may go to its declared `no`),
            # so a part's penalty never eats the points another part earned
            low = part.no if isinstance(part, YesNo) and part.no < 0 else ZERO
            points = min(max(points, low), part.max)
            exact += points
            working.append(f"{part.label}: {line} → {out_of(points, part.max, lang)}")
        line = f"{w['total']}"
    else:
        exact, line = _part(rule, maximum, minimum, figures, labels, lang)
        working = []
    capped = min(max(exact, minimum), maximum)
    points = min(max(rounding.apply(capped), minimum),
                 maximum)
    notes = []
    if capped != exact:
        notes.append(f"{w['capped']} [{_num(minimum, lang)}; {_num(maximum, lang)}]")
    if points != capped:
        notes.append(w["rounded"])
    tail = f" ({'; '.join(notes)})" if notes else ""
    working.append(f"{line} → {out_of(points, maximum, lang)}{tail}")
    return Outcome(points=points, exact=exact, working=tuple(working))


def describe(rule: YesNo | Tiers | ThresholdRatio | PerEvent | Formula | Sum, maximum: Decimal,
             lang: str = "vi") -> str:
    """The rule in one line, for a reader of the set: "xong/giao ≥ 80 % → tỷ lệ × 1; dưới: 0"."""
    vi = lang == "vi"

    def one(r: YesNo | Tiers | ThresholdRatio | PerEvent | Formula, top: Decimal) -> str:
        if isinstance(r, YesNo):
            yes = r.yes if r.yes is not None else top
            return (f"{r.figure}: Có → {_num(yes, lang)}, Không → {_num(r.no, lang)}" if vi
                    else f"{r.figure}: yes → {_num(yes, lang)}, no → {_num(r.no, lang)}")
        if isinstance(r, Tiers):
            unit = " %" if r.percent else ""
            steps = "; ".join(f"≥ {_num(x.at_least, lang)}{unit} → {_num(x.points, lang)}"
                              for x in r.tiers)
            rest = "còn lại" if vi else "otherwise"
            return f"{r.tree.text(None, lang)}: {steps}; {rest} {_num(r.otherwise, lang)}"
        if isinstance(r, ThresholdRatio):
            return (f"{r.tree.text(None, lang)} ≥ {_num(r.at_least, lang)} % → "
                    + (f"tỷ lệ × {_num(top, lang)}; dưới: 0" if vi
                       else f"ratio × {_num(top, lang)}; below: 0"))
        if isinstance(r, PerEvent):
            events = " − ".join(f"{_num(e.each, lang)} × {e.figure}" for e in r.events)
            return f"{_num(top, lang)} − {events}"
        return r.tree.text(None, lang)

    if isinstance(rule, Sum):
        return " + ".join(f"[{p.label}: {one(p, p.max or ZERO)}]" for p in rule.parts)
    return one(rule, maximum)
