"""TMX 1.4b: a store of translation units; write, read and validate. Knows nothing of aligner.

>>> import io
>>> out = io.BytesIO()
>>> with TmxWriter(out, TmxHeader(srclang="ru")) as writer:
...     writer.write(TmxUnit("Да.", "Yes.", "ru", "en", props={"x-align-score": "0.93"}))
True
>>> [unit.target for unit in read_units(io.BytesIO(out.getvalue()))]
['Yes.']
"""

from tmx.errors import TmxError, TmxParseError, TmxUsageError, TmxWriteError
from tmx.inline import MARKUP_MODES, Content, Inline, count_elements, plain_text
from tmx.model import TOOL_VERSION as __version__
from tmx.model import LeftOut, TmxHeader, TmxUnit, TuvInfo, tmx_date
from tmx.ops import (CONVERT_FORMATS, BeadTypes, ConvertStats, DropIdentical, Languages,
                     LengthRange, MaxLengthRatio, MinScore, TmStats, UnitFilter, convert_tmx,
                     filter_tmx, merge_tmx, tm_stats, write_moses)
from tmx.reader import TmxReader, read_header, read_units
from tmx.store import TmxFile
from tmx.text import LOCALE_STYLES, clean_text, lang_matches, normalize_lang
from tmx.validate import Issue, ValidationReport, validate
from tmx.writer import DUPLICATE_POLICIES, TmxWriter, WriteStats, write_tmx

__all__ = [
    "CONVERT_FORMATS", "DUPLICATE_POLICIES", "LOCALE_STYLES", "MARKUP_MODES",
    "BeadTypes", "Content", "ConvertStats", "DropIdentical", "Inline", "Issue", "Languages",
    "LeftOut", "LengthRange", "MaxLengthRatio", "MinScore", "TmStats", "TmxError", "TmxFile",
    "TmxHeader", "TmxParseError", "TmxReader", "TmxUnit", "TmxUsageError", "TmxWriteError",
    "TmxWriter",
    "TuvInfo", "UnitFilter", "ValidationReport", "WriteStats", "__version__", "clean_text",
    "convert_tmx", "count_elements", "filter_tmx", "lang_matches", "merge_tmx",
    "normalize_lang", "plain_text", "read_header", "read_units", "tm_stats", "tmx_date",
    "validate", "write_moses", "write_tmx",
]
