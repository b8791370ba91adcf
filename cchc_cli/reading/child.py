"""Workbooks read in a child process: .xls, .xlsb, .ods, and anything not a plain .xlsx.

Their cells cannot be looked at before python-calamine allocates them (binary records, or XML
whose repeated rows and columns expand), and a stray far cell makes calamine ask for hundreds of
gigabytes and abort the whole process. Read in a forked child with a capped address space and
CPU time, the worst such a file can do is end the child: the parent reports the workbook, and
every other unit is still scored.

Where ``os.fork`` does not exist (Windows), the read happens in-process.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from cchc_cli.model.problems import CchcError, Problem
from cchc_cli.reading import limits

Merge = tuple[tuple[int, int], tuple[int, int]]


@dataclass
class BookData:
    """Everything the parser needs from a workbook, as plain data."""

    names: list[str]
    hidden: set[str] = field(default_factory=set)
    sheets: dict[str, list[list[Any]]] = field(default_factory=dict)
    merges: dict[str, list[Merge]] = field(default_factory=dict)
    # cells calamine reads as empty that hold an error or a formula without a value, by sheet:
    # cell → ("error" | "formula", what it holds) (see cchc_cli.reading.cell_marks)
    flags: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)
    # numeric cells displayed as a percentage, by sheet: cell → its value
    percent: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _crop(name: str, sheet: Any, file: str, problems: list[Problem]) -> list[list[Any]]:
    """A sheet's rows from A1, cut to the grid; content beyond it is reported as far cells."""
    from cchc_cli.model.unit import cell_name

    start_row, start_col = sheet.start or (0, 0)
    keep = max(0, limits.GRID_COLUMNS - start_col)  # columns of each row within the grid
    far: list[str] = []
    count = 0
    rows: list[list[Any]] = [[] for _ in range(min(start_row, limits.GRID_ROWS))]
    for r, row in enumerate(sheet.iter_rows(), start=start_row):
        if r < limits.GRID_ROWS:
            rows.append([""] * start_col + list(row[:keep]))
            beyond, first = row[keep:], start_col + keep
        else:
            beyond, first = row, start_col
        for c, value in enumerate(beyond, start=first):
            if value not in ("", None):
                count += 1
                if len(far) < 5:
                    far.append(cell_name(r, c))
    if count:
        problems.append(far_cell_problem(file, name, far, count))
    return rows


def far_cell_problem(file: str, sheet: str, cells: list[str], count: int) -> Problem:
    return Problem("far-cell", file=file, sheet=sheet, cell=cells[0], params={
        "n": count, "cells": ", ".join(cells) + (", …" if count > len(cells) else ""),
        "rows": f"{limits.GRID_ROWS:,}".replace(",", "."),
        "columns": "IV"})


def open_calamine(file: str) -> Any:
    """python-calamine's workbook, or a catalogued problem for a file it cannot open."""
    import python_calamine as calamine

    try:
        try:
            file.encode("utf-8")
        except UnicodeEncodeError:  # a name in another encoding ("T\xe0i.xlsx"): the path
            with open(file, "rb") as handle:  # cannot cross into Rust, the bytes can
                return calamine.CalamineWorkbook.from_filelike(handle)
        return calamine.CalamineWorkbook.from_path(file)
    except calamine.PasswordError as exc:
        raise CchcError([Problem("password-protected", file=file)]) from exc
    except Exception as exc:  # calamine raises several types for a broken file
        detail = str(exc).splitlines()[0][:160] if str(exc) else exc.__class__.__name__
        raise CchcError([Problem("unreadable-workbook", file=file,
                                 params={"detail": detail})]) from exc


def read_book(path: Path) -> BookData:
    """Read every sheet with python-calamine (in whatever process calls this)."""
    file = str(path)
    book = open_calamine(file)
    try:
        data = BookData(names=list(book.sheet_names))
        for meta in book.sheets_metadata:
            if str(meta.visible).rsplit(".", 1)[-1] != "Visible":
                data.hidden.add(meta.name)
        for name in data.names:
            try:
                sheet = book.get_sheet_by_name(name)
                height, width = sheet.height, sheet.width
                if height * width > limits.SHEET_CELLS * 4:
                    data.sheets[name] = _crop(name, sheet, file, data.problems)
                else:
                    rows = sheet.to_python(skip_empty_area=False)
                    if len(rows) > limits.GRID_ROWS or (rows and len(rows[0]) >
                                                        limits.GRID_COLUMNS):
                        data.sheets[name] = _crop(name, sheet, file, data.problems)
                    else:
                        data.sheets[name] = rows
                try:
                    data.merges[name] = list(sheet.merged_cell_ranges or [])
                except Exception:  # not every format reports merged cells
                    data.merges[name] = []
            except Exception as exc:  # a sheet calamine cannot decode: name it, go on
                data.problems.append(Problem("unreadable-workbook", file=file, sheet=name,
                                             params={"detail": str(exc)[:160]}))
        _add_marks(data, path)
        return data
    finally:
        book.close()


