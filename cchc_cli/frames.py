"""pandas DataFrames for analysts: ``pip install 'cchc[pandas]'``, then ``.to_frame()`` on a
year's ranking, a unit's result (its items) or a unit's history.

pandas is imported here only, when a frame is asked for: it stays off every scoring path (it
costs 0.3 s to import and 3–20× calamine's time to read a workbook). Figures stay exact
``Decimal`` in object columns; convert with ``.astype(float)`` for plotting, not for sums
that will be published.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cchc_cli.engine.history import History
    from cchc_cli.engine.ranking import YearRanking
    from cchc_cli.model.results import UnitResult


def _pandas() -> Any:
    try:
        import pandas
    except ImportError as exc:  # the extra is not installed: say how to get it
        raise ImportError("DataFrames need pandas: pip install 'cchc[pandas]'") from exc
    return pandas


def ranking_frame(ranking: YearRanking) -> Any:
    """One row per ranked unit: group, rank, of, code, name, achieved, maximum after
    reduction, index (as published), exact index, band, status, file."""
    rows = [{"group": g.group, "rank": u.rank, "of": u.of, "code": u.code,
             "name": u.result.unit.name, "achieved": u.result.totals.achieved,
             "max_after_reduction": u.result.totals.max_after_reduction,
             "index": u.result.index, "index_exact": u.result.totals.index_exact,
             "band": u.result.band, "status": u.result.status, "file": u.result.file}
            for g in ranking.groups for u in g.units]
    return _pandas().DataFrame(rows, columns=[
        "group", "rank", "of", "code", "name", "achieved", "max_after_reduction", "index",
        "index_exact", "band", "status", "file"])


def items_frame(result: UnitResult) -> Any:
    """One row per scored item of a unit: code, field, title, scoring, max, whether it
    applies, self-assessed, appraised, final and deducted points, reason, office."""
    rows = [{"code": i.code, "field": i.leaf.field, "title": i.leaf.title,
             "scoring": i.leaf.scoring, "max": i.leaf.max, "applicable": i.applicable,
             "self": i.self_points, "appraised": i.appraised, "final": i.final,
             "deducted": i.deducted, "reason": i.reason, "responsible": i.responsible}
            for i in result.items]
    return _pandas().DataFrame(rows, columns=[
        "code", "field", "title", "scoring", "max", "applicable", "self", "appraised", "final",
        "deducted", "reason", "responsible"]).set_index("code")


def history_frame(history: History) -> Any:
    """One row per year of a unit: achieved, maximum after reduction, index, rank, of,
    band, criteria set."""
    rows = [{"year": s.year, "achieved": s.result.totals.achieved,
             "max_after_reduction": s.result.totals.max_after_reduction, "index": s.index,
             "rank": s.rank, "of": s.of, "band": s.result.band,
             "criteria_set": s.result.criteria.id} for s in history.years]
    return _pandas().DataFrame(rows, columns=[
        "year", "achieved", "max_after_reduction", "index", "rank", "of", "band",
        "criteria_set"]).set_index("year")
