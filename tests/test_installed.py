"""The installed command, as a user runs it, and what it costs to start."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from .conftest import ROOT, SAMPLES, set_cell


def run(*args: str, **kwargs):
    return subprocess.run(args, capture_output=True, text=True, encoding="utf-8",
                          timeout=60, **kwargs)


@pytest.mark.skipif(shutil.which("cchc") is None, reason="the cchc script is not installed")
def test_console_script_scores_the_sample(tmp_path):
    # run from elsewhere: the installed command must find its criteria sets by itself
    proc = run("cchc", "score", str(SAMPLES / "2020" / "STC.xlsx"), "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["totals"]["index"] == 78.81


@pytest.mark.skipif(shutil.which("cchc") is None, reason="the cchc script is not installed")
@pytest.mark.parametrize("args", [("score", SAMPLES / "2020" / "STC.xlsx", "--json"),
                                  ("rank", SAMPLES / "2023")], ids=["json", "table"])
def test_a_reader_that_went_away_ends_it_quietly(args):
    # `cchc … | head -1` once head has its line: the pipe's reading end is closed before cchc
    # writes a byte, so every run meets the closed pipe
    read, write = os.pipe()
    os.close(read)
    try:
        proc = subprocess.run(["cchc", *map(str, args)], stdout=write, stderr=subprocess.PIPE,
                              timeout=60)
    finally:
        os.close(write)
    assert proc.stderr.decode() == ""  # no "internal error", no "Exception ignored"
    assert proc.returncode == 141


def test_vietnamese_prints_whatever_the_encoding_of_the_output(tmp_path):
    # stdout redirected to a file on a Vietnamese Windows is cp1258, which lacks "ở"
    proc = subprocess.run([sys.executable, "-m", "cchc_cli", "score",
                           str(SAMPLES / "2019" / "STC.xlsx")], capture_output=True, timeout=60,
                          cwd=ROOT, env={**os.environ, "PYTHONIOENCODING": "cp1258"})
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    assert proc.stdout.decode("utf-8").startswith("Sở Tài chính (STC) · năm 2019")


def test_python_dash_m(tmp_path):
    proc = run(sys.executable, "-m", "cchc_cli", "score", str(SAMPLES / "2019" / "STC.xlsx"),
               cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "81,75 %" in proc.stdout


def test_data_error_in_a_subprocess_exits_1_without_traceback(tmp_path):
    bad = tmp_path / "STC.xlsx"
    bad.write_bytes(b"not a workbook at all")
    proc = run(sys.executable, "-m", "cchc_cli", "score", str(bad), cwd=ROOT)
    assert proc.returncode == 1
    assert proc.stderr.startswith("Lỗi: ")
    assert "Traceback" not in proc.stderr


def test_score_imports_neither_pandas_nor_openpyxl_nor_matplotlib():
    code = (
        "import sys\n"
        "from cchc_cli.cli import app\n"
        "try:\n"
        f"    app(['score', {str(SAMPLES / '2020' / 'STC.xlsx')!r}, '--json'])\n"
        "except SystemExit as e:\n"
        "    assert e.code in (0, None), e.code\n"
        "heavy = sorted(m for m in ('pandas', 'openpyxl', 'matplotlib', 'numpy', 'docx')"
        " if m in sys.modules)\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    proc = run(sys.executable, "-c", code, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "HEAVY []" in proc.stderr


def _closing(fd: int):
    return lambda: os.close(fd)  # in the child, before cchc starts: the shell's `>&-`


def test_a_closed_stdout_is_as_if_sent_nowhere(tmp_path):
    # `cchc score S >&-`: Python gives sys.stdout = None; nothing to print to, nothing failed
    proc = subprocess.run([sys.executable, "-m", "cchc_cli", "score",
                           str(SAMPLES / "2020" / "STC.xlsx")], stderr=subprocess.PIPE,
                          preexec_fn=_closing(1), cwd=ROOT, timeout=60)
    assert (proc.returncode, proc.stderr.decode()) == (0, "")


def test_a_closed_stderr_leaves_the_result_and_the_exit_code_as_they_are(sheets_for,
                                                                        make_workbook):
    sheets = sheets_for()
    set_cell(sheets, "Tự đánh giá", "1.1.4", "Điểm tối đa", 3)  # a warning, told on stderr
    proc = subprocess.run([sys.executable, "-m", "cchc_cli", "score", str(make_workbook(sheets))],
                          stdout=subprocess.PIPE, preexec_fn=_closing(2), cwd=ROOT, timeout=60)
    assert proc.returncode == 0
    assert proc.stdout.decode().startswith("Sở Tài chính (STC) · năm 2020")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_a_result_that_cannot_be_written_is_one_line_and_exit_1():
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "cchc_cli", "score",
                               str(SAMPLES / "2020" / "STC.xlsx"), "--json", "--lang", "en"],
                              stdout=full, stderr=subprocess.PIPE, cwd=ROOT, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr.decode() == (
        "Error: could not write the result to standard output: No space left on device; the "
        "result is incomplete [stdout-write-failed]\n")


def test_usage_errors_in_the_users_language():
    """click writes usage errors in English; the command tells them in Vietnamese (English
    with --lang en), exit code 2 as click's."""
    missing = run("cchc", "score")
    assert missing.returncode == 2
    assert "Cách dùng: cchc score" in missing.stderr and "Lỗi: Thiếu tham số 'FILE'." in \
        missing.stderr and "Missing argument" not in missing.stderr
    unknown = run("cchc", "rank", "samples/2023", "--top")
    assert unknown.returncode == 2 and "Không có tùy chọn --top" in unknown.stderr
    bad = run("cchc", "rank", "samples/2023", "--lang", "fr")
    assert bad.returncode == 2 and "'fr' không thuộc 'vi', 'en'" in bad.stderr
    english = run("cchc", "score", "--lang", "en")
    assert english.returncode == 2 and "Missing argument 'FILE'" in english.stderr
    alone = run("cchc")  # the help, as click gives it with no command
    assert alone.returncode == 2 and "Chấm điểm Chỉ số" in alone.stderr
