"""A unit's change between two years, and why: totals, rank, fields and items.

Differences of totals are differences of the *displayed* figures, so a reader can check them
by subtraction as the memos do (74.81 − 71.33 = 3.48). Items are matched by code; when the two
years use different criteria sets, an item of the newer set may name the codes it ``replaces``
(merges and splits are compared as one group), and whatever matches nothing is listed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from cchc_cli.engine.ranking import RankedUnit, YearRanking
from cchc_cli.model.criteria import CriteriaSet
from cchc_cli.model.decimals import exact
from cchc_cli.model.problems import CchcError, Problem
from cchc_cli.model.results import ItemResult, Totals, UnitResult

ChangeKind = Literal["lost_more", "lost_fewer", "became_not_applicable", "became_applicable"]
CHANGE_KINDS: tuple[ChangeKind, ...] = ("lost_more", "lost_fewer", "became_not_applicable",
                                        "became_applicable")


@dataclass(frozen=True)
class Side:
    """One year of the comparison: the unit's result and its place in its group."""

    year: int
    result: UnitResult
    rank: int | None = None
    of: int | None = None
    # the problems of that year's workbooks that could not be scored: the rank is among the rest
    unscored: tuple[Problem, ...] = ()

    @property
    def index(self) -> Decimal | None:
        return self.result.index

    @property
    def achieved(self) -> Decimal:
        return self.result.display(self.result.totals.achieved)


@dataclass(frozen=True)
class Move:
    """Items that continue across the two sets in another field (the 2019 set's survey items
    in fields 1, 4, 5, 7 became field 8 of the 2021 set)."""

    codes_a: tuple[str, ...]
    field_a: str
    codes_b: tuple[str, ...]
    field_b: str


@dataclass(frozen=True)
class FieldChange:
    code: str
    title: str
    a: Totals | None
    b: Totals | None
    title_a: str | None = None  # A's title, when A's field of this code is named otherwise
    moved_in: tuple[Move, ...] = ()  # items that were in another field in A
    moved_out: tuple[Move, ...] = ()  # items of this field in A that are in another in B


@dataclass(frozen=True)
class ItemChange:
    kind: ChangeKind
    a: tuple[ItemResult, ...]
    b: tuple[ItemResult, ...]

    @property
    def codes_a(self) -> str:
        return " + ".join(i.code for i in self.a)

    @property
    def codes_b(self) -> str:
        return " + ".join(i.code for i in self.b)

    @property
    def title(self) -> str:
        return "; ".join(i.leaf.title for i in (self.b or self.a))

    @property
    def deducted_a(self) -> Decimal:
        return sum((i.deducted for i in self.a), Decimal(0))

    @property
    def deducted_b(self) -> Decimal:
        return sum((i.deducted for i in self.b), Decimal(0))

    @property
    def max_a(self) -> Decimal:
        return sum((i.leaf.max for i in self.a), Decimal(0))

    @property
    def max_b(self) -> Decimal:
        return sum((i.leaf.max for i in self.b), Decimal(0))

    @staticmethod
    def _reason(items: Iterable[ItemResult]) -> str:
        return " ".join(i.reason for i in items if i.reason)

    @property
    def reason_a(self) -> str:
        return self._reason(self.a)

    @property
    def reason_b(self) -> str:
        return self._reason(self.b)

    @property
    def responsible(self) -> str:
        """Each office once, the later year's first: "Phòng A; Phòng B" in one year and
        "Phòng A" in the other is "Phòng A; Phòng B"."""
        offices: dict[str, str] = {}
        for item in (*self.b, *self.a):
            for office in item.responsible.split(";"):
                if office.strip():
                    offices.setdefault(" ".join(office.split()).casefold(),
                                       " ".join(office.split()))
        return "; ".join(offices.values())


@dataclass
class Comparison:
    a: Side
    b: Side
    fields: list[FieldChange]
    changes: list[ItemChange]
    unchanged: int
    unmatched_a: list[ItemResult] = field(default_factory=list)
    unmatched_b: list[ItemResult] = field(default_factory=list)

    @property
    def delta_achieved(self) -> Decimal:
        """Displayed B − displayed A, as a reader subtracts them."""
        return self.b.achieved - self.a.achieved

    @property
    def delta_index(self) -> Decimal | None:
        """In percentage points, displayed B − displayed A."""
        if self.a.index is None or self.b.index is None:
            return None
        return self.b.index - self.a.index

    @property
    def delta_rank(self) -> int | None:
        """Places moved up (positive) or down (negative)."""
        if self.a.rank is None or self.b.rank is None:
            return None
        return self.a.rank - self.b.rank

    def of_kind(self, kind: ChangeKind) -> list[ItemChange]:
        return [c for c in self.changes if c.kind == kind]

    def as_dict(self) -> dict[str, Any]:
        return comparison_dict(self)


