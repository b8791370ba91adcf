"""Regenerate the parts of the documentation that come from the code, so they cannot drift.

    python docs/build.py           # rewrite README.md and docs/*.md where they differ
    python docs/build.py --check   # only say which files are out of date (exit 1 if any)

Two kinds of block are regenerated; everything around them is written by hand.

* The problem catalog, between ``<!-- catalog:start -->`` and ``<!-- catalog:end -->``:
  ``catalog_markdown()`` of ``cchc_cli.model.problems``.

* A command's output, in a fenced block right after a marker::

      <!-- example: cchc rank samples/2023 | golden rank-2023@120.txt | lines 1-7,-1 -->
      ```text
      …regenerated…
      ```

  A marker may list several commands, one a line, between ``<!-- example`` and ``-->``.
  Each command is shown as ``$ cchc …`` followed by its output, taken from
  ``tests/golden/NAME`` when ``golden NAME`` is given (the golden tests keep that file equal
  to the command's output), otherwise from running the command in-process, 120 columns wide,
  in a scratch folder where ``samples`` is the repository's samples. ``lines`` picks lines of
  the output (1-based, inclusive; negative counts from the end: ``-1`` is the last line;
  ``5-`` runs to the end); a gap between the pieces is shown as ``…``. ``setup NAME`` first
  prepares the scratch folder with one of ``SETUPS`` below.

``tests/test_docs.py`` renders every file in memory and compares; after an intended change of
output, ``CCHC_UPDATE_GOLDEN=1 python -m pytest tests/test_samples.py tests/test_docs.py``
rewrites the goldens and then these files (or run this script), and the diff shows the change.
"""

from __future__ import annotations

import contextlib
import re
import shlex
import shutil
import sys
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
SAMPLES = ROOT / "samples"

# The files that hold generated blocks (paths relative to the repository's root).
FILES = ("README.md", "docs/commands.md", "docs/catalog.md", "docs/json.md")

CATALOG = re.compile(r"(<!-- catalog:start -->\n).*?(<!-- catalog:end -->)", re.S)
# a marker's text stops at the first "-->", so one marker can never swallow the next
_MARKER = r"(<!-- example(?P<spec>(?:(?!-->).)*)-->\n)"
EXAMPLE = re.compile(_MARKER + r"```text\n.*?```\n", re.S)
JSON_EXAMPLE = re.compile(_MARKER + r"```json\n.*?```\n", re.S)


# --- scratch folders for examples that need broken input -------------------------------------


def _broken_2023(folder: Path) -> None:
    """A copy of samples/2023 in which three offices made the mistakes `validate` is for."""
    import openpyxl

    year = folder / "2023"
    shutil.copytree(SAMPLES / "2023", year)
    for unit, sheet, code, column, value in (
        ("STP", "Thẩm định", "1.1.2", "Điểm thẩm định", "=0.25+0.25"),  # never opened in Excel
        ("SXD", "Tự đánh giá", "1.1.2", "Điểm tối đa", 2.5),
        ("SYT", "Thẩm định", "2.1", "Điểm thẩm định", "0.5đ"),
    ):
        path = year / f"{unit}.xlsx"
        book = openpyxl.load_workbook(path)
        rows = book[sheet].iter_rows()
        header = [cell.value for cell in next(rows)]
        row = next(row for row in rows if row[0].value == code)
        row[header.index(column)].value = value
        book.save(path)


def _bad_yaml(folder: Path) -> None:
    """A copy of a shipped criteria set whose first field claims one point too many."""
    text = (ROOT / "criteria" / "soc-trang" / "so-2021.yaml").read_text(encoding="utf-8")
    (folder / "bad.yaml").write_text(text.replace("max: 16", "max: 17", 1), encoding="utf-8")


SETUPS: dict[str, Callable[[Path], None]] = {"broken-2023": _broken_2023, "bad-yaml": _bad_yaml}


# --- running a command -----------------------------------------------------------------------


