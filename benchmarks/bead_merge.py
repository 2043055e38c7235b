"""Larger beads where the two sides' sentence boundaries cross: measured, not adopted (issue 18).

Most of Text+Berg's confidently wrong beads are pieces of a larger gold bead (a 1-1 where gold
has a 2-2 or 2-3). Two ways to act on that, each on the dev pool of
``benchmarks/align_quality.py`` (same sets, same aligner, with and without MT):

1. change the alignment: after the search, merge two adjacent beads with both sides into one
   when the merged span's similarity (the weighted similarity signals, margin-corrected, as the
   search scores it) beats the stronger piece by a margin: a fixed one, one relative to the
   spread of the document's own bead similarities, or (when it beats the weaker piece) when the
   cross similarity (a sentence of one bead against the other bead's other side, raw cosine)
   comes near the pieces' own. Strict and lax F1 per set and rule, and the rule chosen leaving
   each corpus out (ties: no merging);
2. change the confidence: beside the model's features, the lattice posterior of the larger beads
   that contain a bead (at a temperature of ``COVER_TEMPERATURE`` similarity units), and the
   bead's merge gain (the merged span's similarity with its better neighbour minus its own).
   Reliability per set, the logistic model fitted leaving the set's corpus out; and, with no new
   coefficient, the model's confidence discounted by that mass (times 1 - mass).

    python benchmarks/bead_merge.py --shared ../shared                  # 40 documents per variant
    python benchmarks/bead_merge.py --shared ../shared --all-documents
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from align_quality import (FIT_SYSTEMS, WMT_LIMIT, Doc, dev_sets, fit_logistic,
                           has_translations, missed_bins, prepared_once, reliability_header,
                           reliability_row, set_group)
from aligner.alignment import AlignConfig, align_sentences, core
from aligner.alignment.search import Lattice
from aligner.embed import normalise_rows
from aligner.evaluate import evaluate_alignments
from aligner.records import Bead
from aligner.signals import SIGNALS

# (family, threshold): "margin": merged similarity >= stronger piece's + threshold; "spread":
# ... + threshold x the standard deviation of the document's bead similarities; "cross": the
# best cross cosine minus the pieces' weaker own cosine >= threshold
RULES: tuple[tuple[str, float], ...] = (
    ("off", 0.0), *(("margin", t) for t in (0.04, 0.06, 0.08, 0.1, 0.12, 0.15)),
    *(("spread", z) for z in (0.5, 1.0, 1.5, 2.0)), *(("cross", t) for t in (-0.1, -0.05, 0.0)))
COVER_TEMPERATURE = 0.1  # in similarity units: 0.03 (the model's) leaves every rival near 0
LOG_FLOOR = -20.0


@dataclass
class Run:
    """One document aligned by one system, with the search's lattice and scorer."""

    doc: Doc
    beads: list[Bead]
    lattice: Lattice
    combined: core.CombinedScorer
    units: float


@contextlib.contextmanager
def recorded_search(into: dict[str, object]) -> Iterator[None]:
    """The lattice, scorer and similarity units of the last search, in ``into``."""
    original = core._search

    def search(lattice, combined, units, *rest):  # type: ignore[no-untyped-def]
        into.update(lattice=lattice, combined=combined, units=units)
        return original(lattice, combined, units, *rest)

    core._search = search
    try:
        yield
    finally:
        core._search = original


def aligned(sets: dict[str, list[Doc]]) -> dict[tuple[str, str], list[Run]]:
    runs: dict[tuple[str, str], list[Run]] = {}
    last: dict[str, object] = {}
    with prepared_once(), recorded_search(last):
        for name, docs in sets.items():
            for system in FIT_SYSTEMS:
                if not has_translations(docs, system):
                    continue
                for doc in docs:
                    config = AlignConfig(src_lang=doc.langs[0], tgt_lang=doc.langs[1])
                    translation = {"aligner+mt": doc.mt, "aligner+mt2": doc.mt2}.get(system)
                    beads = align_sentences(doc.src, doc.tgt, config, translation=translation)
                    runs.setdefault((name, system), []).append(
                        Run(doc, beads, last["lattice"], last["combined"], last["units"]))
            print(f"aligned {name}", flush=True)
    return runs


def similarity(scores: dict[str, float], combined: core.CombinedScorer) -> float:
    """A bead's similarity evidence: the similarity signals' scores, weighted as searched."""
    weights = {name: combined.weights[name] for name in combined.scorers
               if SIGNALS[name].similarity}
    return sum(w * scores[name] for name, w in weights.items()) / (sum(weights.values()) or 1)


