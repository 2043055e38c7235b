"""Machine translation with Argos Translate packages, run directly through CTranslate2.

>>> from aligner.mt import DecodingOptions
>>> DecodingOptions(beam_size=2).beam_size
2

Heavy backends (CTranslate2, SentencePiece, argostranslate) are imported on first use.
"""

from aligner.mt.cache import TranslationCache
from aligner.mt.packages import (ModelInfo, find_model, install_from_index, install_model,
                                 list_models, package_dirs)
from aligner.mt.translator import (ArgosTranslator, DecodingOptions, Translator, load_translator,
                                   read_lines, read_translation_file)

__all__ = ["ArgosTranslator", "DecodingOptions", "ModelInfo", "TranslationCache", "Translator",
           "find_model", "install_from_index", "install_model", "list_models", "load_translator",
           "package_dirs", "read_lines", "read_translation_file"]
