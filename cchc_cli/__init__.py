"""cchc — score Vietnam's administrative-reform index (Chỉ số CCHC) from unit workbooks.

The library is usable without the command line::

    from cchc_cli import load_registry, read_unit, score_unit

    wb = read_unit("samples/2020/STC.xlsx")
    result = score_unit(load_registry().get("soc-trang-so-2019"), wb)
    result.totals.achieved   # Decimal('71.33')

Two verbs: ``score_*`` returns a result or raises :class:`CchcError` with every problem;
``assess_*`` returns ``(result or None, problems)``.

Names are imported on first use, so ``import cchc_cli`` (and the command's start) stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what type checkers see; at run time each name is imported on first use
    from cchc_cli.engine.scoring import assess_unit, score_unit
    from cchc_cli.engine.survey import score_survey
    from cchc_cli.folders import (
        assess_file,
        compare_years,
        gains_of_folder,
        load_registry,
        rank_folder,
        score_file,
        survey_file,
        unit_history,
        validate_path,
    )
    from cchc_cli.model.criteria import CriteriaSet, Registry
    from cchc_cli.model.problems import CATALOG, CchcError, Problem
    from cchc_cli.model.results import UnitResult
    from cchc_cli.model.survey import SurveyResult
    from cchc_cli.output.files import to_json, write_json
    from cchc_cli.reading.criteria_file import load_criteria
    from cchc_cli.reading.survey import read_survey
    from cchc_cli.reading.workbook import read_unit

__version__ = "0.1.0"

_WHERE = {
    "CATALOG": "model.problems", "CchcError": "model.problems", "Problem": "model.problems",
    "CriteriaSet": "model.criteria", "Registry": "model.criteria",
    "UnitResult": "model.results", "SurveyResult": "model.survey",
    "score_survey": "engine.survey", "read_survey": "reading.survey", "survey_file": "folders",
    "score_unit": "engine.scoring", "assess_unit": "engine.scoring",
    "load_criteria": "reading.criteria_file", "read_unit": "reading.workbook",
    "score_file": "folders", "assess_file": "folders", "rank_folder": "folders",
    "compare_years": "folders", "unit_history": "folders", "gains_of_folder": "folders",
    "validate_path": "folders", "load_registry": "folders",
    "to_json": "output.files", "write_json": "output.files",
}

__all__ = [
    "CATALOG", "CchcError", "CriteriaSet", "Problem", "Registry", "SurveyResult", "UnitResult",
    "__version__", "assess_file", "assess_unit", "compare_years", "gains_of_folder",
    "load_criteria", "load_registry", "rank_folder", "read_survey", "read_unit", "score_file",
    "score_survey", "score_unit", "survey_file", "to_json", "unit_history", "validate_path",
    "write_json",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module 'cchc_cli' has no attribute {name!r}")
