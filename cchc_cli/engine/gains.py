"""What recovering each lost point is worth: points, index and rank, for one unit in one year.

For each item that lost points, recovering it (scoring its max next year, the rest unchanged)
adds its deducted points to the achieved points; the index is recomputed exactly (bonus and
penalty as the set declares) and the unit is placed again among the year's other units of its
group, whose results stay as they are. Items are sorted by what they would bring.

A *plan* is the smallest set of items (fewest items) that reaches a goal — one place up, the next
band, or a given rank. Since recovering items only adds points, taking the items that bring the
most first reaches any such goal with the fewest items; a plan that no set reaches says so.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Literal

from cchc_cli.engine.ranking import YearRanking, competition_ranks
from cchc_cli.model.criteria import CriteriaSet
from cchc_cli.model.decimals import exact
from cchc_cli.model.problems import CchcError, Problem
from cchc_cli.model.results import ItemResult, Totals, UnitResult
from cchc_cli.model.text import unit_key

ZERO = Decimal(0)


@dataclass(frozen=True)
class Gain:
    """Recovering one item alone."""

    item: ItemResult
    points: Decimal  # the points it lost, which it would bring back
    index_exact: Decimal  # the index then
    index_delta: Decimal  # percentage points of index it brings (exact)
    rank: int  # the rank the unit would then hold
    band: str | None


@dataclass(frozen=True)
class Plan:
    """The fewest items that reach a goal."""

    goal: Literal["next_rank", "target_rank", "next_band"]
    target: str  # "16" or the band's name
    reachable: bool
    items: tuple[Gain, ...]
    points: Decimal
    index_exact: Decimal | None
    rank: int | None
    band: str | None
    threshold: Decimal | None = None  # for a band: its lower bound,
    inclusive: bool = True  # and whether reaching it exactly counts
    alternatives: tuple[str, ...] = ()  # when one item is enough: the others that also are


@dataclass(frozen=True)
class Gains:
    year: int | None
    group: str
    result: UnitResult
    rank: int
    of: int
    gains: list[Gain]
    plans: list[Plan]
    # the problems of the year's workbooks that could not be scored: the rank is among the rest
    unscored: tuple[Problem, ...]

    @property
    def criteria(self) -> CriteriaSet:
        return self.result.criteria

    def as_dict(self) -> dict[str, Any]:
        return gains_dict(self)


def _totals_with(totals: Totals, extra: Decimal) -> Totals:
    return replace(totals, achieved=totals.achieved + extra)


@exact
def gains_for(ranking: YearRanking, code: str, target_rank: int | None = None) -> Gains:
    """The gains of unit ``code`` in a ranked year (``rank_folder(..., keep=code)``)."""
    unit = ranking.find(code)
    if unit is None:
        broken = ranking.not_ranked_for(code)
        if broken is not None:
            raise CchcError(broken.problems)
        raise CchcError([Problem("unit-not-found", file=str(ranking.folder),
                                 params={"unit": code, "folder": str(ranking.folder)})])
    result, cs = unit.result, unit.result.criteria
    group = next(g for g in ranking.groups if unit in g.units)
    others = [u.result.totals.index_fraction() for u in group.units
              if unit_key(u.code) != unit_key(code)]
    base = result.totals

    def outcome(extra: Decimal) -> tuple[Totals, int]:
        totals = _totals_with(base, extra)
        return totals, competition_ranks([*others, totals.index_fraction()])[-1]

    gains = []
    for item in result.lost:
        totals, rank = outcome(item.deducted)
        after = totals.index_exact or ZERO
        gains.append(Gain(item, item.deducted, after,
                          after - (base.index_exact or ZERO), rank,
                          result.band_of(totals)))
    order = {c: i for i, c in enumerate(cs.leaves)}
    gains.sort(key=lambda g: (-g.points, order.get(g.item.code, 0)))

    def plan(goal: Any, target: str, reached: Any, threshold: Decimal | None = None,
             inclusive: bool = True) -> Plan:
        chosen: list[Gain] = []
        extra = ZERO
        for gain in [None, *gains]:
            if gain is not None:
                chosen.append(gain)
                extra += gain.points
            totals, rank = outcome(extra)
            if reached(totals, rank):
                others = tuple(x.item.code for x in gains[1:] if len(chosen) == 1
                               and reached(*outcome(x.points)))
                return Plan(goal, target, True, tuple(chosen), extra, totals.index_exact, rank,
                            result.band_of(totals), threshold, inclusive, others)
        totals, rank = outcome(extra)
        return Plan(goal, target, False, tuple(chosen), extra, totals.index_exact, rank,
                    result.band_of(totals), threshold, inclusive)

    plans = []
    if unit.rank > 1:
        plans.append(plan("next_rank", str(unit.rank - 1),
                          lambda _t, rank: rank <= unit.rank - 1))
    if target_rank is not None and target_rank < unit.rank:
        plans.append(plan("target_rank", str(target_rank),
                          lambda _t, rank: rank <= target_rank))
    bands = list(cs.bands)  # highest first
    current = next((i for i, b in enumerate(bands) if b.name == result.band), len(bands))
    if current > 0:
        better = bands[current - 1]
        names = {b.name for b in bands[:current]}
        plans.append(plan("next_band", better.name,
                          lambda totals, _r: result.band_of(totals) in names, better.lower,
                          better.inclusive))
    return Gains(ranking.year, group.group, result, unit.rank, unit.of, gains, plans,
                 tuple(ranking.unscored))


def gains_dict(g: Gains) -> dict[str, Any]:
    cs, unit = g.criteria, g.result.unit

    def index(exact: Decimal | None) -> Decimal | None:
        return None if exact is None else cs.display(exact)

    def gain(x: Gain) -> dict[str, Any]:
        return {"code": x.item.code, "title": x.item.leaf.title, "points": x.points,
                "index_after": index(x.index_exact),
                # as the table: the difference of the displayed indices
                "index_gain": cs.display(x.index_exact) - (g.result.index or ZERO),
                "rank_after": x.rank,
                "band_after": x.band, "reason": x.item.reason,
                "responsible": x.item.responsible}

    return {
        "unit": {"code": unit.code, "name": unit.name, "year": unit.year, "group": g.group},
        "criteria_set": cs.id,
        "rank": g.rank,
        "of": g.of,
        **g.result.totals.as_dict(g.result.display, ("achieved", "index")),
        "band": g.result.band,
        "gains": [gain(x) for x in g.gains],
        "plans": [{"goal": p.goal, "target": p.target, "reachable": p.reachable,
                   "items": [x.item.code for x in p.items], "points": p.points,
                   "or_any_one_of": list(p.alternatives),
                   "index_after": index(p.index_exact), "rank_after": p.rank,
                   "band_after": p.band, "band_from": p.threshold,
                   "band_from_inclusive": p.inclusive if p.threshold is not None else None}
                  for p in g.plans],
    }
