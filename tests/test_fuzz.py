"""Fuzz: mutated sample workbooks always end in a score or in catalogued problems.

The same mutator runs at scale from `python tests/fuzz/run.py --cases 10000` (figures in
docs/reliability.md); here a few dozen cases run with every test run."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .fuzz.mutate import check, mutated_workbook


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(st.integers(min_value=0, max_value=2**32))
def test_mutated_workbooks_never_crash(tmp_path, registry, seed):
    path = tmp_path / "2020" / f"case-{seed}.xlsx"
    mutated_workbook(random.Random(seed), path)
    verdict, _codes = check(path, registry)  # any exception here is a crash
    assert verdict in ("scored", "rejected")


def test_mutated_workbooks_through_the_cli_never_show_a_traceback(cli, tmp_path):
    for seed in range(12):
        path = tmp_path / "2020" / f"case-{seed}.xlsx"
        mutated_workbook(random.Random(seed), path)
        result = cli("score", path)
        assert result.exit_code in (0, 1), (seed, result.output)
        assert "Traceback" not in result.output
