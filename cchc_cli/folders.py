"""Folders: every "path in, result out" function — a unit's workbook scored, a year folder
ranked, two years compared, a unit's history, what its lost points are worth, and everything
checked — with what they need from the machine: the year folders under the data root
(``--data``, ``CCHC_DATA``), the worker processes of a large year (``CCHC_JOBS``) and the
criteria folders (``CCHC_CRITERIA``).

The engine (cchc_cli.engine) computes from values; this module finds the files, reads them
(cchc_cli.reading) and hands the values over. Each entry of a year folder is accounted for, and
one workbook's failure — even its reader's death — never stops the others.
"""

from __future__ import annotations

import decimal
import errno
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cchc_cli.engine.compare import Comparison, compare_results, side_of
from cchc_cli.engine.gains import Gains, gains_for
from cchc_cli.engine.history import History
from cchc_cli.engine.publish import Campaign, UnitStatus, progress_of
from cchc_cli.engine.ranking import (
    NotRanked,
    Skipped,
    YearRanking,
    drop_duplicates,
    rank_results,
    slim,
)
from cchc_cli.engine.scoring import assess_unit, select_criteria
from cchc_cli.engine.survey import score_survey
from cchc_cli.model.criteria import CriteriaSet, Registry
from cchc_cli.model.decimals import EXACT, exact
from cchc_cli.model.problems import CchcError, Problem
from cchc_cli.model.results import UnitResult
from cchc_cli.model.survey import SurveyResult
from cchc_cli.model.text import unit_code, unit_key
from cchc_cli.model.unit import UnitWorkbook
from cchc_cli.reading.criteria_file import load_sets
from cchc_cli.reading.workbook import WORKBOOK_SUFFIXES, read_unit


@dataclass(frozen=True)
class Validation:
    files: int
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def files_with_errors(self) -> int:
        return len({p.file for p in self.errors})


@exact
def validate_path(path: str | os.PathLike[str], registry: Registry | None = None, *,
                  jobs: int = 1) -> Validation:
    """Check one workbook, or every workbook directly in a folder (with the folder's own
    checks: duplicate units, years that differ from the folder's)."""
    path = Path(path)
    registry = registry or load_registry()
    if not path.exists():
        return Validation(0, [Problem("file-not-found", file=str(path))])
    if path.is_dir():
        try:
            ranking = rank_folder(path, registry, jobs=jobs)
        except CchcError as err:
            return Validation(0, err.problems)
        problems = ranking.unscored + ranking.warnings
        files = len(ranking.workbooks)
    else:
        _, problems = assess_file(path, registry)
        files = 1
    return Validation(files, sorted(problems, key=Problem.sort_key))


def year_of_folder(folder: Path) -> int | None:
    """The year a folder is named after (``…/2023`` → 2023), if it is a year folder."""
    name = folder.resolve().name
    return int(name) if name.isdigit() and len(name) == 4 else None


@exact
def assess_file(path: str | os.PathLike[str], registry: Registry | None = None,
                criteria: CriteriaSet | None = None, survey: SurveyResult | None = None
                ) -> tuple[UnitResult | None, list[Problem]]:
    """Every problem of one workbook, and its result when none of them is an error; with
    ``survey`` (:func:`survey_file`), survey-scored items take the points of the answers.

    Never raises for bad data: a file that cannot be opened, a missing criteria set, a year
    that differs from the year folder the file sits in — all come back as problems."""
    wb, criteria, found = _read_with_set(Path(path), registry, criteria)
    if wb is None or criteria is None:
        return None, found
    return assess_unit(criteria, wb, found, survey)


