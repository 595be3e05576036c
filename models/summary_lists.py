"""The lists behind the periodic summary (one sheet each in the workbook): the same area,
period and counting rules as models/summary.py, one streamed query per list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from peewee import JOIN, Case, fn

from .choices import (
    INCUBATION_STAGES,
    LEGAL_FORMS,
    ORG_KINDS,
    PERSON_ROLES,
    PROJECT_SOURCES,
    PROJECT_STATUSES,
    SEXES,
    TRAINING_KINDS,
    VENUE_KINDS,
    VENUE_LEVELS,
)
from .db import group_concat
from .entities import (
    Activity,
    Organization,
    OrganizationServiceArea,
    Person,
    Project,
    Region,
    ServiceArea,
    ServiceRecord,
    Team,
    TeamAssignment,
    Training,
    TrainingAttendance,
    Venue,
)
from .periods import Period
from .summary import (
    CENTS,
    TENTHS,
    UNDERTAKEN,
    Column,
    Scope,
    area_townships,
    check_period,
    existing_on,
    hours_of,
    project_region,
    project_span_overlaps,
    scaled_sum,
    stage_at,
    stock_day,
    township_of,
    training_region,
)
from .teams import complete_condition, role_count
from .validators import mask_id_number


@dataclass(frozen=True)
class DetailList:
    """One list behind the summary (a sheet of the workbook); ``rows`` runs one query."""

    key: str
    title: str
    columns: tuple[Column, ...]
    rows: Callable[[], Iterator[tuple]]


def _place(region, parent):
    """Township and village names of a record's region (LEFT JOINed as ``region``/``parent``)."""
    township = Case(region.level, [("township", region.name), ("village", parent.name)], "")
    village = Case(region.level, [("village", region.name)], "")
    return township, village


def _place_order(region, parent) -> tuple:
    """ORDER BY terms: townships in the office's order, then the township's own records,
    then its villages by name; records with no township last."""
    township_sort = Case(region.level, [("township", region.sort_order), ("village", parent.sort_order)])
    township_key = Case(region.level, [("township", region.name_key), ("village", parent.name_key)])
    village_key = Case(region.level, [("village", region.name_key)], "")
    return township_sort.is_null(), township_sort, township_key, village_key


def _numbered(query) -> Iterator[tuple]:
    for i, row in enumerate(query.tuples().iterator(), start=1):
        yield (i, *row)


