"""Every file cchc writes goes through one guard (cchc_cli/output.py): never over an input,
never over a workbook cchc did not write unless --force, the suffix picks the format, no
folder created, never half a file, permissions kept."""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest

from cchc_cli.model.problems import CchcError
from cchc_cli.output.files import write_tables
from cchc_cli.output.guard import is_cchc_output, is_cchc_temp, write_output
from cchc_cli.output.table import Column, Table
from cchc_cli.output.template import write_template
from tests.builders import write_workbook

from .conftest import INFO_2020, SAMPLES

TABLE = [Table("T", [Column("Mã")], [["1.1"]])]


@pytest.fixture
def year(tmp_path, sheets_for):
    """tmp/2020 with two units' workbooks, to rank."""
    folder = tmp_path / "2020"
    write_workbook(folder / "STC.xlsx", sheets_for())
    write_workbook(folder / "SNV.xlsx", sheets_for(info={**INFO_2020, "Mã đơn vị": "SNV"}))
    return folder


def refused(call) -> list[tuple[str, str | None]]:
    """The (code, file) of each problem a refused write reports."""
    with pytest.raises(CchcError) as caught:
        call()
    return [(p.code, p.file) for p in caught.value.problems]


def listing(folder):
    return sorted(p.name for p in folder.iterdir())


# --- the mark -------------------------------------------------------------------------------

def test_outputs_carry_the_mark_and_templates_and_unit_workbooks_do_not(tmp_path, cs2019):
    from cchc_cli.output.docx import write_docx
    from cchc_cli.output.reports import Document

    table = write_tables(tmp_path / "rank.xlsx", TABLE)
    docx = write_docx(Document("Phụ lục", "", [], TABLE, []), tmp_path / "phu-luc.docx")
    template = write_template(cs2019, tmp_path / "STC-2024.xlsx", code="STC", name="Sở Tài chính",
                              year=2020)
    assert is_cchc_output(table) and is_cchc_output(docx)
    assert not is_cchc_output(template)
    assert not is_cchc_output(SAMPLES / "2023" / "STC.xlsx")
    assert not is_cchc_output(write_tables(tmp_path / "rank.csv", TABLE))  # no room for a mark
    assert not is_cchc_output(tmp_path)  # a folder, and a file that is not there
    assert not is_cchc_output(tmp_path / "missing.xlsx")


def _zip_with_core(path, core: bytes):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("docProps/core.xml", core)
    return path


@pytest.mark.parametrize("core", [
    b"<cp:coreProperties xmlns:cp='c'><cp:keywords>" + b"x " * 40_000
    + b"cchc-output</cp:keywords></cp:coreProperties>",  # over 64 KiB
    b"<!DOCTYPE a [<!ENTITY k 'cchc-output'>]><a><keywords>&k;</keywords></a>",
    "<a><keywords>cchc-output</keywords></a>".encode("utf-16"),
    b"<a><keywords>cchc-outputs</keywords></a>",  # a token, not a substring
    b"<a><keywords>cchc-output",  # cut short
], ids=["large", "entity", "utf-16", "other-token", "broken"])
def test_the_mark_is_read_only_from_a_small_plain_core_xml(tmp_path, core):
    assert not is_cchc_output(_zip_with_core(tmp_path / "x.xlsx", core))


def test_the_mark_is_one_keyword_among_others(tmp_path):
    core = b"<a xmlns:cp='c'><cp:keywords>CCHC; cchc-output, 2023</cp:keywords></a>"
    assert is_cchc_output(_zip_with_core(tmp_path / "x.xlsx", core))
    assert not is_cchc_output(tmp_path / "not-a-zip.xlsx") and not (tmp_path / "x").exists()


def test_temporary_files_are_recognised_by_name():
    assert is_cchc_temp(".cchc-tmp-xep-hang-k2j4x_9a.xlsx")
    assert not is_cchc_temp("cchc-tmp.xlsx") and not is_cchc_temp(".~lock.STC.xlsx#")


