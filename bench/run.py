"""Benchmark `cchc`: ``python bench/run.py --units 1000`` (pandas is needed for the naive
baseline: ``pip install pandas``; without it that line is skipped).

1. Generates N realistic unit workbooks (the Sóc Trăng 2021 set: every item, three sheets,
   reasons and evidence as text, a few items not applicable), deterministic from a seed, into
   a temporary folder.
2. Times, side by side in one run (median of --repeat runs, each a whole process):
   - `cchc rank DIR --json` — the product;
   - the floor: the same sheets read with python-calamine and nothing else;
   - the naive script: pandas.read_excel(engine="openpyxl") of the same sheets + a groupby;
   - `cchc score` of one workbook, against `import cchc_cli` and an empty Python start;
   and the peak memory (max RSS) of each.
3. Prints the ratios and writes them to bench/RESULTS.md with the machine's cores and Python.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

REASONS = ["Báo cáo định kỳ gửi trễ hạn so với quy định của Ủy ban nhân dân tỉnh",
           "Thiếu tài liệu kiểm chứng về việc triển khai thực hiện kế hoạch",
           "Tỷ lệ hồ sơ tiếp nhận và giải quyết trực tuyến thấp hơn chỉ tiêu được giao",
           "Chưa ban hành quyết định thành lập đoàn kiểm tra theo kế hoạch"]
EVIDENCE = "Quyết định số {n}/QĐ-STC ngày 15/03/2023; Báo cáo số {m}/BC-STC ngày 20/12/2023"
OFFICES = ["Văn phòng", "Thanh tra", "Phòng Kế hoạch – Tài chính", "Các phòng chuyên môn"]

FLOOR = """
import sys, python_calamine as c
from pathlib import Path
n = 0
for p in sorted(Path(sys.argv[1]).glob("*.xlsx")):
    wb = c.CalamineWorkbook.from_path(str(p))
    for name in wb.sheet_names:
        n += len(wb.get_sheet_by_name(name).to_python(skip_empty_area=False))
print(n)
"""

FLOOR_PARALLEL = """
import os, sys, python_calamine as c
from multiprocessing import Pool
from pathlib import Path

def rows(p):
    wb = c.CalamineWorkbook.from_path(str(p))
    return sum(len(wb.get_sheet_by_name(n).to_python(skip_empty_area=False))
               for n in wb.sheet_names)

