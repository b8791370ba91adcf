"""A unit's change between years, and its history — on the samples and on stated data."""

from __future__ import annotations

import csv
import json
import re
from decimal import Decimal

import pytest

from cchc_cli.engine.compare import match_items
from cchc_cli.folders import compare_years, unit_history

from .conftest import SAMPLES


@pytest.fixture(scope="module")
def stc_2022_2023():
    return compare_years(SAMPLES, 2022, 2023, "STC")


def test_totals_and_rank_of_seed_000(stc_2022_2023):
    c = stc_2022_2023
    assert (c.a.achieved, c.b.achieved) == (Decimal("67.83"), Decimal("59.88"))
    assert (c.a.index, c.b.index) == (Decimal("76.21"), Decimal("69.03"))
    assert (c.a.rank, c.a.of, c.b.rank, c.b.of) == (17, 19, 17, 19)
    assert c.delta_achieved == Decimal("-7.95")
    assert c.delta_index == Decimal("-7.18")
    assert c.delta_rank == 0


def test_deltas_are_differences_of_the_displayed_figures(stc_2022_2023):
    c = stc_2022_2023
    exact = c.b.result.totals.index_exact - c.a.result.totals.index_exact
    assert exact != c.delta_index  # -7.1784… exactly; the memo subtracts 69.03 − 76.21
    assert c.delta_index == c.b.index - c.a.index


def test_items_behind_the_fall(stc_2022_2023):
    kinds = {k: [ch.codes_b for ch in stc_2022_2023.of_kind(k)] for k in (
        "lost_more", "lost_fewer", "became_not_applicable", "became_applicable")}
    assert "7.2.3" in kinds["lost_more"] and "1.5" in kinds["lost_more"]
    assert kinds["lost_fewer"][:2] == ["5.4.2", "7.1.4"]
    assert kinds["became_not_applicable"] == ["1.3.2", "3.3.2", "4.4.3", "7.3.3"]
    assert kinds["became_applicable"] == ["2.5.3"]
    total_change = sum(ch.deducted_b - ch.deducted_a for ch in stc_2022_2023.changes)
    assert total_change == stc_2022_2023.b.result.totals.deducted \
        - stc_2022_2023.a.result.totals.deducted  # every lost point is accounted for
    five = next(ch for ch in stc_2022_2023.changes if ch.codes_b == "1.5")
    assert five.reason_b == "02 nhiệm vụ UBND tỉnh giao hoàn thành trễ hạn"


def test_fields_compare_by_code(stc_2022_2023):
    seven = next(f for f in stc_2022_2023.fields if f.code == "7")
    assert (seven.a.achieved, seven.b.achieved) == (Decimal("11.00"), Decimal("8.95"))


def test_across_criteria_sets_codes_map_by_replaces_and_the_rest_is_listed(registry):
    old, new = registry.get("soc-trang-so-2019"), registry.get("soc-trang-so-2021")
    groups = {tuple(b): tuple(a) for a, b in match_items(old, new)}
    assert groups[("7.2.3",)] == ("7.1.7", "7.1.8")  # a merge, compared as one
    assert groups[("1.7.2",)] == ("1.7.3",)         # renumbered
    assert groups[("8.1.1",)] == ("1.8",)           # survey items moved to field 8
    assert ("7.1.5",) in groups and groups[("7.1.5",)] == ("7.1.13",)  # code reused
    c = compare_years(SAMPLES, 2020, 2022, "STC")
    assert (c.a.rank, c.b.rank, c.delta_rank) == (13, 17, -4)
    assert c.delta_achieved == Decimal("-3.50")
    assert {i.code for i in c.unmatched_a} >= {"1.2.7", "7.3.1"}
    assert {i.code for i in c.unmatched_b} >= {"8.2.1", "7.2.4"}
    merged = next(ch for ch in c.changes if ch.codes_b == "7.2.3")
    assert (merged.codes_a, merged.deducted_a, merged.deducted_b) == (
        "7.1.7 + 7.1.8", Decimal(2), Decimal("1.6"))
    assert [f.code for f in c.fields if f.a is None] == ["8"]


