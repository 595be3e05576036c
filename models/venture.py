"""公益创投 / 微创投 rounds: the round with its documents, and the applications with their status
flow (征集 → 初审 → 培训/修改 → 评审 → 入选 / 未入选 → 立项). The expert review, the selection and
立项: models/venture_review.py.

Every change goes through models.audit (one transaction with its audit line).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise

from . import audit
from .choices import APPLICATION_STATUSES, ROUND_SOURCES
from .db import database
from .entities import Organization, Region, ServiceArea, Team, User, Venue
from .errors import ValidationFailed, clean_title
from .i18n import Message, msg
from .projects import FIRST_YEAR, format_money, parse_money
from .validators import InvalidValue
from .venture_entities import (
    ApplicationStep,
    ApplicationVenue,
    RoundAttachment,
    VentureApplication,
    VentureRound,
)

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024  # a round's rules as PDF or Word, not its photo albums
KEY_DATES = ("call_on", "training_on", "review_on", "publicity_on", "approval_on", "midterm_on",
             "closing_on")
KEY_DATE_LABELS = ("征集", "培训", "评审", "公示", "立项", "中期", "结项")

# 征集 → 初审 → 培训/修改 → 评审 → 入选 / 未入选 → 立项; 未入选 at any step before the decision;
# the decision may be changed (入选 ↔ 未入选) until 立项.
STATUS_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "collected": ("screened", "not_selected"),
    "screened": ("revising", "reviewing", "not_selected"),
    "revising": ("reviewing", "not_selected"),
    "reviewing": ("selected", "not_selected"),
    "selected": ("established", "not_selected"),
    "not_selected": (),
    "established": (),
}


def under_review(rnd: VentureRound):
    """SQL condition: an application of ``rnd`` that reached 评审 (whatever came of it since;
    one turned down at 初审 never did)."""
    reached = ApplicationStep.select(ApplicationStep.application).where(ApplicationStep.status == "reviewing")
    return (VentureApplication.round == rnd) & VentureApplication.id.in_(reached)
WINNERS = ("selected", "established")


# --- rounds ----------------------------------------------------------------------------


@dataclass
class RoundData:
    name: str = ""
    source: str = "micro_venture"
    year: int = field(default_factory=lambda: dt.date.today().year)
    organiser: str = ""
    budget: str = ""
    project_cap: str = ""
    call_on: dt.date | None = None
    training_on: dt.date | None = None
    review_on: dt.date | None = None
    publicity_on: dt.date | None = None
    approval_on: dt.date | None = None
    midterm_on: dt.date | None = None
    closing_on: dt.date | None = None
    notes: str = ""

    @classmethod
    def from_round(cls, r: VentureRound) -> RoundData:
        return cls(name=r.name, source=r.source, year=r.year, organiser=r.organiser,
                   budget=format_money(r.budget), project_cap=format_money(r.project_cap),
                   notes=r.notes, **{key: getattr(r, key) for key in KEY_DATES})


def _money_field(text: str, key: str, errors: dict[str, Message]) -> Decimal | None:
    try:
        return parse_money(text)
    except InvalidValue as e:
        errors[key] = e.message
        return None


def save_round(data: RoundData, user: User | None, existing: VentureRound | None = None,
               today: dt.date | None = None) -> VentureRound:
    today = today or dt.date.today()
    errors: dict[str, Message] = {}
    name = clean_title(data.name, "轮次名称", "name", errors)
    if "name" not in errors:
        taken = VentureRound.select().where(VentureRound.name == name)
        if existing is not None:
            taken = taken.where(VentureRound.id != existing.id)
        if taken.exists():
            errors["name"] = msg("已有名为“{name}”的轮次", name=name)
    if data.source not in ROUND_SOURCES:
        errors["source"] = msg("请选择轮次类型")
    if not FIRST_YEAR <= data.year <= today.year + 1:
        errors["year"] = msg("年度应在 {first}–{last} 之间", first=FIRST_YEAR, last=today.year + 1)
    budget = _money_field(data.budget, "budget", errors)
    if budget is None and "budget" not in errors:
        errors["budget"] = msg("请填写总预算")
    cap = _money_field(data.project_cap, "project_cap", errors)
    if cap is not None and cap <= 0:
        errors["project_cap"] = msg("单个项目资助上限应大于 0")
    elif cap is not None and budget is not None and cap > budget:
        errors["project_cap"] = msg("单个项目资助上限不能大于总预算")
    dates = [(key, getattr(data, key)) for key in KEY_DATES if getattr(data, key) is not None]
    for (key_a, a), (key_b, b) in pairwise(dates):
        if b < a:
            errors[key_b] = msg("{later}日期不能早于{earlier}日期",
                                later=KEY_DATE_LABELS[KEY_DATES.index(key_b)],
                                earlier=KEY_DATE_LABELS[KEY_DATES.index(key_a)])
    if existing is not None and budget is not None and "budget" not in errors:
        granted = granted_total(existing)
        if budget < granted:
            errors["budget"] = msg("已入选项目的资助金额合计 {granted} 元，总预算不能少于它",
                                   granted=format_money(granted))
    if errors:
        raise ValidationFailed(errors)
    values = dict(name=name, source=data.source, year=data.year, organiser=data.organiser.strip(),
                  budget=budget, project_cap=cap, notes=data.notes.strip(),
                  **{key: getattr(data, key) for key in KEY_DATES})
    return audit.save(VentureRound, user, existing, **values)


def attachment_size_problem(name: str, size: int) -> Message | None:
    """Why a file of ``size`` bytes cannot be kept with the round (None: it can)."""
    if size <= MAX_ATTACHMENT_BYTES:
        return None
    return msg("文件“{name}”有 {size} MB，超过了 {limit} MB 的上限。请压缩或只附规则的正文。",
               name=name, size=f"{size / 1024 / 1024:.1f}", limit=MAX_ATTACHMENT_BYTES // 1024 // 1024)


def add_attachment(rnd: VentureRound, file_name: str, content: bytes, user: User | None) -> RoundAttachment:
    """Keep a document of the round in the database (a backup or copy carries it)."""
    name = file_name.strip().replace("\\", "/").rsplit("/", 1)[-1]
    if not name:
        raise ValidationFailed({"file": msg("请给出文件名")})
    too_big = attachment_size_problem(name, len(content))
    if too_big is not None:
        raise ValidationFailed({"file": too_big})
    if not content:
        raise ValidationFailed({"file": msg("文件“{name}”是空的", name=name)})
    with database.atomic():
        attachment = RoundAttachment.create(round=rnd, file_name=name, size=len(content), content=content,
                                            added_by=user)
        audit.touch(rnd)
        audit.record(user, "update", rnd, {"attachments": [None, name]}, rnd.name)
    return attachment


def remove_attachment(attachment: RoundAttachment, user: User | None) -> None:
    with database.atomic():
        rnd = attachment.round
        attachment.delete_instance()
        audit.touch(rnd)
        audit.record(user, "update", rnd, {"attachments": [attachment.file_name, None]}, rnd.name)


def attachments_of(rnd: VentureRound) -> list[tuple[int, str, int, dt.datetime]]:
    """(id, file name, size, added at) without reading the files' bytes."""
    query = (RoundAttachment.select(RoundAttachment.id, RoundAttachment.file_name, RoundAttachment.size,
                                    RoundAttachment.added_at)
             .where(RoundAttachment.round == rnd).order_by(RoundAttachment.id))
    return [(a.id, a.file_name, a.size, a.added_at) for a in query]