# --- what may be replaced -------------------------------------------------------------------

def test_an_input_is_never_replaced_by_any_name(tmp_path, monkeypatch):
    source = shutil.copy(SAMPLES / "2023" / "STC.xlsx", tmp_path / "STC.xlsx")
    (tmp_path / "link.xlsx").symlink_to(source)
    os.link(source, tmp_path / "hard.xlsx")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path)
    for name in ("./STC.xlsx", "sub/../STC.xlsx", "link.xlsx", "hard.xlsx"):
        assert refused(lambda n=name: write_tables(n, TABLE, inputs=[source], force=True)) == [
            ("output-is-input", str(Path(name)))]
    assert (tmp_path / "STC.xlsx").read_bytes() == (SAMPLES / "2023" / "STC.xlsx").read_bytes()


def test_chart_over_a_unit_workbook_is_a_usage_error(cli, year):
    before = (year / "STC.xlsx").read_bytes()
    result = cli("rank", year, "--chart", year / "STC.xlsx")
    assert result.exit_code == 2 and "--chart" in result.stderr
    assert ".png, .svg, .pdf" in result.stderr
    assert (year / "STC.xlsx").read_bytes() == before
    assert cli("history", "-u", "STC", "--chart", year / "h.jpg").exit_code == 2


def test_charts_are_drawn_in_the_format_their_suffix_names(cli, year):
    assert cli("rank", year, "--chart", year.parent / "r.pdf", "--json").exit_code == 0
    assert cli("rank", year, "--chart", year.parent / "r.svg", "--json").exit_code == 0
    assert (year.parent / "r.pdf").read_bytes().startswith(b"%PDF")
    head = (year.parent / "r.svg").read_bytes()[:200]
    assert head.startswith(b"<?xml") and b"<svg" in (year.parent / "r.svg").read_bytes()
    assert (year.parent / "r.pdf").stat().st_mode & 0o777 == 0o666 & ~_umask()


def test_report_over_another_units_workbook_is_refused(cli, year):
    before = (year / "SNV.xlsx").read_bytes()
    result = cli("report", year / "STC.xlsx", "-o", year / "SNV.xlsx")
    assert result.exit_code == 1
    assert f"{year / 'SNV.xlsx'}: đã có bảng tính này và cchc không ghi nó ra" in result.stderr
    assert "thêm --force nếu thật sự muốn ghi đè [output-is-workbook]" in result.stderr
    assert (year / "SNV.xlsx").read_bytes() == before


def test_template_over_a_workbook_needs_force(cli, year):
    args = ("template", "--criteria", "soc-trang-so-2019", "-u", "STC", "-y", "2020",
            "-o", year / "SNV.xlsx")
    before = (year / "SNV.xlsx").read_bytes()
    result = cli(*args, "--lang", "en")
    assert result.exit_code == 1 and "add --force to really replace it" in result.stderr
    assert (year / "SNV.xlsx").read_bytes() == before
    assert cli(*args, "--force").exit_code == 0
    assert (year / "SNV.xlsx").read_bytes() != before and not is_cchc_output(year / "SNV.xlsx")


def test_an_earlier_output_is_replaced_and_keeps_its_permissions(cli, year):
    out = year.parent / "xep-hang.xlsx"
    assert cli("rank", year, "-o", out).exit_code == 0
    out.chmod(0o640)
    first = out.stat().st_ino
    assert cli("rank", year, "-o", out).exit_code == 0
    assert out.stat().st_ino != first  # a new file renamed into place
    assert is_cchc_output(out) and stat.S_IMODE(out.stat().st_mode) == 0o640
    assert listing(year.parent) == ["2020", "xep-hang.xlsx"]  # no temporary file left


def test_a_second_output_that_cannot_be_written_stops_the_first(cli, year):
    result = cli("rank", year, "-o", year.parent / "ok.xlsx", "--chart", year / "x" / "c.png")
    assert result.exit_code == 1 and "[output-folder-missing]" in result.stderr
    assert listing(year.parent) == ["2020"]


