"""Ranking within groups: ties, near-ties, groups, broken and duplicate workbooks, file order."""

from __future__ import annotations

import csv
import json
import random
import shutil
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_cli.engine.ranking import rank_group, rank_results, ranking_dict
from cchc_cli.engine.scoring import score_unit
from cchc_cli.folders import load_registry, rank_folder
from cchc_cli.model.problems import CchcError
from cchc_cli.model.results import Totals
from cchc_cli.reading.criteria_file import check_criteria_text
from cchc_cli.reading.workbook import unit_from_rows
from tests.builders import Entry, unit_sheets, write_workbook

from .conftest import SAMPLES, D
from .test_criteria import MINIMAL


def info(code: str, year: int = 2020, group: str = "Sở, ban ngành tỉnh") -> dict:
    return {"Mã đơn vị": code, "Tên đơn vị": f"Đơn vị {code}", "Năm": year, "Nhóm": group}


def lose(points: str) -> dict[str, Entry]:
    """Entries that lose ``points`` on criterion 7.1.7 (max 1) and 1.1.4 (max 2)."""
    value = D(points)
    first = min(value, D(1))
    entries = {"7.1.7": Entry(appraised=D(1) - first)}
    if value > 1:
        entries["1.1.4"] = Entry(appraised=D(2) - (value - 1))
    return entries


@pytest.fixture
def year_folder(tmp_path, cs2019):
    """Write units as workbooks into tmp/2020/: {code: entries}."""
    folder = tmp_path / "2020"

    def make(units: dict[str, dict[str, Entry]], **options) -> object:
        for code, entries in units.items():
            write_workbook(folder / f"{code}.xlsx", unit_sheets(cs2019, info(code), entries,
                                                                **options))
        return folder

    return make


def ranks(ranking) -> list[tuple[str, int, int]]:
    return [(u.code, u.rank, u.of) for g in ranking.groups for u in g.units]


def test_exact_ties_share_a_rank_and_the_next_rank_skips(year_folder):
    folder = year_folder({"A": lose("1"), "B": lose("1"), "C": lose("2"), "D": {}})
    assert ranks(rank_folder(folder)) == [("D", 1, 4), ("A", 2, 4), ("B", 2, 4), ("C", 4, 4)]


def test_a_tie_at_two_decimals_is_not_a_tie(cs2019, sheets_for, parse):
    # 80.12 / 89 = 90.0224… and 81.02 / 90 = 90.0222…: both shown "90.02 %", ranked 1 and 2
    base = score_unit(cs2019, parse(sheets_for()))

    def result(code: str, achieved: str, max_after: str):
        totals = Totals(max=D(100), reduction=D(100) - D(max_after), achieved=D(achieved))
        return replace(base, unit=replace(base.unit, code=code), totals=totals)

    a, b = result("SNV", "81.02", "90"), result("STP", "80.12", "89")
    assert a.index == b.index == Decimal("90.02")
    assert [(u.code, u.rank) for u in rank_group([a, b])] == [("STP", 1), ("SNV", 2)]


def test_samples_2023_rank_stc_17_of_19_with_the_published_figures():
    ranking = rank_folder(SAMPLES / "2023")
    stc = ranking.find("STC")
    assert (stc.rank, stc.of) == (17, 19)
    assert stc.result.totals.achieved == Decimal("59.88")
    assert stc.result.index == Decimal("69.03")
    assert ranking.not_ranked == []
    (group,) = ranking.groups
    assert group.summary.units == 19 and sum(group.summary.bands.values()) == 19
    near = {u.code: u for u in group.units}
    assert near["STP"].result.index == near["SNV"].result.index
    assert (near["STP"].rank, near["SNV"].rank) == (2, 3)


