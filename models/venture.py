"""公益创投 / 微创投 rounds: the round, the applications and their status flow, the expert review
and the ranking, the selection within the budget, and 立项 (an application becomes a Project).

Every change goes through models.audit (one transaction with its audit line); the selection is
the office's decision: ``propose_selection`` only proposes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

from . import audit
from .choices import APPLICATION_STATUSES, ROUND_SOURCES
from .db import database
from .entities import Membership, Organization, Person, Project, Region, ServiceArea, Team, User
from .errors import ValidationFailed, clean_title
from .i18n import Message, msg
from .projects import FIRST_YEAR, ProjectData, format_money, parse_money, save_project
from .validators import InvalidValue
from .venture_entities import (
    ApplicationStep,
    ReviewCriterion,
    Reviewer,
    ReviewScore,
    RoundAttachment,
    VentureApplication,
    VentureRound,
)

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024  # a round's rules as PDF or Word, not its photo albums
TRIM_FROM = 5  # reviewers: from five on, the highest and the lowest total are dropped
CENT = Decimal("0.01")
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
    venues: str = ""
    amount_requested: str = ""
    people_planned: int = 0
    team_id: int | None = None
    notes: str = ""

    @classmethod
    def from_application(cls, a: VentureApplication) -> ApplicationData:
        return cls(round_id=a.round_id, organization_id=a.organization_id, title=a.title,
                   service_area_id=a.service_area_id, target_group=a.target_group,
                   region_id=a.region_id, venues=a.venues,
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
                  region=data.region_id, venues=data.venues.strip(), amount_requested=requested,
                  people_planned=data.people_planned, team=data.team_id, notes=data.notes.strip())
    with database.atomic():
        if existing is not None:
            return audit.update(existing, user, **values)
        day = on or dt.date.today()
        application = audit.create(VentureApplication, user, status="collected", status_on=day, **values)
        ApplicationStep.create(application=application, status="collected", entered_on=day)
    return application


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
        problem = _grant_problem(application, Decimal(granted))
        if problem:
            raise ValidationFailed({"amount_granted": problem})
    with database.atomic():
        ApplicationStep.create(application=application, status=status, entered_on=day, note=note.strip())
        return audit.update(application, user, "stage", status=status, status_on=day, amount_granted=granted)


def _grant_problem(application: VentureApplication, amount: Decimal,
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


# --- the expert review ----------------------------------------------------------------


def set_criteria(rnd: VentureRound, criteria: list[tuple[str, int]], user: User | None) -> None:
    """The round's scoring sheet: (name, weight) in order. Fixed once a score is entered."""
    errors: dict[str, Message] = {}
    names = [" ".join(name.split()) for name, _ in criteria]
    if not criteria:
        errors["criteria"] = msg("请至少设一个评分项")
    elif any(not n for n in names):
        errors["criteria"] = msg("评分项的名称不能为空")
    elif len(set(names)) != len(names):
        errors["criteria"] = msg("评分项的名称不能重复")
    elif any(int(w) <= 0 for _, w in criteria):
        errors["criteria"] = msg("评分项的权重应为正整数")
    if ReviewScore.select().join(ReviewCriterion).where(ReviewCriterion.round == rnd).exists():
        errors["criteria"] = msg("本轮已录入评分，评分项不能再改")
    if errors:
        raise ValidationFailed(errors)
    with database.atomic():
        before = [(c.name, c.weight) for c in criteria_of(rnd)]
        ReviewCriterion.delete().where(ReviewCriterion.round == rnd).execute()
        for i, (name, (_, weight)) in enumerate(zip(names, criteria, strict=True)):
            ReviewCriterion.create(round=rnd, name=name, weight=int(weight), sort_order=i)
        audit.touch(rnd)
        audit.record(user, "update", rnd, {"criteria": [before, list(zip(names, [int(w) for _, w in criteria],
                                                                            strict=True))]}, rnd.name)


def criteria_of(rnd: VentureRound) -> list[ReviewCriterion]:
    return list(ReviewCriterion.select().where(ReviewCriterion.round == rnd)
                .order_by(ReviewCriterion.sort_order, ReviewCriterion.id))


@dataclass
class ReviewerData:
    round_id: int | None = None
    name: str = ""
    person_id: int | None = None
    affiliation: str = ""
    phone: str = ""