def _read_with_set(path: Path, registry: Registry | None, criteria: CriteriaSet | None
                   ) -> tuple[UnitWorkbook | None, CriteriaSet | None, list[Problem]]:
    """A workbook read with its criteria set (re-read with the set's headers when it names
    more), and the problems found on the way: what :func:`assess_file` and
    :func:`campaign_status` both start from. ``(None, None, problems)`` when it cannot go on."""
    try:
        wb = read_unit(path)
    except CchcError as err:
        return None, None, err.problems
    file = str(path)
    found: list[Problem] = []
    year = year_of_folder(path.parent)
    if wb.info is not None and year is not None and wb.info.year != year:
        found.append(Problem("year-mismatch", file=file,
                             params={"year": wb.info.year, "folder": year}))
    if wb.info is None:
        return None, None, found + [p.with_file(file) for p in wb.problems]
    year_written = wb.info.year
    if criteria is None:
        try:
            criteria = select_criteria(wb, registry or load_registry())
        except CchcError as err:
            return None, None, found + err.problems
    if criteria.columns:  # the set names more headers: read the sheets again with them
        wb = read_unit(path, criteria.columns)  # assess_unit reports it if it now fails
    if not criteria.applies_to(year_written):
        found.append(Problem("criteria-set-year", file=file, params={
            "id": criteria.id, "years": str(criteria.years), "year": year_written}))
    return wb, criteria, found


@exact
def score_file(path: str | os.PathLike[str], registry: Registry | None = None,
               criteria: CriteriaSet | None = None, survey: SurveyResult | None = None
               ) -> UnitResult:
    """Read a workbook, choose its criteria set (unless given) and score it; raises
    :class:`CchcError` with every problem when it has errors."""
    result, problems = assess_file(path, registry, criteria, survey)
    if result is None:
        raise CchcError(problems)
    return result


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


# Below this many workbooks, starting worker processes costs more than it saves.
PARALLEL_FROM = 48


# Address space a worker may add to what it starts with: past it an allocation fails in that
# worker alone, and its workbooks are read again one by one.
WORKER_MEMORY_BYTES = 2048 * 1024 * 1024


Outcome = tuple[str, UnitResult | None, list[Problem], str | None]


_worker_registry: Registry | None = None
_worker_survey: SurveyResult | None = None


def assess_safely(path: str | os.PathLike[str], registry: Registry | None,
                  survey: SurveyResult | None = None
                  ) -> tuple[UnitResult | None, list[Problem]]:
    """:func:`assess_file`, with any failure of cchc itself on this workbook reported as the
    workbook's problem, so that the other units are still scored."""
    try:
        return assess_file(path, registry, survey=survey)
    except CchcError as err:
        return None, err.problems
    except (MemoryError, RecursionError, Exception) as exc:
        return None, [Problem("internal-error", file=str(path), params={
            "detail": f"{exc.__class__.__name__}: {str(exc)[:160]}"})]


def _assess_slim(path: str, keep: str | None) -> Outcome:
    """In a worker: score one workbook and send back only what ranking needs (the criteria
    set travels as its id; items and fields only for the unit asked to ``keep``)."""
    result, problems = assess_safely(path, _worker_registry, _worker_survey)
    if result is None:
        return path, None, problems, None
    return path, slim(result, keep, criteria=None), problems, result.criteria.id


def _assess_chunk(job: tuple[list[str], str | None]) -> list[Outcome]:
    paths, keep = job
    return [_assess_slim(path, keep) for path in paths]


def _init_worker(registry: Registry, survey: SurveyResult | None) -> None:
    import signal

    from cchc_cli.reading.child import die_with_parent, limit_memory, quiet_stderr

    global _worker_registry, _worker_survey
    _worker_registry, _worker_survey = registry, survey
    decimal.setcontext(EXACT.copy())  # whatever the parent's caller had set
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops the workers itself
    die_with_parent()
    quiet_stderr()  # a worker reports through its results; an abort's backtrace is noise
    limit_memory(WORKER_MEMORY_BYTES)


