"""Terminal output with rich: the only module (besides cli) that imports it.

Tables go to stdout; problems, warnings and progress to stderr. Every figure shown is the
exact value rounded once by the criteria set's policy.

Text from workbooks and YAML is printed as it is: the consoles read no markup ("[xem phụ lục 2]"
stays, "[/]" cannot raise) and no emoji codes, and spell out characters that would print as
nothing or move the cursor (see ``text.visible``). Styles are given only as ``style=``.
"""

from __future__ import annotations

import os
import re
import sys
import textwrap
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO, cast

from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from cchc_cli.engine.compare import Comparison, Side
from cchc_cli.engine.gains import Gains
from cchc_cli.engine.history import History
from cchc_cli.engine.ranking import YearRanking
from cchc_cli.model.criteria import CriteriaSet, Registry
from cchc_cli.model.decimals import fixed, localize, plain
from cchc_cli.model.problems import Hint, Problem
from cchc_cli.model.results import Totals, UnitResult
from cchc_cli.model.survey import SurveyResult
from cchc_cli.model.text import visible
from cchc_cli.output.fitting import fitted
from cchc_cli.output.reports import (
    adjustments_lines,
    compare_sentence,
    compare_tables,
    gains_heading,
    gains_tables,
    group_summary_text,
    rank_tables,
    satisfaction_text,
    signed_points,
    survey_tables,
)
from cchc_cli.output.table import NUMBER_KINDS, Figure, cell_text
from cchc_cli.output.table import Table as ExportTable
from cchc_cli.words import Lang, t


class _LiteralConsole(Console):
    """Every string printed — alone, or as a table's cell, header, title or caption — passes
    through here: invisible characters are spelled out (new lines are ours: kept)."""

    def render_str(self, text: str, **options: Any) -> Text:
        return super().render_str(visible(text, keep="\n"), **options)

    def print(self, *objects: Any, **kwargs: Any) -> None:
        """Every table printed follows the one width policy (fitting.py)."""
        super().print(*(fitted(o, self.width) if isinstance(o, Table) else o for o in objects),
                      **kwargs)

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise  # rich would exit 1 here; the command decides how to end (cli._reader_gone)


def literal(text: str, style: str = "") -> Text:
    """A ``Text`` (for a line of several styles) from text that may come from an input."""
    return Text(visible(text, keep="\n"), style=style)


