"""What ``aligner review`` works on: the pairs of a run folder (or one alignment file), their
edit histories, the review queue, and saving.

The web layer (:mod:`aligner.review.web`) only parses requests and calls these methods, which
take plain values and return JSON-ready dicts; every path comes from the folder given on the
command line, never from a request.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from aligner.alignment import AlignConfig, align_sentences
from aligner.beadfile import alignment_from_lines, read_alignment_records
from aligner.errors import ConfigurationError, EditError, InputError, UnknownPairError
from aligner.export import write_alignment_tmx
from aligner.outfolder import (
    ALIGNMENTS_DIR,
    STATE_FILE,
    RunState,
    file_digest,
    output_lock,
    run_results,
)
from aligner.records import BeadScore, DocPair, PairResult
from aligner.review import model
from aligner.review.model import PairReview, PairSession
from aligner.review.realign import realign
from aligner.review.store import read_review, regather, review_path, write_review
from aligner.score import DOUBTFUL_BELOW
from aligner.signals import SIGNALS

MAX_PAGE = 500  # beads or pairs in one page


@dataclass
class ReviewedPair:
    """One pair under review: its session, the machine's figures and where it saves."""

    key: str
    session: PairSession
    fingerprint: str
    pair: DocPair | None
    result: PairResult | None  # the machine's, in a run folder
    review_file: Path
    tmx_file: Path


