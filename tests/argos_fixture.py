"""Test helpers for MT: a tiny real Argos package, a private package folder, a network guard.

Imported by the MT and scoring tests (not a conftest plugin). The package is built once per
test session: SentencePiece trained on a few sentences, a 1+1-layer CTranslate2 Transformer
with random weights (d=64), ``metadata.json``, zipped in the ``.argosmodel`` layout.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from synthetic_mt import build_argos_package

#: Random weights rarely emit end-of-sentence: keep outputs short so tests stay fast.
TEST_MAX_LENGTH = 12

_BLOCKED_EVENTS = ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname")
_network_blocked = False
_hook_installed = False
_attempts: list[str] = []


@functools.cache
def tiny_package_archive() -> Path:
    """The ``.argosmodel`` of a tiny ru->en package, built once per session."""
    folder = Path(tempfile.mkdtemp(prefix="aligner-argos-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return build_argos_package(folder)


def use_package_dir(monkeypatch: pytest.MonkeyPatch, path: Path) -> Path:
    """Point argostranslate at a private package folder for one test.

    argostranslate reads ``ARGOS_PACKAGES_DIR`` when ``argostranslate.settings`` is first
    imported, so the already-imported settings are patched as well as the environment.
    """
    from argostranslate import settings

    path.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(path))
    monkeypatch.setattr(settings, "package_data_dir", path)
    monkeypatch.setattr(settings, "package_dirs", [path])
    monkeypatch.setattr(settings, "local_package_index", path.parent / "argos-index.json")
    return path


def _audit(event: str, args: Any) -> None:
    if _network_blocked and event in _BLOCKED_EVENTS:
        _attempts.append(f"{event} {args!r}")
        raise RuntimeError(f"network access in an offline test: {event} {args!r}")


@contextmanager
def no_network() -> Iterator[None]:
    """Fail any socket connection or name lookup made inside the block (a ``sys`` audit hook).

    Attempts are also recorded and reported when the block ends, so code that swallows the
    exception still fails the test.
    """
    global _network_blocked, _hook_installed
    if not _hook_installed:
        sys.addaudithook(_audit)  # hooks cannot be removed: this one is gated by the flag
        _hook_installed = True
    _attempts.clear()
    _network_blocked = True
    try:
        yield
    finally:
        _network_blocked = False
    if _attempts:
        raise AssertionError(f"network accessed: {_attempts}")
