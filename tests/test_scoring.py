"""The engine, on workbooks each test states for itself (parsed in memory)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cchc_cli.engine.scoring import score_unit
from cchc_cli.model.problems import CchcError
from tests.builders import Entry

from .conftest import SAMPLES, D, add_row, evaluate, find_row, set_cell


def codes(problems):
    return [p.code for p in problems]


def test_full_marks_give_100_percent_and_the_top_band(cs2019, sheets_for, parse):
    result = score_unit(cs2019, parse(sheets_for()))
    assert result.totals.achieved == result.totals.max_after_reduction == 100
    assert result.index == Decimal("100.00")
    assert result.band == "Nhóm 1"
    assert result.status == "appraised"
    assert result.lost == []


def test_reduction_takes_the_item_out_of_both_maximum_and_achieved(cs2019, sheets_for, parse):
    result = score_unit(cs2019, parse(sheets_for({
        "6.3": Entry(self_na=True, na=True), "7.1.7": Entry(self_score=0, appraised=0)})))
    totals = result.totals
    assert totals.reduction == D("2.5")
    assert totals.max_after_reduction == D("97.5")
    assert totals.achieved == D("96.5")
    assert totals.deducted == 1
    assert str(totals.index_exact).startswith("98.974358974358974358")  # 96.5 × 100 / 97.5
    assert result.index == D("98.97")
    assert [i.code for i in result.lost] == ["7.1.7"]


def test_second_appraisal_wins_over_the_first(cs2019, sheets_for, parse):
    result = score_unit(cs2019, parse(sheets_for({
        "2.1": Entry(self_score=1, appraised=D("0.5"), appraised2=D("0.86"))})))
    item = next(i for i in result.items if i.code == "2.1")
    assert (item.appraised, item.appraisal_round, item.final) == (D("0.86"), 2, D("0.86"))
    assert item.deducted == D("0.14")


def test_without_appraisal_the_result_is_provisional_on_self_scores(cs2019, sheets_for,
                                                                    parse):
    sheets = sheets_for({"1.1.4": Entry(self_score=1)}, appraised=False)
    result = score_unit(cs2019, parse(sheets))
    assert result.status == "provisional"
    assert result.totals.achieved == 99
    assert result.totals == result.self_totals


def test_council_decides_applicability_over_the_unit(cs2019, sheets_for, parse):
    # the unit said 6.3 does not arise; the council scored it, so it counts
    result = score_unit(cs2019, parse(sheets_for({"6.3": Entry(self_na=True, appraised=1)})))
    assert result.totals.reduction == 0
    assert result.totals.achieved == D("98.5")
    assert result.self_totals.reduction == D("2.5")
    assert result.self_totals.achieved == D("97.5")


def test_survey_items_take_the_survey_score(cs2019, sheets_for, parse):
    result = score_unit(cs2019, parse(sheets_for({"7.5": Entry(survey=D("1.25"))})))
    item = next(i for i in result.items if i.code == "7.5")
    assert item.final == D("1.25") and item.deducted == D("0.75")
    assert result.self_totals.achieved == result.totals.achieved  # not disputed by the unit


def test_missing_survey_scores_leave_the_result_provisional_not_zero(cs2019, sheets_for,
                                                                    parse):
    result = score_unit(cs2019, parse(sheets_for(with_survey=False)))
    survey_max = sum(leaf.max for leaf in cs2019.leaves.values() if leaf.scoring == "survey")
    assert result.status == "provisional"
    assert result.totals.pending == survey_max == D("7")
    assert result.totals.max_after_reduction == 100 - survey_max
    assert result.index == Decimal("100.00")  # what was scored so far was perfect
    (warning,) = [p for p in result.warnings if p.code == "survey-score-missing"]
    assert warning.params["n"] == 7 and warning.params["codes"].startswith("1.8, 4.5")


def test_a_field_reduced_whole_has_no_index_not_zero(sheets_for, parse):
    from cchc_cli.reading.criteria_file import check_criteria_text

    from .test_criteria import MINIMAL
    text = MINIMAL.replace("total: 3", "total: 4") + """\
  - code: "2"
    title: Lĩnh vực hai
    max: 1
    criteria:
      - {code: "2.1", title: Chỉ khi phát sinh, max: 1, reducible: true}
