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


@dataclass(frozen=True)
class NewAssignment:
    """A member added in the team form, written only when the form is saved."""

    person_id: int
    role: str  # PERSON_ROLES code
    start_on: dt.date | None
    certificate_override: str = ""  # why someone without a certificate serves as 社工 (audited)


def check_assignment(team: Team | None, person: Person | None, role: str | None,
                     start_on: dt.date | None, certificate_override: str = "",
                     pending: tuple[NewAssignment, ...] = ()) -> None:
    """Raise ValidationFailed if the person may not take the role: the same person cannot hold the
    same role twice at once, and 社工 needs a social-work certificate level in the register (or a
    stated reason, recorded in the audit trail). Writes nothing."""
    errors: dict[str, Message] = {}
    if person is None:
        errors["person"] = msg("请选择人员")
    if role not in PERSON_ROLES:
        errors["role"] = msg("请选择角色")
    if errors:
        raise ValidationFailed(errors)
    if role == "social_worker" and not person.social_worker_level and not certificate_override.strip():
        errors["role"] = msg(
            "{name}在人员登记中没有社工证书等级，不能作为社工加入。请先在人员中填写其证书等级；"
            "确需破例，请填写理由（记入操作日志）", name=person.name)
    day = start_on or dt.date.today()
    current = None
    if team is not None and team.id is not None:
        current = (
            TeamAssignment.select()
            .where((TeamAssignment.team == team) & (TeamAssignment.person == person)
                   & (TeamAssignment.role == role)
                   & (TeamAssignment.end_on.is_null() | (TeamAssignment.end_on >= day)))
            .first()
        )
    label = PERSON_ROLES.label(role)
    if current is not None:
        since = current.start_on.isoformat() if current.start_on else ""
        errors["person"] = msg(
            "{name}已是“{team}”的{role}（{since}起），不能重复加入",
            name=person.name, team=team.name, role=label, since=since,
        )
    elif any(p.person_id == person.id and p.role == role for p in pending):
        errors["person"] = msg("{name}已作为{role}加入，不能重复加入", name=person.name, role=label)
    if errors:
        raise ValidationFailed(errors)


def _add_assignment(user: User | None, team: Team, new: NewAssignment) -> TeamAssignment:
    person = Person.get_or_none(Person.id == new.person_id)
    check_assignment(team, person, new.role, new.start_on, new.certificate_override)
    assignment = audit.create(TeamAssignment, user, team=team, person=person, role=new.role,
                              start_on=new.start_on)
    reason = new.certificate_override.strip()
    if new.role == "social_worker" and not person.social_worker_level and reason:
        audit.record(user, "override", assignment, {"certificate_override": [None, reason]},
                     f"{person.name}（无社工证书）任“{team.name}”社工")
    return assignment


def add_assignment(user: User | None, team: Team, person: Person | None, role: str | None,
                   start_on: dt.date | None, certificate_override: str = "") -> TeamAssignment:
    """Assign a person to the team in a role at once (see check_assignment)."""
    check_assignment(team, person, role, start_on, certificate_override)
    with database.atomic():
        return _add_assignment(user, team, NewAssignment(person.id, role, start_on, certificate_override))


def check_end(assignment: TeamAssignment, end_on: dt.date | None) -> None:
    if end_on is None:
        raise ValidationFailed({"end_on": msg("请填写结束日期")})
    if assignment.end_on is not None:
        raise ValidationFailed({"end_on": msg("该任职已于 {day} 结束", day=assignment.end_on.isoformat())})
    if assignment.start_on is not None and end_on < assignment.start_on:
        raise ValidationFailed(
            {"end_on": msg("结束日期不能早于开始日期 {day}", day=assignment.start_on.isoformat())}
        )


def end_assignment(user: User | None, assignment: TeamAssignment,
                   end_on: dt.date | None) -> TeamAssignment:
    check_end(assignment, end_on)
    return audit.update(assignment, user, end_on=end_on)


def save_team_and_members(data: TeamData, user: User | None, existing: Team | None = None,
                          added: tuple[NewAssignment, ...] = (),
                          ended: dict[int, dt.date] | None = None) -> Team:
    """The team form's 保存: the team, the members added and the terms ended, all in one
    transaction (nothing of it is written when any part is refused)."""
    with database.atomic():
        team = save_team(data, user, existing)
        for assignment_id, end_on in (ended or {}).items():
            assignment = TeamAssignment.get_by_id(assignment_id)
            try:
                end_assignment(user, assignment, end_on)
            except ValidationFailed as e:
                raise ValidationFailed({"members": next(iter(e.errors.values()))}) from None
        for new in added:
            try:
                _add_assignment(user, team, new)
            except ValidationFailed as e:
                raise ValidationFailed({"members": next(iter(e.errors.values()))}) from None
        return team


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

