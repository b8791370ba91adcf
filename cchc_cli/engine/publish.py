"""What the province publishes and studies after the ranking, computed from a ranking whose
results kept their fields and items (``rank_folder(…, keep=KEEP_ALL)``): each field ranked,
every unit on one criterion, and the criteria the province lost most on. Pure, like the rest
of the engine; the figures are the ranking's own, so they agree with ``rank`` by construction.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from cchc_cli.engine.ranking import YearRanking, competition_ranks
from cchc_cli.model.criteria import CriteriaSet
from cchc_cli.model.decimals import exact
from cchc_cli.model.problems import CchcError, Problem
from cchc_cli.model.results import ZERO, ItemResult, Totals, UnitResult
from cchc_cli.model.survey import to_decimal
from cchc_cli.model.text import nfc


@dataclass(frozen=True)
class FieldPlace:
    """One unit in one field: its totals there and its rank in the group on that field."""

    result: UnitResult
    totals: Totals
    rank: int | None  # None: the field was reduced whole for this unit (no index)
    of: int


@dataclass(frozen=True)
class FieldStanding:
    group: str
    criteria: CriteriaSet
    code: str
    title: str
    units: list[FieldPlace]  # best first, as ranked


@exact
def field_standings(ranking: YearRanking) -> list[FieldStanding]:
    """Every field of every group, its units ranked by their exact index in the field (1, 1,
    3 for ties; a field reduced whole ranks no one)."""
    standings = []
    for group in ranking.groups:
        for spec in group.criteria.fields:
            places = [(u.result, _field(u.result, spec.code)) for u in group.units]
            ratios = [t.index_fraction() if t is not None else None for _r, t in places]
            ranks = competition_ranks(ratios)
            known = sum(r is not None for r in ratios)
            rows = sorted(
                (FieldPlace(result, totals or Totals(ZERO, ZERO, ZERO),
                            rank if ratio is not None else None, known)
                 for (result, totals), ratio, rank in zip(places, ratios, ranks, strict=True)),
                key=lambda p: (p.rank is None, p.rank or 0, p.result.unit.code))
            standings.append(FieldStanding(group.group, group.criteria, spec.code, spec.title,
                                           rows))
    return standings


def _field(result: UnitResult, code: str) -> Totals | None:
    return next((f.totals for f in result.fields if f.code == code), None)


def field_index(result: UnitResult, code: str) -> Decimal | None:
    """A unit's index in one field as displayed (rounded by its set's policy); ``None`` when
    the field was reduced whole."""
    totals = _field(result, code)
    exact_index = totals.index_exact if totals is not None else None
    return None if exact_index is None else result.display(exact_index)


@dataclass(frozen=True)
class CriterionRow:
    result: UnitResult
    item: ItemResult


@dataclass(frozen=True)
class CriterionView:
    group: str
    criteria: CriteriaSet
    code: str
    title: str
    rows: list[CriterionRow]  # most points lost first


@exact
def criterion_view(ranking: YearRanking, code: str) -> list[CriterionView]:
    """Every unit on one scored criterion, group by group, the most points lost first."""
    views = []
    for group in ranking.groups:
        leaf = group.criteria.leaves.get(code.strip())
        if leaf is None:
            continue
        rows = [CriterionRow(u.result, item) for u in group.units
                for item in u.result.items if item.code == leaf.code]
        rows.sort(key=lambda r: (-r.item.deducted, not r.item.applicable, r.result.unit.code))
        views.append(CriterionView(group.group, group.criteria, leaf.code, leaf.title, rows))
    if not views:
        known = sorted({c for g in ranking.groups for c in g.criteria.leaves})
        raise CchcError([Problem("unknown-criterion-code", params={
            "code": code, "known": ", ".join(known[:12]) + (" …" if len(known) > 12 else "")})])
    return views


@dataclass(frozen=True)
class Loss:
    code: str
    title: str
    field: str
    lost: Decimal  # summed over the group's units
    units: int  # units that lost any point on it
    share: Fraction  # of the group's total loss
    reasons: list[tuple[str, int]]  # the most common reasons, with how many units gave each


@dataclass(frozen=True)
class GroupLosses:
    group: str
    criteria: CriteriaSet
    total: Decimal  # every point the group's units lost
    losses: list[Loss]  # most lost first


REASONS_SHOWN = 3


@exact
def losses(ranking: YearRanking, top: int | None = None) -> list[GroupLosses]:
    """The criteria each group lost most on, summed over its units, with the most common
    reasons — what next year's guidance should target."""
    found = []
    for group in ranking.groups:
        by_code: dict[str, list[ItemResult]] = {}
        for unit in group.units:
            for item in unit.result.items:
                if item.deducted > 0:
                    by_code.setdefault(item.code, []).append(item)
        total = sum((i.deducted for items in by_code.values() for i in items), start=ZERO)
        rows = []
        for code, items in by_code.items():
            lost = sum((i.deducted for i in items), start=ZERO)
            reasons = Counter(nfc(i.reason) for i in items if nfc(i.reason))
            rows.append(Loss(code, items[0].leaf.title, items[0].leaf.field, lost, len(items),
                             Fraction(lost) / Fraction(total) if total else Fraction(0),
                             reasons.most_common(REASONS_SHOWN)))
        order = list(group.criteria.leaves)
        rows.sort(key=lambda r: (-r.lost, -r.units, order.index(r.code)))
        found.append(GroupLosses(group.group, group.criteria, total,
                                 rows[:top] if top else rows))
    return found



