"""A unit over the years: every year folder under the data root that holds it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cchc_cli.engine.compare import Side


@dataclass
class History:
    code: str
    years: list[Side]

    @property
    def name(self) -> str:
        return self.years[-1].result.unit.name if self.years else self.code

    def to_frame(self) -> Any:
        """The years as a pandas DataFrame (``pip install 'cchc[pandas]'``)."""
        from cchc_cli.frames import history_frame

        return history_frame(self)

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit": {"code": self.code, "name": self.name},
            "years": [
                {"year": s.year,
                 **s.result.totals.as_dict(s.result.display, (
                     "achieved", "bonus", "penalty", "max_after_reduction", "index",
                     "index_exact")),
                 "rank": s.rank, "of": s.of, "band": s.result.band,
                 "satisfaction_index": s.result.satisfaction,
                 "criteria_set": s.result.criteria.id}
                for s in self.years
            ],
        }


