"""Venue bookings: a venue is never booked twice for the same time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import JOIN, fn

from . import audit
from .db import database
from .entities import Booking, Organization, Person, Team, User, Venue
from .errors import ValidationFailed
from .i18n import msg, tr_noop
from .rules import check_span
from .settings import get_setting

OFFICE = tr_noop("本单位")  # the holder of a booking for the office itself, when it has no name yet

# Who a booking is for: the organization's, team's or person's name (None: the office).
HOLDER_NAME = fn.COALESCE(Organization.name, Team.name, Person.name)


def with_holders(query):
    """``query`` of bookings joined to what HOLDER_NAME reads."""
    return (query.join_from(Booking, Organization, JOIN.LEFT_OUTER)
            .join_from(Booking, Team, JOIN.LEFT_OUTER)
            .join_from(Booking, Person, JOIN.LEFT_OUTER))


def holder_text(name: str | None) -> str:
    """HOLDER_NAME as shown: a booking without one is the office's own."""
    return name or get_setting("office.name") or OFFICE


def booking_holder(booking: Booking) -> str:
    for ref, field in (("organization", "organization_id"), ("team", "team_id"), ("person", "person_id")):
        if getattr(booking, field):
            return getattr(booking, ref).name
    return holder_text(None)


def conflicting_booking(
    venue: Venue | int, start: dt.datetime, end: dt.datetime, exclude_id: int | None = None
) -> Booking | None:
    query = Booking.select().where(
        (Booking.venue == venue)
        & (Booking.cancelled == False)  # noqa: E712 (peewee expression)
        & (Booking.starts_at < end)
        & (Booking.ends_at > start)
    )
    if exclude_id is not None:
        query = query.where(Booking.id != exclude_id)
    return query.order_by(Booking.starts_at).first()


def describe_booking(booking: Booking) -> str:
    holder = booking_holder(booking)
    return (
        f"{holder} {booking.starts_at:%Y-%m-%d %H:%M}–{booking.ends_at:%H:%M}"
        + (f"（{booking.purpose}）" if booking.purpose else "")
    )


def book_venue(
    user: User | None,
    venue: Venue,
    start: dt.datetime,
    end: dt.datetime,
    organization: Organization | None = None,
    team: Team | None = None,
    purpose: str = "",
    person: Person | None = None,
    for_office: bool = False,
) -> Booking:
    """Book ``venue`` for exactly one holder: an organization, a team, a person or the office."""
    problem = check_span(start, end)
    if problem:
        raise ValidationFailed({"ends_at": problem})
    holders = sum(1 for h in (organization, team, person) if h is not None) + bool(for_office)
    if holders != 1:
        raise ValidationFailed({"holder": msg("请选择为谁预约：一个组织、团队、人员，或本单位")})
    with database.atomic():
        clash = conflicting_booking(venue, start, end)
        if clash:
            raise ValidationFailed(
                {"starts_at": msg("该时段已被预约：{booking}", booking=describe_booking(clash))}
            )
        return audit.create(
            Booking, user, venue=venue, starts_at=start, ends_at=end,
            organization=organization, team=team, person=person, for_office=for_office, purpose=purpose,
        )


@dataclass(frozen=True)
class CalendarBooking:
    booking_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    holder: str
    purpose: str


def bookings_between(venue: Venue | int, start: dt.date, end: dt.date) -> list[CalendarBooking]:
    """The venue's bookings (not cancelled) that overlap the days ``start`` to ``end`` (inclusive),
    in time order: what its calendar shows for a week or a month."""
    first = dt.datetime.combine(start, dt.time())
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
    query = with_holders(
        Booking.select(Booking.id, Booking.starts_at, Booking.ends_at, HOLDER_NAME, Booking.purpose)
    ).where((Booking.venue == venue) & (Booking.cancelled == False)  # noqa: E712
            & (Booking.starts_at < after) & (Booking.ends_at > first)
    ).order_by(Booking.starts_at, Booking.id)
    return [CalendarBooking(bid, _as_datetime(s), _as_datetime(e), holder_text(h), purpose)
            for bid, s, e, h, purpose in query.tuples()]


def _as_datetime(value: dt.datetime | str) -> dt.datetime:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value
