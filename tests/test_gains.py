"""`cchc gains`: what recovering each lost point is worth, checked against ranking itself."""

from __future__ import annotations

import json
from dataclasses import replace
from fractions import Fraction

import pytest
from openpyxl import load_workbook

from cchc_cli.engine.gains import gains_for
from cchc_cli.engine.ranking import rank_group
from cchc_cli.folders import gains_of_folder, load_registry, rank_folder
from cchc_cli.model.problems import CchcError
from tests.builders import Entry, write_workbook

from .conftest import INFO_2020, SAMPLES, D, add_row
from .test_rules import ADJUSTED_ID, adjusted_text


@pytest.fixture(scope="module")
def ranking_2023():
    return rank_folder(SAMPLES / "2023", keep="STC")


def rank_if_recovered(ranking, code, points):
    """STC's rank when it gets ``points`` more, by the ranking code itself."""
    group = next(g for g in ranking.groups if any(u.code == code for u in g.units))
    results = [replace(u.result, totals=replace(u.result.totals,
                                                achieved=u.result.totals.achieved + points))
               if u.code == code else u.result for u in group.units]
    return next(u.rank for u in rank_group(results) if u.code == code)


def test_each_lost_item_with_the_index_and_rank_it_would_bring(ranking_2023):
    g = gains_for(ranking_2023, "STC")
    assert (g.rank, g.of) == (17, 19)
    stc = ranking_2023.find("STC").result
    assert [x.item.code for x in g.gains] == sorted(
        (i.code for i in stc.lost),
        key=lambda c: (-next(i.deducted for i in stc.lost if i.code == c),
                       list(stc.criteria.leaves).index(c)))
    assert sum(x.points for x in g.gains) == stc.totals.deducted
    for gain in g.gains:
        assert gain.rank == rank_if_recovered(ranking_2023, "STC", gain.points), gain.item.code
        expected = Fraction(stc.totals.achieved + gain.points) * 100 / Fraction(
            stc.totals.max_after_reduction)
        assert abs(Fraction(gain.index_exact) - expected) < Fraction(1, 10**30)
    top = g.gains[0]
    assert (top.item.code, top.points, top.rank) == ("7.2.3", D("1.9"), 16)


def test_leaving_17th_place_and_reaching_a_rank_take_the_fewest_items(ranking_2023):
    g = gains_for(ranking_2023, "STC", target_rank=10)
    plans = {p.goal: p for p in g.plans}
    leave = plans["next_rank"]
    assert leave.reachable and leave.target == "16" and leave.rank == 16
    assert [x.item.code for x in leave.items] == ["7.2.3"]
    assert set(leave.alternatives) == {x.item.code for x in g.gains[1:] if x.rank <= 16}
    ten = plans["target_rank"]
    assert ten.reachable and ten.rank <= 10
    k = len(ten.items)
    # fewer items cannot do it: even the k − 1 that bring the most fall short
    best_fewer = sum(x.points for x in g.gains[:k - 1])
    assert rank_if_recovered(ranking_2023, "STC", best_fewer) > 10
    assert rank_if_recovered(ranking_2023, "STC", ten.points) == ten.rank
    band = plans["next_band"]
    assert band.target == "Nhóm 2" and band.band == "Nhóm 2" and band.threshold == 80


def test_a_goal_that_no_recovery_reaches_says_so(tmp_path, sheets_for, monkeypatch):
    sets = tmp_path / "sets"
    sets.mkdir()
    (sets / "so-2019.yaml").write_text(adjusted_text("points"), encoding="utf-8")
    monkeypatch.setenv("CCHC_CRITERIA", str(sets))
    folder = tmp_path / "2020"
    write_workbook(folder / "SXD.xlsx", sheets_for(info={
        "Mã đơn vị": "SXD", "Tên đơn vị": "Sở Xây dựng", "Năm": 2020,
        "Nhóm": "Sở, ban ngành tỉnh", "Bộ tiêu chí": ADJUSTED_ID}))  # full marks: 100 %
    stc = sheets_for({"1.1.4": Entry(appraised=D(0))},
                     info={**INFO_2020, "Bộ tiêu chí": ADJUSTED_ID})
    add_row(stc, "Thẩm định", {"Mã": "TR1", "Điểm thẩm định": D(1)})  # a penalty stays
    write_workbook(folder / "STC.xlsx", stc)
    g = gains_of_folder(folder, "STC", registry=load_registry())
    (plan,) = g.plans
    assert plan.goal == "next_rank" and not plan.reachable
    assert plan.rank == 2 and plan.index_exact == 99  # (98 + 2 − 1) / 100
    first = gains_of_folder(folder, "SXD", registry=load_registry())
    assert (first.rank, first.gains, first.plans) == (1, [], [])  # nothing lost, nothing to do


def test_gains_command_table_json_and_workbook(cli, tmp_path):
    out = cli("gains", SAMPLES / "2023", "--unit", "STC", env={"COLUMNS": "160"})
    assert out.exit_code == 0, out.stderr
    assert "xếp thứ 17/19" in out.stdout
    assert "Để rời hạng 17/19 (lên hạng 16): lấy lại 1 tiêu chí (7.2.3)" in out.stdout
    data = json.loads(cli("gains", SAMPLES / "2023", "-u", "STC", "--json",
                          "--target-rank", "10").stdout)
    assert data["rank"] == 17 and data["gains"][0]["code"] == "7.2.3"
    assert data["gains"][0]["rank_after"] == 16
    assert [p["goal"] for p in data["plans"]] == ["next_rank", "target_rank", "next_band"]
    target = tmp_path / "gains.xlsx"
    written = cli("gains", SAMPLES / "2023", "-u", "STC", "-o", target)
    assert written.exit_code == 0, written.stderr
    book = load_workbook(target)
    assert len(book.sheetnames) == 2
    cells = [c.value for row in book.worksheets[0].iter_rows() for c in row]
    assert "7.2.3" in cells and "16/19" in cells


def test_an_unknown_unit_is_a_clear_error(cli):
    out = cli("gains", SAMPLES / "2023", "--unit", "XYZ")
    assert out.exit_code == 1
    assert "không có đơn vị XYZ" in out.stderr and "Traceback" not in out.stderr


def test_the_library_raises_for_an_unknown_unit():
    with pytest.raises(CchcError) as caught:
        gains_of_folder(SAMPLES / "2023", "NOPE")
    assert [p.code for p in caught.value.problems] == ["unit-not-found"]