def save_reviewer(data: ReviewerData, user: User | None, existing: Reviewer | None = None) -> Reviewer:
    errors: dict[str, Message] = {}
    person = Person.get_or_none(Person.id == data.person_id) if data.person_id else None
    if data.person_id and person is None:
        errors["person_id"] = msg("所选的人员不存在")
    name = clean_title(data.name or (person.name if person else ""), "专家姓名", "name", errors)
    rnd = VentureRound.get_or_none(VentureRound.id == data.round_id) if data.round_id else None
    if rnd is None:
        errors["round_id"] = msg("请选择创投轮次")
    elif "name" not in errors:
        taken = Reviewer.select().where((Reviewer.round == rnd) & (Reviewer.name == name))
        if existing is not None:
            taken = taken.where(Reviewer.id != existing.id)
        if taken.exists():
            errors["name"] = msg("本轮已有名为“{name}”的评审专家", name=name)
    if errors:
        raise ValidationFailed(errors)
    values = dict(round=rnd, name=name, person=person, affiliation=data.affiliation.strip(),
                  phone=data.phone.strip())
    if existing is None:
        values["sort_order"] = Reviewer.select().where(Reviewer.round == rnd).count()
    return audit.save(Reviewer, user, existing, **values)


def reviewers_of(rnd: VentureRound) -> list[Reviewer]:
    return list(Reviewer.select().where(Reviewer.round == rnd).order_by(Reviewer.sort_order, Reviewer.id))


def applications_for_review(rnd: VentureRound) -> list[VentureApplication]:
    """What the reviewers score: the round's applications that reached 评审, in the order entered."""
    return list(VentureApplication.select().where(under_review(rnd)).order_by(VentureApplication.id))


def parse_score(value: object) -> Decimal:
    """A score as typed or read from a sheet: 0–100, at most one decimal."""
    try:
        score = Decimal(str(value).strip())
    except ArithmeticError:
        raise InvalidValue(msg("“{value}”不是分数", value=value)) from None
    if not score.is_finite() or not 0 <= score <= 100:
        raise InvalidValue(msg("分数应在 0–100 之间（填了 {value}）", value=value))
    if score != score.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP):
        raise InvalidValue(msg("分数最多保留一位小数（填了 {value}）", value=value))
    return score


def set_scores(reviewer: Reviewer, scores: Mapping[tuple[int, int], Decimal | None],
               user: User | None) -> int:
    """Store a reviewer's scores ((application id, criterion id) → score; None clears one), in
    one transaction with one audit line; returns how many changed."""
    rnd = reviewer.round
    criteria = {c.id for c in criteria_of(rnd)}
    reviewable = {a.id for a in applications_for_review(rnd)}
    for (app_id, crit_id), value in scores.items():
        if crit_id not in criteria or app_id not in reviewable:
            raise ValidationFailed({"scores": msg("评分所对应的申报或评分项不属于本轮评审")})
        if value is not None:
            parse_score(value)
    with database.atomic():
        stored = {(s.application_id, s.criterion_id): s for s in
                  ReviewScore.select().where(ReviewScore.reviewer == reviewer)}
        changed = 0
        for key, value in scores.items():
            row = stored.get(key)
            if value is None:
                if row is not None:
                    row.delete_instance()
                    changed += 1
            elif row is None:
                ReviewScore.create(reviewer=reviewer, application=key[0], criterion=key[1], score=value)
                changed += 1
            elif Decimal(row.score) != Decimal(value):
                ReviewScore.update(score=value).where(ReviewScore.id == row.id).execute()
                changed += 1
        if changed:
            audit.touch(reviewer)
            audit.record(user, "update", reviewer, {"scores": [None, changed]},
                         f"{reviewer.name}：{changed} 个评分")
    return changed


def reviewer_totals(rnd: VentureRound) -> dict[tuple[int, int], Decimal]:
    """(reviewer id, application id) → the reviewer's weighted total (Σ score × weight ÷ Σ weight),
    for the applications the reviewer scored on every criterion."""
    criteria = criteria_of(rnd)
    weights = {c.id: c.weight for c in criteria}
    weight_sum = sum(weights.values())
    sums: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    counts: dict[tuple[int, int], int] = defaultdict(int)
    query = (ReviewScore.select(ReviewScore.reviewer, ReviewScore.application, ReviewScore.criterion,
                                ReviewScore.score)
             .join(Reviewer).where(Reviewer.round == rnd).tuples())
    for reviewer_id, app_id, crit_id, score in query:
        if crit_id in weights:
            sums[reviewer_id, app_id] += Decimal(score) * weights[crit_id]
            counts[reviewer_id, app_id] += 1
    return {key: total / weight_sum for key, total in sums.items() if counts[key] == len(weights)}