def attachment_content(attachment_id: int) -> tuple[str, bytes]:
    a = RoundAttachment.get_by_id(attachment_id)
    return a.file_name, bytes(a.content)


def granted_total(rnd: VentureRound) -> Decimal:
    from peewee import fn

    total = (VentureApplication.select(fn.SUM(VentureApplication.amount_granted))
             .where((VentureApplication.round == rnd) & VentureApplication.status.in_(WINNERS)).scalar())
    return Decimal(total or 0)


# --- applications ---------------------------------------------------------------------


@dataclass
class ApplicationData:
    round_id: int | None = None
    organization_id: int | None = None
    title: str = ""
    service_area_id: int | None = None
    target_group: str = ""
    region_id: int | None = None
    venue_ids: list[int] = field(default_factory=list)  # of the Venue register
    amount_requested: str = ""
    people_planned: int = 0
    team_id: int | None = None
    notes: str = ""

    @classmethod
    def from_application(cls, a: VentureApplication) -> ApplicationData:
        return cls(round_id=a.round_id, organization_id=a.organization_id, title=a.title,
                   service_area_id=a.service_area_id, target_group=a.target_group,
                   region_id=a.region_id, venue_ids=venues_of(a),
                   amount_requested=format_money(a.amount_requested), people_planned=a.people_planned,
                   team_id=a.team_id, notes=a.notes)


