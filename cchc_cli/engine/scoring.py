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

from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from cchc_cli.model.criteria import CriteriaSet, Leaf, Registry
from cchc_cli.model.decimals import exact, plain
from cchc_cli.model.problems import CchcError, Problem, errors
from cchc_cli.model.results import (
    ZERO,
    AdjustmentResult,
    FieldResult,
    FigureValue,
    ItemResult,
    RuleCheck,
    Status,
    Totals,
    UnitResult,
)
from cchc_cli.model.rules import RuleFailed
from cchc_cli.model.rules import apply as apply_rule
from cchc_cli.model.survey import SurveyItem, SurveyResult, SurveyUnit
from cchc_cli.model.text import code_key, fold
from cchc_cli.model.unit import (
    INVALID,
    SheetData,
    SheetRow,
    UnitWorkbook,
    figure_key,
    flag_problem,
)

# --- the engine ----------------------------------------------------------------------------


class _Review:
    """Checks one workbook against one criteria set, collecting every problem with its place."""

    def __init__(self, cs: CriteriaSet, wb: UnitWorkbook):
        self.cs, self.file = cs, str(wb.path)
        self.nodes, self.leaves = cs.nodes, cs.leaves  # looked up for every row: keep at hand
        self.problems: list[Problem] = [p.with_file(self.file) for p in wb.problems]
        self.figures = wb.figures

    def rule(self, leaf: Leaf) -> RuleCheck | None:
        """The item's rule on the figures the workbook declares; ``None`` when the set has no
        rule for it or the workbook declares none of its figures."""
        sheet = self.figures
        if leaf.rule is None or sheet is None:
            return None
        rows = sheet.of(leaf.code)
        found = {figure_key(row.figure): row for row in rows}
        by_label = {fold(row.figure): row for row in rows}  # a label written as the name
        if not found:
            return None
        values: list[FigureValue] = []
        cells: dict[str, str] = {}  # figure → the cell its value (appraised, else unit's) is in
        missing: list[str] = []
        broken = False
        for name, label in leaf.figures:
            row = found.get(figure_key(name)) or by_label.get(fold(label))
            if row is None:
                if name in leaf.rule.names():
                    missing.append(name)
                continue
            own = row.declared if isinstance(row.declared, Decimal) else None
            given = isinstance(row.appraised, Decimal)
            broken |= row.declared is INVALID or row.appraised is INVALID
            cells[name] = row.cells["appraised" if given else "self"]
            values.append(FigureValue(name, label, own, row.appraised if given else own,  # type: ignore[arg-type]
                                      given, f"{sheet.name}!{cells[name]}"))
            if own is None and not given and name in leaf.rule.names():
                missing.append(name)
        if missing and not broken:
            self.problems.append(Problem(
                "rule-figures-missing", file=self.file, sheet=sheet.name, criterion=leaf.code,
                params={"names": ", ".join(missing)}))
        check = RuleCheck(tuple(values), None, None, "figures-missing" if missing else None)
        points: dict[str, Decimal | None] = {"self": None, "appraised": None}
        failure = check.failure
        for side in points:
            have = check.values(side)
            if not leaf.rule.names() <= set(have):
                continue
            try:
                points[side] = apply_rule(leaf.rule, leaf.max, leaf.min, have,
                                          self.cs.rule_rounding).points
            except RuleFailed as exc:
                if side == "appraised" or failure is None:
                    failure = exc.kind
                if side == "appraised":
                    self.problems.append(Problem(
                        f"rule-{exc.kind}", file=self.file, sheet=sheet.name,
                        cell=next((cells[n] for n in exc.names if n in cells), None),
                        criterion=leaf.code, params={"detail": exc.detail}))
        return replace(check, self_points=points["self"], appraised_points=points["appraised"],
                       failure=failure)

    def unknown_figures(self) -> None:
        """Rows of the figures sheet that no rule reads: named, then ignored."""
        sheet = self.figures
        if sheet is None:
            return
        for row in sheet.rows.values():
            leaf = self.leaves.get(row.code)
            wanted = dict(leaf.figures) if leaf is not None and leaf.rule is not None else {}
            labels = {fold(label) for label in wanted.values()}
            if figure_key(row.figure) not in {figure_key(n) for n in wanted} \
                    and fold(row.figure) not in labels:
                self.problems.append(Problem(
                    "unknown-figure", file=self.file, sheet=sheet.name,
                    cell=row.cells["figure"], criterion=row.code,
                    params={"figure": row.figure, "names": ", ".join(wanted) or "—"}))

    def report(self, code: str, leaf: Leaf, sheet: SheetData | None, row: SheetRow | None = None,
               key: str | None = None, **params: Any) -> None:
        cell = row.cells.get(key) if row is not None and key else None
        self.problems.append(Problem(code, file=self.file, sheet=sheet.name if sheet else None,
                                     cell=cell, criterion=leaf.code, params=params))

    def codes(self, sheet: SheetData) -> None:
        """Codes the set does not know, codes typed as numbers that could mean two items, and
        scored cells holding a formula without a value or an error."""
        for row in sheet.rows.values():
            parent = row.code in self.nodes and row.code not in self.leaves
            for key, flagged in row.flags.items():
                if not parent:  # a subtotal formula on a parent row is fine
                    flag_problem(flagged, sheet.name, row.cells[key], row.code, self.file,
                                 self.problems)
            if parent:
                self.subtotals(sheet, row)
            if row.code not in self.nodes and not (
                    self.cs.adjustments and self.cs.adjustments.find(row.code)):
                self.problems.append(Problem("unknown-criterion", **self._place(sheet, row),
                                             params={"set": self.cs.id}))
            elif row.code_was_number and "." in row.code:
                longer = [c for c in (row.code + "0", row.code + "00") if c in self.nodes]
                if longer:
                    self.problems.append(Problem("ambiguous-code", **self._place(sheet, row),
                                                 params={"alternatives": " / ".join(
                                                     [row.code, *longer])}))

    def _place(self, sheet: SheetData, row: SheetRow) -> dict[str, Any]:
        """Where a row's code is (named only when something is wrong with it)."""
        return {"file": self.file, "sheet": sheet.name, "cell": row.cells["code"],
                "criterion": row.code}

    def subtotals(self, sheet: SheetData, row: SheetRow) -> None:
        """A field's or criterion's row with figures: they must agree with its items."""
        node = self.nodes.get(row.code)
        declared = row.values.get("max")
        if node is not None and isinstance(declared, Decimal) and declared != node.max:
            self.problems.append(Problem("max-disagrees", file=self.file, sheet=sheet.name,
                                         cell=row.cells.get("max"), criterion=row.code,
                                         params={"value": plain(declared),
                                                 "max": plain(node.max)}))
        value = row.values.get("points")
        if not isinstance(value, Decimal):
            return
        total = Decimal(0)
        for code in self.cs.leaves_below(row.code):
            item = sheet.get(code)
            points = item.values.get("points") if item else None
            if points is INVALID:
                return  # already reported; a sum would mislead
            total += points if isinstance(points, Decimal) else 0
        if total != value:
            self.problems.append(Problem("subtotal-mismatch", file=self.file, sheet=sheet.name,
                                         cell=row.cells.get("points"), criterion=row.code,
                                         params={"value": plain(value), "sum": plain(total)}))

    def points(self, leaf: Leaf, sheet: SheetData, row: SheetRow, key: str,
               column: str) -> Decimal | None:
        """A points cell within the item's [min, max]; ``None`` if empty or reported."""
        value = row.values.get(key)
        if not isinstance(value, Decimal):  # empty, or unreadable and already reported
            return None
        if value > leaf.max:
            self.report("score-above-max", leaf, sheet, row, key, column=column,
                        value=plain(value), max=plain(leaf.max))
            return None
        if value < leaf.min:
            self.report("score-below-min", leaf, sheet, row, key, column=column,
                        value=plain(value), min=plain(leaf.min))
            return None
        return value

    def applicable(self, leaf: Leaf, sheet: SheetData, row: SheetRow,
                   keys: Iterable[str]) -> bool:
        """Whether the row says the item arises; a "không phát sinh" mark must be allowed and
        must not come with points."""
        if row.values.get("not_applicable") is not True:  # empty, or unreadable (reported)
            return True
        if not leaf.reducible:
            self.report("not-reducible", leaf, sheet, row, "not_applicable")
        scored = next((k for k in keys if isinstance(row.values.get(k), Decimal)), None)
        if scored:
            self.report("not-applicable-with-score", leaf, sheet, row, scored,
                        value=plain(row.values[scored]))
        return False

    def missing(self, leaf: Leaf, sheet: SheetData, row: SheetRow, keys: Iterable[str],
                code: str, column: str) -> None:
        """Report an applicable item whose points cells are all empty (not unreadable)."""
        if all(row.values.get(k) is None for k in keys):
            self.report(code, leaf, sheet, row, next(iter(keys)), column=column)


