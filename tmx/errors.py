"""The errors of the ``tmx`` package: one base class, so callers can catch them all."""

from __future__ import annotations


class TmxError(Exception):
    """Base class of every error :mod:`tmx` reports: the message names the file and the problem."""


class TmxParseError(TmxError):
    """A TMX file is unreadable: not well-formed, truncated, hostile, or not TMX at all."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


class TmxWriteError(TmxError):
    """A TMX file cannot be written with the units or header given (e.g. mixed source languages)."""


class TmxUsageError(TmxError):
    """Options that cannot work together (e.g. one language for source and target)."""