def save_application(data: ApplicationData, user: User | None,
                     existing: VentureApplication | None = None,
                     on: dt.date | None = None) -> VentureApplication:
    """Register a proposal (status 征集, dated ``on``) or correct its particulars; the status moves
    through ``change_status`` only."""
    errors: dict[str, Message] = {}
    title = clean_title(data.title, "项目名称", "title", errors)
    rnd = VentureRound.get_or_none(VentureRound.id == data.round_id) if data.round_id else None
    if rnd is None:
        errors["round_id"] = msg("请选择创投轮次")
    for key, model, text in (
        ("organization_id", Organization, msg("请选择申报组织")),
        ("service_area_id", ServiceArea, None),
        ("region_id", Region, None),
        ("team_id", Team, None),
    ):
        chosen = getattr(data, key)
        if chosen is None:
            if text is not None:
                errors[key] = text
        elif not model.select().where(model.id == chosen).exists():
            errors[key] = msg("所选的记录不存在，请重新选择")
    requested = _money_field(data.amount_requested, "amount_requested", errors)
    if requested is None and "amount_requested" not in errors:
        errors["amount_requested"] = msg("请填写申请金额")
    elif requested is not None and rnd is not None and rnd.project_cap is not None \
            and requested > rnd.project_cap:
        errors["amount_requested"] = msg("申请金额超过本轮单个项目资助上限 {cap} 元",
                                         cap=format_money(rnd.project_cap))
    venue_ids = sorted(set(data.venue_ids))
    if Venue.select().where(Venue.id.in_(venue_ids)).count() != len(venue_ids):
        errors["venue_ids"] = msg("所选的阵地不存在，请重新选择")
    if data.people_planned is None or data.people_planned < 0:
        errors["people_planned"] = msg("计划服务人次不能为负数")
    if not errors:
        twin = VentureApplication.select().where(
            (VentureApplication.round == rnd) & (VentureApplication.organization == data.organization_id)
            & (VentureApplication.title == title))
        if existing is not None:
            twin = twin.where(VentureApplication.id != existing.id)
        if twin.exists():
            errors["title"] = msg("该组织在本轮已申报过同名项目")
    if existing is not None and existing.status == "established" and requested != existing.amount_requested:
        errors["amount_requested"] = msg("已立项的申报不能再改申请金额")
    if errors:
        raise ValidationFailed(errors)
    values = dict(round=rnd, organization=data.organization_id, title=title,
                  service_area=data.service_area_id, target_group=data.target_group.strip(),
                  region=data.region_id, amount_requested=requested,
                  people_planned=data.people_planned, team=data.team_id, notes=data.notes.strip())
    with database.atomic():
        if existing is not None:
            application = audit.update(existing, user, **values)
        else:
            day = on or dt.date.today()
            application = audit.create(VentureApplication, user, status="collected", status_on=day, **values)
            ApplicationStep.create(application=application, status="collected", entered_on=day)
        _set_venues(application, venue_ids, user, existing is None)
    return application


def venues_of(application: VentureApplication) -> list[int]:
    return [link.venue_id for link in application.venue_links.order_by(ApplicationVenue.id)]


