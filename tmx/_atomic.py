"""Binary output that never leaves a half-written file (temp file beside the target + rename).

``tmx`` imports nothing from ``aligner``, so it carries this small helper of its own;
``aligner.io.atomic_write`` wraps it (text or binary), so the two share one implementation.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from tmx.errors import TmxError


def _new_mode() -> int:
    """The mode ``open()`` gives a new file under the current umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def _naming_the_output(target: Path, error: Callable[[str], Exception]) -> Iterator[None]:
    """An OS error of the temporary file reported against the output the user named."""
    try:
        yield
    except OSError as cause:
        raise error(f"{target}: cannot write it ({cause.strerror or cause})") from None


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str],
                  error: Callable[[str], Exception] = TmxError) -> Iterator[BinaryIO]:
    """Yield a binary file that replaces ``path`` only when the block finishes without error.

    The rename is atomic, so a killed process leaves the old file or the new one; there is
    no ``fsync`` (durability against a power loss is the file system's). An output that
    replaces a regular file keeps that file's permissions. Any other output gets those
    ``open()`` gives a new file (0666 less the umask): a new one, and one where ``path`` is a
    symbolic link, which is replaced by the file (the file it pointed to is left as it was,
    and its permissions are not copied).

    :param error: the exception raised, with a one-line message naming ``path``, when the
        output cannot be written (a missing folder, a read-only one, permissions that cannot
        be set); errors of the block pass unchanged.
    """
    target = Path(path)
    if not target.parent.is_dir():
        raise error(f"{target}: the folder {target.parent} does not exist; "
                    "create it or choose another output path")
    with _naming_the_output(target, error):
        descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                                 suffix=".tmp")
    committed = False
    try:
        with open(descriptor, "wb") as handle:  # the real file: no Python-level wrapper
            with _naming_the_output(target, error):
                # mkstemp's files are private (0600); the output should read like any file
                os.chmod(temporary, _mode_for(target))
            yield handle  # type: ignore[misc]
        with _naming_the_output(target, error):
            os.replace(temporary, target)
        committed = True
    finally:
        if not committed:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)


def _mode_for(target: Path) -> int:
    """The permissions of the output that replaces ``target``: a regular file's own, else
    those of a new file (``lstat``: a symbolic link is replaced, not followed)."""
    try:
        status = os.lstat(target)
    except FileNotFoundError:
        return _new_mode()
    return status.st_mode & 0o777 if stat.S_ISREG(status.st_mode) else _new_mode()
