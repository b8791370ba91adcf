"""The scoring engine: pure functions from a criteria set and a unit workbook to a result.

    max after reduction = max − Σ max(items that do not arise)
    achieved            = Σ final points of the items that arise
    deducted            = max after reduction − achieved
    index (%)           = achieved × 100 / max after reduction

Every figure is an exact ``Decimal``; rounding happens only when a figure is displayed, by the
criteria set's declared policy. An item's final points are the second appraisal (after
giải trình) when present, else the first; with no appraisal sheet the self-assessed score is
used and the result is *provisional*. Survey-scored items take the survey sheet's score.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from .criteria import CriteriaSet, Leaf, Registry
from .decimals import EXACT, plain
from .problems import CchcError, Problem, raise_if_errors
from .workbook import SheetData, SheetRow, UnitInfo, UnitWorkbook, read_unit

ZERO = Decimal(0)
HUNDRED = Decimal(100)
Status = Literal["appraised", "provisional"]


@dataclass(frozen=True, slots=True)
class Totals:
    """Sums over a set of items. ``pending`` are applicable survey items not yet scored:
    they are left out of both the maximum and the achieved points until they are."""

    max: Decimal
    reduction: Decimal
    achieved: Decimal
    pending: Decimal = ZERO

    @property
    def max_after_reduction(self) -> Decimal:
        return self.max - self.reduction - self.pending

    @property
    def deducted(self) -> Decimal:
        return self.max_after_reduction - self.achieved

    @property
    def index_exact(self) -> Decimal | None:
        """achieved × 100 / max after reduction; ``None`` when everything was reduced."""
        if self.max_after_reduction == 0:
            return None
        return EXACT.divide(EXACT.multiply(self.achieved, HUNDRED), self.max_after_reduction)


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

    @property
    def code(self) -> str:
        return self.leaf.code

    @property
    def pending(self) -> bool:
        return self.applicable and self.final is None

    @property
    def deducted(self) -> Decimal:
        """Points lost on this item: max − final (0 when it does not arise or is pending)."""
        if not self.applicable or self.final is None:
            return ZERO
        return self.leaf.max - self.final


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

    def as_dict(self) -> dict[str, Any]:
        """The result as data (the ``--json`` contract); numbers stay ``Decimal``."""
        return result_dict(self)


# --- the engine ----------------------------------------------------------------------------


def _bounds(leaf: Leaf, value: object, column: str, sheet: SheetData, row: SheetRow,
            key: str, file: str, problems: list[Problem]) -> Decimal | None:
    if not isinstance(value, Decimal):  # empty, or unreadable and already reported
        return None
    place = {"file": file, "sheet": sheet.name, "cell": row.cells.get(key), "criterion": leaf.code}
    if value > leaf.max:
        problems.append(Problem("score-above-max", **place, params={
            "column": column, "value": plain(value), "max": plain(leaf.max)}))
        return None
    if value < leaf.min:
        problems.append(Problem("score-below-min", **place, params={
            "column": column, "value": plain(value), "min": plain(leaf.min)}))
        return None
    return value


def _check_rows(cs: CriteriaSet, sheet: SheetData, file: str, problems: list[Problem]) -> None:
    """Codes the set does not know, and codes typed as numbers that could mean two items."""
    for row in sheet.rows.values():
        place = {"file": file, "sheet": sheet.name, "cell": row.cells["code"],
                 "criterion": row.code}
        if cs.node(row.code) is None:
            problems.append(Problem("unknown-criterion", **place, params={"set": cs.id}))
        elif row.code_was_number and "." in row.code:
            longer = [c for c in (row.code + "0", row.code + "00") if cs.node(c) is not None]
            if longer:
                problems.append(Problem("ambiguous-code", **place, params={
                    "alternatives": " / ".join([row.code, *longer])}))


def _applicability(leaf: Leaf, sheet: SheetData, row: SheetRow, scores: Iterable[str],
                   file: str, problems: list[Problem]) -> bool:
    """Whether the row says the item arises, checking a "không phát sinh" mark is allowed."""
    if row.values.get("not_applicable") is not True:  # empty, or unreadable (reported)
        return True
    place = {"file": file, "sheet": sheet.name, "cell": row.cells.get("not_applicable"),
             "criterion": leaf.code}
    if not leaf.reducible:
        problems.append(Problem("not-reducible", **place))
    for key in scores:
        value = row.values.get(key)
        if isinstance(value, Decimal):
            problems.append(Problem("not-applicable-with-score", **{**place,
                                    "cell": row.cells.get(key)}, params={"value": plain(value)}))
            break
    return False


def evaluate(cs: CriteriaSet, wb: UnitWorkbook) -> tuple[list[ItemResult], list[Problem]]:
    """Every item's result and every problem found (reading problems included)."""
    file = str(wb.path)
    problems: list[Problem] = [p.with_file(file) for p in wb.problems]
    own, appraisal, survey = wb.self_sheet, wb.appraisal, wb.survey
    for sheet in (own, appraisal, survey):
        if sheet is not None:
            _check_rows(cs, sheet, file, problems)

    items: list[ItemResult] = []
    for leaf in cs.leaves.values():
        self_row = own.get(leaf.code) if own else None
        self_applicable: bool | None = None
        self_points: Decimal | None = None
        evidence = ""
        if own is not None and self_row is not None:
            if leaf.scoring == "self":
                self_applicable = _applicability(leaf, own, self_row, ("points",), file, problems)
                self_points = _bounds(leaf, self_row.values.get("points"), "Điểm tự đánh giá",
                                      own, self_row, "points", file, problems)
                declared = self_row.values.get("max")
                if isinstance(declared, Decimal) and declared != leaf.max:
                    problems.append(Problem("max-disagrees", file=file, sheet=own.name,
                                            cell=self_row.cells.get("max"), criterion=leaf.code,
                                            params={"value": plain(declared),
                                                    "max": plain(leaf.max)}))
            evidence = self_row.values.get("evidence", "")
        elif own is not None and leaf.scoring == "self":
            problems.append(Problem("missing-criterion", file=file, sheet=own.name,
                                    criterion=leaf.code, params={"title": leaf.title}))

        if leaf.scoring == "survey":
            items.append(_survey_item(leaf, survey, appraisal, evidence, file, problems))
            continue

        if appraisal is None:  # provisional: the unit's own score stands
            applicable = bool(self_applicable) if self_applicable is not None else True
            if self_row is not None and applicable and self_points is None \
                    and self_row.values.get("points") is None:
                problems.append(Problem("score-missing", file=file, sheet=own.name,  # type: ignore[union-attr]
                                        cell=self_row.cells.get("points"), criterion=leaf.code,
                                        params={"column": "điểm tự đánh giá"}))
            items.append(ItemResult(leaf, applicable, self_points if applicable else None,
                                    self_applicable, self_points, None, None, evidence=evidence))
            continue

        row = appraisal.get(leaf.code)
        if row is None:
            problems.append(Problem("missing-criterion", file=file, sheet=appraisal.name,
                                    criterion=leaf.code, params={"title": leaf.title}))
            items.append(ItemResult(leaf, True, None, self_applicable, self_points, None, None))
            continue
        applicable = _applicability(leaf, appraisal, row, ("points", "points2"), file, problems)
        first = _bounds(leaf, row.values.get("points"), "Điểm thẩm định", appraisal, row,
                        "points", file, problems)
        second = _bounds(leaf, row.values.get("points2"), "Điểm thẩm định lần 2", appraisal, row,
                         "points2", file, problems)
        appraised, round_ = (second, 2) if second is not None else (first, 1)
        if row.values.get("points2") is None and row.values.get("points") is None and applicable:
            problems.append(Problem("score-missing", file=file, sheet=appraisal.name,
                                    cell=row.cells.get("points"), criterion=leaf.code,
                                    params={"column": "điểm thẩm định"}))
        if self_row is not None and self_applicable is not False and self_points is None \
                and self_row.values.get("points") is None:
            problems.append(Problem("self-score-missing", file=file, sheet=own.name,  # type: ignore[union-attr]
                                    cell=self_row.cells.get("points"), criterion=leaf.code))
        items.append(ItemResult(
            leaf, applicable, appraised if applicable else None, self_applicable, self_points,
            appraised if applicable else None, round_ if applicable and appraised is not None
            else None, reason=row.values.get("reason", ""),
            responsible=row.values.get("responsible", ""), evidence=evidence))
    problems.sort(key=Problem.sort_key)
    return items, problems


