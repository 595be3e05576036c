"""Activities and the volunteer hours recorded for them."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from models.activities import (
    ActivityData,
    activity_years,
    check_hours,
    parse_hours,
    save_activity,
    set_service_hours,
)
from models.activity_listing import ActivityFilter, ActivityListing
from models.entities import Activity, AuditEntry, Membership, Person, ServiceRecord
from models.errors import ValidationFailed
from models.pickers import search_people, volunteer_members
from models.validators import InvalidValue

TODAY = dt.date(2025, 6, 15)


@pytest.fixture
def org(make_org):
    return make_org("巾帼志愿服务队")


@pytest.fixture
def activity(user, org):
    return save_activity(ActivityData(title="端午敬老", held_on=TODAY, organization_id=org.id,
                                      participants=20, people_served=60), user, today=TODAY)


@pytest.fixture
def volunteers(ctx):
    return [Person.create(name=name, is_volunteer=True) for name in ("王芳", "李娜", "张敏")]


def test_activity_needs_an_organization_team_or_project(user):
    with pytest.raises(ValidationFailed) as caught:
        save_activity(ActivityData(title="读书会", held_on=TODAY), user, today=TODAY)
    assert str(caught.value.errors["organization_id"]) == "请至少选择举办的组织、团队或项目之一"
    assert Activity.select().count() == 0


def test_activity_date_not_in_the_future_and_title_required(user, org):
    data = ActivityData(title=" ", held_on=TODAY + dt.timedelta(days=1), organization_id=org.id)
    with pytest.raises(ValidationFailed) as caught:
        save_activity(data, user, today=TODAY)
    assert set(caught.value.errors) == {"title", "held_on"}
    assert str(caught.value.errors["held_on"]) == "活动日期不能晚于今天"


def test_hours_rules():
    assert parse_hours(" １.5 ") == Decimal("1.5")
    with pytest.raises(InvalidValue):
        parse_hours("两小时")
    assert check_hours(Decimal("24")) is None
    assert check_hours(Decimal("0")) is not None
    assert check_hours(Decimal("24.5")) is not None
    assert str(check_hours(Decimal("1.25"))) == "时长最多保留一位小数"


def test_set_service_hours_replaces_rows_with_audit(user, activity, volunteers):
    a, b, c = volunteers
    set_service_hours(user, activity, {a.id: Decimal("2"), b.id: Decimal("2"), c.id: Decimal("3.5")})
    stored = {r.person_id: r.hours for r in ServiceRecord.select()}
    assert stored == {a.id: Decimal("2"), b.id: Decimal("2"), c.id: Decimal("3.5")}
    set_service_hours(user, activity, {a.id: Decimal("2"), c.id: Decimal("4")})
    stored = {r.person_id: r.hours for r in ServiceRecord.select()}
    assert stored == {a.id: Decimal("2"), c.id: Decimal("4")}
    entries = AuditEntry.select().where(AuditEntry.entity == "service_record").order_by(AuditEntry.id)
    assert [e.action for e in entries] == ["create"] * 3 + ["delete", "update"]
    assert json.loads(entries[-1].changes) == {"hours": ["3.5", "4"]}


def test_non_volunteer_and_bad_hours_are_refused_saving_nothing(user, activity, volunteers):
    member = Person.create(name="赵丽", is_volunteer=False)
    with pytest.raises(ValidationFailed) as caught:
        set_service_hours(user, activity, {volunteers[0].id: Decimal(2), member.id: Decimal(2)})
    assert str(caught.value.errors["attendees"]) == "“赵丽”不是志愿者（义工），不能记录志愿服务时长"
    with pytest.raises(ValidationFailed) as caught:
        set_service_hours(user, activity, {volunteers[0].id: Decimal(25)})
    assert "王芳" in str(caught.value.errors["attendees"])
    assert ServiceRecord.select().count() == 0


def test_listing_sums_hours_and_filters_by_month(user, activity, volunteers, org):
    set_service_hours(user, activity, {volunteers[0].id: Decimal("2.5"), volunteers[1].id: Decimal(3)})
    save_activity(ActivityData(title="三八节讲座", held_on=dt.date(2025, 3, 8), organization_id=org.id),
                  user, today=TODAY)
    listing = ActivityListing()
    rows = listing.fetch(ActivityFilter(), "hours", True, 0, 10)
    assert [(r.values[1], str(r.values[-1])) for r in rows] == [("端午敬老", "5.5"), ("三八节讲座", "0.0")]
    assert listing.count(ActivityFilter(year=2025, month=6)) == 1
    assert listing.count(ActivityFilter(year=2025)) == 2
    assert listing.count(ActivityFilter(year=2024)) == 0
    assert activity_years() == sorted({2025, dt.date.today().year}, reverse=True)
    assert listing.count(ActivityFilter(text="志愿服务队")) == 2


def test_listing_page_is_one_query(user, org, volunteers, count_queries):
    for day in range(1, 29):
        activity = save_activity(ActivityData(title=f"活动{day}", held_on=dt.date(2025, 2, day),
                                              organization_id=org.id), user, today=TODAY)
        set_service_hours(user, activity, {volunteers[0].id: Decimal(1)})
    count_queries.reset()
    rows = ActivityListing().fetch(ActivityFilter(year=2025), "hours", False, 0, 200)
    assert len(rows) == 28 and len(count_queries) == 1


def test_volunteer_search_is_limited_and_members_are_found(ctx, org, volunteers):
    for i in range(60):
        Person.create(name=f"王{i:02d}", is_volunteer=True)
    Person.create(name="王非志愿者")
    found = search_people("王", volunteers_only=True)
    assert len(found) == 50 and all("非志愿者" not in label for _id, label in found)
    Membership.create(person=volunteers[0], organization=org, start_on=dt.date(2024, 1, 1))
    Membership.create(person=volunteers[1], organization=org, end_on=dt.date(2025, 1, 1))
    assert [pid for pid, _ in volunteer_members(org.id, None, TODAY)] == [volunteers[0].id]
