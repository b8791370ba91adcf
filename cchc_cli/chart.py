"""Charts as PNG (matplotlib, imported only here, only when a chart is asked for)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .history import History
from .labels import Lang, t


def history_chart(history: History, path: str | os.PathLike[str], lang: Lang) -> Path:
    """Index (left axis) and rank (right axis, 1 at the top) over the years."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    path = Path(path)
    years = [s.year for s in history.years]
    indices = [s.index for s in history.years]
    fig, left = plt.subplots(figsize=(8, 4.5), dpi=120)
    plt.rcParams["font.family"] = "DejaVu Sans"  # has every Vietnamese letter
    left.plot(years, [None if i is None else float(i) for i in indices], marker="o",
              color="#1f5fa8", label=t("index", lang))
    for year, index in zip(years, indices, strict=True):
        if index is not None:
            left.annotate(f"{index} %", (year, float(index)), textcoords="offset points",
                          xytext=(0, 8), ha="center", fontsize=9)
    left.set_ylabel(f"{t('index', lang)} (%)")
    left.set_ylim(0, 100)
    left.set_xticks(years)
    handles = left.get_lines()
    ranked = [s for s in history.years if s.rank is not None]
    if ranked:
        from matplotlib.ticker import MaxNLocator

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
    left.set_title(t("history.title", lang, name=history.name, code=history.code))
    left.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".png", dir=path.parent)
    os.close(fd)
    try:
        fig.savefig(tmp, format="png")
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
        plt.close(fig)
    return path