def _examine(cs: CriteriaSet, wb: UnitWorkbook, survey: SurveyUnit | None = None
             ) -> tuple[list[ItemResult], list[AdjustmentResult], list[Problem]]:
    """Items, bonus and penalty items, and every problem found. With ``survey`` (the unit's
    answers scored), the items its questions score take the computed points."""
    review = _Review(cs, wb)
    asked = {q.item for q in cs.survey.questions} if survey is not None and cs.survey else set()
    own, appraisal = wb.self_sheet, wb.appraisal
    for typed in (own, appraisal, wb.survey):
        if typed is not None:
            review.codes(typed)
    review.unknown_figures()
    sheet = wb.survey
    items = [
        _computed_item(review, leaf, sheet, appraisal, survey.items.get(leaf.code))
        if survey is not None and leaf.code in asked
        else _survey_item(review, leaf, own, sheet, appraisal) if leaf.scoring == "survey"
        else _self_item(review, leaf, own, appraisal)
        for leaf in cs.leaves.values()
    ]
    pending = [item.code for item in items if item.pending]
    if pending:  # one line for all of them: they are usually the whole survey field
        review.problems.append(Problem(
            "survey-score-missing", file=review.file, sheet=sheet.name if sheet else None,
            params={"n": len(pending), "codes": ", ".join(pending)}))
    adjustments = _adjustments(review, own, appraisal)
    review.problems.sort(key=Problem.sort_key)
    return items, adjustments, review.problems




