"""The office behind the round-trip tests: the demo county plus the cases the demo lacks, and the
records as an export shows them and as a database holds them, in one comparable form.

A record is a dict of Chinese field names (what the office calls them) to plain values; an export
row and a database record of the same person or organization compare field by field. Fields an
export does not show are expected blank in a database that was filled from that export alone:
an import reproduces what the file shows and invents nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from peewee import fn

from models.activities import ActivityData, save_activity, set_service_hours
from models.choices import (
    INCUBATION_STAGES,
    MEMBERSHIP_ROLES,
    ORG_KINDS,
    PERSON_ROLES,
    SEXES,
    SOCIAL_WORKER_LEVELS,
)
from models.entities import (
    Membership,
    Organization,
    OrganizationServiceArea,
    Person,
    Region,
    ServiceArea,
    ServiceRecord,
    Team,
    TeamAssignment,
    User,
)
from models.memberships import add_membership
from models.organizations import OrganizationData, advance_stage, save_organization
from models.people import PersonData, roles_text, save_person
from models.rosters import birth_text
from models.teams import TeamData, add_assignment, save_team
from models.validators import credit_check_char, id_check_char
from models.venues import VenueData, save_venue

TOWN = "东关街道"
OTHER_TOWN = "白塔镇"
CENTER = "青禾县巾帼同心社会工作服务中心"  # registered, in incubation, alliance member
SISTERS = "白塔镇姐妹互助会"  # grassroots, just entered incubation
READERS = "东关街道巾帼读书会"  # grassroots in a village, alliance member, never incubated
TEAM = "东关街道巾帼同心三工联动队"
VENUE = "东关街道巾帼同心妇女微家"
# 苗晓梅: 妇联兼职副主席 and 负责人 of CENTER, in three organizations, 27.5 hours.
CADRE_LEADER = "苗晓梅"
LONG_SERVING = "柏建国"  # ID ending in X, landline, senior social worker and volunteer, 1,234.5 hours
HOURS_ACTIVITY = "巾帼同心家庭教育讲座"  # at VENUE a month ago: 12.5 + 15.0 = 27.5 hours


def resident_id(born: str, female: bool, want_x: bool = False) -> str:
    """A valid ID of a person born on ``born`` (YYYYMMDD) in the demo county."""
    for serial in range(1000):
        if serial % 2 != (0 if female else 1):
            continue
        first17 = f"329901{born}{serial:03d}"
        check = id_check_char(first17)
        if (check == "X") == want_x:
            return first17 + check
    raise AssertionError("no such ID")


def credit_code(body: str) -> str:
    return body + credit_check_char(body)


def add_office_cases(user: User, today: dt.date) -> None:
    """What the demo has not: a cadre with a 妇联职务 who leads one organization and is in two
    more; people without an ID number (one with a phone, two without), with birth dates the
    rosters print only to the month (October, January, December); an ID ending in X, a landline,
    social-worker levels; hours with a .5 and a total above 1,000; a registered organization with
    two stages behind it, service areas and alliance membership; one in a village; a team of all
    three roles and a venue with its manager and recent service."""
    town = Region.get((Region.name == TOWN) & (Region.level == "township"))
    other = Region.get((Region.name == OTHER_TOWN) & (Region.level == "township"))
    village = Region.select().where(Region.parent == town).order_by(Region.id).first()
    areas = dict(ServiceArea.select(ServiceArea.name, ServiceArea.id).tuples())

    def org(data: OrganizationData, stages: tuple[tuple[str, dt.date], ...] = ()) -> Organization:
        if stages:
            data.initial_stage, data.initial_stage_on = stages[0]
        saved = save_organization(data, user)
        for stage, on in stages[1:]:
            saved = advance_stage(saved, user, stage, on, "转入下一阶段")
        return saved

    center = org(OrganizationData(
        name=CENTER, short_name="同心社工", kind="registered", legal_form="service_org",
        credit_code=credit_code("52329901MA1TENG01"), region_id=town.id, contact_person=CADRE_LEADER,
        contact_phone="0517-86543210", alliance_member=True, alliance_joined_on=dt.date(2024, 6, 1),
        service_area_ids=[areas["家庭教育"], areas["心理健康"]],
    ), (("sprouting", dt.date(2024, 9, 10)), ("startup", dt.date(2025, 3, 15))))
    sisters = org(OrganizationData(
        name=SISTERS, region_id=other.id, contact_person="谷雨桐", contact_phone="13812345678",
        service_area_ids=[areas["爱心助困"], areas["妇女维权"]],
    ), (("sprouting", dt.date(2025, 10, 8)),))
    readers = org(OrganizationData(
        name=READERS, region_id=village.id, alliance_member=True, alliance_joined_on=dt.date(2025, 5, 20),
        service_area_ids=[areas["家庭教育"], areas["爱心助困"], areas["助老服务"]],
    ))

    def person(data: PersonData, born: dt.date | None = None, sex: str = "F") -> Person:
        saved = save_person(data, user)
        if born is not None:  # no ID: what an earlier import of a legacy sheet typed in
            Person.update(birth_date=born, sex=sex).where(Person.id == saved.id).execute()
        return saved

    leader = person(PersonData(
        name=CADRE_LEADER, id_number=resident_id("19780315", True), phone="13905170001", region_id=town.id,
        is_cadre=True, is_volunteer=True, cadre_title="妇联兼职副主席"))
    with_phone = person(PersonData(name="谷雨桐", phone="13812345678", region_id=other.id, is_volunteer=True),
                        dt.date(1983, 10, 15))
    no_phone = person(PersonData(name="闻雪芹", region_id=town.id, is_volunteer=True), dt.date(1990, 1, 20))
    manager = person(PersonData(name="岑秋菊", region_id=town.id, is_social_worker=True,
                                social_worker_level="regular"), dt.date(1975, 12, 3))
    worker = person(PersonData(
        name=LONG_SERVING, id_number=resident_id("19690521", False, want_x=True), phone="0517-87654321",
        region_id=town.id, is_social_worker=True, social_worker_level="senior", is_volunteer=True))

    joined = dt.date(2024, 9, 10)
    for who, where, role in ((leader, center, "leader"), (leader, sisters, "member"),
                             (leader, readers, "core"), (with_phone, center, "member"),
                             (with_phone, sisters, "leader"), (no_phone, center, "core"),
                             (no_phone, readers, "member"), (worker, center, "member")):
        add_membership(user, who, where, role, joined)
    team = save_team(TeamData(name=TEAM, township_id=town.id, founded_on=dt.date(2025, 1, 10)), user)
    for who, role in ((leader, "cadre"), (manager, "social_worker"), (worker, "social_worker"),
                      (worker, "volunteer"), (with_phone, "volunteer")):
        add_assignment(user, team, who, role, dt.date(2025, 1, 10))
    venue = save_venue(VenueData(name=VENUE, level="town", kind="women_micro_home", region_id=town.id,
                                 capacity=40, manager_id=manager.id), user)

    def activity(title: str, day: dt.date, hours: dict[Person, str], venue_id: int | None = None) -> None:
        data = ActivityData(title=title, held_on=day, venue_id=venue_id, organization_id=center.id,
                            participants=len(hours), people_served=20)
        saved = save_activity(data, user, today=today)
        set_service_hours(user, saved, {p.id: Decimal(h) for p, h in hours.items()})

    activity(HOURS_ACTIVITY, today - dt.timedelta(days=30), {leader: "12.5", with_phone: "15.0"}, venue.id)
    activity("巾帼同心助老服务", today - dt.timedelta(days=400), {leader: "15.0"})
    for n in range(52):  # 51 × 24 + 10.5 = 1,234.5 hours over two years
        activity(f"社区长期志愿服务（第{n + 1}期）", today - dt.timedelta(days=420 + 14 * n),
                 {worker: "10.5" if n == 51 else "24.0"})


# -- what a database holds --------------------------------------------------------------------


def person_key(id_number: str, name: str, phone: str) -> str:
    return id_number or f"{name}（无身份证号，电话{phone or '无'}）"


def _active(model, today: dt.date):
    started = model.start_on.is_null() | (model.start_on <= today)
    return started & (model.end_on.is_null() | (model.end_on >= today))


def _township(region_id: int | None, regions: dict[int, tuple[str, str, int | None]]) -> str:
    if region_id is None:
        return ""
    name, level, parent = regions[region_id]
    return regions[parent][0] if level == "village" and parent is not None else name


def people_records(today: dt.date) -> dict[str, dict[str, Any]]:
    """Every person of the bound database (not archived), keyed as ``person_key``."""
    regions = {r: (n, lv, p) for r, n, lv, p in Region.select(Region.id, Region.name, Region.level,
                                                                Region.parent).tuples()}
    orgs: dict[int, dict[str, str]] = defaultdict(dict)
    query = (Membership.select(Membership.person, Organization.name, Membership.role).join(Organization)
             .where(_active(Membership, today)))
    for pid, name, role in query.tuples():
        orgs[pid][name] = MEMBERSHIP_ROLES.label(role)
    teams: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    query = (TeamAssignment.select(TeamAssignment.person, Team.name, TeamAssignment.role).join(Team)
             .where(_active(TeamAssignment, today)))
    for pid, name, role in query.tuples():
        teams[pid][name].add(PERSON_ROLES.label(role))
    hours = dict(ServiceRecord.select(ServiceRecord.person, fn.SUM(ServiceRecord.hours))
                 .group_by(ServiceRecord.person).tuples())
    records: dict[str, dict[str, Any]] = {}
    for p in Person.select().where(Person.archived == False):  # noqa: E712
        key = person_key(p.id_number or "", p.name, p.phone)
        while key in records:  # the same person twice: shows as an extra record
            key += "（重复）"
        records[key] = {
            "姓名": p.name, "身份证号": p.id_number or "", "性别": SEXES.label(p.sex),
            "出生日期": p.birth_date, "出生年月": birth_text(p.birth_date), "联系电话": p.phone,
            "角色": labels(roles_text(p.is_cadre, p.is_social_worker, p.is_volunteer)),
            "所属镇（街道）": _township(p.region_id, regions),
            "社工等级": SOCIAL_WORKER_LEVELS.label(p.social_worker_level), "妇联职务": p.cadre_title,
            "组织及职务": dict(orgs.get(p.id, {})), "所在组织": frozenset(orgs.get(p.id, {})),
            "团队分工": {t: frozenset(r) for t, r in teams.get(p.id, {}).items()},
            "服务时长": hours_value(hours.get(p.id)),
        }
    return records


def org_records() -> dict[str, dict[str, Any]]:
    """Every organization of the bound database (not archived), by name."""
    regions = {r: (n, lv, p) for r, n, lv, p in Region.select(Region.id, Region.name, Region.level,
                                                                Region.parent).tuples()}
    areas: dict[int, set[str]] = defaultdict(set)
    for oid, name in (OrganizationServiceArea.select(OrganizationServiceArea.organization, ServiceArea.name)
                      .join(ServiceArea).tuples()):
        areas[oid].add(name)
    return {o.name: {
        "组织名称": o.name, "简称": o.short_name, "类型": ORG_KINDS.label(o.kind),
        "统一社会信用代码": o.credit_code or "", "孵化阶段": INCUBATION_STAGES.label(o.incubation_stage),
        "阶段起始": o.stage_since, "所属镇（街道）": _township(o.region_id, regions),
        "服务领域": frozenset(areas.get(o.id, ())), "联盟成员": o.alliance_member,
        "联系人": o.contact_person, "联系电话": o.contact_phone, "地址": o.address,
        "业务主管单位": o.supervisor, "成立时间": o.founded_on, "团体会员": o.group_member, "备注": o.notes,
    } for o in Organization.select().where(Organization.archived == False)}  # noqa: E712


def labels(value: Any) -> frozenset[str]:
    return frozenset(p for p in re.split(r"[、,，]", str(value or "")) if p)


def hours_value(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.1"))


# -- what an export shows ---------------------------------------------------------------------


@dataclass
class ExportTable:
    title: str  # the first line: 人员 / 青禾县巾帼同心社会工作服务中心成员花名册 …
    header: list[str]
    rows: list[dict[str, Any]]  # the data rows (a roster's signature lines not included)


def read_export(path: Path) -> ExportTable:
    """An export as written: two heading lines, the header, the rows up to the first blank one."""
    wb = load_workbook(path)
    try:
        values = [[c.value for c in row] for row in wb.worksheets[0].iter_rows()]
    finally:
        wb.close()
    header = [str(v) for v in values[2]]
    rows = []
    for cells in values[3:]:
        if all(v is None for v in cells):
            break
        rows.append({title: (v.date() if isinstance(v, dt.datetime) and title != "更新时间" else v)
                     for title, v in zip(header, cells)})
    return ExportTable(str(values[0][0]), header, rows)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _identity(row: dict[str, Any], birth: str) -> dict[str, Any]:
    return {"姓名": _text(row["姓名"]), "身份证号": _text(row["身份证号"]), "性别": _text(row["性别"]),
            birth: row[birth] if birth == "出生日期" else _text(row[birth]),
            "联系电话": _text(row["联系电话"])}


_BLANK = {"角色": frozenset(), "所属镇（街道）": "", "社工等级": "", "妇联职务": "", "组织及职务": {},
          "团队分工": {}, "服务时长": Decimal("0.0")}


def expected_people(export: str, table: ExportTable, target: str) -> dict[str, dict[str, Any]]:
    """What a database filled from this export alone must hold, per person (see the module doc).

    What the rosters say, read as the office reads them:
    - an organization's or a team's roster names it only in its title (``target``): each of its
      people is a member with the role in 职务, or holds the duties in 分工 (``社工（社会工作师）``:
      the level in brackets) in that team;
    - on a venue's roster, 志愿服务 means volunteer service there, which only a volunteer (义工)
      records; 阵地管理员 is a field of the venue, not of the person (nothing to expect, nothing
      to refuse); its hours are of the last 12 months at that venue, not a total of hers: not
      imported (the importer names the column and why);
    - the volunteers' roster shows their organizations (not their roles in them) and total hours.
    """
    expected = {}
    for row in table.rows:
        if export == "people_list":
            shown = {**_identity(row, "出生日期"), "角色": labels(row["角色"]),
                     "所属镇（街道）": _text(row["所属镇（街道）"]), "社工等级": _text(row["社工等级"])}
        elif export == "organization_roster":
            shown = {**_identity(row, "出生年月"), "组织及职务": {target: _text(row["职务"])}}
        elif export == "team_roster":
            duty, level = re.fullmatch(r"(.*?)(?:（(.+)）)?", _text(row["分工"])).groups()
            shown = {**_identity(row, "出生年月"), "角色": labels(duty), "社工等级": level or "",
                     "团队分工": {target: labels(duty)}}
        elif export == "venue_roster":
            volunteered = "志愿服务" in labels(row["身份"])
            shown = {**_identity(row, "出生年月"), "角色": frozenset({"义工"} if volunteered else ())}
        else:  # volunteers_roster: the membership roles are not shown, only the organizations
            shown = {**_identity(row, "出生年月"), "角色": labels(row["身份"]),
                     "所在组织": labels(row["所在组织"]),
                     "服务时长": hours_value(row["累计服务时长（小时）"])}
        blank = {k: v for k, v in _BLANK.items() if k not in shown}
        if export == "volunteers_roster":
            del blank["组织及职务"]
        expected[person_key(shown["身份证号"], shown["姓名"], shown["联系电话"])] = {**blank, **shown}
    return expected


TEXT_ORG_COLUMNS = ("组织名称", "简称", "类型", "统一社会信用代码", "孵化阶段", "所属镇（街道）", "联系人",
                    "联系电话")


def expected_orgs(table: ExportTable) -> dict[str, dict[str, Any]]:
    expected = {}
    for row in table.rows:
        shown = {title: _text(row[title]) for title in TEXT_ORG_COLUMNS}
        shown.update({"阶段起始": row["阶段起始"], "服务领域": labels(row["服务领域"]),
                      "联盟成员": row["联盟成员"] == "是", "地址": "", "业务主管单位": "", "成立时间": None,
                      "团体会员": False, "备注": ""})
        expected[shown["组织名称"]] = shown
    return expected


Records = dict[str, dict[str, Any]]


def differences(expected: Records, actual: Records) -> list[tuple[str, str]]:
    """What differs, as (kind of difference, example): missing and extra records, then each field."""
    found = [("missing from the database", key) for key in expected if key not in actual]
    found += [("extra record the export does not show", key) for key in actual if key not in expected]
    for key, want in expected.items():
        have = actual.get(key)
        if have is None:
            continue
        for name, value in want.items():
            if have[name] != value:
                shows = f"{key}: export shows {value!r}, database has {have[name]!r}"
                found.append((f"{name} differs", shows))
    return found
