"""Publishing the year: the decision's annex, every unit by field and on one criterion, the
criteria lost most — all from the ranking's own results, so they agree with `rank`."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from cchc_cli.engine.publish import criterion_view, field_standings, losses
from cchc_cli.engine.ranking import KEEP_ALL
from cchc_cli.folders import rank_folder
from cchc_cli.model.problems import CchcError

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
YEARS = ["2019", "2020", "2022", "2023"]


def D(text: Any) -> Decimal:
    return Decimal(str(text))


@pytest.fixture(scope="module")
def rankings(registry: Any) -> dict[str, Any]:
    return {year: rank_folder(SAMPLES / year, registry, keep=KEEP_ALL) for year in YEARS}


@pytest.mark.parametrize("year", YEARS)
def test_the_annex_agrees_with_rank(year: str, cli: Any, tmp_path: Path) -> None:
    ranked = json.loads(cli("rank", str(SAMPLES / year), "--json").stdout)
    out = tmp_path / "phu-luc.xlsx"
    run = cli("report", "--rank", str(SAMPLES / year), "-o", str(out))
    assert run.exit_code == 0, run.stderr
    book = load_workbook(out)
    for group in ranked["groups"]:
        sheet = book[group["group"][:31]]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][0].startswith(f"{len(group['units'])} đơn vị")
        body = [r for r in rows[2:] if r[0] is not None]
        assert [(r[1].replace(" (tạm tính)", ""), D(r[2]), D(r[3]), D(r[4]), r[5], r[6])
                for r in body] == [
            (u["name"], D(u["achieved"]), D(u["max_after_reduction"]), D(u["index"]), u["band"],
             f"{u['rank']}/{u['of']}") for u in group["units"]]


@pytest.mark.parametrize("year", YEARS)
def test_fields_add_up_to_the_ranking(year: str, rankings: dict[str, Any]) -> None:
    """Each unit's fields sum to its totals, and a field's ranks are competition ranks."""
    ranking = rankings[year]
    standings = field_standings(ranking)
    for group in ranking.groups:
        mine = [s for s in standings if s.group == group.group]
        assert [s.code for s in mine] == [f.code for f in group.criteria.fields]
        for unit in group.units:
            places = [next(p for p in s.units if p.result is unit.result) for s in mine]
            assert sum(p.totals.achieved for p in places) == unit.result.totals.achieved
            assert sum(p.totals.max_after_reduction for p in places) == \
                unit.result.totals.max_after_reduction
        for s in mine:
            ratios = [p.totals.index_fraction() for p in s.units if p.rank is not None]
            assert ratios == sorted(ratios, reverse=True)
            for p in s.units:
                if p.rank is not None:
                    assert p.rank == 1 + sum(r > p.totals.index_fraction() for r in ratios)


def test_by_field_command(cli: Any) -> None:
    run = cli("rank", str(SAMPLES / "2023"), "--by-field", "--json")
    assert run.exit_code == 0, run.stderr
    data = json.loads(run.stdout)["data"]
    first = next(s for s in data if s["field"] == "1")
    assert first["units"][0]["code"] == "STTTT" and first["units"][0]["rank"] == 1
    assert len(data) == 8 and all(len(s["units"]) == 19 for s in data)
    shown = cli("rank", str(SAMPLES / "2023"), "--by-field")
    assert "Lĩnh vực 8. Tác động của cải cách hành chính" in shown.stdout


def test_one_criterion_across_units(rankings: dict[str, Any], cli: Any) -> None:
    views = criterion_view(rankings["2023"], "1.4.3")
    rows = views[0].rows
    assert len(rows) == 19
    lost = [r.item.deducted for r in rows]
    assert lost == sorted(lost, reverse=True) and rows[0].result.unit.code == "STC"
    run = cli("criterion", "1.4.3", str(SAMPLES / "2023"), "--json")
    units = json.loads(run.stdout)["data"][0]["units"]
    assert units[0]["code"] == "STC" and units[0]["deducted"] == 1
    assert units[0]["reason"].startswith("Không có tin, bài")
    with pytest.raises(CchcError) as err:
        criterion_view(rankings["2023"], "9.9.9")
    assert err.value.problems[0].code == "unknown-criterion-code"
    assert cli("criterion", "9.9.9", str(SAMPLES / "2023")).exit_code == 1


def test_losses_sum_every_point_lost(rankings: dict[str, Any], cli: Any) -> None:
    ranking = rankings["2023"]
    (group,) = losses(ranking)
    assert group.total == sum(u.result.totals.deducted for g in ranking.groups
                              for u in g.units)
    assert sum(x.lost for x in group.losses) == group.total
    assert sum(x.share for x in group.losses) == 1
    assert [x.lost for x in group.losses] == sorted((x.lost for x in group.losses),
                                                    reverse=True)
    top = losses(ranking, top=3)[0].losses
    assert top == group.losses[:3] and top[0].code == "7.2.2"
    assert top[0].reasons[0][1] >= top[0].reasons[-1][1]
    run = cli("losses", str(SAMPLES / "2023"), "--top", "3", "--json")
    data = json.loads(run.stdout)["data"][0]
    assert [c["code"] for c in data["criteria"]] == [x.code for x in top]


def test_broken_workbooks_are_named_by_every_publication(tmp_path: Path, cli: Any) -> None:
    folder = tmp_path / "2023"
    shutil.copytree(SAMPLES / "2023", folder)
    (folder / "STC.xlsx").write_bytes(b"not a workbook")
    out = tmp_path / "phu-luc.docx"
    for args in (("report", "--rank", str(folder), "-o", str(out)),
                 ("rank", str(folder), "--by-field"),
                 ("criterion", "1.4.3", str(folder)),
                 ("losses", str(folder))):
        run = cli(*args)
        assert run.exit_code == 1, args
        assert "STC.xlsx" in run.stderr, args
    from docx import Document

    lines = [p.text for p in Document(str(out)).paragraphs]
    assert any(line.startswith("Không xếp hạng (1 bảng tính): STC.xlsx") for line in lines)


def test_the_annex_is_laid_out_as_the_decree_sets(tmp_path: Path, cli: Any) -> None:
    """Nghị định 30/2020/NĐ-CP: A4, Times New Roman, margins 20/20/30/15 mm; the annex's
    heading names the decision; header rows repeat, rows never split across pages."""
    from docx import Document
    from docx.oxml.ns import qn

    out = tmp_path / "phu-luc.docx"
    decision = "Quyết định số 25/QĐ-UBND ngày 08/01/2024 của Ủy ban nhân dân tỉnh"
    assert cli("report", "--rank", str(SAMPLES / "2023"), "--decision", decision,
               "-o", str(out)).exit_code == 0
    doc = Document(str(out))
    section = doc.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (29.7, 21.0)
    assert [round(m.cm, 1) for m in (section.top_margin, section.bottom_margin,
                                     section.left_margin, section.right_margin)] == \
        [2.0, 2.0, 3.0, 1.5]
    texts = [p.text for p in doc.paragraphs]
    assert texts[:3] == ["Phụ lục", "KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2023",
                         f"(Kèm theo {decision})"]
    assert doc.styles["Normal"].font.name == "Times New Roman"
    table = doc.tables[0]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows[1:])
    assert [c.text for c in table.rows[1].cells][:7] == [
        "1", "Sở Thông tin và Truyền thông", "90,73", "96,41", "94,10", "Nhóm 1", "1/19"]


def test_the_campaign_says_who_has_sent_what(tmp_path: Path, cli: Any) -> None:
    """Last year complete; this year: most units, one without its appraisal sheet yet, one
    whose second round (giải trình) has begun, one broken file, and some not sent."""
    from openpyxl import load_workbook as load

    root = tmp_path / "data"
    shutil.copytree(SAMPLES / "2022", root / "2022")
    this = root / "2023"
    this.mkdir()
    for name in ("SCT", "SNV", "STP", "SYT"):
        shutil.copy(SAMPLES / "2023" / f"{name}.xlsx", this)
    book = load(this / "SNV.xlsx")
    del book["Thẩm định"]
    book.save(this / "SNV.xlsx")
    book = load(this / "STP.xlsx")
    sheet = book["Thẩm định"]
    header = next(r for r in sheet.iter_rows() if r[0].value == "Mã")
    column = next(c.column for c in header if c.value == "Điểm thẩm định lần 2")
    row = next(r[0].row for r in sheet.iter_rows() if r[0].value == "1.1.1")
    sheet.cell(row, column, 0.5)
    book.save(this / "STP.xlsx")
    (this / "STC.xlsx").write_bytes(b"broken")

    run = cli("status", str(this), "--json")
    assert run.exit_code == 0, run.stderr
    data = json.loads(run.stdout)
    units = {u["code"] or Path(u["file"]).name: u for u in data["units"]}
    assert units["SCT"]["ready"] and units["SCT"]["progress"]["appraisal"]["filled"] == 81
    assert not units["SNV"]["ready"]
    assert units["SNV"]["progress"]["appraisal"] == {"present": False, "filled": 0,
                                                     "needed": 81, "second_round": False}
    assert units["STP"]["progress"]["appraisal"]["second_round"] is True
    assert units["STC.xlsx"]["errors"] and not units["STC.xlsx"]["ready"]
    missing = {m["code"] for m in data["missing"]}
    assert "SCT" not in missing and "STC" not in missing and "BDT" in missing
    assert data["summary"] == {"workbooks": 5, "ready": 3, "missing": len(missing)}
    assert "STC.xlsx" in run.stderr  # the broken file's problem, named
    assert cli("status", str(this), "--strict").exit_code == 1
    assert cli("status", str(root / "2022"), "--strict").exit_code == 0


def test_the_heat_map_of_units_by_field(tmp_path: Path, cli: Any) -> None:
    png, svg = tmp_path / "nhiet.png", tmp_path / "nhiet.svg"
    for path in (png, svg):
        run = cli("rank", str(SAMPLES / "2023"), "--by-field", "--chart", str(path))
        assert run.exit_code == 0, run.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 50_000
    text = svg.read_text(encoding="utf-8")
    # every unit named (Vietnamese, as text), and each field's index of STC written
    assert "17. Sở Tài chính" in text and text.count("<!-- 19. ") + text.count("19. Ban") >= 1
    assert all(value in text for value in ("57,20", "50,67", "69,26"))


@pytest.mark.parametrize("year", YEARS)
def test_every_publication_agrees_with_rank_json(year: str, cli: Any, tmp_path: Path) -> None:
    """The page, --by-field and criterion, read back, hold rank's units and figures."""
    import re

    ranked = json.loads(cli("rank", str(SAMPLES / year), "--json").stdout)
    units = {u["code"]: u for g in ranked["groups"] for u in g["units"]}
    page = tmp_path / "ket-qua.html"
    assert cli("rank", str(SAMPLES / year), "-o", str(page)).exit_code == 0
    rows = re.findall(r'<tr class=unit data-id="[^"]+" data-order="\d+" data-rank="(\d+)" '
                      r'data-code="([^"]+)"[^>]*data-index="([^"]*)"',
                      page.read_text(encoding="utf-8"))
    assert [(int(rank), code) for rank, code, _i in rows] == [
        (u["rank"], u["code"]) for g in ranked["groups"] for u in g["units"]]
    assert all(exact == units[code]["index_exact"] for _r, code, exact in rows)
    by_field = json.loads(cli("rank", str(SAMPLES / year), "--by-field", "--json").stdout)
    achieved: dict[str, Decimal] = {}
    for standing in by_field["data"]:
        for unit in standing["units"]:
            achieved[unit["code"]] = achieved.get(unit["code"], Decimal(0)) + D(unit["achieved"])
    assert {code: D(u["achieved"]) for code, u in units.items()} == achieved
    code = next(iter(json.loads(cli("losses", str(SAMPLES / year), "--top", "1", "--json")
                                .stdout)["data"][0]["criteria"]))["code"]
    view = json.loads(cli("criterion", code, str(SAMPLES / year), "--json").stdout)["data"]
    assert sorted(u["code"] for v in view for u in v["units"]) == sorted(units)
