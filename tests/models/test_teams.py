import datetime as dt
import json

import pytest

from models.entities import AuditEntry, Person, Region, Team, TeamAssignment
from models.errors import ValidationFailed
from models.team_listing import TeamFilter, TeamListing
from models.teams import (
    NewAssignment,
    TeamData,
    add_assignment,
    end_assignment,
    members,
    save_team,
    save_team_and_members,
    status_of,
    township_summary,
)

TODAY = dt.date.today()


@pytest.fixture
def places(ctx):
    county = Region.create(name="青禾县", level="county")
    east = Region.create(name="东关街道", level="township", parent=county, sort_order=1)
    west = Region.create(name="西湖镇", level="township", parent=county, sort_order=2)
    village = Region.create(name="柳树村", level="village", parent=west)
    return east, west, village


@pytest.fixture
def people(ctx):
    return {
        "cadre": Person.create(name="李妇工", is_cadre=True),
        "social_worker": Person.create(name="张社工", is_social_worker=True, social_worker_level="assistant"),
        "volunteer": Person.create(name="王义工", is_volunteer=True),
    }


def test_save_team_validates_and_audits(ctx, places):
    east, _west, village = places
    with pytest.raises(ValidationFailed) as err:
        save_team(TeamData(name="  ", township_id=None), ctx.user)
    assert set(err.value.errors) == {"name", "township_id"}
    with pytest.raises(ValidationFailed) as err:
        save_team(TeamData(name="柳树村三工队", township_id=village.id), ctx.user)
    assert str(err.value.errors["township_id"]) == "所属地区须是镇（街道）"
    assert Team.select().count() == 0
    team = save_team(TeamData(name="东关 三工联动队", township_id=east.id,
                              founded_on=dt.date(2024, 3, 8)), ctx.user)
    assert team.name == "东关 三工联动队" and team.region_id == east.id
    with pytest.raises(ValidationFailed) as err:
        save_team(TeamData(name="东关  三工联动队", township_id=east.id), ctx.user)
    assert str(err.value.errors["name"]) == "名称与已有团队“东关 三工联动队”重复"
    save_team(TeamData(name="东关三工联动队", township_id=east.id, description="新说明"), ctx.user, team)
    entries = AuditEntry.select().where(AuditEntry.entity == "team").order_by(AuditEntry.id)
    assert [e.action for e in entries] == ["create", "update"]
    assert json.loads(entries[1].changes)["name"] == ["东关 三工联动队", "东关三工联动队"]


def test_assignments_and_status_by_day(ctx, places, people):
    team = save_team(TeamData(name="西湖三工队", township_id=places[1].id), ctx.user)
    cadre = add_assignment(ctx.user, team, people["cadre"], "cadre", TODAY - dt.timedelta(days=30))
    with pytest.raises(ValidationFailed) as err:
        add_assignment(ctx.user, team, people["cadre"], "cadre", TODAY)
    assert "李妇工已是“西湖三工队”的妇工" in str(err.value.errors["person"])
    with pytest.raises(ValidationFailed) as err:
        add_assignment(ctx.user, team, None, "", TODAY)
    assert set(err.value.errors) == {"person", "role"}
    worker = add_assignment(ctx.user, team, people["social_worker"], "social_worker",
                            TODAY - dt.timedelta(days=10))
    add_assignment(ctx.user, team, people["volunteer"], "volunteer", TODAY + dt.timedelta(days=1))
    assert status_of(team).missing == ("volunteer",)  # starts tomorrow: not yet
    assert status_of(team, TODAY + dt.timedelta(days=1)).complete

    with pytest.raises(ValidationFailed) as err:
        end_assignment(ctx.user, worker, TODAY - dt.timedelta(days=11))
    assert "结束日期不能早于开始日期" in str(err.value.errors["end_on"])
    end_assignment(ctx.user, worker, TODAY)
    assert "social_worker" not in status_of(team).missing  # ending today still counts today
    assert status_of(team, TODAY + dt.timedelta(days=1)).missing == ("social_worker",)
    with pytest.raises(ValidationFailed):
        end_assignment(ctx.user, worker, TODAY)
    end_assignment(ctx.user, cadre, TODAY - dt.timedelta(days=1))
    assert status_of(team).missing == ("cadre", "volunteer")
    assert AuditEntry.select().where(AuditEntry.entity == "team_assignment").count() == 5
    rows = members(team)
    assert [(r.name, r.role, r.active) for r in rows] == [
        ("李妇工", "cadre", False), ("张社工", "social_worker", True), ("王义工", "volunteer", False)]


