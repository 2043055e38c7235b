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


class EditError(AlignerError):
    """A review edit that does not apply to the pair as it is now (a bead or sentence out of
    range, a merge past the last bead, a split that leaves one part empty)."""


class StaleEditError(EditError):
    """A review edit made against an earlier version of the pair (another tab, a late click)."""


class UnknownPairError(EditError):
    """A review request names a pair the run under review does not have."""
