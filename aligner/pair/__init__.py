"""Document pairing: which source and target documents are translations of each other.

:func:`pair_documents` returns a :class:`PairingResult`: parallel pairs (one-to-one),
comparable pairs (same story, other words), the documents without a parallel partner, and
the documents set aside (other language, empty, duplicate) with the reason.

>>> from aligner.pair import PairConfig
>>> PairConfig().parallel_threshold
0.5
"""

from aligner.pair.core import (PairConfig, PairingResult, pair_documents, verification_config,
                               write_pairs_tsv)

__all__ = ["PairConfig", "PairingResult", "pair_documents", "verification_config",
           "write_pairs_tsv"]
