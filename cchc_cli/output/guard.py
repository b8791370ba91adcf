"""One guard for every file `cchc` writes: tables, Word reports, charts and templates.

A file is written only where it cannot cost anyone their work:

* never over an input of the command (the same file by any name: ``./x``, a symlink, a hard
  link);
* never over an existing workbook that `cchc` would read as a unit's, unless the caller says
  ``force`` — except a workbook `cchc` itself wrote as an output, which carries a mark
  (:data:`OUTPUT_MARK` among its document keywords) and may be replaced;
* the suffix picks the format, and an unknown suffix is refused rather than guessed;
* never into a folder that does not exist (no folder is created uninvited), a file, or a
  folder that cannot be written.

The file is written under a temporary name in the target's folder (a dot-file that
:func:`is_cchc_temp` recognises) and renamed into place, so a run that fails or is interrupted
leaves the old file as it was and no half-written one; a replaced file keeps its permissions.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from cchc_cli import __version__
from cchc_cli.model.problems import CchcError, Problem
from cchc_cli.reading.workbook import WORKBOOK_SUFFIXES
from cchc_cli.reading.xlsx import zip_within_budget

PathLike = str | os.PathLike[str]
OUTPUT_MARK = "cchc-output"  # among the keywords of every workbook and document cchc writes
CREATOR = f"cchc {__version__}"
TEMP_PREFIX = ".cchc-tmp-"
# Excel's binary workbooks too: whether or not a reader opens them, they are someone's work.
GUARDED_SUFFIXES = frozenset({*WORKBOOK_SUFFIXES, ".xlsb"})
_CORE_XML = "docProps/core.xml"
_CORE_XML_LIMIT = 64 * 1024  # a real core.xml is under 2 KiB; more is not one we wrote
_KEYWORD_SEPARATORS = re.compile(r"[\s,;]+")


def is_cchc_temp(name: str) -> bool:
    """Whether a file name is one of cchc's temporary files (left only by a killed run)."""
    return name.startswith(TEMP_PREFIX)


def is_cchc_output(path: PathLike) -> bool:
    """Whether ``path`` is a workbook or document cchc wrote as an output (it carries the mark).

    Reads only ``docProps/core.xml`` from the zip, and only if it is small; never raises:
    a file that cannot be read, or is not a zip, is not ours."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO would block the read
            return False
        if not zip_within_budget(Path(path)):  # a directory of 700,000 entries is not ours
            return False
        with zipfile.ZipFile(path) as archive:
            if archive.getinfo(_CORE_XML).file_size > _CORE_XML_LIMIT:
                return False
            with archive.open(_CORE_XML) as handle:
                data = handle.read(_CORE_XML_LIMIT + 1)
        # Entities are how a small XML file grows huge: ours has no "<!" (no DTD, entity or
        # comment) and is UTF-8, so has no NUL byte (a UTF-16 "<!" would hide behind them).
        if len(data) > _CORE_XML_LIMIT or b"<!" in data or b"\0" in data:
            return False
        root = ElementTree.fromstring(data)
    except Exception:  # hostile or broken files fail in many ways; all of them mean "not ours"
        return False
    for element in root:
        if element.tag.rpartition("}")[2] == "keywords":
            return OUTPUT_MARK in _KEYWORD_SEPARATORS.split(element.text or "")
    return False


def _stat(path: Path) -> os.stat_result | PermissionError | None:
    """The file's status; None if nothing is there; the error if we may not look."""
    try:
        return os.stat(path)
    except PermissionError as exc:
        return exc
    except (OSError, ValueError):  # missing, a loop of links, a name the system refuses
        return None


def _folder_problem(path: Path) -> Problem | None:
    """What is wrong with the folder ``path`` would be written in, if anything."""
    parent = path.parent
    found = _stat(parent)
    if isinstance(found, os.stat_result) and stat.S_ISDIR(found.st_mode):
        if os.access(parent, os.W_OK | os.X_OK):
            return None
        found = PermissionError()
    if isinstance(found, PermissionError):
        return Problem("output-not-writable", file=str(path), params={"folder": str(parent)})
    existing = parent  # the nearest ancestor that is there tells a typo from a file in the way
    while found is None and existing != existing.parent:
        existing = existing.parent
        found = _stat(existing)
    if isinstance(found, os.stat_result) and not stat.S_ISDIR(found.st_mode):
        return Problem("output-folder-is-file", file=str(path), params={"folder": str(existing)})
    return Problem("output-folder-missing", file=str(path), params={"folder": str(parent)})


