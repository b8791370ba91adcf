"""The samples reproduce the province's published figures — computed from the workbooks."""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path

import pytest
from rich.cells import cell_len

from cchc_cli.folders import score_file
from cchc_cli.model.decimals import plain

from .conftest import SAMPLES

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize(
    ("year", "reduction", "max_after", "achieved", "deducted", "index", "band"),
    [
        # seed 003: 2019 — 74.81 points, index 81.75 % (74.81 / 91.5 = 81.7595…, truncated)
        (2019, "8.5", "91.5", "74.81", "16.69", "81.75", "Nhóm 2"),
        # seed 003's appendix: 100 / 9.5 / 90.5 / 71.33 / 19.17, index 78.81 %
        (2020, "9.5", "90.5", "71.33", "19.17", "78.81", "Nhóm 3"),
    ],
)
def test_sample_reproduces_published_result(year, reduction, max_after, achieved, deducted,
                                            index, band):
    result = score_file(SAMPLES / str(year) / "STC.xlsx")
    totals = result.totals
    assert result.status == "appraised"
    assert (plain(totals.max), plain(totals.reduction), plain(totals.max_after_reduction),
            plain(totals.achieved), plain(totals.deducted)) == (
        "100", reduction, max_after, achieved, deducted)
    assert str(result.index) == index
    assert result.band == band


def test_2020_appendix_lists_29_deductions_worth_17_30_and_1_87_in_survey():
    result = score_file(SAMPLES / "2020" / "STC.xlsx")
    appraised = [i for i in result.lost if i.leaf.scoring == "self"]
    survey = [i for i in result.lost if i.leaf.scoring == "survey"]
    assert len(appraised) == 29
    assert sum(i.deducted for i in appraised) == Decimal("17.30")
    assert sum(i.deducted for i in survey) == Decimal("1.87")
    by_code = {i.code: i for i in appraised}
    assert by_code["1.4.3"].deducted == Decimal("1.09")
    assert by_code["2.1"].appraisal_round == 2  # the score after giải trình
    assert "Tổ thẩm định" in by_code["1.7.3"].reason
    assert by_code["4.2.2"].responsible.startswith("Phòng Tài chính doanh nghiệp")


def test_2020_self_assessment_stands_beside_the_appraisal():
    result = score_file(SAMPLES / "2020" / "STC.xlsx")
    assert result.self_totals is not None
    gap = result.self_totals.achieved - result.totals.achieved
    disputed = sum((i.self_points - i.final for i in result.items
                    if i.leaf.scoring == "self" and i.applicable), Decimal(0))
    assert gap == disputed > 0


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("CCHC_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), (
        f"{name} changed; if intended, rerun with CCHC_UPDATE_GOLDEN=1 and review the diff")


# Every command that prints, as a reader sees it in an 80- and a 120-column terminal.
PRINTED = [
    (["score", "samples/2020/STC.xlsx"], "score-2020-STC"),
    (["score", "samples/2020/STC.xlsx", "--detail"], "score-2020-STC-detail"),
    (["score", "samples/2019/STC.xlsx", "--lang", "en"], "score-2019-STC-en"),
    (["rank", "samples/2023"], "rank-2023"),
    (["rank", "samples/2022", "--by-field"], "rank-2022-by-field"),
    (["compare", "2022", "2023", "--unit", "STC", "--data", "samples"], "compare-STC"),
    (["compare", "2020", "2022", "--unit", "STC", "--data", "samples"], "compare-STC-2020"),
    (["gains", "samples/2023", "--unit", "STC"], "gains-2023-STC"),
    (["history", "--unit", "STC", "--data", "samples"], "history-STC"),
    (["losses", "samples/2023", "--top", "5"], "losses-2023"),
    (["criterion", "1.4.3", "samples/2020"], "criterion-2020-1.4.3"),
    (["status", "samples/2023"], "status-2023"),
    (["validate", "samples/2023"], "validate-2023"),
    (["survey", "samples/survey/2023.xlsx"], "survey-2023"),
    (["survey", "samples/survey/2023.xlsx", "--unit", "STC"], "survey-2023-STC"),
    (["criteria", "show", "soc-trang-so-2019"], "criteria-show-2019"),
    (["criteria", "diff", "soc-trang-so-2019", "soc-trang-so-2021"], "criteria-diff"),
    (["criteria", "check", "criteria/soc-trang/so-2021.yaml"], "criteria-check-2021"),
]


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("args, name", PRINTED, ids=[name for _, name in PRINTED])
def test_terminal_output_matches_golden(cli, args, name, width, monkeypatch):
    monkeypatch.chdir(SAMPLES.parent)
    result = cli(*args, env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line for line in lines if cell_len(line) > width] == []
    assert [line for line in lines if line != line.rstrip()] == []  # no padding piped
    _golden(f"{name}@{width}.txt", result.stdout)


def test_json_matches_golden(cli, monkeypatch):
    monkeypatch.chdir(SAMPLES.parent)
    result = cli("score", "samples/2020/STC.xlsx", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["totals"]["achieved"] == 71.33
    _golden("score-2020-STC.json", result.stdout)


@pytest.mark.parametrize("source", ["2020-STC", "2023-units"])
def test_the_samples_rebuild_byte_for_byte_from_their_sources(tmp_path, registry, source):
    """samples/build.py is reproducible (fixed timestamps), and the committed workbooks are
    what their sources build: a rebuild shows only real changes."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("build", SAMPLES / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    path = SAMPLES / "src" / f"{source}.yaml"
    made = (build.build_units if source.endswith("-units") else
            lambda s, r, out: [build.build_unit(s, r, out)])(path, registry, out=tmp_path)
    assert made
    for workbook in made:
        committed = SAMPLES / workbook.relative_to(tmp_path)
        assert workbook.read_bytes() == committed.read_bytes(), committed
