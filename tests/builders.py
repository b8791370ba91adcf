"""Builders of unit workbooks for the tests, the fuzzer and samples/build.py: a unit's sheets
from a criteria set and what it and its appraisers wrote (``unit_sheets``), saved as .xlsx
(``write_workbook``). Not part of the installed package: `cchc template` writes the workbook
units fill in (cchc_cli/output/template.py).
"""

from __future__ import annotations

import datetime
import os
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from cchc_cli.model.criteria import CriteriaSet
from cchc_cli.output.template import _LINE_POINTS, Rows, _walk, figure_rows
from cchc_cli.reading.workbook import APPRAISAL, FIGURES, INFO_SHEET, SELF, SURVEY, SheetSpec


@dataclass(frozen=True)
class Entry:
    """What a unit and its appraisers wrote for one item (``None``: the cell is empty)."""

    self_score: Decimal | None = None
    self_na: bool = False
    appraised: Decimal | None = None
    appraised2: Decimal | None = None
    na: bool = False
    reason: str = ""
    responsible: str = ""
    evidence: str = ""
    survey: Decimal | None = None
    # the figures its rule reads: name → (the unit's value, the council's; None: empty)
    figures: Mapping[str, tuple[Decimal | None, Decimal | None]] | None = None


class Bold(list):
    """A row printed in bold: a field's or criterion's row (not scored)."""


def _row(spec: SheetSpec, values: Mapping[str, Any], bold: bool = False) -> list[Any]:
    row = [values.get(column.key) for column in spec.columns]
    return Bold(row) if bold else row


def unit_sheets(cs: CriteriaSet, info: Mapping[str, Any], entries: Mapping[str, Entry], *,
                appraised: bool = True, with_survey: bool = True) -> dict[str, Rows]:
    """The template's sheets for one unit. Items missing from ``entries`` get full marks."""
    sheets: dict[str, Rows] = {
        INFO_SHEET[0]: [["Thông tin đơn vị", ""]] + [[k, v] for k, v in info.items()],
    }
    own: Rows = [[c.label for c in SELF.columns]]
    review: Rows = [[c.label for c in APPRAISAL.columns]]
    survey: Rows = [[c.label for c in SURVEY.columns]]
    for spec in cs.fields:
        for node, _depth in _walk(spec):
            leaf = cs.leaves.get(node.code)
            if leaf is None:  # a parent row: printed, not scored
                parent = {"code": node.code, "title": node.title, "max": node.max}
                own.append(_row(SELF, parent, bold=True))
                review.append(_row(APPRAISAL, parent, bold=True))
                continue
            e = entries.get(node.code, Entry())
            about = {"code": leaf.code, "title": leaf.title, "max": leaf.max}
            if leaf.scoring == "survey":
                own.append(_row(SELF, {**about, "evidence": "Điều tra XHH"}))
                points = None if e.na else (leaf.max if e.survey is None else e.survey)
                survey.append(_row(SURVEY, {**about, "points": points,
                                            "not_applicable": "x" if e.na else None}))
                continue
            own.append(_row(SELF, {
                **about,
                "points": None if e.self_na
                else leaf.max if e.self_score is None else e.self_score,
                "not_applicable": "x" if e.self_na else None,
                "evidence": e.evidence or None,
            }))
            review.append(_row(APPRAISAL, {
                **about,
                "points": None if e.na else (leaf.max if e.appraised is None else e.appraised),
                "points2": None if e.na else e.appraised2,
                "not_applicable": "x" if e.na else None,
                "reason": e.reason or None,
                "responsible": e.responsible or None,
            }))
    sheets[SELF.label] = own
    if appraised:
        sheets[APPRAISAL.label] = review
    if with_survey and len(survey) > 1:
        sheets[SURVEY.label] = survey
    figures = figure_rows(cs, {code: e.figures for code, e in entries.items() if e.figures},
                          appraised=appraised)
    if len(figures) > 1:
        sheets[FIGURES.label] = figures
    return sheets


_WIDTHS = {"Mã": 9, "Nội dung": 55, "Lý do trừ điểm": 55, "Trách nhiệm": 40,
           "Tài liệu kiểm chứng": 30, "Thông tin đơn vị": 22}


def write_workbook(path: str | os.PathLike[str], sheets: Mapping[str, Rows]) -> Path:
    """Save ``sheets`` (name → rows of values) as .xlsx. The header row (the first row
    starting with "Mã") is bold and frozen; :class:`Bold` rows are bold; long text wraps in
    rows tall enough to show it; pages print landscape, one page wide."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    path = Path(path)
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    wrap, top = Alignment(wrap_text=True, vertical="top"), Alignment(vertical="top")
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        header = next((r for r, row in enumerate(rows, start=1) if row and row[0] == "Mã"), None)
        widths = [_WIDTHS.get(str(title), 16) for title in rows[header - 1]] if header \
            else [22, 40]
        for c, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(c)].width = width
        for r, row in enumerate(rows, start=1):
            ws.append(list(row))  # openpyxl writes Decimal as a number, exactly
            if r == header or isinstance(row, Bold):
                for cell in ws[r]:
                    cell.font = bold
            lines = 1
            for c, value in enumerate(row):
                if isinstance(value, str) and c < len(widths) and len(value) > widths[c]:
                    ws.cell(row=r, column=c + 1).alignment = wrap
                    lines = max(lines, -(-len(value) * 11 // (widths[c] * 10)))
            if lines > 1:
                ws.row_dimensions[r].height = lines * _LINE_POINTS
                for cell in ws[r]:
                    if not cell.alignment.wrap_text:
                        cell.alignment = top
        if header:
            ws.freeze_panes = ws.cell(row=header + 1, column=1)
            ws.print_title_rows = f"{header}:{header}"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.properties.created = book.properties.modified = _FIXED_TIME
    book.save(path)
    _fix_timestamps(path)
    return path


# openpyxl stamps the time into the document's properties and into every zip member: a fixed
# time makes two builds of the same sheets byte-identical, so a rebuild shows only real changes
_FIXED_TIME = datetime.datetime(2026, 1, 1)


def _fix_timestamps(path: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info.filename)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in members:
            if info.filename == "docProps/core.xml":  # openpyxl sets "modified" as it saves
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-01-01T00:00:00Z",
                              data)
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type, fixed.external_attr = zipfile.ZIP_DEFLATED, info.external_attr
            out.writestr(fixed, data)
