"""Venue bookings: a venue is never booked twice for the same time."""

from __future__ import annotations

import datetime as dt

from . import audit
from .db import database
from .entities import Booking, Organization, Team, User, Venue
from .errors import ValidationFailed
from .i18n import msg
from .rules import check_span


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
    holder = booking.organization.name if booking.organization_id else booking.team.name
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
) -> Booking:
    problem = check_span(start, end)
    if problem:
        raise ValidationFailed({"ends_at": problem})
    if organization is None and team is None:
        raise ValidationFailed({"organization": msg("请选择预约的组织或团队")})
    with database.atomic():
        clash = conflicting_booking(venue, start, end)
        if clash:
            raise ValidationFailed(
                {"starts_at": msg("该时段已被预约：{booking}", booking=describe_booking(clash))}
            )
        return audit.create(
            Booking, user, venue=venue, starts_at=start, ends_at=end,
            organization=organization, team=team, purpose=purpose,
        )
