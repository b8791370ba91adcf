"""The catalog of everything `cchc` can find wrong with an input.

Each kind of problem has a stable kebab-case code, a severity (an *error* blocks scoring of
that unit; a *warning* does not) and a message template in Vietnamese and English. A reported
:class:`Problem` carries where it is: file, sheet and cell (``Thẩm định!D14``) for workbooks,
line and path (``fields[2].criteria[0].max``) for criteria YAML, and the criterion code.

The whole workbook (or YAML file) is checked before anything is reported, so a user sees all
problems at once, not the first one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Kind:
    code: str
    severity: Severity
    vi: str
    en: str


E, W = Severity.ERROR, Severity.WARNING

_KINDS = (
    # --- files -----------------------------------------------------------------------------
    Kind("file-not-found", E, "không tìm thấy tệp hoặc thư mục", "file or folder not found"),
    Kind(
        "not-a-workbook",
        E,
        "không phải bảng tính (.xlsx, .xlsm, .xls, .ods)",
        "not a workbook (.xlsx, .xlsm, .xls, .ods)",
    ),
    Kind(
        "unreadable-workbook",
        E,
        "không đọc được bảng tính (tệp hỏng, rỗng hoặc bị khóa): {detail}",
        "cannot read the workbook (corrupted, empty or locked): {detail}",
    ),
    Kind("unreadable-file", E, "không đọc được tệp: {detail}", "cannot read the file: {detail}"),
    Kind(
        "file-locked",
        E,
        "không mở được tệp (đang mở trong chương trình khác hoặc không có quyền đọc): {detail}",
        "cannot open the file (open in another program, or no permission to read): {detail}",
    ),
    Kind(
        "password-protected",
        E,
        "bảng tính có mật khẩu; hãy lưu lại không đặt mật khẩu",
        "the workbook is password-protected; save a copy without a password",
    ),
    Kind(
        "no-workbooks",
        E,
        "thư mục không có bảng tính nào (.xlsx, .xlsm, .xls, .ods)",
        "the folder holds no workbook (.xlsx, .xlsm, .xls, .ods)",
    ),
    Kind(
        "year-mismatch",
        E,
        "bảng tính ghi năm {year} nhưng nằm trong thư mục năm {folder}",
        "the workbook says year {year} but sits in the folder of {folder}",
    ),
    Kind(
        "duplicate-unit",
        E,
        "đơn vị {unit} có hai bảng tính trong cùng thư mục (cũng ở {other})",
        "unit {unit} has two workbooks in one folder (also {other})",
    ),
    Kind(
        "unit-not-found",
        E,
        "không có đơn vị {unit} trong {folder}",
        "no unit {unit} in {folder}",
    ),
    Kind(
        "output-is-input",
        E,
        "tệp kết quả trùng với một tệp đầu vào; hãy chọn tên khác",
        "the output file is one of the inputs; choose another name",
    ),
    Kind(
        "output-format",
        E,
        "chỉ ghi được tệp {formats}",
        "can only write {formats} files",
    ),
    # --- sheets and headers ------------------------------------------------------------------
    Kind(
        "missing-sheet",
        E,
        "thiếu trang tính “{sheet}” (các trang có: {present})",
        "sheet “{sheet}” is missing (sheets present: {present})",
    ),
    Kind(
        "missing-header",
        E,
        "không tìm thấy dòng tiêu đề có cột “Mã” trong {rows} dòng đầu",
        "no header row with a “Mã” column in the first {rows} rows",
    ),
    Kind(
        "missing-column",
        E,
        "thiếu cột “{column}” ở dòng tiêu đề {row}",
        "column “{column}” is missing from the header row {row}",
    ),
    Kind(
        "missing-info",
        E,
        "trang “Thông tin” thiếu “{key}”",
        "sheet “Thông tin” has no “{key}”",
    ),
    Kind(
        "info-from-filename",
        W,
        "không có trang “Thông tin”; lấy mã đơn vị {unit} từ tên tệp và năm {year}",
        "no “Thông tin” sheet; unit code {unit} taken from the file name, year {year}",
    ),
    Kind(
        "invalid-year",
        E,
        "“{value}” không phải là một năm",
        "“{value}” is not a year",
    ),
    # --- choosing the criteria set -----------------------------------------------------------
    Kind(
        "unknown-criteria-set",
        E,
        "không có bộ tiêu chí “{id}” (các bộ hiện có: {known})",
        "no criteria set “{id}” (known sets: {known})",
    ),
    Kind(
        "no-criteria-set",
        E,
        "không có bộ tiêu chí nào cho nhóm “{group}”, năm {year}",
        "no criteria set for group “{group}”, year {year}",
    ),
    Kind(
        "ambiguous-criteria-set",
        E,
        "nhiều bộ tiêu chí phù hợp ({ids}); ghi mã bộ tiêu chí vào ô “Bộ tiêu chí”",
        "several criteria sets fit ({ids}); name one in the “Bộ tiêu chí” cell",
    ),
    Kind(
        "criteria-set-year",
        E,
        "bộ tiêu chí “{id}” áp dụng cho {years}, không áp dụng cho năm {year}",
        "criteria set “{id}” applies to {years}, not to {year}",
    ),
    # --- criteria YAML -----------------------------------------------------------------------
    Kind("criteria-yaml-syntax", E, "YAML sai cú pháp: {detail}", "invalid YAML: {detail}"),
    Kind("criteria-invalid", E, "{detail_vi}", "{detail_en}"),
    Kind(
        "criteria-duplicate-key",
        E,
        "khóa “{key}” xuất hiện hai lần",
        "key “{key}” appears twice",
    ),
    Kind(
        "criteria-max-mismatch",
        E,
        "điểm tối đa {max} khác tổng điểm tối đa các mục con {sum}",
        "max {max} differs from the sum of its children's max, {sum}",
    ),
    Kind(
        "criteria-total-mismatch",
        E,
        "tổng điểm tối đa các lĩnh vực là {sum}, khác tổng điểm khai báo {total}",
        "the fields' max add up to {sum}, not the declared total {total}",
    ),
    Kind(
        "criteria-duplicate-code",
        E,
        "mã “{criterion}” đã dùng ở dòng {other_line}",
        "code “{criterion}” is already used on line {other_line}",
    ),
    Kind(
        "criteria-code-not-nested",
        E,
        "mã “{criterion}” không nằm dưới mã cha “{parent}”",
        "code “{criterion}” does not nest under its parent's code “{parent}”",
    ),
    Kind(
        "criteria-duplicate-id",
        E,
        "mã bộ tiêu chí “{id}” trùng với tệp {other}",
        "criteria-set id “{id}” is also used by {other}",
    ),
    Kind(
        "criteria-too-large",
        E,
        "tệp lớn hơn giới hạn {limit} (một bộ tiêu chí thật khoảng 30 KB); không đọc",
        "the file is larger than the limit of {limit} (a real criteria set is about 30 KB); "
        "not read",
    ),
    Kind(
        "criteria-too-many-values",
        E,
        "YAML có quá {limit} giá trị (tính cả các giá trị mà bí danh *… lặp lại); dừng đọc",
        "the YAML holds more than {limit} values (counting those that aliases *… repeat); "
        "reading stopped",
    ),
    Kind(
        "criteria-too-deep",
        E,
        "YAML lồng nhau quá {limit} cấp; dừng đọc",
        "the YAML nests deeper than {limit} levels; reading stopped",
    ),
    Kind(
        "criteria-recursive-alias",
        E,
        "bí danh *{alias} nằm bên trong chính giá trị &{alias} mà nó trỏ tới; dừng đọc",
        "alias *{alias} sits inside the very value &{alias} it refers to; reading stopped",
    ),
    Kind(
        "criteria-key-not-scalar",
        E,
        "khóa phải là một giá trị đơn (chữ hoặc số), không phải danh sách hay bảng",
        "a key must be a single value (text or a number), not a list or a mapping",
    ),
    Kind(
        "criteria-number-range",
        E,
        "số {value} nằm ngoài giới hạn: phải hữu hạn, trị tuyệt đối không quá {max}, "
        "tối đa {decimals} chữ số thập phân và {length} ký tự",
        "the number {value} is out of range: it must be finite, at most {max} in absolute "
        "value, with at most {decimals} decimal places and {length} characters",
    ),
    Kind(
        "criteria-bad-value",
        E,
        "không đọc được giá trị “{value}”: {detail}",
        "cannot read the value “{value}”: {detail}",
    ),
    # --- items in the workbook ---------------------------------------------------------------
    Kind(
        "unknown-criterion",
        E,
        "mã “{criterion}” không có trong bộ tiêu chí {set}",
        "code “{criterion}” is not in criteria set {set}",
    ),
    Kind(
        "missing-criterion",
        E,
        "thiếu dòng của tiêu chí {criterion} ({title})",
        "no row for criterion {criterion} ({title})",
    ),
    Kind(
        "duplicate-criterion",
        E,
        "mã {criterion} xuất hiện hai lần (cũng ở {other})",
        "code {criterion} appears twice (also at {other})",
    ),
    Kind(
        "ambiguous-code",
        E,
        "mã {criterion} được nhập dạng số nên có thể là {alternatives}; hãy nhập mã dạng văn bản",
        "code {criterion} was entered as a number and could be {alternatives}; enter it as text",
    ),
    Kind(
        "invalid-mark",
        E,
        "“{value}” không rõ nghĩa ở cột “Không phát sinh”: "
        "ghi x nếu không phát sinh, để trống nếu có",
        "“{value}” is unclear in column “Không phát sinh”: "
        "write x if it does not arise, else leave it empty",
    ),
    Kind(
        "formula-without-value",
        E,
        "ô có công thức {value} nhưng chưa có giá trị (tệp do phần mềm tạo, chưa mở bằng Excel?); "
        "hãy mở và lưu lại bằng Excel hoặc nhập số",
        "the cell holds the formula {value} but no value (written by a program, never opened in "
        "Excel?); open and save it in Excel, or type the number",
    ),
    Kind(
        "error-cell",
        E,
        "ô đang báo lỗi {value}; hãy sửa công thức hoặc nhập số",
        "the cell shows the error {value}; fix the formula or type the number",
    ),
    Kind(
        "not-a-number",
        E,
        "“{value}” không phải là số điểm (chỉ ghi số, ví dụ 0,5 hoặc 0.5)",
        "“{value}” is not a number of points (write a number, e.g. 0,5 or 0.5)",
    ),
    Kind(
        "score-above-max",
        E,
        "{column} {value} lớn hơn điểm tối đa {max}",
        "{column} {value} is above the maximum {max}",
    ),
    Kind(
        "score-below-min",
        E,
        "{column} {value} nhỏ hơn điểm tối thiểu {min}",
        "{column} {value} is below the minimum {min}",
    ),
    Kind(
        "score-missing",
        E,
        "chưa có {column} cho tiêu chí áp dụng",
        "no {column} for an applicable criterion",
    ),
    Kind(
        "not-reducible",
        E,
        "tiêu chí {criterion} không được hạ chuẩn nhưng được đánh dấu “Không phát sinh”",
        "criterion {criterion} may not be reduced but is marked “Không phát sinh”",
    ),
    Kind(
        "not-applicable-with-score",
        E,
        "vừa đánh dấu “Không phát sinh” vừa có điểm {value}",
        "marked “Không phát sinh” and also given {value} points",
    ),
    Kind(
        "survey-score-missing",
        W,
        "chưa có điểm điều tra XHH của {n} tiêu chí ({codes}); kết quả là tạm tính",
        "no survey score for {n} criteria ({codes}); the result is provisional",
    ),
    Kind(
        "self-score-missing",
        W,
        "chưa có điểm tự đánh giá; không tính được tổng tự đánh giá",
        "no self-assessed score; the self-assessed totals cannot be computed",
    ),
    Kind(
        "rule-mismatch",
        W,
        "{column} ghi {value}, quy tắc chấm trên số liệu thẩm định cho {rule} ({working}); "
        "{counts}",
        "{column} says {value}; the scoring rule on the appraised figures gives {rule} "
        "({working}); {counts_en}",
    ),
    Kind(
        "rule-figures-missing",
        W,
        "thiếu số liệu {names} cho quy tắc chấm; không kiểm tra được điểm",
        "figures {names} for the scoring rule are missing; the points cannot be checked",
    ),
    Kind(
        "rule-division-by-zero",
        W,
        "quy tắc chấm chia cho 0 ({detail}); không tính được điểm từ số liệu",
        "the scoring rule divides by zero ({detail}); no points can be computed from the figures",
    ),
    Kind(
        "rule-too-large",
        W,
        "số liệu quá lớn để tính theo quy tắc chấm ({detail}); kiểm tra lại số liệu",
        "figures too large for the scoring rule ({detail}); check the figures",
    ),
    Kind(
        "unknown-figure",
        W,
        "số liệu “{figure}” không có trong quy tắc chấm của tiêu chí {criterion} "
        "(cần: {names}); bỏ qua",
        "figure “{figure}” is not used by the scoring rule of {criterion} (it uses: {names}); "
        "ignored",
    ),
    Kind(
        "figure-name-missing",
        W,
        "dòng số liệu của tiêu chí {criterion} có giá trị nhưng không ghi ký hiệu; bỏ qua",
        "a figures row of {criterion} has values but no name (Ký hiệu); ignored",
    ),
    Kind(
        "duplicate-figure",
        E,
        "số liệu “{figure}” của tiêu chí {criterion} ghi hai lần (cũng ở {other})",
        "figure “{figure}” of {criterion} is given twice (also at {other})",
    ),
    Kind(
        "adjustment-above-cap",
        W,
        "{kind} {value} vượt mức tối đa {cap}; chỉ tính {cap}",
        "{kind_en} {value} is above its cap {cap}; {cap} counted",
    ),
    Kind(
        "subtotal-mismatch",
        W,
        "dòng tổng {criterion} ghi {value}, tổng các tiêu chí con là {sum}",
        "the subtotal row {criterion} says {value}; its criteria add up to {sum}",
    ),
    Kind(
        "max-disagrees",
        W,
        "cột “Điểm tối đa” ghi {value}, bộ tiêu chí ghi {max}; dùng {max}",
        "column “Điểm tối đa” says {value}, the criteria set says {max}; using {max}",
    ),
)

CATALOG: Mapping[str, Kind] = {kind.code: kind for kind in _KINDS}


def _place(problem: Problem, lang: str) -> str:
    parts: list[str] = []
    if problem.file:
        parts.append(problem.file + (f":{problem.line}" if problem.line else ""))
    if problem.sheet and problem.cell:
        parts.append(f"{problem.sheet}!{problem.cell}")
    elif problem.sheet:
        parts.append(problem.sheet)
    if problem.path:
        parts.append(problem.path)
    if problem.criterion:
        parts.append(("tiêu chí " if lang == "vi" else "criterion ") + problem.criterion)
    return " · ".join(parts)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one input, and where it is."""

    code: str
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    criterion: str | None = None
    line: int | None = None
    path: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in CATALOG:  # a typo in our own code must not pass silently
            raise KeyError(f"problem code not in the catalog: {self.code}")

    @property
    def severity(self) -> Severity:
        return CATALOG[self.code].severity

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, str, int, int, str]:
        """File, sheet, then the cell's row and column — the order a reader scans in."""
        row = col = 0
        if self.cell:
            letters = self.cell.rstrip("0123456789")
            row = int(self.cell[len(letters):] or 0)
            for ch in letters:
                col = col * 26 + ord(ch) - 64
        return (self.file or "", self.sheet or "", row or (self.line or 0), col,
                self.criterion or "")

    def message(self, lang: str = "vi") -> str:
        kind = CATALOG[self.code]
        template = kind.en if lang == "en" else kind.vi
        values = {"criterion": self.criterion, "sheet": self.sheet, **self.params}
        return template.format_map(_Missing(values))

    def line_text(self, lang: str = "vi") -> str:
        """The one line printed for this problem, place first."""
        place = _place(self, lang)
        text = self.message(lang)
        return f"{place}: {text} [{self.code}]" if place else f"{text} [{self.code}]"

    def with_file(self, file: str) -> Problem:
        return self if self.file else replace(self, file=file)

    def as_dict(self, lang: str = "vi") -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": str(self.severity),
            "file": self.file,
            "sheet": self.sheet,
            "cell": self.cell,
            "criterion": self.criterion,
            "line": self.line,
            "message": self.message(lang),
        }


def catalog_markdown() -> str:
    """The catalog as a Markdown table (the README embeds it; a test keeps them equal)."""
    lines = ["| code | severity | thông báo (vi) | message (en) |", "|---|---|---|---|"]
    for kind in _KINDS:
        lines.append(f"| `{kind.code}` | {kind.severity} | {kind.vi} | {kind.en} |")
    return "\n".join(lines)


class _Missing(dict):
    """Format map that leaves an unknown placeholder visible rather than raising."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class CchcError(Exception):
    """Raised by the library when an input has errors; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(p.line_text("en") for p in self.problems))


def errors(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.is_error]


def raise_if_errors(problems: Iterable[Problem]) -> None:
    problems = list(problems)
    if errors(problems):
        raise CchcError(problems)
