"""Ranking the units of a year within their groups (nhóm), as the province's decision does.

Units are ordered by their *exact* index, highest first (two units both shown as "90.02 %" can
rank 2nd and 3rd). Equal exact indices share a rank and the next rank skips (1, 1, 3). A
workbook that cannot be scored is not dropped: it is listed as not ranked, with its problems.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

from cchc_cli.model.criteria import CriteriaSet
from cchc_cli.model.decimals import exact
from cchc_cli.model.problems import Problem
from cchc_cli.model.results import UnitResult
from cchc_cli.model.text import fold, unit_key


@dataclass(frozen=True)
class RankedUnit:
    rank: int
    of: int
    result: UnitResult

    @property
    def code(self) -> str:
        return self.result.unit.code


@dataclass(frozen=True)
class GroupSummary:
    units: int
    mean_index_exact: Decimal | None
    bands: dict[str, int]  # band name → units, in the set's band order; "" for no band


@dataclass(frozen=True)
class GroupRanking:
    group: str
    criteria: CriteriaSet
    units: list[RankedUnit]
    summary: GroupSummary


@dataclass(frozen=True)
class NotRanked:
    file: str
    problems: list[Problem]


@dataclass
class YearRanking:
    folder: Path
    year: int | None
    groups: list[GroupRanking] = field(default_factory=list)
    not_ranked: list[NotRanked] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    # every workbook of the folder that was read, ranked or not: what no output may overwrite
    workbooks: list[Path] = field(default_factory=list)

    def to_frame(self) -> Any:
        """The ranked units as a pandas DataFrame (``pip install 'cchc[pandas]'``)."""
        from cchc_cli.frames import ranking_frame

        return ranking_frame(self)

    @property
    def unscored(self) -> list[Problem]:
        """The problems of every workbook of the year that could not be scored."""
        return [p for entry in self.not_ranked for p in entry.problems]

    @property
    def survey_warnings(self) -> list[Problem]:
        """The warnings about the survey's answers (``--survey``): units without answers,
        answers without a unit, typed points that differ from the computed ones."""
        return [p for p in self.warnings if p.code.startswith("survey-")]

    def find(self, code: str) -> RankedUnit | None:
        key = unit_key(code)
        for group in self.groups:
            for unit in group.units:
                if unit_key(unit.code) == key:
                    return unit
        return None

    def not_ranked_for(self, code: str) -> NotRanked | None:
        """The unranked entry of a workbook that names ``code`` (by file name)."""
        key = unit_key(code)
        return next((n for n in self.not_ranked if fold(Path(n.file).stem) == key), None)

    def as_dict(self) -> dict[str, Any]:
        return ranking_dict(self)


def exact_ratio(result: UnitResult) -> Fraction | None:
    """The index / 100 as an exact fraction (bonus and penalty included) — what ranks
    compare."""
    return result.totals.index_fraction()


def competition_ranks(ratios: Sequence[Fraction | None]) -> list[int]:
    """Each ratio's rank among all of them: 1 + the number strictly above it, so equal ratios
    share a rank and the next skips (1, 1, 3); no index (everything reduced) ranks last."""
    known = sorted((r for r in ratios if r is not None), reverse=True)
    first: dict[Fraction, int] = {}
    for place, ratio in enumerate(known, start=1):
        first.setdefault(ratio, place)
    return [first[r] if r is not None else len(known) + 1 for r in ratios]


@exact
def rank_group(results: Iterable[UnitResult]) -> list[RankedUnit]:
    """Competition ranking (1, 1, 3) by exact index, highest first; ties listed by code."""
    scored = sorted(results, key=lambda r: (-(exact_ratio(r) or Fraction(-1)), r.unit.code))
    ranks = competition_ranks([exact_ratio(r) for r in scored])
    return [RankedUnit(rank, len(scored), r) for rank, r in zip(ranks, scored, strict=True)]


@exact
def summarize(cs: CriteriaSet, units: list[RankedUnit]) -> GroupSummary:
    indices = [u.result.totals.index_exact for u in units]
    known = [i for i in indices if i is not None]
    mean = sum(known, Decimal(0)) / len(known) if known else None
    counts = Counter(u.result.band or "" for u in units)
    bands = {band.name: counts.get(band.name, 0) for band in cs.bands}
    if counts.get(""):
        bands[""] = counts[""]
    return GroupSummary(len(units), mean, bands)


@exact
def rank_results(results: Iterable[UnitResult]) -> list[GroupRanking]:
    """Group scored units by their criteria set's group and rank each group."""
    by_group: dict[str, list[UnitResult]] = defaultdict(list)
    sets: dict[str, CriteriaSet] = {}
    for result in results:
        by_group[result.criteria.group].append(result)
        sets.setdefault(result.criteria.group, result.criteria)
    groups = []
    for name in sorted(by_group, key=fold):
        units = rank_group(by_group[name])
        groups.append(GroupRanking(name, sets[name], units, summarize(sets[name], units)))
    return groups


