"""Ranking the units of a year within their groups (nhóm), as the province's decision does.

Units are ordered by their *exact* index, highest first (two units both shown as "90.02 %" can
rank 2nd and 3rd). Equal exact indices share a rank and the next rank skips (1, 1, 3). A
workbook that cannot be scored is not dropped: it is listed as not ranked, with its problems.
"""

from __future__ import annotations

import errno
import os
import stat
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

from cchc_cli.engine.scoring import UnitResult, assess_file, year_of_folder
from cchc_cli.model.criteria import CriteriaSet, Registry
from cchc_cli.model.decimals import EXACT
from cchc_cli.model.problems import CchcError, Problem
from cchc_cli.model.text import fold
from cchc_cli.reading.workbook import WORKBOOK_SUFFIXES


@dataclass(frozen=True)
class RankedUnit:
    rank: int
    of: int
    result: UnitResult

    @property
    def code(self) -> str:
        return self.result.unit.code


@dataclass(frozen=True)
class GroupSummary:
    units: int
    mean_index_exact: Decimal | None
    bands: dict[str, int]  # band name → units, in the set's band order; "" for no band


@dataclass(frozen=True)
class GroupRanking:
    group: str
    criteria: CriteriaSet
    units: list[RankedUnit]
    summary: GroupSummary


@dataclass(frozen=True)
class NotRanked:
    file: str
    problems: list[Problem]


@dataclass
class YearRanking:
    folder: Path
    year: int | None
    groups: list[GroupRanking] = field(default_factory=list)
    not_ranked: list[NotRanked] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def find(self, code: str) -> RankedUnit | None:
        key = fold(code)
        for group in self.groups:
            for unit in group.units:
                if fold(unit.code) == key:
                    return unit
        return None

    def not_ranked_for(self, code: str) -> NotRanked | None:
        """The unranked entry of a workbook that names ``code`` (by file name)."""
        key = fold(code)
        return next((n for n in self.not_ranked if fold(Path(n.file).stem) == key), None)

    def as_dict(self) -> dict[str, Any]:
        return ranking_dict(self)


def exact_ratio(result: UnitResult) -> Fraction | None:
    """The index / 100 as an exact fraction (bonus and penalty included) — what ranks
    compare."""
    return result.totals.index_fraction()


def rank_group(results: Iterable[UnitResult]) -> list[RankedUnit]:
    """Competition ranking (1, 1, 3) by exact index, highest first; ties listed by code."""
    scored = [(exact_ratio(r), r) for r in results]
    scored.sort(key=lambda pair: (-(pair[0] if pair[0] is not None else Fraction(-1)),
                                  pair[1].unit.code))
    ranked: list[RankedUnit] = []
    previous: Fraction | None = None
    for position, (ratio, result) in enumerate(scored, start=1):
        rank = ranked[-1].rank if ranked and ratio == previous else position
        ranked.append(RankedUnit(rank, len(scored), result))
        previous = ratio
    return ranked


def summarize(cs: CriteriaSet, units: list[RankedUnit]) -> GroupSummary:
    indices = [u.result.totals.index_exact for u in units]
    known = [i for i in indices if i is not None]
    mean = EXACT.divide(sum(known, Decimal(0)), Decimal(len(known))) if known else None
    counts = Counter(u.result.band or "" for u in units)
    bands = {band.name: counts.get(band.name, 0) for band in cs.bands}
    if counts.get(""):
        bands[""] = counts[""]
    return GroupSummary(len(units), mean, bands)


def rank_results(results: Iterable[UnitResult]) -> list[GroupRanking]:
    """Group scored units by their criteria set's group and rank each group."""
    by_group: dict[str, list[UnitResult]] = defaultdict(list)
    sets: dict[str, CriteriaSet] = {}
    for result in results:
        by_group[result.criteria.group].append(result)
        sets.setdefault(result.criteria.group, result.criteria)
    groups = []
    for name in sorted(by_group, key=fold):
        units = rank_group(by_group[name])
        groups.append(GroupRanking(name, sets[name], units, summarize(sets[name], units)))
    return groups


