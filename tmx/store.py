"""An in-memory TMX file: a header and a list of units, for small memories and tests.

Large memories should stream (:class:`tmx.TmxWriter`, :func:`tmx.read_units`); this store is
the same writer and reader around a list.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from typing import BinaryIO

from tmx.errors import TmxParseError
from tmx.model import TmxHeader, TmxUnit
from tmx.parse import Source
from tmx.reader import TmxReader
from tmx.writer import TmxWriter, WriteStats, write_tmx


@dataclass
class TmxFile:
    """A TMX file held in memory.

    >>> store = TmxFile(TmxHeader(srclang="ru", creationdate="20240101T000000Z"))
    >>> store.add_unit(TmxUnit("Да.", "Yes.", "ru", "en", props={"x-align-score": "0.9"}))
    >>> TmxFile.parse(bytes(store)) == store
    True
    """

    header: TmxHeader
    units: list[TmxUnit] = field(default_factory=list)

    def add_unit(self, unit: TmxUnit) -> None:
        """Append a unit (cleaning and deduplication happen when the file is written)."""
        self.units.append(unit)

    def serialize(self, stream: BinaryIO, locale_style: str = "keep",
                  duplicates: str = "none") -> WriteStats:
        """Write the file to a binary stream."""
        with TmxWriter(stream, self.header, locale_style, duplicates) as writer:
            return writer.write_all(self.units)

    def __bytes__(self) -> bytes:
        out = io.BytesIO()
        self.serialize(out)
        return out.getvalue()

    def save(self, path: str | os.PathLike[str], locale_style: str = "keep",
             duplicates: str = "none") -> WriteStats:
        """Write the file to ``path`` atomically."""
        return write_tmx(path, self.units, self.header, locale_style, duplicates)

    @classmethod
    def read(cls, source: Source, tgt_lang: str | None = None,
             src_lang: str | None = None) -> TmxFile:
        """Read a whole TMX file (safely) into memory."""
        reader = TmxReader(source, tgt_lang, src_lang)
        units = list(reader)
        if reader.header is None:
            raise TmxParseError(f"{reader.name}: no <header> element: not a TMX file")
        return cls(reader.header, units)

    @classmethod
    def parse(cls, data: bytes) -> TmxFile:
        """Parse TMX bytes (safely)."""
        return cls.read(io.BytesIO(data))
