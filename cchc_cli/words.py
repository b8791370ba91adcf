"""The words the output uses, in Vietnamese (the users' language) and English.

Vietnamese labels follow the province's own documents (the appendix of Sở Tài chính's April 2021
memo on Quyết định 509/QĐ-UBND: "Tổng điểm hạ chuẩn", "Tổng điểm sau hạ chuẩn", "Tổng điểm đạt
được", "Tổng điểm bị trừ").
"""

from __future__ import annotations

import os
from typing import Literal

Lang = Literal["vi", "en"]
LANGS: tuple[Lang, ...] = ("vi", "en")

_LABELS: dict[str, tuple[str, str]] = {
    "max": ("Tổng điểm tối đa", "Maximum points"),
    "reduction": ("Tổng điểm hạ chuẩn", "Reduction (not applicable)"),
    "pending": ("Chưa có điểm (điều tra XHH)", "Not yet scored (survey)"),
    "max_after_reduction": ("Tổng điểm sau hạ chuẩn", "Maximum after reduction"),
    "achieved": ("Tổng điểm đạt được", "Points achieved"),
    "deducted": ("Tổng điểm bị trừ", "Points deducted"),
    "index": ("Chỉ số CCHC", "PAR index"),
    "bonus": ("Điểm thưởng", "Bonus points"),
    "penalty": ("Điểm trừ", "Penalty points"),
    "adjusted_achieved": ("Tổng điểm sau thưởng, trừ", "Points after bonus and penalty"),
    "base_index": ("Chỉ số trước thưởng, trừ", "Index before bonus and penalty"),
    "band": ("Xếp loại", "Band"),
    "appraised": ("Thẩm định", "Appraised"),
    "self_assessed": ("Tự đánh giá", "Self-assessed"),
    "provisional": ("Tạm tính (tự đánh giá)", "Provisional (self-assessed)"),
    "appraised.provisional": ("Thẩm định (tạm tính)", "Appraised (provisional)"),
    "status.appraised": ("đã thẩm định", "appraised"),
    "status.provisional": ("tạm tính, chưa thẩm định", "provisional, not yet appraised"),
    "warnings.more": ("  … và {n} cảnh báo cùng loại [{code}]: {places} (--verbose: xem tất cả)",
                      "  … and {n} more warnings of this kind [{code}]: {places} (--verbose: "
                      "all of them)"),
    "cmp.field.title_a": ("↳ năm {year}: “{title}”", "↳ in {year}: “{title}”"),
    "cmp.field.moved_in": ("↳ có {codes_b}, năm {year} là {codes_a} thuộc lĩnh vực {field}",
                           "↳ holds {codes_b}, in {year} {codes_a} of field {field}"),
    "cmp.field.moved_out": ("↳ {codes_a} sang lĩnh vực {field} năm {year} (nay là {codes_b})",
                            "↳ {codes_a} moved to field {field} in {year} (now {codes_b})"),
    "status.pending": ("tạm tính: chưa có điểm điều tra XHH",
                       "provisional: the survey points are not in yet"),
    "year": ("năm", "year"),
    "criteria_set": ("Bộ tiêu chí", "Criteria set"),
    "result": ("Kết quả", "Result"),
    "field": ("Lĩnh vực", "Field"),
    "col.max": ("Tối\nđa", "Max"),
    "col.reduction": ("Hạ\nchuẩn", "Reduced"),
    "col.max_after": ("Sau hạ\nchuẩn", "Max\nafter"),
    "col.self": ("Tự đánh\ngiá", "Self"),
    "col.appraised": ("Thẩm\nđịnh", "Appraised"),
    "col.final": ("Đạt\nđược", "Achieved"),
    "col.pending": ("Chờ điều tra XHH", "Pending survey"),
    "col.deducted": ("Bị\ntrừ", "Lost"),
    "col.index": ("Chỉ\nsố", "Index"),
    "total": ("Tổng cộng", "Total"),
    "fields.title": ("Kết quả theo lĩnh vực", "Result by field"),
    "lost.title": (
        "Những nội dung công việc chưa đảm bảo theo yêu cầu (bị trừ điểm)",
        "Items that lost points",
    ),
    "rules.title": ("Cách tính điểm theo số liệu kê khai", "Points from the declared figures"),
    "rules.figures": ("Số liệu (đơn vị → thẩm định)", "Figures (unit → appraised)"),
    "rules.working": ("Cách tính (trên số liệu thẩm định)", "Working (on the appraised figures)"),
    "rules.points": ("Điểm thẩm định", "Appraised"),
    "rules.agrees": ("khớp", "agrees"),
    "rules.differs": ("khác quy tắc", "differs from the rule"),
    "rules.counted": ("điểm theo quy tắc", "points from the rule"),
    "rules.accepted": ("thẩm định giữ số liệu đơn vị", "unit's figure accepted"),
    "rules.none": ("không tính được", "cannot be computed"),
    "rules.self": ("theo số liệu đơn vị", "on the unit's figures"),
    "gains.title": ("Điểm bị trừ có thể lấy lại: mỗi tiêu chí đáng giá bao nhiêu",
                    "What recovering each lost point is worth"),
    "gains.heading": ("{name} ({code}) · năm {year} · {group}: xếp thứ {rank}/{of}, "
                      "chỉ số {index} ({band})",
                      "{name} ({code}) · {year} · {group}: rank {rank} of {of}, "
                      "index {index} ({band})"),
    "gains.points": ("Điểm lấy lại", "Points back"),
    "gains.index": ("Chỉ số khi đó", "Index then"),
    "gains.delta": ("Tăng chỉ số", "Index gain"),
    "gains.rank": ("Hạng khi đó", "Rank then"),
    "gains.none": ("Đơn vị không bị trừ điểm nào.", "The unit lost no points."),
    "gains.plans": ("Cần lấy lại những gì", "What it takes"),
    "gains.goal.next_rank": ("Để rời hạng {rank}/{of} (lên hạng {target})",
                             "To leave rank {rank} of {of} (reach rank {target})"),
    "gains.goal.target_rank": ("Để lên hạng {target}/{of}", "To reach rank {target} of {of}"),
    "gains.goal.next_band": ("Để lên {target} (chỉ số {sign} {lower})",
                             "To reach {target} (index {sign} {lower})"),
    "gains.plan": ("{goal}: lấy lại {n} tiêu chí ({codes}), thêm {points} điểm → chỉ số {index},"
                   " xếp thứ {rank_after}/{of}, {band}.{alternatives}",
                   "{goal}: recover {n} {noun} ({codes}), {points} more points → index "
                   "{index}, rank {rank_after} of {of}, {band}.{alternatives}"),
    "gains.alternatives": (" Lấy lại một trong các tiêu chí {codes} cũng đủ.",
                           " Any one of {codes} would do as well."),
    "gains.unreachable": ("{goal}: không đủ — lấy lại cả {n} tiêu chí bị trừ ({points} điểm) "
                          "chỉ đạt chỉ số {index}, xếp thứ {rank_after}/{of}.",
                          "{goal}: not enough — recovering all {n} criteria that lost points "
                          "({points} points) gives only index {index}, rank {rank_after} of "
                          "{of}."),
    "gains.plan.sheet": ("Kế hoạch", "Plans"),
    "crit.rule": ("quy tắc chấm", "scoring rule"),
    "lost.code": ("Mã", "Code"),
    "lost.item": ("Nội dung", "Criterion"),
    "lost.points": ("Số điểm bị trừ", "Points lost"),
    "lost.reason": ("Lý do bị trừ", "Reason"),
    "lost.responsible": ("Trách nhiệm", "Responsible"),
    "lost.sum.self": ("tiêu chí thẩm định", "appraised criteria"),
    "lost.sum.survey": ("tiêu chí điều tra XHH", "survey criteria"),
    "lost.none": ("Không có tiêu chí nào bị trừ điểm.", "No criterion lost points."),
    "reduced.title": ("Tiêu chí không phát sinh (hạ chuẩn)", "Criteria not applicable (reduced)"),
    "survey.reason": ("Qua điều tra xã hội học", "From the sociological survey"),
    "summary.line": (
        "Tổng cộng: {max} điểm. Tổng điểm hạ chuẩn: {reduction}. Tổng điểm sau hạ chuẩn: "
        "{max_after}. Tổng điểm đạt được: {achieved}. Tổng điểm bị trừ: {deducted}.",
        "Total: {max} points. Reduction: {reduction}. Maximum after reduction: {max_after}. "
        "Achieved: {achieved}. Deducted: {deducted}.",
    ),
    "no_band": ("chưa xếp loại", "no band"),
    "error": ("Lỗi", "Error"),
    "warning": ("Cảnh báo", "Warning"),
    # one hint per problems.Hint, printed after the errors that call for it
    "hint.cell": (
        "Gợi ý: sửa các ô nêu trên trong bảng tính rồi chạy lại.",
        "Hint: fix the cells named above in the workbook and run again.",
    ),
    "hint.layout": (
        "Gợi ý: bảng tính cần đủ các trang, dòng tiêu đề, cột và dòng tiêu chí như bảng tính mẫu "
        "(tạo mẫu bằng: cchc template).",
        "Hint: the workbook needs the sheets, header row, columns and criterion rows of the "
        "template (make one with: cchc template).",
    ),
    "hint.survey": (
        "Gợi ý: tệp phiếu cần dòng tiêu đề có “Mã đơn vị”, “Đối tượng” (hoặc mỗi đối tượng một "
        "trang) và các câu hỏi như bộ tiêu chí khai báo, hoặc bảng đã tổng hợp; xem "
        "docs/commands.md, mục “cchc survey”.",
        "Hint: the answers need a header row with “Mã đơn vị”, “Đối tượng” (or a sheet per "
        "group) and the questions the criteria set declares, or a tally; see docs/commands.md, "
        "“cchc survey”.",
    ),
    "hint.yaml": (
        "Gợi ý: sửa tệp bộ tiêu chí (YAML) ở các dòng nêu trên rồi chạy lại; kiểm tra bằng: "
        "cchc criteria check TỆP.yaml.",
        "Hint: fix the criteria file (YAML) at the lines named above and run again; check it "
        "with: cchc criteria check FILE.yaml.",
    ),
    "hint.criteria": (
        "Gợi ý: ghi mã bộ tiêu chí vào ô “Bộ tiêu chí” của trang “Thông tin”, hoặc chọn bằng "
        "--criteria; xem các bộ hiện có: cchc criteria list.",
        "Hint: name the criteria set in the “Bộ tiêu chí” cell of the “Thông tin” sheet, or "
        "choose one with --criteria; see the known sets with: cchc criteria list.",
    ),
    "hint.file": (
        "Gợi ý: kiểm tra đó đúng là tệp cần dùng và không bị khóa; với bảng tính, mở bằng Excel "
        "rồi lưu lại (.xlsx, không đặt mật khẩu) và chạy lại.",
        "Hint: check it is the right file and not locked; for a workbook, open it in Excel, "
        "save it again (.xlsx, no password) and run again.",
    ),
    "hint.folder": (
        "Gợi ý: kiểm tra lại đường dẫn tệp hoặc thư mục (--data, biến CCHC_DATA), mã đơn vị, và "
        "mỗi đơn vị chỉ có một bảng tính, nằm trong thư mục đúng năm của nó.",
        "Hint: check the file or folder path (--data, CCHC_DATA), the unit code, and that each "
        "unit has one workbook, in the folder of its year.",
    ),
    # --force is offered by the one problem it fixes (output-is-workbook), never here: it
    # cannot write over an input, a folder, or a file in a folder that is not there
    "hint.output": (
        "Gợi ý: chọn tên hoặc thư mục khác cho tệp kết quả.",
        "Hint: choose another name or folder for the output file.",
    ),
    "internal": (
        "Lỗi nội bộ của cchc (không phải lỗi dữ liệu): {detail}. Chạy lại với --debug để xem "
        "chi tiết và báo cho nhóm phát triển.",
        "Internal error in cchc (not a data problem): {detail}. Run again with --debug for "
        "details and report it.",
    ),
    "rank.rank": ("Hạng", "Rank"),
    "rank.code": ("Mã", "Code"),
    "rank.name": ("Tên đơn vị", "Unit"),
    "rank.achieved": ("Điểm đạt được", "Achieved"),
    "rank.max_after": ("Điểm sau hạ chuẩn", "Max after reduction"),
    "rank.index": ("Chỉ số CCHC (%)", "PAR index (%)"),
    "rank.band": ("Xếp loại", "Band"),
    "rank.group": ("Nhóm {group} · năm {year}", "Group {group} · {year}"),
    "rank.summary": ("{units} đơn vị · chỉ số trung bình {mean} (từ chỉ số chưa làm tròn) · "
                     "{bands}",
                     "{units} units · mean index {mean} (of the unrounded indexes) · {bands}"),
    "rank.provisional": ("tạm tính", "provisional"),
    "rank.not_ranked": ("Không xếp hạng ({n} bảng tính); thứ hạng ở trên chỉ tính trong số các "
                        "đơn vị còn lại:",
                        "Not ranked ({n} workbooks); the ranks above are among the other units "
                        "only:"),
    "rank.not_ranked.sheet": ("Không xếp hạng", "Not ranked"),
    "rank.file": ("Tệp", "File"),
    "rank.problem": ("Lỗi", "Problem"),
    "rank.satisfaction": ("Hài lòng (%)", "Satisfied (%)"),
    "annex.heading": ("Phụ lục", "Annex"),
    "annex.title": ("KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {year}",
                    "ADMINISTRATIVE REFORM INDEX {year}"),
    "annex.attached": ("(Kèm theo {decision})", "(Attached to {decision})"),
    "annex.decision": ("Quyết định số …/QĐ-UBND ngày … tháng … năm … của Ủy ban nhân dân tỉnh",
                       "Decision No. …/QĐ-UBND of … of the Provincial People's Committee"),
    "annex.group": ("{group}", "{group}"),
    "annex.stt": ("STT", "No."),
    "annex.field": ("LV {code} (%)", "F{code} (%)"),
    "annex.fields": ("Chỉ số theo lĩnh vực: {fields}.", "Index by field: {fields}."),
    "annex.not_ranked": ("Không xếp hạng ({n} bảng tính): {files}.",
                         "Not ranked ({n} workbooks): {files}."),
    "field.group": ("Lĩnh vực {code}. {title} · {group} · năm {year}",
                    "Field {code}. {title} · {group} · {year}"),
    "field.sheet": ("LV {code} · {group}", "F{code} · {group}"),
    "criterion.title": ("Tiêu chí {code}. {title} · {group} · năm {year}",
                   "Criterion {code}. {title} · {group} · {year}"),
    "criterion.reduced": ("Hạ chuẩn", "Reduced"),
    "criterion.yes": ("có", "yes"),
    "loss.title": ("Các tiêu chí bị trừ nhiều điểm nhất · {group} · năm {year}",
                   "Criteria that lost most · {group} · {year}"),
    "loss.summary": ("Tổng điểm bị trừ của nhóm: {total}", "Points lost by the group: {total}"),
    "loss.units": ("Số đơn vị", "Units"),
    "loss.share": ("Tỷ lệ (%)", "Share (%)"),
    "loss.reasons": ("Lý do thường gặp", "Most common reasons"),
    "html.title": ("Kết quả Chỉ số cải cách hành chính năm {year}",
                   "Administrative reform index {year}"),
    "html.about": ("Bấm tiêu đề cột để sắp xếp; bấm + để xem từng lĩnh vực và các nội dung bị "
                   "trừ điểm. Số liệu như lệnh cchc rank.",
                   "Click a column's header to sort; + shows the fields and the points lost. "
                   "Figures as cchc rank gives them."),
    "html.search": ("Tìm đơn vị (mã hoặc tên)", "Find a unit (code or name)"),
    "html.expand": ("Xem chi tiết", "Details"),
    "html.heatmap": ("Chỉ số theo lĩnh vực · {group}", "Index by field · {group}"),
    "diff.title": ("Bộ {b} so với bộ {a}", "{b} against {a}"),
    "diff.kind": ("Thay đổi", "Change"),
    "diff.before": ("Trước", "Before"),
    "diff.after": ("Sau", "After"),
    "diff.added": ("thêm", "added"),
    "diff.removed": ("bỏ", "removed"),
    "diff.renamed": ("đổi tên", "renamed"),
    "diff.max": ("đổi điểm tối đa", "max changed"),
    "diff.moved": ("chuyển tiêu chí cha", "moved"),
    "diff.scoring": ("đổi cách chấm", "scoring changed"),
    "diff.reducible": ("đổi hạ chuẩn", "reducible changed"),
    "diff.none": ("Hai bộ có cùng cây tiêu chí.", "The two sets have the same tree."),
    "diff.suggest": ("Gợi ý replaces: (tiêu chí của bộ {b} tiếp nối tiêu chí của bộ {a})",
                     "Suggested replaces: (items of {b} continuing items of {a})"),
    "diff.similarity": ("Giống", "Similarity"),
    "aborted": ("Đã hủy.", "Aborted."),
    "gains.at_top": ("Đơn vị đang xếp thứ {rank}/{of}, ở xếp loại cao nhất: không còn hạng hay "
                     "xếp loại nào để lên; bảng trên cho biết mỗi tiêu chí lấy lại làm chỉ số "
                     "tăng bao nhiêu.",
                     "The unit ranks {rank}/{of}, in the top band: there is no rank or band "
                     "above to reach; the table shows what each criterion would add."),
    "gains.why.beyond": ("nhóm chỉ có {of} đơn vị", "the group has {of} units"),
    "gains.why.already": ("đơn vị đang xếp thứ {rank}/{of}", "the unit already ranks {rank}/{of}"),
    "import.written": ("Đã ghi bản nháp {path} ({n} tiêu chí được chấm).",
                       "Wrote the draft {path} ({n} scored criteria)."),
    "status.title": ("Tiến độ nộp bảng tính · năm {year}", "Progress of the workbooks · {year}"),
    "status.self": ("Tự đánh giá", "Self-assessed"),
    "status.appraisal": ("Thẩm định", "Appraised"),
    "status.round2": ("Giải trình", "Round 2"),
    "status.survey": ("Điều tra XHH", "Survey"),
    "status.errors": ("Lỗi", "Errors"),
    "status.warnings": ("Cảnh báo", "Warnings"),
    "status.ready": ("Sẵn sàng", "Ready"),
    "status.yes": ("có", "yes"),
    "status.no": ("chưa", "no"),
    "status.none": ("chưa có", "none"),
    "status.missing": ("Chưa nộp (có ở năm {year}, chưa có năm nay)",
                       "Not sent yet (there in {year}, not this year)"),
    "status.summary": ("{units} bảng tính · {ready} sẵn sàng xếp hạng · {missing} đơn vị chưa nộp",
                       "{units} workbooks · {ready} ready to rank · {missing} units not sent"),
    "satisfaction": ("Chỉ số hài lòng (điều tra XHH)", "Satisfaction index (survey)"),
    "satisfaction.line": ("{label}: {index} · {forms}", "{label}: {index} · {forms}"),
    "survey.forms": ("{n} phiếu", "{n} questionnaires"),
    "survey.tallied": ("phiếu đã tổng hợp", "pre-tallied answers"),
    "survey.title": ("Điểm điều tra xã hội học · {file}", "Survey points · {file}"),
    "survey.sheet": ("Điểm XHH", "Survey points"),
    "survey.items": ("Điểm từng tiêu chí · {unit}", "Points by criterion · {unit}"),
    "survey.items.all": ("Điểm từng tiêu chí", "Points by criterion"),
    "survey.items.sheet": ("Từng tiêu chí", "By criterion"),
    "survey.means": ("Trung bình tỉnh từng câu hỏi", "Province mean by question"),
    "survey.means.sheet": ("Trung bình tỉnh", "Province mean"),
    "survey.col.unit": ("Mã đơn vị", "Unit"),
    "survey.col.forms": ("Số phiếu", "Questionnaires"),
    "survey.col.points": ("Điểm XHH", "Survey points"),
    "survey.col.max": ("Tối đa", "Max"),
    "survey.col.pending": ("Chưa có điểm", "Pending"),
    "survey.col.criterion": ("Tiêu chí", "Criterion"),
    "survey.col.answers": ("Số trả lời", "Answers"),
    "survey.col.share": ("Tỷ lệ (%)", "Share (%)"),
    "survey.col.working": ("Cách tính", "Working"),
    "survey.col.question": ("Câu hỏi", "Question"),
    "survey.col.groups": ("Đối tượng", "Groups"),
    "survey.col.mean": ("Trung bình tỉnh (%)", "Province mean (%)"),
    "survey.summary": ("{units} đơn vị · {forms} · bộ tiêu chí {id}",
                       "{units} units · {forms} · criteria set {id}"),
    "skipped": ("Bỏ qua {n} mục trong thư mục", "Skipped {n} entries of the folder"),
    "skip.lock-file": ("tệp khóa của Office (~$…)", "Office lock files (~$…)"),
    "skip.dot-file": ("tệp ẩn (tên bắt đầu bằng dấu chấm)",
                      "hidden files (names starting with a dot)"),
    "skip.cchc-temp": ("tệp tạm của cchc", "cchc's temporary files"),
    "skip.cchc-output": ("kết quả do cchc ghi ra", "results cchc wrote"),
    "skip.folder": ("thư mục con", "subfolders"),
    "skip.not-a-workbook": ("không phải bảng tính", "not workbooks"),
    "skip.survey-answers": ("tệp phiếu điều tra XHH (--survey)", "the survey's answers (--survey)"),
    "interrupted": ("Đã dừng ({signal}); không ghi tệp nào dở dang.",
                    "Stopped ({signal}); no file was left half-written."),
    "others.unranked": (
        "Năm {year}: {n} bảng tính khác không chấm được ({files}); {code} xếp thứ {rank} "
        "trong số các đơn vị còn lại, chưa tính các bảng tính đó:",
        "{year}: {n} other workbook(s) could not be scored ({files}); {code} ranks {rank} "
        "among the remaining units only, not counting them:",
    ),
    "validate.summary": (
        "Đã kiểm tra {files} bảng tính: {bad} bảng tính có lỗi; {errors} lỗi, {warnings} cảnh báo.",
        "Checked {files} workbooks: {bad} with errors; {errors} errors, {warnings} warnings.",
    ),
    "validate.clean": ("Đã kiểm tra {files} bảng tính: không có lỗi nào.",
                       "Checked {files} workbooks: no problems."),
    "template.written": ("Đã ghi {path}: bộ tiêu chí {id}, {n} tiêu chí được chấm.",
                         "Wrote {path}: criteria set {id}, {n} scored criteria."),
    "crit.code": ("Mã", "Code"),
    "crit.title": ("Nội dung", "Title"),
    "crit.max": ("Tối đa", "Max"),
    "crit.min": ("Tối thiểu", "Min"),
    "crit.scoring": ("Chấm bằng", "Scored by"),
    "crit.reducible": ("Hạ chuẩn", "Reducible"),
    "crit.self": ("thẩm định", "appraisal"),  # self-assessed, then the council's score counts
    "crit.survey": ("điều tra XHH", "survey"),
    "crit.yes": ("được", "yes"),
    "doc.appendix.title": (
        "NHỮNG NỘI DUNG CÔNG VIỆC CHƯA ĐẢM BẢO THEO YÊU CẦU (BỊ TRỪ ĐIỂM CHỈ SỐ CCHC NĂM {year})",
        "WORK THAT DID NOT MEET THE REQUIREMENTS (POINTS LOST IN THE {year} PAR INDEX)",
    ),
    "doc.appendix.sheet": ("Phụ lục bị trừ điểm", "Points lost"),
    "doc.appendix.subtitle": ("(Kèm theo Công văn số …/… ngày …/…/… của {unit})",
                              "(Attached to letter no. … of … from {unit})"),
    "doc.col.tt": ("TT", "No."),
    "doc.col.item": ("Trách nhiệm/Nội dung công việc", "Criterion"),
    "doc.col.reason": ("Lý do bị trừ", "Reason"),
    "doc.col.points": ("Số điểm bị trừ", "Points lost"),
    "doc.col.office": ("Trách nhiệm của phòng có liên quan/giải trình",
                       "Office responsible / explanation"),
    "doc.sum": ("Cộng", "Total"),
    "doc.subtotal": ("Cộng {office}", "Subtotal {office}"),
    "doc.office.unknown": ("Chưa xác định phòng", "Office not stated"),
    "doc.sum.listed": ("Cộng các nội dung trên: {points} điểm ({n} tiêu chí).",
                       "The items above: {points} points ({n} criteria)."),
    "doc.sum.survey": ("Điểm bị trừ ở các tiêu chí điều tra xã hội học: {points} điểm ({items}).",
                       "Points lost in survey-scored criteria: {points} ({items})."),
    "doc.sum.total": ("Tổng điểm bị trừ: {listed} + {survey} = {total} điểm.",
                      "Points deducted in all: {listed} + {survey} = {total}."),
    "doc.cmp.title": ("SO SÁNH KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {a} VÀ NĂM {b}",
                      "THE PAR INDEX OF {a} AND {b} COMPARED"),
    "doc.cmp.year": ("Năm {year}: Xếp thứ hạng số {rank}; Tổng điểm đạt được {achieved}; "
                     "Chỉ số CCHC {index}.",
                     "{year}: rank {rank}; points achieved {achieved}; PAR index {index}."),
    "report.written": ("Đã ghi {path}.", "Wrote {path}."),
    "progress.reading": ("Đang đọc bảng tính", "Reading workbooks"),
    "cmp.title": ("{name} ({code}): năm {a} so với năm {b}", "{name} ({code}): {a} against {b}"),
    "cmp.sentence": (
        "Năm {b} so với năm {a}: tổng điểm đạt được {achieved_verb} {achieved_delta} điểm "
        "({achieved_a} → {achieved_b}); Chỉ số CCHC {index_verb} {index_delta} điểm phần trăm "
        "({index_a} → {index_b}); thứ hạng {rank_text}.",
        "{b} against {a}: points achieved {achieved_verb} {achieved_delta} "
        "({achieved_a} → {achieved_b}); index {index_verb} {index_delta} percentage points "
        "({index_a} → {index_b}); rank {rank_text}.",
    ),
    "cmp.up": ("tăng", "rose by"),
    "cmp.down": ("giảm", "fell by"),
    "cmp.same": ("không đổi", "unchanged at"),
    "cmp.rank.up": ("tăng {n} bậc ({a} → {b})", "up {n} places ({a} → {b})"),
    "cmp.rank.down": ("giảm {n} bậc ({a} → {b})", "down {n} places ({a} → {b})"),
    "cmp.rank.same": ("không đổi ({a} → {b})", "unchanged ({a} → {b})"),
    "cmp.rank.unknown": ("không so sánh được", "not comparable"),
    "cmp.totals": ("Tổng hợp", "Totals"),
    "cmp.change": ("Thay đổi", "Change"),
    "cmp.fields": ("Theo lĩnh vực", "By field"),
    "cmp.achieved": ("Đạt được {year}", "Achieved {year}"),
    "cmp.index": ("Chỉ số {year}", "Index {year}"),
    "cmp.delta_index": ("Δ chỉ số", "Δ index"),
    "cmp.delta": ("Δ điểm", "Δ points"),
    "cmp.lost": ("Bị trừ {year}", "Lost {year}"),
    "cmp.reason": ("Lý do {year}", "Reason {year}"),
    "cmp.kind.lost_more": ("Tiêu chí bị trừ nhiều điểm hơn", "Criteria that lost more points"),
    "cmp.kind.lost_fewer": ("Tiêu chí bị trừ ít điểm hơn", "Criteria that lost fewer points"),
    "cmp.kind.became_not_applicable": ("Tiêu chí chuyển thành không phát sinh (hạ chuẩn)",
                                       "Criteria that became not applicable"),
    "cmp.kind.became_applicable": ("Tiêu chí chuyển thành có phát sinh",
                                   "Criteria that became applicable"),
    "cmp.unmatched": ("Tiêu chí không đối chiếu được (bộ tiêu chí khác nhau)",
                      "Criteria with no counterpart (different criteria sets)"),
    "cmp.unchanged": ("{n} tiêu chí có số điểm bị trừ không thay đổi.",
                      "{n} criteria lost the same points in both years."),
    "cmp.year": ("Năm", "Year"),
    "cmp.rank": ("Thứ hạng", "Rank"),
    "cmp.max": ("Tối đa", "Max"),
    "history.title": ("{name} ({code}) qua các năm", "{name} ({code}) over the years"),
    "history.bar": ("Chỉ số (mỗi █ = 4 %, ▌ = 2 %)", "Index (each █ = 4 %, ▌ = 2 %)"),
    "chart.rank": ("Thứ hạng", "Rank"),
    "criteria.ok": ("Bộ tiêu chí hợp lệ", "Criteria set is valid"),
    "criteria.items": ("{n} tiêu chí được chấm, tổng {total} điểm, áp dụng {years}",
                       "{n} scored criteria, {total} points in all, for {years}"),
    "criteria.id": ("Mã", "Id"),
    "criteria.title": ("Tên", "Title"),
    "criteria.group": ("Nhóm", "Group"),
    "criteria.years": ("Năm áp dụng", "Years"),
    "criteria.file": ("Tệp", "File"),
}


def default_lang() -> Lang:
    lang = os.environ.get("CCHC_LANG", "vi").strip().lower()
    return "en" if lang.startswith("en") else "vi"


def t(key: str, lang: Lang = "vi", **params: object) -> str:
    vi, en = _LABELS[key]
    text = en if lang == "en" else vi
    return text.format(**params) if params else text
