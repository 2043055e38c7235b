"""Pluggable alignment signals behind one interface (:class:`Signal`).

>>> sorted(SIGNALS)
['anchors', 'continuation', 'embedding', 'length', 'mt']
"""

from aligner.signals.anchors import AnchorSignal
from aligner.signals.base import Signal, SignalInput, SpanScorer
from aligner.signals.continuation import ContinuationSignal
from aligner.signals.embedding import EmbeddingSignal
from aligner.signals.length import LengthSignal
from aligner.signals.mt import MTSignal

SIGNALS: dict[str, type[Signal]] = {
    "embedding": EmbeddingSignal, "mt": MTSignal, "length": LengthSignal,
    "anchors": AnchorSignal, "continuation": ContinuationSignal,
}

__all__ = ["SIGNALS", "AnchorSignal", "ContinuationSignal", "EmbeddingSignal", "LengthSignal", "MTSignal", "Signal",
           "SignalInput", "SpanScorer"]
