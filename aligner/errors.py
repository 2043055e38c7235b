"""One base error for the library; the CLI turns these into one-line messages.

Library code raises; only :mod:`aligner.cli` decides exit codes. Messages name the file
and the problem, then say what to try next.
"""


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


class UnsupportedLanguageError(InputError):
    """A document's language has no sentence splitter (its text cannot be split safely)."""
