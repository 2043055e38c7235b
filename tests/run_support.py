"""Helpers shared by the ``aligner run`` tests."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from aligner.cli import main

TIMESTAMP = re.compile(rb'(creationdate|changedate)="\d{8}T\d{6}Z"')


def run_cli(*args: object) -> Result:
    """``aligner run ARGS`` through click's runner (stderr kept apart from stdout)."""
    return CliRunner().invoke(main, ["run", *map(str, args)], catch_exceptions=False)


def output_bytes(out: Path) -> dict[str, bytes]:
    """Every output file (state file aside), TMX dates blanked: equal runs give equal dicts."""
    return {str(path.relative_to(out)): TIMESTAMP.sub(rb'\1=""', path.read_bytes())
            for path in sorted(out.rglob("*")) if path.is_file() and path.name[0] != "."}


def environment_variable(name: str) -> str | None:
    """``os.environ.get`` as a module-level function, so a worker process can run it."""
    import os

    return os.environ.get(name)


CORPUS = Path(__file__).resolve().parent.parent / "corpus"
#: the seed translation pair (Russian 000, English 002)
SRC, TGT = "000_63edd8b27567c1c6", "002_1775d5543770e237"


def seed_pair_with_tiny_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A corpus folder holding the seed translation pair, with the tiny ru->en Argos package
    installed in a private package folder; returns the corpus folder."""
    from argos_fixture import tiny_package_archive, use_package_dir

    from aligner.mt import install_model

    use_package_dir(monkeypatch, tmp_path / "argos")
    install_model(tiny_package_archive())
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in (SRC, TGT):
        shutil.copy(CORPUS / f"{name}.txt", corpus)
    return corpus