def _adjustments(review: _Review, own: SheetData | None,
                 appraisal: SheetData | None) -> list[AdjustmentResult]:
    """Bonus and penalty rows (by their codes, on the self-assessment and appraisal sheets).
    Amounts are written as positive numbers; a penalty written as −1 means 1. Each is capped
    at its max, then all bonus (all penalty) at the set's cap — with a warning."""
    spec = review.cs.adjustments
    if spec is None:
        return []
    found = []
    for kind, declared in (("bonus", spec.bonus), ("penalty", spec.penalty)):
        for adj in declared:
            values: dict[str, Decimal | None] = {}
            for side, sheet, keys in (("self", own, ("points",)),
                                      ("appraised", appraisal, ("points2", "points"))):
                row = sheet.get(adj.code) if sheet is not None else None
                values[side] = None
                for key in keys:
                    value = row.values.get(key) if row is not None else None
                    if not isinstance(value, Decimal):
                        continue
                    if value < 0 and kind == "bonus":
                        review.problems.append(Problem(
                            "score-below-min", file=review.file, sheet=sheet.name,  # type: ignore[union-attr]
                            cell=row.cells.get(key), criterion=adj.code,  # type: ignore[union-attr]
                            params={"column": kind, "value": plain(value),
                                    "min": "0"}))
                        break
                    value = abs(value)
                    if value > adj.max:
                        review.problems.append(Problem(
                            "adjustment-above-cap", file=review.file, sheet=sheet.name,  # type: ignore[union-attr]
                            cell=row.cells.get(key), criterion=adj.code,  # type: ignore[union-attr]
                            params={"kind": kind,
                                    "value": plain(value), "cap": plain(adj.max)}))
                        value = adj.max
                    values[side] = value
                    break
            counted = values["appraised"] if appraisal is not None else values["self"]
            found.append(AdjustmentResult(adj.code, kind, adj.title, adj.max,  # type: ignore[arg-type]
                                          values["self"], values["appraised"],
                                          counted if counted is not None else ZERO))
    return found