# --- the folder: every entry accounted for ------------------------------------------------------

SkipRule = Literal["lock-file", "dot-file", "cchc-temp", "cchc-output", "folder",
                   "not-a-workbook"]


@dataclass(frozen=True)
class Skipped:
    """An entry of a year folder left out by a documented rule (README, "Thư mục năm")."""

    file: str
    rule: SkipRule


@dataclass
class FolderEntries:
    workbooks: list[Path] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    broken: list[NotRanked] = field(default_factory=list)  # links and special files


def scan_folder(folder: Path) -> FolderEntries:
    """Every entry directly in a year folder: a workbook to score; an entry that cannot be one
    (a dangling link, a link loop, a FIFO or device — never opened), listed with its problem;
    or an entry skipped by a rule: Office lock files (``~$STC.xlsx``), dot-files (cchc's own
    temporary files among them), workbooks cchc wrote there (they carry its mark), folders,
    and files that are not workbooks by their suffix."""
    from cchc_cli.output.guard import is_cchc_output, is_cchc_temp

    entries = FolderEntries()
    for path in sorted(folder.iterdir()):
        name, file = path.name, str(path)
        if name.startswith("~$"):
            entries.skipped.append(Skipped(file, "lock-file"))
            continue
        if name.startswith("."):
            entries.skipped.append(Skipped(file, "cchc-temp" if is_cchc_temp(name)
                                           else "dot-file"))
            continue
        try:
            mode = path.stat().st_mode  # follows a link to what it names
        except OSError as exc:
            problem = (Problem("link-loop", file=file) if exc.errno == errno.ELOOP else
                       Problem("broken-link", file=file, params={"target": _link_target(path)})
                       if path.is_symlink() else
                       Problem("file-locked", file=file, params={
                           "detail": exc.strerror or exc.__class__.__name__}))
            entries.broken.append(NotRanked(file, [problem]))
            continue
        if stat.S_ISDIR(mode):
            entries.skipped.append(Skipped(file, "folder"))
        elif not stat.S_ISREG(mode):
            entries.broken.append(NotRanked(file, [Problem("not-a-regular-file", file=file)]))
        elif path.suffix.lower() not in WORKBOOK_SUFFIXES:
            entries.skipped.append(Skipped(file, "not-a-workbook"))
        elif is_cchc_output(path):
            entries.skipped.append(Skipped(file, "cchc-output"))
        else:
            entries.workbooks.append(path)
    return entries


def _link_target(path: Path) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return "?"


def workbook_files(folder: Path) -> list[Path]:
    """The unit workbooks directly in ``folder`` (see :func:`scan_folder` for what is not)."""
    return scan_folder(folder).workbooks


# --- scoring every workbook, one failure never stopping the others ------------------------------

# Below this many workbooks, starting worker processes costs more than it saves.
PARALLEL_FROM = 48
# Address space a worker may add to what it starts with: past it an allocation fails in that
# worker alone, and its workbooks are read again one by one.
WORKER_MEMORY_BYTES = 2048 * 1024 * 1024

Outcome = tuple[str, UnitResult | None, list[Problem], str | None]

_worker_registry: Registry | None = None


def assess_safely(path: str | os.PathLike[str], registry: Registry | None
                  ) -> tuple[UnitResult | None, list[Problem]]:
    """:func:`assess_file`, with any failure of cchc itself on this workbook reported as the
    workbook's problem, so that the other units are still scored."""
    try:
        return assess_file(path, registry)
    except CchcError as err:
        return None, err.problems
    except (MemoryError, RecursionError, Exception) as exc:
        return None, [Problem("internal-error", file=str(path), params={
            "detail": f"{exc.__class__.__name__}: {str(exc)[:160]}"})]


def _assess_slim(path: str, keep: str | None) -> Outcome:
    """In a worker: score one workbook and send back only what ranking needs (the criteria
    set travels as its id; items and fields only for the unit asked to ``keep``)."""
    result, problems = assess_safely(path, _worker_registry)
    if result is None:
        return path, None, problems, None
    return path, _slim(result, keep, criteria=None), problems, result.criteria.id


