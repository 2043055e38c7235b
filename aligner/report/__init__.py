"""The run report: ``report.json`` (figures for machines) and ``report.html`` (one page).

>>> from aligner.report import MtStatus
>>> MtStatus("off", message="MT scoring was switched off (--no-mt).").state
'off'
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from aligner.io import atomic_write, write_json
from aligner.report.data import (MAX_DETAILED_PAIRS, MtStatus, PairFigures, RunFigures,
                                 SimilarityGrid, build_report)
from aligner.report.html import render_html

__all__ = ["MAX_DETAILED_PAIRS", "MtStatus", "PairFigures", "RunFigures", "SimilarityGrid",
           "build_report", "render_html", "write_report"]


def write_report(out_dir: str | os.PathLike[str], run: RunFigures) -> dict[str, Any]:
    """Write ``report.json`` and ``report.html`` into ``out_dir`` atomically; return the figures."""
    report = build_report(run)
    out = Path(out_dir)
    write_json(out / "report.json", report)
    with atomic_write(out / "report.html") as handle:
        handle.write(render_html(report))
    return report
