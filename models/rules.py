"""Domain rules as plain functions: incubation stages, team completeness, booking overlaps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from .choices import INCUBATION_STAGES, PERSON_ROLES
from .i18n import Message, msg

INCUBATION_LIMIT_MONTHS = 12


def check_stage_transition(
    current: str | None,
    current_since: dt.date | None,
    new: str,
    on: dt.date | None,
    note: str = "",
    today: dt.date | None = None,
) -> Message | None:
    """Stages only move forward, each with its date; 出壳 needs a date and a graduation note."""
    if new not in INCUBATION_STAGES:
        return msg("未知的孵化阶段")
    if on is None:
        return msg("请填写进入该阶段的日期")
    if on > (today or dt.date.today()):
        return msg("日期不能晚于今天")
    if current is not None:
        if INCUBATION_STAGES.index(new) <= INCUBATION_STAGES.index(current):
            return msg(
                "孵化阶段只能向前推进：当前为“{current}”，不能改为“{new}”",
                current=INCUBATION_STAGES.label(current),
                new=INCUBATION_STAGES.label(new),
            )
        if current_since is not None and on < current_since:
            return msg(
                "日期不能早于进入当前阶段的日期 {since}", since=current_since.isoformat()
            )
    if new == "graduated" and not note.strip():
        return msg("出壳须填写出壳说明")
    return None


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def incubation_overdue(
    stage: str | None, incubation_started: dt.date | None, today: dt.date | None = None
) -> bool:
    """An organization still incubating more than 12 months after it entered incubation."""
    if stage is None or stage == "graduated" or incubation_started is None:
        return False
    return add_months(incubation_started, INCUBATION_LIMIT_MONTHS) < (today or dt.date.today())


class Assignment(Protocol):
    role: str
    start_on: dt.date | None
    end_on: dt.date | None


def is_active(start_on: dt.date | None, end_on: dt.date | None, day: dt.date) -> bool:
    return (start_on is None or start_on <= day) and (end_on is None or end_on >= day)


@dataclass(frozen=True)
class TeamStatus:
    complete: bool
    missing: tuple[str, ...]  # PERSON_ROLES codes with nobody active today

    def describe(self) -> Message:
        if self.complete:
            return msg("齐全")
        return msg("缺{roles}", roles="、".join(PERSON_ROLES.label(r) for r in self.missing))


def team_status(assignments: Iterable[Assignment], today: dt.date | None = None) -> TeamStatus:
    """Complete with at least one cadre, one social worker and one volunteer active today."""
    day = today or dt.date.today()
    present = {a.role for a in assignments if is_active(a.start_on, a.end_on, day)}
    missing = tuple(code for code in PERSON_ROLES.codes() if code not in present)
    return TeamStatus(not missing, missing)


class Span(Protocol):
    starts_at: dt.datetime
    ends_at: dt.datetime


def spans_overlap(a_start: dt.datetime, a_end: dt.datetime,
                  b_start: dt.datetime, b_end: dt.datetime) -> bool:
    """Half-open spans: one booking may start the minute another ends."""
    return a_start < b_end and b_start < a_end


def first_overlap(existing: Iterable[Span], start: dt.datetime, end: dt.datetime) -> Span | None:
    for span in existing:
        if spans_overlap(span.starts_at, span.ends_at, start, end):
            return span
    return None


def check_span(start: dt.datetime | None, end: dt.datetime | None) -> Message | None:
    if start is None or end is None:
        return msg("请填写开始和结束时间")
    if end <= start:
        return msg("结束时间须晚于开始时间")
    return None
