"""Precision and recall of parallel document pairs on WMT22 ru-en (target: 0.99 each).

The collection: every WMT22 document's Russian and English side as a separate document,
names shuffled with a fixed seed, the English side of a fifth of the documents and the
Russian side of another fifth removed (see ``pair_data.py``). The baseline, measured in the
same run, is mutual nearest neighbours of the pooled document vectors with no verification.
The last row adds the ``mt_chrf`` evidence from a WMT22 system's translations of the Russian
side (as ``pair_documents(..., translations=...)``).

    python benchmarks/pair_quality.py            # split, split_perturbed, seg_perturbed (+ MT)
    python benchmarks/pair_quality.py --quick    # split only, first 80 documents
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import benchmark_parser  # noqa: E402
from pair_data import Collection, quality_collection, wmt22_translations  # noqa: E402

from aligner.embed import get_encoder  # noqa: E402
from aligner.pair import PairConfig, pair_documents  # noqa: E402
from aligner.pair.core import embed_documents  # noqa: E402
from aligner.pair.search import nearest_neighbours  # noqa: E402

TARGET = 0.99
# Real MT carried along in seg_perturbed, line by line with the Russian side.
MT_SYSTEM = "Online-B"


def precision_recall(predicted: Iterable[tuple[str, str]],
                     gold: set[tuple[str, str]]) -> tuple[float, float, int]:
    """Precision, recall and the number of correct pairs."""
    predicted = set(predicted)
    correct = len(predicted & gold)
    precision = correct / len(predicted) if predicted else 0.0
    recall = correct / len(gold) if gold else 0.0
    return precision, recall, correct


def mutual_nearest(collection: Collection) -> set[tuple[str, str]]:
    """Baseline: pairs whose pooled vectors are each other's nearest neighbour."""
    ru = sorted((doc for doc in collection.documents if doc.lang == "ru"), key=lambda d: d.id)
    en = sorted((doc for doc in collection.documents if doc.lang == "en"), key=lambda d: d.id)
    encoder = get_encoder()
    identity = lambda items, _desc, _total: items  # noqa: E731
    ru_matrix = embed_documents(encoder, ru, 256, identity)
    en_matrix = embed_documents(encoder, en, 256, identity)
    forward = nearest_neighbours(ru_matrix, en_matrix, 1).indices[:, 0]
    backward = nearest_neighbours(en_matrix, ru_matrix, 1).indices[:, 0]
    return {(ru[i].id, en[j].id) for i, j in enumerate(forward) if backward[j] == i}


def evaluate(variant: str, shared: Path, limit: int | None,
             system: str | None = None) -> dict[str, object]:
    """Pair one collection (with a WMT22 system's MT as evidence if ``system``); one row."""
    collection = quality_collection(shared, variant, limit)
    translations = None if system is None else wmt22_translations(shared, collection, variant,
                                                                  system)
    started = time.perf_counter()
    result = pair_documents(collection.documents, "ru", "en", PairConfig(),
                            translations=translations)
    seconds = time.perf_counter() - started
    found = [(pair.src_id, pair.tgt_id) for pair in result.parallel]
    precision, recall, correct = precision_recall(found, collection.gold)
    base_p, base_r, _ = precision_recall(mutual_nearest(collection), collection.gold)
    for src_id, tgt_id in sorted(set(found) - collection.gold):
        print(f"  false pair: {src_id} {tgt_id}", file=sys.stderr)
    for src_id, tgt_id in sorted(collection.gold - set(found)):
        print(f"  missed pair: {src_id} {tgt_id}", file=sys.stderr)
    return {"variant": variant + (f" + MT {system}" if system else ""),
            "documents": len(collection.documents),
            "gold": len(collection.gold), "found": len(found), "correct": correct,
            "P": precision, "R": recall, "base P": base_p, "base R": base_r,
            "verified": result.candidates_verified, "seconds": seconds}


def print_table(rows: list[dict[str, object]]) -> None:
    """Print the rows as an aligned text table."""
    columns = list(rows[0])
    cells = [[f"{row[c]:.4f}" if isinstance(row[c], float) and c != "seconds"
              else f"{row[c]:.1f}" if isinstance(row[c], float) else str(row[c])
              for c in columns] for row in rows]
    widths = [max(len(c), *(len(line[i]) for line in cells)) for i, c in enumerate(columns)]
    print("  ".join(c.rjust(w) for c, w in zip(columns, widths)))
    for line in cells:
        print("  ".join(v.rjust(w) for v, w in zip(line, widths)))


def main() -> int:
    parser = benchmark_parser(__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="the split variant only, first 80 documents")
    args = parser.parse_args()
    runs = [("split", None)] if args.quick else [
        ("split", None), ("split_perturbed", None), ("seg_perturbed", None),
        ("seg_perturbed", MT_SYSTEM)]
    limit = 80 if args.quick else None
    rows = [evaluate(variant, args.shared, limit, system) for variant, system in runs]
    print_table(rows)
    below = [row["variant"] for row in rows if min(row["P"], row["R"]) < TARGET]
    print(f"target P, R >= {TARGET}: " + ("met" if not below else f"NOT met on {', '.join(below)}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
