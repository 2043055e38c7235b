"""Precision and recall per pairing label (parallel, same-event, related) on WMT22 ru-en news.

The collection: the 80 news documents of ``wmt22-ruen/split``, each document's Russian and
English side as a separate document. Gold, for a Russian side X and an English side Y:
``parallel`` when they come from one WMT document, else the label that
``benchmarks/data/relations.tsv`` gives the two documents (labelled by reading them; see
``benchmarks/data/README.md``), else none. Two variants: every side present, and a fifth
of the English and another fifth of the Russian sides removed (so a report of the same
event has to be told apart from a translation that is missing). The baseline, measured in
the same run, is the pooled-vector cosine alone: ``related`` from the rule's topic bar,
nothing ever ``same-event``.

    python benchmarks/relation_quality.py          # both variants, the default rule
    python benchmarks/relation_quality.py --fit    # also grid-search the rule's thresholds
"""

from __future__ import annotations

import itertools
import random
import sys
from collections.abc import Iterable, Mapping
from dataclasses import asdict, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import benchmark_parser  # noqa: E402
from pair_data import SEED, read_wmt22  # noqa: E402
from pair_quality import print_table  # noqa: E402

from aligner.ingest import document_from_lines  # noqa: E402
from aligner.pair import PairConfig, pair_documents  # noqa: E402
from aligner.pair.relation import RelationRule  # noqa: E402
from aligner.records import PAIR_LABELS, Document, PairEvidence  # noqa: E402

LABELS_FILE = Path(__file__).resolve().parent / "data" / "relations.tsv"
# Grid of --fit; the candidates are gathered once with the loosest topic bar.
GRID = {"related_embedding": (0.35, 0.4, 0.45, 0.5, 0.55),
        "event_sentences": (0.15, 0.2, 0.25, 0.3, 0.4),
        "event_participants": (0.2, 0.3, 0.4, 1.0),
        "event_sentences_named": (0.05, 0.1, 0.15)}
Pair = tuple[str, str]


