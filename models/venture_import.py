"""Applications from the office's sheet: the rows of a filled 申报表 (read by desktop/venture/
application_sheet.py) checked against the register and the round, then created all at once.

An organization is found by its 统一社会信用代码, else by its exact name, else by the name as the
duplicate finder compares it (models.duplicates.org_key: half-width, variant forms folded, marks
and spaces left out), and only when that points at one organization. A row is refused with its
reason (unknown organization, amount over the round's cap, no title, the same project already in
the round or twice in the sheet …); the accepted rows are created in one transaction, audited,
with status 征集, or none of them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from .db import database
from .entities import Organization, Region, ServiceArea, Team, User, Venue
from .errors import ValidationFailed
from .i18n import Message, msg
from .projects import format_money, parse_money
from .validators import InvalidValue
from .venture import ApplicationData, save_application
from .venture_entities import VentureApplication, VentureRound

# (heading, key, required): the columns of the office's 申报表, in the template's order.
APPLICATION_COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("申报组织", "organization", True),
    ("统一社会信用代码", "credit_code", False),
    ("项目名称", "title", True),
    ("服务领域", "service_area", False),
    ("服务对象", "target_group", False),
    ("服务地点", "region", False),
    ("服务阵地", "venues", False),
    ("申请金额（元）", "amount_requested", True),
    ("计划服务人数", "people_planned", False),
    ("合作团队", "team", False),
    ("备注", "notes", False),
)
HEADINGS = {heading: key for heading, key, _ in APPLICATION_COLUMNS}
LABELS = {key: heading for heading, key, _ in APPLICATION_COLUMNS}
REQUIRED = tuple(heading for heading, _, required in APPLICATION_COLUMNS if required)
LIST_MARKS = "、,，;；/\n"


@dataclass(frozen=True)
class SheetRow:
    """A row of the sheet as text by column key; ``number`` is its row in the file."""

    number: int
    values: dict[str, str]
    problem: Message | None = None  # a cell that holds no value (an Excel error, a lost formula)


@dataclass
class PlannedRow:
    number: int
    organization: str  # as the register names it (or as the sheet gave it, when refused)
    title: str
    amount: Decimal | None
    data: ApplicationData | None = None  # None: refused
    reason: Message | None = None


@dataclass
class ApplicationPlan:
    rows: list[PlannedRow] = field(default_factory=list)

    @property
    def accepted(self) -> list[PlannedRow]:
        return [r for r in self.rows if r.data is not None]

    @property
    def refused(self) -> list[PlannedRow]:
        return [r for r in self.rows if r.data is None]


def _split(text: str) -> list[str]:
    for mark in LIST_MARKS[1:]:
        text = text.replace(mark, LIST_MARKS[0])
    return [part.strip() for part in text.split(LIST_MARKS[0]) if part.strip()]


class _Register:
    """The names the rows are matched against, read once per sheet."""

    def __init__(self) -> None:
        from .duplicates import org_key

        self.org_key = org_key
        orgs = list(Organization.select(Organization.id, Organization.name, Organization.credit_code,
                                        Organization.archived))
        self.names = {o.id: o.name for o in orgs}
        self.by_code = {o.credit_code.strip().upper(): o.id for o in orgs if o.credit_code}
        self.by_name: dict[str, list[int]] = {}
        self.by_key: dict[str, list[int]] = {}
        for o in orgs:
            self.by_name.setdefault(o.name.strip(), []).append(o.id)
            self.by_key.setdefault(org_key(o.name), []).append(o.id)
        self.areas = {a.name: a.id for a in ServiceArea.select(ServiceArea.id, ServiceArea.name)}
        self.regions: dict[str, list[int]] = {}
        self.parents: dict[int, int | None] = {}
        for r in Region.select(Region.id, Region.name, Region.parent):
            self.regions.setdefault(r.name, []).append(r.id)
            self.parents[r.id] = r.parent_id
        self.teams = {t.name: t.id for t in Team.select(Team.id, Team.name).where(~Team.archived)}
        self.venues: dict[str, list[int]] = {}
        self.venue_places: dict[int, int | None] = {}
        for v in Venue.select(Venue.id, Venue.name, Venue.region).where(~Venue.archived):
            self.venues.setdefault(v.name, []).append(v.id)
            self.venue_places[v.id] = v.region_id

    def venue(self, name: str, region_id: int | None) -> list[int]:
        """The venues of that name; several (each village's 妇女儿童之家) narrowed to the
        place of the application (the place itself or a village of the township)."""
        ids = self.venues.get(name, [])
        if len(ids) > 1 and region_id is not None:
            ids = [i for i in ids if region_id in (self.venue_places[i],
                                                   self.parents.get(self.venue_places[i] or 0))]
        return ids

    def organization(self, name: str, code: str) -> tuple[int | None, Message | None]:
        if code:
            found = self.by_code.get(code.strip().upper())
            if found is not None:
                return found, None
        for ids in (self.by_name.get(name, []), self.by_key.get(self.org_key(name), [])):
            if len(ids) == 1:
                return ids[0], None
            if len(ids) > 1:
                return None, msg("名册里有 {n} 个组织叫“{name}”，请在表中填写它的统一社会信用代码",
                                 n=len(ids), name=name)
        if code:
            return None, msg("名册里没有信用代码为 {code} 或名为“{name}”的组织，请先在“组织”页登记它",
                             code=code, name=name)
        return None, msg("名册里没有名为“{name}”的组织，请先在“组织”页登记它，或填写统一社会信用代码",
                         name=name)


def plan_applications(rnd: VentureRound, rows: list[SheetRow]) -> ApplicationPlan:
    """What importing ``rows`` into ``rnd`` would do, row by row; nothing is stored."""
    register = _Register()
    taken = {(a.organization_id, a.title) for a in VentureApplication.select(
        VentureApplication.organization, VentureApplication.title).where(VentureApplication.round == rnd)}
    plan = ApplicationPlan()
    for row in rows:
        v = row.values
        name, title = " ".join(v.get("organization", "").split()), " ".join(v.get("title", "").split())
        planned = PlannedRow(row.number, name, title, None)
        plan.rows.append(planned)

        def refuse(column: str, reason: Message, planned: PlannedRow = planned) -> None:
            planned.reason = msg("第 {row} 行“{column}”：{reason}", row=planned.number, column=LABELS[column],
                                 reason=reason)

        if row.problem is not None:
            planned.reason = row.problem
            continue
        try:
            planned.amount = parse_money(v.get("amount_requested", ""))
        except InvalidValue as e:
            refuse("amount_requested", e.message)
            continue
        if not name:
            refuse("organization", msg("没有填写申报组织"))
            continue
        if not title:
            refuse("title", msg("没有填写项目名称"))
            continue
        org_id, problem = register.organization(name, v.get("credit_code", ""))
        if problem is not None:
            refuse("organization", problem)
            continue
        planned.organization = register.names[org_id]
        if planned.amount is None:
            refuse("amount_requested", msg("没有填写申请金额"))
            continue
        if rnd.project_cap is not None and planned.amount > rnd.project_cap:
            refuse("amount_requested", msg("申请金额 {amount} 元超过本轮单个项目资助上限 {cap} 元",
                                           amount=format_money(planned.amount),
                                           cap=format_money(rnd.project_cap)))
            continue
        if (org_id, title) in taken:
            refuse("title", msg("“{org}”在本轮已申报过“{title}”（已在本轮的申报中，或在表中重复）",
                                org=planned.organization, title=title))
            continue
        people_text = v.get("people_planned", "").replace(",", "").replace("，", "")
        if people_text.endswith(".0"):
            people_text = people_text[:-2]
        if people_text and not people_text.isdigit():
            refuse("people_planned", msg("“{value}”不是人数", value=v["people_planned"]))
            continue
        looked_up: dict[str, int | None] = {}
        for key, names in (("service_area", register.areas), ("team", register.teams)):
            text = v.get(key, "")
            looked_up[key] = names.get(text) if text else None
            if text and looked_up[key] is None:
                refuse(key, msg("没有名为“{value}”的{what}，请按程序里的名称填写", value=text,
                                what=LABELS[key]))
                break
        if planned.reason is not None:
            continue
        region_id = None
        if v.get("region"):
            regions = register.regions.get(v["region"], [])
            if len(regions) != 1:
                refuse("region", msg("没有名为“{value}”的镇（街道）或村（社区）", value=v["region"])
                       if not regions else msg("有 {n} 个地方叫“{value}”，请留空，导入后在申报里选定",
                                               n=len(regions), value=v["region"]))
                continue
            region_id = regions[0]
        venue_ids: list[int] = []
        for venue in _split(v.get("venues", "")):
            ids = register.venue(venue, region_id)
            if len(ids) != 1:
                refuse("venues", msg("阵地名册里没有“{value}”，请先在“阵地”页登记它", value=venue) if not ids
                       else msg("阵地名册里有 {n} 处叫“{value}”，请在“服务地点”写明它所在的镇（街道）"
                                "或村（社区）", n=len(ids), value=venue))
                break
            venue_ids.append(ids[0])
        if planned.reason is not None:
            continue
        taken.add((org_id, title))
        planned.data = ApplicationData(
            round_id=rnd.id, organization_id=org_id, title=title, service_area_id=looked_up["service_area"],
            target_group=v.get("target_group", ""), region_id=region_id, venue_ids=venue_ids,
            amount_requested=str(planned.amount), people_planned=int(people_text or 0),
            team_id=looked_up["team"], notes=v.get("notes", ""))
    return plan


def create_applications(plan: ApplicationPlan, user: User | None, on: dt.date | None = None) -> int:
    """Create every accepted row of ``plan`` (status 征集, audited) in one transaction, or none."""
    accepted = plan.accepted
    with database.atomic():
        for row in accepted:
            try:
                save_application(row.data, user, on=on)
            except ValidationFailed as e:  # the register changed since the preview
                first = next(iter(e.errors.values()))
                raise ValidationFailed({"sheet": msg("第 {row} 行：{reason}。没有导入任何申报。",
                                                     row=row.number, reason=first)}) from e
    return len(accepted)
