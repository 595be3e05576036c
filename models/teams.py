"""三工联动 teams: register a team, assign cadres, social workers and volunteers, and see
which townships still lack a professional social-work team (the county's assessment target)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import JOIN, Case, fn

from . import audit
from .choices import PERSON_ROLES
from .db import database, excluding
from .entities import Person, Region, Team, TeamAssignment, User
from .errors import ValidationFailed, clean_title
from .i18n import Message, msg
from .rules import TeamStatus, team_status
from .validators import mask_id_number


@dataclass
class TeamData:
    name: str = ""
    township_id: int | None = None
    founded_on: dt.date | None = None
    description: str = ""

    @classmethod
    def from_team(cls, team: Team) -> TeamData:
        return cls(team.name, team.region_id, team.founded_on, team.description)


def active_on(day: dt.date):
    """SQL condition: the assignment runs on ``day`` (both ends inclusive)."""
    return (TeamAssignment.start_on.is_null() | (TeamAssignment.start_on <= day)) & (
        TeamAssignment.end_on.is_null() | (TeamAssignment.end_on >= day)
    )


def role_count(role: str, day: dt.date):
    """SUM of the team's assignments in ``role`` active on ``day`` (with TeamAssignment LEFT JOINed)."""
    return fn.COALESCE(
        fn.SUM(Case(None, [((TeamAssignment.role == role) & active_on(day), 1)], 0)), 0
    )


def complete_condition(day: dt.date):
    """HAVING condition: every role has somebody active on ``day``."""
    condition = None
    for role in PERSON_ROLES.codes():
        part = role_count(role, day) > 0
        condition = part if condition is None else condition & part
    return condition


def save_team(data: TeamData, user: User | None, existing: Team | None = None) -> Team:
    """Register or update a team; raises ValidationFailed, saving nothing."""
    errors: dict[str, Message] = {}
    name = clean_title(data.name, "团队名称", "name", errors)
    if data.township_id is None:
        errors["township_id"] = msg("请选择所属镇（街道）")
    elif not Region.select().where(
        (Region.id == data.township_id) & (Region.level == "township")
    ).exists():
        errors["township_id"] = msg("所属地区须是镇（街道）")
    if data.founded_on is not None and data.founded_on > dt.date.today():
        errors["founded_on"] = msg("日期不能晚于今天")
    with database.atomic():
        if "name" not in errors:
            query = Team.select().where(Team.name == name)
            query = excluding(query, existing)
            clash = query.first()
            if clash is not None:
                state = "（已归档）" if clash.archived else ""
                errors["name"] = msg("名称与已有团队“{name}”{state}重复", name=clash.name, state=state)
        if errors:
            raise ValidationFailed(errors)
        values = dict(name=name, region=data.township_id, founded_on=data.founded_on,
                      description=data.description.strip())
        return audit.save(Team, user, existing, **values)


def status_of(team: Team | int, today: dt.date | None = None) -> TeamStatus:
    return team_status(TeamAssignment.select().where(TeamAssignment.team == team), today)


def add_assignment(user: User | None, team: Team, person: Person | None, role: str | None,
                   start_on: dt.date | None) -> TeamAssignment:
    """Assign a person to the team in a role; the same person cannot hold the same role twice at once."""
    errors: dict[str, Message] = {}
    if person is None:
        errors["person"] = msg("请选择人员")
    if role not in PERSON_ROLES:
        errors["role"] = msg("请选择角色")
    with database.atomic():
        if not errors:
            day = start_on or dt.date.today()
            current = (
                TeamAssignment.select()
                .where((TeamAssignment.team == team) & (TeamAssignment.person == person)
                       & (TeamAssignment.role == role)
                       & (TeamAssignment.end_on.is_null() | (TeamAssignment.end_on >= day)))
                .first()
            )
            if current is not None:
                since = current.start_on.isoformat() if current.start_on else ""
                errors["person"] = msg(
                    "{name}已是“{team}”的{role}（{since}起），不能重复加入",
                    name=person.name, team=team.name, role=PERSON_ROLES.label(role), since=since,
                )
        if errors:
            raise ValidationFailed(errors)
        return audit.create(TeamAssignment, user, team=team, person=person, role=role,
                            start_on=start_on)


def end_assignment(user: User | None, assignment: TeamAssignment,
                   end_on: dt.date | None) -> TeamAssignment:
    if end_on is None:
        raise ValidationFailed({"end_on": msg("请填写结束日期")})
    if assignment.end_on is not None:
        raise ValidationFailed({"end_on": msg("该任职已于 {day} 结束", day=assignment.end_on.isoformat())})
    if assignment.start_on is not None and end_on < assignment.start_on:
        raise ValidationFailed(
            {"end_on": msg("结束日期不能早于开始日期 {day}", day=assignment.start_on.isoformat())}
        )
    return audit.update(assignment, user, end_on=end_on)


@dataclass(frozen=True)
class MemberRow:
    assignment_id: int
    name: str
    masked_id: str
    role: str  # PERSON_ROLES code
    start_on: dt.date | None
    end_on: dt.date | None
    active: bool


def members(team: Team | int, today: dt.date | None = None) -> list[MemberRow]:
    """The team's assignments grouped by role (in the roles' order), active first, then by name."""
    day = today or dt.date.today()
    role_order = Case(TeamAssignment.role, [(c, i) for i, c in enumerate(PERSON_ROLES.codes())], 99)
    active = Case(None, [(active_on(day), 1)], 0)
    query = (
        TeamAssignment.select(TeamAssignment.id, Person.name, Person.id_number, TeamAssignment.role,
                              TeamAssignment.start_on, TeamAssignment.end_on, active)
        .join(Person)
        .where(TeamAssignment.team == team)
        .order_by(role_order, active.desc(), Person.name_key, TeamAssignment.id)
    )
    return [MemberRow(aid, name, mask_id_number(number), role, start, end, bool(on))
            for aid, name, number, role, start, end, on in query.tuples()]


@dataclass(frozen=True)
class TownshipTeams:
    township_id: int
    name: str
    teams: int
    complete: int
    has_social_worker_team: bool


def township_summary(today: dt.date | None = None) -> list[TownshipTeams]:
    """Per township: its (non-archived) teams, how many are complete and whether any has a
    social worker active today. One query: per-team counts grouped, then grouped by township."""
    day = today or dt.date.today()
    per_team = (
        Team.select(
            Team.id.alias("team_id"),
            Team.region.alias("region_id"),
            role_count("social_worker", day).alias("social_workers"),
            Case(None, [(complete_condition(day), 1)], 0).alias("complete"),
        )
        .join(TeamAssignment, JOIN.LEFT_OUTER)
        .where(Team.archived == False)  # noqa: E712
        .group_by(Team.id)
        .alias("per_team")
    )
    query = (
        Region.select(
            Region.id, Region.name,
            fn.COUNT(per_team.c.team_id),
            fn.COALESCE(fn.SUM(per_team.c.complete), 0),
            fn.COALESCE(fn.MAX(per_team.c.social_workers), 0),
        )
        .join(per_team, JOIN.LEFT_OUTER, on=(per_team.c.region_id == Region.id))
        .where(Region.level == "township")
        .group_by(Region.id)
        .order_by(Region.sort_order, Region.name_key)
    )
    return [TownshipTeams(rid, name, teams, complete, social > 0)
            for rid, name, teams, complete, social in query.tuples()]