def test_compare_cli_states_the_change(cli):
    result = cli("compare", "2022", "2023", "--unit", "STC", "--data", SAMPLES)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert ("Năm 2023 so với năm 2022: tổng điểm đạt được giảm 7,95 điểm (67,83 → 59,88); "
            "Chỉ số CCHC giảm 7,18 điểm phần trăm (76,21 % → 69,03 %); thứ hạng không đổi "
            "(17/19 → 17/19).") in " ".join(out.split())  # wrapped at word boundaries
    assert re.search(r"Điểm đạt được\s+67,83\s+59,88\s+-7,95", out)
    assert re.search(r"Chỉ số CCHC \(%\)\s+76,21\s+69,03\s+-7,18", out)
    english = cli("compare", "2022", "2023", "--unit", "STC", "--data", SAMPLES, "--lang", "en")
    assert "points achieved fell by 7.95 (67.83 → 59.88)" in english.stdout
    assert "Tiêu chí bị trừ nhiều điểm hơn" in out
    assert "Tiêu chí chuyển thành không phát sinh (hạ chuẩn)" in out


def test_compare_finds_years_under_cchc_data_or_the_current_folder(cli, monkeypatch):
    by_env = cli("compare", "2022", "2023", "--unit", "STC", "--json",
                 env={"CCHC_DATA": str(SAMPLES)})
    monkeypatch.chdir(SAMPLES)
    by_cwd = cli("compare", "2022", "2023", "--unit", "stc", "--json")
    assert by_env.exit_code == by_cwd.exit_code == 0
    assert json.loads(by_env.stdout) == json.loads(by_cwd.stdout)


def test_compare_json_says_the_change(cli):
    result = cli("compare", "2022", "2023", "-u", "STC", "--data", SAMPLES, "--json")
    data = json.loads(result.stdout, parse_float=Decimal)
    assert data["delta"] == {"achieved": Decimal("-7.95"), "index": Decimal("-7.18"),
                             "rank": 0, "rank_direction": "unchanged"}
    assert data["totals"]["2023"]["rank"] == 17 and data["totals"]["2023"]["of"] == 19
    assert set(data) >= {"unit", "years", "totals", "delta", "fields", "items", "unmatched"}