def read_labels(path: Path = LABELS_FILE) -> dict[frozenset[str], str]:
    """Document pair (unordered WMT names) -> ``same-event``/``related``/``none``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    labels = {}
    for line in lines[1:]:
        row = dict(zip(header, line.split("\t")))
        labels[frozenset((row["doc_a"], row["doc_b"]))] = row["label"]
    return labels


def news_documents(shared: Path) -> list[str]:
    """Names of the WMT22 ru-en documents of the news domain."""
    index = (shared / "data" / "wmt22-ruen" / "index.tsv").read_text("utf-8").splitlines()
    return [row.split("\t")[0] for row in index[1:] if row.split("\t")[2] == "news"]


def collection(shared: Path, drop: bool) -> list[Document]:
    """Both sides of every news document; with ``drop``, a fifth of each side removed."""
    names = set(news_documents(shared))
    sources = [source for source in read_wmt22(shared, "split") if source.name in names]
    rng = random.Random(SEED)
    order = list(range(len(sources)))
    rng.shuffle(order)
    fifth = len(sources) // 5 if drop else 0
    no_en, no_ru = set(order[:fifth]), set(order[fifth:2 * fifth])
    documents = []
    for index, source in enumerate(sources):
        if index not in no_ru:
            documents.append(document_from_lines(f"{source.name}-ru", "", source.ru, "ru"))
        if index not in no_en:
            documents.append(document_from_lines(f"{source.name}-en", "", source.en, "en"))
    return documents


def gold_labels(documents: Iterable[Document],
                labels: Mapping[frozenset[str], str]) -> dict[Pair, str]:
    """The gold label of every Russian-English pair of ``documents`` that has one."""
    ids = [document.id for document in documents]
    russian = [doc_id for doc_id in ids if doc_id.endswith("-ru")]
    english = [doc_id for doc_id in ids if doc_id.endswith("-en")]
    gold = {}
    for ru, en in itertools.product(russian, english):
        a, b = ru[:-3], en[:-3]
        label = "parallel" if a == b else labels.get(frozenset((a, b)), "none")
        if label != "none":
            gold[(ru, en)] = label
    return gold


def scores(predicted: Mapping[Pair, str], gold: Mapping[Pair, str]) -> dict[str, float]:
    """Precision and recall per label, ``P parallel``, ``R parallel``, ..."""
    row: dict[str, float] = {}
    for label in PAIR_LABELS:
        said = {pair for pair, value in predicted.items() if value == label}
        true = {pair for pair, value in gold.items() if value == label}
        row[f"P {label}"] = len(said & true) / len(said) if said else 0.0
        row[f"R {label}"] = len(said & true) / len(true) if true else 0.0
        row[f"n {label}"] = len(true)
    return row


def redecide(found: Mapping[Pair, tuple[str, PairEvidence]],
             rule: RelationRule) -> dict[Pair, str]:
    """The labels ``rule`` gives the pairs found with a looser rule (parallel ones kept)."""
    labels = {}
    for pair, (label, evidence) in found.items():
        decided = label if label == "parallel" else rule.decide(evidence).label
        if decided is not None:
            labels[pair] = decided
    return labels


def run(documents: list[Document], rule: RelationRule
        ) -> dict[Pair, tuple[str, PairEvidence]]:
    """Pair ``documents`` under ``rule``; every listed pair with its label and evidence."""
    result = pair_documents(documents, "ru", "en", PairConfig(relations=rule))
    return {(pair.src_id, pair.tgt_id): (pair.label, pair.evidence) for pair in result.pairs}


def baseline(found: Mapping[Pair, tuple[str, PairEvidence]],
             rule: RelationRule) -> dict[Pair, str]:
    """Cosine only: parallel as found, ``related`` for every other pair over the topic bar."""
    return {pair: label if label == "parallel" else "related"
            for pair, (label, evidence) in found.items()
            if label == "parallel" or evidence.embedding >= rule.related_embedding}


def fit(found_by_variant: Mapping[str, Mapping[Pair, tuple[str, PairEvidence]]],
        gold_by_variant: Mapping[str, Mapping[Pair, str]]) -> tuple[RelationRule, float]:
    """The grid rule with the best mean F1 of same-event and related over both variants."""
    best: tuple[float, RelationRule] | None = None
    for values in itertools.product(*GRID.values()):
        rule = RelationRule(**dict(zip(GRID, values)))
        total = 0.0
        for variant, found in found_by_variant.items():
            row = scores(redecide(found, rule), gold_by_variant[variant])
            total += sum(_f1(row[f"P {label}"], row[f"R {label}"])
                         for label in ("same-event", "related")) / 2
        if best is None or total > best[0]:
            best = (total, rule)
    assert best is not None
    return best[1], best[0] / len(found_by_variant)


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def main() -> int:
    parser = benchmark_parser(__doc__)
    parser.add_argument("--fit", action="store_true",
                        help="grid-search the relation rule's thresholds on the labelled set")
    args = parser.parse_args()
    labels = read_labels()
    rule = RelationRule()
    loose = replace(rule, related_embedding=min(GRID["related_embedding"]))
    rows, found_by_variant, gold_by_variant = [], {}, {}
    for variant, drop in (("all sides", False), ("fifth of each side dropped", True)):
        documents = collection(args.shared, drop)
        gold = gold_labels(documents, labels)
        found = run(documents, loose)
        found_by_variant[variant], gold_by_variant[variant] = found, gold
        for name, predicted in (("cosine only", baseline(found, rule)),
                                ("relation rule", redecide(found, rule))):
            rows.append({"variant": variant, "method": name, **scores(predicted, gold)})
            for pair in sorted(set(predicted) | set(gold)):
                said, true = predicted.get(pair, "none"), gold.get(pair, "none")
                if name == "relation rule" and said != true and "same-event" in (said, true):
                    print(f"  {variant}: {pair[0]} {pair[1]} said {said}, gold {true}",
                          file=sys.stderr)
    if args.fit:
        fitted, mean_f1 = fit(found_by_variant, gold_by_variant)
        rows.extend({"variant": variant, "method": "fitted rule",
                     **scores(redecide(found, fitted), gold_by_variant[variant])}
                    for variant, found in found_by_variant.items())
    print_table(rows)
    print(f"relation rule: {asdict(rule)}")
    if args.fit:
        print(f"fitted rule (mean F1 of same-event and related {mean_f1:.3f}): "
              f"{asdict(fitted)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
