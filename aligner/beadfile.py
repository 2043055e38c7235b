"""Alignments as JSON Lines, one bead per line: a ``pair`` header, then a ``bead`` line each.

The form that ``aligner align --format jsonl`` prints, ``aligner run`` keeps in
``alignments/<src>__<tgt>.jsonl`` and ``aligner score`` reads: each bead line carries its
indices, texts, type, confidence and signal scores, so it reads well on its own and the whole
alignment can be rebuilt from the file.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from aligner.records import Alignment, Bead


def alignment_lines(alignment: Alignment, header: Mapping[str, Any] | None = None,
                    bead_extras: Sequence[Mapping[str, Any]] | None = None,
                    ) -> Iterator[dict[str, Any]]:
    """The header record (plus ``header``), then one record per bead (plus its extras).

    >>> alignment = Alignment("a", "b", "ru", "en", ("Да.",), ("Yes.",), (Bead((0,), (0,)),))
    >>> [line["record"] for line in alignment_lines(alignment)]
    ['pair', 'bead']
    """
    yield {"record": "pair", "src_id": alignment.src_id, "tgt_id": alignment.tgt_id,
           "src_lang": alignment.src_lang, "tgt_lang": alignment.tgt_lang,
           "beads": len(alignment.beads), "signature": dict(alignment.signature),
           **(header or {})}
    for index, bead in enumerate(alignment.beads):
        yield {"record": "bead", "index": index, **bead.to_json(),
               "src_text": [alignment.src_sentences[i] for i in bead.src],
               "tgt_text": [alignment.tgt_sentences[i] for i in bead.tgt],
               **(bead_extras[index] if bead_extras else {})}


def alignment_from_lines(records: Sequence[Mapping[str, Any]]) -> Alignment:
    """Rebuild the alignment from the records :func:`alignment_lines` made.

    Raises ``ValueError`` (or ``KeyError``) when the records are not a complete alignment.

    >>> alignment = Alignment("a", "b", "ru", "en", ("Да.",), ("Yes.",), (Bead((0,), (0,)),))
    >>> alignment_from_lines(list(alignment_lines(alignment))) == alignment
    True
    """
    if not records:
        raise ValueError("no header line")
    header, beads = records[0], records[1:]
    if header.get("record") != "pair" or len(beads) != header.get("beads"):
        raise ValueError("not a complete alignment file (header and bead count disagree)")
    return Alignment(
        src_id=header["src_id"], tgt_id=header["tgt_id"], src_lang=header["src_lang"],
        tgt_lang=header["tgt_lang"],
        src_sentences=tuple(text for bead in beads for text in bead["src_text"]),
        tgt_sentences=tuple(text for bead in beads for text in bead["tgt_text"]),
        beads=tuple(Bead.from_json(bead) for bead in beads),
        signature=dict(header.get("signature", {})))
