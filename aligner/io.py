"""The file helpers every format's module uses; it owns no format itself.

Output that never leaves a partial file behind (:func:`atomic_write`, and JSON or JSON Lines
written through it), line input read with a size cap (:func:`read_capped_lines`), and the
checks that keep an output off its inputs. Each file format has one module that reads and
writes it (see README's layout).
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from aligner.errors import ConfigurationError, InputError

MAX_INPUT_BYTES = 64 * 1024 * 1024
"""Largest line-oriented input read (bead files, translations): far above any real one."""
EXCERPT_CHARS = 60


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """``text`` quoted for an error message, cut after ``limit`` characters.

    >>> excerpt("[0]:[1]")
    "'[0]:[1]'"
    >>> excerpt("x" * 100, 5)
    "'xxxxx'... (100 characters)"
    """
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}... ({len(text)} characters)"


BROKEN_LINK = "a broken symbolic link (to nothing, or a loop)"


def path_text(path: str | os.PathLike[str]) -> str:
    """A file name as text for messages and records: bytes that are not UTF-8 (which Python
    keeps as lone surrogates, unwritable as UTF-8) shown as ``\\xNN``; other names unchanged.

    >>> print(path_text(os.fsdecode(b"news/\\xff.txt")), path_text("news/кот.txt"))
    news/\\xff.txt news/кот.txt
    """
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def read_capped_lines(path: str | os.PathLike[str], what: str,
                      max_bytes: int = MAX_INPUT_BYTES) -> Iterator[tuple[int, str]]:
    """Yield ``(line number, line)`` of a UTF-8 text file, line ends removed, in bounded memory.

    The one reader of line-oriented inputs: a file over ``max_bytes`` is refused before it is
    read (and a pipe as soon as it passes the cap), and no line is held longer than the cap.

    :param what: what the file should hold, for the messages ("bead lines such as [3]:[4]").
    :raises InputError: missing, over the cap, or not UTF-8.
    """
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    with handle:
        size = os.fstat(handle.fileno()).st_size
        if size > max_bytes:
            raise _over_cap(path, max_bytes, size)
        read = number = 0
        while raw := _read_line(handle, path, max_bytes - read + 1):
            read, number = read + len(raw), number + 1
            if read > max_bytes:
                raise _over_cap(path, max_bytes)
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                raise InputError(f"{path}:{number}: not UTF-8 text ({error.reason} at byte "
                                 f"{error.start} of the line); expected {what}") from None
            yield number, line.removesuffix("\n").removesuffix("\r")


def _read_line(handle: IO[bytes], path: str | os.PathLike[str], limit: int) -> bytes:
    try:
        return handle.readline(limit)
    except OSError as error:  # a read error carries no file name of its own
        raise InputError(f"{path}: cannot read ({error.strerror or error})") from None


def text_lines(text: str) -> list[str]:
    """The lines of a text as :func:`read_capped_lines` reads a file's: split at ``\\n``,
    a ``\\r`` before it dropped, a final line end adding no empty line.

    >>> text_lines("Yes.\\r\\nNo.\\n"), text_lines("One"), text_lines("")
    (['Yes.', 'No.'], ['One'], [])
    """
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def _over_cap(path: str | os.PathLike[str], max_bytes: int, size: int | None = None) -> InputError:
    found = f"{size / 2**20:.1f} MiB" if size is not None else "longer"
    return InputError(f"{path}: {found}, over the {max_bytes / 2**20:g} MiB limit for this "
                      "input; split it into smaller files")


def refuse_output_over_input(output: str | os.PathLike[str] | None,
                             inputs: Iterable[str | os.PathLike[str]]) -> None:
    """Refuse an ``-o`` that names one of the inputs (or a file inside an input folder).

    >>> refuse_output_over_input("notes.txt", ["notes.txt"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    aligner.errors.ConfigurationError: notes.txt: the output file is also an input; ...
    """
    if output is None:
        return
    target = resolved(output)
    for source in inputs:
        folder = resolved(source)
        if target == folder or (folder in target.parents and target.exists()):
            raise ConfigurationError(f"{output}: the output file is also an input; writing "
                                     "it would destroy that input; choose another -o")


def resolved(path: str | os.PathLike[str]) -> Path:
    """``Path(path).resolve()``, with a symbolic link loop reported as an :class:`InputError`."""
    try:
        return Path(path).resolve()
    except (RuntimeError, OSError):
        raise InputError(f"{path}: a symbolic link loop (or an unreadable link) on the way; "
                         "choose another path") from None


@contextmanager
def atomic_write(path: str | os.PathLike[str], mode: str = "w",
                 encoding: str | None = "utf-8") -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path``; rename it onto ``path`` only on success.

    On any exception the temporary file is removed and ``path`` is left as it was. A process
    killed at any moment leaves the old file or the new one, never a mix: the rename is
    atomic. There is no ``fsync`` (on a run of 227 pairs it cost 5-10 % of the time), so
    durability against a power loss is the file system's. An output that cannot be written
    is an :class:`InputError` naming it, not its hidden temporary file. The work is
    :func:`tmx._atomic.atomic_output`'s (``tmx`` may not import ``aligner``; the reverse is
    fine); this adds text mode over its real file: ``\n``, ``\r\n`` and a lone ``\r``
    written as they are, and text the encoding cannot hold an error (``strict``).
    """
    # imported here: the tmx package loads lxml, which only writing needs
    from tmx._atomic import atomic_output

    with atomic_output(path, error=InputError) as raw:
        if "b" in mode:
            yield raw
            return
        text = io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline="")
        try:
            yield text
            text.flush()
        finally:
            text.detach()  # the binary file is atomic_output's to close


def write_json(path: str | os.PathLike[str], data: Any) -> None:
    """Write one JSON document atomically, keys sorted, one key per line."""
    with atomic_write(path) as handle:  # one write (dump would write each piece)
        handle.write(json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1) + "\n")


def json_line(record: Any) -> str:
    """One line of JSON Lines as every output writes it (keys sorted, UTF-8 kept), no line end.

    >>> json_line({"b": "Да", "a": 1})
    '{"a": 1, "b": "Да"}'
    """
    return json.dumps(record, ensure_ascii=False, sort_keys=True)


def write_jsonl(path: str | os.PathLike[str], records: Iterable[dict[str, Any]]) -> int:
    """Write one JSON object per line atomically; return the number of records."""
    count = 0
    with atomic_write(path) as handle:
        for record in records:
            handle.write(json_line(record) + "\n")
            count += 1
    return count

