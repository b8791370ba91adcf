"""Benchmark `cchc`: ``python bench/run.py --units 1000`` (pandas is needed for the naive
baseline: ``pip install pandas``; without it that line is skipped).

1. Generates N realistic unit workbooks (the Sóc Trăng 2021 set: every item, three sheets,
   reasons and evidence as text, a few items not applicable), deterministic from a seed, into
   a temporary folder.
2. Times, side by side in one run (median of --repeat runs, each a whole process), like for
   like: ``cchc rank DIR --json`` and the floor (the same sheets read with python-calamine and
   nothing else) each on one process and each on every core; the fair naive script (pandas
   opens each workbook once, every sheet, then a groupby); ``cchc score`` of one workbook from
   a regular (non-editable, compiled) install against ``python -c pass``; and the peak memory
   of each run, the parent and its workers summed.
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
    sheets = pd.read_excel(p, sheet_name=None)  # the file opened once, every sheet
    info, review, survey = sheets["Thông tin"], sheets["Thẩm định"], sheets["Điều tra XHH"]
    unit = info.iloc[0, 1]
    points = pd.concat([review[["Mã", "Điểm thẩm định"]].rename(columns={"Điểm thẩm định": "d"}),
                        survey[["Mã", "Điểm"]].rename(columns={"Điểm": "d"})])
    points["unit"] = unit
    frames.append(points)
data = pd.concat(frames)
print(data.groupby("unit")["d"].sum().sort_values(ascending=False).head(3))
"""

MEASURE = """
import os, resource, subprocess, sys, threading, time

def tree_rss(root):
    # the resident memory of root and of every process under it, summed (Linux /proc)
    parents = {}
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/stat") as f:
                    parents[int(pid)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    tree, grew = {root}, True
    while grew:
        grew = False
        for pid, ppid in parents.items():
            if ppid in tree and pid not in tree:
                tree.add(pid)
                grew = True
    total = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            pass
    return total

peak, done = [0], threading.Event()

def watch(pid):  # a thread: the wall time is taken by the main thread, as the child ends
    while not done.wait(0.05):
        peak[0] = max(peak[0], tree_rss(pid))

start = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
watcher = threading.Thread(target=watch, args=(proc.pid,), daemon=True)
if os.path.isdir("/proc"):
    watcher.start()
code = proc.wait()
elapsed = time.perf_counter() - start
done.set()
peak = peak[0]
largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
print(elapsed, max(peak, largest), code)
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
        peaks.append(int(out[1]) // (1024 * 1024))
    return statistics.median(times), max(peaks)


def regular_install(work: Path) -> dict[str, str]:
    """cchc installed as a user installs it (built, compiled, not editable) into ``work``:
    the environment that runs it from there (its dependencies are this Python's)."""
    target = work / "regular-install"
    if not (target / "cchc_cli").is_dir():
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
                        str(target), str(ROOT)], check=True)
    return {"PYTHONPATH": str(target)}


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

    cores = os.cpu_count() or 1
    cchc = str(Path(sys.executable).with_name("cchc"))
    work = Path(args.workdir or tempfile.mkdtemp(prefix="cchc-bench-"))
    folder = work / f"{args.units}" / "2023"
    began = time.perf_counter()
    generate(folder, args.units, args.jobs)
    print(f"{args.units} workbooks in {folder} ({time.perf_counter() - began:.0f} s)")
    one = next(folder.glob("*.xlsx"))

    rank_cmd = [cchc, "rank", str(folder), "--json"]
    rank1 = measure(rank_cmd, args.repeat, {"CCHC_JOBS": "1"})
    floor1 = measure([sys.executable, "-c", FLOOR, str(folder)], args.repeat)
    rank2 = measure(rank_cmd, args.repeat, {"CCHC_JOBS": str(cores)})
    floor2 = measure([sys.executable, "-c", FLOOR_PARALLEL, str(folder)], args.repeat)
    rows = [("cchc rank DIR --json, 1 process", *rank1),
            ("calamine floor, 1 process", *floor1),
            (f"cchc rank DIR --json, {cores} processes", *rank2),
            (f"calamine floor, {cores} processes", *floor2)]
    naive = None
    if args.naive_repeat:
        try:
            import pandas  # noqa: F401
            naive = measure([sys.executable, "-c", NAIVE, str(folder)], args.naive_repeat)
            rows.append(("naive pandas (each file opened once, all sheets), 1 process",
                         *naive))
        except ImportError:
            pass
    small = max(1, args.units // 10)  # memory flat in N: the same run on a tenth as many
    generate(work / f"{small}" / "2023", small, args.jobs)
    rank_small = measure([cchc, "rank", str(work / f"{small}" / "2023"), "--json"], 1,
                         {"CCHC_JOBS": str(cores)})
    rows.append((f"cchc rank DIR --json, {small} workbooks, {cores} processes", *rank_small))
    env = regular_install(work)
    score = measure([sys.executable, "-m", "cchc_cli", "score", str(one)], args.repeat * 3, env)
    imp = measure([sys.executable, "-c", "import cchc_cli.cli"], args.repeat * 3, env)
    empty = measure([sys.executable, "-c", "pass"], args.repeat * 3)
    rows += [("cchc score FILE (regular install)", *score),
             ("python -c 'import cchc_cli.cli' (regular install)", *imp),
             ("python -c pass", *empty)]

    def verdict(ok: bool) -> str:
        return "met" if ok else "missed"

    ratios = [
        f"rank / floor, 1 process against 1: {rank1[0] / floor1[0]:.2f}× (target ≤ 1.5×: "
        f"{verdict(rank1[0] / floor1[0] <= 1.5)})",
        f"rank / floor, {cores} processes against {cores}: {rank2[0] / floor2[0]:.2f}× "
        f"(target ≤ 1.5×: {verdict(rank2[0] / floor2[0] <= 1.5)})",
        f"processes: rank {rank1[0] / rank2[0]:.2f}× faster on {cores} than on 1; the floor "
        f"{floor1[0] / floor2[0]:.2f}×"]
    if naive:
        ratios.append(f"naive / rank, 1 process against 1: {naive[0] / rank1[0]:.1f}× "
                      f"(target ≥ 10×: {verdict(naive[0] / rank1[0] >= 10)})")
    ratios += [
        f"score: {score[0]:.3f} s (target ≤ 0.25 s: {verdict(score[0] <= 0.25)}); "
        f"{score[0] - empty[0]:.3f} s above python -c pass (target ≤ 0.20 s: "
        f"{verdict(score[0] - empty[0] <= 0.20)}); import alone {imp[0]:.3f} s",
        f"memory (parent and workers summed): {rank2[1]} MB for {args.units} workbooks, "
        f"{rank_small[1]} MB for {small}: {rank2[1] / rank_small[1]:.2f}× (target ≤ 1.2×: "
        f"{verdict(rank2[1] / rank_small[1] <= 1.2)})"]
    table = ["| what | wall (median) | peak RSS, summed |", "|---|---|---|"]
    table += [f"| {name} | {t:.3f} s | {mb} MB |" for name, t, mb in rows]
    machine = (f"{platform.machine()}, {cores} cores, Python "
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
