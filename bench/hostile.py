"""Peak memory and time of `cchc` on each class of hostile input: ``python bench/hostile.py``.

Builds each input (the builders of tests/hostile.py and tests/test_hostile_criteria.py) from the
2020 sample, runs the command on it as a whole process, and prints a Markdown table: the class,
the command's exit code and problem code, its wall time, its peak memory (the command and its
child processes), and the same for the clean sample in the same run. docs/reliability.md's
section quotes the table.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import hostile  # noqa: E402
from tests.test_hostile_criteria import ALIAS_BOMB  # noqa: E402

SAMPLE = ROOT / "samples" / "2020" / "STC.xlsx"
CCHC = str(Path(sys.executable).with_name("cchc"))

# The probe runs the command and reports its wall time and the peak RSS of what it waited
# for (the command, and through it every child the command waited for).
PROBE = """
import json, resource, subprocess, sys, time
began = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({"seconds": time.perf_counter() - began, "exit": done.returncode,
                  "rss_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                  "stdout": done.stdout[-4000:], "stderr": done.stderr[-4000:]}))
"""


def measure(args: list[str], env: dict[str, str] | None = None, repeat: int = 3) -> dict:
    runs = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True,
                             text=True, env={**os.environ, **(env or {})}, timeout=600)
        runs.append(json.loads(out.stdout))
    best = min(runs, key=lambda r: r["seconds"])
    best["seconds"] = statistics.median(r["seconds"] for r in runs)
    best["rss_mib"] = max(r["rss_kib"] for r in runs) / 1024
    return best


def problem_code(run: dict) -> str:
    for line in (run["stderr"] + run["stdout"]).splitlines():
        if line.rstrip().endswith("]") and "[" in line:
            return line.rsplit("[", 1)[1].rstrip("]")
    return "—"


Workbook = Callable[[Path], None]


def _row_of(code: str) -> int:
    import python_calamine

    rows = python_calamine.CalamineWorkbook.from_path(str(SAMPLE)).get_sheet_by_name(
        "Thẩm định").to_python(skip_empty_area=False)
    return next(r for r, row in enumerate(rows, start=1) if row and row[0] == code)


ROW_21 = _row_of("2.1")  # the appraisal row of criterion 2.1 (max 1, appraised 1)

WORKBOOKS: dict[str, tuple[str, Workbook]] = {
    "clean sample": ("—", lambda p: None),
    "float artefact (=0.7+0.1)": ("—", lambda p: hostile.set_cell(
        p, "Thẩm định", f"C{ROW_21}",
        f'<c r="C{ROW_21}"><f>0.7+0.1</f><v>0.79999999999999993</v></c>')),
    "value at XFD1048576": ("far-cell", lambda p: hostile.add_far_cell(p, "Thẩm định")),
    "sheet inflating to 2 GiB": ("part-too-large",
                                 lambda p: hostile.inflating_part(p, "Thẩm định", 2048)),
    "size in the header lies": ("corrupt-part", lambda p: hostile.replace_stream(
        p, hostile.sheet_part(p, "Thẩm định"),
        lambda d: __import__("zlib").compress(d + b" " * (64 << 20), 9)[2:-4],
        declared_size=1000)),
    "corrupt deflate data": ("corrupt-part", lambda p: hostile.corrupt_stream(p, "Thẩm định")),
    "30,000 unclosed <c> tags": ("", lambda p: hostile.unclosed_cells(p, "Thẩm định", 30_000)),
    "entity bomb (DOCTYPE)": ("unsafe-xml", lambda p: hostile.entity_bomb(p, "Thẩm định")),
    "error cell, prefixed XML": ("error-cell", lambda p: hostile.set_cell(
        p, "Thẩm định", f"G{ROW_21}", f'<x:c xmlns:x="{hostile.MAIN_NS}" r="G{ROW_21}" '
                                      't="e"><x:v>#DIV/0!</x:v></x:c>')),
}


def main() -> int:
    rows = ["| input | command | exit | problem | time (s) | peak memory (MiB) |",
            "|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        for name, (_expected, build) in WORKBOOKS.items():
            folder = Path(tmp) / name.replace(" ", "-").replace("/", "") / "2020"
            folder.mkdir(parents=True)
            path = Path(shutil.copy(SAMPLE, folder / "STC.xlsx"))
            build(path)
            run = measure([CCHC, "validate", str(path)])
            rows.append(f"| {name} | validate | {run['exit']} | {problem_code(run)} | "
                        f"{run['seconds']:.2f} | {run['rss_mib']:.0f} |")
        # a year with the worst of them among 18 good units
        year = Path(tmp) / "year" / "2020"
        shutil.copytree(SAMPLE.parent, year)
        hostile.add_far_cell(year / "SNV.xlsx", "Thẩm định")
        hostile.inflating_part(year / "SYT.xlsx", "Thẩm định", 2048)
        hostile.corrupt_stream(year / "STP.xlsx", "Thẩm định")
        clean = measure([CCHC, "rank", str(SAMPLE.parent)])
        run = measure([CCHC, "rank", str(year)])
        rows.append(f"| 19 sample units | rank | {clean['exit']} | — | {clean['seconds']:.2f} "
                    f"| {clean['rss_mib']:.0f} |")
        rows.append(f"| the same, 3 of them hostile | rank | {run['exit']} | "
                    f"{problem_code(run)} … | {run['seconds']:.2f} | {run['rss_mib']:.0f} |")
        # criteria files are input too
        criteria = Path(tmp) / "criteria"
        criteria.mkdir()
        (criteria / "bomb.yaml").write_text(ALIAS_BOMB, encoding="utf-8")
        (criteria / "loop.yaml").write_text("id: x\nloop: &a [1, *a]\n", encoding="utf-8")
        run = measure([CCHC, "criteria", "check", str(criteria / "bomb.yaml")])
        rows.append(f"| YAML alias bomb (9⁹ strings in 324 bytes) | criteria check | "
                    f"{run['exit']} | {problem_code(run)} | {run['seconds']:.2f} | "
                    f"{run['rss_mib']:.0f} |")
        run = measure([CCHC, "score", str(SAMPLE)], env={"CCHC_CRITERIA": str(criteria)})
        rows.append(f"| the same two files in CCHC_CRITERIA | score | {run['exit']} | — | "
                    f"{run['seconds']:.2f} | {run['rss_mib']:.0f} |")
    started = time.strftime("%Y-%m-%d")
    print(f"Measured {started}, {os.cpu_count()} cores, Python {sys.version.split()[0]}; "
          "time: median of 3 whole-process runs; memory: the largest of them.\n")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