def _set_venues(application: VentureApplication, venue_ids: list[int], user: User | None, new: bool) -> None:
    """The application's venues become ``venue_ids``; a change is a line of the audit trail."""
    current = set() if new else set(venues_of(application))
    wanted = set(venue_ids)
    if current == wanted:
        return
    ApplicationVenue.delete().where((ApplicationVenue.application == application)
                                    & ApplicationVenue.venue.not_in(wanted)).execute()
    if wanted - current:
        ApplicationVenue.insert_many([{"application": application, "venue": v}
                                      for v in sorted(wanted - current)]).execute()
    if not new:
        audit.touch(application)
    audit.record(user, "update", application, {"venues": [sorted(current), sorted(wanted)]},
                 application.title)


def next_statuses(application: VentureApplication) -> list[str]:
    allowed = set(STATUS_TRANSITIONS.get(application.status, ()))
    allowed.discard("established")  # 立项 makes the project: establish()
    if application.status == "not_selected" and _was_reviewed(application):
        allowed.add("selected")
    return [code for code in APPLICATION_STATUSES.codes() if code in allowed]


def _was_reviewed(application: VentureApplication) -> bool:
    return ApplicationStep.select().where((ApplicationStep.application == application)
                                          & (ApplicationStep.status == "reviewing")).exists()


def change_status(application: VentureApplication, status: str, user: User | None,
                  on: dt.date | None = None, note: str = "",
                  amount_granted: Decimal | None = None) -> VentureApplication:
    """Move an application along 征集 → 初审 → 培训/修改 → 评审 → 入选 / 未入选, dated, with a note.
    入选 needs the amount granted (within the request and the round's cap and budget)."""
    day = on or dt.date.today()
    if status not in APPLICATION_STATUSES:
        raise ValidationFailed({"status": msg("未知的申报状态")})
    if status == "established":
        raise ValidationFailed({"status": msg("立项请用“立项”操作：它同时建立项目")})
    if status not in next_statuses(application):
        raise ValidationFailed({"status": msg(
            "申报状态不能从“{current}”改为“{new}”",
            current=APPLICATION_STATUSES.label(application.status), new=APPLICATION_STATUSES.label(status))})
    if application.status_on is not None and day < application.status_on:
        raise ValidationFailed({"on": msg("日期不能早于上一步的日期 {day}",
                                          day=application.status_on.isoformat())})
    granted = None
    if status == "selected":
        granted = amount_granted if amount_granted is not None else application.amount_requested
        problem = grant_problem(application, Decimal(granted))
        if problem:
            raise ValidationFailed({"amount_granted": problem})
    with database.atomic():
        ApplicationStep.create(application=application, status=status, entered_on=day, note=note.strip())
        return audit.update(application, user, "stage", status=status, status_on=day, amount_granted=granted)


def grant_problem(application: VentureApplication, amount: Decimal,
                   others_granted: Decimal | None = None) -> Message | None:
    rnd = application.round
    if amount <= 0:
        return msg("资助金额应大于 0")
    if amount > application.amount_requested:
        return msg("资助金额不能大于申请金额 {requested} 元",
                   requested=format_money(application.amount_requested))
    if rnd.project_cap is not None and amount > rnd.project_cap:
        return msg("资助金额超过单个项目资助上限 {cap} 元", cap=format_money(rnd.project_cap))
    if others_granted is None:
        own = Decimal(application.amount_granted or 0) if application.status in WINNERS else Decimal(0)
        others_granted = granted_total(rnd) - own
    if others_granted + amount > rnd.budget:
        return msg("入选项目合计将达 {total} 元，超过本轮总预算 {budget} 元",
                   total=format_money(others_granted + amount), budget=format_money(rnd.budget))
    return None


def steps_of(application: VentureApplication) -> list[tuple[dt.date, str, str]]:
    return [(s.entered_on, APPLICATION_STATUSES.label(s.status), s.note)
            for s in application.steps.order_by(ApplicationStep.entered_on, ApplicationStep.id)]
