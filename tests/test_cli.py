"""The command line: exit codes, exact messages, and --json equal to the library's result."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

from cchc_cli.folders import score_file
from cchc_cli.output.files import to_json

from .conftest import ROOT, SAMPLES, set_cell

STC_2020 = SAMPLES / "2020" / "STC.xlsx"


def test_score_prints_the_memo_figures_in_vietnamese(cli):
    result = cli("score", STC_2020)
    assert result.exit_code == 0
    out = result.stdout
    # Vietnamese output writes a decimal comma, as the memos do (JSON keeps the point)
    # the unit's own figure, then the council's (which counts)
    for label, value in [("Tổng điểm tối đa", "100"), ("Tổng điểm hạ chuẩn", "9,5"),
                         ("Tổng điểm sau hạ chuẩn", "90,5"), ("Tổng điểm đạt được", "71,33"),
                         ("Tổng điểm bị trừ", "19,17"), ("Chỉ số CCHC", "78,81 %"),
                         ("Xếp loại", "Nhóm 3")]:
        assert re.search(rf"{label}\s+(?:Nhóm \d|\S+(?: %)?)\s+{re.escape(value)}\s", out), label
    assert "Tự đánh giá" in out and "84,46" in out
    assert result.stderr == ""


def test_detail_lists_the_appendix(cli):
    out = cli("score", STC_2020, "--detail", env={"COLUMNS": "300"}).stdout
    assert ("Tổng cộng: 100 điểm. Tổng điểm hạ chuẩn: 9,5. Tổng điểm sau hạ chuẩn: 90,5. "
            "Tổng điểm đạt được: 71,33. Tổng điểm bị trừ: 19,17.") in out
    assert "17,3 (29 tiêu chí thẩm định) + 1,87 (5 tiêu chí điều tra XHH) = 19,17" in out
    assert "hợp đồng dự án khu đô thị Hồ Nước" in out  # the reason, wrapped at a word


def test_english_labels(cli):
    out = cli("score", STC_2020, "--lang", "en").stdout
    assert re.search(r"Points achieved\s+84\.46\s+71\.33", out)
    assert "PAR index" in out
    assert cli("score", STC_2020, env={"CCHC_LANG": "en"}).stdout == out


def test_json_equals_the_library_result(cli):
    result = cli("score", STC_2020, "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout, parse_float=Decimal)
    expected = json.loads(to_json(score_file(STC_2020).as_dict()), parse_float=Decimal)
    assert data == expected
    assert data["totals"]["achieved"] == Decimal("71.33")
    assert data["totals"]["index"] == Decimal("78.81")
    assert data["totals"]["index_exact"].startswith("78.8176795580110497")
    assert set(data) >= {"unit", "criteria_set", "status", "totals", "self_assessed", "band",
                         "fields", "items"}
    assert set(data["items"][0]) >= {"code", "title", "max", "applicable", "self", "appraised",
                                     "final", "deducted", "reason", "responsible"}
    assert "71.3299" not in result.stdout


def test_explicit_criteria_by_id_and_by_file(cli):
    assert cli("score", STC_2020, "-c", "soc-trang-so-2019", "--json").exit_code == 0
    path = ROOT / "criteria" / "soc-trang" / "so-2019.yaml"
    assert cli("score", STC_2020, "--criteria", path, "--json").exit_code == 0
    bad = cli("score", STC_2020, "-c", "soc-trang-so-2021")
    assert bad.exit_code == 1
    assert "criteria-set-year" in bad.stderr


def test_data_errors_exit_1_with_one_line_per_problem(cli, sheets_for, make_workbook):
    sheets = sheets_for()
    cell = set_cell(sheets, "Thẩm định", "1.1.2", "Điểm thẩm định", 1.5)
    set_cell(sheets, "Thẩm định", "2.1", "Điểm thẩm định", "0.5đ")
    path = make_workbook(sheets)
    result = cli("score", path)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("Lỗi:")]
    assert len(errors) == 2
    assert errors[0] == (f"Lỗi: {path} · Thẩm định!{cell} · tiêu chí 1.1.2: Điểm thẩm định 1,5 "
                         f"lớn hơn điểm tối đa 1 [score-above-max]")
    assert "“0.5đ” không phải là số điểm" in errors[1]
    assert lines[-1].startswith("Gợi ý:")
    assert result.stdout == ""
    assert "Traceback" not in result.output


def test_english_error_lines(cli, tmp_path):
    result = cli("score", tmp_path / "none.xlsx", "--lang", "en")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {tmp_path / 'none.xlsx'}: file or folder not found")


def test_warnings_go_to_stderr_and_do_not_fail(cli, sheets_for, make_workbook):
    sheets = sheets_for()
    set_cell(sheets, "Tự đánh giá", "1.1.4", "Điểm tối đa", 3)
    result = cli("score", make_workbook(sheets))
    assert result.exit_code == 0
    assert result.stderr.startswith("Cảnh báo:")
    assert "[max-disagrees]" in result.stderr
    assert "Tổng điểm đạt được" in result.stdout


def test_usage_error_exits_2(cli):
    assert cli("score").exit_code == 2
    assert cli("score", STC_2020, "--lang", "fr").exit_code == 2


def test_internal_error_exit_3_without_traceback_unless_debug(cli, monkeypatch):
    import cchc_cli.cli as cli_module

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(cli_module, "score_file", boom)
    result = cli("score", STC_2020)
    assert result.exit_code == 3
    assert "Lỗi nội bộ" in result.stderr and "--debug" in result.stderr
    assert "Traceback" not in result.output
    result = cli("score", STC_2020, "--debug")
    assert isinstance(result.exception, RuntimeError)


def test_criteria_check_ok_and_errors(cli, tmp_path):
    good = ROOT / "criteria" / "soc-trang" / "so-2021.yaml"
    result = cli("criteria", "check", good)
    assert result.exit_code == 0
    assert "Bộ tiêu chí hợp lệ: soc-trang-so-2021" in result.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text(good.read_text(encoding="utf-8").replace("max: 16\n", "max: 17\n", 1),
                   encoding="utf-8")
    result = cli("criteria", "check", bad)
    assert result.exit_code == 1
    first = result.stderr.splitlines()[0]
    assert re.match(rf"Lỗi: {re.escape(str(bad))}:\d+ · fields\[0\]\.max · tiêu chí 1: "
                    r"điểm tối đa 17 khác tổng điểm tối đa các mục con 16", first), first


def test_criteria_list_shows_the_shipped_sets(cli):
    result = cli("criteria", "list")
    assert result.exit_code == 0
    assert "soc-trang-so-2019" in result.stdout and "2021–" in result.stdout


def test_criteria_dirs_from_the_environment(cli, tmp_path):
    from .test_criteria import MINIMAL
    (tmp_path / "mine.yaml").write_text(MINIMAL, encoding="utf-8")
    result = cli("criteria", "list", env={"CCHC_CRITERIA": str(tmp_path)})
    assert "test-set" in result.stdout


def test_a_criteria_folder_that_is_not_there_is_a_warning(cli, tmp_path):
    typo, missing = tmp_path / "tieu-chi", tmp_path / "khong-co"
    result = cli("criteria", "list", "--criteria", typo, env={"CCHC_CRITERIA": str(missing)})
    assert result.exit_code == 0
    assert "soc-trang-so-2019" in result.stdout  # the other folders are listed as ever
    message = ("không có thư mục bộ tiêu chí này (đường dẫn không tồn tại hoặc không phải thư "
               "mục; --criteria hoặc biến CCHC_CRITERIA); bỏ qua [criteria-folder-missing]")
    assert result.stderr.splitlines() == [f"Cảnh báo: {typo}: {message}",
                                          f"Cảnh báo: {missing}: {message}"]
    # and where it matters: the set sought may be in the folder meant
    scored = cli("score", SAMPLES / "2020" / "STC.xlsx", "-c", "my-set",
                 env={"CCHC_CRITERIA": str(missing)})
    assert scored.exit_code == 1
    assert scored.stderr.splitlines()[:2] == [  # errors first, then warnings
        "Lỗi: không có bộ tiêu chí “my-set” (các bộ hiện có: soc-trang-so-2019, "
        "soc-trang-so-2021) [unknown-criteria-set]",
        f"Cảnh báo: {missing}: {message}"]


def test_version(cli):
    from cchc_cli import __version__
    result = cli("--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"cchc {__version__}"


def _commands(app, prefix=()):
    import typer.main

    group = typer.main.get_command(app)
    stack = [(prefix, group)]
    while stack:
        path, command = stack.pop()
        subcommands = getattr(command, "commands", None)
        if subcommands:
            stack += [((*path, name), sub) for name, sub in subcommands.items()]
        else:
            yield path, command


@pytest.mark.parametrize("path", [p for p, _ in _commands(__import__("cchc_cli.cli").cli.app)])
def test_every_command_has_help_with_examples_and_is_in_the_readme(cli, path):
    result = cli(*path, "--help")
    assert result.exit_code == 0
    assert "Ví dụ" in result.stdout
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"cchc {' '.join(path)}" in readme


def test_commands_say_what_they_did_not_do(cli, tmp_path):
    samples = ROOT / "samples"
    run = cli("rank", str(samples / "2020" / "STC.xlsx"))
    assert run.exit_code == 1 and "[not-a-year-folder]" in run.stderr
    assert "cchc score" in run.stderr
    run = cli("history", "--unit", "STC", "--data", str(samples / "2023"))
    assert run.exit_code == 1 and "[data-root-is-year]" in run.stderr
    assert f"--data {samples}" in run.stderr
    run = cli("validate", str(tmp_path / "khong-co"))
    assert run.exit_code == 1 and "[file-not-found]" in run.stderr + run.stdout
    assert "Đã kiểm tra" not in run.stdout
    assert cli("compare", "2023", "2023", "--unit", "STC", "--data", str(samples)).exit_code == 2
    for target, why in (("30", "19 đơn vị"), ("17", "17/19")):
        run = cli("gains", str(samples / "2023"), "--unit", "STC", "--target-rank", target)
        assert run.exit_code == 0 and "[gains-target-ignored]" in run.stderr, target
        assert why in run.stderr


def test_a_chart_written_is_said(cli, tmp_path):
    out = tmp_path / "xep-hang.png"
    run = cli("rank", str(ROOT / "samples" / "2023"), "--chart", str(out))
    assert run.exit_code == 0 and f"Đã ghi {out}" in run.stderr.replace("\n", "")


def test_gains_of_a_unit_already_first_says_so(cli):
    run = cli("gains", str(ROOT / "samples" / "2023"), "--unit", "STTTT")
    assert run.exit_code == 0
    assert "không còn hạng hay xếp loại nào để lên" in run.stdout.replace("\n", " ")