def detail_lists(period: Period, township_id: int | None = None, today: dt.date | None = None,
                 full_ids: bool = False) -> list[DetailList]:
    """The records behind the summary, with the same area and counting rules."""
    check_period(period, today)
    area_townships(township_id)
    q = Scope(period, township_id, stock_day(period, today))
    number = Column("序号", "int", 6)

    def organizations() -> Iterator[tuple]:
        region, parent = Region.alias("r"), Region.alias("p")
        town, village = _place(region, parent)
        link, area = OrganizationServiceArea.alias("l"), ServiceArea.alias("a")
        areas = (link.select(group_concat(area.name, "、")).join(area)
                 .where(link.organization == Organization.id))
        query = (
            Organization.select(Organization.name, Organization.kind, Organization.legal_form,
                                Organization.credit_code, town, village,
                                stage_at(Organization.id, q.as_of), areas,
                                Organization.alliance_member, Organization.contact_person,
                                Organization.contact_phone)
            .join(region, JOIN.LEFT_OUTER, on=(Organization.region == region.id))
            .join(parent, JOIN.LEFT_OUTER, on=(region.parent == parent.id))
            .where((Organization.founded_on.is_null() | (Organization.founded_on <= q.as_of))
                   & existing_on(Organization, q.as_of))
            .order_by(*_place_order(region, parent), Organization.name_key)
        )
        for i, (name, kind, form, code, t, v, stage, areas_text, alliance, contact, phone) in (
            enumerate(q.in_area(query, township_of(region)).tuples().iterator(), start=1)
        ):
            yield (i, name, ORG_KINDS.label(kind), LEGAL_FORMS.label(form), code or "", t, v,
                   INCUBATION_STAGES.label(stage) or "未纳入孵化", areas_text or "",
                   "是" if alliance else "", contact, phone)

    def projects() -> Iterator[tuple]:
        region, parent = Region.alias("r"), Region.alias("p")
        town, _village = _place(region, parent)
        query = (
            Project.select(Project.year, Project.name, Project.source, Project.status,
                           Organization.name, Team.name, town, Project.start_on, Project.end_on,
                           Project.amount_granted, Project.actual_served)
            .join(Organization, JOIN.LEFT_OUTER, on=(Project.organization == Organization.id))
            .join_from(Project, Team, JOIN.LEFT_OUTER, on=(Project.team == Team.id))
            .join_from(Project, region, JOIN.LEFT_OUTER, on=project_region(region))
            .join(parent, JOIN.LEFT_OUTER, on=(region.parent == parent.id))
            .where(Project.status.in_(UNDERTAKEN) & project_span_overlaps(q.start, q.end))
            .order_by(Project.year, Project.source, Project.name_key, Project.id)
        )
        for i, (year, name, source, status, org, team, t, start, end, granted, served) in (
            enumerate(q.in_area(query, township_of(region)).tuples().iterator(), start=1)
        ):
            granted = None if granted is None else Decimal(str(granted)).quantize(CENTS)
            yield (i, year, name, PROJECT_SOURCES.label(source), PROJECT_STATUSES.label(status),
                   org or "", team or "", t, start, end, granted, served)

    def teams() -> Iterator[tuple]:
        region, parent = Region.alias("r"), Region.alias("p")
        town, _village = _place(region, parent)
        day = q.as_of
        query = (
            Team.select(Team.name, town, Team.founded_on,
                        *(role_count(role, day) for role in PERSON_ROLES.codes()),
                        Case(None, [(complete_condition(day), "齐全")], "不齐全"))
            .join(TeamAssignment, JOIN.LEFT_OUTER)
            .join_from(Team, region, JOIN.LEFT_OUTER, on=(Team.region == region.id))
            .join(parent, JOIN.LEFT_OUTER, on=(region.parent == parent.id))
            .where((Team.founded_on.is_null() | (Team.founded_on <= day)) & existing_on(Team, day))
            .group_by(Team.id, region.id, parent.id)
            .order_by(*_place_order(region, parent), Team.name_key)
        )
        return _numbered(q.in_area(query, township_of(region)))

    def venues() -> Iterator[tuple]:
        region, parent = Region.alias("r"), Region.alias("p")
        town, village = _place(region, parent)
        used = (Activity.select(Activity.venue, fn.COUNT(Activity.id).alias("activities"),
                                fn.SUM(Activity.people_served).alias("served"))
                .where(q.in_period(Activity.held_on)).group_by(Activity.venue).alias("used"))
        query = (
            Venue.select(Venue.name, Venue.level, Venue.kind, town, village,
                         fn.COALESCE(used.c.activities, 0), fn.COALESCE(used.c.served, 0))
            .join(region, JOIN.LEFT_OUTER, on=(Venue.region == region.id))
            .join(parent, JOIN.LEFT_OUTER, on=(region.parent == parent.id))
            .join_from(Venue, used, JOIN.LEFT_OUTER, on=(used.c.venue_id == Venue.id))
            .where(existing_on(Venue, q.as_of))
            .order_by(Venue.level, *_place_order(region, parent),
                      Venue.name_key)
        )
        for i, (name, level, kind, *rest) in enumerate(
            q.in_area(query, township_of(region)).tuples().iterator(), start=1
        ):
            yield (i, name, VENUE_LEVELS.label(level), VENUE_KINDS.label(kind), *rest)

    def volunteers() -> Iterator[tuple]:
        region, parent = Region.alias("r"), Region.alias("p")
        town, village = _place(region, parent)
        query = (
            ServiceRecord.select(Person.name, Person.sex, Person.id_number, Person.is_volunteer,
                                 town, village, fn.COUNT(ServiceRecord.id),
                                 scaled_sum(ServiceRecord.hours, 10))
            .join(Activity)
            .join_from(ServiceRecord, Person)
            .join(region, JOIN.LEFT_OUTER, on=(Person.region == region.id))
            .join(parent, JOIN.LEFT_OUTER, on=(region.parent == parent.id))
            .where(q.in_period(Activity.held_on))
            .group_by(Person.id, region.id, parent.id)
            .order_by(*_place_order(region, parent), Person.name_key,
                      Person.id)
        )
        for i, (name, sex, id_number, volunteer, t, v, records, tenths) in enumerate(
            q.in_area(query, township_of(region)).tuples().iterator(), start=1
        ):
            shown = (id_number or "") if full_ids else mask_id_number(id_number)
            yield (i, name, SEXES.label(sex), shown, "是" if volunteer else "", t, v, records,
                   hours_of(tenths or 0))

    def trainings() -> Iterator[tuple]:
        region, parent = Region.alias("r"), Region.alias("p")
        town, _village = _place(region, parent)
        attendance = (TrainingAttendance.select(fn.COUNT(TrainingAttendance.id))
                      .where(TrainingAttendance.training == Training.id))
        query = (
            Training.select(Training.held_on, Training.topic, Training.kind, Training.trainer, town,
                            Venue.name, attendance, Training.hours)
            .join(Venue, JOIN.LEFT_OUTER, on=(Training.venue == Venue.id))
            .join_from(Training, region, JOIN.LEFT_OUTER, on=training_region(region))
            .join(parent, JOIN.LEFT_OUTER, on=(region.parent == parent.id))
            .where(q.in_period(Training.held_on))
            .order_by(Training.held_on, Training.id)
        )
        for i, (day, topic, kind, trainer, t, venue, count, hours) in enumerate(
            q.in_area(query, township_of(region)).tuples().iterator(), start=1
        ):
            hours = None if hours is None else Decimal(str(hours)).quantize(TENTHS)
            yield (i, day, topic, TRAINING_KINDS.label(kind), trainer, t, venue or "", count, hours)

    text = "text"
    town = Column("镇（街道）", text, 14)
    village = Column("村（社区）", text, 14)
    return [
        DetailList("organizations", "社会组织", (
            number, Column("组织名称", text, 30), Column("类别", text, 16),
            Column("登记形式", text, 16), Column("统一社会信用代码", text, 22), town, village,
            Column("期末孵化阶段", text, 12), Column("服务领域", text, 24),
            Column("公益联盟成员", text, 8), Column("联系人", text, 10),
            Column("联系电话", text, 15)), organizations),
        DetailList("projects", "项目", (
            number, Column("年度", "int", 8), Column("项目名称", text, 30),
            Column("来源", text, 14), Column("状态", text, 8), Column("承接组织", text, 26),
            Column("承接团队", text, 18), town, Column("开始日期", "date", 12),
            Column("结束日期", "date", 12), Column("立项金额（元）", "money", 14),
            Column("服务人次", "int", 10)), projects),
        DetailList("teams", "三工联动团队", (
            number, Column("团队名称", text, 26), town, Column("成立日期", "date", 12),
            *(Column(f"在岗{PERSON_ROLES.label(r)}", "int", 10) for r in PERSON_ROLES.codes()),
            Column("是否齐全", text, 10)), teams),
        DetailList("venues", "活动阵地", (
            number, Column("阵地名称", text, 30), Column("级别", text, 8),
            Column("类型", text, 16), town, village, Column("本期活动次数", "int", 12),
            Column("本期服务人次", "int", 12)), venues),
        DetailList("volunteers", "志愿服务时长", (
            number, Column("姓名", text, 10), Column("性别", text, 6),
            Column("公民身份号码", text, 21), Column("注册志愿者", text, 10), town, village,
            Column("服务次数", "int", 10), Column("服务时长（小时）", "hours", 14)), volunteers),
        DetailList("trainings", "培训督导", (
            number, Column("日期", "date", 12), Column("主题", text, 30), Column("类型", text, 8),
            Column("讲师", text, 12), town, Column("地点（阵地）", text, 20),
            Column("参训人次", "int", 10), Column("时长（小时）", "hours", 12)), trainings),
    ]
