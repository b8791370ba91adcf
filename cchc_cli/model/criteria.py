"""Criteria sets (bộ tiêu chí): strict models of the YAML files, their checks, and lookup.

A set is issued by a province for one group of units (nhóm) and one or more years. Its tree is
fields (lĩnh vực) → criteria (tiêu chí) → sub-criteria (tiêu chí thành phần); only the leaves
are scored. The set also declares how displayed figures are rounded and the bands (xếp loại).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from cchc_cli.model.decimals import fixed, localize, plain
from cchc_cli.model.problems import CchcError, Problem
from cchc_cli.model.rules import NAME, RULE_ROUNDING, Rounding, Rule
from cchc_cli.model.survey import Survey
from cchc_cli.model.text import fold

Scoring = Literal["self", "survey"]


class _Strict(BaseModel):
    # defer_build: validators are built when a YAML file is first checked, not at import
    # (``--help``, ``--version`` and a failed command need none)
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True,
                              defer_build=True)


class Item(_Strict):
    """A criterion or sub-criterion. A leaf (no ``subcriteria``) is scored."""

    code: str = Field(min_length=1)
    title: str = Field(min_length=1)
    max: Decimal
    min: Decimal = Decimal(0)
    scoring: Scoring | None = None  # inherited from the parent when not given
    reducible: bool = False  # may be taken out of the maximum (hạ chuẩn) when it does not arise
    replaces: list[str] = Field(default_factory=list)  # codes it continues from an older set
    # the figures its rule reads from the workbook's "Số liệu" sheet: name → label
    figures: dict[str, str] = Field(default_factory=dict)
    rule: Rule | None = None
    subcriteria: list[Item] = Field(default_factory=list)

    @model_validator(mode="after")
    def _bounds(self) -> Item:
        if self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        if self.subcriteria and (self.reducible or self.min != 0 or self.rule or self.figures):
            raise ValueError("only a leaf (no subcriteria) may set `reducible`, `min`, `rule` "
                             "or `figures`")
        bad = [name for name in self.figures if not re.fullmatch(NAME, name)]
        if bad:
            raise ValueError(f"figure names are lower-case letters, digits and _: {bad}")
        if self.rule is not None:
            unknown = sorted(self.rule.names() - set(self.figures))
            if unknown:
                raise ValueError(f"the rule uses figures not declared in `figures`: "
                                 f"{', '.join(unknown)}")
        return self


class FieldSpec(_Strict):
    """A field (lĩnh vực), the top level of the tree."""

    code: str = Field(min_length=1)
    title: str = Field(min_length=1)
    max: Decimal
    scoring: Scoring | None = None
    criteria: list[Item] = Field(min_length=1)


class YearRange(_Strict):
    first: int = Field(alias="from", ge=1990, le=2200)
    last: int | None = Field(default=None, alias="to", ge=1990, le=2200)

    @model_validator(mode="after")
    def _ordered(self) -> YearRange:
        if self.last is not None and self.last < self.first:
            raise ValueError(f"`to` ({self.last}) is before `from` ({self.first})")
        return self

    def __contains__(self, year: object) -> bool:
        return isinstance(year, int) and self.first <= year and (
            self.last is None or year <= self.last
        )

    def __str__(self) -> str:
        if self.last == self.first:
            return str(self.first)
        return f"{self.first}–{self.last}" if self.last else f"{self.first}–"


class Band(_Strict):
    """A classification band: index above ``lower`` (or at it, when ``inclusive``)."""

    name: str = Field(min_length=1)
    lower: Decimal
    inclusive: bool = True

    def admits(self, index: Decimal) -> bool:
        return index >= self.lower if self.inclusive else index > self.lower


@dataclass(frozen=True, slots=True)
class Leaf:
    """A scored item, flattened out of the tree with what it inherits."""

    code: str
    title: str
    max: Decimal
    min: Decimal
    scoring: Scoring
    reducible: bool
    field: str  # the code of its field
    ancestors: tuple[str, ...]  # codes from the field down to its parent
    replaces: tuple[str, ...] = ()
    rule: Rule | None = None
    figures: tuple[tuple[str, str], ...] = ()  # (name, label), in the order declared


class Adjustment(_Strict):
    """A bonus (điểm thưởng) or penalty (điểm trừ) item outside the total, capped per unit."""

    code: str = Field(min_length=1)
    title: str = Field(min_length=1)
    max: Decimal = Field(gt=0)  # the most it can add (bonus) or take off (penalty)


class Adjustments(_Strict):
    """Bonus and penalty: added to the achieved points (``points``) or to the index in
    percentage points (``index``), after the index's base is computed."""

    applies_to: Literal["points", "index"]
    bonus: list[Adjustment] = Field(default_factory=list)
    penalty: list[Adjustment] = Field(default_factory=list)
    bonus_cap: Decimal | None = Field(default=None, gt=0)  # all bonus items together
    penalty_cap: Decimal | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _distinct(self) -> Adjustments:
        codes = [a.code for a in (*self.bonus, *self.penalty)]
        twice = sorted({c for c in codes if codes.count(c) > 1})
        if twice:
            raise ValueError(f"codes used twice among bonus and penalty: {', '.join(twice)}")
        return self

    def find(self, code: str) -> tuple[str, Adjustment] | None:
        for kind, items in (("bonus", self.bonus), ("penalty", self.penalty)):
            for item in items:
                if item.code == code:
                    return kind, item
        return None


