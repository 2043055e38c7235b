"""The run report: ``report.json`` (figures for machines) and ``report.html`` (one page).

It is built from the records of a run (:class:`~aligner.records.PairResult` per aligned
pair); :mod:`aligner.report.similarity` computes the one figure of its own, the similarity
grid a pair's alignment path is drawn over.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from aligner.io import atomic_write, write_json
from aligner.report.data import MAX_DETAILED_PAIRS, RunFigures, build_report
from aligner.report.html import render_html

__all__ = ["MAX_DETAILED_PAIRS", "RunFigures", "build_report", "render_html", "write_report"]


def write_report(out_dir: str | os.PathLike[str], run: RunFigures) -> dict[str, Any]:
    """Write ``report.json`` and ``report.html`` into ``out_dir`` atomically; return the figures."""
    report = build_report(run)
    out = Path(out_dir)
    write_json(out / "report.json", report)
    with atomic_write(out / "report.html") as handle:
        handle.write(render_html(report))
    return report
