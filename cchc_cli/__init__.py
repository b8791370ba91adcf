"""cchc — score Vietnam's administrative-reform index (Chỉ số CCHC) from unit workbooks.

The library is usable without the command line::

    from cchc_cli import Registry, read_unit, score_unit

    wb = read_unit("samples/2020/STC.xlsx")
    result = score_unit(Registry.load().get("soc-trang-so-2019"), wb)
    result.totals.achieved   # Decimal('71.33')
"""

from __future__ import annotations

__version__ = "0.1.0"

from .compare import compare_years
from .criteria import CriteriaSet, Registry, load_criteria
from .history import unit_history
from .problems import CATALOG, CchcError, Problem
from .ranking import rank_folder
from .scoring import UnitResult, score_file, score_unit
from .workbook import read_unit

__all__ = [
    "CATALOG",
    "CchcError",
    "CriteriaSet",
    "Problem",
    "Registry",
    "UnitResult",
    "__version__",
    "compare_years",
    "load_criteria",
    "rank_folder",
    "read_unit",
    "score_file",
    "score_unit",
    "unit_history",
]