class CriteriaSet(_Strict):
    id: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    province: str
    group: str = Field(min_length=1)
    group_aliases: list[str] = Field(default_factory=list)
    years: YearRange
    total: Decimal
    rounding: Rounding
    bands: list[Band] = Field(min_length=1)
    source: str | None = None
    # more header names for workbook columns, e.g. {self: ["Điểm đơn vị chấm"]}; keys:
    # code, title, max, self, not_applicable, evidence, appraisal, appraisal_2, reason,
    # responsible, survey
    columns: dict[Literal["code", "title", "max", "self", "not_applicable", "evidence",
                          "appraisal", "appraisal_2", "reason", "responsible", "survey"],
                  list[str]] = Field(default_factory=dict)
    # scoring rules: which counts when the appraised score and the rule disagree, and how a
    # rule's result is written as points
    rule_wins: bool = False
    rule_rounding: Rounding = RULE_ROUNDING
    adjustments: Adjustments | None = None  # bonus and penalty outside the total
    # the survey that scores the survey-scored items from the answers (model/survey.py)
    survey: Survey | None = None
    fields: list[FieldSpec] = Field(min_length=1)

    _path: Path | None = PrivateAttr(default=None)
    _id_line: int | None = PrivateAttr(default=None)  # to point at when another file has the id
    _leaves: dict[str, Leaf] = PrivateAttr(default_factory=dict)
    _nodes: dict[str, FieldSpec | Item] = PrivateAttr(default_factory=dict)
    _below: dict[str, list[str]] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _survey_items(self) -> CriteriaSet:
        """Each question of the survey scores a survey-scored leaf of this set."""
        if self.survey is None:
            return self
        scoring: dict[str, str] = {}

        def walk(item: Item, inherited: str) -> None:
            mode = item.scoring or inherited
            if not item.subcriteria:
                scoring[item.code] = mode
            for child in item.subcriteria:
                walk(child, mode)

        for spec in self.fields:
            for item in spec.criteria:
                walk(item, spec.scoring or "self")
        for q in self.survey.questions:
            if q.item not in scoring:
                raise ValueError(f"survey question {q.column!r} scores {q.item!r}, which is not "
                                 f"a scored item (leaf) of this set")
            if scoring[q.item] != "survey":
                raise ValueError(f"survey question {q.column!r} scores {q.item!r}, which is "
                                 f"not survey-scored (scoring: survey)")
        return self

    def model_post_init(self, context: Any, /) -> None:
        for spec in self.fields:
            self._nodes[spec.code] = spec
            for item in spec.criteria:
                self._flatten(item, spec.code, (spec.code,), spec.scoring or "self")
        for leaf in self._leaves.values():
            for ancestor in leaf.ancestors:
                self._below.setdefault(ancestor, []).append(leaf.code)

    def _flatten(self, item: Item, field: str, ancestors: tuple[str, ...], scoring: str) -> None:
        self._nodes.setdefault(item.code, item)
        scoring = item.scoring or scoring
        if item.subcriteria:
            for child in item.subcriteria:
                self._flatten(child, field, ancestors + (item.code,), scoring)
        else:
            leaf = Leaf(item.code, item.title, item.max, item.min, scoring,  # type: ignore[arg-type]
                        item.reducible, field, ancestors, tuple(item.replaces), item.rule,
                        tuple(item.figures.items()))
            self._leaves.setdefault(item.code, leaf)

    # -- lookup -------------------------------------------------------------------------------
    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def leaves(self) -> dict[str, Leaf]:
        """Scored items by code, in the order of the set."""
        return self._leaves

    @property
    def nodes(self) -> dict[str, FieldSpec | Item]:
        """Every node (field, criterion, sub-criterion) by code."""
        return self._nodes

    def leaves_below(self, code: str) -> list[str]:
        """The scored items under a field or criterion."""
        return self._below.get(code, [])

    def node(self, code: str) -> FieldSpec | Item | None:
        return self._nodes.get(code)

    def is_parent(self, code: str) -> bool:
        return code in self._nodes and code not in self._leaves

    def applies_to(self, year: int) -> bool:
        return year in self.years

    def matches_group(self, group: str) -> bool:
        key = fold(group)
        return key in {fold(name) for name in (self.group, self.id, *self.group_aliases)}

    def band_for(self, displayed_index: Decimal) -> Band | None:
        """The band of an index as displayed, so a reader can check band against figure."""
        return next((band for band in self.bands if band.admits(displayed_index)), None)

    def display(self, value: Decimal) -> Decimal:
        return self.rounding.apply(value)

    def points_text(self, value: Decimal, lang: str = "en") -> str:
        """Points as displayed: rounded by the policy, no trailing zeros (9.50 → "9.5";
        "9,5" in Vietnamese)."""
        return localize(plain(self.display(value)), lang)

    def index_text(self, exact: Decimal | None, lang: str = "en") -> str:
        """An index as published: ``"78.81 %"`` (``"78,81 %"`` in Vietnamese); ``"—"`` when
        everything was reduced."""
        if exact is None:
            return "—"
        return f"{fixed(self.display(exact), self.rounding.decimals, lang)} %"