def merged_scores(run: Run, k: int, max_bead: int) -> dict[str, float] | None:
    """The scores of beads ``k`` and ``k + 1`` joined into one (None: a null or too large)."""
    first, second = run.beads[k], run.beads[k + 1]
    a, b = len(first.src) + len(second.src), len(first.tgt) + len(second.tgt)
    if first.is_null or second.is_null or a + b > max_bead:
        return None
    return run.combined.breakdown(a, b, np.array([second.src[-1] + 1]),
                                  np.array([second.tgt[-1] + 1]))[0]


def cross_gap(run: Run, k: int, vectors: tuple[np.ndarray, np.ndarray]) -> float:
    """Best cosine of a sentence of one bead with the other bead's other side, minus the
    weaker bead's best cosine inside itself."""
    src, tgt = vectors
    first, second = run.beads[k], run.beads[k + 1]

    def best(s: Sequence[int], t: Sequence[int]) -> float:
        return float((src[list(s)] @ tgt[list(t)].T).max())

    return (max(best(first.src, second.tgt), best(second.src, first.tgt))
            - min(best(first.src, first.tgt), best(second.src, second.tgt)))


def merged_path(run: Run, rule: tuple[str, float], max_bead: int) -> list[tuple[tuple[int, ...],
                                                                                 tuple[int, ...]]]:
    """The run's beads with the pairs that ``rule`` picks joined (best candidates first, no
    bead joined twice)."""
    beads = run.beads
    family, threshold = rule
    candidates = []
    if family != "off":
        own = [None if bead.is_null else similarity(bead.scores, run.combined) for bead in beads]
        spread = float(np.std([s for s in own if s is not None]))
        vectors = tuple(normalise_rows(np.asarray(v, dtype=np.float32))
                        for v in core.sentence_vectors(run.combined.scorers))
        for k in range(len(beads) - 1):
            merged = merged_scores(run, k, max_bead)
            if merged is None:
                continue
            together = similarity(merged, run.combined)
            gain = together - max(own[k], own[k + 1])
            if family == "cross":  # the merged span must beat the weaker piece at least
                value = (cross_gap(run, k, vectors) if together > min(own[k], own[k + 1])
                         else -np.inf)
            else:
                value = gain if family == "margin" else gain / max(spread, 1e-9)
            if value >= threshold:
                candidates.append((value, k))
    joined: set[int] = set()
    for _, k in sorted(candidates, reverse=True):
        if not {k, k + 1} & joined:
            joined |= {k, k + 1}
    out, k = [], 0
    while k < len(beads):
        if k in joined:
            out.append((beads[k].src + beads[k + 1].src, beads[k].tgt + beads[k + 1].tgt))
            k += 2
        else:
            out.append((beads[k].src, beads[k].tgt))
            k += 1
    return out


def merge_table(runs: dict[tuple[str, str], list[Run]], max_bead: int) -> None:
    scores = {}
    for key, doc_runs in runs.items():
        for rule in RULES:
            result = evaluate_alignments([run.doc.gold for run in doc_runs],
                                         [merged_path(run, rule, max_bead) for run in doc_runs])
            scores[key, rule] = (result.strict.f1, result.lax.f1)
    print("\nmerging adjacent beads after the search: strict F1 / lax F1 per rule")
    print(f"{'data':38}" + "".join(f"{f'{f} {t:g}':>14}" for f, t in RULES))
    for key in runs:
        print(f"{' '.join(key):38}" + "".join(
            f"{f'{scores[key, r][0]:.4f}/{scores[key, r][1]:.3f}':>14}" for r in RULES))

    def objective(rule: tuple[str, float], group_out: str) -> float:
        per_group: dict[str, list[float]] = {}
        for name, system in runs:
            if set_group(name) != group_out:
                per_group.setdefault(set_group(name), []).append(scores[(name, system), rule][0])
        return float(np.mean([np.mean(values) for values in per_group.values()]))

    print("leave-one-set-out: the rule of the best mean strict F1 on the other corpora "
          "(ties: the first listed, no merging), strict F1 on the corpus left out")
    for group in sorted({set_group(name) for name, _ in runs}):
        rule = max(RULES, key=lambda r: (objective(r, group), -RULES.index(r)))
        print(f"  without {group}: {rule[0]} {rule[1]:g}; " + ", ".join(
            f"{' '.join(key)} {scores[key, rule][0]:.4f}" for key in runs
            if set_group(key[0]) == group))


