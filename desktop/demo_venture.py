"""The demo county's venture rounds: a finished 微创投 of the federation (48 proposals, five
reviewers, 12 winners funded, supervised and closed) and a 公益创投 of the civil-affairs bureau in
progress (winners under supervision, some behind schedule).

Written through the services (models/venture.py, models/venture_supervision.py), audited like
a clerk's work: a few hundred rows, so the round's pages and papers show real shapes. Called by
desktop/demo.py inside its transaction, after the organizations and people exist.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import TYPE_CHECKING

from models.db import continue_after_largest_id
from models.entities import Project, ProjectVenue, User
from models.venture import (
    ApplicationData,
    RoundData,
    add_attachment,
    change_status,
    save_application,
    save_round,
)
from models.venture_entities import VENTURE_MODELS, VentureApplication, VentureRound
from models.venture_review import (
    ReviewerData,
    applications_for_review,
    criteria_of,
    decide_selection,
    establish_selected,
    propose_selection,
    ranking,
    reviewers_of,
    save_reviewer,
    set_criteria,
    set_scores,
)
from models.venture_supervision import (
    EvaluationData,
    VisitData,
    add_milestone,
    add_payment,
    close_with_evaluation,
    complete_milestone,
    save_visit,
)

from .demo import FEDERATION, GENERAL_PHRASES, PROJECT_BRANDS, PROJECT_PHRASES

if TYPE_CHECKING:
    from .demo import _Builder

CRITERIA = [("需求分析", 20), ("项目设计", 30), ("执行能力", 20), ("预算合理", 15), ("可持续性", 15)]
EXPERTS = [("陶文静", "县社会工作协会"), ("沈立新", "市社会组织孵化基地"), ("韩雪梅", "县民政局"),
           ("邵志刚", "师范学院社会工作系")]
VISITORS = ("县妇联 督导组", "第三方督导 刘老师", "县社工协会 督导员")
MICRO_BUDGET, MICRO_CAP, MICRO_WINNERS, MICRO_APPLICATIONS = 300_000, 30_000, 12, 48
VENTURE_BUDGET, VENTURE_CAP, VENTURE_APPLICATIONS = 2_170_000, 150_000, 26
RULES = ("{name}实施办法\n\n一、资助对象：在本县登记或备案的女性社会组织。\n"
         "二、资助标准：单个项目不超过 {cap} 元。\n")


def _day(start: dt.date, days: int) -> dt.date:
    return start + dt.timedelta(days=days)


class _Rounds:
    def __init__(self, builder: _Builder, admin: User | None):
        self.b = builder
        self.rng: random.Random = builder.rng
        self.admin = admin
        self.today = builder.today
        self.titles: set[str] = set()
        self.area_names = {v: k for k, v in builder.area_ids.items()}
        self.live = [o for o in builder.orgs if o.archived_on is None]
        self.venues_by_town = builder.venues_by_town()

    def venues_for(self, org) -> list[int]:
        """One or two venues of the register in the organization's township (where it works)."""
        near = self.venues_by_town[org.township] if org.township < len(self.venues_by_town) else []
        if not near:
            return []
        return sorted({v.id for v in self.rng.sample(near, min(len(near), self.rng.choice((1, 1, 2))))})

    def title(self, org, suffix: str) -> str:
        phrases = PROJECT_PHRASES.get(self.area_names.get(org.areas[0], ""), GENERAL_PHRASES)
        for _ in range(20):
            name = f"“{self.rng.choice(PROJECT_BRANDS)}”{self.rng.choice(phrases)}{suffix}"
            if name not in self.titles:
                break
        else:
            name = f"{name}（{len(self.titles) + 1}）"
        self.titles.add(name)
        return name

    def new_round(self, data: RoundData) -> VentureRound:
        rnd = save_round(data, self.admin, today=self.today)
        set_criteria(rnd, CRITERIA, self.admin)
        rules = RULES.format(name=data.name, cap=data.project_cap)
        add_attachment(rnd, f"{data.name}实施办法.txt", rules.encode("utf-8"), self.admin)
        return rnd

    def applications(self, rnd: VentureRound, count: int, amounts: tuple[int, int, int],
                     suffix: str, screened_out: int) -> list[VentureApplication]:
        low, high, step = amounts
        apps = []
        for i in range(count):
            org = self.live[i % len(self.live)]
            app = save_application(ApplicationData(
                round_id=rnd.id, organization_id=org.id, title=self.title(org, suffix),
                service_area_id=org.areas[0], target_group=self.rng.choice(
                    ("留守儿童", "困境妇女", "空巢老人", "新就业女性", "单亲家庭", "社区居民")),
                region_id=org.region_id,
                venue_ids=self.venues_for(org),
                amount_requested=str(self.rng.randrange(low, high + 1, step)),
                people_planned=self.rng.randrange(80, 1200, 10)), self.admin, on=rnd.call_on)
            steps = [("screened", rnd.call_on + dt.timedelta(days=7))]
            if i < screened_out:
                steps.append(("not_selected", rnd.call_on + dt.timedelta(days=8)))
            else:
                steps += [("revising", rnd.training_on), ("reviewing", _day(rnd.review_on, -3))]
            for status, day in steps:
                app = change_status(app, status, self.admin, day,
                                    "初审未通过：与申报指南不符" if status == "not_selected" else "")
            apps.append(app)
        return apps

    def reviewers(self, rnd: VentureRound) -> None:
        for name, unit in EXPERTS:
            save_reviewer(ReviewerData(round_id=rnd.id, name=name, affiliation=unit), self.admin)
        member = next((p for p, o in sorted(self.b.primary_org.items())
                       if any(a.organization_id == o for a in applications_for_review(rnd))), None)
        save_reviewer(ReviewerData(round_id=rnd.id, name=self.b.p_name[member] if member else "林晓",
                                   person_id=member, affiliation=FEDERATION), self.admin)

    def scores(self, rnd: VentureRound) -> None:
        criteria = criteria_of(rnd)
        apps = applications_for_review(rnd)
        quality = {a.id: self.rng.gauss(76, 7) for a in apps}
        for reviewer in reviewers_of(rnd):
            bias = self.rng.uniform(-4, 4)
            set_scores(reviewer, {
                (a.id, c.id): Decimal(str(max(40, min(100, round(2 * (quality[a.id] + bias
                                                                        + self.rng.gauss(0, 4))) / 2))))
                for a in apps for c in criteria}, self.admin)

    def supervise(self, project, start: dt.date, end: dt.date, closing: dt.date | None) -> None:
        """Milestones, visits and instalments up to today; with ``closing``, the evaluation."""
        rng, today = self.rng, self.today
        span = (end - start).days
        plan = [("完成需求调研和服务方案", _day(start, span // 6)),
                ("开展首场集中服务活动", _day(start, span // 3)),
                ("完成中期评估", _day(start, span // 2)),
                ("完成全部服务和结项材料", _day(start, span - 10))]
        late = closing is None and rng.random() < 0.2
        for i, (title, due) in enumerate(plan):
            milestone = add_milestone(project, title, due, self.admin)
            if due < today and not (late and i == 1):
                complete_milestone(milestone, min(_day(due, rng.randint(-10, 5)), today), self.admin)
        granted = Decimal(project.amount_granted)
        first = (granted * Decimal("0.6")).quantize(Decimal("0.01"))
        add_payment(project, _day(start, 10), str(first), self.admin, "首期拨付（60%）")
        for k, day in enumerate((_day(start, span // 3), _day(start, 2 * span // 3))):
            if day <= today:
                save_visit(project, VisitData(day, rng.choice(VISITORS), rng.choice((
                    "活动按计划开展，台账齐全", "服务对象反馈良好，建议加强宣传", "进度略慢，已督促整改",
                    "志愿者参与积极，经费使用规范")), str(rng.randint(70 + 5 * k, 95))), self.admin,
                    today=today)
        if closing is not None and closing <= today:
            add_payment(project, _day(closing, -5), str(granted - first), self.admin, "尾款")
            close_with_evaluation(project, EvaluationData(
                closing, "县妇联、第三方评估机构", str(rng.randint(78, 96)), "完成项目目标，服务成效明显",
                actual_served=round((project.planned_served or 100) * rng.uniform(0.95, 1.3))),
                self.admin, today=today)

    def finished_micro_venture(self) -> None:
        year = self.today.year - 1 if self.today.month >= 4 else self.today.year - 2
        call = dt.date(year, 3, 1)
        rnd = self.new_round(RoundData(
            name=f"{year}年度青禾县妇联微创投", source="micro_venture", year=year, organiser=FEDERATION,
            budget=str(MICRO_BUDGET), project_cap=str(MICRO_CAP), call_on=call,
            training_on=dt.date(year, 3, 20), review_on=dt.date(year, 4, 15),
            publicity_on=dt.date(year, 4, 22), approval_on=dt.date(year, 5, 6),
            midterm_on=dt.date(year, 9, 15), closing_on=dt.date(year + 1, 3, 1),
            notes="征集 48 个项目，经培训修改和现场评审，资助 12 个，服务期十个月。"))
        self.applications(rnd, MICRO_APPLICATIONS, (15_000, 30_000, 1_000), "微项目", screened_out=4)
        self.reviewers(rnd)
        self.scores(rnd)
        share = Decimal(MICRO_BUDGET) / MICRO_WINNERS
        top = [r for r in ranking(rnd) if r.score is not None][:MICRO_WINNERS]
        decide_selection(rnd, {r.application_id: min(r.amount_requested, share) for r in top}, self.admin,
                         _day(rnd.review_on, 3), "现场评审，择优资助")
        for project in establish_selected(rnd, self.admin, rnd.approval_on):
            self.supervise(project, rnd.approval_on, rnd.closing_on, rnd.closing_on)

    def venture_in_progress(self) -> None:
        call = _day(self.today, -200)
        rnd = self.new_round(RoundData(
            name=f"{call.year}年度青禾县公益创投", source="venture", year=call.year, organiser="青禾县民政局",
            budget=str(VENTURE_BUDGET), project_cap=str(VENTURE_CAP), call_on=call,
            training_on=_day(call, 20), review_on=_day(call, 40), publicity_on=_day(call, 50),
            approval_on=_day(call, 60), midterm_on=_day(call, 220), closing_on=_day(call, 400),
            notes="县妇联指导会员组织申报，并跟踪督导入选项目。"))
        self.applications(rnd, VENTURE_APPLICATIONS, (60_000, 150_000, 5_000), "项目", screened_out=2)
        self.reviewers(rnd)
        self.scores(rnd)
        chosen = {p.application_id: p.amount for p in propose_selection(rnd) if p.proposed}
        decide_selection(rnd, chosen, self.admin, _day(rnd.review_on, 3))
        for project in establish_selected(rnd, self.admin, rnd.approval_on):
            self.supervise(project, rnd.approval_on, rnd.closing_on, None)


def _stamp(stamp: str) -> None:
    """The rows carry the demo's day, as the rest of the demo's rows do (the same seed and day
    give the same rows; only the audit lines carry the real time)."""
    for model in VENTURE_MODELS:
        fields = {model._meta.fields[name]: stamp for name in ("created_at", "updated_at", "added_at",
                                                               "recorded_at") if name in model._meta.fields}
        if fields:
            model.update(fields).execute()
    established = VentureApplication.select(VentureApplication.project).where(
        VentureApplication.project.is_null(False))
    Project.update({Project.created_at: stamp, Project.updated_at: stamp}).where(
        Project.id.in_(established)).execute()


def make_rounds(builder: _Builder, admin: User | None) -> dict[str, int]:
    """Rows written per entity (``projects``: the winners made projects, ``project_venues``:
    their venues, copied from the applications)."""
    continue_after_largest_id(Project)  # the winners' projects: the same ids on both backends
    continue_after_largest_id(ProjectVenue)
    rounds = _Rounds(builder, admin)
    rounds.finished_micro_venture()
    rounds.venture_in_progress()
    _stamp(builder.stamp)
    return {"venture_rounds": VentureRound.select().count(),
            "venture_applications": VentureApplication.select().count(),
            "projects": VentureApplication.select().where(VentureApplication.project.is_null(False)).count(),
            "project_venues": ProjectVenue.select().join(
                VentureApplication, on=(VentureApplication.project == ProjectVenue.project)).count()}
