"""活动阵地: register venues, cancel their bookings, and report how much they are used."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import fn

from . import audit
from .bookings import HOLDER_NAME, describe_booking, holder_text, with_holders
from .choices import VENUE_KINDS, VENUE_LEVELS
from .db import database, date_text, excluding
from .entities import Activity, Booking, Person, Region, User, Venue
from .errors import ValidationFailed, clean_title
from .i18n import Message, msg
from .validators import InvalidValue, check_phone

MAX_CAPACITY = 100_000


@dataclass
class VenueData:
    name: str = ""
    level: str | None = None
    kind: str | None = None
    region_id: int | None = None
    address: str = ""
    capacity: int | None = None
    manager_id: int | None = None
    phone: str = ""

    @classmethod
    def from_venue(cls, venue: Venue) -> VenueData:
        return cls(venue.name, venue.level, venue.kind, venue.region_id, venue.address,
                   venue.capacity, venue.manager_id, venue.phone)


def _clean(data: VenueData) -> tuple[dict, dict[str, Message]]:
    errors: dict[str, Message] = {}
    name = clean_title(data.name, "阵地名称", "name", errors)
    if data.level not in VENUE_LEVELS:
        errors["level"] = msg("请选择阵地级别")
    if data.kind not in VENUE_KINDS:
        errors["kind"] = msg("请选择阵地类型")
    if data.region_id is None:
        errors["region_id"] = msg("请选择所在镇（街道）或村（社区）")
    elif not Region.select().where(
        (Region.id == data.region_id) & Region.level.in_(("township", "village"))
    ).exists():
        errors["region_id"] = msg("所在地区须是镇（街道）或村（社区）")
    if data.capacity is not None and not 0 <= data.capacity <= MAX_CAPACITY:
        errors["capacity"] = msg("容纳人数须在 0 到 {max} 之间", max=MAX_CAPACITY)
    if data.manager_id is not None and not Person.select().where(Person.id == data.manager_id).exists():
        errors["manager_id"] = msg("所选的管理员不存在")
    phone = ""
    if data.phone.strip():
        try:
            phone = check_phone(data.phone)
        except InvalidValue as e:
            errors["phone"] = e.message
    values = dict(name=name, level=data.level, kind=data.kind, region=data.region_id,
                  address=data.address.strip(), capacity=data.capacity, manager=data.manager_id,
                  phone=phone)
    return values, errors


def save_venue(data: VenueData, user: User | None, existing: Venue | None = None) -> Venue:
    """Register or update a venue; its name is unique within its township or village."""
    values, errors = _clean(data)
    with database.atomic():
        if "name" not in errors and "region_id" not in errors:
            query = Venue.select().where((Venue.name == values["name"]) & (Venue.region == data.region_id))
            query = excluding(query, existing)
            clash = query.first()
            if clash is not None:
                state = "（已归档）" if clash.archived else ""
                errors["name"] = msg("该地区已有同名阵地“{name}”{state}", name=clash.name, state=state)
        if errors:
            raise ValidationFailed(errors)
        return audit.save(Venue, user, existing, **values)


def cancel_booking(user: User | None, booking: Booking) -> Booking:
    """A cancelled booking stays on record but no longer holds its time."""
    if booking.cancelled:
        raise ValidationFailed({"booking": msg("该预约已取消：{booking}", booking=describe_booking(booking))})
    return audit.update(booking, user, "cancel", cancelled=True)


@dataclass(frozen=True)
class BookingRow:
    booking_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    holder: str
    purpose: str


def upcoming_bookings(venue: Venue | int, now: dt.datetime | None = None) -> list[BookingRow]:
    """Bookings not cancelled that have not ended yet, soonest first."""
    moment = now or dt.datetime.now()
    query = (
        with_holders(Booking.select(Booking.id, Booking.starts_at, Booking.ends_at, HOLDER_NAME,
                                    Booking.purpose))
        .where((Booking.venue == venue) & (Booking.cancelled == False)  # noqa: E712
               & (Booking.ends_at > moment))
        .order_by(Booking.starts_at, Booking.id)
    )
    return [BookingRow(bid, _as_datetime(start), _as_datetime(end), holder_text(holder), purpose)
            for bid, start, end, holder, purpose in query.tuples()]


def _as_datetime(value: dt.datetime | str) -> dt.datetime:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class UsageRow:
    period: str  # "2025-03" by month, "2025" by year
    activities: int
    people_served: int


PERIOD_FORMATS = {"month": "%Y-%m", "year": "%Y"}


def usage_by_period(venue: Venue | int, period: str = "month") -> list[UsageRow]:
    """Activities held at the venue and people served, per month or year, newest first."""
    key = date_text(PERIOD_FORMATS[period], Activity.held_on)
    query = (
        Activity.select(key, fn.COUNT(Activity.id), fn.COALESCE(fn.SUM(Activity.people_served), 0))
        .where(Activity.venue == venue)
        .group_by(key)
        .order_by(key.desc())
    )
    return [UsageRow(p, n, served) for p, n, served in query.tuples()]