def trimmed_mean(totals: list[Decimal]) -> tuple[Decimal, bool]:
    """The mean of the reviewers' totals, the highest and the lowest dropped from five reviewers
    on; to the cent (half up). Also whether it was trimmed."""
    values = sorted(totals)
    trimmed = len(values) >= TRIM_FROM
    if trimmed:
        values = values[1:-1]
    return (sum(values, Decimal(0)) / len(values)).quantize(CENT, rounding=ROUND_HALF_UP), trimmed


@dataclass
class RankedApplication:
    application_id: int
    title: str
    organization: str
    amount_requested: Decimal
    people_planned: int
    status: str
    totals: dict[int, Decimal]  # reviewer id → weighted total
    score: Decimal | None  # None: nobody has scored it completely
    trimmed: bool
    rank: int | None = None
    tie: bool = False  # the same score as another application
    conflicts: list[str] = field(default_factory=list)  # reviewers linked to the applicant
    missing: list[str] = field(default_factory=list)  # reviewers who have not scored it fully


def conflicts_of(rnd: VentureRound) -> dict[int, list[Reviewer]]:
    """Application id → its reviewers who are members of the applicant organization (a
    membership not ended before the round's year)."""
    reviewers = {r.person_id: r for r in reviewers_of(rnd) if r.person_id}
    if not reviewers:
        return {}
    start = dt.date(rnd.year, 1, 1)
    linked = (Membership.select(Membership.person, Membership.organization)
              .where(Membership.person.in_(list(reviewers))
                     & (Membership.end_on.is_null() | (Membership.end_on >= start))).tuples())
    by_org: dict[int, set[int]] = defaultdict(set)
    for person_id, org_id in linked:
        by_org[org_id].add(person_id)
    found: dict[int, list[Reviewer]] = {}
    for app in VentureApplication.select(VentureApplication.id, VentureApplication.organization).where(
            VentureApplication.round == rnd):
        people = by_org.get(app.organization_id)
        if people:
            found[app.id] = sorted((reviewers[p] for p in people), key=lambda r: (r.sort_order, r.id))
    return found


def ranking(rnd: VentureRound) -> list[RankedApplication]:
    """The applications under review ranked by the (trimmed) mean of the reviewers' weighted
    totals, highest first; equal scores share a rank and are flagged, as are conflicts of
    interest and reviewers who have not scored an application on every criterion."""
    totals = reviewer_totals(rnd)
    reviewers = reviewers_of(rnd)
    conflicts = conflicts_of(rnd)
    rows: list[RankedApplication] = []
    apps = (VentureApplication.select(VentureApplication, Organization.name)
            .join(Organization).where(under_review(rnd))
            .order_by(VentureApplication.id))
    for app in apps:
        mine = {r.id: totals[r.id, app.id] for r in reviewers if (r.id, app.id) in totals}
        score, trimmed = trimmed_mean(list(mine.values())) if mine else (None, False)
        rows.append(RankedApplication(
            app.id, app.title, app.organization.name, Decimal(app.amount_requested), app.people_planned,
            app.status, mine, score, trimmed,
            conflicts=[r.name for r in conflicts.get(app.id, [])],
            missing=[r.name for r in reviewers if r.id not in mine]))
    rows.sort(key=lambda r: (r.score is None, -(r.score or 0), r.application_id))
    counts: dict[Decimal, int] = defaultdict(int)
    for row in rows:
        if row.score is not None:
            counts[row.score] += 1
    previous: Decimal | None = None
    for i, row in enumerate(rows, start=1):
        if row.score is None:
            continue
        row.rank = rows[i - 2].rank if previous == row.score else i
        row.tie = counts[row.score] > 1
        previous = row.score
    return rows


@dataclass
class Proposal:
    application_id: int
    rank: int | None
    score: Decimal | None
    amount: Decimal  # the request, within the per-project cap
    proposed: bool
    reason: str = ""


def propose_selection(rnd: VentureRound, rows: list[RankedApplication] | None = None) -> list[Proposal]:
    """The top-ranked applications that fit the budget, each funded up to the per-project cap; an
    application that no longer fits is passed over for the next that does (the reason is said).
    Already 立项 applications keep their amounts. Only a proposal: the office decides."""
    rows = ranking(rnd) if rows is None else rows
    fixed = {a.id: Decimal(a.amount_granted or 0) for a in VentureApplication.select().where(
        (VentureApplication.round == rnd) & (VentureApplication.status == "established"))}
    left = Decimal(rnd.budget) - sum(fixed.values(), Decimal(0))
    proposals = []
    for row in rows:
        amount = row.amount_requested
        if rnd.project_cap is not None:
            amount = min(amount, Decimal(rnd.project_cap))
        if row.application_id in fixed:
            proposals.append(Proposal(row.application_id, row.rank, row.score, fixed[row.application_id],
                                      True, "已立项"))
        elif row.score is None:
            proposals.append(Proposal(row.application_id, None, None, amount, False, "尚无完整评分"))
        elif amount <= left:
            left -= amount
            proposals.append(Proposal(row.application_id, row.rank, row.score, amount, True,
                                      "并列，请斟酌" if row.tie else ""))
        else:
            proposals.append(Proposal(row.application_id, row.rank, row.score, amount, False,
                                      f"超出剩余预算（余 {format_money(left)} 元）"))
    return proposals


