"""Results: what scoring a unit gives — totals, items, fields, rule checks, bonus and penalty —
and the result as data (the ``--json`` contract). The first file a newcomer reads.

    max after reduction = max − Σ max(items that do not arise)
    achieved            = Σ final points of the items that arise
    deducted            = max after reduction − achieved
    index (%)           = achieved × 100 / max after reduction

Every figure is an exact ``Decimal``; rounding happens only when a figure is displayed, by the
criteria set's declared policy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

from cchc_cli.model.criteria import CriteriaSet, Leaf
from cchc_cli.model.decimals import exact
from cchc_cli.model.problems import Problem
from cchc_cli.model.rules import Rounding, RuleFailed
from cchc_cli.model.rules import apply as apply_rule
from cchc_cli.model.survey import SurveyUnit
from cchc_cli.model.unit import UnitInfo

ZERO = Decimal(0)


HUNDRED = Decimal(100)


Status = Literal["appraised", "provisional"]


# the keys of a total in ``--json`` (docs/json.md), in their order
TOTALS_KEYS = ("max", "reduction", "pending", "max_after_reduction", "achieved", "deducted",
               "index", "index_exact", "bonus", "penalty", "adjustments_apply_to",
               "achieved_after_adjustments", "index_before_adjustments")


@dataclass(frozen=True, slots=True)
class Totals:
    """Sums over a set of items. ``pending`` are applicable survey items not yet scored:
    they are left out of both the maximum and the achieved points until they are."""

    max: Decimal
    reduction: Decimal
    achieved: Decimal
    pending: Decimal = ZERO
    # bonus (điểm thưởng) and penalty (điểm trừ) outside the total, and where the set adds
    # them: to the achieved points ("points") or to the index ("index"); None: it has none
    bonus: Decimal = ZERO
    penalty: Decimal = ZERO
    applies_to: Literal["points", "index"] | None = None  # as the set declares: Adjustments

    @property
    @exact
    def max_after_reduction(self) -> Decimal:
        return self.max - self.reduction - self.pending

    @property
    @exact
    def deducted(self) -> Decimal:
        return self.max_after_reduction - self.achieved

    @property
    @exact
    def adjusted_achieved(self) -> Decimal:
        """The achieved points with bonus and penalty, when the set adds them to points."""
        if self.applies_to == "points":
            return self.achieved + self.bonus - self.penalty
        return self.achieved

    @property
    @exact
    def base_index_exact(self) -> Decimal | None:
        """achieved × 100 / max after reduction, before any bonus or penalty."""
        if self.max_after_reduction == 0:
            return None
        return self.achieved * HUNDRED / self.max_after_reduction

    @property
    @exact
    def index_exact(self) -> Decimal | None:
        """The index: (achieved ± bonus/penalty) × 100 / max after reduction, or the base
        index ± bonus/penalty in percentage points; ``None`` when everything was reduced."""
        fraction = self.index_fraction()
        if fraction is None:
            return None
        if self.applies_to == "index":
            return self.achieved * HUNDRED / self.max_after_reduction + self.bonus - self.penalty
        return self.adjusted_achieved * HUNDRED / self.max_after_reduction

    def index_fraction(self) -> Fraction | None:
        """The index / 100 as an exact fraction: what ranks compare."""
        if self.max_after_reduction == 0:
            return None
        base = Fraction(self.adjusted_achieved) / Fraction(self.max_after_reduction)
        if self.applies_to == "index":
            base += (Fraction(self.bonus) - Fraction(self.penalty)) / 100
        return base

    def as_dict(self, display: Callable[[Decimal], Decimal],
                keys: Iterable[str] = TOTALS_KEYS) -> dict[str, Any]:
        """The totals as data, with ``keys`` in that order (all of them by default): the one
        place where a total becomes a key of ``--json``. ``display`` rounds an index by the
        set's policy; ``index_exact`` is the unrounded index as text."""
        exact, base = self.index_exact, self.base_index_exact
        every: dict[str, Callable[[], Any]] = {
            "max": lambda: self.max,
            "reduction": lambda: self.reduction,
            "pending": lambda: self.pending,
            "max_after_reduction": lambda: self.max_after_reduction,
            "achieved": lambda: self.achieved,
            "deducted": lambda: self.deducted,
            "index": lambda: None if exact is None else display(exact),
            "index_exact": lambda: None if exact is None else str(exact),
            "bonus": lambda: self.bonus,
            "penalty": lambda: self.penalty,
            "adjustments_apply_to": lambda: self.applies_to,
            "achieved_after_adjustments": lambda: self.adjusted_achieved,
            "index_before_adjustments": lambda: None if base is None else display(base),
        }
        return {key: every[key]() for key in keys}