# --- the folder: every entry accounted for ------------------------------------------------------


# --- scoring every workbook, one failure never stopping the others ------------------------------


KEEP_ALL = "*"  # ``keep`` for every unit: the annex, by field, by criterion, the losses


def slim(result: UnitResult, keep: str | None, criteria: Any = "same") -> UnitResult:
    """Ranking needs totals, not every item: drop items and fields, except for ``keep`` (a
    unit's code, or :data:`KEEP_ALL`)."""
    if keep is not None and (keep == KEEP_ALL or unit_key(result.unit.code) == unit_key(keep)):
        return result if criteria == "same" else replace(result, criteria=criteria)
    changes: dict[str, Any] = {"items": [], "fields": [], "self_totals": None}
    if result.survey is not None:  # the satisfaction index stays; the items' working goes
        changes["survey"] = replace(result.survey, items={})
    if criteria != "same":
        changes["criteria"] = criteria
    return replace(result, **changes)


def drop_duplicates(results: list[UnitResult], outcome: YearRanking) -> list[UnitResult]:
    """Two workbooks of one unit: neither is ranked, each names the other."""
    by_code: dict[str, list[UnitResult]] = defaultdict(list)
    for result in results:
        by_code[unit_key(result.unit.code)].append(result)
    kept = []
    for same in by_code.values():
        if len(same) == 1:
            kept.append(same[0])
            continue
        for result in same:
            others = ", ".join(str(o.file) for o in same if o is not result)
            outcome.not_ranked.append(NotRanked(str(result.file), [Problem(
                "duplicate-unit", file=str(result.file),
                params={"unit": result.unit.code, "other": others})]))
    outcome.not_ranked.sort(key=lambda n: n.file)
    return kept


# --- as data ---------------------------------------------------------------------------------


def ranking_dict(ranking: YearRanking, lang: str = "vi") -> dict[str, Any]:
    groups = []
    for g in ranking.groups:
        cs = g.criteria
        mean = g.summary.mean_index_exact
        groups.append({
            "group": g.group,
            "criteria_set": cs.id,
            "units": [
                {
                    "rank": u.rank,
                    "of": u.of,
                    "code": u.result.unit.code,
                    "name": u.result.unit.name,
                    "status": u.result.status,
                    **u.result.totals.as_dict(u.result.display, (
                        "achieved", *(("bonus", "penalty") if cs.adjustments else ()),
                        "max_after_reduction", "index", "index_exact")),
                    "band": u.result.band,
                    "satisfaction_index": u.result.satisfaction,
                    "file": u.result.file,
                }
                for u in g.units
            ],
            "summary": {
                "units": g.summary.units,
                "mean_index": None if mean is None else cs.display(mean),
                "bands": g.summary.bands,
            },
        })
    return {
        "year": ranking.year,
        "folder": str(ranking.folder),
        "groups": groups,
        "not_ranked": [{"file": n.file, "problems": [p.as_dict(lang) for p in n.problems]}
                       for n in ranking.not_ranked],
        "skipped": [{"file": s.file, "rule": s.rule} for s in ranking.skipped],
        "survey_warnings": [p.as_dict(lang) for p in ranking.survey_warnings],
    }


SkipRule = Literal["lock-file", "dot-file", "cchc-temp", "cchc-output", "folder",
                   "not-a-workbook", "survey-answers"]


@dataclass(frozen=True)
class Skipped:
    """An entry of a year folder left out by a documented rule (docs/commands.md, the year
    folder)."""

    file: str
    rule: SkipRule