def test_listing_counts_active_today_in_sql(ctx, places, people):
    east, west, _ = places
    full = save_team(TeamData(name="齐全队", township_id=east.id), ctx.user)
    partial = save_team(TeamData(name="缺人队", township_id=west.id), ctx.user)
    for role, person in people.items():
        add_assignment(ctx.user, full, person, role, TODAY - dt.timedelta(days=5))
    add_assignment(ctx.user, partial, people["cadre"], "cadre", None)
    ended = add_assignment(ctx.user, partial, people["volunteer"], "volunteer", None)
    end_assignment(ctx.user, ended, TODAY - dt.timedelta(days=1))
    listing = TeamListing()
    rows = {r.values[0]: r for r in listing.fetch(TeamFilter(), None, False, 0, 50)}
    assert tuple(map(str, rows["齐全队"].values[1:6])) == ("东关街道", "1", "1", "1", "齐全")
    assert tuple(map(str, rows["缺人队"].values[1:6])) == ("西湖镇", "1", "0", "0", "缺社工、义工")
    assert rows["缺人队"].flagged and not rows["齐全队"].flagged
    assert listing.count(TeamFilter(complete=True)) == 1
    incomplete = listing.fetch(TeamFilter(complete=False), "cadres", True, 0, 50)
    assert [r.values[0] for r in incomplete] == ["缺人队"]
    assert listing.count(TeamFilter(township_id=east.id)) == 1
    assert listing.count(TeamFilter(text="缺")) == 1
    full.archived = True
    full.save()
    assert listing.count(TeamFilter()) == 1 and listing.count(TeamFilter(archived=None)) == 2


def test_township_summary_flags_townships_without_social_worker_team(ctx, places, people):
    east, west, _ = places
    team = save_team(TeamData(name="东关队", township_id=east.id), ctx.user)
    for role, person in people.items():
        add_assignment(ctx.user, team, person, role, None)
    other = save_team(TeamData(name="西湖队", township_id=west.id), ctx.user)
    add_assignment(ctx.user, other, people["cadre"], "cadre", None)
    add_assignment(ctx.user, other, people["social_worker"], "social_worker", TODAY + dt.timedelta(days=1))
    summary = {(s.name): (s.teams, s.complete, s.has_social_worker_team) for s in township_summary()}
    assert summary == {"东关街道": (1, 1, True), "西湖镇": (1, 0, False)}
    assert TeamAssignment.select().count() == 5


def test_the_team_and_its_member_changes_are_written_together_or_not_at_all(ctx, places, people):
    east, _west, _village = places
    team = save_team(TeamData(name="东关三工队", township_id=east.id), ctx.user)
    cadre = add_assignment(ctx.user, team, people["cadre"], "cadre", TODAY - dt.timedelta(days=30))
    renamed = TeamData(name="东关三工联动队", township_id=east.id)
    lines = AuditEntry.select().count()
    again = NewAssignment(people["cadre"].id, "cadre", TODAY)  # she already is: refused
    with pytest.raises(ValidationFailed) as err:
        save_team_and_members(renamed, ctx.user, team, (NewAssignment(people["volunteer"].id, "volunteer",
                                                                      TODAY), again),
                              {cadre.id: TODAY})
    assert "不能重复加入" in str(err.value.errors["members"])
    assert Team.get_by_id(team.id).name == "东关三工队"  # nothing of it was written
    assert TeamAssignment.select().count() == 1 and TeamAssignment.get_by_id(cadre.id).end_on is None
    assert AuditEntry.select().count() == lines
    save_team_and_members(renamed, ctx.user, team, (NewAssignment(people["volunteer"].id, "volunteer",
                                                                  TODAY),), {cadre.id: TODAY})
    assert Team.get_by_id(team.id).name == "东关三工联动队"
    assert TeamAssignment.get_by_id(cadre.id).end_on == TODAY
    assert TeamAssignment.select().where(TeamAssignment.role == "volunteer").count() == 1


def test_a_social_worker_needs_a_certificate_level_or_a_reason(ctx, places, people):
    east, _west, _village = places
    team = save_team(TeamData(name="东关三工队", township_id=east.id), ctx.user)
    with pytest.raises(ValidationFailed) as err:
        add_assignment(ctx.user, team, people["volunteer"], "social_worker", TODAY)
    assert "没有社工证书等级" in str(err.value.errors["role"])
    assert TeamAssignment.select().count() == 0
    add_assignment(ctx.user, team, people["social_worker"], "social_worker", TODAY)  # has a level
    stand_in = add_assignment(ctx.user, team, people["volunteer"], "social_worker", TODAY, "临时顶岗")
    line = AuditEntry.get(AuditEntry.action == "override")
    assert line.entity_id == stand_in.id
    assert json.loads(line.changes) == {"certificate_override": [None, "临时顶岗"]}