def _assess_all(files: list[Path], registry: Registry, keep: str | None, jobs: int,
                on_file: Callable[[Path], None] | None, survey: SurveyResult | None = None
                ) -> Iterator[tuple[Path, UnitResult | None, list[Problem]]]:
    """Score every file, in ``jobs`` processes when the folder is large enough to gain."""
    if jobs <= 1 or len(files) < PARALLEL_FROM:
        for path in files:
            result, problems = assess_safely(path, registry, survey)
            yield path, None if result is None else slim(result, keep), problems
            if on_file:
                on_file(path)
        return
    for name, result, problems, set_id in _in_pool(files, registry, keep, jobs, survey):
        if result is not None:
            result = replace(result, criteria=registry.get(set_id or ""))
        yield Path(name), result, problems
        if on_file:
            on_file(Path(name))


def _in_pool(files: list[Path], registry: Registry, keep: str | None,
             jobs: int, survey: SurveyResult | None = None) -> Iterator[Outcome]:
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
                               initargs=(registry, survey))
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
        yield _alone(path, keep, registry, survey)


def _stop(pool: Any) -> None:
    """Stop a pool now: cancel what has not started, end the workers that are busy."""
    processes = list(getattr(pool, "_processes", {}).values())  # no public way to end them
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.kill()
    for process in processes:
        process.join(timeout=5)


def _alone(path: str, keep: str | None, registry: Registry,
           survey: SurveyResult | None = None) -> Outcome:
    """One workbook in a child process of its own (after a worker died on its chunk)."""
    from cchc_cli.reading.child import ChildDied, in_child

    global _worker_registry, _worker_survey
    _worker_registry, _worker_survey = registry, survey
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


@exact
def rank_folder(folder: str | os.PathLike[str], registry: Registry | None = None, *,
                group: str | None = None, keep: str | None = None, jobs: int = 1,
                on_file: Callable[[Path], None] | None = None,
                survey: SurveyResult | None = None) -> YearRanking:
    """Score every workbook in ``folder`` and rank the units within their groups.

    Every entry of the folder is accounted for: ranked, not ranked (with its problems), or
    skipped by a documented rule (:func:`scan_folder`). Only totals are kept for ranking; the
    unit ``keep`` (a code) keeps its items and fields too (for compare). With ``jobs`` above 1
    (the command asks for ``default_jobs()``), a large folder is scored in that many
    processes; a library call starts none unless asked. ``on_file`` is called after each
    workbook (for a progress bar). With ``survey`` (:func:`survey_file`), survey-scored
    items take the points of the answers, and answers for a unit with no workbook here are
    warned of. Raises ``CchcError`` only when the folder itself is missing or holds no
    workbook.
    """
    folder = Path(folder)
    _year_folder(folder)
    entries = scan_folder(folder)
    if not entries.workbooks and not entries.broken:
        raise CchcError([Problem("no-workbooks", file=str(folder))])
    registry = registry or load_registry()
    if survey is not None:  # the answers may sit beside the workbooks: they are not a unit
        answers = Path(survey.answers.file).resolve()
        entries.skipped += [Skipped(str(p), "survey-answers") for p in entries.workbooks
                            if p.resolve() == answers]
        entries.workbooks = [p for p in entries.workbooks if p.resolve() != answers]
    outcome = YearRanking(folder=folder, year=year_of_folder(folder),
                          not_ranked=list(entries.broken), skipped=entries.skipped,
                          workbooks=list(entries.workbooks))
    scored: list[UnitResult] = []
    for path, result, problems in _assess_all(entries.workbooks, registry, keep,
                                              jobs, on_file, survey):
        if result is None:
            outcome.not_ranked.append(NotRanked(str(path), problems))
        else:
            scored.append(result)
            outcome.warnings += result.warnings
    scored = drop_duplicates(scored, outcome)
    if survey is not None:
        outcome.warnings += _answers_without_workbook(survey, scored, outcome)
    if group:
        scored = [r for r in scored if r.criteria.matches_group(group)]
    if outcome.year is None and scored:
        outcome.year = scored[0].unit.year
    outcome.groups = rank_results(scored)
    return outcome


