"""report.html in a real browser: headless Debian Chromium renders it with no console error.

Skipped (with the reason shown) when Chromium is not installed, except under ``CI=true``,
where a missing browser fails the test: CI installs it (``scripts/install.sh --dev``).
Set ``ALIGNER_SCREENSHOT=/tmp/report.png`` to keep a screenshot of the rendered report.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from argos_fixture import use_package_dir
from chromium import require_chromium, visit_page
from report_records import figures
from run_support import run_cli

from aligner.report import write_report

pytestmark = pytest.mark.chromium
CORPUS = Path(__file__).resolve().parent.parent / "corpus"

FLAGGED_ROWS = ("[...document.querySelectorAll('table.beads tr.bead')]"
                ".filter(row => !row.classList.contains('hidden')).length")


@pytest.fixture(scope="module")
def browser() -> None:
    require_chromium()


def visit_report(out: Path, screenshot: bool = False):
    return visit_page(out / "report.html", {
        "ready": "document.body.getAttribute('data-report-ready')",
        "rows": FLAGGED_ROWS,
        "flagged": "document.getElementById('doubtful-only').click(); " + FLAGGED_ROWS,
        "plots": "document.querySelectorAll('svg').length",
    }, screenshot=screenshot)


def test_report_renders_without_console_errors(browser, tmp_path):
    write_report(tmp_path, figures())
    visit = visit_report(tmp_path)
    assert visit.console_errors == []
    assert visit.requested_urls == [(tmp_path / "report.html").resolve().as_uri()]
    assert visit.values == {"ready": "yes", "rows": 5, "flagged": 3, "plots": 3}


@pytest.mark.slow
def test_the_seed_run_report_renders_without_console_errors(browser, tmp_path, monkeypatch):
    use_package_dir(monkeypatch, tmp_path / "argos")
    result = run_cli(CORPUS, "-o", tmp_path / "out", "--quiet")
    assert result.exit_code == 0, result.output
    visit = visit_report(tmp_path / "out", screenshot=True)
    assert visit.console_errors == []
    assert visit.requested_urls == [(tmp_path / "out" / "report.html").resolve().as_uri()]
    assert visit.values["ready"] == "yes" and visit.values["rows"] == 17
    assert visit.values["plots"] == 2  # no MT here: confidence histogram and the path plot
    assert visit.screenshot.startswith(b"\x89PNG\r\n\x1a\n")
    keep = os.environ.get("ALIGNER_SCREENSHOT")
    if keep:
        Path(keep).write_bytes(visit.screenshot)


def test_report_without_mt_renders_too(browser, tmp_path):
    write_report(tmp_path, figures(scored=False))
    visit = visit_report(tmp_path)
    assert visit.console_errors == []
    assert visit.values["ready"] == "yes" and visit.values["plots"] == 2


@pytest.mark.parametrize("body,expected", [
    ("<script>notDefinedAnywhere();</script>", "notDefinedAnywhere is not defined"),
    ("<script>console.error('broken figure');</script>", "broken figure"),
])
def test_a_broken_page_is_caught(browser, tmp_path, body, expected):
    page = tmp_path / "broken.html"
    page.write_text(f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>{body}"
                    "</body></html>", encoding="utf-8")
    visit = visit_page(page)
    assert len(visit.console_errors) == 1
    assert expected in visit.console_errors[0]
