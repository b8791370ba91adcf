"""Writing unit workbooks in the canonical template (used for samples and test fixtures).

``unit_sheets`` lays out a unit's data as the template's sheets — parent rows (fields and
criteria) included, in bold, as offices print them — and ``write_workbook`` saves any sheets
with openpyxl. openpyxl is imported here only, never on the scoring path.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from cchc_cli.model.criteria import CriteriaSet, FieldSpec, Item
from cchc_cli.model.decimals import localize, plain
from cchc_cli.model.text import writable
from cchc_cli.model.unit import UnitWorkbook, figure_key
from cchc_cli.output.files import print_as_appendix
from cchc_cli.output.guard import CREATOR, PathLike, write_output
from cchc_cli.reading.workbook import APPRAISAL, FIGURES, INFO_SHEET, SELF, SURVEY

Rows = list[list[Any]]


def _walk(node: FieldSpec | Item, depth: int = 0):
    yield node, depth
    children = node.criteria if isinstance(node, FieldSpec) else node.subcriteria
    for child in children:
        yield from _walk(child, depth + 1)


def figure_rows(cs: CriteriaSet,
                values: Mapping[str, Mapping[str, tuple[Decimal | None, Decimal | None]]],
                *, appraised: bool = True) -> Rows:
    """The "Số liệu" sheet: a header, then one row per figure of each item in ``values``,
    labelled in Vietnamese from the set's rule."""
    rows: Rows = [[c.label for c in FIGURES.columns]]
    for code, given in values.items():
        leaf = cs.leaves[code]
        for name, label in leaf.figures:
            own, council = given.get(name, (None, None))
            rows.append([code, name, label, own, council if appraised else None])
    return rows


_LINE_POINTS = 15  # the height of one wrapped line of 11-pt text


def _writable(value: Any) -> Any:
    return writable(value) if isinstance(value, str) else value


def _adjustment_items(cs: CriteriaSet) -> list[tuple[str, Any]]:
    spec = cs.adjustments
    if spec is None:
        return []
    return [("bonus", a) for a in spec.bonus] + [("penalty", a) for a in spec.penalty]


# --- the blank template handed out to units ------------------------------------------------------

SELF_HEADERS = [c.label for c in SELF.columns]
APPRAISAL_HEADERS = [c.label for c in APPRAISAL.columns]


