"""Document pairing: which source and target documents are translations of each other.

:func:`pair_documents` returns a :class:`PairingResult`: parallel pairs (one-to-one
translations), same-event pairs (independent reports of one event), related pairs (same
topic, another event), the documents without a parallel partner, and the documents set
aside (other language, empty, duplicate) with the reason; :class:`RelationRule` decides
between the last two relations.

>>> from aligner.pair import PairConfig
>>> PairConfig().parallel_threshold
0.5
"""

from aligner.pair.core import (PairConfig, PairingResult, pair_documents, signature_path,
                               verification_config, write_pairs_tsv)
from aligner.pair.relation import RelationRule

__all__ = ["PairConfig", "PairingResult", "RelationRule", "pair_documents", "signature_path",
           "verification_config", "write_pairs_tsv"]