"""
    cs, problems = check_criteria_text(text, "set.yaml")
    assert problems == []
    result = score_unit(cs, parse(sheets_for({"2.1": Entry(self_na=True, na=True)}, cs=cs)))
    two = next(f for f in result.fields if f.code == "2")
    assert two.totals.max_after_reduction == 0
    assert two.totals.index_exact is None
    assert result.as_dict()["fields"][1]["index"] is None
    assert result.index == Decimal("100.00")


def test_sums_of_fields_and_items_equal_the_totals(cs2019, sheets_for, parse):
    result = score_unit(cs2019, parse(sheets_for({
        "1.1.2": Entry(appraised=D("0.95")), "4.3": Entry(self_na=True, na=True),
        "5.6": Entry(survey=D("0.5"))})))
    assert sum(f.totals.achieved for f in result.fields) == result.totals.achieved
    assert sum(f.totals.max_after_reduction for f in result.fields) \
        == result.totals.max_after_reduction
    assert sum(i.deducted for i in result.items) == result.totals.deducted == D("0.55")


def test_a_negative_minimum_allows_negative_points(cs2019, sheets_for, parse):
    from cchc_cli.reading.criteria_file import check_criteria_text

    from .test_criteria import MINIMAL
    cs, _ = check_criteria_text(
        MINIMAL.replace('{code: "1.1.1", title: Con một, max: 1}',
                        '{code: "1.1.1", title: Con một, max: 1, min: -1}'), "set.yaml")
    sheets = sheets_for({"1.1.1": Entry(self_score=-1, appraised=-1)}, cs=cs)
    result = score_unit(cs, parse(sheets))
    assert result.totals.achieved == 1  # -1 + 1 + 1
    assert next(i for i in result.items if i.code == "1.1.1").deducted == 2


# --- what blocks scoring, and where it is -------------------------------------------------


def _errors_of(cs, sheets, parse):
    with pytest.raises(CchcError) as err:
        score_unit(cs, parse(sheets))
    return err.value.problems


def test_score_above_max_names_sheet_cell_and_criterion(cs2019, sheets_for, parse):
    sheets = sheets_for()
    cell = set_cell(sheets, "Thẩm định", "1.1.2", "Điểm thẩm định", 1.5)
    problems = _errors_of(cs2019, sheets, parse)
    (problem,) = [p for p in problems if p.code == "score-above-max"]
    assert (problem.sheet, problem.cell, problem.criterion) == ("Thẩm định", cell, "1.1.2")
    assert problem.message() == "Điểm thẩm định 1,5 lớn hơn điểm tối đa 1"


@pytest.mark.parametrize("edit, code", [
    # "không phát sinh" on an item that may not be reduced
    (("Thẩm định", "1.1.2", "Không phát sinh", "x"), "not-reducible"),
    # marked "không phát sinh" and scored
    (("Thẩm định", "6.3", "Không phát sinh", "x"), "not-applicable-with-score"),
    (("Thẩm định", "1.1.2", "Điểm thẩm định", None), "score-missing"),
    (("Thẩm định", "1.1.2", "Điểm thẩm định", "1,5 điểm"), "not-a-number"),
    (("Tự đánh giá", "1.1.2", "Điểm tự đánh giá", -1), "score-below-min"),
    (("Thẩm định", "1.1.2", "Không phát sinh", "có lẽ"), "invalid-mark"),
])
def test_item_errors(cs2019, sheets_for, parse, edit, code):
    sheet, item, column, value = edit
    sheets = sheets_for()
    cell = set_cell(sheets, sheet, item, column, value)
    problems = _errors_of(cs2019, sheets, parse)
    assert code in codes(problems)
    problem = next(p for p in problems if p.code == code)
    assert (problem.criterion, problem.sheet) == (item, sheet)
    if code != "not-applicable-with-score":  # that one points at the score, not the mark
        assert problem.cell == cell


def test_unknown_missing_and_duplicate_codes(cs2019, sheets_for, parse):
    sheets = sheets_for()
    review = sheets["Thẩm định"]
    review[:] = [r for r in review if r[0] != "2.4.2"]          # missing
    add_row(sheets, "Thẩm định", {"Mã": "9.9.9", "Điểm thẩm định": 1})  # unknown
    review.append(list(find_row(sheets, "Thẩm định", "1.5")))    # duplicate
    problems = _errors_of(cs2019, sheets, parse)
    assert {"missing-criterion", "unknown-criterion", "duplicate-criterion"} <= set(
        codes(problems))
    duplicate = next(p for p in problems if p.code == "duplicate-criterion")
    assert duplicate.params["other"].startswith("Thẩm định!A")


TEN_CRITERIA = """\
id: ten
title: Ten
province: Tỉnh thử
group: Sở
years: {from: 2020}
total: 10
rounding: {decimals: 2, mode: truncate}
bands: [{name: A, lower: 0}]
fields:
  - code: "1"
    title: Một
    max: 10
    criteria:
