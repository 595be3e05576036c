"""The home page's figures: the same numbers as the periodic summary of the year so far, and the
lists they open count the same records."""

import datetime as dt
from decimal import Decimal

import pytest

from desktop.demo import fill_demo
from models.activity_listing import AT_VENUE, ActivityFilter, ActivityListing
from models.choices import INCUBATION_STAGES, PROJECT_SOURCES
from models.entities import Person, Region
from models.home import chart_months, home_figures, monthly_hours
from models.organization_listing import NOT_INCUBATED, OVERDUE, OrganizationFilter, OrganizationListing
from models.periods import Period
from models.person_listing import PersonFilter, PersonListing
from models.project_listing import ProjectFilter, ProjectListing
from models.summary import compute_summary
from models.team_listing import TeamFilter, TeamListing
from models.venue_listing import VenueFilter, VenueListing

TODAY = dt.date.today()  # the lists count "today" as the real day


@pytest.fixture
def demo(ctx):
    fill_demo(400, seed=5, today=TODAY)
    return ctx


def townships() -> list[int | None]:
    first = Region.select().where(Region.level == "township").order_by(Region.sort_order).first()
    return [None, first.id]


def column(section, title: str) -> int:
    return [c.title for c in section.columns].index(title)


@pytest.mark.parametrize("area", [0, 1])
def test_the_figures_are_the_summary_of_the_year_so_far(demo, area):
    township = townships()[area]
    home = home_figures(township, TODAY)
    summary = compute_summary(Period.for_year(TODAY.year), township, TODAY)
    assert home.period == summary.period and home.as_of == summary.as_of == TODAY
    assert home.area_name == summary.area_name

    stages = summary.section("org_stages")
    assert [home.stages[code] for code in [*INCUBATION_STAGES.codes(), None]] == [r[1] for r in stages.rows]
    assert home.organizations == stages.total[1]
    kinds = summary.section("org_kinds")
    assert home.overdue == kinds.total[column(kinds, "在孵超过12个月")]
    assert home.overdue > 0 or area  # the demo county has organizations incubating too long

    teams = summary.section("teams")
    assert (home.teams_complete, home.teams_incomplete) == (teams.rows[0][1], teams.rows[1][1])
    venues = summary.section("venues")
    assert (home.venues, home.venue_activities, home.venue_served) == tuple(
        venues.total[column(venues, t)] for t in ("阵地合计", "本期活动次数", "本期服务人次"))

    projects = summary.section("projects")
    assert [(home.projects[code].count, home.projects[code].amount) for code in PROJECT_SOURCES.codes()] == [
        (count, amount) for _label, count, amount, _served in projects.rows]
    assert (home.project_count, home.project_amount) == (projects.total[1], projects.total[2])

    areas = summary.section("org_areas")
    assert [(a.name, a.organizations) for a in home.service_areas] == list(areas.rows)

    volunteers = summary.section("volunteers")
    assert home.roles["volunteer"] == volunteers.total[column(volunteers, "注册志愿者")]
    assert home.service_records == volunteers.total[column(volunteers, "服务人次")]
    assert home.service_hours == volunteers.total[column(volunteers, "服务时长（小时）")]
    assert home.service_hours > 0


def test_each_month_of_the_chart_is_the_summary_of_that_month(demo):
    township = townships()[1]
    months = home_figures(township, TODAY).months
    assert [m.month for m in months] == chart_months(Period.containing("month", TODAY))
    assert len(months) == 12 and months[-1].month == Period.containing("month", TODAY)
    for month in months:
        volunteers = compute_summary(month.month, township, TODAY).section("volunteers")
        assert (month.records, month.hours) == (volunteers.total[3], volunteers.total[4]), month.month
    assert sum(m.hours for m in months) > 0


def test_chart_months_run_over_the_new_year():
    months = chart_months(Period.for_month(2026, 2))
    assert [m.code for m in months][:3] == ["2025-03", "2025-04", "2025-05"]
    assert months[-1].code == "2026-02" and len(months) == 12


@pytest.mark.parametrize("area", [0, 1])
def test_each_figure_opens_a_list_of_as_many_records(demo, area):
    """What each figure's link asks the list page for (views/pages/home.py) counts what it shows."""
    t = townships()[area]
    home, year = home_figures(t, TODAY), TODAY.year
    for code in [*INCUBATION_STAGES.codes(), None]:
        flt = OrganizationFilter(stage=code or NOT_INCUBATED, township_id=t)
        assert OrganizationListing().count(flt) == home.stages[code], code
    assert OrganizationListing().count(OrganizationFilter(stage=OVERDUE, township_id=t)) == home.overdue
    for role, count in home.roles.items():
        assert PersonListing().count(PersonFilter(role=role, township_id=t)) == count, role
    assert TeamListing().count(TeamFilter(township_id=t, complete=True)) == home.teams_complete
    assert TeamListing().count(TeamFilter(township_id=t, complete=False)) == home.teams_incomplete
    assert VenueListing().count(VenueFilter(township_id=t)) == home.venues
    at_venues = ActivityFilter(year=year, place=AT_VENUE if t is None else t, archived=None)
    assert ActivityListing().count(at_venues) == home.venue_activities
    for code in PROJECT_SOURCES.codes():
        flt = ProjectFilter(source=code, running_in=year, township_id=t, archived=None)
        assert ProjectListing().count(flt) == home.projects[code].count, code


def test_a_township_counts_the_people_of_its_villages(ctx):
    county = Region.create(name="青禾县", level="county")
    west = Region.create(name="西湖镇", level="township", parent=county)
    village = Region.create(name="柳树村", level="village", parent=west)
    east = Region.create(name="东关街道", level="township", parent=county)
    Person.create(name="王芳", region=west, is_cadre=True, is_volunteer=True)
    Person.create(name="李娜", region=village, is_social_worker=True, is_volunteer=True)
    Person.create(name="赵敏", region=east, is_volunteer=True)
    Person.create(name="张丽", region=village, is_volunteer=True, archived=True, archived_on=TODAY)
    assert home_figures(west.id, TODAY).roles == {"cadre": 1, "social_worker": 1, "volunteer": 2}
    assert home_figures(None, TODAY).roles == {"cadre": 1, "social_worker": 1, "volunteer": 3}
    assert PersonListing().count(PersonFilter(role="volunteer", township_id=west.id)) == 2


def test_no_records_give_zero_figures_and_twelve_empty_months(ctx):
    home = home_figures(None, TODAY)
    assert home.organizations == home.teams == home.venues == home.project_count == 0
    assert [m.hours for m in home.months] == [Decimal("0.0")] * 12
    assert monthly_hours(chart_months(Period.for_month(2026, 1)), None)[0].records == 0
