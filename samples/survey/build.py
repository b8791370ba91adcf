"""Build the synthetic survey answers for ``samples/2023``: ``python samples/survey/build.py``.

SYNTHETIC DATA (dữ liệu giả lập). No real questionnaire is held here. For each of the 19
departments of ``samples/2023``, questionnaires are drawn — from a fixed seed — so that the
answers, scored by the survey the 2021 Sóc Trăng set declares (answers A–D worth 100/60/20/0 %
of a question's points), give exactly the survey points typed in that unit's workbook. So
``cchc rank samples/2023 --survey samples/survey/2023.xlsx`` must rank as ``cchc rank
samples/2023`` does; tests/test_survey.py checks that the engine finds it so.

Writes ``2023.xlsx`` (one row per questionnaire) and ``2023-tong-hop.xlsx`` (the same answers
pre-tallied: one row per unit × group × question with the count of each answer).
"""

from __future__ import annotations

import random
import sys
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from openpyxl import Workbook  # noqa: E402

from cchc_cli.folders import load_registry, score_file  # noqa: E402

YEAR = 2023
SET = "soc-trang-so-2021"
# questionnaires per unit and group: multiples of 20, so that any share in hundredths can be
# reached exactly with answers worth 100/60/20/0 %
SIZES = {"CBCC": (20, 40, 60), "LD": (20, 40), "ND": (40, 60, 80)}
NOTE = ("DỮ LIỆU GIẢ LẬP (synthetic): phiếu điều tra XHH năm 2023 dựng cho các đơn vị mẫu, "
        "không phải số liệu thật.")


def counts_for(share: Decimal, n: int, rng: random.Random) -> dict[str, int]:
    """A, B, C, D answers out of ``n`` whose mean share (A 100, B 60, C 20, D 0 %) is exactly
    ``share``: 5a + 3b + c = 5·share·n in units of 20 %."""
    target = share * 5 * n
    assert target == target.to_integral_value(), (share, n)
    solutions = [(a, b, c, n - a - b - c) for a in range(n + 1) for b in range(n + 1 - a)
                 if 0 <= (c := int(target) - 5 * a - 3 * b) <= n - a - b]
    # answers of a real survey lean on the first two options: prefer those, then draw
    solutions.sort(key=lambda s: -(s[0] + s[1]))
    a, b, c, d = rng.choice(solutions[: max(1, len(solutions) // 4)])
    return {"A": a, "B": b, "C": c, "D": d}


def main() -> None:
    cs = load_registry().get(SET)
    survey = cs.survey
    assert survey is not None
    rng = random.Random(2023)
    rows: list[list[object]] = []
    tallied: list[list[object]] = []
    for k, path in enumerate(sorted((HERE.parent / str(YEAR)).glob("*.xlsx"))):
        result = score_file(path)
        code = result.unit.code
        points = {item.code: item.final for item in result.items if item.leaf.scoring == "survey"}
        for group in survey.groups:
            n = SIZES[group.code][k % len(SIZES[group.code])]
            forms: list[dict[str, str]] = [{} for _ in range(n)]
            for q in survey.questions:
                if group.code not in q.groups:
                    continue
                final = points[q.item]
                assert final is not None, (code, q.item)
                counts = counts_for(final / cs.leaves[q.item].max, n, rng)
                tallied.append([code, group.code, q.column, *counts.values()])
                answers = [o for o, m in counts.items() for _ in range(m)]
                rng.shuffle(answers)
                for form, answer in zip(forms, answers, strict=True):
                    form[q.column] = answer
            for i, form in enumerate(forms, start=1):
                rows.append([code, group.code, f"{code}-{group.code}-{i:03d}",
                             *(form.get(q.column) for q in survey.questions)])
    rng.shuffle(rows)  # as questionnaires arrive: not sorted by unit

    book = Workbook()
    sheet = book.active
    sheet.title = "Phiếu"
    sheet.append([f"Phiếu điều tra xã hội học năm {YEAR} — {NOTE}"])
    sheet.append([])
    sheet.append(["Mã đơn vị", "Đối tượng", "Mã phiếu", *(q.column for q in survey.questions)])
    for row in rows:
        sheet.append(row)
    book.save(HERE / f"{YEAR}.xlsx")

    book = Workbook()
    sheet = book.active
    sheet.title = "Tổng hợp"
    sheet.append([f"Tổng hợp phiếu điều tra xã hội học năm {YEAR} — {NOTE}"])
    sheet.append(["Mã đơn vị", "Đối tượng", "Câu hỏi", "A", "B", "C", "D"])
    for row in tallied:
        sheet.append(row)
    book.save(HERE / f"{YEAR}-tong-hop.xlsx")
    print(f"{len(rows)} phiếu, {len(tallied)} dòng tổng hợp")


if __name__ == "__main__":
    main()
