"""The store of units: a TMX file is a header and a sequence of bilingual translation units."""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Union

from tmx.errors import TmxError
from tmx.inline import Content, content_xml, parse_content

PropsLike = Union[Mapping[str, str], Iterable[tuple[str, str]]]

TOOL_VERSION = "0.1.0"
SEGTYPES = ("block", "paragraph", "sentence", "phrase")
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
TMX_DATE = re.compile(r"\d{8}T\d{6}Z")  # whole value: use fullmatch


def _pairs(props: PropsLike) -> tuple[tuple[str, str], ...]:
    items = props.items() if isinstance(props, Mapping) else props
    return tuple([(str(key), str(value)) for key, value in items])


Pairs = tuple[tuple[str, str], ...]
#: The attributes of props and notes besides a prop's ``type`` (``xml:lang``, ``o-encoding``):
#: ``(kind, index, attributes)``, kind ``prop`` or ``note``, index among the props or notes;
#: sorted.
MetaAttrs = tuple[tuple[str, int, Pairs], ...]


def attrs_of(meta_attrs: MetaAttrs, kind: str, index: int) -> Pairs:
    """The attributes of the ``index``-th prop or note (none: an empty tuple)."""
    return next((attrs for k, i, attrs in meta_attrs if k == kind and i == index), ())


def with_attrs(items: Iterable[Any], meta_attrs: MetaAttrs, kind: str) -> list[tuple[Any, Pairs]]:
    """Props or notes each with its attributes, to move them about together."""
    return [(item, attrs_of(meta_attrs, kind, index)) for index, item in enumerate(items)]


def split_attrs(props: Iterable[tuple[tuple[str, str], Pairs]],
                notes: Iterable[tuple[str, Pairs]]) -> tuple[Pairs, tuple[str, ...], MetaAttrs]:
    """The inverse of :func:`with_attrs` for props and notes together."""
    props, notes = list(props), list(notes)
    meta = [("prop", index, attrs) for index, (_, attrs) in enumerate(props) if attrs]
    meta += [("note", index, attrs) for index, (_, attrs) in enumerate(notes) if attrs]
    return tuple(prop for prop, _ in props), tuple(note for note, _ in notes), tuple(sorted(meta))


def _meta_json(meta_attrs: MetaAttrs) -> list[Any]:
    return [[kind, index, [list(pair) for pair in attrs]] for kind, index, attrs in meta_attrs]


def _meta_from_json(data: Iterable[Any]) -> MetaAttrs:
    return tuple((kind, index, tuple(tuple(pair) for pair in attrs))  # type: ignore[misc]
                 for kind, index, attrs in data)


