"""The words the output uses, in Vietnamese (the users' language) and English.

Vietnamese labels follow the province's own documents (seed 003's appendix: "Tổng điểm hạ
chuẩn", "Tổng điểm sau hạ chuẩn", "Tổng điểm đạt được", "Tổng điểm bị trừ").
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
    "band": ("Xếp loại", "Band"),
    "appraised": ("Thẩm định", "Appraised"),
    "self_assessed": ("Tự đánh giá", "Self-assessed"),
    "provisional": ("Tạm tính (tự đánh giá)", "Provisional (self-assessed)"),
    "status.appraised": ("đã thẩm định", "appraised"),
    "status.provisional": ("tạm tính, chưa thẩm định", "provisional, not yet appraised"),
    "year": ("năm", "year"),
    "criteria_set": ("Bộ tiêu chí", "Criteria set"),
    "result": ("Kết quả", "Result"),
    "field": ("Lĩnh vực", "Field"),
    "col.max": ("Tối\nđa", "Max"),
    "col.reduction": ("Hạ\nchuẩn", "Reduced"),
    "col.max_after": ("Sau hạ\nchuẩn", "Max\nafter"),
    "col.self": ("Tự đánh\ngiá", "Self"),
    "col.appraised": ("Thẩm\nđịnh", "Apprai-\nsed"),
    "col.final": ("Đạt\nđược", "Achie-\nved"),
    "col.deducted": ("Bị\ntrừ", "Lost"),
    "col.index": ("Chỉ\nsố", "Index"),
    "total": ("Tổng cộng", "Total"),
    "fields.title": ("Kết quả theo lĩnh vực", "Result by field"),
    "lost.title": (
        "Những nội dung công việc chưa đảm bảo theo yêu cầu (bị trừ điểm)",
        "Items that lost points",
    ),
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
    "hint.fix": (
        "Gợi ý: sửa các ô nêu trên trong bảng tính rồi chạy lại.",
        "Hint: fix the cells named above in the workbook and run again.",
    ),
    "internal": (
        "Lỗi nội bộ của cchc (không phải lỗi dữ liệu): {detail}. Chạy lại với --debug để xem "
        "chi tiết và báo cho nhóm phát triển.",
        "Internal error in cchc (not a data problem): {detail}. Run again with --debug for "
        "details and report it.",
    ),
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
