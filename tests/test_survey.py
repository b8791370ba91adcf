"""The survey: answers (or their tallies) → points per survey-scored item, exactly; the
satisfaction index; every bad input catalogued with its cell; --survey on score and rank."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from cchc_cli.engine.ranking import ranking_dict
from cchc_cli.engine.survey import score_survey
from cchc_cli.folders import rank_folder, score_file, survey_file
from cchc_cli.model.criteria import CriteriaSet
from cchc_cli.model.problems import CchcError
from cchc_cli.model.survey import Survey, SurveyAnswers, answer_key
from cchc_cli.reading.survey import read_survey

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
ANSWERS = SAMPLES / "survey" / "2023.xlsx"
TALLIED = SAMPLES / "survey" / "2023-tong-hop.xlsx"
HEADER = ["Mã đơn vị", "Đối tượng", "Mã phiếu"]


def write_csv(path: Path, rows: list[list[Any]], bom: bool = True) -> Path:
    with path.open("w", newline="", encoding="utf-8-sig" if bom else "utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list[Any]]],
               hidden: tuple[str, ...] = ()) -> Path:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        if name in hidden:
            sheet.sheet_state = "hidden"
    book.save(path)
    return path


def forms(unit: str, group: str, answers: dict[str, str], n: int, start: int = 1
          ) -> list[list[Any]]:
    """``n`` questionnaires of one unit and group, each giving ``answers`` (question → option)."""
    columns = [f"Câu {i}" for i in range(1, 16)]
    return [[unit, group, f"{unit}-{group}-{start + i}",
             *(answers.get(c) for c in columns)] for i in range(n)]


def header() -> list[str]:
    return [*HEADER, *(f"Câu {i}" for i in range(1, 16))]


def codes(problems: list[Any]) -> list[str]:
    return [p.code for p in problems]


def slim(ranking: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [(u["code"], u["rank"], u["of"], u["achieved"], u["max_after_reduction"],
             u["index"], u["index_exact"], u["band"], u["status"])
            for g in ranking["groups"] for u in g["units"]]


# --- the sample: answers that reproduce the typed points exactly ---------------------------------


@pytest.mark.parametrize("answers", [ANSWERS, TALLIED], ids=["answers", "tallied"])
def test_sample_survey_reproduces_the_ranking_exactly(answers: Path, registry: Any) -> None:
    """The points computed from the synthetic answers are the points typed in samples/2023:
    the ranking with --survey is the ranking without, figure for figure."""
    survey = survey_file(answers, registry=registry)
    assert survey.problems == []
    typed = rank_folder(SAMPLES / "2023", registry)
    computed = rank_folder(SAMPLES / "2023", registry, survey=survey)
    assert slim(ranking_dict(computed)) == slim(ranking_dict(typed))
    assert len(slim(ranking_dict(computed))) == 19
    assert computed.warnings == []  # no typed point differs from its computed one
    assert all(u.result.satisfaction is not None for g in computed.groups for u in g.units)


def test_both_shapes_give_the_same_survey(registry: Any) -> None:
    a = survey_file(ANSWERS, registry=registry)
    b = survey_file(TALLIED, registry=registry)
    assert a.means == b.means
    assert set(a.units) == set(b.units) and len(a.units) == 19
    for key, unit in a.units.items():
        other = b.units[key]
        assert unit.satisfaction == other.satisfaction
        assert {c: (i.points, i.share) for c, i in unit.items.items()} == \
            {c: (i.points, i.share) for c, i in other.items.items()}
    assert a.unit("STC").questionnaires == 120 and b.unit("STC").questionnaires is None


def test_the_sample_says_it_is_synthetic() -> None:
    for path in (ANSWERS, TALLIED):
        first = next(load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True))
        assert "giả lập" in str(first[0]).lower() and "synthetic" in str(first[0])


# --- arithmetic -------------------------------------------------------------------------------


def tally(cs: CriteriaSet, counts: dict[tuple[str, str, str], dict[str, int]]
          ) -> SurveyAnswers:
    units = {u: (u.upper(), "") for (u, _g, _q) in counts}
    return SurveyAnswers(file="x.csv", criteria=cs.id, counts=counts, units=units,
                         columns={q for (_u, _g, q) in counts}, tallied=True)


def with_survey(cs: CriteriaSet, **changes: Any) -> CriteriaSet:
    assert cs.survey is not None
    survey = Survey.model_validate({**cs.survey.model_dump(), **changes})
    return cs.model_copy(update={"survey": survey})


def test_mean_share_points_and_working(cs2021: CriteriaSet) -> None:
    """312 answers, A 180, B 90, C 30, D 12: (180×100 + 90×60 + 30×20)/312 = 76.923…% of 1
    point → 0.77 (the set's rule rounding: hundredths, half up)."""
    result = score_survey(cs2021, tally(cs2021, {
        ("stc", "CBCC", "Câu 1"): {"A": 180, "B": 90, "C": 30, "D": 12}}))
    item = result.unit("STC").items["8.1.1"]
    assert item.share == Fraction(180 * 100 + 90 * 60 + 30 * 20, 312 * 100)
    assert item.points == Decimal("0.77")
    assert item.working["vi"] == ("CBCC: 312 phiếu; A 180, B 90, C 30, D 12 → "
                                  "(180×100 + 90×60 + 30×20 + 12×0)/312 = 76,92 % × 1 = 0,77 điểm")
    assert item.working["en"].endswith("= 76.92 % × 1 = 0.77 points")


def test_top_answers_and_group_weights(cs2021: CriteriaSet) -> None:
    """combine: top counts the share of A and B; citizens (ND, weight 2) and leaders (LD,
    weight 1) answer Câu 11: (2 × 3/4 + 1 × 1/2) / 3 = 2/3 → 0.67."""
    cs = with_survey(cs2021, combine="top")
    result = score_survey(cs, tally(cs, {
        ("stc", "ND", "Câu 11"): {"A": 10, "B": 20, "C": 10},
        ("stc", "LD", "Câu 11"): {"B": 5, "D": 5}}))
    item = result.unit("STC").items["8.5.2"]
    assert item.share == Fraction(2, 3)
    assert item.points == Decimal("0.67")
    assert "(2×75,00 % + 1×50,00 %)/3 = 66,67 %" in item.working["vi"]


def test_too_few_answers_leave_the_item_pending_never_zero(cs2021: CriteriaSet) -> None:
    result = score_survey(cs2021, tally(cs2021, {("stc", "CBCC", "Câu 1"): {"A": 9}}))
    item = result.unit("STC").items["8.1.1"]
    assert item.points is None and item.pending == "too-few"
    problem = next(p for p in result.problems if p.code == "survey-too-few-answers")
    assert problem.criterion == "8.1.1" and "CBCC 9" in problem.message("en")
    assert result.unit("STC").items["8.1.2"].pending == "no-answers"
    assert result.unit("STC").satisfaction is None


def test_satisfaction_index_is_the_weighted_share_of_top_answers(cs2021: CriteriaSet) -> None:
    counts: dict[tuple[str, str, str], dict[str, int]] = {}
    for q in cs2021.survey.questions:  # type: ignore[union-attr]
        for g in q.groups:
            counts[("stc", g, q.column)] = {"A": 5, "B": 5, "C": 10} if g == "ND" \
                else {"A": 20}
    result = score_survey(cs2021, tally(cs2021, counts))
    # CBCC and LD: all top (1); ND (weight 2): half top → (1 + 1 + 2 × 1/2) / 4 = 3/4
    assert result.unit("STC").satisfaction == Fraction(3, 4)
    assert result.unit("STC").satisfaction_percent == Decimal(75)


@pytest.mark.parametrize("raw, key", [("a", "A"), (" B. ", "B"), ("C)", "C"), (3.0, "3"),
                                      ("4", "4"), ("5.0", "5"), ("", None), (None, None)])
def test_answers_are_compared_as_written_by_hand(raw: Any, key: str | None) -> None:
    assert answer_key(raw) == key


def test_a_numeric_scale(tmp_path: Path, cs2021: CriteriaSet) -> None:
    """A 1–5 scale, the answers stored as numbers by a spreadsheet."""
    cs = with_survey(cs2021, scale={1: 0, 2: 25, 3: 50, 4: 75, 5: 100}, top=[4, 5],
                     min_answers=1)
    path = write_xlsx(tmp_path / "xhh.xlsx", {"Phiếu": [
        header(), *([["STC", "CBCC", None, n] for n in (5, 4, 4, 2)])]})
    result = score_survey(cs, read_survey(path, cs))
    assert result.unit("STC").items["8.1.1"].share == Fraction(100 + 75 + 75 + 25, 400)
    assert result.unit("STC").items["8.1.1"].points == Decimal("0.69")


# --- input shapes and formats ------------------------------------------------------------------


def test_csv_with_and_without_bom_and_xlsx_count_alike(tmp_path: Path,
                                                       cs2021: CriteriaSet) -> None:
    rows = [["Phiếu khảo sát"], header(),
            *forms("STC", "CBCC", {"Câu 1": "A", "Câu 2": "b"}, 12),
            *forms("stc", "công chức", {"Câu 1": "C", "Câu 2": "D"}, 4, start=50),
            *forms("SNV", "ND", {"Câu 5": "A"}, 10)]
    results = [read_survey(p, cs2021) for p in (
        write_csv(tmp_path / "a.csv", rows), write_csv(tmp_path / "b.csv", rows, bom=False),
        write_xlsx(tmp_path / "c.xlsx", {"Phiếu": rows}))]
    for answers in results:
        assert answers.counts[("stc", "CBCC", "Câu 1")] == {"A": 12, "C": 4}
        assert answers.counts[("stc", "CBCC", "Câu 2")] == {"B": 12, "D": 4}
        assert answers.counts[("snv", "ND", "Câu 5")] == {"A": 10}
        assert answers.questionnaires == {("stc", "CBCC"): 16, ("snv", "ND"): 10}
    assert results[0].counts == results[1].counts == results[2].counts


def test_one_sheet_per_group(tmp_path: Path, cs2021: CriteriaSet) -> None:
    head = ["Mã đơn vị", "Câu 1", "Câu 5"]
    path = write_xlsx(tmp_path / "xhh.xlsx", {
        "Công chức": [head, *[["STC", "A", None]] * 10],
        "Người dân": [head, *[["STC", None, "B"]] * 10]})
    answers = read_survey(path, cs2021)
    assert answers.counts == {("stc", "CBCC", "Câu 1"): {"A": 10},
                              ("stc", "ND", "Câu 5"): {"B": 10}}


def test_hidden_sheet_is_named_not_read(tmp_path: Path, cs2021: CriteriaSet) -> None:
    rows = [header(), *forms("STC", "CBCC", {"Câu 1": "A"}, 10)]
    path = write_xlsx(tmp_path / "xhh.xlsx", {"Phiếu": rows, "Cũ": rows}, hidden=("Cũ",))
    answers = read_survey(path, cs2021)
    assert answers.counts[("stc", "CBCC", "Câu 1")] == {"A": 10}
    hidden = next(p for p in answers.problems if p.code == "survey-hidden-sheet")
    assert hidden.sheet == "Cũ"


# --- bad input: every problem catalogued with its cell -----------------------------------------


def bad(tmp_path: Path, cs: CriteriaSet, rows: list[list[Any]]) -> list[Any]:
    return read_survey(write_csv(tmp_path / "xhh.csv", rows), cs).problems


def one(problems: list[Any], code: str) -> Any:
    found = [p for p in problems if p.code == code]
    assert len(found) == 1, codes(problems)
    return found[0]


def test_an_answer_outside_the_options(tmp_path: Path, cs2021: CriteriaSet) -> None:
    rows = [header(), *forms("STC", "CBCC", {"Câu 1": "A"}, 3),
            ["STC", "CBCC", "x1", "E"], ["STC", "CBCC", "x2", "E"]]
    problem = one(bad(tmp_path, cs2021, rows), "survey-invalid-answer")
    assert (problem.sheet, problem.cell) == (None, "D5")  # a .csv has no sheets
    assert problem.params["n"] == 2 and problem.is_error
    assert "“E”" in problem.message("vi") and "A, B, C, D" in problem.message("vi")


def test_blank_answers_are_not_counted_and_reported(tmp_path: Path,
                                                    cs2021: CriteriaSet) -> None:
    rows = [header(), *forms("STC", "CBCC", {"Câu 1": "A", "Câu 2": "A"}, 10),
            *forms("STC", "CBCC", {"Câu 2": "B"}, 3, start=20)]
    answers = read_survey(write_csv(tmp_path / "x.csv", rows), cs2021)
    assert answers.counts[("stc", "CBCC", "Câu 1")] == {"A": 10}
    assert answers.blanks[("stc", "CBCC", "Câu 1")] == 3
    problem = one(answers.problems, "survey-blank-answers")
    # Câu 1 left blank 3 times; the 6 other questions asked of officials by all 13
    assert problem.params["n"] == 3 + 13 * 6
    assert not problem.is_error


def test_unknown_and_missing_question_columns(tmp_path: Path, cs2021: CriteriaSet) -> None:
    rows = [[*HEADER, "Câu 1", "Câu 99"], ["STC", "CBCC", "1", "A", "B"]]
    problems = bad(tmp_path, cs2021, rows)
    unknown = one(problems, "survey-unknown-question")
    assert unknown.cell == "E1" and unknown.params["value"] == "Câu 99"
    missing = one(problems, "survey-question-missing")
    assert missing.params["n"] == 14 and missing.params["items"].startswith("8.1.2, 8.2.1")


def test_the_same_respondent_twice(tmp_path: Path, cs2021: CriteriaSet) -> None:
    rows = [header(), ["STC", "CBCC", "P-7", "A"], ["STC", "CBCC", "P-8", "A"],
            ["STC", "CBCC", "P-7", "B"]]
    problem = one(bad(tmp_path, cs2021, rows), "survey-duplicate-respondent")
    assert problem.cell == "C2" and problem.params["cells"] == "C2, C4"
    assert problem.is_error


def test_a_group_the_set_does_not_know(tmp_path: Path, cs2021: CriteriaSet) -> None:
    rows = [header(), ["STC", "CBCC", "1", "A"], ["STC", "Doanh nghiệp", "2", "A"]]
    problem = one(bad(tmp_path, cs2021, rows), "survey-unknown-group")
    assert problem.cell == "B3" and problem.params["value"] == "Doanh nghiệp"


def test_answers_without_a_unit_code(tmp_path: Path, cs2021: CriteriaSet) -> None:
    rows = [header(), ["STC", "CBCC", "1", "A"], [None, "CBCC", "2", "A"], [], []]
    problem = one(bad(tmp_path, cs2021, rows), "survey-unit-missing")
    assert problem.cell == "A3" and problem.params["n"] == 1


def test_an_answer_to_a_question_not_asked_of_the_group(tmp_path: Path,
                                                        cs2021: CriteriaSet) -> None:
    rows = [header(), ["STC", "ND", "1", "A"]]  # Câu 1 is asked of officials only
    problem = one(bad(tmp_path, cs2021, rows), "survey-not-asked")
    assert problem.cell == "D2" and not problem.is_error


def test_no_header_and_no_group(tmp_path: Path, cs2021: CriteriaSet) -> None:
    with pytest.raises(CchcError) as err:
        read_survey(write_csv(tmp_path / "x.csv", [["Họ tên", "Tuổi"], ["A", 3]]), cs2021)
    assert codes(err.value.problems) == ["survey-no-header"]
    path = write_xlsx(tmp_path / "y.xlsx", {"Trang 1": [["Mã đơn vị", "Câu 1"], ["STC", "A"]]})
    with pytest.raises(CchcError) as err:
        read_survey(path, cs2021)
    assert codes(err.value.problems) == ["survey-no-group"]


@pytest.mark.parametrize("value", [-1, 2.5, "ba"])
def test_a_tally_count_that_is_not_whole(tmp_path: Path, cs2021: CriteriaSet,
                                         value: Any) -> None:
    rows = [["Mã đơn vị", "Đối tượng", "Câu hỏi", "A", "B", "C", "D"],
            ["STC", "CBCC", "Câu 1", 10, value, 0, 0]]
    problem = one(bad(tmp_path, cs2021, rows), "survey-bad-count")
    assert problem.cell == "E2" and problem.is_error


def test_files_that_are_not_answers(tmp_path: Path, cs2019: CriteriaSet,
                                    cs2021: CriteriaSet, registry: Any) -> None:
    text = tmp_path / "xhh.txt"
    text.write_text("A,B")
    with pytest.raises(CchcError) as err:
        read_survey(text, cs2021)
    assert codes(err.value.problems) == ["survey-format"]
    with pytest.raises(CchcError) as err:
        read_survey(ANSWERS, cs2019)
    assert codes(err.value.problems) == ["survey-not-declared"]
    with pytest.raises(CchcError) as err:  # no set of 2020 declares a survey
        survey_file(ANSWERS, year=2020, registry=registry)
    assert codes(err.value.problems) == ["survey-set-ambiguous"]
    latin1 = tmp_path / "xhh.csv"
    latin1.write_bytes("Mã đơn vị,Câu 1\n".encode("cp1258", errors="replace") + b"\xe0\xff\n")
    with pytest.raises(CchcError) as err:
        read_survey(latin1, cs2021)
    assert codes(err.value.problems) == ["unreadable-file"]


# --- --survey on score and rank ------------------------------------------------------------------


def year_copy(tmp_path: Path, drop: str | None = None) -> Path:
    folder = tmp_path / "2023"
    shutil.copytree(SAMPLES / "2023", folder)
    if drop:
        (folder / f"{drop}.xlsx").unlink()
    return folder


def test_answers_for_a_unit_without_workbook_and_a_unit_without_answers(
        tmp_path: Path, registry: Any) -> None:
    folder = year_copy(tmp_path, drop="STC")
    survey = survey_file(ANSWERS, registry=registry)
    ranking = rank_folder(folder, registry, survey=survey)
    unknown = one(ranking.warnings, "survey-unknown-unit")
    first = next(r for r, row in enumerate(load_workbook(ANSWERS, read_only=True)
                                           .worksheets[0].iter_rows(values_only=True), 1)
                 if row[0] == "STC")
    assert (unknown.params["unit"], unknown.sheet, unknown.cell) == ("STC", "Phiếu", f"A{first}")
    # and a unit whose answers are absent: its survey items are pending, not zero
    lone = survey_file(TALLIED, registry=registry)
    lone.units.pop("snv")
    lone.answers.units.pop("snv")
    result = score_file(SAMPLES / "2023" / "SNV.xlsx", registry, survey=lone)
    assert "survey-unit-no-answers" in codes(result.warnings)
    assert result.status == "provisional" and result.totals.pending == 15
    assert all(i.final is None for i in result.items if i.leaf.scoring == "survey")


def test_typed_points_that_differ_are_named_and_the_computed_ones_count(
        tmp_path: Path, registry: Any) -> None:
    path = tmp_path / "xhh.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["Mã đơn vị", "Đối tượng", "Câu hỏi", "A", "B", "C", "D"])
        for row in load_workbook(TALLIED, read_only=True).worksheets[0].iter_rows(
                min_row=3, values_only=True):
            if row[0] == "STC" and row[2] == "Câu 1":  # typed 0.55: make it all A → 1
                row = (*row[:3], 40, 0, 0, 0)
            out.writerow(row)
    survey = survey_file(path, registry=registry)
    result = score_file(SAMPLES / "2023" / "STC.xlsx", registry, survey=survey)
    differ = one(result.warnings, "survey-points-differ")
    assert differ.criterion == "8.1.1" and differ.cell is not None
    assert (differ.params["value"], differ.params["computed"]) == ("0.55", "1")
    typed = score_file(SAMPLES / "2023" / "STC.xlsx", registry)
    assert result.totals.achieved == typed.totals.achieved + Decimal("0.45")


def test_cli_survey_outputs_and_inputs_untouched(tmp_path: Path, cli: Any) -> None:
    before = hashlib.sha256(ANSWERS.read_bytes()).hexdigest()
    shown = cli("survey", str(ANSWERS), "--unit", "STC")
    assert shown.exit_code == 0, shown.stderr
    assert "87,14" in shown.stdout and "0,55 điểm" in shown.stdout
    as_json = cli("survey", str(ANSWERS), "--json", "--lang", "en")
    data = json.loads(as_json.stdout)
    stc = next(u for u in data["units"] if u["code"] == "STC")
    assert stc["satisfaction_index"] == 87.14 and stc["questionnaires"] == 120
    assert stc["items"][0]["points"] == 0.55
    out = tmp_path / "diem-xhh.xlsx"
    written = cli("survey", str(TALLIED), "-o", str(out))
    assert written.exit_code == 0, written.stderr
    book = load_workbook(out)
    assert book.sheetnames == ["Điểm XHH", "Từng tiêu chí", "Trung bình tỉnh"]
    items = list(book["Từng tiêu chí"].iter_rows(values_only=True))
    assert any(row[:2] == ("STC", "8.1.1") and row[4] == 0.55 for row in items)
    assert hashlib.sha256(ANSWERS.read_bytes()).hexdigest() == before


def test_cli_bad_answers_exit_1_naming_the_cell(tmp_path: Path, cli: Any) -> None:
    path = write_csv(tmp_path / "xhh-2023.csv", [header(), ["STC", "CBCC", "1", "Z"]])
    run = cli("survey", str(path), "--lang", "en")
    assert run.exit_code == 1
    assert "xhh-2023.csv · D2: Câu 1" in run.stderr and "survey-invalid-answer" in run.stderr
    assert "Traceback" not in run.stderr


def test_cli_rank_and_score_with_survey(cli: Any) -> None:
    ranked = cli("rank", str(SAMPLES / "2023"), "--survey", str(ANSWERS), "--json")
    assert ranked.exit_code == 0, ranked.stderr
    units = {u["code"]: u for g in json.loads(ranked.stdout)["groups"] for u in g["units"]}
    assert units["STC"]["satisfaction_index"] == 87.14
    plain = json.loads(cli("rank", str(SAMPLES / "2023"), "--json").stdout)
    assert all(u["satisfaction_index"] is None for g in plain["groups"] for u in g["units"])
    scored = cli("score", str(SAMPLES / "2023" / "STC.xlsx"), "--survey", str(TALLIED))
    assert scored.exit_code == 0 and "Chỉ số hài lòng (điều tra XHH): 87,14 %" in scored.stdout


def test_cli_compare_history_gains_report_take_each_years_answers(tmp_path: Path,
                                                                   cli: Any) -> None:
    data = str(SAMPLES)
    compared = cli("compare", "2022", "2023", "--unit", "STC", "--data", data, "--json",
                   "--survey", f"2023={ANSWERS}")
    assert compared.exit_code == 0, compared.stderr
    totals = json.loads(compared.stdout)["totals"]
    assert totals["2022"]["satisfaction_index"] is None
    assert totals["2023"]["satisfaction_index"] == 87.14
    named = tmp_path / "xhh-2023.xlsx"
    shutil.copy(TALLIED, named)
    history = cli("history", "--unit", "STC", "--data", data, "--json", "--survey", str(named))
    assert history.exit_code == 0, history.stderr
    years = {y["year"]: y for y in json.loads(history.stdout)["years"]}
    assert years[2023]["satisfaction_index"] == 87.14 and years[2020]["satisfaction_index"] is None
    gains = cli("gains", str(SAMPLES / "2023"), "--unit", "STC", "--survey", str(ANSWERS))
    assert gains.exit_code == 0, gains.stderr
    document = tmp_path / "phu-luc.docx"
    report = cli("report", str(SAMPLES / "2023" / "STC.xlsx"), "--survey", str(ANSWERS),
                 "-o", str(document))
    assert report.exit_code == 0, report.stderr
    from docx import Document

    lines = [p.text for p in Document(str(document)).paragraphs]
    assert "Chỉ số hài lòng (điều tra XHH): 87,14 % · 120 phiếu" in lines


def test_answers_of_no_known_year(tmp_path: Path, cli: Any) -> None:
    nameless = tmp_path / "phieu.xlsx"
    shutil.copy(ANSWERS, nameless)
    run = cli("compare", "2022", "2023", "--unit", "STC", "--data", str(SAMPLES),
              "--survey", str(nameless))
    assert run.exit_code == 1 and "[survey-year-unknown]" in run.stderr


def test_answers_beside_the_workbooks_are_not_a_unit(tmp_path: Path, registry: Any) -> None:
    folder = year_copy(tmp_path)
    answers = folder / "phieu-xhh.xlsx"
    shutil.copy(ANSWERS, answers)
    ranking = rank_folder(folder, registry, survey=survey_file(answers, registry=registry))
    assert ranking.not_ranked == []
    assert [(Path(s.file).name, s.rule) for s in ranking.skipped] == [
        ("phieu-xhh.xlsx", "survey-answers")]
    assert len(slim(ranking_dict(ranking))) == 19


def test_bad_answers_in_a_workbook_are_found_in_the_reading_child(tmp_path: Path,
                                                                  cs2021: CriteriaSet) -> None:
    """A workbook is read in a child process; the second pass that finds the cells runs
    there too, and unit codes typed as numbers read as Excel shows them."""
    rows = [header(), *forms("STC", "CBCC", {"Câu 1": "A"}, 10),
            [101, "CBCC", "x", "E"], [101.0, "CBCC", "y", "B"]]
    answers = read_survey(write_xlsx(tmp_path / "xhh.xlsx", {"Phiếu": rows}), cs2021)
    problem = one(answers.problems, "survey-invalid-answer")
    assert (problem.sheet, problem.cell, problem.params["value"]) == ("Phiếu", "D12", "E")
    assert answers.units["101"][0] == "101"
    assert answers.counts[("101", "CBCC", "Câu 1")] == {"B": 1}


def test_a_hostile_csv_is_one_catalogued_problem(tmp_path: Path, cs2021: CriteriaSet) -> None:
    path = tmp_path / "xhh.csv"
    path.write_bytes(b"Ma don vi,Doi tuong,Cau 1\nSTC,CBCC,\"" + b"x" * 200_000 + b"\"\n")
    with pytest.raises(CchcError) as err:  # past csv's field limit
        read_survey(path, cs2021)
    assert codes(err.value.problems) == ["unreadable-file"]
    path.write_bytes(b"Ma don vi,Doi tuong,Cau 1\nSTC,CBCC,A\x00B\n")
    problem = one(read_survey(path, cs2021).problems, "survey-invalid-answer")
    assert problem.cell == "C2" and "A⟨U+0000⟩B" in problem.message("en")


def test_error_and_uncomputed_formula_cells_are_not_blanks(tmp_path: Path,
                                                          cs2021: CriteriaSet) -> None:
    """python-calamine reads #N/A and a formula nobody computed as empty: counted as blank,
    an error in the answers would pass as a skipped question. They are errors, with cells,
    however far down the sheet (here row 12,003)."""
    rows = [header(), *forms("STC", "CBCC", {"Câu 1": "A"}, 12_000),
            ["STC", "CBCC", "x", "#N/A"], ["STC", "CBCC", "y", "=1/0"]]
    path = write_xlsx(tmp_path / "xhh.xlsx", {"Phiếu": rows})
    problems = read_survey(path, cs2021).problems
    error = one(problems, "error-cell")
    assert (error.sheet, error.cell, error.params["value"]) == ("Phiếu", "D12002", "#N/A")
    formula = one(problems, "formula-without-value")
    assert formula.cell == "D12003" and formula.is_error
    tally = [["Mã đơn vị", "Đối tượng", "Câu hỏi", "A", "B", "C", "D"],
             ["STC", "CBCC", "Câu 1", 10, "=5+5", 0, 0]]
    problems = read_survey(write_xlsx(tmp_path / "th.xlsx", {"Tổng hợp": tally}), cs2021).problems
    assert one(problems, "formula-without-value").cell == "E2"


def test_cells_are_named_where_they_are_when_the_data_starts_further_in(
        tmp_path: Path, cs2021: CriteriaSet) -> None:
    """python-calamine gives a sheet's rows from its first used column: a table starting in
    column C must still name its cells C, D, E…"""
    book = Workbook()
    sheet = book.active
    sheet.title = "Phiếu"
    for r, row in enumerate([header(), ["STC", "CBCC", "1", "Z"]], start=3):
        for c, value in enumerate(row, start=3):
            sheet.cell(r, c, value)
    book.save(tmp_path / "xhh.xlsx")
    answers = read_survey(tmp_path / "xhh.xlsx", cs2021)
    assert one(answers.problems, "survey-invalid-answer").cell == "F4"
    assert answers.units["stc"] == ("STC", "Phiếu!C4")


def test_the_answers_are_never_written_over(tmp_path: Path, cli: Any) -> None:
    answers = tmp_path / "xhh-2023.xlsx"
    shutil.copy(ANSWERS, answers)
    before = answers.read_bytes()
    for args in (("rank", str(SAMPLES / "2023"), "--survey", str(answers), "-o", str(answers)),
                 ("gains", str(SAMPLES / "2023"), "--unit", "STC", "--survey", str(answers),
                  "-o", str(answers)),
                 ("survey", str(answers), "-o", str(answers))):
        run = cli(*args)
        assert run.exit_code == 1 and "[output-is-input]" in run.stderr, args
    assert answers.read_bytes() == before


# --- found by a hostile review: each class, built here -------------------------------------------


def test_one_question_from_two_columns_is_refused(tmp_path: Path, cs2021: CriteriaSet) -> None:
    rows = [[*HEADER, "Câu 1", "Q1"], *[["STC", "CBCC", str(i), "A", "D"] for i in range(6)]]
    problem = one(bad(tmp_path, cs2021, rows), "survey-duplicate-column")
    assert (problem.cell, problem.params["other"], problem.params["value"]) == ("E1", "D1",
                                                                              "Câu 1")
    tally = [["Mã đơn vị", "Đối tượng", "Câu hỏi", "A", "B", "C", "D", "A"],
             ["STC", "CBCC", "Câu 1", 3, 0, 0, 0, 0]]
    assert one(bad(tmp_path, cs2021, tally), "survey-duplicate-column").cell == "H1"


def test_a_sub_question_is_not_another_question(tmp_path: Path, cs2021: CriteriaSet) -> None:
    """"Câu 1.1" is not "Câu 11"; "Câu 01" is "Câu 1"."""
    rows = [[*HEADER, "Câu 01", "Câu 1.1"], *[["STC", "CBCC", str(i), "A", "D"] for i in range(10)]]
    answers = read_survey(write_csv(tmp_path / "x.csv", rows), cs2021)
    assert one(answers.problems, "survey-unknown-question").params["value"] == "Câu 1.1"
    assert answers.counts == {("stc", "CBCC", "Câu 1"): {"A": 10}}


def test_copies_are_refused_not_added(tmp_path: Path, cs2021: CriteriaSet) -> None:
    rows = [header(), *forms("STC", "CBCC", {"Câu 1": "A"}, 6)]
    for row in rows[1:]:
        row[2] = None  # no respondent id to give the copy away
    path = write_xlsx(tmp_path / "a.xlsx", {"Đợt 1": rows, "Đợt 2": rows})
    problem = one(read_survey(path, cs2021).problems, "survey-duplicate-sheet")
    assert (problem.sheet, problem.params["other"]) == ("Đợt 2", "Đợt 1")
    tally = [["Mã đơn vị", "Đối tượng", "Câu hỏi", "A", "B", "C", "D"],
             ["STC", "CBCC", "Câu 1", 6, 0, 0, 0], ["STC", "CBCC", "Câu 1", 6, 0, 0, 0]]
    problem = one(bad(tmp_path, cs2021, tally), "survey-duplicate-tally")
    assert (problem.cell, problem.params["other"]) == ("C3", "xhh!C2")
    path = write_xlsx(tmp_path / "b.xlsx", {"Tổng hợp": tally[:2], "Bản sao": tally[:2]})
    assert one(read_survey(path, cs2021).problems, "survey-duplicate-tally").sheet == "Bản sao"
    path = write_xlsx(tmp_path / "c.xlsx", {"Phiếu": rows, "Tổng hợp": tally[:2]})
    mixed = one(read_survey(path, cs2021).problems, "survey-mixed-shapes")
    assert mixed.is_error and "“Phiếu”" in mixed.message("en")


def test_tally_rows_that_cannot_be_placed_are_errors(tmp_path: Path,
                                                     cs2021: CriteriaSet) -> None:
    tally = [["Mã đơn vị", "Đối tượng", "Câu hỏi", "A", "B", "C", "D"],
             [None, "CBCC", "Câu 1", 50, 0, 0, 0], ["STC", "CBCC", "Cau l", 50, 0, 0, 0],
             ["STC", "CBCC", None, 50, 0, 0, 0]]
    problems = bad(tmp_path, cs2021, tally)
    assert one(problems, "survey-unit-missing").cell == "A2"
    assert [(p.cell, p.params["value"]) for p in problems if p.code == "survey-tally-question"
            ] == [("C3", "Cau l"), ("C4", "∅")]
    assert all(p.is_error for p in problems if p.code != "survey-question-missing")


@pytest.mark.parametrize("value", ["1.000", "1e3", "+4", "1_0", 10**10, 2.5])
def test_counts_are_plain_whole_numbers(tmp_path: Path, cs2021: CriteriaSet, value: Any) -> None:
    tally = [["Mã đơn vị", "Đối tượng", "Câu hỏi", "A", "B", "C", "D"],
             ["STC", "CBCC", "Câu 1", value, 0, 0, 0]]
    path = write_xlsx(tmp_path / "t.xlsx", {"Tổng hợp": tally})
    assert one(read_survey(path, cs2021).problems, "survey-bad-count").cell == "D2"


@pytest.mark.parametrize("a, points", [(554_999_999, "0.55"), (555_000_000, "0.56")])
def test_points_are_rounded_from_the_exact_share(cs2021: CriteriaSet, a: int,
                                                 points: str) -> None:
    """A billion answers, the share a hair below or exactly at 55.5 %: the rounding is the
    exact fraction's."""
    result = score_survey(cs2021, tally(cs2021, {
        ("stc", "CBCC", "Câu 1"): {"A": a, "D": 10**9 - a}}))
    assert result.unit("STC").items["8.1.1"].points == Decimal(points)


def test_a_reader_error_is_a_catalogued_problem(tmp_path: Path, cs2021: CriteriaSet,
                                                cli: Any) -> None:
    """A number cell holding "abc": python-calamine raises while reading it."""
    import zipfile

    good = write_xlsx(tmp_path / "g.xlsx", {"Phiếu": [header(), ["STC", "CBCC", "1", 1]]})
    broken = tmp_path / "xhh-2023.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(broken, "w") as out:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<c r="D2" t="n"><v>1</v></c>',
                                    b'<c r="D2" t="n"><v>abc</v></c>')
                assert b"abc" in data
            out.writestr(item, data)
    run = cli("survey", str(broken))
    assert run.exit_code == 1 and "[unreadable-workbook]" in run.stderr, run.stderr


