"""The results page (`rank -o ket-qua.html`), opened in a real headless browser: Chromium from
the distribution's packages (`.ci/run` installs it). Without one, these tests are skipped and
say why; the page's HTML itself is checked either way."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
BROWSER = next((found for name in ("chromium", "chromium-browser", "google-chrome")
                if (found := shutil.which(name))), None)
needs_browser = pytest.mark.skipif(BROWSER is None, reason="no Chromium installed: "
                                   "apt-get install chromium (.ci/run does)")


def browse(page: Path, state: str = "", *extra: str) -> tuple[str, str]:
    """The page's DOM after its script ran (with ``#state``), and the browser's log."""
    run = subprocess.run([BROWSER or "chromium", "--headless", "--no-sandbox", "--disable-gpu",
                          "--enable-logging=stderr", "--v=0", *extra,
                          *(() if extra else ("--dump-dom",)),
                          f"{page.resolve().as_uri()}{'#' + state if state else ''}"],
                         capture_output=True, text=True, timeout=120, check=False)
    return run.stdout, run.stderr


def console_errors(log: str) -> list[str]:
    return [line for line in log.splitlines() if "CONSOLE" in line
            and re.search(r"Uncaught|Error|error", line)]


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from typer.testing import CliRunner

    from cchc_cli.cli import app

    out = tmp_path_factory.mktemp("page") / "ket-qua-2023.html"
    run = CliRunner().invoke(app, ["rank", str(SAMPLES / "2023"), "-o", str(out)])
    assert run.exit_code == 0, run.output
    return out


def codes_in_order(dom: str) -> list[str]:
    return re.findall(r'<tr class="unit"[^>]*data-code="([^"]+)"', dom)


def test_the_page_is_self_contained(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    assert "@import" not in html and "<link" not in html
    assert '<html lang="vi">' in html and "@media print" in html
    assert html.count('class=unit') == 19 and "Sở Tài chính" in html


@needs_browser
def test_sorting_in_the_browser_gives_rank_s_order(page: Path, cli: Any) -> None:
    ranked = json.loads(cli("rank", str(SAMPLES / "2023"), "--json").stdout)
    order = [u["code"] for g in ranked["groups"] for u in g["units"]]
    dom, log = browse(page, "sort=index&dir=desc")
    assert 'data-ready="true"' in dom, log[-2000:]
    assert console_errors(log) == []
    assert codes_in_order(dom) == order
    dom, _log = browse(page, "sort=index&dir=asc")
    assert codes_in_order(dom) == order[::-1]
    dom, _log = browse(page, "sort=name&dir=asc")
    assert codes_in_order(dom)[0] == "BDT"  # "Ban Dân tộc" first in Vietnamese order


@needs_browser
def test_a_unit_expands_and_search_filters(page: Path) -> None:
    dom, log = browse(page, "expand=STC&q=tai chinh")
    assert console_errors(log) == []
    row = re.search(r'<tr class="unit"[^>]*data-code="STC"[^>]*>.*?</tr>\s*<tr class="detail"'
                    r'([^>]*)>', dom, re.S)
    assert row is not None and "hidden" not in row.group(1)
    assert "Không có tin, bài đăng trên Chuyên trang CCHC" in dom
    shown = re.findall(r'<tr class="unit"([^>]*)>', dom)
    visible = [a for a in shown if "hidden" not in a]
    assert len(shown) == 19 and len(visible) == 1 and 'data-code="STC"' in visible[0]


@needs_browser
def test_a_screenshot(page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "ket-qua.png"
    _dom, log = browse(page, "expand=STC", f"--screenshot={shot}", "--window-size=1280,900")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", log[-2000:]
    assert shot.stat().st_size > 50_000