# --- as data (--json) ------------------------------------------------------------------------


def standings_dict(standings: list[FieldStanding]) -> list[dict[str, Any]]:
    return [{
        "group": s.group, "criteria_set": s.criteria.id, "field": s.code, "title": s.title,
        "units": [{"rank": p.rank, "of": p.of, "code": p.result.unit.code,
                   "name": p.result.unit.name,
                   **p.totals.as_dict(p.result.display, ("achieved", "max_after_reduction",
                                                         "index", "index_exact"))}
                  for p in s.units]} for s in standings]


def criterion_dict(views: list[CriterionView]) -> list[dict[str, Any]]:
    return [{
        "group": v.group, "criteria_set": v.criteria.id, "code": v.code, "title": v.title,
        "units": [{"code": r.result.unit.code, "name": r.result.unit.name,
                   "max": r.item.leaf.max, "applicable": r.item.applicable,
                   "self": r.item.self_points, "appraised": r.item.appraised,
                   "final": r.item.final, "deducted": r.item.deducted,
                   "reason": r.item.reason, "responsible": r.item.responsible}
                  for r in v.rows]} for v in views]


def losses_dict(groups: list[GroupLosses]) -> list[dict[str, Any]]:
    return [{
        "group": g.group, "criteria_set": g.criteria.id, "total_lost": g.total,
        "criteria": [{"code": x.code, "title": x.title, "field": x.field, "lost": x.lost,
                      "units": x.units,
                      "share_percent": g.criteria.display(to_decimal(x.share * 100)),
                      "reasons": [{"reason": text, "units": n} for text, n in x.reasons]}
                     for x in g.losses]} for g in groups]


# --- the campaign's progress (cchc status) ------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """How far one unit's workbook is: items filled of those each sheet needs."""

    self_filled: int
    self_needed: int
    appraisal: bool  # the appraisal sheet is there
    appraised: int  # its scored rows filled (points, or a "không phát sinh" mark)
    appraisal_needed: int
    second_round: bool  # some row has a second-round (giải trình) score
    survey_filled: int
    survey_needed: int


def _filled(row: Any, keys: tuple[str, ...]) -> bool:
    return row is not None and (row.values.get("not_applicable") is True or any(
        isinstance(row.values.get(k), Decimal) for k in keys))


def progress_of(cs: CriteriaSet, wb: Any) -> Progress:
    """What a workbook (``UnitWorkbook``) holds against its criteria set, read, not scored."""
    own, appraisal, survey = wb.self_sheet, wb.appraisal, wb.survey
    assessed = [leaf for leaf in cs.leaves.values() if leaf.scoring == "self"]
    surveyed = [leaf for leaf in cs.leaves.values() if leaf.scoring == "survey"]
    self_filled = sum(_filled(own.get(leaf.code) if own else None, ("points",))
                      for leaf in assessed)
    appraised = sum(_filled(appraisal.get(leaf.code) if appraisal else None,
                            ("points", "points2")) for leaf in assessed)
    second = appraisal is not None and any(
        isinstance(row.values.get("points2"), Decimal) for row in appraisal.rows.values())
    survey_filled = sum(
        _filled(survey.get(leaf.code) if survey else None, ("points",))
        or _filled(appraisal.get(leaf.code) if appraisal else None, ("points", "points2"))
        for leaf in surveyed)
    return Progress(self_filled, len(assessed), appraisal is not None, appraised,
                    len(assessed), second, survey_filled, len(surveyed))


@dataclass
class UnitStatus:
    """One workbook of a year during the campaign (``cchc status``)."""

    file: str
    code: str | None
    name: str | None
    progress: Progress | None  # None: the workbook could not be read against a set
    errors: list[Problem]
    warnings: list[Problem]
    ready: bool  # it can be ranked: no errors, appraised, nothing pending


@dataclass
class Campaign:
    folder: Path
    year: int | None
    units: list[UnitStatus]
    missing: list[tuple[str, str]]  # (code, name) of last year's units with no workbook yet
    skipped: list[Any]  # Skipped entries of the folder

    @property
    def ready(self) -> int:
        return sum(u.ready for u in self.units)


def campaign_dict(campaign: Campaign, lang: str = "vi") -> dict[str, Any]:
    def progress(p: Progress | None) -> dict[str, Any] | None:
        if p is None:
            return None
        return {"self_assessed": {"filled": p.self_filled, "needed": p.self_needed},
                "appraisal": {"present": p.appraisal, "filled": p.appraised,
                              "needed": p.appraisal_needed, "second_round": p.second_round},
                "survey": {"filled": p.survey_filled, "needed": p.survey_needed}}

    return {
        "year": campaign.year, "folder": str(campaign.folder),
        "units": [{"code": u.code, "name": u.name, "file": u.file,
                   "progress": progress(u.progress), "ready": u.ready,
                   "errors": [p.as_dict(lang) for p in u.errors],
                   "warnings": [p.as_dict(lang) for p in u.warnings]} for u in campaign.units],
        "missing": [{"code": code, "name": name} for code, name in campaign.missing],
        "summary": {"workbooks": len(campaign.units), "ready": campaign.ready,
                    "missing": len(campaign.missing)},
    }
