"""What the benchmark scripts share: their command line."""

from __future__ import annotations

import argparse
from pathlib import Path

#: the evaluation data folder beside the repository (``../shared`` from its root)
SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


def benchmark_parser(doc: str) -> argparse.ArgumentParser:
    """A parser described by the first paragraph of a script's ``doc``, with ``--shared``."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=SHARED,
                        help="the shared data folder (default: ../shared beside the "
                             "repository)")
    return parser
