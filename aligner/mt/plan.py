"""How the pairs of a run get their MT: a plan that travels to workers, and their translators.

:func:`plan_mt` decides once, where the run starts: an installed model, precomputed
translations (a folder of ``<document id>.<tgt_lang>`` files), or none. A worker turns the
plan into a translator with :func:`cached_translator` (loaded once per process) and refuses
a plan made for another model than its own.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from aligner.errors import AlignerWarning, InputError, ModelError
from aligner.mt.packages import find_model
from aligner.mt.translator import Translator, load_translator, read_translation_file
from aligner.records import Document, MtStatus

UNUSED_NAMED = 5  # files named in the warning about unused translation files


@dataclass(frozen=True)
class MtPlan:
    """How a worker gets MT for a pair: a model (by id), precomputed lines, or none."""

    kind: str  # "model", "precomputed" or "none"
    src_lang: str = ""
    tgt_lang: str = ""
    model_id: str | None = None
    cache_key: str = ""


def plan_mt(src_lang: str, tgt_lang: str, *, model: str | None = None, use_mt: bool = True,
            translations: str | None = None) -> tuple[MtPlan, MtStatus, Translator | None]:
    """Decide how pairs get MT: the plan for workers, the report's status, a translator.

    No model installed (and none named): MT is skipped with a one-line explanation. A named
    model that is missing, or an installed package that is broken, is an error.

    >>> plan_mt("ru", "en", use_mt=False)[1].message
    'MT scoring was switched off (--no-mt).'
    """
    if not use_mt:
        return MtPlan("none"), MtStatus("off", None, "MT scoring was switched off (--no-mt)."), None
    if translations:
        if not Path(translations).is_dir():
            raise InputError(f"{translations}: --translations must be a folder holding "
                             f"<document id>.{tgt_lang} files")
        return (MtPlan("precomputed", src_lang, tgt_lang, "precomputed"),
                MtStatus("scored", "precomputed",
                         f"Beads scored against precomputed MT from {translations}."),
                None)
    try:
        find_model(src_lang, tgt_lang, model)
    except ModelError as error:
        if model:
            raise
        return (MtPlan("none"),
                MtStatus("skipped", None, f"MT scoring skipped: {error} (--no-mt silences this)"),
                None)
    translator = load_translator(src_lang, tgt_lang, model_id=model)
    plan = MtPlan("model", src_lang, tgt_lang, translator.model_id, translator.cache_key)
    _TRANSLATORS[plan] = translator  # in-process tasks share the one this process loads
    return plan, MtStatus("scored", translator.model_id,
                          f"Beads scored against MT by {translator.model_id}."), translator


_TRANSLATORS: dict[MtPlan, Translator] = {}


def cached_translator(plan: MtPlan) -> Translator:
    """The translator of ``plan``, loaded once per process (the model loads on first use).

    The plan's cache key holds the model's version and file fingerprint, so a worker whose
    installed model differs from the one the run was planned with refuses to translate.
    """
    if plan in _TRANSLATORS:
        return _TRANSLATORS[plan]
    translator = load_translator(plan.src_lang, plan.tgt_lang, model_id=plan.model_id)
    if translator.cache_key != plan.cache_key:
        raise ModelError(f"model {plan.model_id} on this worker ({translator.cache_key}) is not "
                         f"the one the run was planned with ({plan.cache_key}); install the "
                         "same package everywhere")
    _TRANSLATORS[plan] = translator
    return translator


def source_translation(plan: MtPlan, precomputed: Sequence[str] | None,
                       sentences: Sequence[str]) -> list[str] | None:
    """MT of a pair's source ``sentences``: the precomputed lines when there are some, else
    the plan's model's, else none."""
    if precomputed is not None:
        return list(precomputed)
    if plan.kind == "model":
        return cached_translator(plan).translate(sentences)
    return None


def read_translations(folder: str | None, src_lang: str, tgt_lang: str,
                      documents: Sequence[Document]) -> dict[str, tuple[str, ...]]:
    """Precomputed MT of the source-language documents that have a file in ``folder``,
    checked line by line.

    A source document without a file simply has no MT (its pair is aligned, not scored).
    """
    if not folder:
        return {}
    path = Path(folder)
    if not path.is_dir():
        raise InputError(f"{path}: --translations must be a folder holding "
                         f"<document id>.{tgt_lang} files")
    found = {}
    for document in documents:
        file = path / f"{document.id}.{tgt_lang}"
        if document.lang == src_lang and file.is_file():
            found[document.id] = tuple(read_translation_file(file, len(document.sentences)))
    _warn_of_unused(path, {f"{doc_id}.{tgt_lang}" for doc_id in found}, src_lang, tgt_lang)
    return found


def _warn_of_unused(folder: Path, used: set[str], src_lang: str, tgt_lang: str) -> None:
    """One warning naming the files of ``folder`` that no source document took (a typo in a
    name would otherwise leave its document unscored without a word)."""
    unused = sorted(entry.name for entry in folder.iterdir()
                    if entry.name not in used and not entry.name.startswith("."))
    if unused:
        shown = ", ".join(unused[:UNUSED_NAMED]) + (", ..." if len(unused) > UNUSED_NAMED else "")
        warnings.warn(f"{folder}: {len(unused)} files match no source ({src_lang!r}) document "
                      f"and were not used: {shown} (expected <document id>.{tgt_lang})",
                      AlignerWarning, stacklevel=3)


def precomputed_status(status: MtStatus, translations: Sequence[Sequence[str] | None]
                       ) -> MtStatus:
    """The MT status of a run on precomputed MT, saying how many pairs had none (their
    ``translations``, one a pair, are None)."""
    missing = sum(translation is None for translation in translations)
    if status.model != "precomputed" or not missing:
        return status
    return replace(status, message=f"{status.message} {missing} of {len(translations)} pairs "
                                   "had no MT file for their source document and were not "
                                   "scored.")
