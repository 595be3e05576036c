"""Report periods (报告期): a year, a quarter or a month, parsed from what staff type."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from .errors import ValidationFailed
from .i18n import msg

FIRST_YEAR = 2000
LAST_YEAR = 2100
KINDS = ("year", "quarter", "month")

_PATTERNS = (
    ("year", re.compile(r"(\d{4})年?")),
    ("quarter", re.compile(r"(\d{4})\s*[Qq]\s*(\d{1,2})")),
    ("quarter", re.compile(r"(\d{4})年?第?(\d{1,2})季度?")),
    ("month", re.compile(r"(\d{4})\s*[-/.]\s*(\d{1,2})")),
    ("month", re.compile(r"(\d{4})年(\d{1,2})月")),
)


def _refuse(message: str, **params) -> ValidationFailed:
    return ValidationFailed({"period": msg(message, **params)})


@dataclass(frozen=True)
class Period:
    """``number`` is the quarter (1–4) or month (1–12); 0 for a whole year."""

    kind: str
    year: int
    number: int = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown period kind {self.kind!r}")
        if not FIRST_YEAR <= self.year <= LAST_YEAR:
            raise _refuse("年份应在 {first}–{last} 之间", first=FIRST_YEAR, last=LAST_YEAR)
        limit = {"year": 0, "quarter": 4, "month": 12}[self.kind]
        if self.kind == "year" and self.number != 0:
            raise ValueError("a year period has no number")
        if self.kind == "quarter" and not 1 <= self.number <= limit:
            raise _refuse("季度应为 1–4，而不是 {n}", n=self.number)
        if self.kind == "month" and not 1 <= self.number <= limit:
            raise _refuse("月份应为 1–12，而不是 {n}", n=self.number)

    @classmethod
    def for_year(cls, year: int) -> Period:
        return cls("year", year)

    @classmethod
    def for_quarter(cls, year: int, quarter: int) -> Period:
        return cls("quarter", year, quarter)

    @classmethod
    def for_month(cls, year: int, month: int) -> Period:
        return cls("month", year, month)

    @classmethod
    def containing(cls, kind: str, day: dt.date) -> Period:
        """The year, quarter or month ``day`` falls in."""
        number = {"year": 0, "quarter": (day.month + 2) // 3, "month": day.month}[kind]
        return cls(kind, day.year, number)

    def previous(self) -> Period:
        """The period of the same kind just before (the usual one to report on)."""
        if self.kind == "year" or self.number == 1:
            last = {"year": 0, "quarter": 4, "month": 12}[self.kind]
            return Period(self.kind, self.year - 1, last)
        return Period(self.kind, self.year, self.number - 1)

    @property
    def start(self) -> dt.date:
        if self.kind == "year":
            return dt.date(self.year, 1, 1)
        if self.kind == "quarter":
            return dt.date(self.year, 3 * self.number - 2, 1)
        return dt.date(self.year, self.number, 1)

    @property
    def end(self) -> dt.date:
        """The last day, inclusive."""
        last_month = {"year": 12, "quarter": 3 * self.number, "month": self.number}[self.kind]
        return dt.date(self.year, last_month, calendar.monthrange(self.year, last_month)[1])

    @property
    def label(self) -> str:
        if self.kind == "year":
            return f"{self.year}年"
        if self.kind == "quarter":
            return f"{self.year}年第{self.number}季度"
        return f"{self.year}年{self.number}月"

    @property
    def code(self) -> str:
        """The short form ``parse_period`` reads back (2025, 2025Q3, 2025-03)."""
        if self.kind == "year":
            return str(self.year)
        if self.kind == "quarter":
            return f"{self.year}Q{self.number}"
        return f"{self.year}-{self.number:02d}"

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end

    def __str__(self) -> str:
        return self.label


def parse_period(text: str) -> Period:
    """``2025`` | ``2025Q3`` (or q3) | ``2025-03`` (or 2025-3), also the Chinese labels.

    Full-width digits are accepted; anything else raises ValidationFailed on ``period``.
    """
    cleaned = unicodedata.normalize("NFKC", text or "").strip()
    if not cleaned:
        raise _refuse("请填写报告期，写成 2025（年）、2025Q3（季度）或 2025-03（月）")
    for kind, pattern in _PATTERNS:
        match = pattern.fullmatch(cleaned)
        if match:
            year, *rest = (int(g) for g in match.groups())
            return Period(kind, year, rest[0] if rest else 0)
    raise _refuse(
        "无法识别报告期“{typed}”，请写成 2025（年）、2025Q3（季度）或 2025-03（月）",
        typed=text.strip(),
    )


@dataclass(frozen=True)
class ReportDue:
    """A period to report upward and the last day for it."""

    period: Period
    due_on: dt.date


def next_report(today: dt.date, kind: str, due_days: int) -> ReportDue:
    """The report to send next when the office reports every ``kind`` (year, quarter, month)
    within ``due_days`` days of the period's end: the period just ended until its last day
    has passed, then the one running now."""
    running = Period.containing(kind, today)
    ended = running.previous()
    due = ended.end + dt.timedelta(days=due_days)
    if today <= due:
        return ReportDue(ended, due)
    return ReportDue(running, running.end + dt.timedelta(days=due_days))