def test_samples_2022_exact_tie_shares_sixth_place():
    ranking = rank_folder(SAMPLES / "2022")
    by_code = {u.code: u for g in ranking.groups for u in g.units}
    assert by_code["SCT"].rank == by_code["SYT"].rank == 6
    assert sorted(u.rank for u in by_code.values())[6:8] == [6, 8]
    assert (by_code["STC"].rank, by_code["STC"].result.index) == (17, Decimal("76.21"))


def test_groups_are_ranked_separately(cs2019, sheets_for, parse):
    cs_huyen, problems = check_criteria_text(
        MINIMAL.replace("group: Sở, ban ngành tỉnh", "group: UBND cấp huyện"), "huyen.yaml")
    assert problems == []
    so = [score_unit(cs2019, parse(sheets_for(info=info(c)))) for c in ("A", "B")]
    huyen = [score_unit(cs_huyen, parse(sheets_for(cs=cs_huyen, info=info(c, 2021, "Huyện"))))
             for c in ("H1", "H2", "H3")]
    groups = rank_results(huyen[:1] + so + huyen[1:])
    assert [(g.group, [u.of for u in g.units]) for g in groups] == [
        ("Sở, ban ngành tỉnh", [2, 2]), ("UBND cấp huyện", [3, 3, 3])]


def test_a_broken_workbook_is_listed_not_dropped(cli, year_folder):
    folder = year_folder({"A": {}, "B": lose("1")})
    (folder / "C.xlsx").write_bytes(b"garbage")
    ranking = rank_folder(folder)
    assert ranks(ranking) == [("A", 1, 2), ("B", 2, 2)]
    assert [n.file for n in ranking.not_ranked] == [str(folder / "C.xlsx")]
    result = cli("rank", folder)
    assert result.exit_code == 1
    assert "1/2" in result.stdout and "2/2" in result.stdout
    assert "Không xếp hạng (1 bảng tính)" in result.stderr
    assert f"Lỗi: {folder / 'C.xlsx'}: không đọc được bảng tính" in result.stderr


def test_two_workbooks_of_one_unit_name_each_other(year_folder):
    folder = year_folder({"A": {}, "B": {}})
    shutil.copy(folder / "B.xlsx", folder / "B-ban-sao.xlsx")
    ranking = rank_folder(folder)
    assert ranks(ranking) == [("A", 1, 1)]
    problems = [p for n in ranking.not_ranked for p in n.problems]
    assert [p.code for p in problems] == ["duplicate-unit", "duplicate-unit"]
    assert str(folder / "B-ban-sao.xlsx") in problems[0].message() + problems[1].message()


def test_codes_differing_only_by_case_or_spacing_are_one_unit(cs2019, tmp_path):
    folder = tmp_path / "2020"
    write_workbook(folder / "x.xlsx", unit_sheets(cs2019, info("STC"), {}))
    write_workbook(folder / "y.xlsx", unit_sheets(cs2019, info(" stc "), {}))
    ranking = rank_folder(folder)
    assert ranking.groups == [] and len(ranking.not_ranked) == 2


def test_the_year_of_the_workbook_must_match_its_folder(cs2019, tmp_path):
    folder = tmp_path / "2021"
    write_workbook(folder / "A.xlsx", unit_sheets(cs2019, info("A", 2020), {}))
    ranking = rank_folder(folder)
    assert ranking.not_ranked[0].problems[0].code == "year-mismatch"


def test_lock_files_are_skipped_and_empty_folders_refused(year_folder, tmp_path):
    folder = year_folder({"A": {}})
    (folder / "~$A.xlsx").write_bytes(b"lock")
    assert ranks(rank_folder(folder)) == [("A", 1, 1)]
    (tmp_path / "empty").mkdir()
    with pytest.raises(CchcError) as err:
        rank_folder(tmp_path / "empty")
    assert err.value.problems[0].code == "no-workbooks"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["0", "0.25", "0.5", "1", "1.5", "0.5"]), min_size=2,
                max_size=8), st.randoms())
