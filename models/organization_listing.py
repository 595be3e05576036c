"""The Organizations list: search, filters and sort columns, all in SQL."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import JOIN, SQL, Case, fn

from .choices import INCUBATION_STAGES, ORG_KINDS
from .db import group_concat
from .entities import Organization, OrganizationServiceArea, OrganizationStage, Region, ServiceArea
from .i18n import tr_noop
from .listing import Column, Listing, ListRow
from .lookups import township_places
from .name_search import name_condition
from .rules import INCUBATION_LIMIT_MONTHS, add_months, incubation_overdue
from .summary import INCUBATING
from .validators import to_halfwidth

Township = Region.alias("township")
Place = Region.alias("place")

NOT_INCUBATED = "none"  # stage filter value: organizations never entered in incubation
OVERDUE = "overdue"  # stage filter value: incubating longer than 12 months (rules.incubation_overdue)


@dataclass(frozen=True)
class OrganizationFilter:
    text: str = ""
    kind: str | None = None
    stage: str | None = None  # a stage code, NOT_INCUBATED, OVERDUE, or None for all
    service_area_id: int | None = None
    township_id: int | None = None
    alliance_member: bool | None = None
    archived: bool | None = False  # None: both


_stage_order = Case(
    Organization.incubation_stage,
    [(code, i) for i, code in enumerate(INCUBATION_STAGES.codes())],
    -1,
)

_areas = (
    ServiceArea.select(group_concat(ServiceArea.name, "、"))
    .join(OrganizationServiceArea)
    .where(OrganizationServiceArea.organization == Organization.id)
)

_incubation_start = OrganizationStage.select(fn.MIN(OrganizationStage.entered_on)).where(
    OrganizationStage.organization == Organization.id
)

_township_name = fn.COALESCE(Township.name, Place.name)
_township_key = fn.COALESCE(Township.name_key, Place.name_key)


class OrganizationListing(Listing[OrganizationFilter]):
    columns = (
        Column("name", tr_noop("组织名称"), sort=Organization.name_key, width=240),
        Column("short_name", tr_noop("简称"), sort=Organization.short_name, width=100),
        Column("kind", tr_noop("类型"), "label", sort=Organization.kind, width=110),
        Column("credit_code", tr_noop("统一社会信用代码"), sort=Organization.credit_code, width=170),
        Column("stage", tr_noop("孵化阶段"), "label", sort=_stage_order, width=80),
        Column("stage_since", tr_noop("阶段起始"), "date", sort=Organization.stage_since, width=95),
        Column("township", tr_noop("所属镇（街道）"), sort=_township_key, width=120),
        Column("areas", tr_noop("服务领域"), width=200),
        Column("alliance", tr_noop("联盟成员"), "bool", sort=Organization.alliance_member, width=70),
        Column("contact", tr_noop("联系人"), sort=Organization.contact_person, width=80),
        Column("phone", tr_noop("联系电话"), width=120),
        Column("updated", tr_noop("更新时间"), "datetime", sort=Organization.updated_at, width=140),
    )
    default_sort = "name"
    flag_text = tr_noop("孵化已超过 12 个月仍未出壳")

    def base_query(self):
        return (
            Organization.select(
                Organization.id,
                Organization.name,
                Organization.short_name,
                Organization.kind,
                Organization.credit_code,
                Organization.incubation_stage,
                Organization.stage_since,
                _township_name,
                _areas,
                Organization.alliance_member,
                Organization.contact_person,
                Organization.contact_phone,
                Organization.updated_at,
                Organization.archived,
                _incubation_start,
            )
            .join(Place, JOIN.LEFT_OUTER, on=(Organization.region == Place.id))
            .join(
                Township,
                JOIN.LEFT_OUTER,
                on=((Place.parent == Township.id) & (Place.level == "village")),
            )
        )

    def id_column(self):
        return Organization.id

    def apply_filter(self, query, flt: OrganizationFilter):
        typed = " ".join(flt.text.split())
        text = " ".join(to_halfwidth(flt.text).split())
        if text:
            # Names keep the full-width brackets Chinese uses (（筹）): match what was typed
            # as well as its half-width form; credit codes are stored half-width.
            query = query.where(
                name_condition(Organization, typed)
                | Organization.name.contains(text)
                | Organization.short_name.contains(text)
                | Organization.short_name.contains(typed)
                | Organization.credit_code.startswith(text.upper())
            )
        if flt.kind:
            query = query.where(Organization.kind == flt.kind)
        if flt.stage == NOT_INCUBATED:
            query = query.where(Organization.incubation_stage.is_null())
        elif flt.stage == OVERDUE:
            limit = add_months(dt.date.today(), -INCUBATION_LIMIT_MONTHS)
            query = query.where(Organization.incubation_stage.in_(INCUBATING) & (_incubation_start < limit))
        elif flt.stage:
            query = query.where(Organization.incubation_stage == flt.stage)
        if flt.service_area_id:
            query = query.where(
                fn.EXISTS(
                    OrganizationServiceArea.select(SQL("1")).where(
                        (OrganizationServiceArea.organization == Organization.id)
                        & (OrganizationServiceArea.service_area == flt.service_area_id)
                    )
                )
            )
        if flt.township_id:
            query = query.where(Organization.region.in_(township_places(flt.township_id)))
        if flt.alliance_member is not None:
            query = query.where(Organization.alliance_member == flt.alliance_member)
        if flt.archived is not None:
            query = query.where(Organization.archived == flt.archived)
        return query

    def to_row(self, raw: tuple) -> ListRow:
        (oid, name, short, kind, code, stage, since, township, areas, alliance,
         contact, phone, updated, archived, started) = raw
        if isinstance(started, str):
            started = dt.date.fromisoformat(started)
        values = (
            name, short, ORG_KINDS.label(kind), code or "", INCUBATION_STAGES.label(stage),
            since, township or "", areas or "", alliance, contact, phone, updated,
        )
        return ListRow(oid, values, archived, incubation_overdue(stage, started))
