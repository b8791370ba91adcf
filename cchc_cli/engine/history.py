"""A unit over the years: every year folder under the data root that holds it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cchc_cli.engine.compare import Side, data_root, side_of
from cchc_cli.engine.ranking import rank_folder
from cchc_cli.engine.scoring import year_of_folder
from cchc_cli.model.criteria import Registry
from cchc_cli.model.problems import CchcError, Problem


@dataclass
class History:
    code: str
    years: list[Side]

    @property
    def name(self) -> str:
        return self.years[-1].result.unit.name if self.years else self.code

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit": {"code": self.code, "name": self.name},
            "years": [
                {"year": s.year, "achieved": s.result.totals.achieved,
                 "bonus": s.result.totals.bonus, "penalty": s.result.totals.penalty,
                 "max_after_reduction": s.result.totals.max_after_reduction,
                 "index": s.index,
                 "index_exact": None if s.result.totals.index_exact is None
                 else str(s.result.totals.index_exact),
                 "rank": s.rank, "of": s.of, "band": s.result.band,
                 "criteria_set": s.result.criteria.id}
                for s in self.years
            ],
        }


def year_folders(root: Path) -> list[tuple[int, Path]]:
    if not root.is_dir():
        raise CchcError([Problem("file-not-found", file=str(root))])
    years = ((year_of_folder(p), p) for p in root.iterdir() if p.is_dir())
    return sorted((year, p) for year, p in years if year is not None)


def unit_history(root: str | os.PathLike[str] | None, code: str,
                 registry: Registry | None = None) -> History:
    """The unit's result and rank in every year folder under ``root`` that holds it.

    A year whose folder has no workbook of the unit is skipped; a year where the unit's own
    workbook cannot be scored raises ``CchcError`` with its problems."""
    registry = registry or Registry.load()
    history = History(code=code.upper(), years=[])
    for year, folder in year_folders(data_root(root)):
        try:
            ranking = rank_folder(folder, registry, keep=code)
        except CchcError:
            continue  # an empty year folder
        try:
            side = side_of(ranking, code, year)
        except CchcError as err:
            if any(p.code == "unit-not-found" for p in err.problems):
                continue
            raise
        history.years.append(side)
    if not history.years:
        raise CchcError([Problem("unit-not-found", file=str(data_root(root)),
                                 params={"unit": code, "folder": str(data_root(root))})])
    return history