def test_rank_does_not_depend_on_file_order(losses, rnd):
    cs = load_registry().get("soc-trang-so-2019")
    results = [score_unit(cs, unit_from_rows(unit_sheets(cs, info(f"U{i}"), lose(x))))
               for i, x in enumerate(losses)]
    expected = [(u.code, u.rank) for u in rank_group(results)]
    shuffled = list(results)
    rnd.shuffle(shuffled)
    assert [(u.code, u.rank) for u in rank_group(shuffled)] == expected
    # and ranks follow the points: fewer points lost, better (or equal) rank
    by_code = dict(expected)
    for i, a in enumerate(losses):
        for j, b in enumerate(losses):
            if D(a) < D(b):
                assert by_code[f"U{i}"] < by_code[f"U{j}"]


def test_rank_json_gives_every_unit_its_exact_place(cli):
    result = cli("rank", SAMPLES / "2023", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout, parse_float=Decimal)
    units = data["groups"][0]["units"]
    assert [u["rank"] for u in units][:4] == [1, 2, 3, 4] and len(units) == 19
    # both shown at 90.02 %, ranked apart by the digits after (as the decision ranks them)
    assert [(u["code"], u["rank"], u["index"]) for u in units[1:3]] == [
        ("STP", 2, Decimal("90.02")), ("SNV", 3, Decimal("90.02"))]
    stc = next(u for u in data["groups"][0]["units"] if u["code"] == "STC")
    assert (stc["rank"], stc["of"], stc["achieved"], stc["index"]) == (
        17, 19, Decimal("59.88"), Decimal("69.03"))
    assert data["not_ranked"] == []


def test_rank_terminal_shows_rank_of_n_and_the_summary(cli):
    out = cli("rank", SAMPLES / "2023").stdout
    line = next(line for line in out.splitlines() if " STC " in line)
    assert line.split()[:2] == ["17/19", "STC"]
    assert "59,88" in line and "86,74" in line and "69,03" in line and "Nhóm 3" in line
    assert "19 đơn vị · chỉ số trung bình 78,74 % (từ chỉ số chưa làm tròn) · Nhóm 1: 3 · " \
           "Nhóm 2: 6 · Nhóm 3: 8 · Nhóm 4: 2" in " ".join(out.split())


def test_rank_to_xlsx_and_csv(cli, tmp_path):
    from openpyxl import load_workbook

    xlsx = tmp_path / "xep-hang.xlsx"
    assert cli("rank", SAMPLES / "2023", "--output", xlsx).exit_code == 0
    ws = load_workbook(xlsx).active
    assert ws["A1"].value == "Hạng" and ws["A1"].font.bold and ws.freeze_panes == "A2"
    stc = next(row for row in ws.iter_rows(min_row=2) if row[1].value == "STC")
    assert stc[0].value == "17/19"
    # points as many decimals as they need (General), the index always two
    assert Decimal(str(stc[3].value)) == Decimal("59.88") and stc[3].number_format == "General"
    assert Decimal(str(stc[5].value)) == Decimal("69.03") and stc[5].number_format == "0.00"
    assert Decimal(str(stc[5].value)) == Decimal("69.03")
    path = tmp_path / "xep-hang.csv"
    assert cli("rank", SAMPLES / "2023", "-o", path).exit_code == 0
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the diacritics right
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0][:3] == ["Hạng", "Mã", "Tên đơn vị"]
    assert ["17/19", "STC", "Sở Tài chính", "59.88", "86.74", "69.03", "Nhóm 3"] in rows
    assert list(tmp_path.glob(".xep-hang*")) == []  # no temporary file left behind


def test_rank_never_writes_over_an_input(cli, year_folder):
    folder = year_folder({"A": {}})
    before = (folder / "A.xlsx").read_bytes()
    result = cli("rank", folder, "--output", folder / "A.xlsx")
    assert result.exit_code == 1 and "[output-is-input]" in result.stderr
    assert (folder / "A.xlsx").read_bytes() == before
    assert cli("rank", folder, "--output", folder / "out.pdf").exit_code == 1


