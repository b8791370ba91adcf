"""Reports people hand on, as Word documents (python-docx, imported only here).

Official documents use A4, Times New Roman 13; appendix tables are wide, so pages are
landscape, tables have borders and their header row repeats on every page.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cchc_cli.model.text import writable
from cchc_cli.output.files import TABLE_SUFFIXES, write_tables
from cchc_cli.output.guard import CREATOR, OUTPUT_MARK, check_outputs, write_output
from cchc_cli.output.reports import Document
from cchc_cli.output.table import NUMBER_KINDS, Figure, cell_text

FONT = "Times New Roman"
SIZE = 13
# Nghị định 30/2020/NĐ-CP, Phụ lục I: top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm
DECREE_MARGINS_CM = {"top_margin": 2.0, "bottom_margin": 2.0, "left_margin": 3.0,
                     "right_margin": 1.5}
WIDE_COLUMNS = 10  # a table wider than this is set in TABLE_SIZE_WIDE points to fit the page
TABLE_SIZE_WIDE = 11
VERY_WIDE_COLUMNS = 12  # and one point smaller past this (the annex: 7 columns + 8 fields)


def write_docx(document: Document, path: str | os.PathLike[str], *, decimals: int = 2,
               lang: str = "vi", inputs: Iterable[Path] = (), force: bool = False) -> Path:
    from docx import Document as Docx
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Docx()
    doc.core_properties.author, doc.core_properties.keywords = CREATOR, OUTPUT_MARK
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    margins = DECREE_MARGINS_CM if document.decree else {
        side: 2.0 for side in ("left_margin", "right_margin", "top_margin", "bottom_margin")}
    for side, cm in margins.items():
        setattr(section, side, Cm(cm))
    text_width = 29.7 - margins["left_margin"] - margins["right_margin"]
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(SIZE)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)

    def add_run(p: Any, text: str) -> Any:
        """Every text enters the document here, as a .docx can hold it (text.writable)."""
        return p.add_run(writable(text))

    def paragraph(text: str, *, bold: bool = False, italic: bool = False,
                  center: bool = False) -> None:
        p = doc.add_paragraph()
        run = add_run(p, text)
        run.bold, run.italic = bold, italic
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER

    if document.heading:
        paragraph(document.heading, bold=True, center=True)
    paragraph(document.title, bold=True, center=True)
    if document.subtitle:
        paragraph(document.subtitle, italic=True, center=True)
    for text in document.before:
        paragraph(text)
    for table in document.tables:
        if len(document.tables) > 1:
            paragraph(table.title, bold=True)
        grid = doc.add_table(rows=1, cols=len(table.columns))
        grid.style = "Table Grid"
        grid.alignment = WD_TABLE_ALIGNMENT.CENTER
        header = grid.rows[0]
        repeat = OxmlElement("w:tblHeader")  # the header row repeats on every page
        repeat.set(qn("w:val"), "true")
        header._tr.get_or_add_trPr().append(repeat)
        small = Pt(TABLE_SIZE_WIDE - (len(table.columns) > VERY_WIDE_COLUMNS)) \
            if len(table.columns) > WIDE_COLUMNS else None
        for note in table.notes if len(document.tables) > 1 or document.decree else ():
            paragraph(note, italic=True)
        for cell, column in zip(header.cells, table.columns, strict=True):
            cell.text = ""
            run = add_run(cell.paragraphs[0], column.header)
            run.bold = True
            if small:
                run.font.size = small
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        for values in table.rows:
            row = grid.add_row()
            row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # never mid-row
            summary = values[0] in ("", None) and any(values[1:])  # a "Cộng" row
            for cell, value, column in zip(row.cells, values, table.columns, strict=True):
                run = add_run(cell.paragraphs[0], cell_text(value, column, decimals, lang))
                run.bold = summary
                if small:
                    run.font.size = small
                if column.kind in NUMBER_KINDS or isinstance(value, Figure):
                    cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        widths = [column.width or 12 for column in table.columns]
        grid.autofit = False
        for i, share in enumerate(widths):  # share the page's width as the columns ask
            width = Cm(text_width * share / sum(widths))
            grid.columns[i].width = width
            for row in grid.rows:
                row.cells[i].width = width
    for text in document.after:
        paragraph(text)
    return write_output(path, doc.save, formats=(".docx",), inputs=inputs, force=force)


def write_document(document: Document, path: str | os.PathLike[str], *, decimals: int = 2,
                   lang: str = "vi", inputs: Iterable[Path] = (), force: bool = False) -> Path:
    """.docx as a Word document; .xlsx or .csv as the document's tables."""
    path, inputs = Path(path), list(inputs)
    # checked here too, so an unknown suffix is told every format a report can take
    check_outputs((path, (".docx", *TABLE_SUFFIXES)), inputs=inputs, force=force)
    if path.suffix.lower() == ".docx":
        return write_docx(document, path, decimals=decimals, lang=lang, inputs=inputs,
                          force=force)
    return write_tables(path, document.tables, decimals=decimals, inputs=inputs, force=force)
