"""The core of ``benchmarks/bead_merge.py`` on a tiny document: it reads the lattice through
its public accessor, so a change of the search's internals cannot break the study unseen."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from align_cases import EN, GOLD, RU

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import bead_merge
from align_quality import Doc

from aligner.alignment import AlignConfig, align_sentences


def test_the_study_runs_on_a_tiny_document() -> None:
    config = AlignConfig(src_lang="ru", tgt_lang="en")
    doc = Doc(list(RU), list(EN), list(GOLD), None, ("ru", "en"))
    last: dict[str, object] = {}
    with bead_merge.recorded_search(last):
        beads = align_sentences(doc.src, doc.tgt, config)
    run = bead_merge.Run(doc, beads, last["lattice"], last["combined"], last["units"])

    temperature = bead_merge.COVER_TEMPERATURE * run.units
    mass = bead_merge.covering_mass(run, temperature)
    assert mass.shape == (len(beads),)
    assert np.all((mass >= bead_merge.LOG_FLOOR) & (mass <= 0.0))
    paired = [k for k, bead in enumerate(beads) if not bead.is_null]
    own = np.exp(run.lattice.log_posteriors(
        [(len(beads[k].src), len(beads[k].tgt), beads[k].src[-1] + 1, beads[k].tgt[-1] + 1)
         for k in paired], temperature))
    # a larger bead holding a bead and the bead itself are never on one path
    assert np.all(np.exp(mass[paired]) + own <= 1.0 + 1e-9)
    assert own.min() > 0.5 and mass[paired].max() > bead_merge.LOG_FLOOR  # both read

    gains = bead_merge.merge_gain(run, config.max_bead)
    assert gains.shape == (len(beads),) and np.all(gains >= -1.0)
    for rule in bead_merge.RULES:
        merged = bead_merge.merged_path(run, rule, config.max_bead)
        assert [s for src, _ in merged for s in src] == list(range(len(doc.src)))
        assert [t for _, tgt in merged for t in tgt] == list(range(len(doc.tgt)))
    assert bead_merge.merged_path(run, ("off", 0.0), config.max_bead) == \
        [(bead.src, bead.tgt) for bead in beads]
