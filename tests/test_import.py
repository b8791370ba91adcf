"""`cchc criteria import`: a province's own criteria table (Word, or a workbook) into a YAML
draft that `criteria check` accepts; round trips from the shipped sets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cchc_cli.folders import import_criteria
from cchc_cli.model.criteria import CriteriaSet
from cchc_cli.model.problems import CchcError
from cchc_cli.reading.annex import normal_code

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]


def tree(cs: CriteriaSet) -> list[tuple[str, str, Any]]:
    return [(code, node.title, node.max) for code, node in cs.nodes.items()]


def imported(tmp_path: Path, source: Path, **options: Any) -> Any:
    return import_criteria(source, tmp_path / "nhap.yaml", set_id="nhap", province="Thử",
                           group="Sở", first_year=2021, **options)


def test_a_template_imports_back_to_its_set(tmp_path: Path, cli: Any,
                                            cs2021: CriteriaSet) -> None:
    template = tmp_path / "mau.xlsx"
    assert cli("template", "--criteria", cs2021.id, "--unit", "STC", "--year", "2024",
               "-o", str(template)).exit_code == 0
    result = imported(tmp_path, template)
    assert result.clean, [p.line_text("en") for p in result.problems]
    assert tree(result.criteria) == tree(cs2021)
    assert result.criteria.total == cs2021.total


def annex_docx(path: Path, cs: CriteriaSet, *, split: int | None = None) -> Path:
    """The set as a province prints it: Roman field numbers, a method column naming the
    survey, the header repeated, a total row; optionally split into two tables."""
    from docx import Document

    doc = Document()
    doc.add_paragraph("Phụ lục. BỘ TIÊU CHÍ ĐÁNH GIÁ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH")
    header = ["STT", "Lĩnh vực/Tiêu chí/Tiêu chí thành phần", "Điểm tối đa",
              "Phương pháp đánh giá/Tài liệu kiểm chứng"]
    rows = []
    for code, node in cs.nodes.items():
        number = ROMAN[int(code) - 1] if "." not in code else code + "."
        method = "Điều tra xã hội học" if cs.leaves.get(code) and \
            cs.leaves[code].scoring == "survey" else "Văn bản, báo cáo"
        rows.append([number, node.title, str(node.max).replace(".", ","), method])
    rows.append(["", "Tổng cộng", str(cs.total), ""])
    cut = split or len(rows)
    for n, part in enumerate((rows[:cut], rows[cut:])):
        if not part:
            continue
        table = doc.add_table(rows=0, cols=4)
        if n == 0:
            for cells in (header, ["(1)", "(2)", "(3)", "(4)"]):
                for cell, text in zip(table.add_row().cells, cells, strict=True):
                    cell.text = text
        for i, values in enumerate(part):
            if n == 0 and i == 40:  # the header printed again on the next page
                for cell, text in zip(table.add_row().cells, header, strict=True):
                    cell.text = text
            for cell, text in zip(table.add_row().cells, values, strict=True):
                cell.text = text
        doc.add_paragraph("")
    doc.save(path)
    return path


@pytest.mark.parametrize("split", [None, 50], ids=["one-table", "split-in-two"])
def test_a_word_annex_imports_to_the_same_tree(tmp_path: Path, cs2021: CriteriaSet,
                                               split: int | None) -> None:
    result = imported(tmp_path, annex_docx(tmp_path / "phu-luc.docx", cs2021, split=split))
    assert result.clean, [p.line_text("en") for p in result.problems]
    assert tree(result.criteria) == tree(cs2021)
    surveyed = {c for c, leaf in result.criteria.leaves.items() if leaf.scoring == "survey"}
    assert surveyed == {c for c, leaf in cs2021.leaves.items() if leaf.scoring == "survey"}
    text = (tmp_path / "nhap.yaml").read_text(encoding="utf-8")
    assert "# nguồn / source: bảng 1, dòng 4" in text and "Văn bản, báo cáo" in text


@pytest.mark.parametrize("raw, code", [("1", "1"), ("1.1.", "1.1"), ("II", "2"),
                                       ("TC 1.2", "1.2"), ("VIII", "8"), ("a)", None),
                                       ("-", None), ("01.02", "1.2")])
def test_codes_as_provinces_print_them(raw: str, code: str | None) -> None:
    assert normal_code(raw) == code


def small(path: Path, rows: list[list[str]], extra_table: bool = False) -> Path:
    from docx import Document

    doc = Document()
    headers = [["STT", "Nội dung", "Điểm tối đa", "Ghi chú"],
               ["TT", "Tiêu chí", "Điểm chuẩn", "Cách chấm"]]  # another table, another header
    for header in headers[: 2 if extra_table else 1]:
        table = doc.add_table(rows=0, cols=4)
        for values in [header, *rows]:
            for cell, text in zip(table.add_row().cells, values, strict=True):
                cell.text = text
    doc.save(path)
    return path


def test_the_draft_is_written_and_what_needs_fixing_is_named(tmp_path: Path) -> None:
    rows = [["I", "Chỉ đạo điều hành", "10", ""],
            ["1.1", "Kế hoạch", "tối đa 4", "hạ chuẩn nếu không phát sinh"],
            ["a)", "Ban hành đúng hạn", "2 điểm", ""],
            ["b)", "Đủ nội dung", "2", ""],
            ["1.2", "Báo cáo", "", ""],
            ["1.3", "Điểm trừ: chậm báo cáo", "-1", ""],
            ["", "Tổng cộng", "12", ""]]
    result = imported(tmp_path, small(tmp_path / "a.docx", rows))
    codes = [p.code for p in result.problems]
    assert codes.count("import-code-inferred") == 2 and "import-max-text" in codes
    assert "import-no-max" in codes and "import-total-mismatch" in codes
    assert "criteria-yaml-syntax" not in codes  # a draft with holes is still valid YAML
    assert not result.clean and (tmp_path / "nhap.yaml").exists()
    inferred = [p for p in result.problems if p.code == "import-code-inferred"]
    assert [p.params["code"] for p in inferred] == ["1.1.1", "1.1.2"]
    assert inferred[0].path == "bảng 1, dòng 4"
    text = (tmp_path / "nhap.yaml").read_text(encoding="utf-8")
    assert "penalty:" in text and '"Điểm trừ: chậm báo cáo", max: 1' in text
    assert '{code: "1.1.1", title: "Ban hành đúng hạn", max: 2, reducible: true}' in text


def test_files_with_no_or_two_tables(tmp_path: Path) -> None:
    from docx import Document

    empty = tmp_path / "trong.docx"
    Document().save(empty)
    with pytest.raises(CchcError) as err:
        imported(tmp_path, empty)
    assert [p.code for p in err.value.problems] == ["import-no-table"]
    two = small(tmp_path / "hai.docx", [["I", "A", "10", ""]], extra_table=True)
    with pytest.raises(CchcError) as err:
        imported(tmp_path, two)
    assert [p.code for p in err.value.problems] == ["import-two-tables"]
    broken = tmp_path / "hong.docx"
    broken.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(CchcError) as err:
        imported(tmp_path, broken)
    assert [p.code for p in err.value.problems] == ["unreadable-file"]
    with pytest.raises(CchcError) as err:
        imported(tmp_path, tmp_path / "nhap.txt")
    assert [p.code for p in err.value.problems] == ["file-not-found"]


def test_the_command(tmp_path: Path, cli: Any, cs2021: CriteriaSet) -> None:
    source = annex_docx(tmp_path / "phu-luc.docx", cs2021)
    out = tmp_path / "bo.yaml"
    run = cli("criteria", "import", str(source), "-o", str(out), "--years", "2021-")
    assert run.exit_code == 0, run.stderr
    assert cli("criteria", "check", str(out)).exit_code == 0
    run = cli("criteria", "import", str(small(tmp_path / "x.docx", [["I", "A", "", ""]])),
              "-o", str(tmp_path / "x.yaml"))
    assert run.exit_code == 1 and "[import-no-max]" in run.stderr


def test_diff_of_two_sets(cs2019: CriteriaSet, cs2021: CriteriaSet, tmp_path: Path,
                          cli: Any) -> None:
    from cchc_cli.engine.setdiff import diff_sets

    same = diff_sets(cs2021, cs2021)
    assert same.changes == [] and same.suggestions == []
    text = cs2021.path.read_text(encoding="utf-8")  # type: ignore[union-attr]
    edited = text.replace('title: "Báo cáo CCHC định kỳ đầy đủ, đúng thời hạn"',
                          'title: "Báo cáo định kỳ về CCHC"')
    assert edited != text
    edited = edited.replace("id: soc-trang-so-2021", "id: sua-doi")
    path = tmp_path / "sua-doi.yaml"
    path.write_text(edited, encoding="utf-8")
    run = cli("criteria", "diff", cs2021.id, str(path), "--json")
    assert run.exit_code == 0, run.stderr
    import json

    data = json.loads(run.stdout)
    assert data["changes"] == [{"kind": "renamed", "code": "1.2.1",
                                "before": "Báo cáo CCHC định kỳ đầy đủ, đúng thời hạn",
                                "after": "Báo cáo định kỳ về CCHC"}]
    across = diff_sets(cs2019, cs2021)
    kinds = {c.kind for c in across.changes}
    assert {"added", "removed", "renamed", "max"} <= kinds
    assert any(s.code == "8.6.2" and s.replaces == "6.4" for s in across.suggestions)
    shown = cli("criteria", "diff", cs2019.id, cs2021.id)
    assert "Gợi ý replaces" in shown.stdout and "đổi tên" in shown.stdout


def test_rows_that_cannot_be_placed(tmp_path: Path) -> None:
    rows = [["I", "Chỉ đạo điều hành", "10", ""], ["1.1", "Kế hoạch", "10", ""],
            ["1.1", "Kế hoạch (lặp lại)", "1", ""], ["3.2", "Không có lĩnh vực 3", "1", ""],
            ["1.2", "Điểm lạ", "hai", ""]]
    problems = imported(tmp_path, small(tmp_path / "a.docx", rows)).problems
    codes = [p.code for p in problems]
    assert "import-duplicate-code" in codes and "import-orphan" in codes
    assert "import-max-unreadable" in codes
    orphan = next(p for p in problems if p.code == "import-orphan")
    assert (orphan.path, orphan.params["parent"]) == ("bảng 1, dòng 5", "3")
    with pytest.raises(CchcError) as err:
        imported(tmp_path, _touch(tmp_path / "bang.pdf"))
    assert [p.code for p in err.value.problems] == ["import-format"]


def _touch(path: Path) -> Path:
    path.write_bytes(b"%PDF-1.4")
    return path


def test_a_sum_that_does_not_add_up_names_the_yaml_line_and_the_source_row(
        tmp_path: Path) -> None:
    rows = [["I", "Chỉ đạo điều hành", "10", ""], ["1.1", "Kế hoạch", "4", ""],
            ["1.2", "Báo cáo", "5", ""]]
    problems = imported(tmp_path, small(tmp_path / "a.docx", rows)).problems
    mismatch = next(p for p in problems if p.code == "criteria-max-mismatch")
    assert mismatch.line is not None and mismatch.path.endswith("← bảng 1, dòng 2")
