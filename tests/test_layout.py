"""The house rules that a linter can keep: library first (typer only in cli, rich only in
render), no binary float in the core's arithmetic."""

from __future__ import annotations

import ast
import shutil
import subprocess

import pytest

from .conftest import ROOT

# cli and render are the terminal; chart draws with floats, which is display, not arithmetic
CORE = [p for p in (ROOT / "cchc_cli").rglob("*.py")
        if p.name not in ("cli.py", "terminal.py", "fitting.py", "chart.py", "frames.py")]


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.name)
def test_core_modules_import_neither_typer_nor_rich(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported.add(node.module.split(".")[0])
    assert not imported & {"typer", "rich", "click", "pandas"}


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.name)
def test_core_never_calls_float(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Call)
             and isinstance(node.func, ast.Name) and node.func.id == "float"]
    assert calls == [], f"{path.name}: float() on lines {calls}"


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is in the test extras")
def test_ruff_is_clean():
    proc = subprocess.run(["ruff", "check", "cchc_cli", "tests", "samples", "bench", "docs"],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.skipif(shutil.which("lint-imports") is None, reason="import-linter is in the extras")
def test_the_layers_keep_their_contracts():
    """The engine imports nothing from reading, output or the face; reading nothing from the
    engine; the model nothing from reading (pyproject.toml, [tool.importlinter])."""
    proc = subprocess.run(["lint-imports"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.skipif(shutil.which("mypy") is None, reason="mypy is in the test extras")
def test_the_library_is_typed(tmp_path):
    """mypy is clean on the package, and a caller's code type-checks against its exports."""
    caller = tmp_path / "caller.py"
    caller.write_text(
        "from decimal import Decimal\n"
        "from cchc_cli import rank_folder, score_file, to_json\n"
        "result = score_file('samples/2020/STC.xlsx')\n"
        "achieved: Decimal = result.totals.achieved\n"
        "ranking = rank_folder('samples/2023')\n"
        "first: int = ranking.groups[0].units[0].rank\n"
        "text: str = to_json(result.as_dict())\n", encoding="utf-8")
    for args in (["mypy"], ["mypy", str(caller)]):  # the package (pyproject.toml), the caller
        proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_public_names_are_all_there():
    import cchc_cli

    assert sorted(cchc_cli.__all__) == sorted([*cchc_cli._WHERE, "__version__"])
    for name in cchc_cli.__all__:
        assert getattr(cchc_cli, name) is not None


def test_dataframes_for_analysts():
    """.to_frame() on a ranking, a result and a history; exact figures kept."""
    pytest.importorskip("pandas")
    from decimal import Decimal

    from cchc_cli import rank_folder, score_file, unit_history

    ranking = rank_folder(ROOT / "samples" / "2023").to_frame()
    stc = ranking.set_index("code").loc["STC"]
    assert (stc["rank"], stc["index"]) == (17, Decimal("69.03"))
    items = score_file(ROOT / "samples" / "2020" / "STC.xlsx").to_frame()
    assert items["deducted"].sum() == Decimal("19.17") and items.loc["2.1", "final"] == \
        Decimal("0.86")
    years = unit_history(ROOT / "samples", "STC").to_frame()
    assert list(years.index) == [2019, 2020, 2022, 2023]
    assert list(years["index"]) == [Decimal("81.75"), Decimal("78.81"), Decimal("76.21"),
                                    Decimal("69.03")]


def test_scoring_never_imports_pandas():
    code = ("import sys; from cchc_cli import score_file; "
            "score_file('samples/2020/STC.xlsx'); print('pandas' in sys.modules)")
    proc = subprocess.run([__import__("sys").executable, "-c", code], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.stdout.strip() == "False", proc.stderr