def _survey_item(leaf: Leaf, survey: SheetData | None, appraisal: SheetData | None,
                 evidence: str, file: str, problems: list[Problem]) -> ItemResult:
    """A survey-scored item: from the survey sheet, else from the appraisal sheet's row."""
    for sheet, keys in ((survey, ("points",)), (appraisal, ("points2", "points"))):
        row = sheet.get(leaf.code) if sheet is not None else None
        if sheet is None or row is None:
            continue
        applicable = _applicability(leaf, sheet, row, keys, file, problems)
        value = None
        for key in keys:
            label = "Điểm điều tra XHH" if sheet is survey else "Điểm thẩm định"
            value = _bounds(leaf, row.values.get(key), label, sheet, row, key, file, problems)
            if value is not None:
                break
        if value is None and applicable and all(row.values.get(k) is None for k in keys):
            continue  # an empty row: look further, else the item is pending
        return ItemResult(leaf, applicable, value if applicable else None, applicable, None,
                          value if applicable else None, None,
                          reason=row.values.get("reason", ""),
                          responsible=row.values.get("responsible", ""), evidence=evidence)
    problems.append(Problem("survey-score-missing", file=file, criterion=leaf.code,
                            sheet=survey.name if survey else None))
    return ItemResult(leaf, True, None, True, None, None, None, evidence=evidence)


