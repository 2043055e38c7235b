"""Sentence splitting of raw text: reference boundaries found in joined WMT22 segments.

Each WMT22 document (``--shared``/data/<set>/seg/docNNN.<lang>, one segment per line) is joined
into one paragraph, as raw text reads: with no space in Chinese and Japanese, one space
elsewhere. A boundary after a segment that ends with a stop should be found again
(``found``: their share that the splitter cuts); ``precision`` is the share of the splitter's
cuts that fall on a segment boundary. Rows: aligner's splitter for the language against, in
the same run, the baseline: NLTK's English Punkt, what raw text of every language without a
model of its own got before (one sentence per paragraph in Chinese and Japanese), and plain
Punkt without the news rules where NLTK has a model.

    python benchmarks/split_quality.py
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from aligner.segment import Span, punkt_tokenizer, splitter_for
from aligner.segment.score import BoundaryScore, boundary_score

SETS = (("wmt22-enzh", "zh"), ("wmt22-jaen", "ja"), ("wmt22-enzh", "en"), ("wmt22-jaen", "en"),
        ("wmt22-ruen", "ru"), ("wmt22-ruen", "en"), ("wmt22-defr", "de"), ("wmt22-defr", "fr"))
UNSPACED = ("zh", "ja")


def read_documents(folder: Path, lang: str) -> list[list[str]]:
    """The segments of every ``docNNN.<lang>`` in ``folder``, blank lines dropped."""
    return [[line.strip() for line in path.read_text("utf-8").splitlines() if line.strip()]
            for path in sorted(folder.glob(f"doc[0-9][0-9][0-9].{lang}"))]


def baseline(lang: str) -> tuple[str, Callable[[str], list[Span]]]:
    """NLTK's Punkt without the news rules: the language's own model, or English."""
    model = "en" if lang in UNSPACED else lang
    return (f"punkt:{model}, no news rules",
            lambda text: list(punkt_tokenizer(model).span_tokenize(text)))


def row(name: str, score: BoundaryScore) -> str:
    return (f"  {name:34s} {score.expected:8d} {score.recall:7.3f} {score.cuts:6d} "
            f"{score.extra:6d} {score.precision:9.3f}")


def main() -> None:
    from common import benchmark_parser

    parser = benchmark_parser(__doc__)
    args = parser.parse_args()
    print(f"  {'splitter':34s} {'expected':>8s} {'found':>7s} {'cuts':>6s} {'extra':>6s} "
          f"{'precision':>9s}")
    for dataset, lang in SETS:
        folder = args.shared / "data" / dataset / "seg"
        if not folder.is_dir():
            print(f"{dataset}: not found under {args.shared}; skipped")
            continue
        documents = read_documents(folder, lang)
        joiner = "" if lang in UNSPACED else " "
        print(f"{dataset} {lang} ({len(documents)} documents)")
        ours = splitter_for(lang)
        print(row(ours.signature, boundary_score(documents, ours.split, joiner)))
        name, plain = baseline(lang)
        print(row(name, boundary_score(documents, plain, joiner)))


if __name__ == "__main__":
    main()
