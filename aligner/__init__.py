"""aligner: bilingual news archives to translation memories.

Pipeline of small stages over plain typed records (see :mod:`aligner.records`):
documents -> sentences -> document pairs -> beads -> scored beads -> TMX and report.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("aligner")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"

__all__ = ["__version__"]
