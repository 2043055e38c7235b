"""Pluggable alignment signals behind one interface (:class:`Signal`).

>>> sorted(SIGNALS)
['anchors', 'embedding', 'length', 'mt']
"""

from aligner.signals.anchors import AnchorSignal
from aligner.signals.base import Signal, SignalInput, SpanScorer
from aligner.signals.embedding import EmbeddingSignal
from aligner.signals.length import LengthSignal
from aligner.signals.mt import MTSignal

SIGNALS: dict[str, type[Signal]] = {
    "embedding": EmbeddingSignal, "mt": MTSignal, "length": LengthSignal,
    "anchors": AnchorSignal,
}

__all__ = ["SIGNALS", "AnchorSignal", "EmbeddingSignal", "LengthSignal", "MTSignal", "Signal",
           "SignalInput", "SpanScorer"]
