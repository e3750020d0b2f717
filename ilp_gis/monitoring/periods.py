"""Reporting periods as planners write them: "Triwulan III 2026", "TW3 2026", "2026-Q3",
"September 2026", "Sep 2026", "2026-09", "Semester 1 2026", "2026".

A :class:`Period` has a canonical ``code`` ("2026-Q3", "2026-09", "2026-S1", "2026") that is
what the history tables store, a ``kind`` (month, quarter, semester, year), start and end dates
and a label in the UI language.  Periods sort by start date, then by length (a month before the
quarter that starts with it).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ilp_gis.errors import InputError
from ilp_gis.i18n import register_catalog, tr

MONTH = "month"
QUARTER = "quarter"
SEMESTER = "semester"
YEAR = "year"
_MONTHS_IN = {MONTH: 1, QUARTER: 3, SEMESTER: 6, YEAR: 12}

# Month names and their usual abbreviations in Bahasa Indonesia and English.
_MONTH_NAMES = {
    1: ("januari", "january", "jan"),
    2: ("februari", "pebruari", "february", "feb", "peb"),
    3: ("maret", "march", "mar"),
    4: ("april", "apr"),
    5: ("mei", "may"),
    6: ("juni", "june", "jun"),
    7: ("juli", "july", "jul"),
    8: ("agustus", "august", "agu", "agt", "ags", "aug"),
    9: ("september", "sept", "sep"),
    10: ("oktober", "october", "okt", "oct"),
    11: ("november", "nopember", "nov", "nop"),
    12: ("desember", "december", "des", "dec"),
}
_MONTH_OF = {name: m for m, names in _MONTH_NAMES.items() for name in names}
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_YEAR_MIN, _YEAR_MAX = 1990, 2100


@dataclass(frozen=True)
class Period:
    kind: str
    year: int
    index: int = 1  # month 1..12, quarter 1..4, semester 1..2; 1 for a year

    @property
    def code(self) -> str:
        if self.kind == MONTH:
            return f"{self.year}-{self.index:02d}"
        if self.kind == QUARTER:
            return f"{self.year}-Q{self.index}"
        if self.kind == SEMESTER:
            return f"{self.year}-S{self.index}"
        return str(self.year)

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.first_month, 1)

    @property
    def first_month(self) -> int:
        return (self.index - 1) * _MONTHS_IN[self.kind] + 1 if self.kind != YEAR else 1

    @property
    def end(self) -> dt.date:
        """The last day of the period."""
        last = self.first_month + _MONTHS_IN[self.kind] - 1
        nxt = dt.date(self.year + 1, 1, 1) if last == 12 else dt.date(self.year, last + 1, 1)
        return nxt - dt.timedelta(days=1)

    @property
    def months(self) -> tuple[str, ...]:
        """The month codes inside the period ("2026-07", "2026-08", "2026-09" for 2026-Q3)."""
        return tuple(f"{self.year}-{m:02d}" for m in
                     range(self.first_month, self.first_month + _MONTHS_IN[self.kind]))

    def label(self, lang: str | None = None) -> str:
        if self.kind == MONTH:
            return tr("period.month", lang=lang, month=tr(f"period.month.{self.index}", lang=lang),
                      year=str(self.year))
        if self.kind == QUARTER:
            return tr("period.quarter", lang=lang, roman=("I", "II", "III", "IV")[self.index - 1],
                      n=self.index, year=str(self.year))
        if self.kind == SEMESTER:
            return tr("period.semester", lang=lang, n=self.index, year=str(self.year))
        return tr("period.year", lang=lang, year=str(self.year))

    def sort_key(self) -> tuple:
        return (self.start, _MONTHS_IN[self.kind])

    def contains(self, other: Period) -> bool:
        return self.start <= other.start and other.end <= self.end

    def __str__(self) -> str:
        return self.code


def _year(text: str) -> int | None:
    y = int(text)
    return y if _YEAR_MIN <= y <= _YEAR_MAX else None


_PATTERNS: tuple[tuple[re.Pattern, str, str], ...] = (
    # (pattern, kind, which group order: "yi" = year then index, "iy" = index then year)
    (re.compile(r"^(\d{4})$"), YEAR, "y"),
    (re.compile(r"^(?:tahun|year|ta)\s*(\d{4})$"), YEAR, "y"),
    (re.compile(r"^(\d{4})\s*[-/ ]\s*(\d{1,2})$"), MONTH, "yi"),
    (re.compile(r"^(\d{1,2})\s*[-/ ]\s*(\d{4})$"), MONTH, "iy"),
    (re.compile(r"^(\d{4})\s*-?\s*(?:q|tw)\s*([1-4])$"), QUARTER, "yi"),
    (re.compile(r"^(?:q|tw|triwulan|quarter|kuartal)\s*([1-4]|i{1,3}|iv)\s*[-/ ]?\s*(\d{4})$"),
     QUARTER, "iy"),
    (re.compile(r"^(\d{4})\s*-?\s*(?:s|sem)\s*([12])$"), SEMESTER, "yi"),
    (re.compile(r"^(?:s|sem|semester)\s*([12]|i{1,2})\s*[-/ ]?\s*(\d{4})$"), SEMESTER, "iy"),
    (re.compile(r"^([a-z]+)\.?\s*[-/ ]?\s*(\d{4})$"), MONTH, "ny"),
)


def parse_period(value: object) -> Period:
    """The period ``value`` names (text as above, a date or datetime = its month); an
    :class:`InputError` in the UI language otherwise."""
    if isinstance(value, Period):
        return value
    if isinstance(value, dt.datetime | dt.date):
        return Period(MONTH, value.year, value.month)
    text = " ".join(str(value or "").strip().lower().split())
    for pattern, kind, order in _PATTERNS:
        m = pattern.match(text)
        if not m:
            continue
        if order == "y":
            year = _year(m.group(1))
            if year is not None:
                return Period(YEAR, year)
            break
        a, b = m.group(1), m.group(2)
        y_text, i_text = (a, b) if order == "yi" else (b, a)
        year = _year(y_text)
        if year is None:
            break
        if order == "ny":
            month = _MONTH_OF.get(i_text)
            if month is None:
                break
            return Period(MONTH, year, month)
        index = _ROMAN[i_text] if i_text in _ROMAN else int(i_text)
        limit = {MONTH: 12, QUARTER: 4, SEMESTER: 2}[kind]
        if 1 <= index <= limit:
            return Period(kind, year, index)
        break
    raise InputError(tr("period.bad", value=str(value)))


def sort_periods(periods) -> list[Period]:
    return sorted((parse_period(p) for p in periods), key=Period.sort_key)


register_catalog("ilp_gis", "monitoring.periods")
