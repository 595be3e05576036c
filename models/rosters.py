"""Rosters (花名册): who belongs to an organization, a team, a venue or an area, as printable rows.

Four kinds of roster:

- ``organization``: the organization's current members (membership not ended), with their role;
- ``team``: the 三工联动 team's current members, with their duty (妇工 / 社工 / 义工);
- ``venue``: the venue's regular people: its manager, and everybody who recorded volunteer
  service at an activity held there in the last 12 months (with their hours there);
- ``volunteers``: every volunteer (not archived) of the county, or of one township and its
  villages, with the roles they hold (义工, perhaps also 妇工 / 社工), their current
  organizations and total service hours.

Rows come in surname stroke order (姓氏笔画, the official default) or pinyin order. ID numbers
are masked unless the office's settings allow full numbers *and* the caller says the operator
may see them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from peewee import JOIN, fn

from .choices import MEMBERSHIP_ROLES, PERSON_ROLES, SEXES, SOCIAL_WORKER_LEVELS
from .db import group_concat
from .entities import (
    Activity,
    Membership,
    Organization,
    Person,
    Region,
    ServiceRecord,
    Team,
    TeamAssignment,
    Venue,
)
from .i18n import Message, msg
from .people import roles_text
from .rules import add_months
from .settings import get_setting
from .sortkey import StrokeTable, stroke_key, stroke_table
from .validators import mask_id_number

KINDS = ("organization", "team", "venue", "volunteers")
ORDERS = ("strokes", "pinyin")
VENUE_WINDOW_MONTHS = 12


class RosterError(LookupError):
    """A roster target that does not exist (unknown name or id): the user can fix it."""

    def __init__(self, message: Message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class RosterRow:
    person_id: int
    name: str
    name_key: str
    sex: str  # label: 女 / 男
    birth: str  # YYYY.MM
    id_number: str  # masked unless full numbers are allowed
    phone: str
    duty: str  # role in the organization, duty in the team, ...
    organizations: str = ""  # volunteers: current organizations
    hours: Decimal | None = None  # volunteers, venue: service hours


@dataclass(frozen=True)
class Roster:
    kind: str
    title: str  # e.g. 阳光协会成员花名册
    target: str  # the organization / team / venue / area name
    duty_title: str  # header of the duty column
    hours_title: str  # header of the hours column ("" = no such column)
    with_organizations: bool
    full_ids: bool
    rows: list[RosterRow]


def full_ids_allowed(operator_may_see: bool) -> bool:
    """Full ID numbers only when the settings allow printing them and the operator may see them."""
    return operator_may_see and get_setting("privacy.print_full_id") == "1"


def birth_text(day: dt.date | None) -> str:
    return f"{day.year}.{day.month:02d}" if day else ""


def sort_rows(rows: list[RosterRow], order: str, table: StrokeTable | None = None) -> list[RosterRow]:
    if order == "pinyin":
        return sorted(rows, key=lambda r: (r.name_key, r.name, r.person_id))
    if order != "strokes":
        raise ValueError(f"unknown roster order {order!r}")
    table = stroke_table() if table is None else table
    return sorted(rows, key=lambda r: (*stroke_key(r.name, r.name_key, table), r.person_id))


def _active(model, day: dt.date):
    return (model.start_on.is_null() | (model.start_on <= day)) & (
        model.end_on.is_null() | (model.end_on >= day)
    )


_PERSON_COLUMNS = (Person.id, Person.name, Person.name_key, Person.sex, Person.birth_date,
                   Person.id_number, Person.phone)


def _row(raw: tuple, full: bool, duty: str, **extra) -> RosterRow:
    pid, name, key, sex, birth, number, phone = raw[:7]
    return RosterRow(pid, name, key, SEXES.label(sex), birth_text(birth),
                     (number or "") if full else mask_id_number(number), phone or "", duty, **extra)


def _labels(codes: str | None, choices) -> str:
    """``"core,member"`` (GROUP_CONCAT) → ``骨干、成员`` in the vocabulary's order."""
    present = set((codes or "").split(","))
    return "、".join(label for code, label in choices if code in present)


