"""Document metadata: publication dates written in the text, and headline shape.

Dates come out as ISO 8601: ``YYYY-MM-DD``, with ``THH:MM`` when the text gives a time.

>>> find_date("29.04.2022, 11:38 27061")
'2022-04-29T11:38'
>>> find_date(" date 2022-04-25 NUR-SULTAN. KAZINFORM –")
'2022-04-25'
>>> find_date("ТАСС 30.03.24 Слов: 248"), find_date("25 апреля 2022 года")
('2024-03-30', '2022-04-25')
>>> find_date("April 5, 2021"), find_date("no date 31.02.2022")
('2021-04-05', None)
"""

from __future__ import annotations

import re
from datetime import date

_RU_MONTHS = ("январ", "феврал", "март", "апрел", "ма", "июн", "июл", "август", "сентябр",
              "октябр", "ноябр", "декабр")
_EN_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
              "dec")
_TIME = r"(?:,?\s*(?:в\s+|at\s+)?(?P<hour>[01]?\d|2[0-3]):(?P<minute>[0-5]\d))?"
_DATE_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?<![\d.])(?P<year>(?:19|20)\d\d)-(?P<month>[01]\d)-(?P<day>[0-3]\d)"
               r"(?:[T ](?P<hour>[01]\d|2[0-3]):(?P<minute>[0-5]\d))?(?![\d])"),
    re.compile(r"(?<![\d.])(?P<day>[0-3]?\d)\.(?P<month>[01]?\d)\.(?P<year>(?:19|20)?\d\d)"
               r"(?![\d.]\d)" + _TIME),
    re.compile(r"(?<!\d)(?P<day>[0-3]?\d)\s+(?P<mname>[а-яёa-z]{3,9})\.?,?\s+"
               r"(?P<year>(?:19|20)\d\d)(?!\d)" + _TIME, re.IGNORECASE),
    re.compile(r"\b(?P<mname>[a-z]{3,9})\.?\s+(?P<day>[0-3]?\d),?\s+(?P<year>(?:19|20)\d\d)"
               r"(?!\d)" + _TIME, re.IGNORECASE),
)
_DIGIT = re.compile(r"\d")
# A leading "date 2022-04-25" / "Дата: 25.04.2022" label that introduces a paragraph.
_DATE_LABEL = re.compile(r"^\s*(?:date|dated|published|updated|posted|дата|опубликовано|"
                         r"обновлено)\s*:?\s*", re.IGNORECASE)


def find_date(text: str) -> str | None:
    """The first valid date written in ``text``, as an ISO 8601 string, or None."""
    if not _DIGIT.search(text):
        return None
    found: list[tuple[int, str]] = []
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            iso = _iso(match)
            if iso:
                found.append((match.start(), iso))
                break
    return min(found)[1] if found else None


def split_date_label(text: str) -> tuple[str, str] | None:
    """Split ``"date 2022-04-25 NUR-SULTAN..."`` into the label with its date and the rest.

    >>> split_date_label(" date 2022-04-25 NUR-SULTAN. KAZINFORM – Text.")
    ('date 2022-04-25', 'NUR-SULTAN. KAZINFORM – Text.')
    >>> split_date_label("Text with a date 2022-04-25 inside.") is None
    True
    """
    label = _DATE_LABEL.match(text)
    if not label:
        return None
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text, label.end())
        if match and _iso(match):
            return text[label.start():match.end()].strip(), text[match.end():].strip()
    return None


def _iso(match: re.Match[str]) -> str | None:
    groups = match.groupdict()
    month = _month_number(groups.get("mname")) if groups.get("mname") else int(groups["month"])
    year = int(groups["year"])
    if year < 100:
        year += 2000
    try:
        day = date(year, month or 0, int(groups["day"]))
    except ValueError:
        return None
    if groups.get("hour"):
        return f"{day.isoformat()}T{int(groups['hour']):02d}:{groups['minute']}"
    return day.isoformat()


def _month_number(name: str | None) -> int | None:
    name = (name or "").lower()
    for number, stem in enumerate(_RU_MONTHS, start=1):
        if name.startswith(stem) and (stem != "ма" or name in ("мая", "май")):
            return number
    for number, stem in enumerate(_EN_MONTHS, start=1):
        if name.startswith(stem):
            return number
    return None