@cache
def run(command: str, setup: str | None = None) -> str:
    """What ``cchc …`` prints (stdout, then stderr), run in-process in a scratch folder."""
    # the docs show the command as the tests run it (typer's runner), not the core
    from typer.testing import CliRunner

    from cchc_cli.cli import app

    args = shlex.split(command)
    assert args[0] == "cchc", command
    env = {"COLUMNS": "120", "CCHC_LANG": None, "CCHC_DATA": None, "CCHC_CRITERIA": None}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        for name in ("samples", "criteria"):  # the paths the examples name
            try:
                (folder / name).symlink_to(ROOT / name, target_is_directory=True)
            except OSError:  # no symbolic links here (Windows without the right): copy
                shutil.copytree(ROOT / name, folder / name)
        if setup:
            SETUPS[setup](folder)
        with contextlib.chdir(folder):
            result = CliRunner().invoke(app, args[1:], env=env)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise RuntimeError(f"{command}: {result.exception!r}")
    return result.stdout + result.stderr


def _output(command: str, options: dict[str, str]) -> str:
    if "golden" in options:
        return (GOLDEN / options["golden"]).read_text(encoding="utf-8")
    return run(command, options.get("setup"))


def pick(text: str, spec: str | None) -> list[str]:
    """The lines of ``text`` that ``spec`` names (see the module's docstring), trailing
    spaces and blank lines at the end removed, "…" where lines are left out."""
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    if not spec:
        return lines
    picked: list[str] = []
    last = 0
    for piece in spec.split(","):
        found = re.fullmatch(r"(-?\d+)(-(-?\d+)?)?", piece.strip())
        assert found, f"bad line range {piece!r}"
        first = int(found[1])
        end = first if not found[2] else int(found[3]) if found[3] else len(lines)
        first, end = (n if n > 0 else len(lines) + 1 + n for n in (first, end))
        if first <= last or any(lines[last:first - 1]):  # only blank lines left out: no "…"
            picked.append("…")
        picked += lines[first - 1:end]
        last = end
    if any(lines[last:]):
        picked.append("…")
    return picked


def _parse(spec: str) -> list[tuple[str, dict[str, str]]]:
    """``cchc ARGS | key value | …`` per line → [(command, options)]."""
    commands = []
    for line in spec.strip().removeprefix(":").strip().splitlines():
        command, *rest = (part.strip() for part in line.split(" | "))
        options = dict(part.split(" ", 1) for part in rest)
        commands.append((command, options))
    return commands


def example(spec: str) -> str:
    """The fenced text block a marker stands for."""
    shown = []
    for command, options in _parse(spec):
        shown.append("\n".join([f"$ {command}", *pick(_output(command, options),
                                                        options.get("lines"))]))
    return "```text\n" + "\n\n".join(shown) + "\n```\n"


def json_example(spec: str) -> str:
    """A fenced JSON block: the lines of one golden JSON file (no ``$`` line)."""
    ((command, options),) = _parse(spec)
    text = "\n".join(pick(_output(command, options), options.get("lines")))
    return "```json\n" + text + "\n```\n"


def render(text: str) -> str:
    """``text`` with every generated block regenerated."""
    from cchc_cli.model.problems import catalog_markdown

    text = CATALOG.sub(lambda m: m[1] + catalog_markdown() + "\n" + m[2], text)
    text = EXAMPLE.sub(lambda m: m[1] + example(m["spec"]), text)
    return JSON_EXAMPLE.sub(lambda m: m[1] + json_example(m["spec"]), text)


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for name in FILES:
        path = ROOT / name
        text = path.read_text(encoding="utf-8")
        fresh = render(text)
        if fresh != text:
            stale.append(name)
            if not check:
                path.write_text(fresh, encoding="utf-8")
    verb = "out of date" if check else "rewritten"
    print("\n".join(f"{name}: {verb}" for name in stale) or "up to date")
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv[1:]))