# --- where a file cannot go -----------------------------------------------------------------

@pytest.mark.parametrize("where, code, folder", [
    ("out", "output-is-folder", None),
    ("missing/deeper/x.xlsx", "output-folder-missing", "missing/deeper"),
    ("note.txt/x.xlsx", "output-folder-is-file", "note.txt"),
    ("note.txt/sub/x.xlsx", "output-folder-is-file", "note.txt"),
])
def test_no_file_where_there_is_no_folder_for_it(cli, year, where, code, folder):
    root = year.parent
    (root / "out").mkdir()
    (root / "note.txt").write_text("x")
    before = listing(root)
    result = cli("rank", year, "-o", root / where)
    assert result.exit_code == 1 and f"[{code}]" in result.stderr
    assert f"{root / where}: " in result.stderr
    if folder:
        assert str(root / folder) in result.stderr
    assert listing(root) == before and listing(root / "out") == []  # no folder created


@pytest.fixture
def read_only(tmp_path):
    """A folder nobody may write in, root included (root ignores permission bits, not the
    immutable attribute)."""
    folder = tmp_path / "ro"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    if not shutil.which("chattr") or subprocess.run(["chattr", "+i", folder],
                                                    capture_output=True).returncode:
        pytest.skip("root here cannot make a folder immutable")
    try:
        yield folder
    finally:
        subprocess.run(["chattr", "-i", folder], check=True)


@pytest.mark.parametrize("access_says_yes", [False, True], ids=["checked", "at-write"])
def test_a_read_only_folder_is_a_problem_not_a_crash(read_only, monkeypatch, access_says_yes):
    if access_says_yes:  # a file system where access() answers yes, and the write fails
        monkeypatch.setattr("cchc_cli.output.guard.os.access", lambda *a: True)
    target = read_only / "rank.xlsx"
    with pytest.raises(CchcError) as caught:
        write_tables(target, TABLE)
    (problem,) = caught.value.problems
    assert problem.line_text("en") == (
        f"{target}: no permission to write in the folder {read_only} [output-not-writable]")
    assert listing(read_only) == []


def test_a_read_only_folder_is_found_before_anything_is_written(cli, year, read_only):
    result = cli("rank", year, "-o", year.parent / "ok.xlsx", "--chart", read_only / "c.png")
    assert result.exit_code == 1 and "[output-not-writable]" in result.stderr
    assert not (year.parent / "ok.xlsx").exists()


# --- never half a file ----------------------------------------------------------------------

def test_a_write_that_fails_midway_leaves_the_old_file_and_no_temporary(tmp_path):
    target = write_tables(tmp_path / "rank.xlsx", TABLE)
    before = target.read_bytes()
    seen = []

    def half_then_disk_full(tmp):
        seen.append(tmp)
        tmp.write_bytes(b"PK half a workbook")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(CchcError) as caught:
        write_output(target, half_then_disk_full, formats=(".xlsx",))
    (problem,) = caught.value.problems
    assert problem.code == "output-write-failed" and problem.file == str(target)
    assert problem.message("en") == ("could not write the output: No space left on device; "
                                     "an earlier file, if any, is left as it was")
    assert seen[0].parent == tmp_path and is_cchc_temp(seen[0].name)
    assert target.read_bytes() == before and listing(tmp_path) == ["rank.xlsx"]


@pytest.mark.parametrize("stop", [KeyboardInterrupt, SystemExit])
def test_an_interrupted_write_leaves_no_temporary(tmp_path, stop):
    def interrupted(tmp):
        tmp.write_bytes(b"PK")
        raise stop

    with pytest.raises(stop):
        write_output(tmp_path / "rank.xlsx", interrupted, formats=(".xlsx",))
    assert listing(tmp_path) == []


def test_a_new_file_gets_the_usual_permissions(tmp_path):
    old = os.umask(0o027)
    try:
        path = write_tables(tmp_path / "rank.csv", TABLE)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
