"""Projects: money parsing, the status flow, audited saves and the listing."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from models.entities import AuditEntry, Project, ProjectVenue, Venue
from models.errors import ValidationFailed
from models.project_listing import ProjectFilter, ProjectListing
from models.projects import (
    ProjectData,
    change_status,
    check_status_transition,
    next_statuses,
    parse_money,
    project_years,
    save_project,
)
from models.validators import InvalidValue


@pytest.mark.parametrize(("text", "value"), [
    ("35,600.50", Decimal("35600.50")),
    ("35600.5", Decimal("35600.50")),
    (" ３５６００ ", Decimal("35600.00")),
    ("1，000", Decimal("1000.00")),
    ("¥12,000元", Decimal("12000.00")),
    ("0", Decimal("0.00")),
    ("", None),
])
def test_parse_money_accepts_what_offices_type(text, value):
    assert parse_money(text) == value


@pytest.mark.parametrize(("text", "problem"), [
    ("-5", "负数"),
    ("12.345", "两位小数"),
    ("三万", "金额数字"),
    ("1e5x", "金额数字"),
    ("NaN", "金额数字"),
    ("1000000000000", "过大"),
])
def test_parse_money_refuses_bad_text_in_chinese(text, problem):
    with pytest.raises(InvalidValue) as caught:
        parse_money(text)
    assert problem in str(caught.value.message)


def test_status_flow():
    assert next_statuses("applied") == ["approved", "rejected"]
    assert next_statuses("approved") == ["in_progress", "terminated"]
    assert next_statuses("in_progress") == ["closed", "terminated"]
    assert next_statuses("closed") == next_statuses("rejected") == next_statuses("terminated") == []
    assert check_status_transition("applied", "approved") is None
    assert check_status_transition("approved", "approved") is None
    assert str(check_status_transition("approved", "rejected")) == "项目状态不能从“立项”改为“未中标”"
    assert check_status_transition("applied", "terminated") is not None
    assert check_status_transition("closed", "in_progress") is not None
    assert check_status_transition("applied", "unknown") is not None


def test_save_validates_every_field_and_saves_nothing(user):
    data = ProjectData(name=" ", year=1990, amount_applied="abc", amount_granted="-1")
    with pytest.raises(ValidationFailed) as caught:
        save_project(data, user)
    assert set(caught.value.errors) == {"name", "year", "amount_applied", "amount_granted"}
    assert Project.select().count() == 0
    assert AuditEntry.select().where(AuditEntry.entity == "project").count() == 0


def test_granted_above_applied_is_refused(user):
    data = ProjectData(name="家庭教育进社区", amount_applied="30,000", amount_granted="35,600.5")
    with pytest.raises(ValidationFailed) as caught:
        save_project(data, user)
    assert str(caught.value.errors["amount_granted"]) == "立项金额（35,600.50）不能大于申请金额（30,000.00）"
    assert Project.select().count() == 0


def test_end_before_start_is_refused(user):
    data = ProjectData(name="助老", start_on=dt.date(2025, 5, 1), end_on=dt.date(2025, 4, 30))
    with pytest.raises(ValidationFailed) as caught:
        save_project(data, user)
    assert "end_on" in caught.value.errors


def test_save_stores_decimal_yuan_and_venues_audited(user, make_org):
    org = make_org("阳光家庭教育服务中心")
    hall = Venue.create(name="东关妇女儿童之家", level="town", kind="women_children_home")
    data = ProjectData(name="家庭教育进社区", source="purchase", year=2025, batch="第一批",
                       organization_id=org.id, amount_applied="35,600.50", amount_granted="30000",
                       planned_served=800, venue_ids=[hall.id])
    project = save_project(data, user)
    stored = Project.get_by_id(project.id)
    assert stored.amount_applied == Decimal("35600.50") and stored.amount_granted == Decimal("30000")
    assert stored.organization_id == org.id and stored.status == "applied"
    assert [link.venue_id for link in ProjectVenue.select()] == [hall.id]
    create = AuditEntry.get((AuditEntry.entity == "project") & (AuditEntry.action == "create"))
    assert json.loads(create.changes)["amount_applied"] == [None, "35600.50"]


def test_change_status_is_audited_and_refuses_skips(user):
    project = save_project(ProjectData(name="巾帼创业扶持"), user)
    with pytest.raises(ValidationFailed) as caught:
        change_status(user, project, "closed")
    assert "status" in caught.value.errors
    assert Project.get_by_id(project.id).status == "applied"
    change_status(user, project, "approved")
    change_status(user, project, "in_progress")
    assert Project.get_by_id(project.id).status == "in_progress"
    changes = [json.loads(e.changes) for e in AuditEntry.select().where(
        (AuditEntry.entity == "project") & (AuditEntry.action == "update")).order_by(AuditEntry.id)]
    assert changes == [{"status": ["applied", "approved"]}, {"status": ["approved", "in_progress"]}]


def test_edit_with_a_refused_status_saves_nothing(user):
    project = save_project(ProjectData(name="巾帼创业扶持"), user)
    data = ProjectData.from_project(project)
    data.status, data.batch = "terminated", "第二批"
    with pytest.raises(ValidationFailed) as caught:
        save_project(data, user, project)
    assert "status" in caught.value.errors
    assert Project.get_by_id(project.id).batch == ""


def test_listing_filters_and_sorts_in_sql(user, make_org):
    org = make_org("爱心助老协会")
    for name, source, year, granted in (
        ("甲项目", "venture", 2024, "1000"), ("乙项目", "purchase", 2025, "35,600"),
        ("丙项目", "venture", 2025, ""),
    ):
        save_project(ProjectData(name=name, source=source, year=year, organization_id=org.id,
                                 amount_applied="50000", amount_granted=granted), user)
    listing = ProjectListing()
    rows = listing.fetch(ProjectFilter(), "amount_granted", True, 0, 10)
    assert [r.values[0] for r in rows] == ["乙项目", "甲项目", "丙项目"]
    assert listing.count(ProjectFilter(source="venture", year=2025)) == 1
    assert listing.count(ProjectFilter(text="助老")) == 3
    assert listing.count(ProjectFilter(status="approved")) == 0
    assert project_years() == sorted({2024, 2025, dt.date.today().year}, reverse=True)