@dataclass(frozen=True)
class TuvInfo:
    """What a ``<tuv>`` carries besides its language and segment: attributes, props, notes."""

    attrs: tuple[tuple[str, str], ...] = ()
    props: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()
    meta_attrs: MetaAttrs = ()

    def __bool__(self) -> bool:
        return bool(self.attrs or self.props or self.notes)

    def to_json(self) -> dict[str, Any]:
        return {"attrs": [list(pair) for pair in self.attrs],
                "props": [list(pair) for pair in self.props], "notes": list(self.notes),
                "meta_attrs": _meta_json(self.meta_attrs)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> TuvInfo:
        if not data:
            return NO_TUV_INFO
        return cls(tuple(tuple(pair) for pair in data.get("attrs", ())),  # type: ignore[misc]
                   tuple(tuple(pair) for pair in data.get("props", ())),  # type: ignore[misc]
                   tuple(data.get("notes", ())), _meta_from_json(data.get("meta_attrs", ())))


NO_TUV_INFO = TuvInfo()


@dataclass(frozen=True)
class Variant:
    """A further ``<tuv>`` of a multilingual unit: language, plain text, markup, the rest."""

    lang: str
    text: str
    markup: Content | None = None
    info: TuvInfo = NO_TUV_INFO

    def xml(self) -> str:
        return content_xml(self.markup or (self.text,))

    def to_json(self, markup: bool = True) -> dict[str, Any]:
        return {"lang": self.lang, "text": self.text, "tuv": self.info.to_json(),
                "markup": content_xml(self.markup) if markup and self.markup else None}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Variant:
        return cls(data["lang"], data["text"],
                   parse_content(data["markup"]) if data.get("markup") else None,
                   TuvInfo.from_json(data.get("tuv")))


@dataclass(frozen=True)
class TmxUnit:
    """One translation unit: a source and a target segment with their languages and metadata.

    ``source`` and ``target`` are plain text (what scoring, filters and people read). A segment
    with inline markup (TMX level 2) also has ``source_markup``/``target_markup``: its content
    as text and :class:`tmx.inline.Inline` elements, which the writer writes instead.
    ``props`` are ``(type, value)`` pairs in file order (a mapping is accepted and converted);
    ``notes`` are free text; ``attrs`` are the other ``<tu>`` attributes (``srclang`` among
    them when the file had it); ``source_tuv``/``target_tuv`` what each ``<tuv>`` carries.
    ``others`` are the further variants of a multilingual unit (written after the target);
    ``meta_attrs`` the attributes of its props and notes (see :data:`MetaAttrs`).
    ``origin`` (``file:line``, set by the reader) names the unit in summaries.

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
    source_markup: Content | None = None
    target_markup: Content | None = None
    attrs: tuple[tuple[str, str], ...] = ()
    source_tuv: TuvInfo = NO_TUV_INFO
    target_tuv: TuvInfo = NO_TUV_INFO
    others: tuple[Variant, ...] = ()
    meta_attrs: MetaAttrs = ()
    origin: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if type(self.props) is not tuple:
            object.__setattr__(self, "props", _pairs(self.props))
        if type(self.notes) is not tuple:
            object.__setattr__(self, "notes", tuple(self.notes))

    def source_xml(self) -> str:
        """The source segment as TMX inline XML (plain text escaped when it has no markup)."""
        return content_xml(self.source_markup or (self.source,))

    def target_xml(self) -> str:
        """The target segment as TMX inline XML (plain text escaped when it has no markup)."""
        return content_xml(self.target_markup or (self.target,))

    def name(self) -> str:
        """How summaries name this unit: where it was read, else its tuid, else its text."""
        if self.origin:
            return self.origin + (f" (tuid {self.tuid})" if self.tuid else "")
        return f"tuid {self.tuid}" if self.tuid else repr(self.source[:40])

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

    def to_json(self, markup: bool = True) -> dict[str, Any]:
        """Every field; ``source_markup``/``target_markup`` as inline XML (None without markup,
        or when ``markup`` is False)."""
        data = {"source": self.source, "target": self.target, "src_lang": self.src_lang,
                "tgt_lang": self.tgt_lang, "props": [list(pair) for pair in self.props],
                "notes": list(self.notes), "tuid": self.tuid,
                "attrs": [list(pair) for pair in self.attrs],
                "source_tuv": self.source_tuv.to_json(), "target_tuv": self.target_tuv.to_json(),
                "others": [variant.to_json(markup) for variant in self.others],
                "meta_attrs": _meta_json(self.meta_attrs)}
        for side, content in (("source", self.source_markup), ("target", self.target_markup)):
            data[f"{side}_markup"] = content_xml(content) if markup and content else None
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TmxUnit:
        markup = {side: parse_content(data[f"{side}_markup"]) if data.get(f"{side}_markup")
                  else None for side in ("source", "target")}
        return cls(source=data["source"], target=data["target"], src_lang=data["src_lang"],
                   tgt_lang=data["tgt_lang"], props=[tuple(p) for p in data.get("props", ())],
                   notes=tuple(data.get("notes", ())), tuid=data.get("tuid"),
                   source_markup=markup["source"], target_markup=markup["target"],
                   attrs=tuple(tuple(pair) for pair in data.get("attrs", ())),  # type: ignore[misc]
                   source_tuv=TuvInfo.from_json(data.get("source_tuv")),
                   target_tuv=TuvInfo.from_json(data.get("target_tuv")),
                   others=tuple(Variant.from_json(other) for other in data.get("others", ())),
                   meta_attrs=_meta_from_json(data.get("meta_attrs", ())))


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
    #: the other attributes (``o-encoding``, ``creationid``, ``changedate``...), in file order
    extra: tuple[tuple[str, str], ...] = ()
    #: ``<ude>`` elements (user-defined encodings), as XML
    udes: tuple[str, ...] = ()
    meta_attrs: MetaAttrs = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "props", _pairs(self.props))
        object.__setattr__(self, "notes", tuple(self.notes))
        object.__setattr__(self, "extra", _pairs(self.extra))
        object.__setattr__(self, "udes", tuple(self.udes))

    def check_writable(self) -> None:
        """Raise :class:`TmxError` unless CAT tools will accept this header as written.

        The reader does not call this: files from other tools are read as they are.
        """
        if self.segtype not in SEGTYPES:
            raise TmxError(f"segtype {self.segtype!r} is not one of {', '.join(SEGTYPES)}")
        if not TMX_DATE.fullmatch(self.creationdate):
            raise TmxError(f"creationdate {self.creationdate!r} is not YYYYMMDDThhmmssZ")
        if self.creationtool.strip().lower() == "omegat":
            raise TmxError("creationtool 'OmegaT' makes OmegaT treat the file as its own "
                           "project memory: name the tool that really wrote it")

    def attributes(self) -> dict[str, str]:
        """The header's XML attributes, in the order of the TMX specification, then the rest."""
        return {"creationtool": self.creationtool,
                "creationtoolversion": self.creationtoolversion,
                "segtype": self.segtype, "o-tmf": self.o_tmf, "adminlang": self.adminlang,
                "srclang": self.srclang, "datatype": self.datatype,
                "creationdate": self.creationdate, **dict(self.extra)}

    def prop(self, prop_type: str, default: str | None = None) -> str | None:
        """The value of the first header prop of ``prop_type``, or ``default``."""
        return next((value for key, value in self.props if key == prop_type), default)


@dataclass
class LeftOut:
    """Units a command did not pass on, counted by reason and named (the first ``keep`` each).

    >>> left = LeftOut()
    >>> left.add("duplicate", "a.tmx:7 (tuid 3)")
    >>> left.summary()
    '1 left out: 1 duplicate (a.tmx:7 (tuid 3))'
    >>> left.to_json()
    {'duplicate': {'count': 1, 'units': ['a.tmx:7 (tuid 3)']}}
    """

    counts: Counter[str] = field(default_factory=Counter)
    names: dict[str, list[str]] = field(default_factory=dict)
    keep: int = 20

    def add(self, reason: str, name: str) -> None:
        self.counts[reason] += 1
        named = self.names.setdefault(reason, [])
        if len(named) < self.keep:
            named.append(name)

    def update(self, other: LeftOut) -> None:
        for reason, names in other.names.items():
            self.counts[reason] += other.counts[reason]
            room = self.keep - len(self.names.setdefault(reason, []))
            self.names[reason].extend(names[:max(room, 0)])

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def to_json(self) -> dict[str, Any]:
        return {reason: {"count": self.counts[reason], "units": self.names[reason]}
                for reason in sorted(self.counts)}

    def summary(self, shown: int = 3) -> str:
        """One line: ``N left out: n1 reason1 (names...), ...`` or ``none left out``."""
        if not self.counts:
            return "none left out"
        parts = []
        for reason in sorted(self.counts):
            names = self.names[reason][:shown]
            more = ", ..." if self.counts[reason] > len(names) else ""
            parts.append(f"{self.counts[reason]} {reason} ({', '.join(names)}{more})")
        return f"{self.total} left out: " + "; ".join(parts)
