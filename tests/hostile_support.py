"""Helpers for the hostile-input tests: the CLI in a bounded subprocess, file snapshots."""

from __future__ import annotations

import hashlib
import os
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Address-space cap of a CLI subprocess: far above what any command needs on small inputs,
#: far below what reading a 2 GB file whole would take.
MEMORY_LIMIT = 1536 * 2**20
# Root ignores file modes; without these two capabilities it obeys them like any user.
UNPRIVILEGED = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def cli(*args: object, cwd: Path | None = None, env: dict[str, str] | None = None,
        unprivileged: bool = False, timeout: float = 120) -> subprocess.CompletedProcess:
    """``python -m aligner ARGS`` in a subprocess with a memory cap; text stdout/stderr."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}

    prefix = UNPRIVILEGED if unprivileged and os.geteuid() == 0 else []
    return subprocess.run([*prefix, sys.executable, "-m", "aligner", *map(str, args)], cwd=cwd,
                          env=environment, capture_output=True, text=True, timeout=timeout,
                          preexec_fn=_limit_memory)


def one_line_error(result: subprocess.CompletedProcess, codes: tuple[int, ...] = (1, 2)) -> str:
    """Assert a one-line ``Error:`` (no traceback) with an allowed exit code; return it."""
    assert result.returncode in codes, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    lines = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert len(lines) == 1, result.stderr[-2000:]
    return lines[0]


def snapshot(folder: Path, exclude: tuple[Path, ...] = ()) -> dict[str, str]:
    """Every file under ``folder`` (outside ``exclude``) with the digest of its bytes."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if any(path == skip or skip in path.parents for skip in exclude):
            continue
        if path.is_file() and not path.is_symlink():
            found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def record_pid_and_sleep(job: tuple[str, float]) -> int:
    """Task for the orphaned-worker test: note this worker's pid, then sleep."""
    import time

    path, seconds = job
    with open(path, "a", encoding="ascii") as handle:
        handle.write(f"{os.getpid()}\n")
    time.sleep(seconds)
    return os.getpid()
