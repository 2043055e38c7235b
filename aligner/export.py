"""From alignments to TMX: one translation unit per non-null bead, with its scores as props.

The TMX rules themselves (cleaning, language codes, duplicates, atomic output) live in the
``tmx`` package; this module only decides what an aligned bead says about itself.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence

from tmx import (DUPLICATE_POLICIES, LOCALE_STYLES, TmxError, TmxHeader, TmxUnit, WriteStats,
                 lang_matches, write_tmx)

from aligner import __version__
from aligner.errors import ConfigurationError, InputError
from aligner.records import Alignment, BeadScore
from aligner.signature import make_signature


def _indices(indices: Sequence[int]) -> str:
    return ",".join(str(index) for index in indices)


def alignment_units(alignment: Alignment,
                    scores: Sequence[BeadScore | None] | None = None,
                    reviewed: Sequence[bool] | None = None) -> Iterator[TmxUnit]:
    """Yield a :class:`tmx.TmxUnit` for each bead with sentences on both sides.

    ``scores`` (one per bead, or None) adds the MT agreement as ``x-mt-chrf``/``x-mt-bleu``;
    ``reviewed`` (one flag per bead, for a pair a person reviewed) adds ``x-reviewed``
    (``yes``: a person confirmed or made the unit).

    >>> from aligner.records import Bead
    >>> alignment = Alignment("ru1", "en1", "ru", "en", ("Да.", "Нет."), ("Yes.",),
    ...                       (Bead((0,), (0,), 0.91), Bead((1,), ())))
    >>> [(u.source, u.target, u.tuid, u.prop("x-align-score")) for u in alignment_units(alignment)]
    [('Да.', 'Yes.', 'ru1:0', '0.9100')]
    """
    if scores is not None and len(scores) != len(alignment.beads):
        raise InputError(f"{alignment.src_id}/{alignment.tgt_id}: {len(scores)} bead scores "
                         f"for {len(alignment.beads)} beads; score the same alignment again")
    for index, bead in enumerate(alignment.beads):
        if bead.is_null:
            continue
        source, target = alignment.bead_texts(bead)
        props = {"x-align-score": f"{bead.confidence:.4f}", "x-bead-type": bead.type,
                 "x-src-doc": alignment.src_id, "x-tgt-doc": alignment.tgt_id,
                 "x-src-idx": _indices(bead.src), "x-tgt-idx": _indices(bead.tgt)}
        score = scores[index] if scores is not None else None
        if score is not None:
            props.update(_score_props(score))
        if reviewed is not None:
            props["x-reviewed"] = "yes" if reviewed[index] else "no"
        yield TmxUnit(source, target, alignment.src_lang, alignment.tgt_lang, props,
                      tuid=f"{alignment.src_id}:{index}")


def _score_props(score: BeadScore) -> dict[str, str]:
    props = {}
    if score.chrf is not None:
        props["x-mt-chrf"] = f"{score.chrf:.2f}"
    if score.bleu is not None:
        props["x-mt-bleu"] = f"{score.bleu:.2f}"
    props["x-mt-doubtful"] = "yes" if score.doubtful else "no"
    return props


def segtype_for(alignments: Sequence[Alignment]) -> str:
    """``paragraph`` when some unit joins several sentences (a 2-1 bead), else ``sentence``.

    OmegaT matches multi-sentence units only in a project that does not split sentences, or
    under ``segtype="paragraph"``: saying so honestly lets CAT tools segment accordingly.
    """
    multi = any(len(bead.src) > 1 or len(bead.tgt) > 1
                for alignment in alignments for bead in alignment.beads if not bead.is_null)
    return "paragraph" if multi else "sentence"


def signature_props(signature: Mapping[str, str]) -> list[tuple[str, str]]:
    """A signature as TMX header props, ``x-signature-KEY``, in key order.

    >>> signature_props({"stage": "tmx", "aligner": "0.1.0"})
    [('x-signature-aligner', '0.1.0'), ('x-signature-stage', 'tmx')]
    """
    return [(f"x-signature-{key}", signature[key]) for key in sorted(signature)]


def _header_props(signature: Mapping[str, str],
                  alignments: Sequence[Alignment]) -> list[tuple[str, str]]:
    """The run's signature, plus the alignment options all the alignments share."""
    props = dict(signature_props(signature))
    if alignments:
        shared = dict(alignments[0].signature)
        for alignment in alignments[1:]:
            shared = {k: v for k, v in shared.items() if alignment.signature.get(k) == v}
        props.update({f"x-align-{key}": value for key, value in shared.items()})
    return sorted(props.items())


def write_alignment_tmx(path: str | os.PathLike[str], alignments: Sequence[Alignment],
                        scores: Sequence[Sequence[BeadScore | None] | None] | None = None,
                        locale_style: str = "bare", signature: Mapping[str, str] | None = None,
                        duplicates: str = "pairs", src_lang: str | None = None,
                        reviewed: Sequence[Sequence[bool] | None] | None = None) -> WriteStats:
    """Write the alignments as one TMX file (atomically); return what the writer did.

    ``scores`` holds one list of bead scores (or None) per alignment, ``reviewed`` one list of
    review flags (or None) per alignment. All alignments must go
    in one language direction. ``signature`` defaults to this stage's options and versions.
    With ``src_lang`` given, no alignments make a valid empty TMX file.
    """
    alignments = list(alignments)
    if not alignments and src_lang is None:
        raise InputError(f"{path}: no alignments to write")
    if locale_style not in LOCALE_STYLES:
        raise ConfigurationError(f"unknown locale style {locale_style!r}: use one of "
                                 f"{', '.join(LOCALE_STYLES)}")
    if duplicates not in DUPLICATE_POLICIES:
        raise ConfigurationError(f"unknown duplicate policy {duplicates!r}: use one of "
                                 f"{', '.join(DUPLICATE_POLICIES)}")
    if scores is not None and len(scores) != len(alignments):
        raise InputError(f"{path}: {len(scores)} score lists for {len(alignments)} alignments")
    src_lang = src_lang or (alignments[0].src_lang if alignments else None)
    for alignment in alignments:
        if not lang_matches(alignment.src_lang, src_lang):
            raise InputError(f"{path}: {alignment.src_id}/{alignment.tgt_id}: source language "
                             f"{alignment.src_lang!r} differs from {src_lang!r}; write one TMX "
                             "per language direction")
    if signature is None:
        signature = make_signature("tmx", {"locale_style": locale_style,
                                           "duplicates": duplicates}, packages=("lxml",))
    header = TmxHeader(srclang=src_lang, creationtool="aligner",
                       creationtoolversion=__version__, segtype=segtype_for(alignments),
                       o_tmf="aligner", props=_header_props(signature, alignments))
    units = (unit for index, alignment in enumerate(alignments)
             for unit in alignment_units(alignment, None if scores is None else scores[index],
                                         None if reviewed is None else reviewed[index]))
    try:
        return write_tmx(path, units, header, locale_style=locale_style, duplicates=duplicates)
    except TmxError as error:
        raise InputError(f"{path}: {error}") from error
