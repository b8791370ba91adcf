"""Benchmark `cchc survey`: ``python bench/survey.py --rows 200000`` (add ``--xlsx`` to time a
workbook of the same answers too; writing it takes a minute).

1. Generates, from a seed, a criteria set with 20 survey-scored items (one question each, three
   respondent groups) and N questionnaires (one row each: unit, group, id, 20 answers A–D,
   some blank) for 60 units, as UTF-8 CSV — and, with ``--xlsx``, as .xlsx.
2. Times, side by side in one run (median of --repeat whole-process runs):
   - `cchc survey ANSWERS --criteria SET --json` — the product, every unit and item scored;
   - the floor: Python's csv module reading the same rows and doing nothing else (for .xlsx:
     python-calamine reading the sheet);
   and the peak memory of each, for N and for N/4 (memory should not grow with N).
3. Prints the figures and writes them to bench/RESULTS.md (the block of the same N is replaced).
"""

from __future__ import annotations

import argparse
import csv
import platform
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from run import measure  # noqa: E402

QUESTIONS = 20
UNITS = 60
GROUPS = ("CBCC", "LD", "ND")

CSV_FLOOR = """
import csv, sys
n = 0
with open(sys.argv[1], newline="", encoding="utf-8-sig") as f:
    for row in csv.reader(f):
        n += 1
print(n)
"""

INSIDE = """
import sys, time
from cchc_cli.engine.survey import score_survey
from cchc_cli.reading.criteria_file import load_criteria
from cchc_cli.reading.survey import read_survey
cs = load_criteria(sys.argv[2])
start = time.perf_counter()
score_survey(cs, read_survey(sys.argv[1], cs))
print(time.perf_counter() - start)
"""

XLSX_FLOOR = """
import sys, python_calamine as c
wb = c.CalamineWorkbook.from_path(sys.argv[1])
print(sum(1 for _ in wb.get_sheet_by_index(0).iter_rows()))
"""


def criteria_yaml() -> str:
    items = "\n".join(f'      - {{code: "1.{i}", title: "Câu hỏi {i}", max: 1}}'
                      for i in range(1, QUESTIONS + 1))
    questions = "\n".join(
        f'    - {{column: "Câu {i}", item: "1.{i}", groups: [{", ".join(sorted(asked(i)))}]}}'
        for i in range(1, QUESTIONS + 1))
    return f"""id: bench-survey
title: Bộ tiêu chí đo tốc độ điều tra XHH
province: Bench
group: Bench
years: {{from: 2023}}
total: {QUESTIONS}
rounding: {{decimals: 2, mode: truncate}}
bands: [{{name: A, lower: 0}}]
survey:
  groups:
    - {{code: CBCC, title: Công chức, weight: 1}}
    - {{code: LD, title: Lãnh đạo, weight: 1}}
    - {{code: ND, title: Người dân, weight: 2}}
  scale: {{A: 100, B: 60, C: 20, D: 0}}
  top: [A, B]
  min_answers: 5
  questions:
{questions}
fields:
  - code: "1"
    title: Tác động
    max: {QUESTIONS}
    scoring: survey
    criteria:
{items}
"""


def asked(i: int) -> set[str]:
    """The groups asked question ``i`` (as ``criteria_yaml`` declares)."""
    return {GROUPS[i % 3]} | ({GROUPS[(i + 1) % 3]} if i % 4 == 0 else set())


def answers(rows: int, seed: int = 1) -> list[list[str]]:
    """Questionnaires as delivered: a group's questions answered (a few left blank), the
    others empty."""
    rng = random.Random(seed)
    units = [f"DV{i:02d}" for i in range(UNITS)]
    out = [["Mã đơn vị", "Đối tượng", "Mã phiếu", *(f"Câu {i}" for i in range(1, QUESTIONS + 1))]]
    for n in range(rows):
        group = rng.choice(GROUPS)
        out.append([rng.choice(units), group, f"P{n}",
                    *(rng.choices("ABCD ", weights=(30, 40, 15, 10, 5))[0].strip()
                      if group in asked(i) else "" for i in range(1, QUESTIONS + 1))])
    return out


def write(folder: Path, rows: int, xlsx: bool) -> list[Path]:
    data = answers(rows)
    path = folder / f"xhh-{rows}.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(data)
    made = [path]
    if xlsx:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("Phiếu")
        for row in data:
            sheet.append([v or None for v in row])
        book.save(folder / f"xhh-{rows}.xlsx")
        made.append(folder / f"xhh-{rows}.xlsx")
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--xlsx", action="store_true")
    parser.add_argument("--results", default=str(ROOT / "bench" / "RESULTS.md"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        criteria = folder / "bench-survey.yaml"
        criteria.write_text(criteria_yaml(), encoding="utf-8")
        lines = [f"### Survey: {args.rows:,} questionnaires × {QUESTIONS} questions, "
                 f"{UNITS} units",
                 "",
                 f"{platform.python_implementation()} {platform.python_version()}, "
                 f"{len(__import__('os').sched_getaffinity(0))} cores; median of "
                 f"{args.repeat} runs",
                 "",
                 "| input | cchc survey (whole command) | aggregation alone (in-process) | "
                 "floor (read only) | ratio (command / floor) | peak RSS (N, N/4) |",
                 "|---|---|---|---|---|---|"]
        for path, small in zip(write(folder, args.rows, args.xlsx),
                               write(folder, args.rows // 4, args.xlsx), strict=True):
            def cmd(answers: Path) -> list[str]:
                return [sys.executable, "-m", "cchc_cli", "survey", str(answers),
                        "--criteria", str(criteria), "--json"]

            wall, peak = measure(cmd(path), args.repeat)
            _small_wall, small_peak = measure(cmd(small), args.repeat)
            floor = CSV_FLOOR if path.suffix == ".csv" else XLSX_FLOOR
            floor_wall, _floor_peak = measure([sys.executable, "-c", floor, str(path)],
                                              args.repeat)
            inside = statistics.median(
                float(subprocess.run([sys.executable, "-c", INSIDE, str(path), str(criteria)],
                                     capture_output=True, text=True, check=True).stdout)
                for _ in range(args.repeat))
            line = (f"| {path.suffix} ({path.stat().st_size / 2**20:.0f} MB) | {wall:.2f} s | "
                    f"{inside:.2f} s | {floor_wall:.2f} s | {wall / floor_wall:.2f}× | "
                    f"{peak} MB, {small_peak} MB |")
            print(line, flush=True)
            lines.append(line)
    block = "\n".join(lines) + "\n"
    results = Path(args.results)
    text = results.read_text(encoding="utf-8") if results.exists() else ""
    start = text.find(lines[0])
    if start >= 0:
        end = text.find("\n### ", start + 1)
        text = text[:start] + block + (text[end + 1:] if end >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    results.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
