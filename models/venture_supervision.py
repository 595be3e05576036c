"""The supervision of a funded project (立项 onwards): its milestones, the supervision visits
(督导), the money paid in instalments, and the closing evaluation (结项评估) that closes it;
and which projects are behind schedule (the organization's detail, the home page)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from peewee import fn

from . import audit
from .db import database
from .entities import Project, User
from .errors import ValidationFailed, clean_title
from .i18n import Message, msg
from .projects import change_status, format_money, parse_money
from .validators import InvalidValue
from .venture_entities import (
    ClosingEvaluation,
    ProjectMilestone,
    ProjectPayment,
    SupervisionVisit,
    VentureApplication,
    VentureRound,
)
from .venture_review import parse_score
from .venture_schedule import RUNNING


def _running(project: Project, what: str) -> None:
    if project.status not in RUNNING:
        raise ValidationFailed({"project": msg("项目已{status}，不能再{what}",
                                               status="结项" if project.status == "closed" else "停止",
                                               what=what)})


def _score(value: object, key: str, errors: dict[str, Message], required: bool) -> Decimal | None:
    if value is None or str(value).strip() == "":
        if required:
            errors[key] = msg("请填写评分")
        return None
    try:
        return parse_score(value)
    except InvalidValue as e:
        errors[key] = e.message
        return None


def _start(project: Project, user: User | None) -> None:
    """Work on a 立项 project has begun: it is 实施中 from now on."""
    if project.status == "approved":
        change_status(user, project, "in_progress")


def add_milestone(project: Project, title: str, due_on: dt.date | None, user: User | None,
                  note: str = "") -> ProjectMilestone:
    errors: dict[str, Message] = {}
    text = clean_title(title, "节点名称", "title", errors)
    if due_on is None:
        errors["due_on"] = msg("请填写计划完成日期")
    if errors:
        raise ValidationFailed(errors)
    _running(project, "添加节点")
    with database.atomic():
        audit.touch(project)
        return audit.create(ProjectMilestone, user, project=project, title=text, due_on=due_on,
                            note=note.strip())


def complete_milestone(milestone: ProjectMilestone, done_on: dt.date | None, user: User | None,
                       note: str | None = None) -> ProjectMilestone:
    if done_on is None:
        raise ValidationFailed({"done_on": msg("请填写完成日期")})
    with database.atomic():
        _start(milestone.project, user)
        fields = {"done_on": done_on}
        if note is not None:
            fields["note"] = note.strip()
        return audit.update(milestone, user, **fields)


@dataclass
class VisitData:
    visited_on: dt.date | None = None
    visitors: str = ""
    findings: str = ""
    score: str = ""


def save_visit(project: Project, data: VisitData, user: User | None,
               existing: SupervisionVisit | None = None, today: dt.date | None = None) -> SupervisionVisit:
    """督导: who visited the project when, what they found, and their score (0–100)."""
    errors: dict[str, Message] = {}
    if data.visited_on is None:
        errors["visited_on"] = msg("请填写督导日期")
    elif data.visited_on > (today or dt.date.today()):
        errors["visited_on"] = msg("督导日期不能晚于今天")
    visitors = clean_title(data.visitors, "督导人员", "visitors", errors)
    score = _score(data.score, "score", errors, required=False)
    if errors:
        raise ValidationFailed(errors)
    if existing is None:
        _running(project, "记录督导")
    values = dict(project=project, visited_on=data.visited_on, visitors=visitors,
                  findings=data.findings.strip(), score=score)
    with database.atomic():
        if existing is None:
            _start(project, user)
        return audit.save(SupervisionVisit, user, existing, **values)


def paid_total(project: Project) -> Decimal:
    total = (ProjectPayment.select(fn.SUM(ProjectPayment.amount))
             .where(ProjectPayment.project == project).scalar())
    return Decimal(total or 0)


def add_payment(project: Project, paid_on: dt.date | None, amount: str, user: User | None,
                note: str = "") -> ProjectPayment:
    """One instalment; all instalments together stay within the amount granted."""
    errors: dict[str, Message] = {}
    if paid_on is None:
        errors["paid_on"] = msg("请填写拨付日期")
    try:
        value = parse_money(amount)
    except InvalidValue as e:
        errors["amount"] = e.message
        value = None
    if value is None and "amount" not in errors:
        errors["amount"] = msg("请填写拨付金额")
    elif value is not None and value <= 0:
        errors["amount"] = msg("拨付金额应大于 0")
    elif value is not None and project.amount_granted is not None \
            and paid_total(project) + value > project.amount_granted:
        errors["amount"] = msg("累计拨付将达 {total} 元，超过立项金额 {granted} 元",
                               total=format_money(paid_total(project) + value),
                               granted=format_money(project.amount_granted))
    if errors:
        raise ValidationFailed(errors)
    if project.status not in (*RUNNING, "closed"):
        raise ValidationFailed({"project": msg("项目未立项或已终止，不能拨付")})
    with database.atomic():
        audit.touch(project)
        return audit.create(ProjectPayment, user, project=project, paid_on=paid_on, amount=value,
                            note=note.strip())


@dataclass
class EvaluationData:
    evaluated_on: dt.date | None = None
    evaluators: str = ""
    score: str = ""
    conclusion: str = ""
    actual_served: int | None = None


def close_with_evaluation(project: Project, data: EvaluationData, user: User | None,
                          today: dt.date | None = None) -> ClosingEvaluation:
    """结项评估: recorded with its score, it closes the project (实施中 → 结项)."""
    errors: dict[str, Message] = {}
    if data.evaluated_on is None:
        errors["evaluated_on"] = msg("请填写评估日期")
    elif data.evaluated_on > (today or dt.date.today()):
        errors["evaluated_on"] = msg("评估日期不能晚于今天")
    score = _score(data.score, "score", errors, required=True)
    if data.actual_served is not None and data.actual_served < 0:
        errors["actual_served"] = msg("服务人次不能为负数")
    if ClosingEvaluation.select().where(ClosingEvaluation.project == project).exists():
        errors["project"] = msg("该项目已做过结项评估")
    if errors:
        raise ValidationFailed(errors)
    _running(project, "结项")
    with database.atomic():
        evaluation = audit.create(ClosingEvaluation, user, project=project, evaluated_on=data.evaluated_on,
                                  evaluators=data.evaluators.strip(), score=score,
                                  conclusion=data.conclusion.strip())
        _start(project, user)
        fields: dict = {"status": "closed"}
        if data.actual_served is not None:
            fields["actual_served"] = data.actual_served
        if project.end_on is None or project.end_on > data.evaluated_on:
            fields["end_on"] = data.evaluated_on
        audit.update(project, user, **fields)
    return evaluation


# --- reading ----------------------------------------------------------------------------


def milestones_of(project: Project) -> list[tuple[str, dt.date, dt.date | None, str]]:
    return [(m.title, m.due_on, m.done_on, m.note) for m in
            project.milestones.order_by(ProjectMilestone.due_on, ProjectMilestone.id)]


def visits_of(project: Project) -> list[tuple[dt.date, str, Decimal | None, str]]:
    return [(v.visited_on, v.visitors, v.score, v.findings) for v in
            project.supervision_visits.order_by(SupervisionVisit.visited_on, SupervisionVisit.id)]


def payments_of(project: Project) -> list[tuple[dt.date, Decimal, str]]:
    return [(p.paid_on, p.amount, p.note) for p in project.payments.order_by(ProjectPayment.paid_on,
                                                                             ProjectPayment.id)]


def round_of(project: Project) -> str:
    """The name of the round whose application became this project ("" for any other project)."""
    row = (VentureRound.select(VentureRound.name).join(VentureApplication)
           .where(VentureApplication.project == project).first())
    return row.name if row is not None else ""


def evaluation_of(project: Project) -> ClosingEvaluation | None:
    return ClosingEvaluation.get_or_none(ClosingEvaluation.project == project)
