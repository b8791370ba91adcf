"""Tables that fit the terminal: the one width policy every table cchc prints follows.

- Numbers, ranks, codes and short labels (a column whose every cell is at most ``SHORT``
  characters, or marked ``no_wrap``) never wrap: the column is as wide as its longest cell.
- Names, titles and reasons wrap at word boundaries; they get at least ``MIN_TEXT`` characters
  and share what is left in proportion to how much they need.
- Headers wrap at word boundaries to their column, so a long header never widens a column of
  short numbers.
- When the names cannot get their minimum, the table is stacked: one block per row, the row's
  leading cells on its first line, every other cell as "header: value" below — never a grid
  broken mid-word.

The full text of every cell is kept (nothing is cut with "…"): ``--json`` and ``-o`` hold the
same text, and a wrapped name can still be read whole. ``fitted`` is applied by the terminal's
console to every table it prints (terminal.py), so no command chooses its own widths.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from cchc_cli.model.text import visible

SHORT = 12  # a column whose cells are all this short is a label: it never wraps
MIN_TEXT = 14  # the narrowest a column of names may be before the table is stacked
COMFORTABLE = 40  # names this wide read well; past it, headers of numbers come first
LONG_WORD = 60  # a word up to this long (a file's path) is never cut: its column is as wide


def _plain(cell: object) -> str:
    """A cell's text as it will be printed (invisible characters spelled out)."""
    text = cell.plain if isinstance(cell, Text) else cell if isinstance(cell, str) else ""
    return visible(text, keep="\n")


def _widest(texts: Sequence[str]) -> int:
    return max((cell_len(line) for text in texts for line in text.split("\n")), default=0)


def _longest_word(*texts: str) -> int:
    return max((cell_len(word) for text in texts for word in text.split()), default=0)


def _wrap(text: str, width: int) -> str:
    """``text`` wrapped at word boundaries to ``width`` (each of its lines on its own)."""
    return "\n".join(
        "\n".join(textwrap.wrap(line, width, break_long_words=False, break_on_hyphens=False)
                  or [""])
        for line in text.split("\n"))


def _share(widths: list[int], goals: list[int], which: list[int], spare: int) -> int:
    """Grow ``widths[i]`` for ``i`` in ``which`` toward ``goals[i]``, in proportion to what each
    lacks, using at most ``spare``; returns what is left."""
    while spare > 0:
        lacking = [i for i in which if widths[i] < goals[i]]
        if not lacking:
            break
        total = sum(goals[i] - widths[i] for i in lacking)
        given = 0
        for i in lacking:
            part = min(goals[i] - widths[i], max(1, spare * (goals[i] - widths[i]) // total))
            part = min(part, spare - given)
            widths[i] += part
            given += part
        if not given:
            break
        spare -= given
    return spare


def fitted(table: Table, width: int) -> RenderableType:
    """``table`` laid out for ``width`` columns of terminal (see the module's policy)."""
    columns = table.columns
    if not columns:
        return table
    width = max(width, 10)
    cells = [[_plain(c) for c in column._cells] for column in columns]
    headers = [" ".join(_plain(column.header).split()) for column in columns]  # rewrapped
    footers = [_plain(column.footer) if table.show_footer else "" for column in columns]
    fixed = [column.no_wrap or _widest(texts) <= SHORT
             for column, texts in zip(columns, cells, strict=True)]
    natural = [max(_widest(texts), cell_len(footer), _longest_word(header), 1)
               for texts, header, footer in zip(cells, headers, footers, strict=True)]
    widths = [n if f else min(n, max(MIN_TEXT, _longest_word(h),
                                     min(_longest_word(*texts), LONG_WORD)))
              for n, f, h, texts in zip(natural, fixed, headers, cells, strict=True)]
    top, right, bottom, left = table.padding
    if left and right:  # two spaces between columns, not three
        table.padding = (top, right, bottom, 0)
    overhead = table._extra_width + sum(table._get_padding_width(i) for i in range(len(columns)))
    available = width - overhead
    if sum(widths) > available:
        return _stacked(table, cells, headers, fixed, width)
    texts = [i for i, f in enumerate(fixed) if not f]
    figures = [i for i, f in enumerate(fixed) if f]
    # names first, to a comfortable width; then the headers of numbers on one line; then
    # names to their full length
    comfortable = [min(n, max(w, COMFORTABLE)) for n, w in zip(natural, widths, strict=True)]
    spare = _share(widths, comfortable, texts, available - sum(widths))
    header_goals = [max(w, cell_len(h)) for w, h in zip(widths, headers, strict=True)]
    spare = _share(widths, header_goals, figures, spare)
    _share(widths, natural, texts, spare)
    for column, header, size, is_fixed in zip(columns, headers, widths, fixed, strict=True):
        column.width, column.min_width, column.max_width, column.ratio = size, None, None, None
        column.no_wrap, column.overflow = is_fixed, "fold"
        if isinstance(column.header, str):
            column.header = _wrap(header, size)
    table.expand, table.width = False, None
    return table


def _stacked(table: Table, cells: list[list[str]], headers: list[str], fixed: list[bool],
             width: int) -> RenderableType:
    """One block per row: the cells up to the first name on one line, the rest below as
    "header: value", wrapped with an indent."""
    lead = next((i + 1 for i, f in enumerate(fixed) if not f), 1)
    parts: list[RenderableType] = []
    if table.title:
        parts += [Text(_plain(table.title), style=table.title_style or "bold"), Text("")]
    names = [" ".join(h.split()) for h in headers]
    rows = list(zip(*cells, strict=True)) if cells else []
    if table.show_footer and any(_plain(c.footer) for c in table.columns):
        rows.append(tuple(_plain(c.footer) for c in table.columns))
    for n, row in enumerate(rows):
        if n:
            parts.append(Text(""))  # a blank line between blocks: each row reads alone
        first = "  ".join(" ".join(v.split()) for v in row[:lead] if v.strip())
        parts.append(Text(textwrap.fill(first, width, subsequent_indent="    ",
                                        break_on_hyphens=False) or "", style="bold"))
        for name, value in zip(names[lead:], row[lead:], strict=True):
            lines = [" ".join(line.split()) for line in value.split("\n") if line.strip()]
            for n, line in enumerate(lines):
                text = f"{name}: {line}" if name and not n else line
                parts.append(Text(textwrap.fill(text, width, initial_indent="  " if not n
                                                else "    ", subsequent_indent="    ",
                                                break_on_hyphens=False)))
    if table.caption:
        parts.append(Text(_plain(table.caption), style=table.caption_style or "dim"))
    return Group(*parts)


