"""The output folder of a run: what it remembers, the checks before writing, per-pair files.

A run keeps its state in ``OUT/.aligner-run.json`` (its options, each stage's input
fingerprint, the digest of each pair's TMX and which of them a review wrote) and holds
``OUT/.aligner-run.lock`` while it writes, so two runs never write one folder at once. Each
parallel pair has two files: ``tmx/<src>__<tgt>.tmx`` and ``alignments/<src>__<tgt>.jsonl``,
a header line (pair, signatures, document scores, similarity grid, the fingerprint of the
pair's inputs) then one line per bead (indices, texts, confidence, signal and MT scores, the
doubtful decision): a :class:`~aligner.records.PairResult` as written. The alignment file is
written last, so its presence with the right fingerprint (and a TMX of the recorded digest)
means the pair is done.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing, contextmanager, suppress
from pathlib import Path
from typing import IO, Any

from aligner.beadfile import (alignment_from_lines, alignment_lines, alignment_records,
                              read_alignment_records)
from aligner.errors import AlignerError, ConfigurationError, InputError
from aligner.export import write_alignment_tmx
from aligner.io import atomic_write, resolved, write_jsonl
from aligner.paths import pair_file_stem
from aligner.records import (BeadScore, CorpusScore, DocPair, PairLabel, PairResult,
                             SimilarityGrid)

STATE_FILE = ".aligner-run.json"
LOCK_FILE = ".aligner-run.lock"
STATE_VERSION = 1
ALIGNMENTS_DIR = "alignments"
TMX_DIR = "tmx"
REVIEWED_DIR = "reviewed"  # aligner review's corrected alignments, never a run's own output
STATE_SAVE_SECONDS = 1.0  # pair TMX digests reach the state file at least this often


def pair_key(pair: DocPair) -> str:
    """File stem of a pair's outputs (see :func:`aligner.paths.pair_file_stem`).

    >>> pair_key(DocPair("000_a", "002_b", "parallel", 0.9))
    '000_a__002_b'
    """
    return pair_file_stem(pair.src_id, pair.tgt_id)


def fingerprint(*parts: Any) -> str:
    """SHA-256 of the canonical JSON of ``parts``: equal inputs, equal fingerprint.

    >>> fingerprint({"b": 1, "a": 2}) == fingerprint({"a": 2, "b": 1})
    True
    """
    text = json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def input_fingerprint(inputs: Sequence[str | os.PathLike[str]]) -> str:
    """Fingerprint of every file under ``inputs``: names and bytes (hidden files aside)."""
    digest = hashlib.sha256()
    for root in inputs:
        for path in _walk(Path(root)):
            digest.update(str(path).encode("utf-8", "surrogateescape") + b"\0")
            try:
                digest.update(hashlib.sha256(path.read_bytes()).digest())
            except OSError as error:
                digest.update(f"unreadable:{error.errno}".encode())
    return digest.hexdigest()


def _walk(root: Path) -> Iterator[Path]:
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            if path.is_file() and not any(part.startswith(".") for part in
                                          path.relative_to(root).parts):
                yield path
    else:
        yield root


class RunState:
    """The run's memory in ``OUT/.aligner-run.json``: options and each stage's fingerprint."""

    def __init__(self, out: Path) -> None:
        self.path = out / STATE_FILE
        self.data: dict[str, Any] = {}
        self._saved_at = time.monotonic()

    def load(self) -> bool:
        """Read an earlier state; ``False`` when there is none.

        A damaged state (or one of another version) loads as empty: the earlier run's stages
        and pairs are redone (without the digests of its TMX files none can be trusted).
        """
        if not self.path.is_file():
            return False
        try:
            with open(self.path, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError):
            data = None
        self.data = data if _valid_state(data) else {}
        return True

    def stage(self, name: str) -> dict[str, Any] | None:
        return self.data.get("stages", {}).get(name)

    def save_stage(self, name: str, record: dict[str, Any]) -> None:
        self.data.setdefault("stages", {})[name] = record
        self.save()

    def save(self) -> None:
        self.data["version"] = STATE_VERSION
        with atomic_write(self.path) as handle:  # dumps: json's C encoder (dump is Python's)
            handle.write(json.dumps(self.data, ensure_ascii=False, sort_keys=True))
        self._saved_at = time.monotonic()

    def pair_tmx(self, key: str) -> str | None:
        """The digest of ``tmx/<key>.tmx`` as a run last wrote it."""
        digest = self.data.get("pair_tmx", {}).get(key)
        return digest if isinstance(digest, str) else None

    def pair_tmx_reviewed(self, key: str) -> bool:
        """Whether ``tmx/<key>.tmx`` was last written from a review (not the machine's)."""
        return self.data.get("reviewed_tmx", {}).get(key) is True

    def record_pair_tmx(self, key: str, digest: str | None, reviewed: bool = False) -> None:
        """Remember the digest of a pair's TMX just written, and whether a review made it.
        The state is saved at most every :data:`STATE_SAVE_SECONDS` (a run of many pairs
        would rewrite it per pair), so an interrupted run loses at most that much: those
        pairs are redone."""
        self.data.setdefault("pair_tmx", {})[key] = digest
        reviewed_keys = self.data.setdefault("reviewed_tmx", {})
        if reviewed:
            reviewed_keys[key] = True
        else:
            reviewed_keys.pop(key, None)
        if time.monotonic() - self._saved_at >= STATE_SAVE_SECONDS:
            self.save()

    def keep_pair_tmx(self, keys: set[str]) -> None:
        """Forget the TMX of pairs other than ``keys`` (saved with the state's next save)."""
        for name in ("pair_tmx", "reviewed_tmx"):
            known = self.data.get(name, {})
            self.data[name] = {key: known[key] for key in sorted(keys & known.keys())}


def _valid_state(data: Any) -> bool:
    """Whether ``data`` has the shape :class:`RunState` writes (stage records are dicts)."""
    if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
        return False
    stages, options = data.get("stages", {}), data.get("options", {})
    return (isinstance(stages, dict) and isinstance(options, dict)
            and isinstance(data.get("pair_tmx", {}), dict)
            and isinstance(data.get("reviewed_tmx", {}), dict)
            and all(isinstance(record, dict) for record in stages.values()))


@contextmanager
def output_lock(out: Path) -> Iterator[None]:
    """Hold the lock of the output folder ``out`` (created if need be) while writing it.

    A second holder fails at once with an :class:`InputError`. The lock is an ``flock`` that
    the kernel drops when its process ends, however it ends, so a lock file that a killed
    run left behind blocks nothing. A folder made here and left empty is removed again.
    """
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: exists and is not a folder; choose a folder with -o")
    created = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
        handle = _locked_file(out / LOCK_FILE)
    except OSError as error:
        raise InputError(f"{out}: cannot write there ({error.strerror or error}); "
                         "choose another folder with -o") from None
    if handle is None:
        raise InputError(f"{out}: another aligner run is writing this folder; wait for it "
                         "to finish or choose another folder with -o")
    try:
        with handle:
            try:
                yield
            finally:
                with suppress(FileNotFoundError):  # while locked: the next run makes a new one
                    os.unlink(handle.name)
    finally:
        if created:
            with suppress(OSError):  # only an empty folder goes
                out.rmdir()


def _locked_file(path: Path) -> IO[str] | None:
    """``path`` opened and locked, or None when another process holds its lock."""
    while True:
        handle = open(path, "a", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return None
        # The holder before us may have removed the file between our open and our lock.
        try:
            same = os.stat(path).st_ino == os.fstat(handle.fileno()).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return handle
        handle.close()


def prepare_output(out: Path, options: Mapping[str, Any], resume: bool) -> RunState:
    """Check that ``out`` can take this run's outputs and load what an earlier run left.

    Called under :func:`output_lock`, which made the folder and proved it writable. ``out``
    must be a new or empty folder, or one an earlier run wrote (it holds the state file).
    ``resume`` additionally requires that earlier run, with the same options. The state,
    with this run's options, is written just before the first output: a run that fails
    before that (inputs without a single document) leaves a new folder empty, and
    :func:`output_lock` removes it; a run killed after it can be resumed.
    """
    if resume and not (out / STATE_FILE).is_file():
        raise _nothing_to_resume(out)
    remove_partial_files(out)
    state = RunState(out)
    found = state.load()
    if not found and any(entry.name not in (STATE_FILE, LOCK_FILE) for entry in out.iterdir()):
        raise InputError(f"{out}: the folder is not empty and holds no earlier aligner run; "
                         "choose a new or empty folder with -o")
    if resume and not found:
        raise _nothing_to_resume(out)
    if resume and not state.data:
        raise InputError(f"{out}: the earlier run's {STATE_FILE} is damaged or from another "
                         "version; run without --resume to redo the run")
    if resume and state.data.get("options") != dict(options):
        raise ConfigurationError(f"{out}: the earlier run used other options "
                                 f"({_changed_options(state.data.get('options', {}), options)}); "
                                 "repeat them to resume, or run without --resume to redo it")
    state.data["options"] = dict(options)
    return state


def _nothing_to_resume(out: Path) -> InputError:
    return InputError(f"{out}: nothing to resume (no earlier run in this folder); "
                      "run without --resume to start one")


def check_output_outside_inputs(out: Path, inputs: Sequence[str | os.PathLike[str]]) -> None:
    """Refuse an output folder inside an input folder: the run would read its own outputs.

    >>> check_output_outside_inputs(Path("corpus/out"), ["corpus"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    aligner.errors.ConfigurationError: corpus/out: the output folder lies inside the input ...
    """
    target = resolved(out)
    for root in inputs:
        folder = resolved(root)
        if folder == target or folder in target.parents:
            raise ConfigurationError(f"{out}: the output folder lies inside the input folder "
                                     f"{root}, so the run would read its own outputs; choose "
                                     "an output folder outside it")


def remove_partial_files(out: Path) -> None:
    """Delete temporary files an interrupted run left (``atomic_write``'s ``.NAME.*.tmp``)."""
    for folder in (out, out / ALIGNMENTS_DIR, out / TMX_DIR, out / REVIEWED_DIR):
        if folder.is_dir():
            for path in folder.glob(".*.tmp"):
                path.unlink()


def _changed_options(earlier: Mapping[str, Any], now: Mapping[str, Any]) -> str:
    """The options whose values differ, as the earlier run had them (groups such as the
    alignment settings by member: ``align.length_weight=0.05``).

    >>> _changed_options({"model": None, "align": {"skip": -0.1, "band": 8}},
    ...                  {"model": "ru-en", "align": {"skip": -0.2, "band": 8}})
    'align.skip=-0.1, model=None'
    """
    old, new = _by_member(earlier), _by_member(now)
    return ", ".join(f"{key}={old.get(key, 'unset')}" for key in sorted(old.keys() | new.keys())
                     if old.get(key) != new.get(key))


def _by_member(options: Mapping[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in options.items():
        if isinstance(value, Mapping):
            flat.update({f"{key}.{member}": item for member, item in value.items()})
        else:
            flat[key] = value
    return flat


def remove_stale_pair_files(out: Path, keys: set[str]) -> list[str]:
    """Delete per-pair files of pairs this run no longer has (a changed corpus)."""
    removed = []
    for folder, suffix in ((ALIGNMENTS_DIR, ".jsonl"), (TMX_DIR, ".tmx")):
        directory = out / folder
        if not directory.is_dir():
            continue
        for path in sorted(directory.iterdir()):
            if path.suffix == suffix and path.stem not in keys:
                path.unlink()
                removed.append(str(path))
    return removed


# ---------------------------------------------------------------- per-pair files

def pair_files(key: str) -> dict[str, str]:
    """Paths of a pair's outputs, relative to the output folder."""
    return {"alignment": f"{ALIGNMENTS_DIR}/{key}.jsonl", "tmx": f"{TMX_DIR}/{key}.tmx"}


def result_records(result: PairResult) -> Iterator[dict[str, Any]]:
    """The lines of ``alignments/<key>.jsonl``: a header, then one line per bead."""
    header = {"fingerprint": result.fingerprint, "pair": result.pair.to_json(),
              "score_signature": dict(result.score_signature),
              "document_scores": {score.name: {"score": score.score,
                                               "signature": score.signature}
                                  for score in result.doc_scores},
              "similarity": result.similarity.to_json() if result.similarity else None}
    scores = result.bead_scores or [None] * len(result.alignment.beads)
    extras = [{"doubtful": doubtful, "mt_score": score.to_json() if score else None}
              for doubtful, score in zip(result.doubtful, scores)]
    return alignment_lines(result.alignment, header, extras)


def result_from_records(records: Sequence[Mapping[str, Any]]) -> PairResult:
    """Rebuild a :class:`PairResult` from the lines :func:`result_records` wrote."""
    alignment = alignment_from_lines(records)
    header, beads = records[0], records[1:]
    scored = all(bead["mt_score"] is not None for bead in beads) and beads
    return PairResult(
        pair=DocPair.from_json(header["pair"]), alignment=alignment,
        doubtful=tuple(bool(bead["doubtful"]) for bead in beads),
        bead_scores=tuple(BeadScore.from_json(b["mt_score"]) for b in beads) if scored else None,
        doc_scores=tuple(CorpusScore(name, float(value["score"]), value["signature"])
                         for name, value in header["document_scores"].items()),
        similarity=(SimilarityGrid.from_json(header["similarity"])
                    if header["similarity"] else None),
        files=pair_files(pair_file_stem(header["src_id"], header["tgt_id"])),
        fingerprint=header["fingerprint"], score_signature=header["score_signature"])


def run_results(out: Path, pairs: Sequence[DocPair]) -> list[PairResult]:
    """The results of the parallel ``pairs`` of the finished run in ``out``, read back from
    its alignment files (an :class:`InputError` names a missing or broken one)."""
    results = []
    for pair in pairs:
        if pair.label is not PairLabel.PARALLEL:
            continue
        path = out / pair_files(pair_key(pair))["alignment"]
        if not path.is_file():
            raise InputError(f"{path}: missing; finish the run with aligner run --resume")
        try:
            results.append(result_from_records(read_alignment_records(path)))
        except (ValueError, KeyError, TypeError) as error:
            raise InputError(f"{path}: not an alignment file of this run ({error}); "
                             "redo the pair with aligner run") from None
    return results


def load_result(out: Path, key: str, stamp: str, tmx_digest: str | None) -> PairResult | None:
    """The earlier result of pair ``key`` when its alignment file has the fingerprint
    ``stamp`` and its TMX is byte for byte the one written (``tmx_digest``, from the run
    state); a damaged or changed file is redone, never reused."""
    files = pair_files(key)
    alignment_path = out / files["alignment"]
    if tmx_digest is None or file_digest(out / files["tmx"]) != tmx_digest:
        return None
    try:
        with closing(alignment_records(alignment_path)) as records:
            _, header = next(records)
            if header.get("fingerprint") != stamp:
                return None
            return result_from_records([header, *(record for _, record in records)])
    except (OSError, AlignerError, StopIteration, ValueError, KeyError, TypeError):
        return None  # unreadable, damaged or from another version: redo the pair


def save_result(out: Path, result: PairResult, signature: Mapping[str, str],
                state: RunState) -> PairResult:
    """Write a pair's TMX, then its alignment file (the alignment file marks it done).

    Returns the result as read back from its records (scores rounded as stored), so a fresh
    and a resumed run feed the same numbers to ``corpus.tmx`` and the report.
    """
    records = list(result_records(result))
    stored = result_from_records(records)
    (out / ALIGNMENTS_DIR).mkdir(exist_ok=True)
    write_pair_tmx(out, stored, signature, state)
    write_jsonl(out / stored.files["alignment"], records)
    return stored


def write_pair_tmx(out: Path, result: PairResult, signature: Mapping[str, str],
                   state: RunState) -> None:
    """Write ``tmx/<key>.tmx`` of one pair (machine or reviewed) atomically; the digest of
    the bytes written, and which of the two it is, go into the run ``state``."""
    (out / TMX_DIR).mkdir(exist_ok=True)
    stats = write_alignment_tmx(out / result.files["tmx"], [result.alignment],
                                scores=[result.bead_scores], signature=signature,
                                reviewed=[result.reviewed])
    state.record_pair_tmx(result.key, stats.sha256, reviewed=result.reviewed is not None)


def file_digest(path: Path) -> str | None:
    """SHA-256 of a file's bytes, None when it cannot be read: what a stage wrote is reused
    only while it is byte for byte what that stage wrote."""
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None
