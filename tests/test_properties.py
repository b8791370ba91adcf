"""Properties of the arithmetic, over random scores, reductions and row orders (hypothesis)."""

from __future__ import annotations

import random
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc_cli.engine.scoring import score_unit
from cchc_cli.folders import load_registry
from cchc_cli.model.criteria import CriteriaSet
from cchc_cli.reading.workbook import unit_from_rows
from tests.builders import Entry, unit_sheets

from .conftest import INFO_2020

CS: CriteriaSet = load_registry().get("soc-trang-so-2019")
LEAVES = list(CS.leaves.values())
HUNDREDTHS = Decimal("0.01")


@st.composite
def unit_entries(draw) -> dict[str, Entry]:
    """Random but valid scores: every item within [0, max] in hundredths, some reduced."""
    entries = {}
    for leaf in LEAVES:
        steps = int(leaf.max / HUNDREDTHS)
        points = draw(st.integers(0, steps)) * HUNDREDTHS
        if leaf.scoring == "survey":
            entries[leaf.code] = Entry(survey=points)
            continue
        reduced = leaf.reducible and draw(st.booleans())
        own = draw(st.integers(0, steps)) * HUNDREDTHS
        second = draw(st.one_of(st.none(), st.integers(0, steps).map(lambda n: n * HUNDREDTHS)))
        entries[leaf.code] = Entry(self_score=own, self_na=reduced, appraised=points,
                                   appraised2=second, na=reduced)
    return entries


def score(entries, shuffle_seed=None):
    sheets = unit_sheets(CS, INFO_2020, entries)
    if shuffle_seed is not None:
        rng = random.Random(shuffle_seed)
        for name in ("Tự đánh giá", "Thẩm định", "Điều tra XHH"):
            header, *rows = sheets[name]
            rng.shuffle(rows)
            sheets[name] = [header, *rows]
    return score_unit(CS, unit_from_rows(sheets, "STC.xlsx"))


FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(unit_entries())
def test_index_stays_within_0_and_100(entries):
    result = score(entries)
    for totals in (result.totals, result.self_totals):
        assert totals.index_exact is None or 0 <= totals.index_exact <= 100
    assert result.index is None or 0 <= result.index <= 100


@FAST
@given(unit_entries())
def test_totals_equal_the_sum_of_their_parts(entries):
    result = score(entries)
    t = result.totals
    assert t.max == sum(f.totals.max for f in result.fields) == CS.total
    assert t.reduction == sum(f.totals.reduction for f in result.fields) \
        == sum(i.leaf.max for i in result.items if not i.applicable)
    assert t.achieved == sum(f.totals.achieved for f in result.fields) \
        == sum(i.final for i in result.items if i.applicable)
    assert t.deducted == sum(i.deducted for i in result.items)
    assert t.max_after_reduction == t.max - t.reduction


@FAST
@given(unit_entries(), st.data())
def test_reducing_an_item_never_changes_the_points_of_the_others(entries, data):
    candidates = [leaf for leaf in LEAVES if leaf.reducible and not entries[leaf.code].na]
    if not candidates:
        return
    leaf = data.draw(st.sampled_from(candidates))
    before = score(entries)
    after = score({**entries, leaf.code: Entry(self_na=True, na=True)})
    finals_before = {i.code: i.final for i in before.items if i.code != leaf.code}
    finals_after = {i.code: i.final for i in after.items if i.code != leaf.code}
    assert finals_before == finals_after
    removed = next(i for i in before.items if i.code == leaf.code)
    assert after.totals.achieved == before.totals.achieved - removed.final
    assert after.totals.max_after_reduction == before.totals.max_after_reduction - leaf.max


@settings(max_examples=20, deadline=None)
@given(unit_entries(), st.integers(0, 2**32))
def test_the_order_of_rows_never_changes_the_result(entries, seed):
    assert score(entries, shuffle_seed=seed).as_dict() == score(entries).as_dict()
