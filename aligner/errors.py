"""One base error for the library; the CLI turns these into one-line messages.

Library code raises; only :mod:`aligner.cli` decides exit codes. Messages name the file
and the problem, then say what to try next.
"""

from __future__ import annotations

import sys
import warnings
from typing import Any


class AlignerError(Exception):
    """Base class of every error the toolkit reports to a user (exit code 1)."""

    exit_code = 1


class InputError(AlignerError):
    """A user-supplied file or folder cannot be used (missing, binary, empty, undecodable)."""


class ConfigurationError(AlignerError):
    """An option, config key or combination of options is invalid (exit code 2)."""

    exit_code = 2


class ModelError(AlignerError):
    """A translation or embedding model is missing, broken or of the wrong language pair."""


class EditError(AlignerError):
    """A review edit that does not apply to the pair as it is now (a bead or sentence out of
    range, a merge past the last bead, a split that leaves one part empty)."""


class StaleEditError(EditError):
    """A review edit made against an earlier version of the pair (another tab, a late click)."""


class UnknownPairError(EditError):
    """A review request names a pair the run under review does not have."""


class UnsupportedLanguageError(InputError):
    """A document's language has no sentence splitter (its text cannot be split safely)."""


class AlignerWarning(UserWarning):
    """Something was skipped or worked around, and the work went on (a damaged cache set
    aside, a broken model package passed over); shown as one ``Warning:`` line."""


def show_warnings_on_one_line() -> None:
    """Print :class:`AlignerWarning` as ``Warning: message`` on stderr (no source line).

    Called by the CLI and in worker processes; other warnings keep Python's format.
    """
    original = warnings.showwarning
    if getattr(original, "one_line", False):
        return

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
             file: Any = None, line: str | None = None) -> None:
        if issubclass(category, AlignerWarning):
            (file or sys.stderr).write(f"Warning: {message}\n")
        else:
            original(message, category, filename, lineno, file, line)

    show.one_line = True  # type: ignore[attr-defined]
    warnings.showwarning = show