def organization_rows(org_id: int, day: dt.date, full: bool) -> list[RosterRow]:
    query = (
        Person.select(*_PERSON_COLUMNS, group_concat(Membership.role))
        .join(Membership)
        .where((Membership.organization == org_id) & _active(Membership, day)
               & (Person.archived == False))  # noqa: E712
        .group_by(Person.id)
    )
    return [_row(raw, full, _labels(raw[7], MEMBERSHIP_ROLES)) for raw in query.tuples()]


def team_rows(team_id: int, day: dt.date, full: bool) -> list[RosterRow]:
    query = (
        Person.select(*_PERSON_COLUMNS, group_concat(TeamAssignment.role), Person.social_worker_level)
        .join(TeamAssignment)
        .where((TeamAssignment.team == team_id) & _active(TeamAssignment, day)
               & (Person.archived == False))  # noqa: E712
        .group_by(Person.id)
    )
    rows = []
    for raw in query.tuples():
        duty = _labels(raw[7], PERSON_ROLES)
        level = SOCIAL_WORKER_LEVELS.label(raw[8])
        if level and "social_worker" in (raw[7] or ""):
            duty = f"{duty}（{level}）"
        rows.append(_row(raw, full, duty))
    return rows


def venue_rows(venue_id: int, day: dt.date, full: bool) -> list[RosterRow]:
    since = add_months(day, -VENUE_WINDOW_MONTHS)
    served = (
        ServiceRecord.select(ServiceRecord.person.alias("person_id"),
                             fn.SUM(ServiceRecord.hours).alias("hours"))
        .join(Activity)
        .where((Activity.venue == venue_id) & (Activity.held_on > since) & (Activity.held_on <= day)
               & (Activity.archived == False))  # noqa: E712
        .group_by(ServiceRecord.person)
        .alias("served")
    )
    manager_id = Venue.select(Venue.manager).where(Venue.id == venue_id).scalar()
    query = (
        Person.select(*_PERSON_COLUMNS, served.c.hours)
        .join(served, JOIN.LEFT_OUTER, on=(served.c.person_id == Person.id))
        .where(((Person.id == manager_id) | served.c.person_id.is_null(False))
               & (Person.archived == False))  # noqa: E712
    )
    rows = []
    for raw in query.tuples():
        duties = ["阵地管理员"] if raw[0] == manager_id else []
        if raw[7] is not None:
            duties.append("志愿服务")
        hours = Decimal(str(raw[7])).quantize(Decimal("0.1")) if raw[7] is not None else None
        rows.append(_row(raw, full, "、".join(duties), hours=hours))
    return rows


def area_region_ids(township_id: int | None) -> list[int] | None:
    """The township and its villages; ``None`` for the whole county."""
    if township_id is None:
        return None
    villages = Region.select(Region.id).where(Region.parent == township_id)
    return [township_id, *(rid for (rid,) in villages.tuples())]


def volunteer_rows(township_id: int | None, day: dt.date, full: bool) -> list[RosterRow]:
    hours = (
        ServiceRecord.select(ServiceRecord.person.alias("person_id"),
                             fn.SUM(ServiceRecord.hours).alias("hours"))
        .group_by(ServiceRecord.person)
        .alias("hours")
    )
    orgs = (
        Membership.select(Membership.person.alias("person_id"),
                          group_concat(Organization.name, "、").alias("names"))
        .join(Organization)
        .where(_active(Membership, day))
        .group_by(Membership.person)
        .alias("orgs")
    )
    query = (
        Person.select(*_PERSON_COLUMNS, orgs.c.names, hours.c.hours, Person.is_cadre, Person.is_social_worker)
        .join(orgs, JOIN.LEFT_OUTER, on=(orgs.c.person_id == Person.id))
        .join(hours, JOIN.LEFT_OUTER, on=(hours.c.person_id == Person.id))
        .where((Person.is_volunteer == True) & (Person.archived == False))  # noqa: E712
    )
    regions = area_region_ids(township_id)
    if regions is not None:
        query = query.where(Person.region.in_(regions))
    return [
        _row(raw, full, roles_text(raw[9], raw[10], True), organizations=raw[7] or "",
             hours=Decimal(str(raw[8] or 0)).quantize(Decimal("0.1")))
        for raw in query.tuples()
    ]