def _assess_chunk(job: tuple[list[str], str | None]) -> list[Outcome]:
    paths, keep = job
    return [_assess_slim(path, keep) for path in paths]


def _slim(result: UnitResult, keep: str | None, criteria: Any = "same") -> UnitResult:
    """Ranking needs totals, not every item: drop items and fields, except for ``keep``."""
    if keep is not None and fold(result.unit.code) == fold(keep):
        return result if criteria == "same" else replace(result, criteria=criteria)
    changes: dict[str, Any] = {"items": [], "fields": [], "self_totals": None}
    if criteria != "same":
        changes["criteria"] = criteria
    return replace(result, **changes)


def _init_worker(registry: Registry) -> None:
    import signal

    from cchc_cli.reading.child import die_with_parent, limit_memory, quiet_stderr

    global _worker_registry
    _worker_registry = registry
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops the workers itself
    die_with_parent()
    quiet_stderr()  # a worker reports through its results; an abort's backtrace is noise
    limit_memory(WORKER_MEMORY_BYTES)


def _assess_all(files: list[Path], registry: Registry, keep: str | None, jobs: int,
                on_file: Callable[[Path], None] | None
                ) -> Iterator[tuple[Path, UnitResult | None, list[Problem]]]:
    """Score every file, in ``jobs`` processes when the folder is large enough to gain."""
    if jobs <= 1 or len(files) < PARALLEL_FROM:
        for path in files:
            result, problems = assess_safely(path, registry)
            yield path, None if result is None else _slim(result, keep), problems
            if on_file:
                on_file(path)
        return
    for name, result, problems, set_id in _in_pool(files, registry, keep, jobs):
        if result is not None:
            result = replace(result, criteria=registry.get(set_id or ""))
        yield Path(name), result, problems
        if on_file:
            on_file(Path(name))


def _in_pool(files: list[Path], registry: Registry, keep: str | None,
             jobs: int) -> Iterator[Outcome]:
    """Chunks of workbooks in a pool of worker processes. A worker that dies (a reader the
    kernel or its memory cap killed) breaks the pool: the workbooks it left unanswered are then
    scored one by one, each in a child of its own, so that only the culprit is lost. On an
    interrupt the workers are stopped at once."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    context = multiprocessing.get_context("fork" if "fork" in
                                          multiprocessing.get_all_start_methods() else "spawn")
    size = max(1, len(files) // (jobs * 8))
    chunks = [[str(p) for p in files[i:i + size]] for i in range(0, len(files), size)]
    unanswered: list[str] = []
    pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=_init_worker,
                               initargs=(registry,))
    try:
        futures = {pool.submit(_assess_chunk, (chunk, keep)): chunk for chunk in chunks}
        for future in as_completed(futures):
            try:
                outcomes = future.result()
            except BrokenProcessPool:
                unanswered += futures[future]
                continue
            yield from outcomes
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown(wait=True)
    for path in unanswered:
        yield _alone(path, keep, registry)


def _stop(pool: Any) -> None:
    """Stop a pool now: cancel what has not started, end the workers that are busy."""
    processes = list(getattr(pool, "_processes", {}).values())  # no public way to end them
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.kill()
    for process in processes:
        process.join(timeout=5)


def _alone(path: str, keep: str | None, registry: Registry) -> Outcome:
    """One workbook in a child process of its own (after a worker died on its chunk)."""
    from cchc_cli.reading.child import ChildDied, in_child

    global _worker_registry
    _worker_registry = registry
    try:
        return in_child(_assess_slim_job, (path, keep))
    except ChildDied as died:
        return path, None, [Problem("reader-died", file=path,
                                    params={"detail": died.detail})], None


def _assess_slim_job(job: tuple[str, str | None]) -> Outcome:
    return _assess_slim(*job)


def default_jobs() -> int:
    """Worker processes: ``$CCHC_JOBS``, else every core."""
    env = os.environ.get("CCHC_JOBS", "")
    return int(env) if env.isdigit() and int(env) > 0 else (os.cpu_count() or 1)


def rank_folder(folder: str | os.PathLike[str], registry: Registry | None = None, *,
                group: str | None = None, keep: str | None = None, jobs: int | None = None,
                on_file: Callable[[Path], None] | None = None) -> YearRanking:
    """Score every workbook in ``folder`` and rank the units within their groups.

    Every entry of the folder is accounted for: ranked, not ranked (with its problems), or
    skipped by a documented rule (:func:`scan_folder`). Only totals are kept for ranking; the
    unit ``keep`` (a code) keeps its items and fields too (for compare). Large folders are
    scored in ``jobs`` processes. ``on_file`` is called after each workbook (for a progress
    bar). Raises ``CchcError`` only when the folder itself is missing or holds no workbook.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise CchcError([Problem("file-not-found", file=str(folder))])
    entries = scan_folder(folder)
    if not entries.workbooks and not entries.broken:
        raise CchcError([Problem("no-workbooks", file=str(folder))])
    registry = registry or Registry.load()
    outcome = YearRanking(folder=folder, year=year_of_folder(folder),
                          not_ranked=list(entries.broken), skipped=entries.skipped)
    scored: list[UnitResult] = []
    for path, result, problems in _assess_all(entries.workbooks, registry, keep,
                                              jobs or default_jobs(), on_file):
        if result is None:
            outcome.not_ranked.append(NotRanked(str(path), problems))
        else:
            scored.append(result)
            outcome.warnings += result.warnings
    scored = _drop_duplicates(scored, outcome)
    if group:
        scored = [r for r in scored if r.criteria.matches_group(group)]
    if outcome.year is None and scored:
        outcome.year = scored[0].unit.year
    outcome.groups = rank_results(scored)
    return outcome


