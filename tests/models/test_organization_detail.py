"""The organization detail: stage history with time in each stage, members, projects, activities."""

import datetime as dt
from decimal import Decimal

from models import organization_detail as detail
from models.entities import Activity, Membership, Person, Project, Venue
from models.organizations import OrganizationData, advance_stage, save_organization

TODAY = dt.date(2026, 3, 1)


def test_stage_history_counts_days_in_each_stage(ctx):
    org = save_organization(OrganizationData(name="阳光互助会", initial_stage="sprouting",
                                             initial_stage_on=dt.date(2025, 1, 1)), ctx.user)
    advance_stage(org, ctx.user, "startup", dt.date(2025, 3, 2), "完成备案")
    spans = detail.stage_history(org, TODAY)
    assert [(s.stage, s.entered_on, s.left_on, s.days) for s in spans] == [
        ("sprouting", dt.date(2025, 1, 1), dt.date(2025, 3, 2), 60),
        ("startup", dt.date(2025, 3, 2), None, (TODAY - dt.date(2025, 3, 2)).days),
    ]
    assert spans[1].note == "完成备案"
    assert detail.overdue(org, TODAY)  # incubating since 2025-01-01, more than 12 months
    assert not detail.overdue(org, dt.date(2026, 1, 1))  # exactly 12 months: not yet


def test_graduated_stage_has_no_running_time(ctx):
    org = save_organization(OrganizationData(name="出壳组织", initial_stage="developing",
                                             initial_stage_on=dt.date(2025, 1, 1)), ctx.user)
    advance_stage(org, ctx.user, "graduated", dt.date(2025, 6, 1), "通过评估")
    spans = detail.stage_history(org, TODAY)
    assert spans[-1].days == 0 and spans[0].days == 151
    assert not detail.overdue(org, TODAY)


def test_members_projects_and_activities(ctx):
    org = save_organization(OrganizationData(name="巾帼志愿队"), ctx.user)
    ann = Person.create(name="王秀英", id_number="11010519491231002X", is_volunteer=True)
    bob = Person.create(name="李红", is_volunteer=True)
    Membership.create(person=ann, organization=org, role="leader", start_on=dt.date(2024, 1, 1))
    Membership.create(person=bob, organization=org, role="member", start_on=dt.date(2024, 1, 1),
                      end_on=dt.date(2025, 1, 1))
    rows = detail.members(org, TODAY)
    assert [(r[1], r[2], r[3], r[6]) for r in rows] == [
        ("王秀英", "110105********002X", "负责人", True), ("李红", "", "成员", False)]
    Project.create(name="护苗行动", source="venture", year=2025, organization=org,
                   status="closed", amount_granted=Decimal("35600.50"))
    assert detail.projects(org) == [("护苗行动", 2025, "公益创投", "结项", Decimal("35600.50"))]
    venue = Venue.create(name="东关妇女儿童之家", level="town", kind="women_children_home")
    Activity.create(title="亲子阅读", held_on=dt.date(2025, 5, 1), venue=venue, organization=org,
                    participants=20, people_served=45)
    Activity.create(title="已归档活动", held_on=dt.date(2025, 6, 1), organization=org, archived=True)
    assert detail.activities(org) == [(dt.date(2025, 5, 1), "亲子阅读", "东关妇女儿童之家", 20, 45)]
