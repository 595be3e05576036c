"""The county's regions and the service-area vocabulary: small lists the office edits."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from peewee import JOIN, Case, fn

from . import audit
from .choices import REGION_LEVELS
from .db import database, excluding
from .entities import OrganizationServiceArea, Region, ServiceArea, User
from .errors import ValidationFailed
from .i18n import Message, msg, tr_noop
from .listing import Column, Listing, ListRow
from .name_search import name_condition
from .settings import set_setting

PARENT_LEVEL = {"county": None, "township": "county", "village": "township"}


@dataclass
class RegionData:
    name: str = ""
    level: str = "village"
    parent_id: int | None = None
    code: str = ""
    sort_order: int = 0


def save_region(data: RegionData, user: User | None, existing: Region | None = None) -> Region:
    errors: dict[str, Message] = {}
    name = " ".join(data.name.split())
    if not name:
        errors["name"] = msg("请填写名称")
    if data.level not in REGION_LEVELS:
        errors["level"] = msg("请选择级别")
    parent = Region.get_or_none(Region.id == data.parent_id) if data.parent_id else None
    wanted = PARENT_LEVEL.get(data.level)
    if "level" not in errors:
        if wanted is None and parent is not None:
            errors["parent_id"] = msg("县（区）没有上级区划")
        elif wanted is not None and parent is None and not Region.select().where(
                Region.level == wanted).exists():
            errors["parent_id"] = msg("还没有{level}：请先新建{level}，再选它作上级",
                                      level=REGION_LEVELS.label(wanted))
        elif wanted is not None and (parent is None or parent.level != wanted):
            errors["parent_id"] = msg("请选择上级{level}", level=REGION_LEVELS.label(wanted))
        elif existing is not None and parent is not None and parent.id == existing.id:
            errors["parent_id"] = msg("上级不能是它自己")
    code = data.code.strip()
    if code and not re.fullmatch(r"\d{6}(\d{3}){0,2}", code):
        errors["code"] = msg("区划代码应为 6、9 或 12 位数字")
    if not errors:
        clash = Region.select().where(
            (Region.name == name)
            & (Region.parent.is_null() if parent is None else (Region.parent == parent))
        )
        clash = excluding(clash, existing)
        if clash.exists():
            errors["name"] = msg("同一上级下已有“{name}”", name=name)
    if errors:
        raise ValidationFailed(errors)
    values = dict(name=name, level=data.level, parent=parent, code=code, sort_order=data.sort_order)
    with database.atomic():
        return audit.save(Region, user, existing, **values)


def default_region_level() -> str:
    """The level a new region is most likely of, and that can be saved now: the lowest level
    whose parent level already has a region (a county first on an empty database)."""
    for level in reversed(REGION_LEVELS.codes()):
        wanted = PARENT_LEVEL[level]
        if wanted is None or Region.select().where(Region.level == wanted).exists():
            return level
    return "county"


def parent_level(level: str) -> str | None:
    """The level of the parent a region of ``level`` needs (None: a county has none)."""
    return PARENT_LEVEL.get(level)


def parent_choices(level: str) -> list[tuple[int, str]]:
    """Regions that may be the parent of a region of ``level``."""
    wanted = PARENT_LEVEL.get(level)
    if wanted is None:
        return []
    query = Region.select(Region.id, Region.name).where(Region.level == wanted)
    return list(query.order_by(Region.sort_order, Region.name_key).tuples())


@dataclass(frozen=True)
class RegionFilter:
    text: str = ""
    level: str | None = None


Parent = Region.alias("parent")
# county, township, village; an unknown level first
_level_order = Case(Region.level, [(code, i) for i, code in enumerate(REGION_LEVELS.codes(), start=1)], 0)


class RegionListing(Listing[RegionFilter]):
    columns = (
        Column("name", tr_noop("名称"), sort=Region.name_key, width=160),
        Column("level", tr_noop("级别"), "label", sort=_level_order, width=90),
        Column("parent", tr_noop("上级"), sort=Parent.name_key, width=140),
        Column("code", tr_noop("区划代码"), sort=Region.code, width=120),
        Column("sort_order", tr_noop("排序"), "int", sort=Region.sort_order, width=60),
    )
    default_sort = "level"

    def base_query(self):
        return Region.select(
            Region.id, Region.name, Region.level, Parent.name, Region.code, Region.sort_order
        ).join(Parent, on=(Region.parent == Parent.id), join_type=JOIN.LEFT_OUTER)

    def id_column(self):
        return Region.id

    def apply_filter(self, query, flt: RegionFilter):
        if flt.text.strip():
            text = flt.text.strip()
            query = query.where(name_condition(Region, text) | name_condition(Parent, text)
                                | Region.code.startswith(text))
        if flt.level:
            query = query.where(Region.level == flt.level)
        return query

    def to_row(self, raw: tuple) -> ListRow:
        rid, name, level, parent, code, order = raw
        return ListRow(rid, (name, REGION_LEVELS.label(level), parent or "", code, order))


def save_service_area(
    name: str, sort_order: int, active: bool, user: User | None, existing: ServiceArea | None = None
) -> ServiceArea:
    name = " ".join(name.split())
    if not name:
        raise ValidationFailed({"name": msg("请填写服务领域名称")})
    clash = ServiceArea.select().where(ServiceArea.name == name)
    clash = excluding(clash, existing)
    if clash.exists():
        raise ValidationFailed({"name": msg("已有服务领域“{name}”", name=name)})
    values = dict(name=name, sort_order=sort_order, active=active)
    with database.atomic():
        return audit.save(ServiceArea, user, existing, **values)


def confirm_service_areas(active_ids: set[int], new_names: list[str], user: User | None,
                          on: dt.date | None = None) -> list[ServiceArea]:
    """The office's choice of service areas (setup guide): those in ``active_ids`` in use, the
    others no longer offered (kept for the organizations that have them), ``new_names`` added;
    remembered as confirmed ``on`` that day (models.setup_status). Returns the areas added."""
    added = []
    with database.atomic():
        areas = list(ServiceArea.select().order_by(ServiceArea.sort_order, ServiceArea.id))
        for area in areas:
            wanted = area.id in active_ids
            if area.active != wanted:
                save_service_area(area.name, area.sort_order, wanted, user, area)
        order = max((area.sort_order for area in areas), default=-1)
        for name in new_names:
            if " ".join(name.split()) in {area.name for area in areas}:
                continue
            order += 1
            added.append(save_service_area(name, order, True, user))
        set_setting("setup.service_areas", (on or dt.date.today()).isoformat(), user)
    return added


@dataclass(frozen=True)
class ServiceAreaFilter:
    text: str = ""
    active: bool | None = None


_org_count = (
    OrganizationServiceArea.select(fn.COUNT(OrganizationServiceArea.id))
    .where(OrganizationServiceArea.service_area == ServiceArea.id)
)


class ServiceAreaListing(Listing[ServiceAreaFilter]):
    columns = (
        Column("name", tr_noop("服务领域"), sort=ServiceArea.name, width=180),
        Column("sort_order", tr_noop("排序"), "int", sort=ServiceArea.sort_order, width=60),
        Column("active", tr_noop("启用"), "bool", sort=ServiceArea.active, width=60),
        Column("orgs", tr_noop("组织数"), "int", sort=_org_count, width=80),
    )
    default_sort = "sort_order"

    def base_query(self):
        return ServiceArea.select(
            ServiceArea.id, ServiceArea.name, ServiceArea.sort_order, ServiceArea.active, _org_count
        )

    def id_column(self):
        return ServiceArea.id

    def apply_filter(self, query, flt: ServiceAreaFilter):
        if flt.text.strip():
            query = query.where(ServiceArea.name.contains(flt.text.strip()))
        if flt.active is not None:
            query = query.where(ServiceArea.active == flt.active)
        return query

    def to_row(self, raw: tuple) -> ListRow:
        aid, name, order, active, orgs = raw
        return ListRow(aid, (name, order, active, orgs), archived=not active)