def decide_selection(rnd: VentureRound, chosen: Mapping[int, Decimal], user: User | None,
                     on: dt.date | None = None, note: str = "") -> tuple[int, int]:
    """The office's decision: ``chosen`` (application id → amount granted) 入选, every other
    application under review 未入选; all or nothing. Returns (selected, not selected)."""
    day = on or dt.date.today()
    apps = {a.id: a for a in VentureApplication.select().where(under_review(rnd))}
    errors: dict[str, Message] = {}
    unknown = [i for i in chosen if i not in apps or apps[i].status == "established"]
    if unknown:
        errors["chosen"] = msg("所选的申报不在本轮评审中，或已立项")
    fixed = sum((Decimal(a.amount_granted or 0) for a in apps.values() if a.status == "established"),
                Decimal(0))
    total = fixed + sum((Decimal(v) for v in chosen.values()), Decimal(0))
    for app_id, amount in chosen.items():
        if app_id in apps and app_id not in unknown:
            problem = _grant_problem(apps[app_id], Decimal(amount), Decimal(0))
            if problem:
                errors.setdefault("chosen", msg("“{title}”：{problem}", title=apps[app_id].title,
                                                problem=problem))
    if total > rnd.budget:
        errors["budget"] = msg("入选项目合计 {total} 元，超过本轮总预算 {budget} 元",
                               total=format_money(total), budget=format_money(rnd.budget))
    if errors:
        raise ValidationFailed(errors)
    selected = rejected = 0
    with database.atomic():
        for app in apps.values():
            if app.status == "established":
                continue
            if app.id in chosen:
                amount = Decimal(chosen[app.id]).quantize(CENT)
                if app.status == "selected" and Decimal(app.amount_granted or 0) == amount:
                    selected += 1
                    continue
                if app.status != "selected":
                    ApplicationStep.create(application=app, status="selected", entered_on=day, note=note)
                audit.update(app, user, "stage", status="selected", status_on=day, amount_granted=amount)
                selected += 1
            elif app.status != "not_selected":
                ApplicationStep.create(application=app, status="not_selected", entered_on=day, note=note)
                audit.update(app, user, "stage", status="not_selected", status_on=day, amount_granted=None)
                rejected += 1
            else:
                rejected += 1
    return selected, rejected


def establish(application: VentureApplication, user: User | None, on: dt.date | None = None,
              note: str = "") -> Project:
    """立项: the selected application becomes a Project (source and year of the round, its batch
    the round's name, the amount granted), linked to the application and so to the round."""
    if application.status != "selected":
        raise ValidationFailed({"status": msg("只有入选的申报才能立项（“{title}”现为“{status}”）",
                                              title=application.title,
                                              status=APPLICATION_STATUSES.label(application.status))})
    rnd = application.round
    day = on or dt.date.today()
    data = ProjectData(
        name=application.title, source=rnd.source, year=rnd.year, batch=rnd.name,
        organization_id=application.organization_id, team_id=application.team_id, status="approved",
        amount_applied=format_money(application.amount_requested),
        amount_granted=format_money(application.amount_granted), planned_served=application.people_planned,
        start_on=day, end_on=rnd.closing_on if rnd.closing_on and rnd.closing_on >= day else None,
        description="；".join(p for p in (application.target_group, application.venues) if p),
    )
    with database.atomic():
        project = save_project(data, user, today=max(day, dt.date.today()))
        ApplicationStep.create(application=application, status="established", entered_on=day, note=note)
        audit.update(application, user, "stage", status="established", status_on=day, project=project)
    return project


def establish_selected(rnd: VentureRound, user: User | None, on: dt.date | None = None) -> list[Project]:
    """立项 of every selected application of the round, in one transaction."""
    with database.atomic():
        return [establish(app, user, on) for app in VentureApplication.select().where(
            (VentureApplication.round == rnd) & (VentureApplication.status == "selected"))
            .order_by(VentureApplication.id)]
