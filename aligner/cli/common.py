"""Helpers shared by the CLI commands: error reporting, output, progress bars."""

from __future__ import annotations

import functools
import json
import os
import re
import sys
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import click

from aligner.errors import AlignerError, ConfigurationError
from aligner.io import BROKEN_LINK, path_text
from aligner.threads import use_threads

F = TypeVar("F", bound=Callable[..., Any])


class UserError(click.ClickException):
    """A one-line ``Error: ...`` with the exit code of the library error behind it."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def reports_errors(command: F) -> F:
    """Turn :class:`AlignerError` (and unreadable files) into a one-line message and exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except AlignerError as error:
            raise UserError(str(error), error.exit_code) from None
        except BrokenPipeError:
            raise  # the reader went away: the command group ends quietly
        except OSError as error:
            where = f"{error.filename}: " if error.filename else ""
            raise UserError(f"{where}{error.strerror or error}") from None

    return wrapper  # type: ignore[return-value]


class _CheckedPath(click.Path):
    """A click path of a kind (file, folder or either: help, metavar and shell completion
    keep it) whose problems are one-line usage errors (exit 2) naming the path, not click's
    usage screen."""

    def __init__(self, *, file_okay: bool = True, dir_okay: bool = True,
                 path_type: type[Any] | None = None) -> None:
        super().__init__(file_okay=file_okay, dir_okay=dir_okay, readable=False,
                         path_type=path_type)

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        problem = self._problem(os.fsdecode(value))
        if problem:
            raise UserError(f"{path_text(value)}: {problem}", ConfigurationError.exit_code)
        return self.coerce_path_result(value)  # click's own checks would show a usage screen

    def _problem(self, path: str) -> str | None:
        raise NotImplementedError

    def _wrong_kind(self, folder: bool) -> str | None:
        if folder and not self.dir_okay:
            return "is a folder; give a file"
        if not folder and not self.file_okay:
            return "is not a folder; give a folder"
        return None


class InputPath(_CheckedPath):
    """A click type for an input path given on the command line: one that is missing,
    unreadable or of the wrong kind (a folder for a file) is a usage error (exit 2), told in
    one line that names the path. What is wrong inside a readable file is the command's to
    tell (a data error, exit 1).

    :param hint: added to the message for a path that is missing, e.g. "give the path of a
        downloaded .argosmodel".
    """

    def __init__(self, *, file_okay: bool = True, dir_okay: bool = True,
                 path_type: type[Any] | None = None, hint: str | None = None) -> None:
        super().__init__(file_okay=file_okay, dir_okay=dir_okay, path_type=path_type)
        self.hint = hint

    def _problem(self, path: str) -> str | None:
        if not os.path.exists(path):
            missing = (BROKEN_LINK if os.path.islink(path)
                       else "no such file or directory")
            return f"{missing}; {self.hint}" if self.hint else missing
        folder = os.path.isdir(path)
        if not os.access(path, os.R_OK | (os.X_OK if folder else 0)):
            return "cannot read it (permission denied)"
        return self._wrong_kind(folder)


class OutputPath(_CheckedPath):
    """A click type for an output path (``-o``): one that exists as the wrong kind (a folder
    for a file, a file for a folder) is a one-line usage error naming it. Whether it can be
    written is found out when it is (a data error naming it, from ``aligner.io``)."""

    def _problem(self, path: str) -> str | None:
        return self._wrong_kind(os.path.isdir(path)) if os.path.exists(path) else None


quiet_option = click.option("--quiet", "-q", is_flag=True,
                            help="No progress bars or summaries; with -o, pair and score "
                                 "print no listing on stdout either. Warnings and errors "
                                 "still print.")
json_option = click.option("--json", "as_json", is_flag=True,
                           help="Print a machine-readable JSON summary on stdout.")


_REGIONAL = re.compile(r"^([a-z]{2,3})[-_][a-z0-9]{2,8}$")


def language_code(_context: click.Context, option: click.Parameter,
                  value: str | None) -> str | None:
    """An option callback: a language code as the library wants it, lower case (``RU`` is
    ``ru``); a locale such as ``ru-RU`` is a usage error that names the language alone.
    Anything else goes on as given, for the library to refuse in its own words."""
    from aligner.records import LANG_CODE  # records load on first use: --help stays quick

    if value is None:
        return None
    code = value.strip().lower()
    regional = _REGIONAL.match(code)
    if regional:
        raise UserError(f"{option.opts[0]} {value!r}: give the language alone, e.g. "
                        f"{regional.group(1)} (TMX locale codes: aligner tmx convert or merge "
                        "--locale-style region)", ConfigurationError.exit_code)
    return code if LANG_CODE.match(code) else value


def _use_threads(_context: click.Context, _parameter: click.Parameter, count: int) -> int:
    use_threads(count)
    return count


threads_option = click.option(
    "--threads", type=click.IntRange(min=1), default=1, show_default=True, expose_value=False,
    callback=_use_threads,
    help="CPU threads of this process for BLAS and CTranslate2 (e.g. --threads 2 on an idle "
         "machine of your own); worker processes use one each. Outputs do not depend on it.")


def echo_json(data: Any) -> None:
    """Print ``data`` as JSON on stdout (sorted keys, UTF-8 kept readable)."""
    click.echo(json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2))


def warn(message: str) -> None:
    """A one-line warning on stderr; ``--quiet`` keeps it (it silences progress and
    summaries only), so nothing is left out unsaid."""
    click.echo(f"Warning: {message}", err=True)


def warn_skipped(path: str, reason: str) -> None:
    """The warning for a file left out of the input: ``PATH: skipped: REASON``."""
    warn(f"{path}: skipped: {reason}")


def progress(items: Iterable[Any], desc: str, quiet: bool, total: int | None = None,
             unit: str = "it") -> Iterable[Any]:
    """A tqdm progress bar on stderr; silent with ``--quiet`` or when stderr is not a terminal."""
    from tqdm import tqdm

    return tqdm(items, desc=desc, total=total, unit=unit, file=sys.stderr,
                disable=quiet or None, leave=False)