def _answers_without_workbook(survey: SurveyResult, scored: list[UnitResult],
                              outcome: YearRanking) -> list[Problem]:
    """Answers for a unit that has no workbook in the folder (a unit whose workbook could
    not be scored is named by its own problems, by its file's name)."""
    here = {unit_key(r.unit.code) for r in scored} | {
        unit_key(Path(n.file).stem) for n in outcome.not_ranked}
    problems = []
    for key, (code, place) in survey.answers.units.items():
        if key not in here:
            sheet, _, cell = place.rpartition("!")
            problems.append(Problem("survey-unknown-unit", file=survey.answers.file,
                                    sheet=sheet or None, cell=cell or None,
                                    params={"unit": code}))
    return problems


def survey_criteria(registry: Registry, year: int | None, set_id: str | None = None
                    ) -> CriteriaSet:
    """The criteria set a survey is read by: the one named, else the only set of ``year``
    that declares a survey."""
    if set_id:
        cs = registry.get(set_id)
    else:
        fitting = [cs for cs in registry if cs.survey is not None
                   and (year is None or cs.applies_to(year))]
        if len(fitting) != 1:
            raise CchcError([Problem("survey-set-ambiguous", params={
                "year": year or "—", "n": len(fitting),
                "ids": ", ".join(cs.id for cs in fitting) or "—"})])
        cs = fitting[0]
    if cs.survey is None:
        raise CchcError([Problem("survey-not-declared", params={"id": cs.id})])
    return cs


def year_in_name(path: Path) -> int | None:
    """A year written in a file's name: ``dieu-tra-2023.xlsx`` → 2023."""
    import re

    found = re.findall(r"(?<!\d)(?:19|20|21)\d\d(?!\d)", path.stem)
    return int(found[-1]) if found else None


@exact
def survey_file(path: str | os.PathLike[str], criteria: CriteriaSet | None = None, *,
                year: int | None = None, registry: Registry | None = None,
                units: list[str] | None = None) -> SurveyResult:
    """Read a survey's answers (either shape) and score them by ``criteria``'s survey (by
    default the only set of ``year`` — or of the year in the file's name — that declares
    one). ``units`` are the codes expected (see :func:`~cchc_cli.engine.survey.score_survey`).
    Raises :class:`CchcError` with every problem when the answers have errors; warnings are
    in the result's ``problems``."""
    from cchc_cli.reading.survey import read_survey

    path = Path(path)
    if criteria is None:
        criteria = survey_criteria(registry or load_registry(), year or year_in_name(path))
    answers = read_survey(path, criteria)
    if any(p.is_error for p in answers.problems):
        raise CchcError(sorted(answers.problems, key=Problem.sort_key))
    result = score_survey(criteria, answers, units)
    result.problems.sort(key=Problem.sort_key)
    return result


def campaign_status(folder: str | os.PathLike[str], registry: Registry | None = None
                    ) -> Campaign:
    """Who has sent what for a year: each workbook's progress (self-assessment, appraisal,
    second round, survey points), its problems and whether it is ready to rank; then the units
    of the previous year's folder that have no workbook yet."""
    folder = Path(folder)
    _year_folder(folder)
    registry = registry or load_registry()
    entries = scan_folder(folder)
    units = [UnitStatus(n.file, None, None, None, n.problems, [], False)
             for n in entries.broken]
    for path in entries.workbooks:
        units.append(_unit_status(path, registry))
    units.sort(key=lambda u: (u.code or "~", u.file))
    year = year_of_folder(folder)
    missing: list[tuple[str, str]] = []
    previous = folder.parent / str(year - 1) if year else None
    if previous is not None and previous.is_dir():
        here = {unit_key(u.code) for u in units if u.code} | {
            unit_key(Path(u.file).stem) for u in units}
        for path in scan_folder(previous).workbooks:
            try:
                info = read_unit(path).info
            except CchcError:
                info = None
            code = info.code if info else unit_code(path.stem)
            if unit_key(code) not in here:
                missing.append((code, info.name if info else ""))
    return Campaign(folder, year, units, sorted(missing), entries.skipped)


