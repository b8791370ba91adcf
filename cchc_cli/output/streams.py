"""stdout and stderr as the command finds them, made safe to write to.

* A stream the shell closed (``cchc … >&-``, ``2>&-``) reaches Python as ``None``; it is
  taken as /dev/null. The command does its work all the same (files named by ``-o`` are
  written) and its exit code says what it would have said: closing a stream is how a caller
  says it does not want what comes out of it.
* A write that fails (a full disk: ``> /dev/full``; a device error) ends what is written
  there. On stdout the result is then incomplete: that is the problem
  ``stdout-write-failed``, raised as a ``CchcError`` from the write itself, so the command
  reports it on stderr and exits 1. On stderr there is nowhere left to say anything: what
  follows is dropped, and the exit code still tells. Either way the stream's descriptor then
  points at /dev/null, so Python's last flush at exit cannot fail a second time.
* A closed pipe (``| head``, ``BrokenPipeError``) is left to the command (exit 141).
"""

from __future__ import annotations

import os
import sys
from typing import Any

from cchc_cli.model.problems import CchcError, Problem


def _to_devnull(stream: Any) -> None:
    """Point ``stream``'s descriptor at /dev/null (not a real file: nothing to do)."""
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, fd)
    finally:
        os.close(null)


class _Guarded:
    """A standard stream whose failed writes end as described above; everything else is
    the stream's own (encoding, ``isatty``, ``fileno``, ``buffer``)."""

    def __init__(self, stream: Any, result: bool):
        self._stream = stream
        self._result = result  # stdout: a failure is a problem; stderr: it is silence
        self._lost: CchcError | None = None

    def _failed(self, exc: OSError) -> None:
        self._lost = CchcError([Problem("stdout-write-failed", params={
            "detail": exc.strerror or exc.__class__.__name__})])
        _to_devnull(self._stream)
        if self._result:
            raise self._lost from exc

    def write(self, text: str) -> int:
        if self._lost is not None:
            if self._result:  # more of a result that is already incomplete: say so again,
                raise self._lost  # in case whoever met the failure caught it and went on
            return len(text)
        if text == "":  # click's probe of the stream's kind (b"" must still fail): it catches
            return 0    # everything, so a failure met here would be lost with it
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            raise
        except OSError as exc:
            self._failed(exc)
            return len(text)

    def flush(self) -> None:
        if self._lost is not None:  # told already, or told by the next write
            return
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            self._failed(exc)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def guard_standard_streams() -> None:
    """Replace ``sys.stdout`` and ``sys.stderr`` as described in the module's docstring.
    Called once, by the command, before anything is written."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None:  # closed by the shell; opens on its own descriptor, the lowest free
            stream = open(os.devnull, "w", encoding="utf-8")
        else:
            stream = _Guarded(stream, result=name == "stdout")
        setattr(sys, name, stream)
