"""Sentence alignment: :func:`align_sentences` over lists, :func:`align_documents` over records."""

from aligner.align.config import AlignConfig
from aligner.align.core import align_documents, align_sentences, bead_types

__all__ = ["AlignConfig", "align_documents", "align_sentences", "bead_types"]
