"""Language identification per document with py3langid (offline, ~97 languages).

>>> identify_language("Президент принял министра обороны Китая в Астане.")[0]
'ru'
>>> lang, confidence = identify_language("The President received China's defence minister.")
>>> lang, 0.0 < confidence <= 1.0
('en', True)
>>> [identify_language(text)[0] for text in ("政府は１日、新しい経済対策を発表した。",
...     "정부는 새로운 경제 대책을 발표했다.", "أعلنت الحكومة عن خطة جديدة.",
...     "นายกรัฐมนตรีเดินทางไปเยือนประเทศญี่ปุ่น", "会议于周一举行。双方签署了协议！")]
['ja', 'ko', 'ar', 'th', 'zh']
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from aligner.paths import unpacked_copy

SAMPLE_CHARS = 300
"""Characters the identifier reads, taken from the longest lines (prose, not widgets).

py3langid walks every byte in Python: 300 characters (two or three sentences) keep it under
1 ms per document and still give ru/uk/kk/en confidences above 0.99 on news prose."""
UNKNOWN_LANGUAGE = "und"
FOLDED_LANGUAGES = {"wuu": "zh"}
"""py3langid codes read as another: its Wu Chinese is Mandarin text misread (2 of the 360
WMT22 Chinese documents; written Wu is rare), and Chinese documents must pair as ``zh``."""


@lru_cache(maxsize=1)
def _identifier() -> Any:
    """py3langid's identifier, read from an uncompressed copy of its model in the cache.

    The bundled model is LZMA-compressed (68 MB unpacked): decompressing it took 0.4-1 s in
    every process. The copy is made once (:func:`aligner.paths.unpacked_copy`), and then
    mapped into memory. Its weights are widened from float16 to float32 in the copy: scoring
    a float16 table costs about twice as much (numpy has no fast float16 matmul), and gives
    the same decisions. The state table is read through a memoryview (indexing it gives
    Python ints, as py3langid's own ``array`` does).
    """
    import numpy as np
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    model = MODEL_DIR / MODEL_FILE
    folder = unpacked_copy("py3langid", model, lambda staging: _unpack(model, staging))
    if folder is None:
        packed = LanguageIdentifier.from_model_file(MODEL_FILE)
        return LanguageIdentifier(np.asarray(packed.nb_ptc, dtype=np.float32), packed.nb_pc,
                                  packed.nb_classes, packed.tk_nextmove, packed.tk_output,
                                  norm_probs=True, tk_row=packed.tk_row)
    arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in MODEL_ARRAYS}
    return LanguageIdentifier(arrays["ptc"], np.array(arrays["pc"]), arrays["classes"].tolist(),
                              memoryview(arrays["nextmove"]), arrays["out_feat"].tolist(),
                              norm_probs=True, tk_row=memoryview(arrays["nextmove_row"]))


MODEL_ARRAYS = ("ptc", "pc", "classes", "nextmove", "nextmove_row", "out_feat")


def _unpack(model: Path, folder: Path) -> None:
    """Each array of py3langid's ``model.npz.xz`` as an uncompressed ``.npy`` in ``folder``."""
    import lzma

    import numpy as np

    with lzma.open(model) as packed, np.load(packed) as arrays:
        for name in MODEL_ARRAYS:
            array = arrays[name]
            np.save(folder / f"{name}.npy", array.astype(np.float32) if name == "ptc" else array)


def identify_language(text: str) -> tuple[str, float]:
    """ISO 639-1 code of ``text`` and a confidence in [0, 1]; ``("und", 0.0)`` when no letters."""
    sample = _sample(text)
    if not any(ch.isalpha() for ch in sample):
        return UNKNOWN_LANGUAGE, 0.0
    lang, confidence = _identifier().classify(sample)
    lang = FOLDED_LANGUAGES.get(lang, lang)
    return lang, round(min(1.0, max(0.0, float(confidence))), 4)  # as written to JSON


def _sample(text: str) -> str:
    """Up to ``SAMPLE_CHARS`` characters from the longest lines of ``text``."""
    if len(text) <= SAMPLE_CHARS:
        return text
    picked: list[str] = []
    size = 0
    for line in sorted(text.split("\n"), key=len, reverse=True):
        if size >= SAMPLE_CHARS:
            break
        picked.append(line[:SAMPLE_CHARS - size])
        size += len(picked[-1]) + 1
    return "\n".join(picked)
