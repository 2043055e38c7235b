"""Check a TMX file against the TMX 1.4 DTD and the rules CAT tools enforce beyond it.

Streaming: each ``<header>`` and ``<tu>`` is checked against the DTD as it is parsed, so a
file of millions of units is validated in flat memory. Every issue carries its line number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from typing import Any, Literal

from lxml import etree

from tmx.errors import TmxParseError
from tmx.model import TMX_DATE
from tmx.parse import Source, check_no_entities, iter_tmx, source_name
from tmx.reader import seg_text, tuv_lang
from tmx.text import DISCOURAGED, is_bcp47, primary_language

Level = Literal["error", "warning"]
DATE_ATTRIBUTES = ("creationdate", "changedate", "lastusagedate")
# lxml validates a subtree as if it were a document and then complains about the implicit
# xml namespace declaration it added itself: not a problem of the file.
_SPURIOUS_DTD_MESSAGE = "No declaration for attribute xmlns:xml"


@lru_cache(maxsize=1)
def tmx14_dtd() -> etree.DTD:
    """The TMX 1.4 DTD shipped with this package (identical to OmegaT's copy)."""
    with files("tmx").joinpath("tmx14.dtd").open("rb") as handle:
        return etree.DTD(handle)


@dataclass(frozen=True)
class Issue:
    """One problem found in a file, at a line."""

    line: int | None
    level: Level
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        return f"{where}: {self.level}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line, "level": self.level, "message": self.message}


@dataclass
class ValidationReport:
    """The issues of one file; ``ok`` when there is no error (warnings allowed)."""

    path: str
    units: int = 0
    issues: list[Issue] = field(default_factory=list)
    truncated: bool = False

    @property
    def errors(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.level == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.level == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "ok": self.ok, "units": self.units,
                "errors": len(self.errors), "warnings": len(self.warnings),
                "issues_truncated": self.truncated,
                "issues": [issue.to_json() for issue in self.issues]}


class _Checker:
    """Collects issues while the file streams past."""

    def __init__(self, report: ValidationReport, max_issues: int) -> None:
        self.report = report
        self.max_issues = max_issues
        self.srclang = ""
        self.dtd_applies = True
        self.tuids: set[str] = set()

    def add(self, line: int | None, level: Level, message: str) -> None:
        if len(self.report.issues) >= self.max_issues:
            self.report.truncated = True
            return
        self.report.issues.append(Issue(line, level, message))

    def root(self, root: etree._Element) -> None:
        version = root.get("version", "")
        if version != "1.4":
            self.dtd_applies = False
            self.add(root.sourceline, "warning", f"TMX version {version or '(none)'}: "
                     "older TMX is readable, but only 1.4 is checked against the DTD")

    def dtd(self, element: etree._Element) -> None:
        if not self.dtd_applies:
            return
        dtd = tmx14_dtd()
        if dtd.validate(element):
            return
        for entry in dtd.error_log:
            if _SPURIOUS_DTD_MESSAGE not in entry.message:
                self.add(entry.line or element.sourceline, "error", f"DTD: {entry.message}")

    def dates(self, element: etree._Element) -> None:
        for attribute in DATE_ATTRIBUTES:
            value = element.get(attribute)
            if value is not None and not TMX_DATE.fullmatch(value):
                self.add(element.sourceline, "error", f"<{element.tag} {attribute}=\"{value}\">"
                         " is not a TMX date YYYYMMDDThhmmssZ (UTC)")

    def lang(self, line: int | None, code: str, what: str) -> None:
        if not code:
            self.add(line, "error", f"{what} has no language (xml:lang)")
        elif primary_language(code) != code.split("-")[0].lower() or "_" in code:
            self.add(line, "error", f"{what} language {code!r} is not BCP 47 (write "
                     f"{primary_language(code)!r}, with a hyphen before a region): "
                     "OmegaT silently ignores such units")
        elif not is_bcp47(code):
            self.add(line, "warning", f"{what} language {code!r}: write BCP 47 as 'ru' or "
                     "'ru-RU' (lower-case language, hyphen)")

    def header(self, header: etree._Element) -> None:
        self.dtd(header)
        self.dates(header)
        self.srclang = header.get("srclang", "")
        if self.srclang.lower() != "*all*":
            self.lang(header.sourceline, self.srclang, "header srclang")
        if header.get("creationtool", "").strip().lower() == "omegat":
            self.add(header.sourceline, "warning", "creationtool=\"OmegaT\": OmegaT will treat "
                     "this file as one of its own project memories")

    def tu(self, tu: etree._Element) -> None:
        self.report.units += 1
        self.dtd(tu)
        self.dates(tu)
        self._tuid(tu)
        tuvs = [tuv for tuv in tu if tuv.tag == "tuv"]
        if len(tuvs) < 2:
            self.add(tu.sourceline, "warning", f"<tu> has {len(tuvs)} <tuv>: no translation")
        for tuv in tuvs:
            self.dates(tuv)
            self.lang(tuv.sourceline, tuv_lang(tuv), "<tuv>")
            seg = tuv.find("seg")
            if seg is not None:
                self._seg(seg)
        self._srclang(tu, [tuv_lang(tuv) for tuv in tuvs])

    def _tuid(self, tu: etree._Element) -> None:
        tuid = tu.get("tuid")
        if tuid is None:
            return
        if any(char.isspace() for char in tuid):
            self.add(tu.sourceline, "warning", f"tuid {tuid!r} contains whitespace")
        if tuid in self.tuids:
            self.add(tu.sourceline, "warning", f"tuid {tuid!r} is not unique")
        self.tuids.add(tuid)

    def _srclang(self, tu: etree._Element, langs: list[str]) -> None:
        srclang = tu.get("srclang") or self.srclang
        if srclang.lower() == "*all*" or srclang in langs:
            return
        if primary_language(srclang) in {primary_language(lang) for lang in langs}:
            self.add(tu.sourceline, "warning", f"srclang {srclang!r} matches a <tuv> only "
                     "by language, not exactly: Trados skips units of another locale")
        else:
            self.add(tu.sourceline, "error", f"no <tuv> in the source language {srclang!r} "
                     f"(found {', '.join(langs) or 'none'}): OmegaT cannot use this unit")

    def _seg(self, seg: etree._Element) -> None:
        text = seg_text(seg)
        if not text.strip():
            self.add(seg.sourceline, "error", "empty <seg>: a CAT tool would apply an empty "
                     "translation and blank the sentence")
        elif text != text.strip():
            self.add(seg.sourceline, "warning", "whitespace around the <seg> text stops "
                     "exact matches")
        discouraged = DISCOURAGED.search(text)
        if discouraged:
            self.add(seg.sourceline, "warning", f"control character "
                     f"U+{ord(discouraged.group()):04X} in <seg>")

    def structure(self, root: etree._Element | None) -> None:
        if root is None:
            return
        children = [child.tag for child in root if isinstance(child.tag, str)]
        if children != ["header", "body"]:
            self.add(root.sourceline, "error", f"<tmx> must contain <header> then <body>, "
                     f"found {', '.join(f'<{tag}>' for tag in children) or 'nothing'}")


def validate(source: Source, max_issues: int = 1000) -> ValidationReport:
    """Validate a TMX file; never raises for a bad file (a parse failure is an error issue).

    >>> import io
    >>> bad = (b'<tmx version="1.4"><header creationtool="t" creationtoolversion="1" '
    ...        b'segtype="sentence" o-tmf="t" adminlang="en" srclang="ru" datatype="plaintext"/>'
    ...        b'<body>\\n<tu><tuv xml:lang="en"><seg>Yes</seg></tuv>'
    ...        b'<tuv xml:lang="ru_RU"><seg> </seg></tuv></tu></body></tmx>')
    >>> for issue in validate(io.BytesIO(bad)).issues: print(str(issue)[:50])
    line 2: error: <tuv> language 'ru_RU' is not BCP 4
    line 2: error: empty <seg>: a CAT tool would apply
    line 2: warning: srclang 'ru' matches a <tuv> only
    """
    name = source_name(source)
    report = ValidationReport(path=name)
    checker = _Checker(report, max_issues)
    root = None
    try:
        for event, element in iter_tmx(source):
            if event == "start":
                root = element
                checker.root(element)
                continue
            check_no_entities(name, element)
            if element.tag == "header":
                checker.header(element)
            elif element.tag == "tu":
                checker.tu(element)
            else:
                checker.add(element.sourceline, "error", f"unexpected <{element.tag}> "
                            "(only <tu> belongs in <body>)")
    except TmxParseError as error:
        checker.add(error.line, "error", str(error).removeprefix(f"{name}: "))
        return report
    checker.structure(root)
    return report

