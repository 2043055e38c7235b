"""The store of units: a TMX file is a header and a sequence of bilingual translation units."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Union

from tmx.errors import TmxError

PropsLike = Union[Mapping[str, str], Iterable[tuple[str, str]]]

TOOL_VERSION = "0.1.0"
SEGTYPES = ("block", "paragraph", "sentence", "phrase")
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
TMX_DATE = re.compile(r"^\d{8}T\d{6}Z$")


def _pairs(props: PropsLike) -> tuple[tuple[str, str], ...]:
    items = props.items() if isinstance(props, Mapping) else props
    return tuple([(str(key), str(value)) for key, value in items])


@dataclass(frozen=True)
class TmxUnit:
    """One translation unit: a source and a target segment with their languages and metadata.

    ``props`` are ``(type, value)`` pairs in file order (a mapping is accepted and converted);
    ``notes`` are free text.

    >>> unit = TmxUnit("Кошка.", "The cat.", "ru", "en", props={"x-align-score": "0.9"})
    >>> unit.prop("x-align-score"), unit.props
    ('0.9', (('x-align-score', '0.9'),))
    """

    source: str
    target: str
    src_lang: str
    tgt_lang: str
    props: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()
    tuid: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "props", _pairs(self.props))
        object.__setattr__(self, "notes", tuple(self.notes))

    def prop(self, prop_type: str, default: str | None = None) -> str | None:
        """The value of the first prop of ``prop_type``, or ``default``."""
        return next((value for key, value in self.props if key == prop_type), default)

    def score(self, prop_type: str = "x-align-score") -> float | None:
        """A numeric prop as a float, or None when it is absent or not a number."""
        value = self.prop(prop_type)
        try:
            return None if value is None else float(value)
        except ValueError:
            return None

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "target": self.target, "src_lang": self.src_lang,
                "tgt_lang": self.tgt_lang, "props": [list(pair) for pair in self.props],
                "notes": list(self.notes), "tuid": self.tuid}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TmxUnit:
        return cls(source=data["source"], target=data["target"], src_lang=data["src_lang"],
                   tgt_lang=data["tgt_lang"], props=[tuple(p) for p in data.get("props", ())],
                   notes=tuple(data.get("notes", ())), tuid=data.get("tuid"))


def tmx_date(moment: datetime | None = None) -> str:
    """A TMX date ``YYYYMMDDThhmmssZ`` in UTC; without ``moment``, now (or ``SOURCE_DATE_EPOCH``).

    ``SOURCE_DATE_EPOCH`` (reproducible builds convention) makes outputs byte-identical.

    >>> tmx_date(datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc))
    '20240102T030405Z'
    """
    if moment is None:
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        moment = (datetime.fromtimestamp(int(epoch), timezone.utc) if epoch and epoch.isdigit()
                  else datetime.now(timezone.utc))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime(DATE_FORMAT)


@dataclass(frozen=True)
class TmxHeader:
    """The ``<header>``: the seven attributes TMX requires, the creation date, props and notes.

    >>> TmxHeader(srclang="ru", creationdate="20240101T000000Z").attributes()["srclang"]
    'ru'
    """

    srclang: str
    creationtool: str = "tmx"
    creationtoolversion: str = TOOL_VERSION
    segtype: str = "sentence"
    o_tmf: str = "plaintext"
    adminlang: str = "en"
    datatype: str = "plaintext"
    creationdate: str = field(default_factory=tmx_date)
    props: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "props", _pairs(self.props))
        object.__setattr__(self, "notes", tuple(self.notes))

    def check_writable(self) -> None:
        """Raise :class:`TmxError` unless CAT tools will accept this header as written.

        The reader does not call this: files from other tools are read as they are.
        """
        if self.segtype not in SEGTYPES:
            raise TmxError(f"segtype {self.segtype!r} is not one of {', '.join(SEGTYPES)}")
        if not TMX_DATE.match(self.creationdate):
            raise TmxError(f"creationdate {self.creationdate!r} is not YYYYMMDDThhmmssZ")
        if self.creationtool.strip().lower() == "omegat":
            raise TmxError("creationtool 'OmegaT' makes OmegaT treat the file as its own "
                           "project memory: name the tool that really wrote it")

    def attributes(self) -> dict[str, str]:
        """The header's XML attributes, in the order of the TMX specification."""
        return {"creationtool": self.creationtool,
                "creationtoolversion": self.creationtoolversion,
                "segtype": self.segtype, "o-tmf": self.o_tmf, "adminlang": self.adminlang,
                "srclang": self.srclang, "datatype": self.datatype,
                "creationdate": self.creationdate}

    def prop(self, prop_type: str, default: str | None = None) -> str | None:
        """The value of the first header prop of ``prop_type``, or ``default``."""
        return next((value for key, value in self.props if key == prop_type), default)
