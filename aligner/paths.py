"""Where the toolkit keeps its persistent caches (and the unpacked model copies in them), and
how per-pair output files are named."""

import fcntl
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


SOURCE_NOTE = ".source"  # in each unpacked copy: the path of the file it was made from
_IN_USE: dict[Path, int] = {}  # copies this process uses: their folders, open and locked


def unpacked_copy(name: str, source: Path, fill: Callable[[Path], None]) -> Path | None:
    """A folder ``cache_dir()/models/<name>-<size>-<mtime>`` of ``source`` that ``fill`` made.

    For bundled model files that cost seconds to decompress in every process: the first
    process calls ``fill(folder)`` on a staging folder, renamed into place (a folder is
    complete or absent); later ones find it. A reinstalled ``source`` (new size or time)
    gets a new copy, and the earlier copies of the same ``source`` path are deleted once no
    process uses them (:func:`_remove_stale_copies`, on each process's first use). ``None``,
    with one warning, when no copy exists and none can be written (a read-only cache): the
    caller then reads ``source`` itself.

    A process holds a shared lock on the folder of each copy it uses until it ends, so a
    copy is never deleted under a process that reads it; a copy of another path of the
    file (another environment sharing the cache) and a copy made before copies recorded
    their source are never deleted.
    """
    stat = source.stat()
    folder = cache_dir() / "models" / f"{name}-{stat.st_size:x}-{stat.st_mtime_ns:x}"
    if folder in _IN_USE:
        return folder
    if not _use(folder):
        if not _make(folder, source, fill):
            return None
        if not _use(folder):  # deleted at once by a process that saw a newer source
            warnings.warn(f"{folder}: the model copy went away as it was made; reading "
                          f"{source.name} instead", AlignerWarning, stacklevel=2)
            return None
    _remove_stale_copies(folder, source)
    return folder


def _make(folder: Path, source: Path, fill: Callable[[Path], None]) -> bool:
    """Fill a staging folder and rename it into place; False, with one warning, when that
    cannot be done (True when another process was first)."""
    staging = None
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
        fill(staging)
        (staging / SOURCE_NOTE).write_text(_source_id(source), encoding="utf-8")
        os.rename(staging, folder)
    except OSError as error:
        if not folder.is_dir():  # not merely another process first
            warnings.warn(f"{folder}: cannot write the model copy ({error.strerror or error}); "
                          f"reading {source.name} instead", AlignerWarning, stacklevel=3)
            return False
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    return True


def _source_id(source: Path) -> str:
    return os.fsdecode(source.resolve())


def _use(folder: Path) -> bool:
    """Hold a shared lock on ``folder`` for the rest of this process; False when it is
    absent (or was deleted while we waited for the lock)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH)  # waits only while a stale copy is being removed
    except OSError:  # a file system without locks (NFS without lockd): no copy there is
        pass  # ever deleted (see _remove_stale_copies), so it is safe to use unlocked
    try:
        same = os.stat(folder).st_ino == os.fstat(descriptor).st_ino
    except OSError:
        same = False
    if not same:
        os.close(descriptor)
        return False
    _IN_USE[folder] = descriptor
    return True


def _remove_stale_copies(current: Path, source: Path) -> None:
    """Delete the other copies of the same ``source`` path that no process uses.

    A copy is taken over with an exclusive lock that waits for nobody (a copy in use stays,
    and goes on a later call), then renamed away before it is removed: a process that finds
    it gone makes or uses the current copy instead.
    """
    wanted = _source_id(source)
    for folder in sorted(current.parent.iterdir()):
        if folder == current or folder.name.startswith(".") or not _copy_of(folder, wanted):
            continue
        try:
            descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            continue
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)  # BlockingIOError: in use
            _delete(folder)
        except OSError:
            pass  # in use, or not ours to delete: a later process tries again
        finally:
            os.close(descriptor)


def _delete(folder: Path) -> None:
    """Rename ``folder`` into a hidden one, then remove it: nobody sees half a copy."""
    trash = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".stale", dir=folder.parent))
    try:
        os.rename(folder, trash / folder.name)
    finally:
        shutil.rmtree(trash, ignore_errors=True)


def _copy_of(folder: Path, source_id: str) -> bool:
    try:
        return (folder / SOURCE_NOTE).read_text(encoding="utf-8") == source_id
    except (OSError, UnicodeDecodeError):
        return False