def _target(model, target_id: int | None, what: str):
    instance = model.get_or_none(model.id == target_id) if target_id is not None else None
    if instance is None:
        raise RosterError(msg("找不到编号为 {id} 的{what}", id=target_id, what=what))
    return instance


def county_name() -> str:
    name = get_setting("office.county")
    if name:
        return name
    county = Region.select(Region.name).where(Region.level == "county").order_by(Region.id).scalar()
    return county or "全县"


def build_roster(kind: str, target_id: int | None, order: str = "strokes", township_id: int | None = None,
                 full_ids: bool = False, today: dt.date | None = None) -> Roster:
    """The roster of ``kind`` for the organization / team / venue ``target_id`` (or, for
    ``volunteers``, the township ``township_id`` or the whole county), sorted by ``order``.

    ``full_ids`` says the operator may see full ID numbers; they are printed only if the
    setting ``privacy.print_full_id`` also allows it.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown roster kind {kind!r}")
    if order not in ORDERS:
        raise ValueError(f"unknown roster order {order!r}")
    day = today or dt.date.today()
    full = full_ids_allowed(full_ids)
    duty_title, hours_title, with_orgs = "职务", "", False
    if kind == "organization":
        org = _target(Organization, target_id, "组织")
        target, title = org.name, f"{org.name}成员花名册"
        rows = organization_rows(org.id, day, full)
    elif kind == "team":
        team = _target(Team, target_id, "团队")
        target, title, duty_title = team.name, f"{team.name}成员花名册", "分工"
        rows = team_rows(team.id, day, full)
    elif kind == "venue":
        venue = _target(Venue, target_id, "活动阵地")
        target, title = venue.name, f"{venue.name}阵地人员花名册"
        duty_title, hours_title = "身份", f"近{VENUE_WINDOW_MONTHS}个月服务时长（小时）"
        rows = venue_rows(venue.id, day, full)
    else:
        if township_id is not None:
            target = _target(Region, township_id, "镇（街道）").name
        else:
            target = county_name()
        title, duty_title, with_orgs = f"{target}志愿者花名册", "身份", True
        hours_title = "累计服务时长（小时）"
        rows = volunteer_rows(township_id, day, full)
    return Roster(kind, title, target, duty_title, hours_title, with_orgs, full,
                  sort_rows(rows, order))


def _find(model, name: str, what: str, extra=None) -> int:
    """The id of the record called ``name`` (or, failing that, the one whose name contains it)."""
    text = " ".join((name or "").split())
    if not text:
        raise RosterError(msg("请给出{what}名称", what=what))
    exact = model.name == text
    if extra is not None:
        exact = exact | (extra == text)
    live = model.archived == False  # noqa: E712
    for condition in (exact, exact & live, model.name.contains(text) & live):
        found = list(model.select(model.id, model.name).where(condition)
                     .order_by(model.name_key, model.id).limit(6).tuples())
        if len(found) == 1:
            return found[0][0]
        if len(found) > 1 and condition is not exact:
            names = "、".join(n for _, n in found[:5]) + ("等" if len(found) > 5 else "")
            raise RosterError(msg("名称含“{name}”的{what}不止一个：{names}。请写出完整名称。",
                                  name=text, what=what, names=names))
    raise RosterError(msg("找不到名为“{name}”的{what}，请检查名称。", name=text, what=what))


def find_organization(name: str) -> int:
    """An organization's id by its full name or short name, or a unique partial name."""
    return _find(Organization, name, "组织", Organization.short_name)


def find_team(name: str) -> int:
    return _find(Team, name, "团队")


def find_venue(name: str) -> int:
    return _find(Venue, name, "活动阵地")


def find_township(name: str) -> int:
    text = " ".join((name or "").split())
    found = Region.select(Region.id).where((Region.name == text) & (Region.level == "township")).scalar()
    if found is None:
        raise RosterError(msg("找不到名为“{name}”的镇（街道），请检查名称。", name=text))
    return found
