"""TMX 1.4b: a store of translation units; write, read and validate. Knows nothing of aligner.

>>> import io
>>> from tmx import TmxHeader, TmxUnit, TmxWriter, read_units
>>> out = io.BytesIO()
>>> with TmxWriter(out, TmxHeader(srclang="ru")) as writer:
...     writer.write(TmxUnit("Да.", "Yes.", "ru", "en", props={"x-align-score": "0.93"}))
True
>>> [unit.target for unit in read_units(io.BytesIO(out.getvalue()))]
['Yes.']
"""

from __future__ import annotations

import importlib
from typing import Any

from tmx.errors import TmxError, TmxParseError, TmxUsageError, TmxWriteError

# Imported now: the function shares its module's name, and a module imported later would
# otherwise replace the package's attribute ``validate`` with itself.
from tmx.validate import Issue, ValidationReport, validate

# Where each public name lives; its module is imported on first use, so a program that only
# writes TMX (aligner's runs) does not load the operations and the store (the reader, the
# parser and lxml come with ``validate`` above).
_HOMES = {
    "tmx.inline": ("MARKUP_MODES", "Content", "Inline", "count_elements", "plain_text"),
    "tmx.model": ("LeftOut", "TmxHeader", "TmxUnit", "TuvInfo", "tmx_date"),
    "tmx.ops": ("CONVERT_FORMATS", "BeadTypes", "ConvertStats", "DropIdentical", "Languages",
                "LengthRange", "MaxLengthRatio", "MinScore", "TmStats", "UnitFilter",
                "convert_tmx", "filter_tmx", "merge_tmx", "tm_stats", "write_moses"),
    "tmx.reader": ("TmxReader", "read_header", "read_units"),
    "tmx.store": ("TmxFile",),
    "tmx.text": ("LOCALE_STYLES", "clean_text", "lang_matches", "normalize_lang"),
    "tmx.writer": ("DUPLICATE_POLICIES", "TmxWriter", "WriteStats", "write_tmx"),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> Any:
    if name == "__version__":
        return importlib.import_module("tmx.model").TOOL_VERSION
    if name not in _HOME_OF:
        raise AttributeError(f"module 'tmx' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOME_OF[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = sorted([*_HOME_OF, "Issue", "TmxError", "TmxParseError", "TmxUsageError",
                  "TmxWriteError", "ValidationReport", "__version__", "validate"])