class Workspace:
    """The pairs under review, in the run's order, with a lock around every change."""

    def __init__(self, source: Path, pairs: list[ReviewedPair], folder: Path | None,
                 doubtful_below: float, notes: list[str],
                 align_config: AlignConfig | None = None) -> None:
        self.source, self.folder = source, folder
        self.align_config = align_config or AlignConfig()
        self.pairs = {entry.key: entry for entry in pairs}
        self.order = [entry.key for entry in pairs]
        self.doubtful_below = doubtful_below
        self.notes = notes
        self.lock = threading.Lock()  # the pairs' states
        self.align_lock = threading.Lock()  # the encoder: loaded once, by warm_up or a realign

    # ------------------------------------------------------------ opening

    @classmethod
    def open(cls, source: Path) -> Workspace:
        """A run folder (``aligner run``'s output) or one ``ALIGNMENT.jsonl``."""
        if source.is_dir():
            return cls._open_run(source)
        if source.is_file():
            return cls._open_file(source)
        raise InputError(f"{source}: no such run folder or alignment file")

    @classmethod
    def _open_run(cls, out: Path) -> Workspace:
        state = RunState(out)
        pairing = state.stage("pair") if state.load() else None
        if pairing is None:
            raise InputError(f"{out}: not a finished aligner run (no {STATE_FILE} with "
                             "pairs); run `aligner run INPUTS -o OUT` first")
        options = state.data.get("options", {})
        doubtful_below = float(options.get("doubtful_below", DOUBTFUL_BELOW))
        align_config, notes, entries = run_align_config(options), [], []
        if align_config is None:
            notes.append(f"{out / STATE_FILE}: the run's alignment settings could not be read; "
                         "realigning uses the default settings")
        for result in run_results(out, [DocPair.from_json(item) for item in pairing["pairs"]]):
            machine = PairReview.from_machine(result.key, result.alignment, result.bead_scores,
                                              result.doubtful)
            start, note = _earlier_review(review_path(out, result.key), result.key,
                                          result.fingerprint)
            notes += [note] if note else []
            entries.append(ReviewedPair(result.key, PairSession(start or machine),
                                        result.fingerprint, result.pair, result,
                                        review_path(out, result.key),
                                        out / result.files["tmx"]))
        return cls(out, entries, out, doubtful_below, notes, align_config)

    @classmethod
    def _open_file(cls, path: Path) -> Workspace:
        if path.parent.name == ALIGNMENTS_DIR and (path.parent.parent / STATE_FILE).is_file():
            raise ConfigurationError(f"{path}: belongs to the run in {path.parent.parent}; "
                                     f"review the run instead: aligner review "
                                     f"{path.parent.parent}")
        records = read_alignment_records(path)
        try:
            alignment = alignment_from_lines(records)
        except (ValueError, KeyError, TypeError) as error:
            raise InputError(f"{path}: not an alignment file ({error}); make one with "
                             "aligner align SRC TGT --format jsonl -o FILE.jsonl") from None
        beads = records[1:]
        scores = [BeadScore.from_json(b["mt_score"]) if b.get("mt_score") else None
                  for b in beads]
        doubtful = [bool(b.get("doubtful", bead.confidence < DOUBTFUL_BELOW))
                    for b, bead in zip(beads, alignment.beads)]
        key = path.stem
        machine = PairReview.from_machine(key, alignment, scores, doubtful)
        fingerprint = file_digest(path)
        review_file = path.with_name(f"{key}.reviewed.jsonl")
        start, note = _earlier_review(review_file, key, fingerprint)
        entry = ReviewedPair(key, PairSession(start or machine), fingerprint, None,
                             None, review_file, path.with_name(f"{key}.reviewed.tmx"))
        return cls(path, [entry], None, DOUBTFUL_BELOW, [note] if note else [])

    def warm_up(self) -> None:
        """Load the encoder and touch its cache (the first realign is then as fast as the
        rest); meant for a background thread."""
        # any state will do: edits move beads, never the sentences
        review = self.pairs[self.order[0]].session.current if self.order else None
        if review is not None and review.alignment.src_sentences \
                and review.alignment.tgt_sentences:
            alignment = review.alignment
            with self.align_lock:  # a realign waits rather than loading the encoder again
                align_sentences(alignment.src_sentences[:2], alignment.tgt_sentences[:2],
                                replace(self.align_config, src_lang=alignment.src_lang,
                                        tgt_lang=alignment.tgt_lang))

    # ------------------------------------------------------------ reading

    def entry(self, key: str) -> ReviewedPair:
        if key not in self.pairs:
            raise UnknownPairError(f"no pair {key!r} in {self.source}")
        return self.pairs[key]

    def summary(self) -> dict[str, Any]:
        with self.lock:
            reviews = [self.pairs[key].session.current for key in self.order]
            return {"source": str(self.source), "mode": "run" if self.folder else "file",
                    "pairs": len(reviews), "beads": sum(len(r.beads) for r in reviews),
                    "reviewed_beads": sum(sum(map(r.reviewed, range(len(r.beads))))
                                          for r in reviews),
                    "expected_wrong": round(sum(r.expected_wrong() for r in reviews), 3),
                    "changes": sum(r.change_count for r in reviews),
                    "unsaved_pairs": sum(self.pairs[k].session.dirty for k in self.order),
                    "notes": list(self.notes)}

    def pairs_page(self, offset: int, limit: int) -> dict[str, Any]:
        offset, limit = _page(offset, limit)
        with self.lock:
            rows = [self._pair_row(self.pairs[key]) for key in self.order[offset:offset + limit]]
            return {"total": len(self.order), "offset": offset, "pairs": rows}

    def pair_page(self, key: str, offset: int, limit: int) -> dict[str, Any]:
        offset, limit = _page(offset, limit)
        with self.lock:
            return self._pair_view(self.entry(key), offset, limit)

    def queue(self, offset: int, limit: int, next_n: int) -> dict[str, Any]:
        """Unreviewed beads of the whole TM, least confident first, and the estimate of wrong
        beads left now and after reviewing the next ``next_n`` of them."""
        offset, limit = _page(offset, limit)
        with self.lock:
            items = [(bead.confidence, key, index)
                     for key in self.order
                     for index, (bead, status) in enumerate(
                         zip(self.pairs[key].session.current.beads,
                             self.pairs[key].session.current.status))
                     if status == model.MACHINE]
            ahead = heapq.nsmallest(max(next_n, offset + limit), items)
            total = sum(1.0 - confidence for confidence, _, _ in items)
            after = total - sum(1.0 - c for c, _, _ in ahead[:max(next_n, 0)])
            rows = []
            for confidence, key, index in ahead[offset:offset + limit]:
                review = self.pairs[key].session.current
                src, tgt = review.alignment.bead_texts(review.beads[index])
                rows.append({"key": key, "bead": index, "confidence": round(confidence, 4),
                             "type": review.beads[index].type, "src_text": src,
                             "tgt_text": tgt, "version": self.pairs[key].session.version})
            return {"unreviewed": len(items), "offset": offset, "items": rows,
                    "next": min(max(next_n, 0), len(items)),
                    "expected_wrong": round(total, 3),
                    "expected_wrong_after": round(max(after, 0.0), 3)}

    # ------------------------------------------------------------ changing

    def edit(self, key: str, request: Mapping[str, Any], offset: int, limit: int
             ) -> dict[str, Any]:
        """Apply one edit (``request["op"]``) made against ``request["version"]``."""
        offset, limit = _page(offset, limit)
        with self.lock:
            entry = self.entry(key)
            session = entry.session
            op = request.get("op")
            version = request.get("version")
            if op == "undo":
                session.undo(version)
            elif op == "redo":
                session.redo(version)
            elif op in self.EDITS:
                session.check(version)
                changed = self.EDITS[op](self, session.current, request)
                if changed is session.current:  # a realign that found nothing to change
                    return {**self._pair_view(entry, offset, limit),
                            "note": "realigning changed no bead"}
                session.apply(version, changed)
            else:
                raise EditError(f"unknown edit {op!r}; one of: undo, redo, "
                                f"{', '.join(sorted(self.EDITS))}")
            return self._pair_view(entry, offset, limit)

    def save(self) -> dict[str, Any]:
        """Write every changed pair's review (and TMX), then the run's corpus TMX and report.

        The machine's alignment files are never written; each file is replaced atomically.
        """
        with self.lock:
            dirty = [self.pairs[key] for key in self.order if self.pairs[key].session.dirty]
            report = None
            # a run writing the folder at the same time is refused, and so is a save then
            with output_lock(self.folder) if dirty and self.folder else nullcontext():
                for entry in dirty:
                    self._save_pair(entry)
                if dirty and self.folder is not None:
                    report = regather(self.folder, [self.pairs[key].result for key in self.order])
            for entry in dirty:
                entry.session.mark_saved()
            return {"saved": [entry.key for entry in dirty],
                    "files": [str(entry.review_file) for entry in dirty],
                    "review_changes": report["summary"]["review_changes"] if report else None}

    def _save_pair(self, entry: ReviewedPair) -> None:
        review = entry.session.current
        header: dict[str, Any] = {"machine_fingerprint": entry.fingerprint}
        if entry.pair is not None:
            header["pair"] = entry.pair.to_json()
        write_review(entry.review_file, review, header)
        if entry.result is None:
            write_alignment_tmx(entry.tmx_file, [review.alignment], scores=[review.mt],
                                reviewed=[[review.reviewed(k) for k in range(len(review.beads))]])

    # ------------------------------------------------------------ edits by name

    def _realign(self, review: PairReview, request: Mapping[str, Any]) -> PairReview:
        with self.align_lock:
            return realign(review, self.align_config, doubtful_below=self.doubtful_below)

    EDITS: dict[str, Callable[[Workspace, PairReview, Mapping[str, Any]], PairReview]] = {
        "confirm": lambda self, r, q: model.confirm(r, _field(q, "bead")),
        "unconfirm": lambda self, r, q: model.unconfirm(r, _field(q, "bead")),
        "merge": lambda self, r, q: model.merge(r, _field(q, "bead"), _field(q, "direction")),
        "split": lambda self, r, q: model.split(r, _field(q, "bead"), _field(q, "src_at"),
                                                _field(q, "tgt_at")),
        "move": lambda self, r, q: model.move(r, _field(q, "bead"), _field(q, "side"),
                                              _field(q, "sentence"), _field(q, "direction")),
        "untranslated": lambda self, r, q: model.untranslated(
            r, _field(q, "bead"), _field(q, "side"), _field(q, "sentence")),
        "text": lambda self, r, q: model.edit_text(r, _field(q, "side"), _field(q, "sentence"),
                                                   _field(q, "text")),
        "realign": _realign,
    }

    # ------------------------------------------------------------ views

    def _pair_row(self, entry: ReviewedPair) -> dict[str, Any]:
        review = entry.session.current
        beads = review.beads
        chrf = entry.result.doc_score("chrF") if entry.result is not None else None
        return {"key": entry.key, "src_id": review.alignment.src_id,
                "tgt_id": review.alignment.tgt_id,
                "src_sentences": len(review.alignment.src_sentences),
                "tgt_sentences": len(review.alignment.tgt_sentences), "beads": len(beads),
                "doubtful": sum(review.doubtful),
                "mean_confidence": round(sum(b.confidence for b in beads) / len(beads), 4)
                if beads else None,
                "expected_wrong": round(review.expected_wrong(), 3),
                "reviewed": sum(map(review.reviewed, range(len(beads)))),
                "changes": review.change_count, "unsaved": entry.session.dirty,
                "chrf": chrf.score if chrf is not None else None,
                "pair_confidence": entry.pair.confidence if entry.pair else None}

    def _pair_view(self, entry: ReviewedPair, offset: int, limit: int) -> dict[str, Any]:
        session = entry.session
        review = session.current
        alignment = review.alignment
        rows = []
        for index in range(offset, min(offset + limit, len(review.beads))):
            bead, score = review.beads[index], review.mt[index]
            rows.append({
                "index": index, "type": bead.type, "confidence": round(bead.confidence, 4),
                "status": review.status[index], "doubtful": review.doubtful[index],
                "src": [{"i": i, "text": alignment.src_sentences[i]} for i in bead.src],
                "tgt": [{"i": j, "text": alignment.tgt_sentences[j]} for j in bead.tgt],
                "chrf": score.chrf if score is not None else None,
                "bleu": score.bleu if score is not None else None,
                "mt": score.mt if score is not None else None})
        return {"key": entry.key, "version": session.version, "src_id": alignment.src_id,
                "tgt_id": alignment.tgt_id, "src_lang": alignment.src_lang,
                "tgt_lang": alignment.tgt_lang, "total": len(review.beads), "offset": offset,
                "beads": rows, "can_undo": session.can_undo, "can_redo": session.can_redo,
                "unsaved": session.dirty, "changes": dict(review.changes),
                "expected_wrong": round(review.expected_wrong(), 3),
                "position": self.order.index(entry.key), "pairs": len(self.order)}