def check_outputs(*targets: tuple[PathLike | None, Iterable[str]],
                  inputs: Iterable[PathLike] = (), force: bool = False) -> None:
    """Raise ``CchcError`` with every reason any of ``targets`` — (path, the suffixes its
    writer knows), a None path is one not asked for — may not be written. ``inputs`` are
    the files the command read; ``force`` allows replacing a workbook cchc did not write,
    never an input. A command writing two files checks both before writing either."""
    inputs = list(inputs)
    problems = [problem for path, formats in targets if path is not None
                for problem in _problems(Path(path), tuple(formats), inputs, force)]
    if problems:
        raise CchcError(problems)


def _problems(path: Path, formats: tuple[str, ...], inputs: list[PathLike],
              force: bool) -> list[Problem]:
    problems = []
    if path.suffix.lower() not in formats:
        problems.append(Problem("output-format", file=str(path),
                                params={"formats": ", ".join(formats)}))
    found = _stat(path)
    target = found if isinstance(found, os.stat_result) else None
    if target is not None and any(_same_file(target, p) for p in inputs):
        problems.append(Problem("output-is-input", file=str(path)))
    elif target is not None and stat.S_ISDIR(target.st_mode):
        problems.append(Problem("output-is-folder", file=str(path)))
    elif (folder := _folder_problem(path)) is not None:
        problems.append(folder)
    elif (target is not None and not force and path.suffix.lower() in GUARDED_SUFFIXES
          and not is_cchc_output(path)):
        problems.append(Problem("output-is-workbook", file=str(path)))
    return problems


def _same_file(target: os.stat_result, other: PathLike) -> bool:
    """``os.path.samefile`` with the target's status read once: ``./x`` and ``x``, a link
    and what it points to, and two hard links are one file."""
    found = _stat(Path(other))
    return isinstance(found, os.stat_result) and os.path.samestat(target, found)


def _new_file_mode() -> int:
    umask = os.umask(0)  # the only portable way to read the umask is to set it
    os.umask(umask)
    return 0o666 & ~umask


def write_output(path: PathLike, write: Callable[[Any], object], *, formats: Iterable[str],
                 inputs: Iterable[PathLike] = (), force: bool = False) -> Path:
    """Check ``path`` (see :func:`check_outputs`; raises ``CchcError``), then call
    ``write(tmp)`` on a temporary file beside it and rename that into place.

    A replaced file keeps its permission bits; a new one gets the usual ones (0666 less the
    umask: a temporary file is private, a report is meant to be shared). The temporary file is
    removed whatever happens, an interrupt included."""
    path = Path(path)
    check_outputs((path, formats), inputs=inputs, force=force)
    old = _stat(path)
    replacing = isinstance(old, os.stat_result) and stat.S_ISREG(old.st_mode)
    mode = stat.S_IMODE(old.st_mode) if isinstance(old, os.stat_result) and replacing \
        else _new_file_mode()
    # A short stem keeps the name within the file system's 255 bytes for any target name.
    prefix = f"{TEMP_PREFIX}{path.stem[:40]}-"
    try:
        fd, name = tempfile.mkstemp(prefix=prefix, suffix=path.suffix, dir=path.parent)
    except PermissionError as exc:
        raise CchcError([Problem("output-not-writable", file=str(path),
                                 params={"folder": str(path.parent)})]) from exc
    except OSError as exc:
        raise _write_failed(path, exc) from exc
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        with tmp.open("rb") as handle:  # on disk before the rename, or a crash may leave 0 bytes
            os.fsync(handle.fileno())
        tmp.chmod(mode)
        os.replace(tmp, path)
    except OSError as exc:
        raise _write_failed(path, exc) from exc
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
    return path


def _write_failed(path: Path, exc: OSError) -> CchcError:
    detail = exc.strerror or exc.__class__.__name__
    return CchcError([Problem("output-write-failed", file=str(path), params={"detail": detail})])
