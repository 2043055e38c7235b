"""A pair's alignment is its own: the same bytes alone, inside a larger collection and with
``--jobs 2``, each run from an empty cache (so every vector is computed beside other texts,
by another process, and pairing's matrix products have other shapes).

Only the pair's pairing evidence may differ: its margin over the next candidate (and the
pair confidence and file fingerprint that follow from it) is a fact about the collection.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from align_cases import EN, RU
from run_support import CORPUS, SRC, TGT, TIMESTAMP, run_cli

from aligner.paths import pair_file_stem

COLLECTION_EVIDENCE = {"fingerprint", "confidence", "margin", "p_parallel", "basis"}


@pytest.mark.slow
def test_a_pairs_beads_and_tmx_do_not_depend_on_the_collection_or_the_processes(
        tmp_path, monkeypatch):
    alone = tmp_path / "alone"
    alone.mkdir()
    for name in (SRC, TGT):
        shutil.copy(CORPUS / f"{name}.txt", alone)
    larger = tmp_path / "larger"
    shutil.copytree(CORPUS, larger)  # three more Russian documents, one a same-event report
    (larger / "case.ru.txt").write_text("\n\n".join(RU), encoding="utf-8")
    (larger / "case.en.txt").write_text("\n\n".join(EN), encoding="utf-8")
    runs = {"alone": (alone,), "larger": (larger,), "jobs": (larger, "--jobs", "2")}
    for name, (folder, *options) in runs.items():
        monkeypatch.setenv("ALIGNER_CACHE_DIR", str(tmp_path / f"cache-{name}"))
        result = run_cli(folder, "-o", tmp_path / f"out-{name}", "--no-mt", "--json", *options)
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["parallel_pairs"] == (1 if name == "alone" else 2)
    stem = pair_file_stem(SRC, TGT)
    first = _alignment(tmp_path / "out-alone" / "alignments" / f"{stem}.jsonl")
    tmx = _tmx(tmp_path / "out-alone" / "tmx" / f"{stem}.tmx")
    for name in ("larger", "jobs"):
        header, beads = _alignment(tmp_path / f"out-{name}" / "alignments" / f"{stem}.jsonl")
        assert beads == first[1]  # bead lines, byte for byte
        assert set(_changed(header, first[0])) <= COLLECTION_EVIDENCE
        assert _tmx(tmp_path / f"out-{name}" / "tmx" / f"{stem}.tmx") == tmx


def _tmx(path: Path) -> bytes:
    """A TMX file's bytes, its dates blanked."""
    return TIMESTAMP.sub(rb'\1=""', path.read_bytes())


def _alignment(path: Path) -> tuple[dict, list[bytes]]:
    """An alignment file's header record and its other lines as bytes."""
    header, *rest = path.read_bytes().splitlines()
    return json.loads(header), rest


def _changed(new: dict, old: dict) -> list[str]:
    """The keys (at any depth) whose values differ."""
    out = []
    for key in new.keys() | old.keys():
        if isinstance(new.get(key), dict) and isinstance(old.get(key), dict):
            out += _changed(new[key], old[key])
        elif new.get(key) != old.get(key):
            out.append(key)
    return out