def test_a_row_too_wide_for_memory_ends_in_the_capped_child(
        tmp_path: Path, cs2021: CriteriaSet, monkeypatch: pytest.MonkeyPatch) -> None:
    from cchc_cli.reading import limits

    monkeypatch.setattr(limits, "CHILD_MEMORY_BYTES", 96 * limits.MiB)
    path = tmp_path / "wide.csv"
    path.write_bytes(b"Ma don vi,Doi tuong,Cau 1\n" + b"," * 30_000_000 + b"\n")
    with pytest.raises(CchcError) as err:
        read_survey(path, cs2021)
    assert codes(err.value.problems) == ["reader-died"]


def test_unit_detail_by_any_spelling(cli: Any) -> None:
    run = cli("survey", str(ANSWERS), "--unit", "s.t.c")
    assert run.exit_code == 0 and "8.1.1: CBCC: 40 phiếu" in run.stdout


def test_rank_tells_the_survey_warnings(tmp_path: Path, cli: Any) -> None:
    path = tmp_path / "xhh-2023.csv"
    write_csv(path, [header(), *forms("STC", "CBCC", {"Câu 1": "A"}, 10),
                     *forms("XYZ", "CBCC", {"Câu 1": "A"}, 10)])
    run = cli("rank", str(SAMPLES / "2023"), "--survey", str(path), "--json")
    assert run.exit_code == 0
    assert "[survey-unknown-unit]" in run.stderr and "[survey-unit-no-answers]" in run.stderr
    assert "[survey-too-few-answers]" in run.stderr  # STC: answers, but none to Câu 2
    found = {w["code"] for w in json.loads(run.stdout)["survey_warnings"]}
    assert {"survey-unknown-unit", "survey-unit-no-answers"} <= found


