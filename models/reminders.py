"""What needs doing (待办提醒), for the home page: teams missing a role, townships without a
team that has a social worker, the coming week's venue bookings, the next upward report and the
funded projects behind schedule (models/venture_supervision.py).

Each reminder is scoped like the home page's figures (the county, or one township) and
counted by the rule its list page uses, so that following it shows the same records.
(Organizations incubating too long are a figure of the summary: models/home.py.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import JOIN

from .bookings import HOLDER_NAME, holder_text, with_holders
from .choices import PERSON_ROLES
from .entities import Booking, ImportBatch, Team, TeamAssignment, User, Venue
from .lookups import township_places
from .periods import KINDS, ReportDue, next_report
from .settings import DEFAULTS, get_setting
from .summary import existing_on
from .teams import TownshipTeams, complete_condition, role_count, township_summary
from .venture_schedule import BehindSchedule, behind_schedule

BOOKING_DAYS = 7  # bookings from now to the end of the seventh day from today


@dataclass(frozen=True)
class TeamGap:
    team_id: int
    name: str
    missing: tuple[str, ...]  # PERSON_ROLES codes nobody holds today


@dataclass(frozen=True)
class UpcomingBooking:
    booking_id: int
    venue_id: int
    venue: str
    holder: str  # the organization or team that booked it
    starts_at: dt.datetime
    ends_at: dt.datetime
    purpose: str


@dataclass(frozen=True)
class LastImport:
    at: dt.datetime
    kind: str  # people | orgs
    file_name: str
    operator: str  # User.shown_name; "" when the operator was removed
    created: int
    updated: int
    undone: bool


@dataclass(frozen=True)
class Reminders:
    incomplete_teams: list[TeamGap]
    townships_without_social_worker: list[TownshipTeams]
    bookings: list[UpcomingBooking]
    report: ReportDue
    behind_schedule: list[BehindSchedule]  # funded projects with milestones overdue


def incomplete_teams(township_id: int | None, today: dt.date) -> list[TeamGap]:
    """Teams on the register today that lack a cadre, a social worker or a volunteer (the
    teams the summary counts as 不齐全), by name."""
    roles = PERSON_ROLES.codes()
    query = (
        Team.select(Team.id, Team.name, *(role_count(role, today) for role in roles))
        .join(TeamAssignment, JOIN.LEFT_OUTER)
        .where((Team.founded_on.is_null() | (Team.founded_on <= today)) & existing_on(Team, today))
        .group_by(Team.id)
        .having(~complete_condition(today))
        .order_by(Team.name_key, Team.id)
    )
    if township_id is not None:
        query = query.where(Team.region.in_(township_places(township_id)))
    return [TeamGap(tid, name, tuple(r for r, n in zip(roles, counts, strict=True) if not n))
            for tid, name, *counts in query.tuples()]


def townships_without_social_worker(township_id: int | None, today: dt.date) -> list[TownshipTeams]:
    """Townships none of whose teams has a social worker today (the county's assessment
    target: at least one professional social-work team in each)."""
    return [t for t in township_summary(today)
            if not t.has_social_worker_team and township_id in (None, t.township_id)]


def upcoming_bookings(township_id: int | None, now: dt.datetime,
                      days: int = BOOKING_DAYS) -> list[UpcomingBooking]:
    """Bookings not cancelled that are still to end and start before the end of the
    ``days``-th day from today, soonest first."""
    until = dt.datetime.combine(now.date() + dt.timedelta(days=days + 1), dt.time())
    query = (
        with_holders(Booking.select(Booking.id, Venue.id, Venue.name, HOLDER_NAME,
                                    Booking.starts_at, Booking.ends_at, Booking.purpose).join(Venue))
        .where((Booking.cancelled == False) & (Booking.ends_at > now)  # noqa: E712
               & (Booking.starts_at < until))
        .order_by(Booking.starts_at, Booking.id)
    )
    if township_id is not None:
        query = query.where(Venue.region.in_(township_places(township_id)))
    return [UpcomingBooking(bid, vid, venue, holder_text(holder), *rest)
            for bid, vid, venue, holder, *rest in query.tuples()]


def report_schedule() -> tuple[str, int]:
    """The office's 报送周期 (year, quarter or month) and 报送期限 (days after a period ends);
    a stored value that is neither is read as the default."""
    kind = get_setting("report.cycle")
    if kind not in KINDS:
        kind = DEFAULTS["report.cycle"]
    try:
        days = max(0, int(get_setting("report.due_days")))
    except ValueError:
        days = int(DEFAULTS["report.due_days"])
    return kind, days


def report_due(today: dt.date) -> ReportDue:
    """The next upward report by the office's settings."""
    return next_report(today, *report_schedule())


def last_import() -> LastImport | None:
    """The newest import batch (the import history reads the whole list; desktop.importing is
    not loaded for this one line)."""
    batch = (ImportBatch.select(ImportBatch, User)
             .join(User, JOIN.LEFT_OUTER, on=(ImportBatch.user == User.id))
             .order_by(ImportBatch.id.desc()).first())
    if batch is None:
        return None
    operator = batch.user.shown_name if batch.user_id else ""
    return LastImport(batch.created_at, batch.kind, batch.file_name, operator, batch.created,
                      batch.updated, batch.undone_at is not None)


def reminders(township_id: int | None, now: dt.datetime) -> Reminders:
    today = now.date()
    return Reminders(
        incomplete_teams=incomplete_teams(township_id, today),
        townships_without_social_worker=townships_without_social_worker(township_id, today),
        bookings=upcoming_bookings(township_id, now),
        report=report_due(today),
        behind_schedule=behind_schedule(today, township_id=township_id),
    )
