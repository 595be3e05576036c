"""The rules of a round kept by the services: the status flow, the money limits, the criteria
fixed once scored, documents kept within their limit, the ranking without trimming under five
reviewers, a proposal that passes over what no longer fits, and the audit lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from models import audit
from models.entities import AuditEntry, Organization, Venue
from models.errors import ValidationFailed
from models.venture import (
    MAX_ATTACHMENT_BYTES,
    ApplicationData,
    RoundData,
    add_attachment,
    attachment_content,
    attachments_of,
    change_status,
    next_statuses,
    save_application,
    save_round,
)
from models.venture_entities import VentureApplication
from models.venture_review import (
    ReviewerData,
    criteria_of,
    establish,
    propose_selection,
    ranking,
    save_reviewer,
    set_criteria,
    set_scores,
)

DAY = dt.date(2025, 3, 1)


@pytest.fixture
def rnd(ctx):
    return save_round(RoundData(name="2025年公益创投", source="venture", year=2025, budget="100000",
                                project_cap="40000", call_on=DAY), ctx.user, today=DAY)


def apply(ctx, rnd, n: int, amount: str = "30000"):
    org = audit.create(Organization, ctx.user, name=f"互助会{n}", kind="grassroots")
    return save_application(ApplicationData(round_id=rnd.id, organization_id=org.id, title=f"项目{n}",
                                            amount_requested=amount, people_planned=100), ctx.user, on=DAY)


def to_review(app, user):
    for status in ("screened", "reviewing"):
        app = change_status(app, status, user, DAY)
    return app


def test_a_round_refuses_a_cap_over_the_budget_a_taken_name_and_dates_out_of_order(ctx, rnd):
    with pytest.raises(ValidationFailed) as e:
        save_round(RoundData(name="2025年公益创投", source="venture", year=2025, budget="1000",
                             project_cap="2000", call_on=DAY, review_on=DAY - dt.timedelta(days=1)),
                   ctx.user, today=DAY)
    assert set(e.value.errors) == {"name", "project_cap", "review_on"}
    line = AuditEntry.get(AuditEntry.entity == "venture_round")
    assert line.action == "create" and line.summary == "2025年公益创投"


def test_the_status_flow_is_kept_and_each_step_dated(ctx, rnd):
    app = apply(ctx, rnd, 1)
    assert next_statuses(app) == ["screened", "not_selected"]
    with pytest.raises(ValidationFailed):
        change_status(app, "selected", ctx.user, DAY)  # not reviewed yet
    with pytest.raises(ValidationFailed):
        change_status(app, "screened", ctx.user, DAY - dt.timedelta(days=1))  # before the last step
    app = to_review(app, ctx.user)
    with pytest.raises(ValidationFailed) as e:
        change_status(app, "selected", ctx.user, DAY, amount_granted=Decimal("45000"))
    assert "资助金额不能大于申请金额" in str(e.value.errors["amount_granted"])
    with pytest.raises(ValidationFailed):
        establish(app, ctx.user, DAY)  # only a selected application becomes a project
    app = change_status(app, "selected", ctx.user, DAY, amount_granted=Decimal("25000"))
    app = change_status(app, "not_selected", ctx.user, DAY)  # the office changes its mind
    assert next_statuses(app) == ["selected"]  # and back, as it was reviewed
    assert [s.status for s in app.steps.order_by("id")] == [
        "collected", "screened", "reviewing", "selected", "not_selected"]


def test_an_applications_venues_are_register_records_and_become_the_projects(ctx, rnd):
    homes = [audit.create(Venue, ctx.user, name=name, level="village", kind="women_children_home")
             for name in ("柳树村妇女儿童之家", "桃园村妇女微家", "东关街道活动中心")]
    app = apply(ctx, rnd, 1)
    data = ApplicationData.from_application(app)
    assert data.venue_ids == []
    data.venue_ids = [homes[1].id, homes[0].id]
    app = save_application(data, ctx.user, app)
    assert sorted(ApplicationData.from_application(app).venue_ids) == sorted([homes[0].id, homes[1].id])
    change = AuditEntry.select().where(AuditEntry.entity == "venture_application").order_by(
        AuditEntry.id.desc()).first()
    assert "venues" in change.changes
    data.venue_ids = [homes[0].id, 999_999]
    with pytest.raises(ValidationFailed) as e:
        save_application(data, ctx.user, app)
    assert "所选的阵地不存在" in str(e.value.errors["venue_ids"])
    app = to_review(VentureApplication.get_by_id(app.id), ctx.user)
    app = change_status(app, "selected", ctx.user, DAY, amount_granted=Decimal("25000"))
    project = establish(app, ctx.user, DAY)
    assert sorted(link.venue_id for link in project.venue_links) == sorted([homes[0].id, homes[1].id])
    from models.references import references_to

    assert [label for label, _n, _name in references_to(homes[0])] == ["项目阵地", "申报阵地"]


def test_a_request_over_the_cap_is_refused(ctx, rnd):
    with pytest.raises(ValidationFailed) as e:
        apply(ctx, rnd, 1, "45000")
    assert "超过本轮单个项目资助上限" in str(e.value.errors["amount_requested"])


def test_criteria_are_fixed_once_a_score_is_in(ctx, rnd):
    set_criteria(rnd, [("需求", 40), ("设计", 60)], ctx.user)
    with pytest.raises(ValidationFailed):
        set_criteria(rnd, [("需求", 40), ("需求", 60)], ctx.user)
    app = to_review(apply(ctx, rnd, 1), ctx.user)
    reviewer = save_reviewer(ReviewerData(round_id=rnd.id, name="周专家"), ctx.user)
    crit = criteria_of(rnd)
    assert set_scores(reviewer, {(app.id, crit[0].id): Decimal(90)}, ctx.user) == 1
    with pytest.raises(ValidationFailed) as e:
        set_criteria(rnd, [("需求", 50), ("设计", 50)], ctx.user)
    assert "已录入评分" in str(e.value.errors["criteria"])
    with pytest.raises(ValidationFailed):
        save_reviewer(ReviewerData(round_id=rnd.id, name="周专家"), ctx.user)  # the same name twice


def test_under_five_reviewers_the_mean_is_not_trimmed_and_partial_scores_do_not_count(ctx, rnd):
    set_criteria(rnd, [("需求", 40), ("设计", 60)], ctx.user)
    app = to_review(apply(ctx, rnd, 1), ctx.user)
    first, second = criteria_of(rnd)
    reviewers = [save_reviewer(ReviewerData(round_id=rnd.id, name=f"专家{i}"), ctx.user) for i in range(4)]
    # totals: (80·40 + 90·60) ÷ 100 = 86; 70; 100; the fourth scored one criterion only
    for reviewer, (a, b) in zip(reviewers[:3], ((80, 90), (70, 70), (100, 100)), strict=True):
        set_scores(reviewer, {(app.id, first.id): Decimal(a), (app.id, second.id): Decimal(b)}, ctx.user)
    set_scores(reviewers[3], {(app.id, first.id): Decimal(10)}, ctx.user)
    (row,) = ranking(rnd)
    assert row.score == Decimal("85.33") and not row.trimmed  # (86 + 70 + 100) ÷ 3
    assert row.missing == ["专家3"]


def test_the_proposal_passes_over_what_no_longer_fits_the_budget(ctx, rnd):
    set_criteria(rnd, [("总体", 1)], ctx.user)
    (crit,) = criteria_of(rnd)
    reviewer = save_reviewer(ReviewerData(round_id=rnd.id, name="周专家"), ctx.user)
    apps = [to_review(apply(ctx, rnd, n, amount), ctx.user)
            for n, amount in ((1, "40000"), (2, "40000"), (3, "30000"), (4, "20000"))]
    set_scores(reviewer, {(a.id, crit.id): Decimal(90 - i) for i, a in enumerate(apps)}, ctx.user)
    proposals = propose_selection(rnd)
    assert [(p.proposed, p.amount) for p in proposals] == [
        (True, Decimal("40000")), (True, Decimal("40000")), (False, Decimal("30000")),
        (True, Decimal("20000"))]
    assert proposals[2].reason == "超出剩余预算（余 20,000.00 元）"


def test_documents_are_kept_with_the_round_within_their_limit(ctx, rnd):
    add_attachment(rnd, "C:\\文件\\实施办法.txt", "一、资助对象".encode(), ctx.user)
    ((attachment_id, name, size, _at),) = attachments_of(rnd)
    assert (name, size) == ("实施办法.txt", len("一、资助对象".encode()))
    assert attachment_content(attachment_id) == ("实施办法.txt", "一、资助对象".encode())
    with pytest.raises(ValidationFailed) as e:
        add_attachment(rnd, "视频.mp4", b"\0" * (MAX_ATTACHMENT_BYTES + 1), ctx.user)
    assert "超过了 10 MB 的上限" in str(e.value.errors["file"])
    assert len(attachments_of(rnd)) == 1


def test_a_viewer_cannot_change_a_round(ctx, rnd):
    from models import auth

    admin = auth.create_first_admin("wangfang", "王芳", "admin-pass-1", "admin-pass-1")
    viewer = auth.create_user(admin, "chakan", "查看", "viewer", "viewer-pass-1")
    with pytest.raises(ValidationFailed) as e:
        save_round(RoundData.from_round(rnd), viewer, rnd, today=DAY)
    assert "查看员" in str(next(iter(e.value.errors.values())))
