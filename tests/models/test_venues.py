import datetime as dt

import pytest

from models.bookings import book_venue
from models.entities import Activity, AuditEntry, Booking, Person, Team, Venue
from models.errors import ValidationFailed
from models.organizations import OrganizationData, save_organization
from models.venue_listing import VenueFilter, VenueListing
from models.venues import (
    VenueData,
    cancel_booking,
    save_venue,
    upcoming_bookings,
    usage_by_period,
)


@pytest.fixture
def venue(ctx, county):
    return save_venue(VenueData(name="柳树村妇女微家", level="village", kind="women_micro_home",
                                region_id=county["village"].id, capacity=30), ctx.user)


def test_bad_input_refused_and_nothing_saved(ctx, county, venue):
    with pytest.raises(ValidationFailed) as err:
        save_venue(VenueData(name="东关妇女儿童之家", level="town", kind="women_children_home",
                             region_id=county["east"].id, capacity=-1, phone="12345"), ctx.user)
    assert set(err.value.errors) == {"capacity", "phone"}
    with pytest.raises(ValidationFailed) as err:
        save_venue(VenueData(name="柳树村妇女微家", level="village", kind="women_micro_home",
                             region_id=county["village"].id), ctx.user)
    assert str(err.value.errors["name"]) == "该地区已有同名阵地“柳树村妇女微家”"
    with pytest.raises(ValidationFailed) as err:
        save_venue(VenueData(name="县妇女儿童活动中心", level="city", kind="activity_center",
                             region_id=county["county"].id), ctx.user)
    assert set(err.value.errors) == {"region_id"}
    assert Venue.select().count() == 1
    # the same name in another place is a different venue
    other = save_venue(VenueData(name="柳树村妇女微家", level="town", kind="women_micro_home",
                                 region_id=county["east"].id, phone="13812345678"), ctx.user)
    assert other.phone == "13812345678"
    assert AuditEntry.select().where(AuditEntry.entity == "venue").count() == 2


def test_bookings_overlap_touch_and_cancel(ctx, venue):
    org = save_organization(OrganizationData(name="阳光互助会"), ctx.user)
    team = Team.create(name="西湖三工队")
    day = dt.date.today() + dt.timedelta(days=3)
    at = lambda h, m=0: dt.datetime.combine(day, dt.time(h, m))  # noqa: E731
    first = book_venue(ctx.user, venue, at(9), at(11), organization=org, purpose="读书会")
    with pytest.raises(ValidationFailed) as err:
        book_venue(ctx.user, venue, at(10, 30), at(12), team=team)
    assert "阳光互助会" in str(err.value.errors["starts_at"]) and "09:00–11:00" in str(
        err.value.errors["starts_at"])
    touching = book_venue(ctx.user, venue, at(11), at(12), team=team)  # starts as the first ends
    assert [r.holder for r in upcoming_bookings(venue)] == ["阳光互助会", "西湖三工队"]
    cancel_booking(ctx.user, first)
    assert Booking.get_by_id(first.id).cancelled
    with pytest.raises(ValidationFailed):
        cancel_booking(ctx.user, Booking.get_by_id(first.id))
    again = book_venue(ctx.user, venue, at(10), at(11), team=team)  # the freed slot
    assert [r.booking_id for r in upcoming_bookings(venue)] == [again.id, touching.id]
    assert AuditEntry.get((AuditEntry.entity == "booking") & (AuditEntry.entity_id == first.id)
                          & (AuditEntry.action == "cancel"))
    assert upcoming_bookings(venue, dt.datetime.combine(day, dt.time(11, 30))) == [
        upcoming_bookings(venue)[1]]


def test_usage_per_month_and_year_sums_activities(ctx, venue):
    for held, served in ((dt.date(2025, 3, 2), 20), (dt.date(2025, 3, 20), 15),
                         (dt.date(2025, 5, 1), 7), (dt.date(2024, 12, 31), 40)):
        Activity.create(title="活动", held_on=held, venue=venue, people_served=served)
    Activity.create(title="别处", held_on=dt.date(2025, 3, 5), people_served=99)
    monthly = [(r.period, r.activities, r.people_served) for r in usage_by_period(venue)]
    assert monthly == [("2025-05", 1, 7), ("2025-03", 2, 35), ("2024-12", 1, 40)]
    yearly = [(r.period, r.activities, r.people_served) for r in usage_by_period(venue, "year")]
    assert yearly == [("2025", 3, 42), ("2024", 1, 40)]


def test_listing_filters(ctx, county, venue):
    manager = Person.create(name="赵管理")
    save_venue(VenueData(name="东关妇女儿童之家", level="town", kind="women_children_home",
                         region_id=county["east"].id, manager_id=manager.id), ctx.user)
    listing = VenueListing()
    rows = {r.values[0]: r.values for r in listing.fetch(VenueFilter(), "place", False, 0, 50)}
    assert rows["柳树村妇女微家"][1:4] == ("村级", "妇女微家", "西湖镇 / 柳树村")
    assert rows["东关妇女儿童之家"][6] == "赵管理"
    assert listing.count(VenueFilter(township_id=county["west"].id)) == 1
    assert listing.count(VenueFilter(level="town")) == 1
    assert listing.count(VenueFilter(kind="women_micro_home")) == 1
    assert listing.count(VenueFilter(text="之家")) == 1


def test_a_booking_for_a_person_or_for_the_office_and_the_calendar_of_a_week(ctx, venue):
    from models.bookings import bookings_between
    from models.settings import set_settings

    person = Person.create(name="王芳")
    monday = dt.date(2026, 3, 2)
    at = lambda d, h: dt.datetime.combine(monday + dt.timedelta(days=d), dt.time(h))  # noqa: E731
    mine = book_venue(ctx.user, venue, at(1, 9), at(1, 11), person=person, purpose="调解")
    book_venue(ctx.user, venue, at(3, 14), at(3, 16), for_office=True, purpose="执委会")
    with pytest.raises(ValidationFailed) as err:  # the person's time is taken: the office cannot have it
        book_venue(ctx.user, venue, at(1, 10), at(1, 12), for_office=True)
    assert "王芳" in str(err.value.errors["starts_at"])
    with pytest.raises(ValidationFailed) as err:
        book_venue(ctx.user, venue, at(2, 9), at(2, 10))
    assert "holder" in err.value.errors
    with pytest.raises(ValidationFailed):
        book_venue(ctx.user, venue, at(2, 9), at(2, 10), person=person, for_office=True)
    book_venue(ctx.user, venue, at(9, 9), at(9, 10), person=person)  # the next week

    week = bookings_between(venue, monday, monday + dt.timedelta(days=6))
    assert [(b.holder, b.starts_at.day, b.purpose) for b in week] == [
        ("王芳", 3, "调解"), ("本单位", 5, "执委会")]
    set_settings({"office.name": "青禾县妇联"}, ctx.user)
    assert [b.holder for b in bookings_between(venue, monday, monday + dt.timedelta(days=30))] == [
        "王芳", "青禾县妇联", "王芳"]
    assert Booking.get_by_id(mine.id).person_id == person.id