def totals_of(items: Iterable[ItemResult], *, self_assessed: bool = False) -> Totals:
    """Sum items; with ``self_assessed`` the unit's own scores and marks are used for the
    items it assesses (survey items keep their survey score either way)."""
    max_ = reduction = achieved = pending = ZERO
    for item in items:
        max_ += item.leaf.max
        use_self = self_assessed and item.leaf.scoring == "self"
        applicable = item.self_applicable if use_self else item.applicable
        points = item.self_points if use_self else item.final
        if applicable is None:
            applicable = True
        if not applicable:
            reduction += item.leaf.max
        elif points is None:
            pending += item.leaf.max
        else:
            achieved += points
    return Totals(max=max_, reduction=reduction, achieved=achieved, pending=pending)


def _self_complete(items: Iterable[ItemResult]) -> bool:
    return all(item.leaf.scoring != "self" or item.self_applicable is False
               or item.self_points is not None for item in items)


def score_unit(cs: CriteriaSet, wb: UnitWorkbook) -> UnitResult:
    """Score a workbook by a criteria set; raises :class:`CchcError` if it has errors."""
    if wb.info is None:
        raise CchcError([p.with_file(str(wb.path)) for p in wb.problems])
    items, problems = evaluate(cs, wb)
    raise_if_errors(problems)
    has_self = _self_complete(items) and wb.self_sheet is not None
    fields = []
    for spec in cs.fields:
        mine = [item for item in items if item.leaf.field == spec.code]
        fields.append(FieldResult(spec.code, spec.title, totals_of(mine),
                                  totals_of(mine, self_assessed=True) if has_self else None))
    totals = totals_of(items)
    status: Status = "appraised" if wb.appraisal is not None and totals.pending == 0 \
        else "provisional"
    return UnitResult(unit=wb.info, criteria=cs, status=status, totals=totals,
                      self_totals=totals_of(items, self_assessed=True) if has_self else None,
                      fields=fields, items=items, warnings=problems, file=str(wb.path))


def select_criteria(wb: UnitWorkbook, registry: Registry) -> CriteriaSet:
    if wb.info is None:
        raise CchcError([p.with_file(str(wb.path)) for p in wb.problems])
    try:
        return registry.select(year=wb.info.year, group=wb.info.group,
                               set_id=wb.info.criteria_set)
    except CchcError as err:
        raise CchcError([*(p.with_file(str(wb.path)) for p in wb.problems),
                         *(p.with_file(str(wb.path)) for p in err.problems)]) from None


def score_file(path: str | os.PathLike[str], registry: Registry | None = None,
               criteria: CriteriaSet | None = None) -> UnitResult:
    """Read a workbook, choose its criteria set (unless given) and score it."""
    wb = read_unit(path)
    if criteria is None:
        criteria = select_criteria(wb, registry or Registry.load())
    elif wb.info is not None and wb.info.year not in criteria.years:
        raise CchcError([Problem("criteria-set-year", file=str(wb.path), params={
            "id": criteria.id, "years": str(criteria.years), "year": wb.info.year})])
    return score_unit(criteria, wb)


# --- the result as data ----------------------------------------------------------------------


def _totals_dict(result: UnitResult, totals: Totals) -> dict[str, Any]:
    exact = totals.index_exact
    return {
        "max": totals.max,
        "reduction": totals.reduction,
        "pending": totals.pending,
        "max_after_reduction": totals.max_after_reduction,
        "achieved": totals.achieved,
        "deducted": totals.deducted,
        "index": None if exact is None else result.display(exact),
        "index_exact": None if exact is None else str(exact),
    }


def result_dict(result: UnitResult) -> dict[str, Any]:
    unit = result.unit
    return {
        "unit": {"code": unit.code, "name": unit.name, "year": unit.year,
                 "group": unit.group or result.criteria.group},
        "criteria_set": result.criteria.id,
        "status": result.status,
        "totals": _totals_dict(result, result.totals),
        "self_assessed": _totals_dict(result, result.self_totals) if result.self_totals
        else None,
        "band": result.band,
        "self_assessed_band": result.band_of(result.self_totals),
        "fields": [
            {
                "code": f.code,
                "title": f.title,
                "max": f.totals.max,
                "reduction": f.totals.reduction,
                "max_after_reduction": f.totals.max_after_reduction,
                "self_assessed": f.self_totals.achieved if f.self_totals else None,
                "achieved": f.totals.achieved,
                "deducted": f.totals.deducted,
                "index": None if f.totals.index_exact is None
                else result.display(f.totals.index_exact),
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
            }
            for item in result.items
        ],
        "warnings": [p.as_dict() for p in result.warnings],
    }