def _unit_status(path: Path, registry: Registry) -> UnitStatus:
    """One workbook's progress, read and checked as ``rank`` would (so "ready" is exactly
    "rank ranks it as appraised"); a failure of cchc itself is that workbook's problem."""
    file = str(path)
    try:
        wb, cs, found = _read_with_set(path, registry, None)
        if wb is None or cs is None or wb.info is None:
            return UnitStatus(file, None, None, None, [p for p in found if p.is_error],
                              [p for p in found if not p.is_error], False)
        result, problems = assess_unit(cs, wb, found)
        progress = progress_of(cs, wb)
    except CchcError as err:
        return UnitStatus(file, None, None, None, err.problems, [], False)
    except (MemoryError, RecursionError, Exception) as exc:
        return UnitStatus(file, None, None, None, [Problem("internal-error", file=file, params={
            "detail": f"{exc.__class__.__name__}: {str(exc)[:160]}"})], [], False)
    return UnitStatus(file, wb.info.code, wb.info.name, progress,
                      [p for p in problems if p.is_error],
                      [p for p in problems if not p.is_error],
                      result is not None and result.status == "appraised")


@dataclass
class Imported:
    """A criteria table imported: the draft written, and every problem of the source and of
    the draft (the draft is written even when it needs fixing)."""

    path: Path
    criteria: CriteriaSet | None  # the draft as a set, when it checks clean
    problems: list[Problem]

    @property
    def clean(self) -> bool:
        return self.criteria is not None and not any(p.is_error for p in self.problems)


def import_criteria(source: str | os.PathLike[str], output: str | os.PathLike[str], *,
                    set_id: str, province: str, group: str, first_year: int,
                    last_year: int | None = None, force: bool = False) -> Imported:
    """Read a province's criteria table (.docx, or a workbook) into a YAML draft at ``output``
    and check it as ``cchc criteria check`` does."""
    from cchc_cli.output.criteria_yaml import draft_yaml
    from cchc_cli.output.guard import write_output
    from cchc_cli.reading.annex import build_draft, read_rows
    from cchc_cli.reading.criteria_file import check_criteria_text

    source = Path(source)
    rows, problems = read_rows(source)
    draft = build_draft(rows, str(source))
    text = draft_yaml(draft, set_id=set_id, province=province, group=group,
                      first_year=first_year, last_year=last_year)
    path = write_output(output, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"),
                        formats=(".yaml", ".yml"), inputs=[source], force=force)
    cs, checked = check_criteria_text(text, str(path))
    return Imported(path, cs, [*problems, *draft.problems, *_with_source(checked, text)])


def _with_source(problems: list[Problem], text: str) -> list[Problem]:
    """Each problem the check found at a line of the draft, also named at its row of the
    source (the "# nguồn / source:" comment above that line)."""
    lines = text.splitlines()
    named = []
    for problem in problems:
        source = None
        if problem.line:
            for line in reversed(lines[: problem.line]):
                if "# nguồn / source: " in line:
                    source = line.split("# nguồn / source: ", 1)[1].split(" (")[0]
                    break
        if source:
            problem = replace(problem, path=f"{problem.path or ''} ← {source}".strip())
        named.append(problem)
    return named


def data_root(value: str | os.PathLike[str] | None) -> Path:
    """``--data DIR``, else ``$CCHC_DATA``, else the current directory."""
    if value:
        return Path(value)
    return Path(os.environ.get("CCHC_DATA") or ".")


@exact
def compare_years(root: str | os.PathLike[str] | None, year_a: int, year_b: int, code: str,
                  registry: Registry | None = None, *, jobs: int = 1,
                  surveys: Mapping[int, SurveyResult] | None = None) -> Comparison:
    """Rank both year folders under ``root`` and compare unit ``code`` between them; a year
    with answers in ``surveys`` (year → :func:`survey_file`) is scored with them."""
    registry = registry or load_registry()
    base = data_root(root)
    surveys = surveys or {}
    a, b = (side_of(rank_folder(base / str(year), registry, keep=code, jobs=jobs,
                                survey=surveys.get(year)), code, year)
            for year in (year_a, year_b))
    return compare_results(a, b)