def covering_mass(run: Run, temperature: float) -> np.ndarray:
    """Per bead, the log posterior mass of the lattice's larger beads that contain it (the
    floor for null beads and beads nothing contains)."""
    n, m = len(run.doc.src), len(run.doc.tgt)
    owners, covering = [], []
    for k, bead in enumerate(run.beads):
        if bead.is_null:
            continue
        for a, b in run.lattice.types:
            if not b or a < len(bead.src) or b < len(bead.tgt) or (a, b) == bead_size(bead):
                continue
            for i in range(bead.src[-1] + 1, min(bead.src[0] + a, n) + 1):
                for j in range(bead.tgt[-1] + 1, min(bead.tgt[0] + b, m) + 1):
                    owners.append(k)
                    covering.append((a, b, i, j))
    out = np.full(len(run.beads), LOG_FLOOR)
    if covering:  # one forward-backward pass for every bead's covering beads
        logs, owner = run.lattice.log_posteriors(covering, temperature), np.array(owners)
        for k in set(owners):
            out[k] = max(float(np.logaddexp.reduce(logs[owner == k])), LOG_FLOOR)
    return out


def bead_size(bead: Bead) -> tuple[int, int]:
    return len(bead.src), len(bead.tgt)


def merge_gain(run: Run, max_bead: int) -> np.ndarray:
    """Per bead, the merged span's similarity with its better neighbour minus its own (-1
    without a neighbour to merge with)."""
    out = np.full(len(run.beads), -1.0)
    for k in range(len(run.beads) - 1):
        merged = merged_scores(run, k, max_bead)
        if merged is None:
            continue
        together = similarity(merged, run.combined)
        for at in (k, k + 1):
            out[at] = max(out[at], together - similarity(run.beads[at].scores, run.combined))
    return out


def confidence_table(runs: dict[tuple[str, str], list[Run]], max_bead: int) -> None:
    x, extra, right, paired, keys = [], [], [], [], []
    for key, doc_runs in runs.items():
        for run in doc_runs:
            gold = set(run.doc.gold)
            x.append(core.confidence_features(run.beads))
            extra.append(np.column_stack([
                covering_mass(run, COVER_TEMPERATURE * run.units), merge_gain(run, max_bead)]))
            right += [(bead.src, bead.tgt) in gold for bead in run.beads]
            paired += [not bead.is_null for bead in run.beads]
            keys += [key] * len(run.beads)
    base, more = np.concatenate(x), np.concatenate(extra)
    y, pair = np.array(right, dtype=float), np.array(paired)
    groups = np.array([set_group(name) for name, _ in keys])
    labels = np.array([" ".join(key) for key in keys])
    covered = np.exp(more[:, 0])
    variants = {  # label: (features of beads with both sides, the share of confidence kept)
        "the model's features": (base, 1.0),
        f"+ covering mass (T={COVER_TEMPERATURE})": (np.column_stack([base, more[:, 0]]), 1.0),
        "+ merge gain": (np.column_stack([base, more[:, 1]]), 1.0),
        "+ both": (np.column_stack([base, more]), 1.0),
        "the model's features, confidence x (1 - covering mass)": (base, 1.0 - covered)}
    nulls = len(core.NULL_COEFFICIENTS)
    for label, (features, kept) in variants.items():
        print(f"\nreliability, leave-one-set-out (posterior at the model's temperature), {label}"
              f"\n{reliability_header()}")
        confidence = np.zeros(len(y))
        for group in sorted(set(groups)):
            train, held_out = groups != group, groups == group
            pair_w, _ = fit_logistic(features[train & pair], y[train & pair])
            null_w, _ = fit_logistic(base[train & ~pair][:, :nulls], y[train & ~pair])
            logit = np.where(pair, features @ pair_w, base[:, :nulls] @ null_w)
            confidence[held_out] = (kept / (1 + np.exp(-logit)))[held_out]
        missed = []
        for key in dict.fromkeys(labels):
            pick = labels == key
            missed += [f"{key} {m}" for m in missed_bins(confidence[pick], y[pick])]
            print(f"{key:38}" + reliability_row(confidence[pick], y[pick]), flush=True)
        print(f"bins missing the target: {len(missed)}" + "".join(f"\n  {m}" for m in missed))


def main() -> None:
    from common import benchmark_parser

    parser = benchmark_parser(__doc__)
    parser.add_argument("--all-documents", action="store_true",
                        help=f"Every WMT document (default: the first {WMT_LIMIT} of each).")
    args = parser.parse_args()
    sets = dev_sets(args.shared, None if args.all_documents else WMT_LIMIT)
    max_bead = AlignConfig().max_bead
    runs = aligned(sets)
    merge_table(runs, max_bead)
    confidence_table(runs, max_bead)


if __name__ == "__main__":
    main()
