"""Reports people hand on: the appendix and the comparison as Word and Excel, and charts —
each read back, not just written."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document

from cchc_cli.output.reports import office_of

from .conftest import SAMPLES

SEED_003_ORDER = ["1.1.2", "1.1.4", "1.2.2", "1.2.3", "1.2.4", "1.2.7", "1.4.3", "1.5", "1.6",
                  "1.7.1", "1.7.3", "2.1", "2.4.1", "2.4.2", "3.1.1", "3.1.2", "3.3.1", "4.2.2",
                  "4.4.2", "4.4.3", "7.1.3", "7.1.5", "7.1.6", "7.1.7", "7.1.8", "7.1.9",
                  "7.1.10", "7.1.11", "7.2.1"]


def number(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


@pytest.fixture(scope="module")
def appendix_docx(tmp_path_factory):
    from typer.testing import CliRunner

    from cchc_cli.cli import app
    path = tmp_path_factory.mktemp("report") / "phu-luc.docx"
    result = CliRunner().invoke(app, ["report", str(SAMPLES / "2020" / "STC.xlsx"), "-o",
                                      str(path)])
    assert result.exit_code == 0, result.output
    return path


def test_appendix_holds_seed_003(appendix_docx):
    doc = Document(appendix_docx)
    text = [p.text for p in doc.paragraphs]
    assert text[0] == ("NHỮNG NỘI DUNG CÔNG VIỆC CHƯA ĐẢM BẢO THEO YÊU CẦU (BỊ TRỪ ĐIỂM CHỈ SỐ "
                       "CCHC NĂM 2020)")
    assert ("Tổng cộng: 100 điểm. Tổng điểm hạ chuẩn: 9,5. Tổng điểm sau hạ chuẩn: 90,5. "
            "Tổng điểm đạt được: 71,33. Tổng điểm bị trừ: 19,17.") in text
    (table,) = doc.tables
    header = [c.text for c in table.rows[0].cells]
    assert header == ["TT", "Trách nhiệm/Nội dung công việc", "Lý do bị trừ",
                      "Số điểm bị trừ", "Trách nhiệm của phòng có liên quan/giải trình"]
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    items, total = rows[:-1], rows[-1]
    assert [r[0] for r in items] == SEED_003_ORDER  # the 29 lines, in criterion order
    assert sum(number(r[3]) for r in items) == number(total[3]) == Decimal("17.3")
    assert items[6][3] == "1,09" and "6/39" in items[6][2]
    assert "Điểm bị trừ ở các tiêu chí điều tra xã hội học: 1,87 điểm" in " ".join(text)
    assert "Tổng điểm bị trừ: 17,3 + 1,87 = 19,17 điểm." in text


def test_appendix_is_an_official_document(appendix_docx):
    doc = Document(appendix_docx)
    section = doc.sections[0]
    assert section.page_width > section.page_height  # landscape
    assert round(section.page_width.cm, 1) == 29.7
    normal = doc.styles["Normal"].font
    assert (normal.name, normal.size.pt) == ("Times New Roman", 13)
    table = doc.tables[0]
    assert table.style.name == "Table Grid"
    assert table.rows[0]._tr.xpath("./w:trPr/w:tblHeader")  # header repeated on every page


def test_appendix_by_office(cli, tmp_path):
    path = tmp_path / "theo-phong.docx"
    assert cli("report", SAMPLES / "2020" / "STC.xlsx", "--by-office", "-o", path).exit_code == 0
    rows = [[c.text for c in r.cells] for r in Document(path).tables[0].rows[1:]]
    subtotals = {r[1]: number(r[3]) for r in rows if r[1].startswith("Cộng ")}
    assert subtotals["Cộng Văn phòng"] > 0
    assert "Cộng Phòng Quản lý Giá và Công sản" in subtotals
    assert sum(subtotals.values()) == number(rows[-1][3]) == Decimal("17.3")


@pytest.mark.parametrize("text, office", [
    ("Văn phòng báo cáo trễ hạn (01 báo cáo).", "Văn phòng"),
    ("Phòng Quản lý ngân sách và Tài chính HCSN báo cáo CPĐT quý II", "Phòng Quản lý ngân sách "
     "và Tài chính HCSN"),
    ("Phòng Quản lý Giá và Công sản.", "Phòng Quản lý Giá và Công sản"),
    ("Các phòng nghiệp vụ chưa thực hiện công tác kiểm tra", "Các phòng nghiệp vụ"),
    ("03 trường hợp này do mới chuyển công tác về Sở Tài chính.", None),
])
def test_office_named_first(text, office):
    assert office_of(text) == office


def test_appendix_as_xlsx(cli, tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "phu-luc.xlsx"
    assert cli("report", SAMPLES / "2020" / "STC.xlsx", "-o", path).exit_code == 0
    ws = load_workbook(path).active
    assert ws["A1"].value.startswith("Tổng cộng: 100 điểm.")
    assert ws["A2"].value == "TT" and ws.freeze_panes == "A3"
    codes = [r[0].value for r in ws.iter_rows(min_row=3) if r[0].value]
    assert codes == SEED_003_ORDER
    assert Decimal(str(ws.cell(row=ws.max_row, column=4).value)) == Decimal("17.3")


def test_comparison_document_holds_seed_000(cli, tmp_path):
    path = tmp_path / "so-sanh.docx"
    result = cli("report", "--compare", "2022", "2023", "--unit", "STC", "--data", SAMPLES,
                 "-o", path)
    assert result.exit_code == 0, result.output
    doc = Document(path)
    text = [p.text for p in doc.paragraphs]
    assert "Năm 2022: Xếp thứ hạng số 17/19; Tổng điểm đạt được 67,83; Chỉ số CCHC 76,21 %." \
        in text
    assert "Năm 2023: Xếp thứ hạng số 17/19; Tổng điểm đạt được 59,88; Chỉ số CCHC 69,03 %." \
        in text
    lost_more = doc.tables[1]
    codes = [r.cells[0].text for r in lost_more.rows[1:]]
    assert "7.2.3" in codes and "1.5" in codes


def test_report_refuses_other_formats_and_inputs(cli, tmp_path):
    source = tmp_path / "STC.xlsx"
    shutil.copy(SAMPLES / "2020" / "STC.xlsx", source)
    assert "[output-format]" in cli("report", source, "-o", tmp_path / "x.pdf").stderr
    assert "[output-is-input]" in cli("report", source, "-o", source).stderr


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_the_appendix_renders_to_pdf(appendix_docx, tmp_path):
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(appendix_docx)], check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "phu-luc.pdf"
    assert pdf.stat().st_size > 10_000
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert "71,33" in text and "17,3 + 1,87 = 19,17" in text


# --- charts ---------------------------------------------------------------------------------------


def test_charts_are_drawn_with_a_font_that_has_vietnamese_letters():
    from matplotlib.ft2font import FT2Font

    from cchc_cli.output.chart import resolved_font
    font = resolved_font()
    assert "DejaVuSans" in Path(font).name
    charmap = FT2Font(font).get_charmap()
    assert all(ord(ch) in charmap for ch in "ĐđơưẠạỳỹếộữ")


@pytest.mark.parametrize("args", [
    ("rank", SAMPLES / "2023", "--unit", "STC"),
    ("compare", "2022", "2023", "-u", "STC", "--data", SAMPLES),
    ("history", "-u", "STC", "--data", SAMPLES),
])
def test_charts(cli, tmp_path, args):
    path = tmp_path / "chart.png"
    result = cli(*args, "--chart", path)
    assert result.exit_code == 0, result.output
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 20_000


# --- both languages -----------------------------------------------------------------------------


@pytest.mark.parametrize("args", [
    ("score", SAMPLES / "2020" / "STC.xlsx", "--detail"),
    ("rank", SAMPLES / "2023"),
    ("compare", "2022", "2023", "-u", "STC", "--data", SAMPLES),
    ("history", "-u", "STC", "--data", SAMPLES),
    ("validate", SAMPLES / "2023"),
    ("criteria", "list"),
    ("criteria", "show", "soc-trang-so-2019"),
])
def test_every_command_speaks_both_languages(cli, args):
    vi, en = cli(*args), cli(*args, "--lang", "en")
    assert vi.exit_code == en.exit_code == 0
    assert vi.stdout != en.stdout
    # labels, not data: criteria titles stay as the province wrote them
    assert not any(word in en.stdout for word in ("Tổng điểm đạt được", "Thứ hạng", "Xếp loại",
                                                  "Chấm bằng", "Tên đơn vị", "Đã kiểm tra"))