@dataclass(frozen=True, slots=True)
class FigureValue:
    """One figure a rule reads: what the unit declared and what the council accepted (an
    empty appraisal cell means the council accepted the unit's figure)."""

    name: str
    label: str
    declared: Decimal | None
    appraised: Decimal | None
    appraised_given: bool  # False: the appraisal cell was empty, the unit's figure is used
    cell: str | None  # where the appraised (else the unit's) figure is: "Số liệu!E5"


@dataclass(frozen=True, slots=True)
class RuleCheck:
    """An item's rule applied to the declared figures, on each side."""

    figures: tuple[FigureValue, ...]
    self_points: Decimal | None  # the rule on the unit's figures
    appraised_points: Decimal | None  # the rule on the appraised figures
    failure: str | None = None  # why no points: "figures-missing" | "division-by-zero"
    counted: bool = False  # the rule's result is the item's final points

    def values(self, side: str) -> dict[str, Decimal]:
        return {f.name: v for f in self.figures
                if (v := (f.declared if side == "self" else f.appraised)) is not None}

    def working(self, leaf: Leaf, rounding: Rounding, side: str = "appraised",
                lang: str = "vi") -> tuple[str, ...]:
        """The rule's steps in words, on one side's figures: "1/30 = 3,33 % < 20 % …"."""
        if leaf.rule is None:
            return ()
        values = self.values(side)
        if not leaf.rule.names() <= set(values):
            return ()
        try:
            return apply_rule(leaf.rule, leaf.max, leaf.min, values, rounding, lang,
                              dict(leaf.figures)).working
        except RuleFailed:
            return ()


@dataclass(frozen=True, slots=True)
class ItemResult:
    leaf: Leaf
    applicable: bool
    final: Decimal | None  # None when not applicable or (survey) not yet scored
    self_applicable: bool | None
    self_points: Decimal | None
    appraised: Decimal | None  # the appraisal that counts: round 2 if given, else round 1
    appraisal_round: int | None
    reason: str = ""
    responsible: str = ""
    evidence: str = ""
    rule: RuleCheck | None = None

    @property
    def code(self) -> str:
        return self.leaf.code

    @property
    def pending(self) -> bool:
        """A survey item that applies but has no score yet."""
        return self.leaf.scoring == "survey" and self.applicable and self.final is None

    @property
    def deducted(self) -> Decimal:
        """Points lost on this item: max − final (0 when it does not arise or is pending)."""
        if not self.applicable or self.final is None:
            return ZERO
        return self.leaf.max - self.final


@dataclass(frozen=True, slots=True)
class AdjustmentResult:
    """A bonus or penalty item as the workbook gives it, and what counts (capped)."""

    code: str
    kind: Literal["bonus", "penalty"]
    title: str
    cap: Decimal
    self_points: Decimal | None
    appraised: Decimal | None
    # what counts, capped: the appraisal sheet's (the unit's when there is none); 0 if empty
    final: Decimal


@dataclass(frozen=True, slots=True)
class FieldResult:
    code: str
    title: str
    totals: Totals
    self_totals: Totals | None


@dataclass(frozen=True)
class UnitResult:
    unit: UnitInfo
    criteria: CriteriaSet
    status: Status
    totals: Totals
    self_totals: Totals | None
    fields: list[FieldResult]
    items: list[ItemResult]
    warnings: list[Problem] = field(default_factory=list)
    file: str | None = None
    adjustments: list[AdjustmentResult] = field(default_factory=list)
    survey: SurveyUnit | None = None  # when scored with the survey's answers (--survey)

    @property
    def satisfaction(self) -> Decimal | None:
        """The satisfaction index (%) as published: rounded once by the set's policy;
        ``None`` without a survey, or when some group has too few answers."""
        exact = self.survey.satisfaction_percent if self.survey is not None else None
        return None if exact is None else self.display(exact)

    def display(self, value: Decimal) -> Decimal:
        return self.criteria.display(value)

    @property
    def index(self) -> Decimal | None:
        """The index as published: the exact index rounded once by the set's policy."""
        exact = self.totals.index_exact
        return None if exact is None else self.display(exact)

    @property
    def band(self) -> str | None:
        return self.band_of(self.totals)

    def band_of(self, totals: Totals | None) -> str | None:
        """The band of some totals, judged on the index as displayed (what a reader checks)."""
        exact = totals.index_exact if totals else None
        band = None if exact is None else self.criteria.band_for(self.display(exact))
        return band.name if band else None

    @property
    def lost(self) -> list[ItemResult]:
        """Items that lost points, in the order of the criteria set."""
        return [item for item in self.items if item.deducted != 0]

    def to_frame(self) -> Any:
        """The unit's items as a pandas DataFrame (``pip install 'cchc[pandas]'``)."""
        from cchc_cli.frames import items_frame

        return items_frame(self)

    def as_dict(self) -> dict[str, Any]:
        """The result as data (the ``--json`` contract); numbers stay ``Decimal``."""
        return result_dict(self)