def test_group_filter(cli):
    assert "STC" in cli("rank", SAMPLES / "2023", "--group", "sở ban ngành").stdout
    # a group with no unit here (a typo, or a group ranked elsewhere) is said, not an empty
    # ranking with exit 0
    folder = SAMPLES / "2023"
    result = cli("rank", folder, "--group", "UBND huyện", "--json")
    assert result.exit_code == 2  # the option names no group here: a usage error
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"Lỗi: {folder}: không có đơn vị nào được chấm thuộc nhóm “UBND huyện” (các nhóm có: "
        "Sở, ban ngành tỉnh); hãy ghi một trong các nhóm này sau --group [unknown-group]"]


def test_a_group_matching_no_unit_names_the_workbooks_that_could_not_be_scored(cli,
                                                                              year_folder):
    folder = year_folder({"A": {}, "B": {}})
    (folder / "C.xlsx").write_bytes(b"not a workbook")  # it may be of the group sought
    result = cli("rank", folder, "--group", "Sở ban ngàn")  # a typo
    assert result.exit_code == 2 and result.stdout == ""
    codes = [line.rsplit(" ", 1)[1] for line in result.stderr.splitlines()
             if line.startswith("Lỗi:")]
    assert codes == ["[unknown-group]", "[unreadable-workbook]"]
    # the group named by any of its names is ranked as rank_folder(group=…) ranks it
    shown = cli("rank", folder, "--group", "sở, ban ngành", "--json")
    assert shown.exit_code == 1  # C.xlsx is not ranked
    data = json.loads(shown.stdout)
    assert [g["group"] for g in data["groups"]] == ["Sở, ban ngành tỉnh"]
    assert [u["code"] for u in data["groups"][0]["units"]] == ["A", "B"]


def test_a_unit_to_highlight_that_is_not_ranked_is_a_warning(cli, year_folder, tmp_path):
    folder = year_folder({"STC": {}, "SXD": {}})
    result = cli("rank", folder, "--chart", tmp_path / "c.png", "--unit", "NOPE")
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"Đã ghi {tmp_path / 'c.png'}.",
        f"Cảnh báo: {folder}: không có đơn vị NOPE trong bảng xếp hạng; biểu đồ không tô đậm "
        "đơn vị nào (các đơn vị có: STC, SXD) [chart-unit-not-found]"]
    found = cli("rank", folder, "--chart", tmp_path / "d.png", "--unit", "sxd")
    assert found.exit_code == 0 and found.stderr == f"Đã ghi {tmp_path / 'd.png'}.\n"


def test_order_of_files_on_disk_does_not_matter(year_folder, tmp_path):
    folder = year_folder({code: lose(str(random.Random(code).choice(["0", "0.5", "1"])))
                          for code in "ABCDE"})
    renamed = tmp_path / "renamed" / "2020"
    renamed.mkdir(parents=True)
    for n, path in enumerate(sorted(folder.iterdir(), reverse=True)):
        shutil.copy(path, renamed / f"{n}-{path.name}")
    assert ranks(rank_folder(folder)) == ranks(rank_folder(renamed))


def test_parallel_scoring_ranks_the_same(monkeypatch):
    import cchc_cli.folders as folders
    one = ranking_dict(rank_folder(SAMPLES / "2022", jobs=1))
    monkeypatch.setattr(folders, "PARALLEL_FROM", 2)  # the samples are small: force workers
    two = ranking_dict(rank_folder(SAMPLES / "2022", jobs=2))
    assert one == two


def test_ranking_keeps_items_only_for_the_unit_asked(monkeypatch):
    ranking = rank_folder(SAMPLES / "2023", keep="stc")
    kept = {u.code: len(u.result.items) for g in ranking.groups for u in g.units}
    assert kept["STC"] == 96 and kept["SNV"] == 0
