"""Binary output that never leaves a half-written file (temp file beside the target + rename).

``tmx`` imports nothing from ``aligner``, so it carries this small helper of its own;
``aligner.io.atomic_write`` wraps it (text or binary), so the two share one implementation.
"""

from __future__ import annotations

import contextlib
import os
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
    no ``fsync`` (durability against a power loss is the file system's). A file replaced keeps
    its permissions; a new one gets those ``open()`` would give it.

    :param error: the exception raised, with a message naming ``path``, when the output cannot
        be written (a missing folder, a read-only one); errors of the block pass unchanged.
    """
    target = Path(path)
    if not target.parent.is_dir():
        raise error(f"{target}: the folder {target.parent} does not exist; "
                    "create it or choose another output path")
    with _naming_the_output(target, error):
        handle = tempfile.NamedTemporaryFile("wb", dir=target.parent, prefix=f".{target.name}.",
                                             suffix=".tmp", delete=False)
    committed = False
    try:
        # mkstemp-style temp files are private (0600); the output should read like any file.
        os.chmod(handle.name, target.stat().st_mode & 0o777 if target.exists() else _new_mode())
        with handle:
            yield handle  # type: ignore[misc]
        with _naming_the_output(target, error):
            os.replace(handle.name, target)
        committed = True
    finally:
        if not committed:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(handle.name)
