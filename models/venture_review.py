"""The expert review of a round: the scoring sheet's criteria, the reviewers (no login), their
scores, the ranking by trimmed mean, the proposal within the budget, the office's decision and
立项 (a selected application becomes a Project). The round and its applications: models/venture.py.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from . import audit
from .choices import APPLICATION_STATUSES
from .db import database
from .entities import Membership, Organization, Person, Project, User
from .errors import ValidationFailed, clean_title
from .i18n import Message, msg
from .projects import ProjectData, format_money, save_project
from .validators import InvalidValue
from .venture import grant_problem, under_review, venues_of
from .venture_entities import (
    ApplicationStep,
    ReviewCriterion,
    Reviewer,
    ReviewScore,
    VentureApplication,
    VentureRound,
)

TRIM_FROM = 5  # reviewers: from five on, the highest and the lowest total are dropped
CENT = Decimal("0.01")


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
            problem = grant_problem(apps[app_id], Decimal(amount), Decimal(0))
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
        description=application.target_group, venue_ids=venues_of(application),
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
