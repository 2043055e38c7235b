"""Where the toolkit keeps its persistent caches (embeddings, translations)."""

import os
from pathlib import Path


def cache_dir() -> Path:
    """The cache root: ``$ALIGNER_CACHE_DIR``, else ``$XDG_CACHE_HOME/aligner``, else ``~/.cache/aligner``."""
    explicit = os.environ.get("ALIGNER_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "aligner"
