"""Alignments as JSON Lines, one bead per line: a ``pair`` header, then a ``bead`` line each.

The form that ``aligner align --format jsonl`` prints, ``aligner run`` keeps in
``alignments/<src>__<tgt>.jsonl`` and ``aligner score`` reads: each bead line carries its
indices, texts, type, confidence and signal scores, so it reads well on its own and the whole
alignment can be rebuilt from the file. A run's per-pair files and ``aligner review``'s
reviewed files are this form with a few fields more (:mod:`aligner.outfolder`,
:mod:`aligner.review.store`).

:func:`alignment_records` is the one reader of alignment files, with the size cap; on it
:func:`read_alignment_records` reads one such file whole, and :func:`read_alignments` reads
it or the other alignment files (one ``Alignment.to_json()`` per line, scored records of
``aligner score``), telling them apart by their first record. :func:`alignment_lines` makes
the lines that :func:`aligner.io.write_jsonl` writes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from aligner.errors import InputError
from aligner.io import read_capped_lines
from aligner.records import Alignment, Bead

# Alignments carry both documents' texts and every score, so they may be a few times larger
# than the documents themselves (64 MiB at most each).
MAX_ALIGNMENT_BYTES = 256 * 2**20


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


class RecordError(ValueError):
    """A line of an alignment file that is not a JSON object; ``line`` is its number."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(problem)
        self.line = line


def alignment_records(path: str | os.PathLike[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line number, record)`` of an alignment file, blank lines skipped.

    Lazy, so a caller may stop after the header. The file is read with a size cap
    (:data:`MAX_ALIGNMENT_BYTES`).

    :raises InputError: missing, over the cap, or not UTF-8.
    :raises RecordError: a line that is not a JSON object (the caller names the file).
    """
    for number, line in read_capped_lines(path, "JSON Lines alignments", MAX_ALIGNMENT_BYTES):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise RecordError(number, f"not JSON: {error.msg}") from None
        except RecursionError:
            raise RecordError(number, "JSON nested too deeply") from None
        if not isinstance(record, dict):
            raise RecordError(number, "not a JSON object")
        yield number, record


def read_alignment_records(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The records of one bead-per-line alignment file (a header, then the beads).

    :raises InputError: naming the file (and line) that cannot be read as such records.
    """
    try:
        return [record for _, record in alignment_records(path)]
    except RecordError as error:
        raise InputError(f"{path}: not JSON Lines of objects (line {error.line}: "
                         f"{error})") from None


def read_alignments(path: str | os.PathLike[str]) -> list[Alignment]:
    """The alignments in a JSON Lines file, in order, read with a size cap.

    Accepted: one ``Alignment.to_json()`` per line, scored records from ``aligner score -o``
    (they embed their alignment), or one pair file of ``aligner run`` or ``aligner align
    --format jsonl`` (a ``pair`` header, then one line per bead).

    :raises InputError: naming the file (and line) that is not such a file.
    """
    try:
        records = list(alignment_records(path))
    except RecordError as error:
        raise InputError(f"{path}:{error.line}: {error}; expected JSON Lines alignments "
                         "(aligner align --format jsonl, aligner score -o or an alignment "
                         "file of aligner run)") from None
    if not records:
        raise InputError(f"{path}: no alignments in the file; run `aligner align` first")
    if records[0][1].get("record") == "pair":
        return [_from_bead_lines(path, [record for _, record in records])]
    return [_parse_alignment(path, number, record) for number, record in records]


def _parse_alignment(path: str | os.PathLike[str], number: int,
                     record: Mapping[str, Any]) -> Alignment:
    record = record.get("alignment", record)
    try:
        return Alignment.from_json(record)
    except KeyError as error:
        raise InputError(f"{path}:{number}: not an alignment record (no {error} field; "
                         "expected Alignment.to_json() objects, one per line)") from None
    except (TypeError, ValueError) as error:
        raise InputError(f"{path}:{number}: not an alignment record ({error})") from None


def _from_bead_lines(path: str | os.PathLike[str],
                     records: Sequence[Mapping[str, Any]]) -> Alignment:
    try:
        return alignment_from_lines(records)
    except (KeyError, TypeError, ValueError) as error:
        raise InputError(f"{path}: not a complete bead-per-line alignment file ({error})") from None