def write_template(cs: CriteriaSet, path: PathLike, *, code: str, name: str, year: int,
                   group: str | None = None, filled: UnitWorkbook | None = None,
                   inputs: Iterable[PathLike] = (), force: bool = False) -> Path:
    """The canonical workbook for one unit, hard to fill in wrong.

    Every scored item is pre-filled (code as text, so Excel cannot turn 1.10 into 1.1; title;
    max); score cells accept only a number between the item's min and max; "Không phát sinh"
    offers "x" only where the set allows a reduction; parent rows are bold with live subtotal
    formulas; the sheets are protected except the cells to fill. With ``filled`` (a unit's
    self-assessed workbook), the self-assessment is copied and an appraisal sheet is added,
    prefilled with the unit's scores for the council to edit, with the survey sheet.

    A template is a unit's workbook to be: it says cchc made it, but does not carry the
    output mark, so it is scored and never replaced as an output would be.

    Text from the criteria set and the unit (codes, titles, name, group) is written as an
    .xlsx can hold it (see :func:`text.writable`).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    book.properties.creator = CREATOR
    bold = Font(bold=True)
    unlocked = Protection(locked=False)
    grey = PatternFill("solid", fgColor="EEEEEE")
    to_fill = PatternFill("solid", fgColor="FFF8DC")
    wrap = Alignment(wrap_text=True, vertical="top")

    def protect(ws) -> None:
        ws.protection.sheet = True
        ws.protection.formatColumns = False  # people may still widen columns
        ws.protection.formatRows = False

    subtotals: set[tuple[str, str]] = set()  # the formulas cchc writes itself
    info = book.active
    info.title = INFO_SHEET[0]
    rows = [("Thông tin đơn vị", ""), ("Mã đơn vị", code), ("Tên đơn vị", name), ("Năm", year),
            ("Nhóm", group or cs.group), ("Bộ tiêu chí", cs.id)]
    for r, (key, value) in enumerate(rows, start=1):
        info.cell(row=r, column=1, value=key).font = bold
        cell = info.cell(row=r, column=2, value=_writable(value))
        if r > 1:
            cell.protection = unlocked
            cell.fill = to_fill
    info.column_dimensions["A"].width, info.column_dimensions["B"].width = 22, 45
    protect(info)

    def scored_sheet(title: str, headers: list[str], points_key: str,
                     value_of, mark_of, extra_unlocked: tuple[str, ...]) -> None:
        ws = book.create_sheet(title)
        ws.append(headers)
        for cell in ws[1]:
            cell.font = bold
            cell.alignment = wrap
        col = {h: i + 1 for i, h in enumerate(headers)}
        points_col = col[points_key]
        validations: dict[tuple[Decimal, Decimal], DataValidation] = {}
        mark = DataValidation(type="list", formula1='"x"', allow_blank=True,
                              showErrorMessage=True, errorStyle="stop",
                              errorTitle="Không phát sinh",
                              error="Chỉ ghi x nếu tiêu chí không phát sinh (hạ chuẩn).")
        ws.add_data_validation(mark)
        child_rows: dict[str, list[int]] = {}
        parent_rows: dict[str, int] = {}
        for spec in cs.fields:
            for node, _depth in _walk(spec):
                r = ws.max_row + 1
                leaf = cs.leaves.get(node.code)
                parent_code = None if leaf is None and node.code == spec.code else (
                    node.code.rsplit(".", 1)[0])
                if parent_code:
                    child_rows.setdefault(parent_code, []).append(r)
                ws.cell(row=r, column=col["Mã"], value=writable(node.code)).number_format = "@"
                ws.cell(row=r, column=col["Nội dung"],
                        value=writable(node.title)).alignment = wrap
                lines = -(-len(node.title) * 11 // 600)  # ~60 characters a line
                if lines > 1:
                    ws.row_dimensions[r].height = lines * _LINE_POINTS
                if "Điểm tối đa" in col:
                    ws.cell(row=r, column=col["Điểm tối đa"], value=node.max)
                if leaf is None:
                    parent_rows[node.code] = r
                    for cell in ws[r]:
                        cell.font = bold
                    continue
                score = ws.cell(row=r, column=points_col, value=value_of(leaf))
                if leaf.scoring == "survey" and points_key == "Điểm tự đánh giá":
                    score.fill = grey  # scored by survey, not by the unit
                    if "Tài liệu kiểm chứng" in col:
                        ws.cell(row=r, column=col["Tài liệu kiểm chứng"], value="Điều tra XHH")
                    continue
                score.protection, score.fill = unlocked, to_fill
                key = (leaf.min, leaf.max)
                if key not in validations:
                    dv = DataValidation(
                        type="decimal", operator="between", formula1=str(leaf.min),
                        formula2=str(leaf.max), allow_blank=True, showErrorMessage=True,
                        errorStyle="stop", errorTitle="Điểm",
                        error=f"Điểm là một số từ {localize(plain(leaf.min), 'vi')} đến "
                              f"{localize(plain(leaf.max), 'vi')}.")
                    ws.add_data_validation(dv)
                    validations[key] = dv
                validations[key].add(score)
                na = ws.cell(row=r, column=col["Không phát sinh"], value=mark_of(leaf))
                if leaf.reducible:
                    na.protection, na.fill = unlocked, to_fill
                    mark.add(na)
                else:
                    na.fill = grey
                for header in extra_unlocked:
                    if header in col:
                        cell = ws.cell(row=r, column=col[header])
                        cell.protection, cell.alignment = unlocked, wrap
        for adj_kind, adj in _adjustment_items(cs):  # bonus and penalty, after the tree
            r = ws.max_row + 1
            ws.cell(row=r, column=col["Mã"], value=writable(adj.code)).number_format = "@"
            word = "Điểm thưởng" if adj_kind == "bonus" else "Điểm trừ"
            ws.cell(row=r, column=col["Nội dung"],
                    value=writable(f"{word}: {adj.title}")).alignment = wrap
            if "Điểm tối đa" in col:
                ws.cell(row=r, column=col["Điểm tối đa"], value=adj.max)
            score = ws.cell(row=r, column=points_col)
            score.protection, score.fill = unlocked, to_fill
            dv = DataValidation(type="decimal", operator="between", formula1="0",
                                formula2=str(adj.max), allow_blank=True,
                                showErrorMessage=True, errorStyle="stop", errorTitle=word,
                                error=f"{word} là một số từ 0 đến "
                                f"{localize(plain(adj.max), 'vi')}.")
            ws.add_data_validation(dv)
            dv.add(score)
        letter = get_column_letter(points_col)
        for code_, r in parent_rows.items():
            cells = ",".join(f"{letter}{c}" for c in child_rows.get(code_, []))
            subtotal = ws.cell(row=r, column=points_col, value=f"=SUM({cells})" if cells else None)
            subtotals.add((ws.title, subtotal.coordinate))
        widths = {"Mã": 9, "Nội dung": 60, "Tài liệu kiểm chứng": 35, "Ghi chú": 25,
                  "Lý do trừ điểm": 45, "Trách nhiệm": 30}
        for header, c in col.items():
            ws.column_dimensions[get_column_letter(c)].width = widths.get(header, 12)
        ws.freeze_panes = "A2"
        print_as_appendix(ws, 1)
        protect(ws)

    own = filled.self_sheet if filled else None

    def self_value(leaf):
        row = own.get(leaf.code) if own else None
        value = row.values.get("points") if row else None
        return value if isinstance(value, Decimal) else None

    def self_mark(leaf):
        row = own.get(leaf.code) if own else None
        return "x" if row and row.values.get("not_applicable") is True else None

    scored_sheet(SELF.label, SELF_HEADERS, "Điểm tự đánh giá", self_value, self_mark,
                 ("Tài liệu kiểm chứng", "Ghi chú"))
    if filled is not None:
        scored_sheet(APPRAISAL.label, APPRAISAL_HEADERS, "Điểm thẩm định", self_value,
                     self_mark, ("Lý do trừ điểm", "Trách nhiệm", "Điểm thẩm định lần 2"))
        ws = book.create_sheet(SURVEY.label)
        ws.append([c.label for c in SURVEY.columns])
        for cell in ws[1]:
            cell.font = bold
        for leaf in cs.leaves.values():
            if leaf.scoring == "survey":
                ws.append([writable(leaf.code), writable(leaf.title), None, None])
                ws.cell(row=ws.max_row, column=1).number_format = "@"
        ws.column_dimensions["B"].width = 60
        ws.freeze_panes = "A2"
    ruled = [leaf for leaf in cs.leaves.values() if leaf.rule is not None and leaf.figures]
    if ruled:  # the figures the set's rules read, one row each, labelled from the rule
        ws = book.create_sheet(FIGURES.label)
        given = {(row.code, figure_key(row.figure)): row
                 for row in (filled.figures.rows.values() if filled and filled.figures else [])}

        def declared(code: str, name: str) -> Decimal | None:
            row = given.get((code, figure_key(name)))
            return row.declared if row is not None and isinstance(row.declared, Decimal) else None

        figure_table = figure_rows(cs, {leaf.code: {name: (declared(leaf.code, name), None)
                                            for name, _label in leaf.figures}
                                for leaf in ruled})
        for r, values in enumerate(figure_table, start=1):
            ws.append([_writable(value) for value in values])
            if r == 1:
                for cell in ws[1]:
                    cell.font, cell.alignment = bold, wrap
                continue
            ws.cell(row=r, column=1).number_format = "@"
            ws.cell(row=r, column=3).alignment = wrap
            for c in [4, 5] if filled is not None else [4]:
                cell = ws.cell(row=r, column=c)
                cell.protection, cell.fill = unlocked, to_fill
        for c, width in enumerate((9, 14, 60, 16, 16), start=1):
            ws.column_dimensions[get_column_letter(c)].width = width
        ws.freeze_panes = "A2"
        protect(ws)
    for ws in book.worksheets:  # text that starts with "=" (a title) stays text
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f" and (ws.title, cell.coordinate) not in subtotals:
                    cell.data_type = "s"
    return write_output(path, book.save, formats=(".xlsx",), inputs=inputs, force=force)
