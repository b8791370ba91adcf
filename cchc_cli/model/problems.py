"""The catalog of everything `cchc` can find wrong with an input.

Each kind of problem has a stable kebab-case code, a severity (an *error* blocks scoring of
that unit; a *warning* does not) and a message template in Vietnamese and English. A reported
:class:`Problem` carries where it is: file, sheet and cell (``Thẩm định!D14``) for workbooks,
line and path (``fields[2].criteria[0].max``) for criteria YAML, and the criterion code.

The whole workbook (or YAML file) is checked before anything is reported, so a user sees all
problems at once, not the first one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from typing import Any

from cchc_cli.model.text import shown, visible


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Hint(StrEnum):
    """What the user should do about an error, one hint per kind of fix (labels ``hint.*``).
    Listed in the order the hints are printed."""

    CELL = "cell"  # fix the cells named
    LAYOUT = "layout"  # the workbook lacks a sheet, header, column or row of the template
    SURVEY = "survey"  # the survey's answers are not laid out as cchc survey reads them
    YAML = "yaml"  # fix the criteria YAML
    CRITERIA = "criteria"  # choose the criteria set
    FILE = "file"  # the right file? re-save it in Excel
    FOLDER = "folder"  # the path, the folder's contents, the unit code
    OUTPUT = "output"  # another output path
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Kind:
    code: str
    severity: Severity
    vi: str
    en: str
    # None: derived from the problem as reported (see Problem.hint), so a kind added without
    # a hint still gets one that fits where it points
    hint: Hint | None = None


E, W = Severity.ERROR, Severity.WARNING

_KINDS = (
    # --- files -----------------------------------------------------------------------------
    Kind("file-not-found", E, "không tìm thấy tệp hoặc thư mục", "file or folder not found",
         Hint.FOLDER),
    Kind(
        "not-a-workbook",
        E,
        "không phải bảng tính (.xlsx, .xlsm, .xlsb, .xls, .ods)",
        "not a workbook (.xlsx, .xlsm, .xlsb, .xls, .ods)",
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
        "thư mục không có bảng tính nào (.xlsx, .xlsm, .xlsb, .xls, .ods)",
        "the folder holds no workbook (.xlsx, .xlsm, .xlsb, .xls, .ods)",
        Hint.FOLDER,
    ),
    Kind(
        "year-mismatch",
        E,
        "bảng tính ghi năm {year} nhưng nằm trong thư mục năm {folder}",
        "the workbook says year {year} but sits in the folder of {folder}",
        Hint.FOLDER,
    ),
    Kind(
        "duplicate-unit",
        E,
        "đơn vị {unit} có hai bảng tính trong cùng thư mục (cũng ở {other})",
        "unit {unit} has two workbooks in one folder (also {other})",
        Hint.FOLDER,
    ),
    Kind(
        "unit-not-found",
        E,
        "không có đơn vị {unit} trong {folder}",
        "no unit {unit} in {folder}",
        Hint.FOLDER,
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
    Kind(
        "output-is-workbook",
        E,
        "đã có bảng tính này và cchc không ghi nó ra (có thể là bảng tính của một đơn vị); "
        "hãy chọn tên khác, hoặc thêm --force nếu thật sự muốn ghi đè",
        "this workbook already exists and cchc did not write it (it may be a unit's "
        "workbook); choose another name, or add --force to really replace it",
    ),
    Kind(
        "output-is-folder",
        E,
        "đây là một thư mục; hãy ghi cả tên tệp kết quả",
        "this is a folder; give the output file's name",
    ),
    Kind(
        "output-folder-missing",
        E,
        "thư mục {folder} không tồn tại (cchc không tự tạo thư mục)",
        "the folder {folder} does not exist (cchc does not create folders)",
    ),
    Kind(
        "output-folder-is-file",
        E,
        "{folder} là một tệp, không phải thư mục",
        "{folder} is a file, not a folder",
    ),
    Kind(
        "output-not-writable",
        E,
        "không có quyền ghi vào thư mục {folder}",
        "no permission to write in the folder {folder}",
    ),
    Kind(
        "output-write-failed",
        E,
        "không ghi được tệp kết quả: {detail}; tệp cũ, nếu có, vẫn còn nguyên",
        "could not write the output: {detail}; an earlier file, if any, is left as it was",
    ),
    # --- files that are not what they seem, and the reading budget (cchc_cli/limits.py) -------
    Kind(
        "not-a-regular-file",
        E,
        "không phải tệp thông thường (FIFO, thiết bị, socket); không mở",
        "not a regular file (a FIFO, device or socket); not opened",
        Hint.FOLDER,
    ),
    Kind(
        "broken-link",
        E,
        "liên kết tượng trưng trỏ tới tệp không tồn tại ({target})",
        "symbolic link to a file that does not exist ({target})",
        Hint.FOLDER,
    ),
    Kind(
        "link-loop",
        E,
        "liên kết tượng trưng lặp vòng (trỏ về chính nó)",
        "symbolic link loop (it points back at itself)",
        Hint.FOLDER,
    ),
    Kind(
        "workbook-too-large",
        E,
        "tệp {size}, lớn hơn giới hạn đọc {limit}",
        "the file is {size}, above the reading limit of {limit}",
    ),
    Kind(
        "zip-too-many-parts",
        E,
        "tệp nén có {n} thành phần, quá giới hạn {limit}; không phải bảng tính thông thường",
        "the archive has {n} members, above the limit of {limit}; not an ordinary workbook",
    ),
    Kind(
        "part-too-large",
        E,
        "phần {part} giải nén vượt giới hạn {limit} (bom nén?); không đọc",
        "part {part} inflates past the limit of {limit} (a zip bomb?); not read",
    ),
    Kind(
        "corrupt-part",
        E,
        "phần {part} của tệp bị hỏng ({detail}); hãy mở và lưu lại bằng Excel",
        "part {part} of the file is corrupt ({detail}); open and save it again in Excel",
    ),
    Kind(
        "unsafe-xml",
        E,
        "phần {part} có khai báo DOCTYPE/ENTITY (Excel không bao giờ ghi như vậy); không đọc",
        "part {part} declares a DOCTYPE/ENTITY (Excel never writes one); not read",
    ),
    Kind(
        "malformed-xml",
        E,
        "phần {part} không phải XML hợp lệ (dòng {line}: {detail}); hãy mở và lưu lại bằng Excel",
        "part {part} is not well-formed XML (line {line}: {detail}); open and save it again in "
        "Excel",
    ),
    Kind(
        "workbook-too-many-sheets",
        E,
        "bảng tính có {n} trang, quá giới hạn {limit}; không đọc",
        "the workbook has {n} sheets, above the limit of {limit}; not read",
    ),
    Kind(
        "sheet-too-many-cells",
        E,
        "trang tính có hơn {limit} ô; không đọc",
        "the sheet holds more than {limit} cells; not read",
    ),
    Kind(
        "far-cell",
        W,
        "{n} ô có dữ liệu nằm ngoài vùng đọc (quá dòng {rows} hoặc cột {columns}): {cells}; "
        "bỏ qua các ô này",
        "{n} cells with content lie outside the area read (beyond row {rows} or column "
        "{columns}): {cells}; they are ignored",
    ),
    Kind(
        "odd-cell-reference",
        W,
        "{n} ô ghi địa chỉ không hợp lệ (vd. “{ref}”); các ô này được đọc theo thứ tự trong dòng",
        "{n} cells carry an invalid address (e.g. “{ref}”); they are read in their row's order",
    ),
    Kind(
        "text-too-long",
        E,
        "ô chứa {n} ký tự, quá giới hạn của Excel ({limit})",
        "the cell holds {n} characters, above Excel's own limit ({limit})",
    ),
    Kind(
        "reader-died",
        E,
        "tiến trình đọc bảng tính bị dừng ({detail}): tệp quá lớn hoặc hỏng; "
        "hãy mở và lưu lại dạng .xlsx",
        "the process reading the workbook was stopped ({detail}): the file is too large or "
        "corrupt; open it and save it as .xlsx",
    ),
    Kind(
        "internal-error",
        E,
        "lỗi nội bộ của cchc khi đọc bảng tính này ({detail}); các đơn vị khác vẫn được chấm; "
        "hãy báo cho nhóm phát triển",
        "internal error in cchc on this workbook ({detail}); the other units are still "
        "scored; please report it",
        Hint.NONE,  # not the user's to fix: the message says what to do
    ),
    # --- sheets and headers ------------------------------------------------------------------
    Kind(
        "twin-sheet",
        W,
        "có trang ẩn tên gần giống ({others}); dùng trang đang hiện “{sheet}”",
        "hidden sheets with a similar name ({others}); using the visible sheet “{sheet}”",
    ),
    Kind(
        "ambiguous-sheet",
        E,
        "nhiều trang tên gần giống nhau: {names}; hãy xóa hoặc đổi tên trang thừa",
        "several sheets with similar names: {names}; delete or rename the extra ones",
        Hint.LAYOUT,
    ),
    Kind(
        "hidden-sheet",
        W,
        "trang “{sheet}” đang bị ẩn; vẫn được dùng",
        "sheet “{sheet}” is hidden; it is used all the same",
    ),
    Kind(
        "sheet-by-content",
        W,
        "không có trang tên {wanted}; dùng trang “{sheet}” (tìm theo dòng tiêu đề)",
        "no sheet named {wanted}; using sheet “{sheet}” (found by its header row)",
    ),
    Kind(
        "missing-sheet",
        E,
        "thiếu trang tính “{sheet}” (các trang có: {present})",
        "sheet “{sheet}” is missing (sheets present: {present})",
        Hint.LAYOUT,
    ),
    Kind(
        "missing-header",
        E,
        "không tìm thấy dòng tiêu đề có cột “Mã” trong {rows} dòng đầu",
        "no header row with a “Mã” column in the first {rows} rows",
        Hint.LAYOUT,
    ),
    Kind(
        "missing-column",
        E,
        "thiếu cột “{column}” ở dòng tiêu đề {row}",
        "column “{column}” is missing from the header row {row}",
        Hint.LAYOUT,
    ),
    Kind(
        "duplicate-column",
        E,
        "cột “{column}” có ở cả {cells}; hãy xóa hoặc đổi tên cột thừa (kể cả cột ẩn)",
        "column “{column}” appears at {cells}; delete or rename the extra one (hidden ones too)",
        Hint.LAYOUT,
    ),
    Kind(
        "missing-info",
        E,
        "trang “Thông tin” thiếu “{key}”",
        "sheet “Thông tin” has no “{key}”",
        Hint.LAYOUT,
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
        Hint.CRITERIA,
    ),
    Kind(
        "no-criteria-set",
        E,
        "không có bộ tiêu chí nào cho nhóm “{group}”, năm {year}",
        "no criteria set for group “{group}”, year {year}",
        Hint.CRITERIA,
    ),
    Kind(
        "ambiguous-criteria-set",
        E,
        "nhiều bộ tiêu chí phù hợp ({ids}); ghi mã bộ tiêu chí vào ô “Bộ tiêu chí”",
        "several criteria sets fit ({ids}); name one in the “Bộ tiêu chí” cell",
        Hint.CRITERIA,
    ),
    Kind(
        "criteria-set-year",
        E,
        "bộ tiêu chí “{id}” áp dụng cho {years}, không áp dụng cho năm {year}",
        "criteria set “{id}” applies to {years}, not to {year}",
        Hint.CRITERIA,
    ),
    Kind(
        "criteria-mismatch",
        E,
        "bảng tính không theo bộ tiêu chí “{id}”: {unknown} mã không có trong bộ ({unknown_codes})"
        " và {missing} tiêu chí của bộ không có trong bảng tính ({missing_codes}); bảng tính "
        "dùng bộ tiêu chí khác?",
        "the workbook does not follow criteria set “{id}”: {unknown} codes are not in the set "
        "({unknown_codes}) and {missing} criteria of the set are not in the workbook "
        "({missing_codes}); does it follow another set?",
        Hint.CRITERIA,
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
        Hint.LAYOUT,
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
        "percent-format",
        E,
        "ô định dạng phần trăm: hiển thị {shown}, giá trị là {value}; "
        "hãy bỏ định dạng % và nhập số điểm",
        "the cell is formatted as a percentage: it shows {shown}, its value is {value}; "
        "remove the % format and type the points",
    ),
    Kind(
        "merged-score-cells",
        E,
        "ô gộp {range} trên cột “{column}”: mỗi tiêu chí phải có ô điểm riêng",
        "merged range {range} over column “{column}”: each criterion needs its own score cell",
    ),
    Kind(
        "merged-mark",
        W,
        "ô gộp {range} ở cột “Không phát sinh”: mọi dòng trong vùng gộp được đánh dấu",
        "merged range {range} in column “Không phát sinh”: every row it covers is marked",
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
        "chưa có “{column}” cho tiêu chí áp dụng",
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
    # --- the survey's answers (cchc survey, --survey) ----------------------------------------
    Kind("survey-not-declared", E,
         "bộ tiêu chí {id} không khai báo điều tra XHH (survey:), nên không chấm được từ phiếu",
         "the criteria set {id} declares no survey (survey:), so answers cannot be scored",
         Hint.CRITERIA),
    Kind("survey-set-ambiguous", E,
         "cần đúng một bộ tiêu chí khai báo điều tra XHH cho năm {year}, có {n} ({ids}); "
         "chọn bằng --criteria, hoặc nêu năm (--year)",
         "one criteria set declaring a survey is needed for {year}; {n} found ({ids}); "
         "choose one with --criteria, or give the year (--year)", Hint.CRITERIA),
    Kind("survey-year-unknown", E,
         "không biết tệp phiếu thuộc năm nào: ghi --survey NĂM=TỆP (vd. 2023=phieu.xlsx) hoặc "
         "đặt năm trong tên tệp", "which year the answers are for is not known: write "
         "--survey YEAR=FILE (e.g. 2023=answers.xlsx) or put the year in the file's name",
         Hint.FILE),
    Kind("survey-format", E, "tệp phiếu điều tra phải là .csv, .xlsx, .xlsm, .xlsb, .xls hoặc .ods",
         "a survey's answers are read from .csv, .xlsx, .xlsm, .xlsb, .xls or .ods", Hint.SURVEY),
    Kind("survey-hidden-sheet", W, "trang ẩn “{sheet}” không được đọc",
         "the hidden sheet “{sheet}” is not read"),
    Kind("survey-no-header", E,
         "không thấy dòng tiêu đề của phiếu (cột mã đơn vị và các cột câu hỏi {questions}) "
         "trong {rows} dòng đầu của trang nào",
         "no header row of answers (a unit code column and the question columns {questions}) "
         "in the first {rows} rows of any sheet", Hint.SURVEY),
    Kind("survey-no-group", E,
         "trang “{sheet}” không có cột đối tượng khảo sát và tên trang không phải một nhóm "
         "đã khai báo ({groups})",
         "sheet “{sheet}” has no respondent group column and its name is not a declared group "
         "({groups})", Hint.SURVEY),
    Kind("survey-unknown-group", E,
         "đối tượng “{value}” không có trong bộ tiêu chí ({groups}), ở {n} dòng",
         "respondent group “{value}” is not declared by the set ({groups}), in {n} rows"),
    Kind("survey-unit-missing", E, "{n} phiếu có trả lời nhưng không có mã đơn vị",
         "{n} questionnaires have answers but no unit code"),
    Kind("survey-invalid-answer", E,
         "{question}: câu trả lời “{value}” không thuộc các phương án {options} ({n} lần)",
         "{question}: the answer “{value}” is not one of the options {options} ({n} times)"),
    Kind("survey-duplicate-respondent", E,
         "mã phiếu “{value}” xuất hiện {n} lần (các ô {cells})",
         "respondent id “{value}” appears {n} times (cells {cells})"),
    Kind("survey-bad-count", E,
         "số phiếu “{value}” không phải số nguyên không âm", "the count “{value}” is not a "
         "whole number of zero or more"),
    Kind("survey-duplicate-column", E,
         "cột này và cột {other} cùng là “{value}”: câu trả lời sẽ bị đếm hai lần",
         "this column and column {other} are both “{value}”: answers would be counted twice"),
    Kind("survey-duplicate-sheet", E,
         "trang “{sheet}” trùng hệt trang “{other}”: các phiếu sẽ bị đếm hai lần",
         "sheet “{sheet}” is the same as sheet “{other}”: the answers would be counted twice"),
    Kind("survey-duplicate-tally", E,
         "dòng tổng hợp của {unit} · {group} · {question} đã có ở ô {other}: sẽ bị đếm hai lần",
         "the tally of {unit} · {group} · {question} is already at {other}: it would be "
         "counted twice"),
    Kind("survey-mixed-shapes", E,
         "tệp có cả phiếu (trang {answers}) lẫn số đã tổng hợp (trang {tallied}): cộng cả hai sẽ "
         "đếm các phiếu hai lần; hãy nộp một dạng",
         "the file holds both questionnaires (sheet {answers}) and tallies (sheet {tallied}): "
         "adding both would count the answers twice; give one shape", Hint.SURVEY),
    Kind("survey-no-options", E,
         "bảng tổng hợp không có cột nào là một phương án trả lời ({options})",
         "the tally has no column named after an answer option ({options})", Hint.SURVEY),
    Kind("survey-no-answers", E, "tệp phiếu không có câu trả lời nào",
         "the file holds no answers", Hint.SURVEY),
    Kind("survey-tally-question", E,
         "dòng tổng hợp ghi câu hỏi “{value}”, không phải câu hỏi nào của bộ tiêu chí",
         "the tally row names the question “{value}”, which the set does not declare"),
    Kind("survey-far-cell", E,
         "ô {cell} nằm ngoài bảng phiếu (quá xa về bên phải); hãy xóa ô đó rồi lưu lại",
         "cell {cell} lies far outside the answers (too far right); delete it and save again"),
    # --- a province's criteria table imported (cchc criteria import) ----------------------
    Kind("import-format", E, "bảng tiêu chí được đọc từ .docx, .xlsx, .xlsm, .xls hoặc .ods",
         "a criteria table is read from .docx, .xlsx, .xlsm, .xls or .ods", Hint.FILE),
    Kind("import-no-table", E,
         "không thấy bảng tiêu chí: cần một bảng có cột mã (STT), nội dung và điểm tối đa",
         "no criteria table: one with a code (STT), a title and a maximum column is needed",
         Hint.FILE),
    Kind("import-two-tables", E,
         "có nhiều bảng giống bảng tiêu chí ({tables}); hãy giữ lại một bảng",
         "several tables look like the criteria table ({tables}); keep one", Hint.FILE),
    Kind("import-max-text", W, "điểm tối đa ghi “{value}”: đọc là {max}",
         "the maximum is written “{value}”: read as {max}"),
    Kind("import-max-unreadable", E, "không đọc được điểm tối đa “{value}”",
         "cannot read the maximum “{value}”"),
    Kind("import-no-max", E, "dòng {code} không có điểm tối đa", "row {code} has no maximum"),
    Kind("import-code-inferred", W,
         "dòng không có mã, được đặt mã {code} theo vị trí (“{title}”); hãy kiểm tra",
         "a row without a code was given {code} by its position (“{title}”); check it"),
    Kind("import-duplicate-code", E, "mã {code} đã có ở {other}",
         "code {code} is already at {other}"),
    Kind("import-orphan", E, "mã {code} không có dòng cha {parent} ở trên",
         "code {code} has no parent row {parent} above it"),
    Kind("import-total-mismatch", E,
         "dòng tổng cộng ghi {total} nhưng các lĩnh vực cộng lại {sum}",
         "the total row says {total} but the fields add up to {sum}"),
    # --- what a command was asked and did not do -------------------------------------------
    Kind("not-a-year-folder", E,
         "đây là một tệp, không phải thư mục năm; để chấm một đơn vị: cchc score {file}",
         "this is a file, not a year folder; to score one unit: cchc score {file}",
         Hint.FOLDER),
    Kind("data-root-is-year", E,
         "{folder} là một thư mục năm (có bảng tính), không phải thư mục gốc chứa các thư mục "
         "năm; hãy dùng --data {parent}",
         "{folder} is a year folder (it holds workbooks), not the data root that holds the "
         "year folders; use --data {parent}", Hint.FOLDER),
    Kind("gains-target-ignored", W,
         "không tìm cách lên hạng {target}: {why}",
         "no plan for rank {target}: {why}"),
    Kind("template-has-appraisal", E,
         "bảng tính đã có điểm thẩm định của Hội đồng ({n} tiêu chí); không ghi đè bằng điểm tự "
         "đánh giá — hãy dùng chính bảng tính đó",
         "the workbook already holds the council's scores ({n} criteria); they are not "
         "replaced by the self-assessed ones — use that workbook itself", Hint.FILE),
    Kind("unknown-criterion-code", E,
         "không có tiêu chí được chấm nào mã “{code}” trong các bộ tiêu chí của năm (vd. {known})",
         "no scored criterion “{code}” in the year's criteria sets (e.g. {known})"),
    Kind("survey-unknown-question", W,
         "cột “{value}” không phải câu hỏi nào của bộ tiêu chí; bỏ qua",
         "column “{value}” is not a question of the set; ignored"),
    Kind("survey-question-missing", W,
         "tệp phiếu không có {n} câu hỏi ({questions}); các tiêu chí {items} chưa có điểm",
         "the answers lack {n} questions ({questions}); criteria {items} stay pending"),
    Kind("survey-blank-answers", W,
         "{n} câu trả lời để trống không được tính ({detail})",
         "{n} blank answers are not counted ({detail})"),
    Kind("survey-not-asked", W,
         "{n} câu trả lời của đối tượng {group} cho {question}, câu không hỏi đối tượng này; "
         "không tính",
         "{n} answers from group {group} to {question}, which is not asked of it; not counted"),
    Kind("survey-unknown-unit", W,
         "có phiếu của đơn vị {unit} nhưng không có bảng tính của đơn vị này; không dùng",
         "answers for unit {unit}, which has no workbook here; not used"),
    Kind("survey-unit-no-answers", W,
         "không có phiếu nào của đơn vị {unit}; các tiêu chí điều tra XHH chưa có điểm",
         "no answers for unit {unit}; its survey-scored criteria stay pending"),
    Kind("survey-too-few-answers", W,
         "{unit}: ít hơn {min} câu trả lời ({groups}); tiêu chí chưa có điểm",
         "{unit}: fewer than {min} answers ({groups}); the criterion stays pending"),
    Kind("survey-points-differ", W,
         "điểm ghi trong bảng tính {value} khác điểm tính từ phiếu {computed}; dùng điểm tính "
         "từ phiếu",
         "the points written in the workbook, {value}, differ from those computed from the "
         "answers, {computed}; the computed points count"),
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
        "({working}); {counts}",
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
        "{kind} {value} is above its cap {cap}; {cap} counted",
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
    # --- what a command was asked for, and where its result goes ------------------------------
    Kind(
        "unknown-group",
        E,
        "không có đơn vị nào được chấm thuộc nhóm “{group}” (các nhóm có: {present}); "
        "hãy ghi một trong các nhóm này sau --group",
        "no unit scored is in the group “{group}” (groups present: {present}); give one of "
        "them after --group",
        Hint.NONE,  # the message names the groups to choose from
    ),
    Kind(
        "chart-unit-not-found",
        W,
        "không có đơn vị {unit} trong bảng xếp hạng; biểu đồ không tô đậm đơn vị nào "
        "(các đơn vị có: {codes})",
        "unit {unit} is not among the units ranked; the chart highlights none (units: {codes})",
    ),
    Kind(
        "criteria-folder-missing",
        W,
        "không có thư mục bộ tiêu chí này (đường dẫn không tồn tại hoặc không phải thư mục; "
        "--criteria hoặc biến CCHC_CRITERIA); bỏ qua",
        "no such criteria folder (the path does not exist or is not a folder; --criteria or "
        "CCHC_CRITERIA); skipped",
    ),
    Kind(
        "stdout-write-failed",
        E,
        "không ghi được kết quả ra đầu ra chuẩn (stdout): {detail}; kết quả không đầy đủ",
        "could not write the result to standard output: {detail}; the result is incomplete",
        Hint.NONE,
    ),
)

CATALOG: Mapping[str, Kind] = {kind.code: kind for kind in _KINDS}

# The engine speaks in codes; these parameters name what they refer to by a code, put in the
# reader's words when the message is written: parameter → code → (vi, en).
PARAM_WORDS: Mapping[str, Mapping[str, tuple[str, str]]] = {
    "column": {
        "self": ("Điểm tự đánh giá", "self-assessed score"),
        "appraisal": ("Điểm thẩm định", "appraised score"),
        "appraisal_2": ("Điểm thẩm định lần 2", "second appraisal's score"),
        "survey": ("Điểm điều tra XHH", "survey score"),
        "bonus": ("Điểm thưởng", "bonus"),
    },
    "kind": {
        "bonus": ("Điểm thưởng", "bonus"),
        "penalty": ("Điểm trừ", "penalty"),
        "bonus_total": ("Tổng điểm thưởng", "total bonus"),
        "penalty_total": ("Tổng điểm trừ", "total penalty"),
    },
    "counts": {
        "rule": ("tính theo quy tắc (rule_wins)", "the rule's points count (rule_wins)"),
        "appraisal": ("giữ điểm thẩm định", "the appraised score counts"),
    },
}


# How much of a value a message quotes (see text.shown): lists of names get more room; paths
# are shown whole, as the user must find the file.
QUOTE_LIMIT, LIST_LIMIT = 80, 200
_PARAM_LIMITS: Mapping[str, int | None] = {
    **dict.fromkeys(("present", "known", "ids", "codes", "names", "alternatives", "working",
                     "counts", "counts_en", "detail", "detail_vi", "detail_en"), LIST_LIMIT),
    **dict.fromkeys(("other", "folder"), None),
}


def _place(problem: Problem, lang: str) -> str:
    parts: list[str] = []
    if problem.file:
        parts.append(visible(problem.file) + (f":{problem.line}" if problem.line else ""))
    if problem.sheet and problem.cell:
        parts.append(f"{shown(problem.sheet)}!{problem.cell}")
    elif problem.sheet:
        parts.append(shown(problem.sheet))
    elif problem.cell:  # a .csv: cells, no sheets
        parts.append(problem.cell)
    if problem.path:
        parts.append(shown(problem.path, LIST_LIMIT))
    if problem.criterion:
        parts.append(("tiêu chí " if lang == "vi" else "criterion ") + shown(problem.criterion))
    return " · ".join(parts)


# parameters that hold a figure (never a code such as "1.2"): written with a decimal comma in
# Vietnamese messages
_FIGURE_PARAMS = ("value", "max", "min", "sum", "total", "computed", "rule", "cap", "share")
_FIGURE = re.compile(r"-?\d+\.\d+")


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

    @property
    def hint(self) -> Hint:
        """The kind's declared hint; for a kind without one, first by the code's prefix
        (``output-*`` → another output path, ``criteria-*`` → fix the YAML), then by where the
        problem points: a YAML line → fix the YAML, a cell → fix the cell, only a file (or a
        sheet of it) → check and re-save the file, nowhere → no hint."""
        declared = CATALOG[self.code].hint
        if declared is not None:
            return declared
        if self.code.startswith("output-"):
            return Hint.OUTPUT
        if self.code.startswith("criteria-") or self.line is not None:
            return Hint.YAML
        if self.cell:
            return Hint.CELL
        return Hint.FILE if self.file else Hint.NONE

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
        for key, words in PARAM_WORDS.items():  # codes the engine passes, in the reader's words
            if isinstance(values.get(key), str) and values[key] in words:
                values[key] = words[values[key]][1 if lang == "en" else 0]
        if lang == "vi":  # figures with the decimal comma, as the province writes them
            for key in _FIGURE_PARAMS:
                value = values.get(key)
                if isinstance(value, Decimal):
                    value = format(value, "f")
                if isinstance(value, str) and _FIGURE.fullmatch(value):
                    values[key] = value.replace(".", ",")
        quoted = {key: value if value is None or isinstance(value, int | Decimal)
                  else shown(value, _PARAM_LIMITS.get(key, QUOTE_LIMIT))
                  for key, value in values.items()}
        return template.format_map(_Missing(quoted))

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
    """The catalog as a Markdown table (docs/catalog.md embeds it; a test keeps them equal)."""
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

    def __reduce__(self) -> tuple[type, tuple[list[Problem]]]:
        return (CchcError, (self.problems,))  # from a child process, problems intact


def errors(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.is_error]


def raise_if_errors(problems: Iterable[Problem]) -> None:
    problems = list(problems)
    if errors(problems):
        raise CchcError(problems)


# pydantic's error types in Vietnamese, for criteria-invalid (its English is pydantic's own)
PYDANTIC_VI = {
    "missing": "thiếu khóa bắt buộc",
    "extra_forbidden": "khóa không được phép (viết sai tên?)",
    "decimal_parsing": "phải là một số",
    "decimal_type": "phải là một số",
    "int_parsing": "phải là số nguyên",
    "int_type": "phải là số nguyên",
    "string_type": "phải là chuỗi văn bản",
    "bool_type": "phải là true hoặc false",
    "bool_parsing": "phải là true hoặc false",
    "literal_error": "giá trị không hợp lệ",
    "list_type": "phải là một danh sách",
    "too_short": "không được để trống",
    "string_too_short": "không được để trống",
    "string_pattern_mismatch": "chỉ dùng chữ thường không dấu, số và dấu gạch ngang",
    "model_type": "phải là một bảng khóa: giá trị",
    "dict_type": "phải là một bảng khóa: giá trị",
    "less_than_equal": "phải nhỏ hơn hoặc bằng {le}",
    "less_than": "phải nhỏ hơn {lt}",
    "greater_than_equal": "phải lớn hơn hoặc bằng {ge}",
    "greater_than": "phải lớn hơn {gt}",
    "union_tag_invalid": "kiểu quy tắc {tag} không có (chỉ có: {expected_tags})",
    "union_tag_not_found": "thiếu khóa `kind` (kiểu quy tắc)",
}