if __name__ == "__main__":
    files = sorted(Path(sys.argv[1]).glob("*.xlsx"))
    with Pool(os.cpu_count()) as pool:
        print(sum(pool.map(rows, files, chunksize=max(1, len(files) // 16))))
"""

NAIVE = """
import sys, pandas as pd
from pathlib import Path
frames = []
for p in sorted(Path(sys.argv[1]).glob("*.xlsx")):
    info = pd.read_excel(p, sheet_name="Thông tin", header=None, engine="openpyxl")
    review = pd.read_excel(p, sheet_name="Thẩm định", engine="openpyxl")
    survey = pd.read_excel(p, sheet_name="Điều tra XHH", engine="openpyxl")
    own = pd.read_excel(p, sheet_name="Tự đánh giá", engine="openpyxl")
    unit = info.iloc[1, 1]
    points = pd.concat([review[["Mã", "Điểm thẩm định"]].rename(columns={"Điểm thẩm định": "d"}),
                        survey[["Mã", "Điểm"]].rename(columns={"Điểm": "d"})])
    points["unit"] = unit
    frames.append(points)
data = pd.concat(frames)
print(data.groupby("unit")["d"].sum().sort_values(ascending=False).head(3))
"""

MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)
"""


def _make(args: tuple[int, int, str]) -> None:
    from cchc_cli.folders import load_registry
    from tests.builders import Entry, unit_sheets, write_workbook

    start, count, folder = args
    cs = load_registry().get("soc-trang-so-2021")
    reducible = [c for c, leaf in cs.leaves.items() if leaf.reducible]
    for i in range(start, start + count):
        rng = random.Random(i)
        entries = {}
        for code in rng.sample(reducible, 3):
            entries[code] = Entry(self_na=True, na=True, reason="Không phát sinh trong năm")
        for code, leaf in cs.leaves.items():
            if code in entries:
                continue
            lost = Decimal(rng.choice([0, 0, 0, 25, 50])) / 100 * leaf.max
            final = (leaf.max - lost).quantize(Decimal("0.01"))
            if leaf.scoring == "survey":
                entries[code] = Entry(survey=final)
            else:
                entries[code] = Entry(
                    self_score=leaf.max, appraised=final,
                    reason=rng.choice(REASONS) if lost else "",
                    responsible=rng.choice(OFFICES) if lost else "",
                    evidence=EVIDENCE.format(n=rng.randint(10, 999), m=rng.randint(10, 999)))
        info = {"Mã đơn vị": f"DV{i:05d}", "Tên đơn vị": f"Đơn vị số {i}", "Năm": 2023,
                "Nhóm": "Sở, ban ngành tỉnh", "Bộ tiêu chí": cs.id}
        write_workbook(Path(folder) / f"DV{i:05d}.xlsx", unit_sheets(cs, info, entries))


def generate(folder: Path, units: int, jobs: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    have = len(list(folder.glob("*.xlsx")))
    if have == units:
        return
    for stale in folder.glob("*.xlsx"):
        stale.unlink()
    size = max(1, units // (jobs * 4))
    with ProcessPoolExecutor(jobs) as pool:
        list(pool.map(_make, [(s, min(size, units - s), str(folder))
                              for s in range(0, units, size)]))


def measure(cmd: list[str], repeat: int, env: dict[str, str] | None = None
            ) -> tuple[float, int]:
    """Median wall time (s) and peak RSS (MB) of ``cmd`` run as a whole process."""
    times, peaks = [], []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", MEASURE, *cmd], capture_output=True,
                             text=True, check=True, env={**os.environ, **(env or {})}
                             ).stdout.split()
        if out[2] not in ("0", "1"):
            raise SystemExit(f"{cmd} failed with exit code {out[2]}")
        times.append(float(out[0]))
        peaks.append(int(out[1]) // 1024)
    return statistics.median(times), max(peaks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--naive-repeat", type=int, default=1,
                        help="the naive script is slow; run it this many times (0: skip)")
    parser.add_argument("--workdir", default=None, help="keep generated workbooks here")
    parser.add_argument("--results", default=str(ROOT / "bench" / "RESULTS.md"))
    args = parser.parse_args()

    cchc = str(Path(sys.executable).with_name("cchc"))
    work = Path(args.workdir or tempfile.mkdtemp(prefix="cchc-bench-"))
    folder = work / f"{args.units}" / "2023"
    began = time.perf_counter()
    generate(folder, args.units, args.jobs)
    print(f"{args.units} workbooks in {folder} ({time.perf_counter() - began:.0f} s)")
    one = next(folder.glob("*.xlsx"))

    rows = []
    rank = measure([cchc, "rank", str(folder), "--json"], args.repeat)
    floor = measure([sys.executable, "-c", FLOOR, str(folder)], args.repeat)
    floor2 = measure([sys.executable, "-c", FLOOR_PARALLEL, str(folder)], args.repeat)
    rank1 = measure([cchc, "rank", str(folder), "--json"], args.repeat, {"CCHC_JOBS": "1"})
    rows += [(f"cchc rank DIR --json ({os.cpu_count()} processes)", *rank),
             ("cchc rank DIR --json (1 process)", *rank1),
             ("calamine floor (1 process)", *floor),
             (f"calamine floor ({os.cpu_count()} processes)", *floor2)]
    naive = None
    if args.naive_repeat:
        try:
            import pandas  # noqa: F401
            naive = measure([sys.executable, "-c", NAIVE, str(folder)], args.naive_repeat)
            rows.append(("naive pandas + openpyxl", *naive))
        except ImportError:
            pass
    small = max(1, args.units // 10)  # memory flat in N: the same run on a tenth as many
    generate(work / f"{small}" / "2023", small, args.jobs)
    rank_small = measure([cchc, "rank", str(work / f"{small}" / "2023"), "--json"], 1)
    rows.append((f"cchc rank DIR --json, {small} workbooks", *rank_small))
    score = measure([cchc, "score", str(one)], args.repeat * 3)
    imp = measure([sys.executable, "-c", "import cchc_cli.cli"], args.repeat * 3)
    empty = measure([sys.executable, "-c", "pass"], args.repeat * 3)
    rows += [("cchc score FILE", *score), ("python -c 'import cchc_cli.cli'", *imp),
             ("python -c pass", *empty)]

    ratios = [f"rank / floor: {rank[0] / floor[0]:.2f}× (target ≤ 1.5×); with both sides on "
              f"{os.cpu_count()} processes {rank[0] / floor2[0]:.2f}×; one process against one "
              f"{rank1[0] / floor[0]:.2f}×",
              f"processes: rank {rank1[0] / rank[0]:.2f}× faster on {os.cpu_count()} cores "
              f"than on one"]
    if naive:
        ratios.append(f"naive / rank: {naive[0] / rank[0]:.1f}× faster (target ≥ 10×)")
    ratios += [f"rank of {args.units}: {rank[0]:.2f} s (target < 3 s for 1,000)",
               f"memory: peak RSS {rank[1]} MB for {args.units} workbooks, {rank_small[1]} MB "
               f"for {small}: {rank[1] / rank_small[1]:.2f}× for 10× the workbooks "
               f"(target ≤ 1.2×)",
               f"score: {score[0]:.3f} s (target < 0.35 s); import alone {imp[0]:.3f} s, "
               f"empty Python {empty[0]:.3f} s"]
    table = ["| what | wall (median) | peak RSS |", "|---|---|---|"]
    table += [f"| {name} | {t:.3f} s | {mb} MB |" for name, t, mb in rows]
    machine = (f"{platform.machine()}, {os.cpu_count()} cores, Python "
               f"{platform.python_version()}, {platform.system()}")
    text = "\n".join([f"### {args.units} workbooks — {time.strftime('%Y-%m-%d')}", "",
                      f"Machine: {machine}; repeat {args.repeat}, naive "
                      f"{args.naive_repeat}.", "", *table, "", *[f"- {r}" for r in ratios], ""])
    print(text)
    results = Path(args.results)
    previous = results.read_text(encoding="utf-8") if results.exists() else "# Benchmark\n\n"
    marker = f"### {args.units} workbooks"
    kept = [block for block in previous.split("\n### ") if not block.startswith(marker[4:])]
    results.write_text("\n### ".join(kept).rstrip() + "\n\n" + text, encoding="utf-8")


if __name__ == "__main__":
    main()