def _drop_duplicates(results: list[UnitResult], outcome: YearRanking) -> list[UnitResult]:
    """Two workbooks of one unit: neither is ranked, each names the other."""
    by_code: dict[str, list[UnitResult]] = defaultdict(list)
    for result in results:
        by_code[fold(result.unit.code)].append(result)
    kept = []
    for same in by_code.values():
        if len(same) == 1:
            kept.append(same[0])
            continue
        for result in same:
            others = ", ".join(str(o.file) for o in same if o is not result)
            outcome.not_ranked.append(NotRanked(str(result.file), [Problem(
                "duplicate-unit", file=str(result.file),
                params={"unit": result.unit.code, "other": others})]))
    outcome.not_ranked.sort(key=lambda n: n.file)
    return kept


# --- as data ---------------------------------------------------------------------------------


def ranking_dict(ranking: YearRanking, lang: str = "vi") -> dict[str, Any]:
    groups = []
    for g in ranking.groups:
        cs = g.criteria
        mean = g.summary.mean_index_exact
        groups.append({
            "group": g.group,
            "criteria_set": cs.id,
            "units": [
                {
                    "rank": u.rank,
                    "of": u.of,
                    "code": u.result.unit.code,
                    "name": u.result.unit.name,
                    "status": u.result.status,
                    "achieved": u.result.totals.achieved,
                    **({"bonus": u.result.totals.bonus, "penalty": u.result.totals.penalty}
                       if cs.adjustments else {}),
                    "max_after_reduction": u.result.totals.max_after_reduction,
                    "index": u.result.index,
                    "index_exact": None if u.result.totals.index_exact is None
                    else str(u.result.totals.index_exact),
                    "band": u.result.band,
                    "file": u.result.file,
                }
                for u in g.units
            ],
            "summary": {
                "units": g.summary.units,
                "mean_index": None if mean is None else cs.display(mean),
                "bands": g.summary.bands,
            },
        })
    return {
        "year": ranking.year,
        "folder": str(ranking.folder),
        "groups": groups,
        "not_ranked": [{"file": n.file, "problems": [p.as_dict(lang) for p in n.problems]}
                       for n in ranking.not_ranked],
        "skipped": [{"file": s.file, "rule": s.rule} for s in ranking.skipped],
    }