# --- loading and checking ----------------------------------------------------------------


# --- where sets are found -----------------------------------------------------------------


class Registry:
    """Every criteria set found in some folders, and the choice of one for a unit.

    A file that is not a valid set does not stop the others: its problems are kept in
    ``broken`` and shown when a set cannot be found (the broken file may be the one sought).
    An id declared by two files is an error (``criteria-duplicate-id``, naming both) for
    whatever needs that id, by name or by group and year: neither file wins, or the figures
    would hang on the order of the folders. Whatever needs other sets works as usual.
    """

    def __init__(self, sets: Iterable[CriteriaSet] = (), problems: Iterable[Problem] = ()):
        self.broken: list[Problem] = list(problems)
        self._by_id: dict[str, list[CriteriaSet]] = {}
        for cs in sets:
            self._by_id.setdefault(cs.id, []).append(cs)

    @property
    def problems(self) -> list[Problem]:
        """Everything wrong in the folders: broken files, then ids declared twice."""
        return [*self.broken, *(p for set_id in self._by_id for p in self._twins(set_id))]

    def _twins(self, set_id: str) -> list[Problem]:
        first, *others = self._by_id[set_id]
        return [Problem("criteria-duplicate-id", file=str(cs.path), line=cs._id_line,
                        path="id", params={"id": set_id, "other": str(first.path)})
                for cs in others]

    def __iter__(self) -> Iterator[CriteriaSet]:
        """Every set found, those sharing an id included."""
        for found in self._by_id.values():
            yield from found

    def get(self, set_id: str) -> CriteriaSet:
        key = set_id.strip().lower()
        if key not in self._by_id:
            raise CchcError([*self.broken, Problem("unknown-criteria-set", params={
                "id": set_id, "known": ", ".join(self._by_id) or "—"})])
        twins = self._twins(key)
        if twins:
            raise CchcError(twins)
        return self._by_id[key][0]

    def select(self, *, year: int, group: str | None, set_id: str | None) -> CriteriaSet:
        """The set for a unit: the one it names, else the only one fitting its group and year."""
        if set_id:
            cs = self.get(set_id)
            if year not in cs.years:
                raise CchcError([Problem("criteria-set-year", params={
                    "id": cs.id, "years": str(cs.years), "year": year})])
            return cs
        fitting = [cs for cs in self if cs.applies_to(year)
                   and (group is None or cs.matches_group(group))]
        twins = [p for set_id in dict.fromkeys(cs.id for cs in fitting)
                 for p in self._twins(set_id)]
        if twins:
            raise CchcError(twins)
        if len(fitting) == 1:
            return fitting[0]
        if not fitting:
            raise CchcError([*self.broken, Problem("no-criteria-set", params={
                "group": group or "—", "year": year})])
        raise CchcError([Problem("ambiguous-criteria-set", params={
            "ids": ", ".join(cs.id for cs in fitting)})])