@exact
def gains_of_folder(folder: str | os.PathLike[str], code: str, *,
                    target_rank: int | None = None, registry: Registry | None = None,
                    jobs: int = 1, survey: SurveyResult | None = None) -> Gains:
    """Rank a year folder (with the answers of ``survey``, if given) and work out the gains
    of unit ``code``."""
    ranking = rank_folder(Path(folder), registry or load_registry(), keep=code, jobs=jobs,
                          survey=survey)
    return gains_for(ranking, code, target_rank)


def _year_folder(folder: Path) -> None:
    """A year folder is a folder: a workbook given instead is told so (and what scores it)."""
    if folder.is_file():
        raise CchcError([Problem("not-a-year-folder", file=str(folder),
                                 params={"file": str(folder)})])
    if not folder.is_dir():
        raise CchcError([Problem("file-not-found", file=str(folder))])


def year_folders(root: Path) -> list[tuple[int, Path]]:
    if not root.is_dir():
        raise CchcError([Problem("file-not-found", file=str(root))])
    years = sorted((year, p) for year, p in ((year_of_folder(p), p) for p in root.iterdir()
                                              if p.is_dir()) if year is not None)
    if not years and year_of_folder(root) is not None and workbook_files(root):
        raise CchcError([Problem("data-root-is-year", file=str(root), params={
            "folder": str(root), "parent": str(root.parent)})])
    return years


@exact
def unit_history(root: str | os.PathLike[str] | None, code: str,
                 registry: Registry | None = None, *, jobs: int = 1,
                 surveys: Mapping[int, SurveyResult] | None = None) -> History:
    """The unit's result and rank in every year folder under ``root`` that holds it (a year
    with answers in ``surveys`` scored with them).

    A year whose folder has no workbook of the unit is skipped; a year where the unit's own
    workbook cannot be scored raises ``CchcError`` with its problems."""
    registry = registry or load_registry()
    history = History(code=unit_code(code), years=[])
    for year, folder in year_folders(data_root(root)):
        try:
            ranking = rank_folder(folder, registry, keep=code, jobs=jobs,
                                  survey=(surveys or {}).get(year))
        except CchcError:
            continue  # an empty year folder
        try:
            side = side_of(ranking, code, year)
        except CchcError as err:
            if any(p.code == "unit-not-found" for p in err.problems):
                continue
            raise
        history.years.append(side)
    if not history.years:
        raise CchcError([Problem("unit-not-found", file=str(data_root(root)),
                                 params={"unit": code, "folder": str(data_root(root))})])
    return history


def builtin_criteria_dir() -> Path:
    """The sets shipped with cchc: inside the installed package, or at the checkout's top."""
    package = Path(__file__).resolve().parent
    packaged = package / "criteria"
    return packaged if packaged.is_dir() else package.parent / "criteria"


def criteria_dirs(extra: Iterable[str | os.PathLike[str]] = ()) -> list[Path]:
    """Folders searched for sets: ``extra``, then ``$CCHC_CRITERIA`` (os.pathsep-separated),
    then the built-in sets. No folder wins over another: an id declared in two files is an
    error for whatever needs that id (see :class:`Registry`)."""
    dirs = [Path(d) for d in extra]
    env = os.environ.get("CCHC_CRITERIA")
    if env:
        dirs += [Path(d) for d in env.split(os.pathsep) if d]
    dirs.append(builtin_criteria_dir())
    return dirs


def load_registry(extra: Iterable[str | os.PathLike[str]] | None = ()) -> Registry:
    """The criteria sets of ``extra``, ``$CCHC_CRITERIA`` and the built-in folder."""
    return load_sets(criteria_dirs(extra or ()))
