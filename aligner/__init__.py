"""aligner: bilingual news archives to translation memories.

Pipeline of small stages over plain typed records (see :mod:`aligner.records`):
documents -> sentences -> document pairs -> beads -> scored beads -> TMX and report.
The Python API, ``from aligner import align, pair_documents, read_documents, run``, is
:mod:`aligner.api`; it loads on first use, so importing ``aligner`` stays cheap.
The stage that aligns sentences is the subpackage :mod:`aligner.alignment`.
"""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

try:
    __version__ = version("aligner")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"

API = ("align", "pair_documents", "read_documents", "run")
__all__ = ["__version__", *API]


def __getattr__(name: str) -> Any:
    """The API functions, imported from :mod:`aligner.api` when first asked for."""
    if name in API:
        return getattr(import_module("aligner.api"), name)
    raise AttributeError(f"module 'aligner' has no attribute {name!r}")