# --- matching items across criteria sets -------------------------------------------------------


def match_items(a: CriteriaSet, b: CriteriaSet) -> list[tuple[list[str], list[str]]]:
    """Groups of (codes in A, codes in B) that stand for the same work.

    Within one set, every code matches itself. Across sets, an item of B that ``replaces``
    codes of A matches those; other items match the same code, unless that code of A was
    claimed by a ``replaces``. Groups sharing a code are merged (a split or a merge).
    """
    if a.id == b.id:
        return [([code], [code]) for code in b.leaves]
    claimed = {old for leaf in b.leaves.values() for old in leaf.replaces}
    groups: list[tuple[set[str], set[str]]] = []
    for code, leaf in b.leaves.items():
        if leaf.replaces:
            olds = {old for old in leaf.replaces if old in a.leaves}
        else:
            olds = {code} if code in a.leaves and code not in claimed else set()
        if olds:
            groups.append((olds, {code}))
    merged: list[tuple[set[str], set[str]]] = []
    for olds, news in groups:
        for group in merged:
            if group[0] & olds:
                group[0].update(olds)
                group[1].update(news)
                break
        else:
            merged.append((set(olds), set(news)))
    order_a, order_b = list(a.leaves), list(b.leaves)
    return [(sorted(olds, key=order_a.index), sorted(news, key=order_b.index))
            for olds, news in merged]


def _moves(a: CriteriaSet, b: CriteriaSet) -> list[Move]:
    """Matched items (:func:`match_items`) whose field is not the same code in both sets, one
    move per pair of fields."""
    moves: dict[tuple[str, str], tuple[list[str], list[str]]] = {}
    for codes_a, codes_b in match_items(a, b):
        for old in codes_a:
            for new in codes_b:
                fa, fb = a.leaves[old].field, b.leaves[new].field
                if fa != fb:
                    olds, news = moves.setdefault((fa, fb), ([], []))
                    olds += [old] if old not in olds else []
                    news += [new] if new not in news else []
    return [Move(tuple(olds), fa, tuple(news), fb) for (fa, fb), (olds, news) in moves.items()]


@exact
def compare_results(a: Side, b: Side) -> Comparison:
    """Compare two scored years of one unit (pure: no files are read)."""
    cs_a, cs_b = a.result.criteria, b.result.criteria
    items_a = {i.code: i for i in a.result.items}
    items_b = {i.code: i for i in b.result.items}
    changes: list[ItemChange] = []
    unchanged = 0
    seen_a: set[str] = set()
    seen_b: set[str] = set()
    for codes_a, codes_b in match_items(cs_a, cs_b):
        seen_a.update(codes_a)
        seen_b.update(codes_b)
        old = tuple(items_a[c] for c in codes_a)
        new = tuple(items_b[c] for c in codes_b)
        kind = _kind(old, new)
        if kind is None:
            unchanged += 1
        else:
            changes.append(ItemChange(kind, old, new))
    changes.sort(key=lambda c: CHANGE_KINDS.index(c.kind))
    moves = _moves(cs_a, cs_b)
    fields_a = {f.code: f for f in a.result.fields}
    fields = []
    for f in b.result.fields:
        match = fields_a.pop(f.code, None)
        fields.append(FieldChange(
            f.code, f.title, match.totals if match else None, f.totals,
            title_a=match.title if match and match.title != f.title else None,
            moved_in=tuple(m for m in moves if m.field_b == f.code),
            moved_out=tuple(m for m in moves if m.field_a == f.code)))
    fields += [FieldChange(f.code, f.title, f.totals, None,
                           moved_out=tuple(m for m in moves if m.field_a == f.code))
               for f in fields_a.values()]
    return Comparison(
        a=a, b=b, fields=fields, changes=changes, unchanged=unchanged,
        unmatched_a=[i for code, i in items_a.items() if code not in seen_a],
        unmatched_b=[i for code, i in items_b.items() if code not in seen_b],
    )