""" + "".join(f'      - {{code: "1.{i}", title: Mục {i}, max: 1}}\n' for i in range(1, 11))


def test_a_code_typed_as_a_number_that_could_be_two_items(sheets_for, parse):
    from cchc_cli.reading.criteria_file import check_criteria_text

    cs, problems = check_criteria_text(TEN_CRITERIA, "ten.yaml")
    assert problems == []
    sheets = sheets_for(cs=cs)
    set_cell(sheets, "Thẩm định", "1.1", "Mã", 1.1)  # a number: 1.1 or 1.10?
    set_cell(sheets, "Thẩm định", "1.2", "Mã", 1.2)  # a number; there is no 1.20
    _, problems = evaluate(cs, parse(sheets))
    assert [(p.code, p.criterion) for p in problems] == [("ambiguous-code", "1.1")]
    assert "1.1 / 1.10" in problems[0].message()


def test_every_problem_is_collected_not_just_the_first(cs2019, sheets_for, parse):
    sheets = sheets_for()
    set_cell(sheets, "Thẩm định", "1.1.2", "Điểm thẩm định", 5)
    set_cell(sheets, "Thẩm định", "3.1.1", "Điểm thẩm định", "abc")
    set_cell(sheets, "Thẩm định", "7.2.1", "Không phát sinh", "x")
    problems = _errors_of(cs2019, sheets, parse)
    assert {"score-above-max", "not-a-number", "not-reducible"} <= set(codes(problems))


def test_max_column_disagreeing_is_a_warning_and_the_set_wins(cs2019, sheets_for, parse):
    sheets = sheets_for()
    set_cell(sheets, "Tự đánh giá", "1.1.4", "Điểm tối đa", 3)
    result = score_unit(cs2019, parse(sheets))
    assert codes(result.warnings) == ["max-disagrees"]
    assert result.totals.achieved == 100


def test_survey_scores_may_stand_on_the_appraisal_sheet(cs2019, sheets_for, parse):
    sheets = sheets_for(with_survey=False)
    add_row(sheets, "Thẩm định", {"Mã": "7.5", "Điểm thẩm định": D("1.5"),
                                  "Lý do trừ điểm": "Khảo sát: 75 % hài lòng"})
    result = score_unit(cs2019, parse(sheets))
    item = next(i for i in result.items if i.code == "7.5")
    assert (item.final, item.reason) == (D("1.5"), "Khảo sát: 75 % hài lòng")
    assert result.totals.pending == D("5")  # the other survey items are still pending


def test_a_self_assessment_without_a_score_cannot_be_scored(cs2019, sheets_for, parse):
    sheets = sheets_for(appraised=False)
    set_cell(sheets, "Tự đánh giá", "5.3", "Điểm tự đánh giá", None)
    problems = _errors_of(cs2019, sheets, parse)
    assert [(p.code, p.criterion, p.sheet) for p in problems if p.is_error] == [
        ("score-missing", "5.3", "Tự đánh giá")]


def test_the_published_figures_whatever_decimal_context_the_caller_has_set():
    """A caller that sets three digits and rounding down must still get 71.33 / 78.81 %."""
    import decimal

    from cchc_cli import rank_folder, score_file

    saved = decimal.getcontext().copy()
    try:
        decimal.getcontext().prec = 3
        decimal.getcontext().rounding = decimal.ROUND_FLOOR
        result = score_file(SAMPLES / "2020" / "STC.xlsx")
        assert (result.totals.achieved, result.index) == (D("71.33"), D("78.81"))
        assert result.totals.deducted == D("19.17")
        assert str(result.totals.index_exact).startswith("78.8176795580110497237569060773480662983")
        stc = rank_folder(SAMPLES / "2023").find("STC")
        assert stc is not None and (stc.rank, stc.result.index) == (17, D("69.03"))
    finally:
        decimal.setcontext(saved)
