"""What needs doing: teams missing a role, townships without a social-work team, the coming
week's bookings and the next upward report."""

import datetime as dt

import pytest

from models.bookings import book_venue
from models.entities import Organization, Person, Team, TeamAssignment, Venue
from models.periods import Period, ReportDue, next_report
from models.reminders import incomplete_teams, reminders, report_due, townships_without_social_worker
from models.settings import set_setting

NOW = dt.datetime.now().replace(microsecond=0)
TODAY = NOW.date()


def team(name, township, *roles, ended=()):
    record = Team.create(name=name, region=township)
    for i, role in enumerate(roles):
        person = Person.create(name=f"{name}{i}", region=township)
        end = TODAY - dt.timedelta(days=1) if role in ended else None
        TeamAssignment.create(team=record, person=person, role=role, end_on=end)
    return record


def test_teams_missing_a_role_today_name_what_they_miss(county):
    east, west = county["east"], county["west"]
    team("东关三工队", east, "cadre", "social_worker", "volunteer")
    team("西湖三工队", west, "cadre", "volunteer", "social_worker", ended=("social_worker",))
    team("西湖巾帼队", west)
    Team.create(name="已归档的队", region=west, archived=True, archived_on=TODAY)
    gaps = incomplete_teams(None, TODAY)
    assert [(g.name, g.missing) for g in gaps] == [
        ("西湖巾帼队", ("cadre", "social_worker", "volunteer")), ("西湖三工队", ("social_worker",))]
    assert incomplete_teams(east.id, TODAY) == []


def test_townships_without_a_social_worker_on_any_team(county):
    east, west = county["east"], county["west"]
    team("东关三工队", east, "cadre", "social_worker", "volunteer")
    team("西湖三工队", west, "cadre", "social_worker", ended=("social_worker",))
    assert [t.name for t in townships_without_social_worker(None, TODAY)] == ["西湖镇"]
    assert townships_without_social_worker(east.id, TODAY) == []
    assert [t.name for t in townships_without_social_worker(west.id, TODAY)] == ["西湖镇"]


def test_bookings_of_the_coming_week_soonest_first(county, user):
    east, west, village = county["east"], county["west"], county["village"]
    home = Venue.create(name="柳树村妇女微家", level="village", kind="women_micro_home", region=village)
    hall = Venue.create(name="东关妇女儿童之家", level="town", kind="women_children_home", region=east)
    org = Organization.create(name="柳树村巧娘工坊", kind="grassroots")
    tomorrow = dt.datetime.combine(TODAY + dt.timedelta(days=1), dt.time(9))
    book_venue(user, home, tomorrow, tomorrow + dt.timedelta(hours=2), org, purpose="手工培训")
    book_venue(user, hall, tomorrow + dt.timedelta(days=6), tomorrow + dt.timedelta(days=6, hours=1), org)
    book_venue(user, hall, tomorrow + dt.timedelta(days=7), tomorrow + dt.timedelta(days=7, hours=1), org)
    book_venue(user, hall, NOW - dt.timedelta(hours=3), NOW - dt.timedelta(hours=2), org)  # over
    later = tomorrow + dt.timedelta(hours=3)
    cancelled = book_venue(user, home, later, later + dt.timedelta(hours=1), org)
    cancelled.cancelled = True
    cancelled.save()
    found = reminders(None, NOW).bookings
    assert [(b.venue, b.holder, b.starts_at, b.purpose) for b in found] == [
        ("柳树村妇女微家", "柳树村巧娘工坊", tomorrow, "手工培训"),
        ("东关妇女儿童之家", "柳树村巧娘工坊", tomorrow + dt.timedelta(days=6), "")]
    assert [b.venue for b in reminders(west.id, NOW).bookings] == ["柳树村妇女微家"]


@pytest.mark.parametrize(("today", "kind", "days", "expected"), [
    (dt.date(2026, 10, 5), "quarter", 10, ReportDue(Period.for_quarter(2026, 3), dt.date(2026, 10, 10))),
    (dt.date(2026, 10, 10), "quarter", 10, ReportDue(Period.for_quarter(2026, 3), dt.date(2026, 10, 10))),
    (dt.date(2026, 10, 11), "quarter", 10, ReportDue(Period.for_quarter(2026, 4), dt.date(2027, 1, 10))),
    (dt.date(2026, 1, 3), "month", 5, ReportDue(Period.for_month(2025, 12), dt.date(2026, 1, 5))),
    (dt.date(2026, 3, 1), "year", 15, ReportDue(Period.for_year(2026), dt.date(2027, 1, 15))),
    (dt.date(2027, 1, 15), "year", 15, ReportDue(Period.for_year(2026), dt.date(2027, 1, 15))),
])
def test_the_next_report_is_the_period_just_ended_until_its_deadline(today, kind, days, expected):
    assert next_report(today, kind, days) == expected


def test_the_report_follows_the_office_settings(ctx, user):
    assert report_due(dt.date(2026, 10, 5)) == next_report(dt.date(2026, 10, 5), "quarter", 10)
    set_setting("report.cycle", "month", user)
    set_setting("report.due_days", "7", user)
    assert report_due(dt.date(2026, 10, 5)) == ReportDue(Period.for_month(2026, 9), dt.date(2026, 10, 7))
    set_setting("report.due_days", "七天", user)  # not a number: the default
    assert report_due(dt.date(2026, 10, 5)).due_on == dt.date(2026, 10, 10)
