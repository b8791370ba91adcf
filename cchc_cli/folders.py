"""`cchc validate`: every problem of every workbook at once, without scoring anything out."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cchc_cli.engine.ranking import rank_folder, workbook_files
from cchc_cli.engine.scoring import assess_file
from cchc_cli.model.criteria import Registry
from cchc_cli.model.problems import CchcError, Problem


@dataclass(frozen=True)
class Validation:
    files: int
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def files_with_errors(self) -> int:
        return len({p.file for p in self.errors})


def validate_path(path: str | os.PathLike[str], registry: Registry | None = None) -> Validation:
    """Check one workbook, or every workbook directly in a folder (with the folder's own
    checks: duplicate units, years that differ from the folder's)."""
    path = Path(path)
    registry = registry or Registry.load()
    if path.is_dir():
        try:
            ranking = rank_folder(path, registry)
        except CchcError as err:
            return Validation(0, err.problems)
        problems = [p for entry in ranking.not_ranked for p in entry.problems] + ranking.warnings
        files = len(workbook_files(path))
    else:
        _, problems = assess_file(path, registry)
        files = 1
    return Validation(files, sorted(problems, key=Problem.sort_key))
