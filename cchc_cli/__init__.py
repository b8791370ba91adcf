"""cchc — score Vietnam's administrative-reform index (Chỉ số CCHC) from unit workbooks.

The library is usable without the command line::

    from cchc_cli import Registry, read_unit, score_unit

    wb = read_unit("samples/2020/STC.xlsx")
    result = score_unit(load_registry().get("soc-trang-so-2019"), wb)
    result.totals.achieved   # Decimal('71.33')

Names are imported on first use, so ``import cchc_cli`` (and the command's start) stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_WHERE = {
    "CATALOG": "model.problems", "CchcError": "model.problems", "Problem": "model.problems",
    "CriteriaSet": "model.criteria", "Registry": "model.criteria",
    "load_criteria": "reading.criteria_file", "load_registry": "folders",
    "UnitResult": "model.results", "score_unit": "engine.scoring",
    "read_unit": "reading.workbook",
    "score_file": "folders", "rank_folder": "folders", "compare_years": "folders",
    "unit_history": "folders",
}

__all__ = ["__version__", *sorted(_WHERE)]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module 'cchc_cli' has no attribute {name!r}")