def run_align_config(options: Mapping[str, Any]) -> AlignConfig | None:
    """The alignment settings a run recorded (the flat form of ``AlignConfig.to_json``);
    ``None`` when they cannot be read back."""
    flat = dict(options.get("align") or {})
    weights, params = {}, {}
    for name, signal in SIGNALS.items():
        if f"{name}_weight" in flat:
            weights[name] = flat.pop(f"{name}_weight")
        params[name] = {item.name: flat.pop(f"{name}_{item.name}")
                        for item in fields(signal.Params) if f"{name}_{item.name}" in flat}
    if "signals" in flat:
        flat["signals"] = tuple(flat["signals"])
    try:
        return AlignConfig(**flat, weights=weights, params=params)
    except (TypeError, ValueError, ConfigurationError):
        return None


def _field(request: Mapping[str, Any], name: str) -> Any:
    if name not in request:
        raise EditError(f"the edit needs the field {name!r}")
    return request[name]


def _page(offset: Any, limit: Any) -> tuple[int, int]:
    if not isinstance(offset, int) or not isinstance(limit, int) or offset < 0 \
            or not 1 <= limit <= MAX_PAGE:
        raise EditError(f"offset must be 0 or more and limit 1..{MAX_PAGE}")
    return offset, limit


def _earlier_review(path: Path, key: str, fingerprint: str
                    ) -> tuple[PairReview | None, str | None]:
    """A saved review to continue from, or a note saying why an existing one is not used."""
    if not path.is_file():
        return None, None
    review, header = read_review(path, key)
    if header.get("machine_fingerprint") != fingerprint:
        return None, (f"{path}: made for an earlier alignment of this pair; starting from "
                      "the machine's alignment (saving replaces that review)")
    return review, None

