"""Charts as PNG, SVG or PDF by the file's suffix (matplotlib, imported only here, only when a
chart is asked for).

Text is drawn with DejaVu Sans, which has every Vietnamese letter; a test checks that
matplotlib really resolves that font, so diacritics are never drawn as boxes. Every text from
an input (names, titles, groups, bands) goes through ``text.writable``, so a bidi override
cannot reverse a label nor a control character draw as a missing glyph."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cchc_cli.engine.compare import Comparison
from cchc_cli.engine.history import History
from cchc_cli.engine.ranking import YearRanking
from cchc_cli.model.decimals import localize
from cchc_cli.model.text import unit_key, writable
from cchc_cli.output.guard import PathLike, write_output
from cchc_cli.words import Lang, t

FONT = "DejaVu Sans"
CHART_SUFFIXES = (".png", ".svg", ".pdf")
BAND_COLOURS = ["#d4edda", "#d1ecf1", "#fff3cd", "#f8d7da", "#e2e3e5"]


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    plt.rcParams["font.family"] = FONT
    # names and titles come from workbooks and YAML: "$…$" in them is text, not mathtext
    plt.rcParams["text.parse_math"] = False
    return plt


def resolved_font() -> str:
    """The font file matplotlib uses for chart text (for the test of diacritics)."""
    _pyplot()
    from matplotlib import font_manager

    return font_manager.findfont(font_manager.FontProperties(family=FONT),
                                 fallback_to_default=False)


def _save(fig: Any, path: PathLike, inputs: Iterable[PathLike], force: bool) -> Path:
    plt = _pyplot()
    kind = Path(path).suffix.lower().lstrip(".")
    try:
        return write_output(path, lambda tmp: fig.savefig(tmp, format=kind),
                            formats=CHART_SUFFIXES, inputs=inputs, force=force)
    finally:
        plt.close(fig)


def _pct(value: Any, lang: Lang) -> str:
    return f"{localize(str(value), lang)} %"


def history_chart(history: History, path: PathLike, lang: Lang, *,
                  inputs: Iterable[PathLike] = (), force: bool = False) -> Path:
    """Index (left axis) and rank (right axis, 1 at the top) over the years."""
    plt = _pyplot()
    from matplotlib.ticker import MaxNLocator

    years = [s.year for s in history.years]
    indices = [s.index for s in history.years]
    fig, left = plt.subplots(figsize=(8, 4.5), dpi=120)
    left.plot(years, [None if i is None else float(i) for i in indices], marker="o",
              color="#1f5fa8", label=t("index", lang))
    for year, index in zip(years, indices, strict=True):
        if index is not None:
            left.annotate(_pct(index, lang), (year, float(index)), textcoords="offset points",
                          xytext=(0, 8), ha="center", fontsize=9)
    left.set_ylabel(f"{t('index', lang)} (%)")
    left.set_ylim(0, 100)
    left.set_xticks(years)
    handles = left.get_lines()
    ranked = [s for s in history.years if s.rank is not None]
    if ranked:
        right = left.twinx()
        right.plot([s.year for s in ranked], [s.rank for s in ranked], marker="s",
                   linestyle="--", color="#c0392b", label=t("chart.rank", lang))
        for s in ranked:
            right.annotate(f"{s.rank}/{s.of}", (s.year, s.rank), textcoords="offset points",
                           xytext=(0, -14), ha="center", fontsize=9, color="#c0392b")
        worst = max(s.of or 1 for s in ranked)
        right.set_ylim(worst + 0.5, 0.5)  # rank 1 at the top
        right.yaxis.set_major_locator(MaxNLocator(integer=True))
        right.set_ylabel(t("chart.rank", lang))
        handles = [*handles, *right.get_lines()]
    left.legend(handles=handles, loc="lower left", fontsize=9)
    left.set_title(writable(t("history.title", lang, name=history.name, code=history.code)))
    left.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return _save(fig, path, inputs, force)


def rank_chart(ranking: YearRanking, path: PathLike, lang: Lang, unit: str | None = None, *,
               inputs: Iterable[PathLike] = (), force: bool = False) -> Path:
    """Each group's indices as horizontal bars, rank 1 at the top, bands shaded; ``unit``
    is highlighted."""
    plt = _pyplot()
    groups = ranking.groups
    heights = [max(2.5, 0.32 * len(g.units) + 1.2) for g in groups] or [2.5]
    fig, axes = plt.subplots(len(heights), 1, figsize=(9, sum(heights)), dpi=120,
                             squeeze=False)
    if not groups:  # no workbook could be scored: the chart says so, as the table does
        axes[0, 0].set_axis_off()
        axes[0, 0].set_title(t("rank.not_ranked.sheet", lang), fontsize=10)
    for ax, group in zip(axes[: len(groups), 0], groups, strict=True):
        cs = group.criteria
        upper = 100.0
        for colour, band in zip(BAND_COLOURS, cs.bands, strict=False):
            ax.axvspan(float(band.lower), upper, color=colour, zorder=0)
            ax.text((float(band.lower) + upper) / 2, -1.0, writable(band.name), ha="center",
                    va="center", fontsize=8, color="#555555")
            upper = float(band.lower)
        units = group.units
        labels = [writable(f"{u.rank}. {u.result.unit.name}") for u in units]
        values = [float(u.result.index or 0) for u in units]
        # the unit is found as YearRanking.find finds it (the command warns when it is not)
        colours = ["#c0392b" if unit and unit_key(u.code) == unit_key(unit) else "#4a6fa5"
                   for u in units]
        ax.barh(range(len(units)), values, color=colours, zorder=2)
        for y, u in enumerate(units):
            ax.text(float(u.result.index or 0) + 0.4, y, _pct(u.result.index, lang),
                    va="center", fontsize=8, zorder=3)
        ax.set_yticks(range(len(units)), labels, fontsize=8)
        ax.set_ylim(len(units) - 0.5, -1.6)  # rank 1 at the top, room for band names
        low = min([*values, *(float(b.lower) for b in cs.bands)], default=0)
        ax.set_xlim(max(0, low - 5), 100)
        ax.set_xlabel(f"{t('index', lang)} (%)")
        ax.set_title(writable(t("rank.group", lang, group=group.group,
                                year=ranking.year or "—")), fontsize=10)
    fig.tight_layout()
    return _save(fig, path, inputs, force)


def compare_chart(c: Comparison, path: PathLike, lang: Lang, *,
                  inputs: Iterable[PathLike] = (), force: bool = False) -> Path:
    """Field indices of year A beside year B."""
    plt = _pyplot()
    fields = c.fields
    fig, ax = plt.subplots(figsize=(9, 0.55 * len(fields) + 1.6), dpi=120)

    def index(totals, result) -> float | None:
        exact = totals.index_exact if totals else None
        return None if exact is None else float(result.display(exact))

    for offset, year, side, colour, attr in ((-0.2, c.a.year, c.a, "#9aa5b1", "a"),
                                             (0.2, c.b.year, c.b, "#1f5fa8", "b")):
        ys: list[float] = []
        xs: list[float] = []
        for y, f in enumerate(fields):
            value = index(getattr(f, attr), side.result)
            if value is not None:
                ys.append(y + offset)
                xs.append(value)
        ax.barh(ys, xs, height=0.38, color=colour, label=str(year))
        for at, x in zip(ys, xs, strict=True):
            ax.text(x + 0.5, at, localize(f"{x:.2f}", lang), va="center", fontsize=7)
    labels = [textwrap.shorten(writable(f"{f.code}. {f.title}"), 48, placeholder="…")
              for f in fields]
    ax.set_yticks(range(len(fields)), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 105)
    ax.set_xlabel(f"{t('col.index', lang).replace(chr(10), ' ')} (%)")
    unit = c.b.result.unit
    ax.set_title(writable(t("cmp.title", lang, name=unit.name, code=unit.code, a=c.b.year,
                            b=c.a.year)), fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return _save(fig, path, inputs, force)


def heatmap_chart(ranking: YearRanking, path: PathLike, lang: Lang, *,
                  inputs: Iterable[PathLike] = (), force: bool = False) -> Path:
    """Units × fields: each cell the unit's index in the field (as displayed), coloured from
    red (50 % and under) to green (100 %); a field reduced whole is grey, with "—". Units in
    rank order; field codes on top, their titles in the legend below."""
    from cchc_cli.engine.publish import field_index

    plt = _pyplot()
    from matplotlib import colormaps

    groups = ranking.groups
    heights = [0.34 * len(g.units) + 0.4 * len(g.criteria.fields) / 2 + 1.6 for g in groups]
    fig, axes = plt.subplots(max(1, len(groups)), 1, figsize=(11, sum(heights) or 2.5),
                             dpi=120, squeeze=False)
    if not groups:
        axes[0, 0].set_axis_off()
        axes[0, 0].set_title(t("rank.not_ranked.sheet", lang), fontsize=10)
    cmap = colormaps["RdYlGn"].with_extremes(bad="#e2e3e5")
    for ax, group in zip(axes[: len(groups), 0], groups, strict=True):
        fields = group.criteria.fields
        values = [[field_index(u.result, f.code) for f in fields] for u in group.units]
        grid = [[float("nan") if v is None else float(v) for v in row] for row in values]
        ax.imshow(grid, cmap=cmap, vmin=50, vmax=100, aspect="auto")
        for y, row in enumerate(values):
            for x, value in enumerate(row):
                ax.text(x, y, "—" if value is None else localize(f"{value:.2f}", lang),
                        ha="center", va="center", fontsize=7)
        ax.set_xticks(range(len(fields)), [writable(f.code) for f in fields], fontsize=8)
        ax.xaxis.tick_top()
        names = [textwrap.shorten(writable(f"{u.rank}. {u.result.unit.name}"), 42,
                                  placeholder="…") for u in group.units]
        ax.set_yticks(range(len(names)), names, fontsize=8)
        legend = "; ".join(textwrap.shorten(writable(f"{f.code}. {f.title}"), 60,
                                            placeholder="…") for f in fields)
        ax.set_xlabel("\n".join(textwrap.wrap(legend, 150)), fontsize=7)
        ax.set_title(writable(t("html.heatmap", lang, group=group.group)) +
                     f" · {ranking.year or '—'}", fontsize=10, pad=18)
    fig.tight_layout()
    return _save(fig, path, inputs, force)
