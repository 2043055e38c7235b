"""py3langid read from the uncompressed copy in the cache decides as py3langid itself."""

from __future__ import annotations

import numpy as np
import pytest

from aligner.errors import AlignerWarning
from aligner.ingest import langid

TEXTS = ["Президент принял министра обороны Китая в Астане.",
         "The President received China's defence minister.",
         "Die Sitzung wurde um 14 Uhr eröffnet.", "会议于周一举行。双方签署了协议！",
         "Україна та Казахстан підписали угоду.", "a", "12:30 — 14:00"]


def test_identifier_from_the_copy_classifies_like_py3langid(tmp_path, monkeypatch):
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    packed = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    monkeypatch.setenv("ALIGNER_CACHE_DIR", str(tmp_path))
    langid._identifier.cache_clear()
    try:
        first = langid._identifier()  # unpacks the copy
        langid._identifier.cache_clear()
        again = langid._identifier()  # maps it
        (folder,) = (tmp_path / "models").iterdir()
        assert folder.name.startswith("py3langid-")
        assert isinstance(again.nb_ptc, np.memmap) and again.nb_ptc.dtype == np.float32
        for text in TEXTS:
            expected = packed.classify(text)
            for identifier in (first, again):
                lang, confidence = identifier.classify(text)
                assert lang == expected[0], text
                assert abs(confidence - expected[1]) < 1e-4, text
    finally:
        langid._identifier.cache_clear()


def test_an_unwritable_cache_reads_the_packed_model_with_a_warning(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", "utf-8")
    monkeypatch.setenv("ALIGNER_CACHE_DIR", str(blocker / "cache"))
    langid._identifier.cache_clear()
    try:
        with pytest.warns(AlignerWarning, match="cannot write the model copy"):
            identifier = langid._identifier()
        assert identifier.classify(TEXTS[0])[0] == "ru"
    finally:
        langid._identifier.cache_clear()
