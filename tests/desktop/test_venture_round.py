"""A 微创投 round end to end through the services: 48 applications, the five reviewers' sheets
printed, filled and imported, the trimmed-mean ranking checked against hand-worked values, the
selection within 300,000 yuan, 12 projects made and linked, supervision and closing, and the
round's report adding up."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from desktop.venture.sheets import import_reviewer_sheets, write_all_sheets
from models.entities import Project
from models.errors import ValidationFailed
from models.periods import parse_period
from models.summary import compute_summary
from models.venture_entities import VentureApplication
from models.venture_report import publicity_rows, round_report
from models.venture_review import decide_selection, establish_selected, propose_selection, ranking
from models.venture_schedule import behind_schedule
from models.venture_supervision import (
    EvaluationData,
    VisitData,
    add_milestone,
    add_payment,
    close_with_evaluation,
    complete_milestone,
    paid_total,
    save_visit,
)
from tests.venture_round import BUDGET, EXPECTED, REVIEWERS, build_round, fill_sheet


@pytest.fixture
def scored(ctx, county, tmp_path):
    built = build_round(ctx.user, [county["east"], county["west"]])
    numbers = {a.id: n for n, a in enumerate(built.applications, start=1)}
    (tmp_path / "sheets").mkdir()
    sheets = write_all_sheets(tmp_path / "sheets", built.round, ctx.user)
    assert [p.name for p in sheets] == [f"2025年度妇联微创投_评分表_{name}.xlsx" for name in REVIEWERS]
    for i, path in enumerate(sheets):
        fill_sheet(path, i, numbers)
    result = import_reviewer_sheets(sheets, built.round, ctx.user)
    assert (result.reviewers, result.scores, result.blank) == (5, 5 * 48 * 5, 0)
    return built


def test_a_round_from_the_call_to_the_closing_evaluation(ctx, scored, county):
    county_ids = {key: region.id for key, region in county.items()}
    rnd, apps = scored.round, scored.applications
    rows = ranking(rnd)
    by_id = {r.application_id: r for r in rows}
    for number, expected in EXPECTED.items():
        row = by_id[apps[number - 1].id]
        assert row.score == expected and row.trimmed
    # Application 1's reviewers: 90, 80, 70, 95, 60 (weighted: 7,000 ÷ 100 = 70)
    assert sorted(by_id[apps[0].id].totals.values()) == [60, 70, 80, 90, 95]
    assert rows[0].application_id == apps[1].id and rows[0].rank == 1  # 88.00
    # 4 and 5 are scored alike: the same score, the same rank, both flagged
    four, five = by_id[apps[3].id], by_id[apps[4].id]
    assert four.score == five.score and four.rank == five.rank and four.tie and five.tie
    assert not by_id[apps[0].id].tie
    # the 冯专家 is a member of application 3's organization
    assert by_id[apps[2].id].conflicts == ["冯专家"]
    assert all(not r.conflicts for r in rows if r.application_id != apps[2].id)
    assert [r.rank for r in rows][:6] == [1, 2, 2, 4, 5, 6]

    proposals = propose_selection(rnd)
    chosen = {p.application_id: p.amount for p in proposals if p.proposed}
    assert len(chosen) == 12 and sum(chosen.values()) == BUDGET
    assert list(chosen) == [r.application_id for r in rows[:12]]
    with pytest.raises(ValidationFailed) as refused:  # over the budget: nothing decided
        decide_selection(rnd, {**chosen, rows[12].application_id: Decimal("25000")}, ctx.user)
    assert "超过本轮总预算" in str(refused.value.errors["budget"])
    assert VentureApplication.select().where(VentureApplication.status == "selected").count() == 0
    assert decide_selection(rnd, chosen, ctx.user, dt.date(2025, 4, 15)) == (12, 36)

    projects = establish_selected(rnd, ctx.user, dt.date(2025, 5, 1))
    assert len(projects) == 12
    assert Project.select().count() == 12
    for project in projects:
        app = VentureApplication.get(VentureApplication.project == project)
        assert app.status == "established" and app.round_id == rnd.id
        assert (project.source, project.year, project.batch, project.status) == (
            "micro_venture", 2025, rnd.name, "approved")
        assert project.amount_granted == app.amount_granted == chosen[app.id]
        assert project.planned_served == app.people_planned

    # Supervision: milestones, visits, instalments; one project falls behind
    first, late = projects[0], projects[1]
    add_milestone(first, "开展首场活动", dt.date(2025, 6, 1), ctx.user)
    milestone = add_milestone(late, "完成需求调研", dt.date(2025, 6, 1), ctx.user)
    add_milestone(late, "中期评估", dt.date(2025, 9, 1), ctx.user)
    assert [b.project_id for b in behind_schedule(dt.date(2025, 10, 1))] == [first.id, late.id]
    assert behind_schedule(dt.date(2025, 10, 1), organization_id=late.organization_id)[0].overdue == 2
    complete_milestone(milestone, dt.date(2025, 6, 20), ctx.user)
    assert behind_schedule(dt.date(2025, 10, 1), organization_id=late.organization_id)[0].overdue == 1
    for project in projects:
        save_visit(project, VisitData(dt.date(2025, 7, 1), "县妇联 李督导", "活动按计划开展", "85"), ctx.user)
        half = (project.amount_granted / 2).quantize(Decimal("0.01"))
        add_payment(project, dt.date(2025, 5, 10), str(half), ctx.user, "首期")
    assert Project.get_by_id(first.id).status == "in_progress"  # a visit means the work has begun
    with pytest.raises(ValidationFailed) as over:
        add_payment(first, dt.date(2025, 10, 1), str(first.amount_granted), ctx.user)
    assert "超过立项金额" in str(over.value.errors["amount"])
    add_payment(first, dt.date(2025, 12, 1), str(first.amount_granted - paid_total(first)), ctx.user, "尾款")
    assert paid_total(first) == first.amount_granted
    evaluation = close_with_evaluation(Project.get_by_id(first.id), EvaluationData(
        dt.date(2026, 3, 1), "第三方评估机构", "92.5", "目标全部完成", actual_served=180), ctx.user)
    closed = Project.get_by_id(first.id)
    assert (closed.status, closed.actual_served, evaluation.score) == ("closed", 180, Decimal("92.5"))
    assert first.id not in [b.project_id for b in behind_schedule(dt.date(2026, 4, 1))]
    with pytest.raises(ValidationFailed):
        save_visit(closed, VisitData(dt.date(2026, 3, 5), "李督导", "", ""), ctx.user)

    # The report: every table adds up to the total, the total to the applications
    report = round_report(rnd)
    total = report.total
    assert (total.applications, total.winners, total.granted) == (48, 12, BUDGET)
    assert total.requested == sum(Decimal(a.amount_requested) for a in VentureApplication.select())
    assert total.people_planned == sum(100 + n for n in range(1, 49))
    for lines in (report.by_area, report.by_township):
        for attr in ("applications", "requested", "people_planned", "winners", "granted", "winners_people"):
            assert sum(getattr(line, attr) for line in lines) == getattr(total, attr)
    assert [line.label for line in report.by_township] == ["东关街道", "西湖镇"]
    assert report.by_status == [("未入选", 36), ("立项", 12)]
    # The periodic summary counts the round in the period of its call (2025-03-01)
    for code, expected in (("2025", ("微创投", 48, Decimal("1200000.00"), 12, Decimal("300000.00"))),
                           ("2025Q2", ("微创投", 0, Decimal("0.00"), 0, Decimal("0.00")))):
        section = compute_summary(parse_period(code), today=dt.date(2026, 4, 1)).section("ventures")
        assert section.rows[1] == expected and section.total[1:] == expected[1:]
    east = compute_summary(parse_period("2025Q1"), county_ids["east"], dt.date(2026, 4, 1))
    assert east.section("ventures").total[1:] == (24, Decimal("600000.00"), 6, Decimal("150000.00"))
    publicity = publicity_rows(rnd)
    assert [p.number for p in publicity] == list(range(1, 13))
    assert publicity[0].score == Decimal("88.00") and sum(p.amount for p in publicity) == BUDGET


def test_scores_of_a_reviewer_can_be_corrected_by_importing_the_sheet_again(ctx, scored, tmp_path):
    rnd, apps = scored.round, scored.applications
    (path,) = [p for p in write_all_sheets(tmp_path, rnd, ctx.user) if "周专家" in p.name]
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb["评分表"]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value == apps[0].id)
    assert ws.cell(row, 6).value == 90  # the sheet carries the reviewer's earlier scores
    for c in range(6, 11):
        ws.cell(row, c).value = 50  # 周专家 now gives application 1 a total of 50
    wb.save(path)
    result = import_reviewer_sheets([path], rnd, ctx.user)
    assert result.scores == 5
    row = next(r for r in ranking(rnd) if r.application_id == apps[0].id)
    assert row.score == Decimal("70.00")  # 50, 80, 70, 95, 60: 95 and 50 dropped, (80 + 70 + 60) ÷ 3
