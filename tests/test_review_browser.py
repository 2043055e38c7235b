"""A person reviews runs in headless Chromium, by keyboard, and the TMX on disk shows exactly that.

The app runs as ``aligner review OUT --no-browser`` in a child process; Chromium (Debian's)
is driven over the DevTools protocol. Pages must raise no console error and ask nothing of
any server but the app. The saved TMX is then imported into OmegaT (``omegat`` marker).
Set ``ALIGNER_REVIEW_SCREENSHOT=/tmp/review.png`` to keep a screenshot of the reviewed page.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from argos_fixture import use_package_dir
from chromium import Browser, require_chromium
from review_support import (ReviewServer, beads_of, corrupt, make_run, pair_keys,
                            wmt_inputs)
from test_tmx_consumers import omegat_pretranslate, require_omegat

from tmx import read_units

pytestmark = [pytest.mark.chromium, pytest.mark.slow]
CORPUS = Path(__file__).resolve().parent.parent / "corpus"
SELECTED = "Number(document.querySelector('tr.bead.selected').dataset.index)"
KEY = "document.querySelector('#pairs tr.current td').title"
EXPECTED_WRONG = "Number(document.getElementById('estimate').textContent.match(/[0-9.]+/)[0])"


@pytest.fixture
def runs_env(tmp_path, monkeypatch):
    require_chromium()
    use_package_dir(monkeypatch, tmp_path / "argos")
    return tmp_path


def step(browser: Browser, key: str, shift: bool = False) -> None:
    """Press ``key`` and wait until the page has finished what it started."""
    browser.press(key, shift=shift)
    browser.wait_until("document.body.dataset.busy === '0'")


def where(browser: Browser) -> tuple[str, int]:
    return browser.evaluate(KEY), browser.evaluate(SELECTED)


def open_review(browser: Browser, server: ReviewServer) -> None:
    browser.open(server.address)
    assert browser.wait_until("document.body.dataset.ready") == "yes"
    browser.wait_until("document.body.dataset.busy === '0'")


def units_by_bead(path: Path) -> dict[tuple[str, str, str], str]:
    """(source doc, source indices, target indices) -> x-reviewed of each unit of a TMX."""
    return {(u.prop("x-src-doc"), u.prop("x-src-idx"), u.prop("x-tgt-idx")): u.prop("x-reviewed")
            for u in read_units(path)}


def expected_units(machine: dict[str, list], reviewed: set[tuple[str, int]]
                   ) -> dict[tuple[str, str, str], str]:
    """The units of the machine's beads, ``x-reviewed`` yes for the beads a person made."""
    units = {}
    for key, beads in machine.items():
        for index, bead in enumerate(beads):
            if not bead.is_null:
                cell = (key.split("__")[0], ",".join(map(str, bead.src)),
                        ",".join(map(str, bead.tgt)))
                units[cell] = "yes" if (key, index) in reviewed else "no"
    return units


def check_page_was_clean(browser: Browser, server: ReviewServer) -> None:
    browser.settle()
    assert browser.errors() == []
    outside = [url for url in browser.requested_urls() if not url.startswith(server.origin + "/")]
    assert outside == []


def check_omegat_imports(tmx_file: Path, work: Path) -> None:
    require_omegat()
    expected = {unit.source: unit.target for unit in read_units(tmx_file)}
    targets, log = omegat_pretranslate(work, [tmx_file], list(expected))
    assert "TF_TM_LOAD_ERROR" not in log and "Failed to load" not in log, log[-3000:]
    assert targets == list(expected.values())


def test_wmt_run_with_wrong_beads_is_repaired_by_keyboard(runs_env, shared_dir):
    out = make_run(wmt_inputs(shared_dir, runs_env / "wmt"), runs_env / "out", "--presplit")
    keys = pair_keys(out)
    assert len(keys) == 3
    machine = {key: beads_of(out, key) for key in keys}
    merged, shifted, split = keys
    at = {kind: corrupt(out, key, kind) for key, kind in
          ((merged, "merge"), (shifted, "shift"), (split, "split"))}
    with ReviewServer(out) as server, Browser() as browser:
        open_review(browser, server)
        before = browser.evaluate(EXPECTED_WRONG)
        step(browser, "n")  # the wrong 2-2 bead (confidence 0.05) comes first
        assert where(browser) == (merged, at["merge"])
        step(browser, "s")
        step(browser, "n")  # then the shifted bead b-x (0.08): give x to the bead above
        assert where(browser) == (shifted, at["shift"] + 1)
        step(browser, "l")  # focus: the bead's target sentence
        step(browser, "u")
        step(browser, "r")  # realign around the fix: b-y, c-z again
        assert "realign 1" in browser.evaluate("document.getElementById('pair-head').textContent")
        step(browser, "n")  # then a- of the split bead: merge it with -x below
        assert where(browser) == (split, at["split"])
        step(browser, "m")
        step(browser, "n")
        confirmed = where(browser)
        step(browser, "c")
        assert browser.evaluate(EXPECTED_WRONG) < before
        step(browser, "w")
        status = browser.evaluate("document.getElementById('status').textContent")
        assert status.startswith("saved 3 pair(s)")
        screenshot = browser.screenshot()
        check_page_was_clean(browser, server)
    made = {(merged, at["merge"]), (merged, at["merge"] + 1), (shifted, at["shift"]),
            (split, at["split"]), confirmed}
    assert units_by_bead(out / "corpus.tmx") == expected_units(machine, made)
    for key in keys:
        assert units_by_bead(out / "tmx" / f"{key}.tmx") == expected_units(
            {key: machine[key]}, {bead for bead in made if bead[0] == key})
    assert screenshot.startswith(b"\x89PNG\r\n\x1a\n")
    keep = os.environ.get("ALIGNER_REVIEW_SCREENSHOT")
    if keep:
        Path(keep).write_bytes(screenshot)
    check_omegat_imports(out / "corpus.tmx", runs_env / "omegat")


def test_seed_run_review_walks_the_queue_edits_undoes_and_saves(runs_env):
    out = make_run(CORPUS, runs_env / "out")
    key = pair_keys(out)[0]
    machine = {key: beads_of(out, key)}
    with ReviewServer(out) as server, Browser() as browser:
        open_review(browser, server)
        confirmed = set()
        for _ in range(2):
            step(browser, "n")
            confirmed.add(where(browser))
            step(browser, "c")
        step(browser, "j")
        step(browser, "e")  # a typo fix, then taken back
        browser.insert_text(" (typo)")
        browser.press("Enter")
        browser.wait_until("document.body.dataset.busy === '0' && "
                           "document.getElementById('status').textContent === 'text: done'")
        step(browser, "z")
        step(browser, "m")  # a merge, then taken back with Ctrl+Z
        browser.press("z", ctrl=True)
        browser.wait_until("document.body.dataset.busy === '0' && "
                           "document.getElementById('status').textContent === 'undo: done'")
        browser.press("s", ctrl=True)
        browser.wait_until("document.getElementById('status').textContent.startsWith('saved')")
        check_page_was_clean(browser, server)
    assert len(confirmed) == 2
    assert units_by_bead(out / "corpus.tmx") == expected_units(machine, confirmed)
    check_omegat_imports(out / "corpus.tmx", runs_env / "omegat")
