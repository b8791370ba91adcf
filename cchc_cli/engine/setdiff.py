"""Two criteria sets compared (``cchc criteria diff``): items added, removed, renamed, with a
new maximum, moved to another parent, or scored differently; and, for the items of the newer
set that continue an older one under another code, a suggested ``replaces:`` (by title
similarity), so that year-over-year comparison across the sets is set up from the diff."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from difflib import SequenceMatcher
from typing import Any

from cchc_cli.model.criteria import CriteriaSet, FieldSpec
from cchc_cli.model.text import code_key, fold

SIMILAR = 0.6  # title similarity from which a continuation is suggested


@dataclass(frozen=True)
class Change:
    kind: str  # added | removed | renamed | max | moved | scoring | reducible
    code: str
    before: str | None  # the old title, max, parent, scoring… as text
    after: str | None


@dataclass(frozen=True)
class Suggestion:
    code: str  # in B
    replaces: str  # in A
    similarity: Decimal  # 0–1, two decimals
    title_a: str
    title_b: str


@dataclass
class SetDiff:
    a: CriteriaSet
    b: CriteriaSet
    changes: list[Change] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[Change]:
        return [c for c in self.changes if c.kind == kind]

    def as_dict(self) -> dict[str, Any]:
        return {"a": self.a.id, "b": self.b.id,
                "changes": [{"kind": c.kind, "code": c.code, "before": c.before,
                             "after": c.after} for c in self.changes],
                "suggested_replaces": [{"code": s.code, "replaces": s.replaces,
                                        "similarity": s.similarity, "title_a": s.title_a,
                                        "title_b": s.title_b} for s in self.suggestions]}


KINDS = ("added", "removed", "renamed", "max", "moved", "scoring", "reducible")


def _parent(cs: CriteriaSet, code: str) -> str:
    leaf = cs.leaves.get(code)
    if leaf is not None:
        return leaf.ancestors[-1] if leaf.ancestors else ""
    for node_code, node in cs.nodes.items():
        children = node.criteria if isinstance(node, FieldSpec) else node.subcriteria
        if any(child.code == code for child in children):
            return node_code
    return ""


def _similarity(x: str, y: str) -> float:
    return SequenceMatcher(None, fold(x), fold(y)).ratio()


def diff_sets(a: CriteriaSet, b: CriteriaSet) -> SetDiff:
    result = SetDiff(a, b)
    changes = result.changes
    for code, node in b.nodes.items():
        old = a.nodes.get(code)
        if old is None:
            changes.append(Change("added", code, None, node.title))
            continue
        if fold(old.title) != fold(node.title):
            changes.append(Change("renamed", code, old.title, node.title))
        if old.max != node.max:
            changes.append(Change("max", code, str(old.max), str(node.max)))
        if _parent(a, code) != _parent(b, code):
            changes.append(Change("moved", code, _parent(a, code) or "—",
                                  _parent(b, code) or "—"))
        leaf_a, leaf_b = a.leaves.get(code), b.leaves.get(code)
        if leaf_a is not None and leaf_b is not None:
            if leaf_a.scoring != leaf_b.scoring:
                changes.append(Change("scoring", code, leaf_a.scoring, leaf_b.scoring))
            if leaf_a.reducible != leaf_b.reducible:
                changes.append(Change("reducible", code, str(leaf_a.reducible).lower(),
                                      str(leaf_b.reducible).lower()))
    for code, node in a.nodes.items():
        if code not in b.nodes:
            changes.append(Change("removed", code, node.title, None))
    order = {kind: n for n, kind in enumerate(KINDS)}
    changes.sort(key=lambda c: (order[c.kind], code_key(c.code)))
    result.suggestions = _suggest(a, b)
    return result


def _suggest(a: CriteriaSet, b: CriteriaSet) -> list[Suggestion]:
    """For each scored item of B with no ``replaces`` whose title is not its own code's title
    in A, the scored item of A most like it (when similar enough and under another code)."""
    found = []
    for code, leaf in b.leaves.items():
        if leaf.replaces:
            continue
        same = a.leaves.get(code)
        if same is not None and _similarity(same.title, leaf.title) >= SIMILAR:
            continue  # it continues its own code
        best = max(((_similarity(old.title, leaf.title), old_code, old.title)
                    for old_code, old in a.leaves.items() if old_code != code),
                   default=None)
        if best is not None and best[0] >= SIMILAR:
            found.append(Suggestion(code, best[1], Decimal(str(round(best[0], 2))), best[2],
                                    leaf.title))
    return found

