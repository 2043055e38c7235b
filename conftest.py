"""Fixtures for every test and doctest of the repository (tests/conftest.py adds the rest)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory,
                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test and doctest gets its own cache root, so none depends on another's caches
    (and doctests that embed sentences never write to the user's cache)."""
    monkeypatch.setenv("ALIGNER_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