def _adjusted(cs: CriteriaSet, totals: Totals, adjustments: list[AdjustmentResult],
              side: str = "final", problems: list[Problem] | None = None,
              file: str | None = None) -> Totals:
    """``totals`` with the bonus and penalty added as the set declares (capped in sum)."""
    spec = cs.adjustments
    if spec is None:
        return totals
    sums: dict[str, Decimal] = {}
    for kind, cap in (("bonus", spec.bonus_cap), ("penalty", spec.penalty_cap)):
        mine = [a for a in adjustments if a.kind == kind]
        total = sum(((a.self_points or ZERO) if side == "self" else a.final for a in mine),
                    start=ZERO)
        if cap is not None and total > cap:
            if problems is not None:
                problems.append(Problem(
                    "adjustment-above-cap", file=file,
                    params={"kind": f"{kind}_total", "value": plain(total), "cap": plain(cap)}))
            total = cap
        sums[kind] = total
    return replace(totals, bonus=sums["bonus"], penalty=sums["penalty"],
                   applies_to=spec.applies_to)


def _self_item(review: _Review, leaf: Leaf, own: SheetData | None,
               appraisal: SheetData | None) -> ItemResult:
    """A self-assessed item: the unit's row, then the council's (which decides)."""
    self_row = own.get(leaf.code) if own else None
    self_applicable: bool | None = None
    self_points: Decimal | None = None
    if own is not None and self_row is None:
        review.report("missing-criterion", leaf, own, title=leaf.title)
    if own is not None and self_row is not None:
        self_applicable = review.applicable(leaf, own, self_row, ("points",))
        self_points = review.points(leaf, own, self_row, "points", "self")
        declared = self_row.values.get("max")
        if isinstance(declared, Decimal) and declared != leaf.max:
            review.report("max-disagrees", leaf, own, self_row, "max", value=plain(declared),
                          max=plain(leaf.max))
    evidence = self_row.values.get("evidence", "") if self_row else ""
    rule = review.rule(leaf)
    if self_points is None and rule is not None and rule.self_points is not None \
            and self_applicable is not False and _empty(self_row, ("points",)):
        self_points = rule.self_points  # no score written: the rule gives it

    if appraisal is None:  # provisional: the unit's own score stands
        applicable = self_applicable is not False
        if own is not None and self_row is not None and applicable and self_points is None:
            review.missing(leaf, own, self_row, ("points",), "score-missing", "self")
        return ItemResult(leaf, applicable, self_points if applicable else None,
                          self_applicable, self_points, None, None, evidence=evidence,
                          rule=rule)

    row = appraisal.get(leaf.code)
    if row is None:
        review.report("missing-criterion", leaf, appraisal, title=leaf.title)
        return ItemResult(leaf, True, None, self_applicable, self_points, None, None)
    applicable = review.applicable(leaf, appraisal, row, ("points", "points2"))
    first = review.points(leaf, appraisal, row, "points", "appraisal")
    second = review.points(leaf, appraisal, row, "points2", "appraisal_2")
    appraised: Decimal | None
    round_: int | None
    appraised, round_ = (second, 2) if second is not None else (first, 1)
    key = "points2" if second is not None else "points"
    computed = rule.appraised_points if rule is not None and applicable else None
    if rule is not None and computed is not None:
        if appraised is None and _empty(row, ("points", "points2")):
            appraised, round_ = computed, None  # no score written: the rule's
            rule = _counted(rule)
        elif appraised is not None and appraised != computed:
            wins = review.cs.rule_wins
            review.report("rule-mismatch", leaf, appraisal, row, key,
                          column="appraisal_2" if key == "points2" else "appraisal",
                          value=plain(appraised),
                          rule=plain(computed),
                          working="; ".join(rule.working(leaf, review.cs.rule_rounding)),
                          counts="rule" if wins else "appraisal")
            if wins:
                appraised = computed
                rule = _counted(rule)
    if applicable and appraised is None:
        review.missing(leaf, appraisal, row, ("points", "points2"), "score-missing", "appraisal")
    if own is not None and self_row is not None and self_applicable and self_points is None:
        review.missing(leaf, own, self_row, ("points",), "self-score-missing", "self")
    if not applicable or appraised is None:
        appraised = round_ = None
    return ItemResult(leaf, applicable, appraised, self_applicable, self_points, appraised,
                      round_, reason=row.values.get("reason", ""),
                      responsible=row.values.get("responsible", ""), evidence=evidence,
                      rule=rule)