def test_files_with_nothing_usable(tmp_path: Path, cs2021: CriteriaSet) -> None:
    empty = read_survey(write_csv(tmp_path / "h.csv", [header()]), cs2021)
    assert one(empty.problems, "survey-no-answers").is_error
    words = [["Mã đơn vị", "Đối tượng", "Câu hỏi", "Rất hài lòng", "Hài lòng"],
             ["STC", "CBCC", "Câu 1", 5, 5]]
    problem = one(bad(tmp_path, cs2021, words), "survey-no-options")
    assert problem.cell == "C1" and problem.is_error


def test_csv_as_excel_writes_it_in_vietnamese_settings(tmp_path: Path,
                                                       cs2021: CriteriaSet) -> None:
    """Semicolons (the decimal mark is a comma), or Excel's "Unicode text": UTF-16, tabs."""
    rows = [header(), *forms("STC", "CBCC", {"Câu 1": "A", "Câu 2": "B"}, 10)]
    semi = tmp_path / "semi.csv"
    with semi.open("w", newline="", encoding="utf-8-sig") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)
    tabs = tmp_path / "tabs.csv"
    with tabs.open("w", newline="", encoding="utf-16") as handle:
        csv.writer(handle, delimiter="\t").writerows(rows)
    for path in (semi, tabs):
        answers = read_survey(path, cs2021)
        assert answers.counts[("stc", "CBCC", "Câu 2")] == {"B": 10}, path.name