def test_compare_to_xlsx(cli, tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "so-sanh.xlsx"
    result = cli("compare", "2022", "2023", "-u", "STC", "--data", SAMPLES, "-o", path)
    assert result.exit_code == 0
    book = load_workbook(path)
    assert book.sheetnames[:3] == ["Tổng hợp", "Theo lĩnh vực", "Tiêu chí bị trừ nhiều điểm hơn"]
    totals = {row[0].value: row[1:] for row in book["Tổng hợp"].iter_rows()}
    # numbers with number formats, never text: a spreadsheet sums and sorts them
    assert [c.value for c in totals["Điểm đạt được"]] == [67.83, 59.88, -7.95]
    assert totals["Điểm đạt được"][2].number_format == "+General;-General;0"
    assert [c.value for c in totals["Chỉ số CCHC (%)"]] == [76.21, 69.03, -7.18]
    assert [c.number_format for c in totals["Chỉ số CCHC (%)"]] == [
        "0.00", "0.00", "+0.00;-0.00;0.00"]
    assert [c.value for c in totals["Điểm sau hạ chuẩn"]] == [89, 86.74, None]
    fields = list(book["Theo lĩnh vực"].iter_rows(min_row=2, values_only=True))
    assert fields[0][2] == 11.44  # numbers stay numbers in the sheet


def test_compare_to_csv_writes_numbers_with_a_decimal_point(cli, tmp_path):
    path = tmp_path / "so-sanh.csv"
    result = cli("compare", "2022", "2023", "-u", "STC", "--data", SAMPLES, "-o", path)
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert ["Điểm đạt được", "67.83", "59.88", "-7.95"] in rows
    assert ["Chỉ số CCHC (%)", "76.21", "69.03", "-7.18"] in rows
    fields = next(row for row in rows if row[:1] == ["4"])
    assert fields[2:] == ["5.25", "5.25", "0", "80.76", "91.30", "+10.54"]
    assert not [cell for row in rows for cell in row if re.fullmatch(r"[+-]?\d+,\d+", cell)]


def test_unknown_unit_and_year(cli):
    result = cli("compare", "2022", "2023", "--unit", "XYZ", "--data", SAMPLES)
    assert result.exit_code == 1 and "[unit-not-found]" in result.stderr
    result = cli("compare", "2021", "2023", "--unit", "STC", "--data", SAMPLES)
    assert result.exit_code == 1 and "[file-not-found]" in result.stderr


def test_history_lists_every_year_with_rank():
    story = unit_history(SAMPLES, "STC")
    assert [(s.year, str(s.result.totals.achieved), str(s.index), s.rank, s.of)
            for s in story.years] == [
        (2019, "74.81", "81.75", 8, 19), (2020, "71.33", "78.81", 13, 19),
        (2022, "67.83", "76.21", 17, 19), (2023, "59.88", "69.03", 17, 19)]


def test_history_cli_json_and_chart(cli, tmp_path):
    result = cli("history", "--unit", "STC", "--data", SAMPLES, "--json")
    data = json.loads(result.stdout, parse_float=Decimal)
    assert [y["year"] for y in data["years"]] == [2019, 2020, 2022, 2023]
    assert data["years"][1] | {"index_exact": None} == {
        "year": 2020, "achieved": Decimal("71.33"), "bonus": 0, "penalty": 0,
        "max_after_reduction": Decimal("90.5"),
        "index": Decimal("78.81"), "index_exact": None, "rank": 13, "of": 19,
        "band": "Nhóm 3", "satisfaction_index": None, "criteria_set": "soc-trang-so-2019"}
    chart = tmp_path / "stc.png"
    result = cli("history", "--unit", "STC", "--data", SAMPLES, "--chart", chart)
    assert result.exit_code == 0
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and chart.stat().st_size > 10_000
    assert "13/19" in result.stdout and "█" in result.stdout


def test_compare_never_writes_over_an_input(cli, tmp_path):
    import shutil
    data = tmp_path / "data"
    for year in ("2022", "2023"):
        shutil.copytree(SAMPLES / year, data / year)
    target = data / "2023" / "STC.xlsx"
    before = target.read_bytes()
    result = cli("compare", "2022", "2023", "-u", "STC", "--data", data, "-o", target)
    assert result.exit_code == 1 and "[output-is-input]" in result.stderr
    assert target.read_bytes() == before


@pytest.fixture(scope="module")
def one_broken(tmp_path_factory):
    """samples/2022 and 2023, with one workbook of 2023 (not STC's) broken."""
    import shutil
    data = tmp_path_factory.mktemp("one-broken")
    for year in ("2022", "2023"):
        shutil.copytree(SAMPLES / year, data / year)
    (data / "2023" / "BDT.xlsx").write_bytes(b"")
    return data


AMONG_THE_REST = ("Năm 2023: 1 bảng tính khác không chấm được (BDT.xlsx); STC xếp thứ 17/18 "
                  "trong số các đơn vị còn lại, chưa tính các bảng tính đó:")


@pytest.mark.parametrize("args, shown, note", [
    (("rank", "{data}/2023"), "17/18",
     "Không xếp hạng (1 bảng tính); thứ hạng ở trên chỉ tính trong số các đơn vị còn lại:"),
    (("compare", "2022", "2023", "-u", "STC", "--data", "{data}"), "(17/19 → 17/18)",
     AMONG_THE_REST),
    (("history", "-u", "STC", "--data", "{data}"), "17/18", AMONG_THE_REST),
    (("gains", "{data}/2023", "-u", "STC"), "xếp thứ 17/18", AMONG_THE_REST),
], ids=lambda v: v[0] if isinstance(v, tuple) else "")
def test_a_broken_workbook_in_a_ranked_year_exits_1_after_the_result(cli, one_broken, args,
                                                                    shown, note):
    result = cli(*(a.format(data=one_broken) for a in args))
    assert result.exit_code == 1
    assert shown in result.stdout
    lines = result.stderr.splitlines()
    assert lines[0] == note
    assert lines[1].startswith(f"Lỗi: {one_broken / '2023' / 'BDT.xlsx'}: không đọc được bảng "
                               "tính")
    assert "Traceback" not in result.output


def test_the_json_and_the_memo_of_a_year_with_a_broken_workbook_also_exit_1(cli, one_broken,
                                                                            tmp_path):
    result = cli("compare", "2022", "2023", "-u", "STC", "--data", one_broken, "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["totals"]["2023"]["of"] == 18
    assert result.stderr.startswith(AMONG_THE_REST)
    memo = tmp_path / "so-sanh.docx"
    result = cli("report", "--compare", "2022", "2023", "-u", "STC", "--data", one_broken,
                 "-o", memo)
    assert result.exit_code == 1 and memo.exists()
    assert AMONG_THE_REST in result.stderr