def _add_marks(data: BookData, path: Path) -> None:
    """What calamine cannot tell, from the file itself (:func:`.cell_marks.cell_marks`):
    error cells, percent formats, the merged ranges calamine does not report (.ods, .xlsb), and
    an .ods's far cells, which replace calamine's count: they include what calamine drops."""
    from cchc_cli.reading.cell_marks import cell_marks

    try:
        found = cell_marks(path, data.names)
    except CchcError:
        raise
    except Exception:  # a bug in the scanner must not lose a workbook calamine has read
        return
    file = str(path)
    for name, marks in found.items():
        if marks.flags:
            data.flags[name] = marks.flags
        if marks.percent:
            data.percent[name] = marks.percent
        if marks.merges and not data.merges.get(name):
            data.merges[name] = marks.merges
        if marks.far_count:
            data.problems = [p for p in data.problems
                             if not (p.code == "far-cell" and p.sheet == name)]
            data.problems.append(far_cell_problem(file, name, marks.far, marks.far_count))


def limit_memory(extra: int) -> None:
    """Cap this process's address space at what it uses now plus ``extra`` bytes: an
    allocation past it fails here instead of taking the machine's memory (Linux)."""
    import resource

    try:
        with open("/proc/self/status", encoding="ascii") as status:
            size = next(int(line.split()[1]) * 1024 for line in status
                        if line.startswith("VmSize:"))
    except (OSError, StopIteration, ValueError):
        return
    cap = size + extra
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def quiet_stderr() -> None:
    """Send this process's stderr (file descriptor 2) to /dev/null."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (even by SIGKILL), so no worker
    outlives the command that started it."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class ChildDied(Exception):
    """The child ended without an answer: killed by a signal (a reader that ran out of
    memory aborts), or out of time."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


def in_child(function: Callable[[Any], Any], argument: Any) -> Any:
    """``function(argument)`` in a forked child with capped memory and CPU time, its result
    sent back pickled; what the function raises is raised here. Raises :class:`ChildDied`."""
    if not hasattr(os, "fork"):
        return function(argument)
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, send, leave without running the parent's cleanup
        code = 0
        try:
            os.close(reader)
            quiet_stderr()  # a reader that aborts prints pages of Rust backtrace
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            import resource

            limit_memory(limits.CHILD_MEMORY_BYTES)
            resource.setrlimit(resource.RLIMIT_CPU, (limits.CHILD_CPU_SECONDS,
                                                     limits.CHILD_CPU_SECONDS + 5))
            try:
                payload = pickle.dumps((True, function(argument)),
                                       protocol=pickle.HIGHEST_PROTOCOL)
            except MemoryError:
                payload = pickle.dumps((False, ChildDied("MemoryError")))
            except Exception as exc:  # handed to the parent, which raises it
                payload = pickle.dumps((False, exc))
            with os.fdopen(writer, "wb") as out:
                out.write(payload)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(writer)
    chunks: list[bytes] = []
    deadline = time.monotonic() + limits.CHILD_WALL_SECONDS
    finished = timed_out = False
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            ready, _, _ = select.select([reader], [], [], left)
            if not ready:
                continue
            chunk = os.read(reader, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
        finished = not timed_out
    finally:
        os.close(reader)
        if not finished:  # out of time, or interrupted here: the child must not linger
            os.kill(pid, signal.SIGKILL)
        status = _wait(pid)
    if timed_out:
        raise ChildDied(f"quá {limits.CHILD_WALL_SECONDS} s / over "
                        f"{limits.CHILD_WALL_SECONDS} s")
    if not chunks:
        raise ChildDied(signal.Signals(-status).name if status < 0 else f"exit {status}")
    ok, value = pickle.loads(b"".join(chunks))  # our own child's bytes
    if ok:
        return value
    raise value


def read_isolated(path: Path) -> BookData:
    """:func:`read_book` in a child process with capped memory and time; a child that dies or
    runs out of time is a catalogued problem naming the workbook."""
    try:
        return in_child(read_book, path)
    except ChildDied as died:
        raise CchcError([Problem("reader-died", file=str(path),
                                 params={"detail": died.detail})]) from None


def _wait(pid: int) -> int:
    """Reap the child; its status as a negative signal number or a positive exit code."""
    while True:
        try:
            _, raw = os.waitpid(pid, 0)
        except InterruptedError:
            continue
        if os.WIFSIGNALED(raw):
            return -os.WTERMSIG(raw)
        return os.WEXITSTATUS(raw)
