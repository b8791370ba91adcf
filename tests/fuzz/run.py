"""Fuzz `cchc` with mutated workbooks: ``python tests/fuzz/run.py --cases 10000``.

Prints "N cases, N scored, N rejected with problems, N crashes"; a crashing workbook is kept
in --keep (default: fuzz-crashes/) with its seed, to be replayed.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import traceback
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from cchc_cli.folders import load_registry
from tests.fuzz.mutate import check, mutated_workbook


def _batch(args: tuple[int, int, str]) -> tuple[Counter, list[tuple[int, str, str]]]:

    start, count, keep = args
    registry = load_registry()
    outcome: Counter = Counter()
    crashes = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(start, start + count):
            path = Path(tmp) / "2020" / f"case-{seed}.xlsx"
            what = mutated_workbook(random.Random(seed), path)
            try:
                verdict, codes = check(path, registry)
                outcome[verdict] += 1
                outcome.update(f"code:{c}" for c in set(codes))
            except Exception:
                outcome["crash"] += 1
                kept = Path(keep) / path.name
                kept.parent.mkdir(parents=True, exist_ok=True)
                kept.write_bytes(path.read_bytes())
                crashes.append((seed, what, traceback.format_exc(limit=3)))
            path.unlink(missing_ok=True)
    return outcome, crashes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0, help="first seed")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", default="fuzz-crashes")
    args = parser.parse_args()
    size = max(1, args.cases // (args.jobs * 8))
    batches = [(s, min(size, args.seed + args.cases - s), args.keep)
               for s in range(args.seed, args.seed + args.cases, size)]
    total: Counter = Counter()
    crashes = []
    began = time.perf_counter()
    with ProcessPoolExecutor(args.jobs) as pool:
        for outcome, found in pool.map(_batch, batches):
            total += outcome
            crashes += found
    for seed, what, trace in crashes[:10]:
        print(f"--- crash, seed {seed} ({what}):\n{trace}", file=sys.stderr)
    codes = sorted(((k[5:], n) for k, n in total.items() if k.startswith("code:")),
                   key=lambda kv: -kv[1])
    print("problems seen (workbooks):", ", ".join(f"{c} {n}" for c, n in codes))
    print(f"{args.cases} cases, {total['scored']} scored, {total['rejected']} rejected with "
          f"problems, {total['crash']} crashes ({time.perf_counter() - began:.0f} s)")
    return 1 if total["crash"] else 0


if __name__ == "__main__":
    sys.exit(main())