def _empty(row: SheetRow | None, keys: Iterable[str]) -> bool:
    """Every one of these cells is empty (not merely unreadable: that is already an error)."""
    return row is None or all(row.values.get(k) is None for k in keys)


def _counted(rule: RuleCheck) -> RuleCheck:
    return replace(rule, counted=True)


def _survey_item(review: _Review, leaf: Leaf, own: SheetData | None, survey: SheetData | None,
                 appraisal: SheetData | None) -> ItemResult:
    """A survey-scored item: from the survey sheet, else from the appraisal sheet's row;
    with neither, it is pending (left out of the totals, and the result is provisional)."""
    self_row = own.get(leaf.code) if own else None
    evidence = self_row.values.get("evidence", "") if self_row else ""
    for sheet, keys in ((survey, ("points",)), (appraisal, ("points2", "points"))):
        row = sheet.get(leaf.code) if sheet is not None else None
        empty = row is None or (all(row.values.get(k) is None for k in keys)
                                and row.values.get("not_applicable") is not True)
        if sheet is None or row is None or empty:
            continue  # no row or an empty one: look further
        applicable = review.applicable(leaf, sheet, row, keys)
        label = "survey" if sheet is survey else "appraisal"
        value = next((v for k in keys
                      if (v := review.points(leaf, sheet, row, k, label)) is not None), None)
        final = value if applicable else None
        return ItemResult(leaf, applicable, final, applicable, None, final, None,
                          reason=row.values.get("reason", ""),
                          responsible=row.values.get("responsible", ""), evidence=evidence)
    return ItemResult(leaf, True, None, True, None, None, None, evidence=evidence)


def _computed_item(review: _Review, leaf: Leaf, survey: SheetData | None,
                   appraisal: SheetData | None, computed: SurveyItem | None) -> ItemResult:
    """A survey-scored item whose points are computed from the answers: they count; points
    typed in the workbook that differ are warned of, naming the cell and both values."""
    if computed is None or computed.points is None:
        return ItemResult(leaf, True, None, True, None, None, None)
    for sheet, keys in ((survey, ("points",)), (appraisal, ("points2", "points"))):
        row = sheet.get(leaf.code) if sheet is not None else None
        typed = next(((k, v) for k in keys if row is not None
                      and isinstance(v := row.values.get(k), Decimal)), None)
        if sheet is None or row is None or typed is None:
            continue
        if typed[1] != computed.points:
            review.report("survey-points-differ", leaf, sheet, row, typed[0],
                          value=plain(typed[1]), computed=plain(computed.points))
        break
    return ItemResult(leaf, True, computed.points, True, None, computed.points, None)


@exact
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


MISMATCH_AT = 5  # codes the set lacks and criteria the workbook lacks, each: another set


def _the_set_first(cs: CriteriaSet, problems: list[Problem], file: str) -> list[Problem]:
    """A workbook judged by a set it does not follow gets one error, not one per criterion:
    with a set that does not apply to its year (``criteria-set-year``), every problem of a
    criterion is a consequence and is left out; with a set whose codes it does not have
    (``MISMATCH_AT`` codes unknown to the set and as many of the set's criteria missing; a
    few typed codes stay told one by one), the problems of criteria become one
    ``criteria-mismatch``, naming where the first unknown codes are."""
    if any(p.code == "criteria-set-year" for p in problems):
        return [p for p in problems if p.criterion is None and p.is_error]
    unknown_at = {p.criterion: f"{p.criterion} ({p.sheet}!{p.cell})" if p.cell else p.criterion
                  for p in reversed(problems) if p.code == "unknown-criterion" and p.criterion}
    unknown = sorted(unknown_at, key=code_key)
    missing = sorted({p.criterion for p in problems if p.code == "missing-criterion"
                      and p.criterion}, key=code_key)
    if len(unknown) < MISMATCH_AT or len(missing) < MISMATCH_AT:
        return problems

    def some(codes: list[str]) -> str:
        return ", ".join(codes[:5]) + (", …" if len(codes) > 5 else "")

    return [p for p in problems if p.criterion is None and p.is_error] + [Problem(
        "criteria-mismatch", file=file, params={
            "id": cs.id, "unknown": len(unknown),
            "unknown_codes": some([unknown_at[c] for c in unknown]),
            "missing": len(missing), "missing_codes": some(missing)})]


