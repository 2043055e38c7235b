"""Sort out the documents that cannot take part in pairing, each with a reason.

Documents in a third language, documents with no body sentence and exact duplicates (the
same sentences twice: the first by id is kept) are set aside with a message instead of
being paired or failing the run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from aligner.records import Document


@dataclass(frozen=True)
class Screened:
    """Documents kept for pairing per language, and the ones set aside as ``(id, reason)``."""

    src: tuple[Document, ...]
    tgt: tuple[Document, ...]
    set_aside: tuple[tuple[str, str], ...]


def content_key(document: Document) -> str:
    """A digest of the document's body sentences, whitespace-normalised (duplicate test)."""
    body = "\n".join(" ".join(text.split()) for text in document.sentence_texts)
    return hashlib.sha1(body.encode("utf-8")).hexdigest()


def screen_documents(documents: Iterable[Document], src_lang: str, tgt_lang: str) -> Screened:
    """Split ``documents`` by language; set aside other languages, empty ones and duplicates.

    Documents are taken in id order, so which duplicate is kept does not depend on the order
    they were given in.
    """
    kept: dict[str, list[Document]] = {src_lang: [], tgt_lang: []}
    set_aside: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    for document in sorted(documents, key=lambda doc: doc.id):
        if document.lang not in kept:
            set_aside.append((document.id, f"language {document.lang!r} is neither "
                                           f"{src_lang!r} nor {tgt_lang!r}"))
            continue
        if not document.sentences:
            set_aside.append((document.id, "no body sentence to compare"))
            continue
        key = content_key(document)
        if key in seen:
            set_aside.append((document.id, f"same text as {seen[key]}"))
            continue
        seen[key] = document.id
        kept[document.lang].append(document)
    return Screened(tuple(kept[src_lang]), tuple(kept[tgt_lang]), tuple(set_aside))
