"""Helpers shared by the ``aligner run`` tests."""

from __future__ import annotations

import re
from pathlib import Path

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