def test_respondent_ids_compared_as_people_write_them(tmp_path: Path,
                                                      cs2021: CriteriaSet) -> None:
    rows = [header(), ["STC", "CBCC", "P1", "A"], ["STC", "CBCC", "p1 ", "A"],
            ["STC", "CBCC", 101, "A"], ["STC", "CBCC", "101", "A"]]
    path = write_xlsx(tmp_path / "x.xlsx", {"Phiếu": rows})
    found = [p.params["cells"] for p in read_survey(path, cs2021).problems
             if p.code == "survey-duplicate-respondent"]
    assert sorted(found) == ["C2, C3", "C4, C5"]
    head = ["Mã đơn vị", "Mã phiếu", "Câu 1", "Câu 5"]
    per_group = write_xlsx(tmp_path / "g.xlsx", {  # each group's sheet numbered from 1
        "Công chức": [head, *[["STC", i, "A", None] for i in range(1, 11)]],
        "Người dân": [head, *[["STC", i, None, "B"] for i in range(1, 11)]]})
    assert "survey-duplicate-respondent" not in codes(read_survey(per_group, cs2021).problems)


def test_a_far_cell_is_refused_before_the_reader_allocates(tmp_path: Path,
                                                           cs2021: CriteriaSet) -> None:
    book = Workbook()
    sheet = book.active
    for row in [header(), *forms("STC", "CBCC", {"Câu 1": "A"}, 10)]:
        sheet.append(row)
    sheet["XFD1048576"] = "x"
    book.save(tmp_path / "far.xlsx")
    with pytest.raises(CchcError) as err:
        read_survey(tmp_path / "far.xlsx", cs2021)
    assert codes(err.value.problems) == ["survey-far-cell"]
    assert err.value.problems[0].params["cell"] == "XFD1048576"


def test_csv_exports_do_not_run_formulas_from_the_answers(tmp_path: Path, cli: Any) -> None:
    path = write_csv(tmp_path / "xhh-2023.csv",
                     [header(), *forms("=1+2", "CBCC", {"Câu 1": "A"}, 10)])
    out = tmp_path / "out.csv"
    assert cli("survey", str(path), "-o", str(out)).exit_code == 0
    text = out.read_text(encoding="utf-8-sig")
    assert "'=1+2" in text and "\n=1+2" not in text


def test_exact_index_has_all_its_digits(registry: Any) -> None:
    """BQLKCN's satisfaction is 7709/9600 = 80.302083…: JSON carries 40 digits of it."""
    data = survey_file(TALLIED, registry=registry).as_dict()
    exact = next(u for u in data["units"] if u["code"] == "BQLKCN")["satisfaction_index_exact"]
    assert exact == "80.30208333333333333333333333333333333333"
