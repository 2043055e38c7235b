"""Runs to review: the seed corpus, and WMT documents whose alignment files get wrong beads.

A corrupted run is a finished ``aligner run`` whose ``alignments/<key>.jsonl`` then has one
known mistake (the header's fingerprint kept, so the run counts as done): the review tests
repair it and check that what reaches the TMX is the alignment before the mistake.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from run_support import run_cli

from aligner.beadfile import alignment_lines, read_alignment_records
from aligner.io import write_jsonl
from aligner.outfolder import result_from_records
from aligner.records import Bead

ROOT = Path(__file__).resolve().parent.parent
WMT_DOCS = ("doc003", "doc020", "doc040")


def make_run(inputs: Path, out: Path, *extra: str) -> Path:
    result = run_cli(inputs, "-o", out, "--no-mt", "--quiet", *extra)
    assert result.exit_code == 0, result.output
    return out


def wmt_inputs(shared: Path, folder: Path) -> Path:
    """A few WMT22 ru-en documents, one sentence per line (``--presplit``)."""
    source = shared / "data" / "wmt22-ruen" / "split"
    folder.mkdir(parents=True)
    for doc in WMT_DOCS:
        for lang in ("ru", "en"):
            shutil.copy(source / f"{doc}.{lang}", folder / f"{doc}.{lang}.txt")
    return folder


def pair_keys(out: Path) -> list[str]:
    return sorted(path.stem for path in (out / "alignments").glob("*.jsonl"))


def beads_of(out: Path, key: str) -> list[Bead]:
    return list(read_result(out, key).alignment.beads)


def read_result(out: Path, key: str):
    return result_from_records(read_alignment_records(out / "alignments" / f"{key}.jsonl"))


def first_one_to_one_run(beads: list[Bead], length: int) -> int:
    """The first index (after the first bead) where ``length`` 1-1 beads follow each other."""
    for k in range(1, len(beads) - length + 1):
        if all(bead.type == "1-1" for bead in beads[k:k + length]):
            return k
    raise AssertionError(f"no {length} 1-1 beads in a row")


def corrupt(out: Path, key: str, kind: str) -> int:
    """Put one known mistake into pair ``key``'s alignment file; return its first bead.

    ``merge``: two 1-1 beads become one 2-2 bead (confidence 0.05);
    ``shift``: three 1-1 beads ``a-x b-y c-z`` become ``a-, b-x (0.08), c-y, -z``;
    ``split``: a 1-1 bead becomes ``a-`` and ``-x`` (confidence 0.1 each).
    """
    result = read_result(out, key)
    beads = list(result.alignment.beads)
    if kind == "merge":
        k = first_one_to_one_run(beads, 2)
        a, b = beads[k], beads[k + 1]
        new = [Bead(a.src + b.src, a.tgt + b.tgt, 0.05)]
        span = 2
    elif kind == "shift":
        k = first_one_to_one_run(beads, 3)
        a, b, c = beads[k:k + 3]
        new = [Bead(a.src, (), 0.4), Bead(b.src, a.tgt, 0.08), Bead(c.src, b.tgt, 0.3),
               Bead((), c.tgt, 0.3)]
        span = 3
    else:
        k = first_one_to_one_run(beads, 1)
        new = [Bead(beads[k].src, (), 0.1), Bead((), beads[k].tgt, 0.1)]
        span = 1
    beads[k:k + span] = new
    alignment = replace(result.alignment, beads=tuple(beads))
    header = read_alignment_records(out / "alignments" / f"{key}.jsonl")[0]
    keep = {name: header[name] for name in ("fingerprint", "pair", "score_signature",
                                            "document_scores", "similarity")}
    extras = [{"doubtful": bead.confidence < 0.5, "mt_score": None} for bead in beads]
    write_jsonl(out / "alignments" / f"{key}.jsonl", alignment_lines(alignment, keep, extras))
    return k


class ReviewServer:
    """``aligner review OUT --no-browser`` in a child process; ``address`` has the token."""

    def __init__(self, source: Path) -> None:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "aligner", "review", str(source), "--no-browser", "--quiet"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        line = self.process.stdout.readline().strip()
        if not line.startswith("http://127.0.0.1:"):
            self.stop()
            raise AssertionError(f"aligner review printed {line!r}: {self.process.stderr.read()}")
        self.address = line
        self.origin = line.split("/?")[0]

    def stop(self) -> str:
        self.process.terminate()
        try:
            _, errors = self.process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, errors = self.process.communicate()
        return errors

    def __enter__(self) -> ReviewServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