def result_dict(result: UnitResult) -> dict[str, Any]:
    unit = result.unit
    return {
        "unit": {"code": unit.code, "name": unit.name, "year": unit.year,
                 "group": unit.group or result.criteria.group},
        "criteria_set": result.criteria.id,
        "status": result.status,
        "totals": result.totals.as_dict(result.display),
        "self_assessed": result.self_totals.as_dict(result.display) if result.self_totals
        else None,
        "band": result.band,
        "self_assessed_band": result.band_of(result.self_totals),
        "survey": _survey_dict(result),
        "fields": [
            {
                "code": f.code,
                "title": f.title,
                **f.totals.as_dict(result.display, ("max", "reduction", "pending",
                                                    "max_after_reduction")),
                "self_assessed": f.self_totals.achieved if f.self_totals else None,
                **f.totals.as_dict(result.display, ("achieved", "deducted", "index")),
            }
            for f in result.fields
        ],
        "items": [
            {
                "code": item.code,
                "title": item.leaf.title,
                "field": item.leaf.field,
                "scoring": item.leaf.scoring,
                "max": item.leaf.max,
                "applicable": item.applicable,
                "self": item.self_points,
                "appraised": item.appraised,
                "appraisal_round": item.appraisal_round,
                "final": item.final,
                "deducted": item.deducted,
                "reason": item.reason,
                "responsible": item.responsible,
                "rule": _rule_dict(result, item),
                "survey": _survey_item_dict(result, item),
            }
            for item in result.items
        ],
        "adjustments": [{"code": a.code, "kind": a.kind, "title": a.title, "cap": a.cap,
                         "self": a.self_points, "appraised": a.appraised, "final": a.final}
                        for a in result.adjustments],
        "warnings": [p.as_dict() for p in result.warnings],
    }


def _survey_dict(result: UnitResult) -> dict[str, Any] | None:
    survey = result.survey
    if survey is None:
        return None
    exact = survey.satisfaction_percent
    return {"satisfaction_index": result.satisfaction,
            "satisfaction_index_exact": None if exact is None else str(exact),
            "questionnaires": survey.questionnaires}


def _survey_item_dict(result: UnitResult, item: ItemResult) -> dict[str, Any] | None:
    computed = result.survey.items.get(item.code) if result.survey is not None else None
    if computed is None:
        return None
    return {"answered": computed.answered,
            "share_percent": None if computed.share is None
            else result.criteria.rule_rounding.apply(Decimal(computed.share.numerator) * HUNDRED
                                                     / computed.share.denominator),
            "points": computed.points, "pending": computed.pending,
            "groups": [{"group": g.group, "answers": g.counts, "blank": g.blanks}
                       for g in computed.groups],
            "working": dict(computed.working)}


def _rule_dict(result: UnitResult, item: ItemResult) -> dict[str, Any] | None:
    rule = item.rule
    if rule is None:
        return None
    rounding = result.criteria.rule_rounding
    return {
        "kind": item.leaf.rule.kind if item.leaf.rule else None,
        "figures": [{"name": f.name, "label": f.label, "self": f.declared, "appraised": f.appraised,
                     "appraised_given": f.appraised_given, "cell": f.cell}
                    for f in rule.figures],
        "self_points": rule.self_points,
        "appraised_points": rule.appraised_points,
        "agrees": None if rule.appraised_points is None or item.final is None
        else rule.appraised_points == item.final,
        "counted": rule.counted,
        "failure": rule.failure,
        "working": {lang: list(rule.working(item.leaf, rounding, lang=lang))
                    for lang in ("vi", "en")},
    }
