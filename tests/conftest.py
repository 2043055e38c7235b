"""Shared fixtures: paths to the seed corpus and to ../shared evaluation data."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SHARED = Path(os.environ.get("ALIGNER_SHARED", ROOT.parent / "shared"))

# the suite never reads or cleans the user's own cache: one private cache for the session,
# inherited by the command-line tests' processes
TEST_CACHE = tempfile.mkdtemp(prefix="aligner-test-cache-")
os.environ["ALIGNER_CACHE_DIR"] = TEST_CACHE
atexit.register(shutil.rmtree, TEST_CACHE, ignore_errors=True)


@pytest.fixture
def corpus_dir() -> Path:
    return CORPUS


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"evaluation data not found at {SHARED} (set ALIGNER_SHARED)")
    return SHARED
