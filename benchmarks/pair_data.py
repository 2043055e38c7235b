"""Collections for the pairing benchmarks, built from ``shared/data/wmt22-ruen``.

* :func:`quality_collection`: the WMT22 documents, Russian and English sides as separate
  documents under shuffled names, the English side of a fifth of them and the Russian side of
  another fifth removed, so some documents have no partner.
* :func:`synthetic_collection`: any number of parallel documents recombined from the WMT22
  segment pairs (line ``i`` of ``docNNN.ru`` translates line ``i`` of ``docNNN.en``), plus
  documents whose partner was dropped.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from aligner.ingest import document_from_lines
from aligner.records import Document

SEED = 20220425


@dataclass(frozen=True)
class SourceDocument:
    """One WMT22 document: its name and its Russian and English lines."""

    name: str
    ru: list[str]
    en: list[str]


@dataclass(frozen=True)
class Collection:
    """Documents to pair and the gold parallel pairs ``(ru id, en id)``."""

    documents: list[Document]
    gold: set[tuple[str, str]]
    sources: dict[str, str]  # document id -> name of the WMT22 document it came from


def read_lines(path: Path) -> list[str]:
    """The non-empty lines of a UTF-8 file."""
    with open(path, encoding="utf-8") as handle:
        return [line.strip() for line in handle if line.strip()]


def read_wmt22(shared: Path, variant: str = "split") -> list[SourceDocument]:
    """Every document of ``wmt22-ruen/<variant>``, in name order."""
    folder = shared / "data" / "wmt22-ruen" / variant
    if not folder.is_dir():
        raise SystemExit(f"{folder}: not found; pass --shared PATH to the shared data folder")
    names = sorted(path.stem for path in folder.glob("doc*.ru"))
    return [SourceDocument(name, read_lines(folder / f"{name}.ru"),
                           read_lines(folder / f"{name}.en")) for name in names]


def _split_roles(count: int, rng: random.Random) -> tuple[set[int], set[int]]:
    """Indices losing their English side (a fifth) and their Russian side (another fifth)."""
    order = list(range(count))
    rng.shuffle(order)
    fifth = count // 5
    return set(order[:fifth]), set(order[fifth:2 * fifth])


def _assemble(sources: list[SourceDocument], rng: random.Random) -> Collection:
    no_english, no_russian = _split_roles(len(sources), rng)
    ru_names, en_names = list(range(len(sources))), list(range(len(sources)))
    rng.shuffle(ru_names)
    rng.shuffle(en_names)
    documents, gold, names = [], set(), {}
    for index, source in enumerate(sources):
        ru_id, en_id = f"ru{ru_names[index]:05d}", f"en{en_names[index]:05d}"
        names.update({ru_id: source.name, en_id: source.name})
        if index not in no_russian:
            documents.append(document_from_lines(ru_id, f"{ru_id}.txt", source.ru, "ru"))
        if index not in no_english:
            documents.append(document_from_lines(en_id, f"{en_id}.txt", source.en, "en"))
        if index not in no_russian and index not in no_english:
            gold.add((ru_id, en_id))
    rng.shuffle(documents)
    return Collection(documents, gold, names)


def quality_collection(shared: Path, variant: str = "split", limit: int | None = None,
                       seed: int = SEED) -> Collection:
    """The WMT22 documents as separate files, shuffled names, a fifth of each side removed."""
    sources = read_wmt22(shared, variant)[:limit]
    return _assemble(sources, random.Random(seed))


def wmt22_translations(shared: Path, collection: Collection, variant: str,
                       system: str) -> dict[str, list[str]]:
    """Machine translations of the Russian documents by one WMT22 ``system``, by document id."""
    folder = shared / "data" / "wmt22-ruen" / variant
    return {doc.id: read_lines(folder / f"{collection.sources[doc.id]}.mt.{system}.en")
            for doc in collection.documents if doc.lang == "ru"}


def synthetic_collection(shared: Path, documents: int, seed: int = SEED) -> Collection:
    """``documents`` distinct parallel documents per language recombined from WMT22 segments.

    Each document takes 3 to 15 segment pairs from a shuffled pool of the 2,016 WMT22 ru-en
    segment pairs (refilled when it runs out). So that documents do not repeat each other
    once the pool is used up, and embedding work grows with the collection as in a real
    archive, each sentence pair is varied: every number in a document is shifted by an
    amount of its own (the same on both sides), and a pair without numbers is joined with
    the next pair drawn (the two segments joined on both sides; some four million such joins
    exist). :func:`distinct_share` says how many sentences still repeat.
    A fifth of each side then loses its partner.
    """
    rng = random.Random(seed)
    segments = [pair for source in read_wmt22(shared, "seg")
                for pair in zip(source.ru, source.en, strict=True)]
    pool: list[tuple[str, str]] = []

    def draw() -> tuple[str, str]:
        nonlocal pool
        if not pool:
            pool = segments[:]
            rng.shuffle(pool)
        return pool.pop()

    sources = []
    for index in range(documents):
        shift = rng.randint(1, 997)
        pairs = []
        for _ in range(rng.randint(3, 15)):
            ru, en = draw()
            if not _NUMBER.search(ru + en):
                next_ru, next_en = draw()
                ru, en = f"{ru} {next_ru}", f"{en} {next_en}"
            pairs.append((_shift_numbers(ru, shift), _shift_numbers(en, shift)))
        sources.append(SourceDocument(f"syn{index:05d}", [ru for ru, _ in pairs],
                                      [en for _, en in pairs]))
    return _assemble(sources, rng)


_NUMBER = re.compile(r"\d+")


def _shift_numbers(text: str, shift: int) -> str:
    """``text`` with every run of digits read as a number and ``shift`` added.

    >>> _shift_numbers("В 2022 году 15 человек", 3)
    'В 2025 году 18 человек'
    """
    return _NUMBER.sub(lambda match: str(int(match.group()) + shift), text)


def distinct_share(collection: Collection) -> float:
    """The share of the collection's sentences that occur once in it."""
    texts = Counter(text for document in collection.documents for text in document.sentence_texts)
    return sum(1 for count in texts.values() if count == 1) / max(1, sum(texts.values()))