class _Trimmed:
    """A text stream whose lines are written without the spaces rich pads them with to the
    table's width (a line copied or piped ends at its last character)."""

    _PADDING = re.compile(r" +((?:\x1b\[[0-9;]*m)*)(?=\n)")

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(self._PADDING.sub(r"\1", text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


MIN_WIDTH = 20  # the narrowest console cchc draws on


def make_console(stderr: bool = False) -> Console:
    stream = cast(TextIO, _Trimmed(sys.stderr if stderr else sys.stdout))
    width = None
    columns = os.environ.get("COLUMNS", "")
    if not stream.isatty() and not columns:
        width = 120  # a file or a pipe: wide enough for Vietnamese titles
    elif columns.isdigit() and int(columns) < MIN_WIDTH:
        width = MIN_WIDTH  # COLUMNS=0 and the like: still something to read
    return _LiteralConsole(file=stream, width=width, markup=False, emoji=False, highlight=False,
                           soft_wrap=False)


# --- problems -------------------------------------------------------------------------------


_EVERY_WARNING: ContextVar[bool] = ContextVar("every_warning", default=False)
GROUPED_FROM = 3  # this many warnings of one kind in one file are told as one, with a count


@contextmanager
def every_warning(on: bool) -> Iterator[None]:
    """``--verbose``: every warning in full, none grouped, while the command runs."""
    token = _EVERY_WARNING.set(on)
    try:
        yield
    finally:
        _EVERY_WARNING.reset(token)


def _print_problem(console: Console, problem: Problem, lang: Lang) -> None:
    key, style = ("error", "bold red") if problem.is_error else ("warning", "yellow")
    line = Text(f"{t(key, lang)}: ", style=style)
    line.append(problem.line_text(lang))  # its values and place already spelled out
    console.print(line, soft_wrap=True)  # a message wraps as the terminal wraps it: whole


def render_problems(console: Console, problems: Iterable[Problem], lang: Lang) -> None:
    """Errors first, each in full; then warnings, one kind of one file at a time: up to
    ``GROUPED_FROM - 1`` in full, more as the first in full and one line naming where the
    others are (all of them with ``--verbose``)."""
    problems = list(problems)
    for problem in problems:
        if problem.is_error:
            _print_problem(console, problem, lang)
    kinds: dict[tuple[str | None, str], list[Problem]] = {}
    for problem in problems:
        if not problem.is_error:
            kinds.setdefault((problem.file, problem.code), []).append(problem)
    for (_file, code), same in kinds.items():
        if len(same) < GROUPED_FROM or _EVERY_WARNING.get():
            for problem in same:
                _print_problem(console, problem, lang)
            continue
        _print_problem(console, same[0], lang)
        places = list(dict.fromkeys(  # each place once: a criterion and its cell
            " ".join(x for x in (p.criterion, f"({p.sheet}!{p.cell})" if p.cell else
                                 p.sheet if not p.criterion else None) if x) or "—"
            for p in same[1:]))
        shown = ", ".join(visible(x) for x in places[:6]) + (", …" if len(places) > 6 else "")
        console.print(Text(t("warnings.more", lang, n=len(same) - 1, code=code, places=shown),
                           style="yellow"), soft_wrap=True)
    wanted = {p.hint for p in problems if p.is_error}  # warnings alone call for no hint
    for kind in Hint:
        if kind in wanted and kind is not Hint.NONE:
            console.print(t(f"hint.{kind}", lang), style="dim", soft_wrap=True)


# --- one unit ---------------------------------------------------------------------------------


def _totals_column(cs: CriteriaSet, totals: Totals, band: str | None, keys: list[str],
                   lang: Lang) -> list[str]:
    values = {
        "max": cs.points_text(totals.max, lang),
        "reduction": cs.points_text(totals.reduction, lang),
        "pending": cs.points_text(totals.pending, lang),
        "max_after_reduction": cs.points_text(totals.max_after_reduction, lang),
        "achieved": cs.points_text(totals.achieved, lang),
        "deducted": cs.points_text(totals.deducted, lang),
        "index": cs.index_text(totals.index_exact, lang),
        "band": band or t("no_band", lang),
        "bonus": signed_points(cs, totals.bonus, "+", lang),
        "penalty": signed_points(cs, totals.penalty, "\u2212", lang),
        "adjusted_achieved": cs.points_text(totals.adjusted_achieved, lang),
        "base_index": cs.index_text(totals.base_index_exact, lang),
    }
    return [values[key] for key in keys]


def totals_keys(cs: CriteriaSet, pending: bool) -> list[str]:
    """The summary's lines: bonus and penalty on their own lines when the set has them."""
    keys = ["max", "reduction", "max_after_reduction", "achieved", "deducted", "index", "band"]
    if pending:
        keys.insert(2, "pending")
    if cs.adjustments is not None:
        at = keys.index("deducted") + 1
        if cs.adjustments.applies_to == "points":
            keys[at:at] = ["bonus", "penalty", "adjusted_achieved"]
        else:
            keys[at:at] = ["base_index", "bonus", "penalty"]
    return keys


def render_unit(console: Console, result: UnitResult, lang: Lang, detail: bool = False) -> None:
    cs, unit = result.criteria, result.unit
    heading = literal(unit.name if unit.name == unit.code else f"{unit.name} ({unit.code})",
                      style="bold")
    heading.append(literal(f" · {t('year', lang)} {unit.year} · {unit.group or cs.group}"))
    console.print(heading)
    status = "status.pending" if result.status == "provisional" and result.totals.pending \
        and any(item.appraisal_round for item in result.items) else "status." + result.status
    console.print(f"{t('criteria_set', lang)}: {cs.id} · {t('result', lang)}: "
                  f"{t(status, lang)}", style="dim")

    # the unit's own scores, then the council's (bold: what counts) — the field table's order
    summary = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    summary.add_column("")
    appraised = any(item.appraisal_round for item in result.items)
    final = ("appraised" if result.status == "appraised" else "appraised.provisional") \
        if appraised else "provisional"
    show_self = appraised and result.self_totals is not None
    if show_self:
        summary.add_column(t("self_assessed", lang), justify="right")
    summary.add_column(t(final, lang), justify="right", style="bold")
    shown = ([result.self_totals] if result.self_totals and show_self else []) + [result.totals]
    keys = totals_keys(cs, any(totals.pending for totals in shown))
    columns = [_totals_column(cs, totals, result.band_of(totals), keys, lang) for totals in shown]
    for i, key in enumerate(keys):
        summary.add_row(t(key, lang), *(col[i] for col in columns))
    console.print(summary)
    if result.survey is not None:
        console.print(literal(satisfaction_text(result, lang)))
    console.print()

    fields = Table(title=t("fields.title", lang), title_justify="left", box=box.SIMPLE_HEAD,
                   show_footer=True, padding=(0, 1), pad_edge=False)
    fields.add_column(t("field", lang), footer=t("total", lang), min_width=16, max_width=46,
                      overflow="fold")
    tot, own_tot = result.totals, result.self_totals
    fields.add_column(t("col.max", lang), justify="right", no_wrap=True,
                      footer=cs.points_text(tot.max, lang))
    fields.add_column(t("col.reduction", lang), justify="right", no_wrap=True,
                      footer=cs.points_text(tot.reduction, lang))
    pending = bool(tot.pending)  # max − reduction − pending = after reduction, on each row
    if pending:
        fields.add_column(t("col.pending", lang), justify="right", no_wrap=True,
                          footer=cs.points_text(tot.pending, lang))
    fields.add_column(t("col.max_after", lang), justify="right", no_wrap=True,
                      footer=cs.points_text(tot.max_after_reduction, lang))
    fields.add_column(t("col.self", lang), justify="right", no_wrap=True,
                      footer=cs.points_text(own_tot.achieved, lang) if own_tot else "—")
    fields.add_column(t("col.appraised" if result.status == "appraised" else "col.final", lang),
                      justify="right", no_wrap=True, footer=cs.points_text(tot.achieved, lang))
    fields.add_column(t("col.deducted", lang), justify="right", no_wrap=True,
                      footer=cs.points_text(tot.deducted, lang))
    fields.add_column(t("col.index", lang), justify="right", no_wrap=True,
                      footer=cs.index_text(tot.index_exact, lang))
    for f in result.fields:
        fields.add_row(
            f"{f.code}. {f.title}",
            cs.points_text(f.totals.max, lang),
            cs.points_text(f.totals.reduction, lang),
            *([cs.points_text(f.totals.pending, lang)] if pending else []),
            cs.points_text(f.totals.max_after_reduction, lang),
            cs.points_text(f.self_totals.achieved, lang) if f.self_totals else "—",
            cs.points_text(f.totals.achieved, lang),
            cs.points_text(f.totals.deducted, lang),
            cs.index_text(f.totals.index_exact, lang),
        )
    console.print(fields)
    if detail:
        console.print()
        render_lost(console, result, lang)


def render_lost(console: Console, result: UnitResult, lang: Lang) -> None:
    """The appendix of an office's memo (Sở Tài chính, April 2021): the totals line, then every item
    that lost points."""
    cs, tot = result.criteria, result.totals
    console.print(t("lost.title", lang), style="bold")
    console.print(t("summary.line", lang, max=cs.points_text(tot.max, lang),
                    reduction=cs.points_text(tot.reduction, lang),
                    max_after=cs.points_text(tot.max_after_reduction, lang),
                    achieved=cs.points_text(tot.achieved, lang),
                    deducted=cs.points_text(tot.deducted, lang)))
    lost = result.lost
    if not lost:
        console.print(t("lost.none", lang))
    else:
        table = Table(box=box.SIMPLE_HEAD, show_lines=True)
        table.add_column(t("lost.code", lang), no_wrap=True)
        table.add_column(t("lost.item", lang), ratio=3, overflow="fold")
        table.add_column(t("lost.points", lang), justify="right", no_wrap=True)
        table.add_column(t("lost.reason", lang), ratio=4, overflow="fold")
        table.add_column(t("lost.responsible", lang), ratio=3, overflow="fold")
        for item in lost:
            reason = item.reason or (t("survey.reason", lang)
                                     if item.leaf.scoring == "survey" else "")
            table.add_row(item.code, item.leaf.title, cs.points_text(item.deducted, lang), reason,
                          item.responsible)
        console.print(table)
        parts = []
        for scoring, key in (("self", "lost.sum.self"), ("survey", "lost.sum.survey")):
            mine = [i for i in lost if i.leaf.scoring == scoring]
            if mine:
                total = sum((i.deducted for i in mine), start=type(tot.achieved)(0))
                parts.append(f"{cs.points_text(total, lang)} ({len(mine)} {t(key, lang)})")
        console.print(f"{t('total', lang)}: " + " + ".join(parts)
                      + f" = {cs.points_text(tot.deducted, lang)}")
    for line in adjustments_lines(result, lang):
        console.print(line)
    render_rules(console, result, lang)
    reduced = [i for i in result.items if not i.applicable]
    if reduced:
        listed = ", ".join(f"{i.code} ({cs.points_text(i.leaf.max, lang)})" for i in reduced)
        console.print(f"{t('reduced.title', lang)}: {listed}")


def render_rules(console: Console, result: UnitResult, lang: Lang) -> None:
    """Every item whose rule could be applied: its figures, the working, and whether the
    appraised score agrees (the council's "1/30 = 3,33 % < 20 %")."""
    checked = [i for i in result.items if i.rule is not None and i.applicable]
    if not checked:
        return
    cs = result.criteria
    console.print()
    console.print(t("rules.title", lang), style="bold")
    table = Table(box=box.SIMPLE_HEAD, show_lines=True)
    table.add_column(t("lost.code", lang), no_wrap=True)
    table.add_column(t("rules.figures", lang), ratio=4, overflow="fold")
    table.add_column(t("rules.working", lang), ratio=5, overflow="fold")
    table.add_column(t("rules.points", lang), ratio=2, overflow="fold")
    for item in checked:
        rule = item.rule
        assert rule is not None
        figures = []
        for f in rule.figures:
            own = "—" if f.declared is None else localize(plain(f.declared), lang)
            council = "—" if f.appraised is None else localize(plain(f.appraised), lang)
            changed = f.appraised_given and f.declared is not None and f.declared != f.appraised
            figures.append(f"{f.label} ({f.name}): {f'{own} → {council}' if changed else council}")
        if rule.figures and not any(f.appraised_given for f in rule.figures):
            figures.append(f"({t('rules.accepted', lang)})")
        working = list(rule.working(item.leaf, cs.rule_rounding, lang=lang)) or \
            [t("rules.none", lang)]
        if rule.self_points is not None and rule.self_points != rule.appraised_points:
            working.append(f"({t('rules.self', lang)}: "
                           f"{cs.points_text(rule.self_points, lang)})")
        final = "—" if item.final is None else cs.points_text(item.final, lang)
        if rule.counted:
            verdict = f"{final} ({t('rules.counted', lang)})"
        elif rule.appraised_points is None:
            verdict = final
        elif item.final == rule.appraised_points:
            verdict = f"{final} ({t('rules.agrees', lang)})"
        else:
            verdict = f"{final} ≠ {cs.points_text(rule.appraised_points, lang)} " \
                      f"({t('rules.differs', lang)})"
        table.add_row(item.code, "\n".join(figures), "\n".join(working), verdict)
    console.print(table)


# --- criteria sets ------------------------------------------------------------------------------


def render_criteria_ok(console: Console, cs: CriteriaSet, lang: Lang) -> None:
    console.print(f"{t('criteria.ok', lang)}: {cs.id}", style="bold green")
    console.print(f"{cs.title}")
    console.print(t("criteria.items", lang, n=len(cs.leaves), total=cs.points_text(cs.total, lang),
                    years=str(cs.years)))


def render_registry(console: Console, registry: Registry, lang: Lang) -> None:
    table = Table(box=box.SIMPLE_HEAD)
    for key in ("criteria.id", "criteria.group", "criteria.years", "criteria.title",
                "criteria.file"):
        table.add_column(t(key, lang), overflow="fold",
                         no_wrap=key in ("criteria.id", "criteria.years"))
    for cs in registry:
        table.add_row(cs.id, cs.group, str(cs.years), cs.title, str(cs.path or ""))
    console.print(table)


# --- tables shared with the file exports --------------------------------------------------------


def render_table(console: Console, table: ExportTable, decimals: int, lang: Lang, *,
                 caption: str | None = None) -> None:
    """Draw an export ``Table`` as the terminal shows it: numbers right-aligned, rounded."""
    grid = Table(title=table.title, title_justify="left", title_style="bold",
                 box=box.SIMPLE_HEAD, caption=caption, caption_justify="left",
                 padding=(0, 1), pad_edge=False)
    for n, column in enumerate(table.columns):
        numeric = column.kind in NUMBER_KINDS or (
            bool(table.rows) and all(isinstance(row[n], Figure | None) for row in table.rows))
        grid.add_column(column.header, justify="right" if numeric else "left",
                        no_wrap=numeric or column.kind == "code", overflow="fold")
    for row in table.rows:
        grid.add_row(*(cell_text(value, column, decimals, lang)
                       for value, column in zip(row, table.columns, strict=True)))
    console.print(grid)


def render_ranking(console: Console, ranking: YearRanking, lang: Lang) -> None:
    for group, table in zip(ranking.groups, rank_tables(ranking, lang), strict=True):
        render_table(console, table, group.criteria.rounding.decimals, lang,
                     caption=group_summary_text(group, lang))
        console.print()


def render_survey(console: Console, result: SurveyResult, lang: Lang,
                  unit: str | None = None) -> None:
    """``cchc survey``: the units' survey points and satisfaction, one unit's items with
    their working (with ``unit``), and the province's mean by question."""
    decimals = result.criteria.rounding.decimals
    for table in survey_tables(result, lang, unit=unit, items=unit is not None):
        working: list[str] = []
        if table.columns[-1].width == 80:  # the items of one unit: the working below, whole
            working = [f"{row[1]}: {row[-1]}" for row in table.rows]
            table = replace(table, columns=table.columns[1:-1],
                            rows=[row[1:-1] for row in table.rows])
        render_table(console, table, decimals, lang,
                     caption=table.notes[0] if table.notes else None)
        for line in working:
            console.print(literal(line), soft_wrap=False)
        console.print()


def render_not_ranked(console: Console, ranking: YearRanking, lang: Lang) -> None:
    """Workbooks that could not be scored: named on stderr with all their problems."""
    if not ranking.not_ranked:
        return
    console.print(t("rank.not_ranked", lang, n=len(ranking.not_ranked)), style="bold red")
    render_problems(console, ranking.unscored, lang)


def render_skipped(console: Console, ranking: YearRanking, lang: Lang) -> None:
    """Entries of the year folder left out by a rule, one line a rule, on stderr."""
    if not ranking.skipped:
        return
    by_rule: dict[str, list[str]] = {}
    for entry in ranking.skipped:
        by_rule.setdefault(entry.rule, []).append(Path(entry.file).name)
    console.print(Text(t("skipped", lang, n=len(ranking.skipped)) + ":", style="dim"))
    for rule, names in by_rule.items():
        shown = ", ".join(names[:6]) + (", …" if len(names) > 6 else "")
        console.print(Text(f"  {t('skip.' + rule, lang)}: {shown}", style="dim"), soft_wrap=True)


def render_rank_among_rest(console: Console, places: Iterable[Side | Gains], lang: Lang) -> bool:
    """Other workbooks of a year the unit is ranked in that could not be scored: says, for
    each such year, that the rank shown is among the rest, then their problems. Returns
    whether there were any (an answer that depends on them: exit code 1)."""
    places = [place for place in places if place.unscored]
    for place in places:
        files = sorted({Path(p.file).name for p in place.unscored if p.file})
        rank = "—" if place.rank is None else f"{place.rank}/{place.of}"
        console.print(t("others.unranked", lang, year=place.year or "—", n=len(files),
                        files=", ".join(files), code=place.result.unit.code, rank=rank),
                      style="bold red", soft_wrap=True)
    render_problems(console, [p for place in places for p in place.unscored], lang)
    return bool(places)


@contextmanager
def progress(total: int, lang: Lang) -> Iterator[Callable[[object], None]]:
    """A progress bar on stderr when it is a terminal; otherwise a silent callback."""
    if not sys.stderr.isatty() or total < 2:
        yield lambda _item: None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=make_console(stderr=True),
                  transient=True) as bar:
        task = bar.add_task(t("progress.reading", lang), total=total)
        yield lambda _item: bar.advance(task)


# --- compare and history --------------------------------------------------------------------------


def render_comparison(console: Console, c: Comparison, lang: Lang) -> None:
    unit = c.b.result.unit
    console.print(t("cmp.title", lang, name=unit.name, code=unit.code, a=c.b.year, b=c.a.year),
                  style="bold")
    console.print(compare_sentence(c, lang))
    console.print()
    decimals = c.b.result.criteria.rounding.decimals
    for table in compare_tables(c, lang):
        render_table(console, table, decimals, lang)
        console.print()
    console.print(t("cmp.unchanged", lang, n=c.unchanged), style="dim")


def render_gains(console: Console, g: Gains, lang: Lang) -> None:
    gains, plans = gains_tables(g, lang)
    console.print(gains.title, style="bold")
    console.print(gains_heading(g, lang))
    if not g.gains:
        console.print(t("gains.none", lang))
        return
    render_table(console, replace(gains, title="", notes=()), g.criteria.rounding.decimals,
                 lang)
    console.print(t("gains.plans", lang), style="bold")
    for (line,) in plans.rows:
        for n, part in enumerate(line.split("\n")):  # a hanging indent under the dash
            console.print(literal(textwrap.fill(part, console.width, initial_indent="  " if n
                                                else "- ", subsequent_indent="  ",
                                                break_on_hyphens=False)))


def render_history(console: Console, history: History, lang: Lang) -> None:
    grid = Table(title=t("history.title", lang, name=history.name, code=history.code),
                 title_justify="left", title_style="bold", box=box.SIMPLE_HEAD)
    grid.add_column(t("cmp.year", lang))
    grid.add_column(t("rank.achieved", lang), justify="right")
    adjusted = any(s.result.criteria.adjustments for s in history.years)
    if adjusted:  # bonus and penalty on their own columns, never folded into the points
        grid.add_column(t("bonus", lang), justify="right")
        grid.add_column(t("penalty", lang), justify="right")
    grid.add_column(t("rank.max_after", lang), justify="right")
    grid.add_column(t("rank.index", lang), justify="right")
    grid.add_column(t("cmp.rank", lang), justify="right")
    grid.add_column(t("band", lang))
    grid.add_column(t("history.bar", lang), no_wrap=True)
    for side in history.years:
        cs, totals = side.result.criteria, side.result.totals
        index = side.index
        bar = "" if index is None else "█" * int(index // 4) + ("▌" if index % 4 >= 2 else "")
        bar = bar.ljust(25, "·")  # 25 blocks are 100 %: the dots show what is missing
        extra = [signed_points(cs, totals.bonus, "+", lang),
                 signed_points(cs, totals.penalty, "\u2212", lang)] if adjusted else []
        grid.add_row(str(side.year), cs.points_text(totals.achieved, lang), *extra,
                     cs.points_text(totals.max_after_reduction, lang),
                     "—" if index is None else fixed(index, cs.rounding.decimals, lang),
                     "—" if side.rank is None else f"{side.rank}/{side.of}",
                     side.result.band or "—", Text(bar, style="cyan"))
    console.print(grid)
