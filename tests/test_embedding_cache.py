"""The embedding cache keeps the vectors used last in memory, bounded, in front of SQLite."""

from __future__ import annotations

import numpy as np

from aligner.embed import encoder as encoder_module
from aligner.embed.encoder import EmbeddingCache


def test_vectors_come_back_the_same_from_memory_and_from_disk(tmp_path, monkeypatch):
    monkeypatch.setattr(encoder_module, "MEMORY_BYTES", 3 * 4 * 4)  # three 4-float rows
    cache = EmbeddingCache(tmp_path / "v.sqlite", 4)
    vectors = {f"k{i}": np.arange(4, dtype=np.float32) + i for i in range(5)}
    cache.put_many(vectors)
    assert list(cache._memory) == ["k2", "k3", "k4"]  # the oldest rows left memory
    found = cache.get_many(list(vectors))
    assert set(found) == set(vectors)
    for key, vector in vectors.items():
        assert found[key].tobytes() == vector.tobytes()
    assert len(cache._memory) == 3
    again = EmbeddingCache(tmp_path / "v.sqlite", 4)  # a new process: disk only
    assert again.get_many(["k0", "missing"]).keys() == {"k0"}
