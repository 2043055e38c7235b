"""Where the toolkit keeps its persistent caches, and how per-pair output files are named."""

import hashlib
import os
import re
import shutil
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

from aligner.errors import AlignerWarning

# A document id written as is in a file name: word characters, dots and dashes, starting and
# ending with a letter or digit. Without '_' at either end and without '__' inside, the first
# '__' of SRC__TGT is the separator, so two different pairs can never get the same name.
_PLAIN_ID = re.compile(r"[^\W_](?:[\w.-]*[^\W_])?")
_UNSAFE = re.compile(r"[^\w.-]+", re.ASCII)
MAX_PLAIN_STEM_BYTES = 200  # leaves room for a suffix under the usual 255-byte name limit
HASHED_PREFIX_CHARS = 60


def cache_dir() -> Path:
    """The cache root: ``$ALIGNER_CACHE_DIR``, else ``$XDG_CACHE_HOME/aligner``, else
    ``~/.cache/aligner``."""
    explicit = os.environ.get("ALIGNER_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "aligner"


def pair_file_stem(src_id: str, tgt_id: str) -> str:
    """The file stem of a document pair's outputs: ``SRC__TGT`` when that is unambiguous.

    Other pairs (an id with ``__``, a ``_`` at an end, other characters, or too long) get a
    readable ASCII prefix and a hash of both ids after ``~``, which no plain stem contains:
    different pairs never share a name.

    >>> pair_file_stem("000_a", "002_b")
    '000_a__002_b'
    >>> pair_file_stem("a__b", "c") != pair_file_stem("a", "b__c")
    True
    >>> pair_file_stem("a__b", "c")
    'a__b__c~a92700ced282f8ea'
    """
    plain = f"{src_id}__{tgt_id}"
    if (all(_PLAIN_ID.fullmatch(doc_id) and "__" not in doc_id for doc_id in (src_id, tgt_id))
            and len(plain.encode("utf-8")) <= MAX_PLAIN_STEM_BYTES):
        return plain
    both = f"{src_id}\0{tgt_id}".encode("utf-8", "surrogateescape")
    readable = _UNSAFE.sub("-", plain).strip(".-")[:HASHED_PREFIX_CHARS] or "pair"
    return f"{readable}~{hashlib.sha256(both).hexdigest()[:16]}"


def unpacked_copy(name: str, source: Path, fill: Callable[[Path], None]) -> Path | None:
    """A folder ``cache_dir()/models/<name>-<size>-<mtime>`` of ``source`` that ``fill`` made.

    For bundled model files that cost seconds to decompress in every process: the first
    process calls ``fill(folder)`` on a staging folder, renamed into place (a folder is
    complete or absent); later ones find it. A reinstalled ``source`` (new size or time)
    gets a new copy. ``None``, with one warning, when no copy exists and none can be written
    (a read-only cache): the caller then reads ``source`` itself.
    """
    stat = source.stat()
    folder = cache_dir() / "models" / f"{name}-{stat.st_size:x}-{stat.st_mtime_ns:x}"
    if folder.is_dir():
        return folder
    staging = None
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
        fill(staging)
        os.rename(staging, folder)
    except OSError as error:
        if not folder.is_dir():  # not merely another process first
            warnings.warn(f"{folder}: cannot write the model copy ({error.strerror or error}); "
                          f"reading {source.name} instead", AlignerWarning, stacklevel=2)
            return None
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    return folder
