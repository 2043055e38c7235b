"""Pluggable alignment signals behind one interface (:class:`Signal`), in one registry.

A signal is one class, registered with :func:`register` in its module; importing the module
here (in the order of the default signal list) makes it known to ``AlignConfig``, the search
and the CLI.

>>> list(SIGNALS)
['embedding', 'mt', 'length', 'anchors', 'continuation']
"""

from aligner.signals.base import SIGNALS, NoParams, Signal, SignalInput, SpanScorer, register
from aligner.signals.embedding import EmbeddingParams, EmbeddingSignal, MarginParams
from aligner.signals.mt import MTSignal
from aligner.signals.length import LengthSignal
from aligner.signals.anchors import AnchorSignal
from aligner.signals.continuation import ContinuationSignal

__all__ = ["SIGNALS", "AnchorSignal", "ContinuationSignal", "EmbeddingParams", "EmbeddingSignal",
           "LengthSignal", "MTSignal", "MarginParams", "NoParams", "Signal", "SignalInput",
           "SpanScorer", "register"]
