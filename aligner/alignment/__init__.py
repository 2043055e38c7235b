"""Sentence alignment: :func:`align_sentences` over lists, :func:`align_documents` over records."""

from aligner.alignment.config import AlignConfig
from aligner.alignment.core import (
    align_documents,
    align_sentences,
    bead_types,
    confidence_model,
    prepare_documents,
    usable_signals,
)

__all__ = ["AlignConfig", "align_documents", "align_sentences", "bead_types",
           "confidence_model", "prepare_documents", "usable_signals"]