@exact
def assess_unit(cs: CriteriaSet, wb: UnitWorkbook, found: Iterable[Problem] = (),
                survey: SurveyResult | None = None) -> tuple[UnitResult | None, list[Problem]]:
    """Every problem of a workbook read by :func:`read_unit`, and its result by ``cs`` when
    none of them is an error. ``found`` are problems the caller already knows of (they are
    reported first and count as errors too). With ``survey`` (answers scored by
    :func:`~cchc_cli.engine.survey.score_survey`), the survey-scored items take the points
    computed from the answers. Never raises for bad data.

    The verbs of the library: ``score_*`` returns a result or raises :class:`CchcError`;
    ``assess_*`` returns ``(result or None, problems)``."""
    found = list(found)
    if wb.info is None:
        return None, found + [p.with_file(str(wb.path)) for p in wb.problems]
    mine = None
    if survey is not None:
        if cs.survey is None:
            return None, found + [Problem("survey-not-declared", file=str(wb.path),
                                          params={"id": cs.id})]
        mine = survey.unit(wb.info.code)
        if mine is None:
            found.append(Problem("survey-unit-no-answers", file=survey.answers.file,
                                 params={"unit": wb.info.code}))
            mine = SurveyUnit(wb.info.code)
    items, adjustments, problems = _examine(cs, wb, mine)
    problems = _the_set_first(cs, found + problems, str(wb.path))
    if errors(problems):
        return None, problems
    result = _result(cs, wb, items, adjustments, problems)
    if mine is not None:
        result = replace(result, survey=mine)
    return result, result.warnings


@exact
def score_unit(cs: CriteriaSet, wb: UnitWorkbook, survey: SurveyResult | None = None
               ) -> UnitResult:
    """Score a workbook by a criteria set; raises :class:`CchcError` with every error found."""
    result, problems = assess_unit(cs, wb, survey=survey)
    if result is None:
        raise CchcError(problems)
    return result


def _result(cs: CriteriaSet, wb: UnitWorkbook, items: list[ItemResult],
            adjustments: list[AdjustmentResult], warnings: list[Problem]) -> UnitResult:
    """The unit's result; a cap warning on bonus or penalty totals joins ``warnings``."""
    assert wb.info is not None
    has_self = _self_complete(items) and wb.self_sheet is not None
    fields = []
    for spec in cs.fields:
        mine = [item for item in items if item.leaf.field == spec.code]
        fields.append(FieldResult(spec.code, spec.title, totals_of(mine),
                                  totals_of(mine, self_assessed=True) if has_self else None))
    warnings = list(warnings)
    totals = _adjusted(cs, totals_of(items), adjustments, "final", warnings, str(wb.path))
    self_totals = _adjusted(cs, totals_of(items, self_assessed=True), adjustments,
                            "self") if has_self else None
    status: Status = "appraised" if wb.appraisal is not None and totals.pending == 0 \
        else "provisional"
    return UnitResult(unit=wb.info, criteria=cs, status=status, totals=totals,
                      self_totals=self_totals, fields=fields, items=items,
                      warnings=sorted(warnings, key=Problem.sort_key),
                      file=str(wb.path), adjustments=adjustments)


def select_criteria(wb: UnitWorkbook, registry: Registry) -> CriteriaSet:
    if wb.info is None:
        raise CchcError([p.with_file(str(wb.path)) for p in wb.problems])
    try:
        return registry.select(year=wb.info.year, group=wb.info.group,
                               set_id=wb.info.criteria_set)
    except CchcError as err:
        raise CchcError([*(p.with_file(str(wb.path)) for p in wb.problems),
                         *(p.with_file(str(wb.path)) for p in err.problems)]) from None


# --- the result as data ----------------------------------------------------------------------