def _kind(old: tuple[ItemResult, ...], new: tuple[ItemResult, ...]) -> ChangeKind | None:
    applies_a = any(i.applicable for i in old)
    applies_b = any(i.applicable for i in new)
    if applies_a and not applies_b:
        return "became_not_applicable"
    if applies_b and not applies_a:
        return "became_applicable"
    if not applies_a:
        return None
    lost_a = sum((i.deducted for i in old), Decimal(0))
    lost_b = sum((i.deducted for i in new), Decimal(0))
    if lost_b > lost_a:
        return "lost_more"
    if lost_b < lost_a:
        return "lost_fewer"
    return None


# --- reading years from a data root ------------------------------------------------------------


def side_of(ranking: YearRanking, code: str, year: int) -> Side:
    """The unit's side in a ranked year; raises ``CchcError`` if it is absent or broken."""
    unit: RankedUnit | None = ranking.find(code)
    if unit is not None:
        return Side(year, unit.result, unit.rank, unit.of,
                    tuple(ranking.unscored))
    broken = ranking.not_ranked_for(code)
    if broken is not None:
        raise CchcError(broken.problems)
    raise CchcError([Problem("unit-not-found", file=str(ranking.folder),
                             params={"unit": code, "folder": str(ranking.folder)})])


# --- as data -----------------------------------------------------------------------------------


def _side_dict(side: Side) -> dict[str, Any]:
    totals = side.result.totals
    return {
        "year": side.year,
        "criteria_set": side.result.criteria.id,
        "status": side.result.status,
        "rank": side.rank,
        "of": side.of,
        **totals.as_dict(side.result.display, (
            "max", "reduction", "max_after_reduction", "achieved", "deducted", "bonus",
            "penalty", "index", "index_exact")),
        "satisfaction_index": side.result.satisfaction,
        "band": side.result.band,
    }


def _field_side(totals: Totals | None, result: UnitResult) -> dict[str, Any] | None:
    if totals is None:
        return None
    return totals.as_dict(result.display, ("max_after_reduction", "achieved", "deducted",
                                           "index"))


def _item_dict(item: ItemResult) -> dict[str, Any]:
    return {"code": item.code, "title": item.leaf.title, "max": item.leaf.max,
            "applicable": item.applicable, "deducted": item.deducted, "reason": item.reason,
            "responsible": item.responsible}


def _move_dict(m: Move, year_a: int, year_b: int) -> dict[str, Any]:
    return {str(year_a): {"field": m.field_a, "codes": list(m.codes_a)},
            str(year_b): {"field": m.field_b, "codes": list(m.codes_b)}}


def comparison_dict(c: Comparison) -> dict[str, Any]:
    a, b = c.a, c.b
    rank = c.delta_rank
    direction = None if rank is None else ("up" if rank > 0 else "down" if rank < 0
                                           else "unchanged")
    return {
        "unit": {"code": b.result.unit.code, "name": b.result.unit.name},
        "years": [a.year, b.year],
        "totals": {str(a.year): _side_dict(a), str(b.year): _side_dict(b)},
        "delta": {"achieved": c.delta_achieved, "index": c.delta_index,
                  "rank": rank, "rank_direction": direction},
        "fields": [
            {"code": f.code, "title": f.title, "title_" + str(a.year): f.title_a,
             str(a.year): _field_side(f.a, a.result), str(b.year): _field_side(f.b, b.result),
             "moved_in": [_move_dict(m, a.year, b.year) for m in f.moved_in],
             "moved_out": [_move_dict(m, a.year, b.year) for m in f.moved_out]}
            for f in c.fields
        ],
        "items": [
            {"change": ch.kind, "codes": {str(a.year): [i.code for i in ch.a],
                                          str(b.year): [i.code for i in ch.b]},
             "title": ch.title,
             "deducted": {str(a.year): ch.deducted_a, str(b.year): ch.deducted_b},
             "delta": ch.deducted_b - ch.deducted_a,
             "reason": {str(a.year): ch.reason_a, str(b.year): ch.reason_b},
             "responsible": ch.responsible}
            for ch in c.changes
        ],
        "unchanged": c.unchanged,
        "unmatched": {str(a.year): [_item_dict(i) for i in c.unmatched_a],
                      str(b.year): [_item_dict(i) for i in c.unmatched_b]},
    }
