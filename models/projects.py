"""Projects the organizations apply for or undertake: money in yuan, status flow, venues."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from . import audit
from .choices import PROJECT_SOURCES, PROJECT_STATUSES
from .db import database
from .entities import Organization, Project, ProjectVenue, Team, User, Venue
from .entry_parse import parse_amount
from .errors import ValidationFailed, clean_title
from .i18n import Message, msg
from .pickers import filter_years
from .validators import InvalidValue

FIRST_YEAR = 2000
MONEY_LIMIT = Decimal("1000000000000")  # fits DecimalField(max_digits=14, decimal_places=2)

# 申报 → 立项 → 实施中 → 结项; 未中标 only from 申报; 终止 from 立项 or 实施中.
STATUS_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "applied": ("approved", "rejected"),
    "approved": ("in_progress", "terminated"),
    "in_progress": ("closed", "terminated"),
    "closed": (),
    "rejected": (),
    "terminated": (),
}


def next_statuses(current: str) -> list[str]:
    """The statuses a project in ``current`` may move to, in the domain's order."""
    allowed = STATUS_TRANSITIONS.get(current, ())
    return [code for code in PROJECT_STATUSES.codes() if code in allowed]


def check_status_transition(current: str, new: str) -> Message | None:
    if new not in PROJECT_STATUSES:
        return msg("未知的项目状态")
    if new == current or new in STATUS_TRANSITIONS.get(current, ()):
        return None
    return msg(
        "项目状态不能从“{current}”改为“{new}”",
        current=PROJECT_STATUSES.label(current),
        new=PROJECT_STATUSES.label(new),
    )


def parse_money(text: str) -> Decimal | None:
    """Yuan as typed (models.entry_parse.parse_amount: "35,600.50", "12万", "￥35600.5"), within
    what the database column holds; blank is None."""
    value = parse_amount(text)
    if value is not None and value >= MONEY_LIMIT:
        raise InvalidValue(msg("金额过大，请核对"))
    return value


def format_money(value: Decimal | None) -> str:
    return "" if value is None else f"{Decimal(value):,.2f}"


@dataclass
class ProjectData:
    """What the form gathers; amounts are the text typed, parsed by ``save_project``."""

    name: str = ""
    source: str = "venture"
    year: int = field(default_factory=lambda: dt.date.today().year)
    batch: str = ""
    organization_id: int | None = None
    team_id: int | None = None
    status: str = "applied"
    amount_applied: str = ""
    amount_granted: str = ""
    planned_served: int | None = None
    actual_served: int | None = None
    start_on: dt.date | None = None
    end_on: dt.date | None = None
    description: str = ""
    venue_ids: list[int] = field(default_factory=list)

    @classmethod
    def from_project(cls, project: Project) -> ProjectData:
        return cls(
            name=project.name, source=project.source, year=project.year, batch=project.batch,
            organization_id=project.organization_id, team_id=project.team_id,
            status=project.status,
            amount_applied=format_money(project.amount_applied),
            amount_granted=format_money(project.amount_granted),
            planned_served=project.planned_served, actual_served=project.actual_served,
            start_on=project.start_on, end_on=project.end_on, description=project.description,
            venue_ids=[link.venue_id for link in project.venue_links.order_by(ProjectVenue.id)],
        )


def _clean(data: ProjectData, today: dt.date) -> tuple[dict, dict[str, Message]]:
    errors: dict[str, Message] = {}
    name = clean_title(data.name, "项目名称", "name", errors)
    if data.source not in PROJECT_SOURCES:
        errors["source"] = msg("请选择项目来源")
    if not FIRST_YEAR <= data.year <= today.year + 1:
        errors["year"] = msg("年度应在 {first}–{last} 之间", first=FIRST_YEAR, last=today.year + 1)
    amounts = {}
    for key in ("amount_applied", "amount_granted"):
        try:
            amounts[key] = parse_money(getattr(data, key))
        except InvalidValue as e:
            errors[key] = e.message
    applied, granted = amounts.get("amount_applied"), amounts.get("amount_granted")
    if applied is not None and granted is not None and granted > applied:
        errors["amount_granted"] = msg(
            "立项金额（{granted}）不能大于申请金额（{applied}）",
            granted=format_money(granted), applied=format_money(applied),
        )
    for key in ("planned_served", "actual_served"):
        value = getattr(data, key)
        if value is not None and value < 0:
            errors[key] = msg("服务人次不能为负数")
    if data.start_on and data.end_on and data.end_on < data.start_on:
        errors["end_on"] = msg("结束日期不能早于开始日期")
    for key, model, text in (
        ("organization_id", Organization, msg("所选的承接组织不存在")),
        ("team_id", Team, msg("所选的团队不存在")),
    ):
        chosen = getattr(data, key)
        if chosen is not None and not model.select().where(model.id == chosen).exists():
            errors[key] = text
    venue_ids = sorted(set(data.venue_ids))
    if Venue.select().where(Venue.id.in_(venue_ids)).count() != len(venue_ids):
        errors["venue_ids"] = msg("所选的活动阵地不存在")
    values = dict(
        name=name, source=data.source, year=data.year, batch=data.batch.strip(),
        organization=data.organization_id, team=data.team_id,
        amount_applied=applied, amount_granted=granted,
        planned_served=data.planned_served, actual_served=data.actual_served,
        start_on=data.start_on, end_on=data.end_on, description=data.description.strip(),
    )
    return values, errors


def _set_venues(project: Project, venue_ids: list[int], user: User | None) -> None:
    current = {link.venue_id for link in project.venue_links}
    wanted = set(venue_ids)
    if current == wanted:
        return
    ProjectVenue.delete().where(
        (ProjectVenue.project == project) & ProjectVenue.venue.not_in(wanted)
    ).execute()
    ProjectVenue.insert_many(
        [{"project": project, "venue": v} for v in sorted(wanted - current)]
    ).execute()
    audit.touch(project)
    audit.record(user, "update", project, {"venues": [sorted(current), sorted(wanted)]}, project.name)


def save_project(
    data: ProjectData, user: User | None, existing: Project | None = None,
    today: dt.date | None = None,
) -> Project:
    """Register or update a project; a changed status goes through ``change_status``."""
    values, errors = _clean(data, today or dt.date.today())
    if existing is not None and "status" not in errors:
        problem = check_status_transition(existing.status, data.status)
        if problem:
            errors["status"] = problem
    elif data.status not in PROJECT_STATUSES:
        errors["status"] = msg("未知的项目状态")
    if errors:
        raise ValidationFailed(errors)
    with database.atomic():
        if existing is None:
            project = audit.create(Project, user, status=data.status, **values)
        else:
            project = audit.update(existing, user, **values)
            if data.status != project.status:
                change_status(user, project, data.status)
        _set_venues(project, data.venue_ids, user)
    return project


def change_status(user: User | None, project: Project, status: str) -> Project:
    """Move a project along its status flow (申报→立项→实施中→结项, 未中标, 终止), audited."""
    problem = check_status_transition(project.status, status)
    if problem:
        raise ValidationFailed({"status": problem})
    return audit.update(project, user, status=status)


def project_years() -> list[int]:
    return filter_years(Project.year)
