"""Domain rules: stage transitions, the 12-month incubation limit, team completeness, overlaps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.choices import INCUBATION_STAGES
from models.rules import (
    add_months,
    check_span,
    check_stage_transition,
    first_overlap,
    incubation_overdue,
    spans_overlap,
    team_status,
)

CI = settings(max_examples=200, deadline=None)
TODAY = dt.date(2026, 11, 15)
STAGES = INCUBATION_STAGES.codes()


# --- stage transitions ------------------------------------------------------------


def transition(current, new, on=TODAY, since=dt.date(2026, 1, 1), note="", today=TODAY):
    return check_stage_transition(current, since if current else None, new, on, note, today)


def test_stage_order_is_the_domain_order():
    assert STAGES == ["sprouting", "startup", "developing", "graduated"]


@pytest.mark.parametrize("new", ["sprouting", "startup", "developing"])
def test_an_organization_may_enter_incubation_at_any_stage(new):
    assert transition(None, new) is None


@pytest.mark.parametrize(("current", "new"), list(product(STAGES[:-1], STAGES[:-1])))
def test_stages_only_move_forward(current, new):
    problem = transition(current, new)
    if STAGES.index(new) > STAGES.index(current):
        assert problem is None
    else:
        text = str(problem)
        assert "只能向前" in text
        assert INCUBATION_STAGES.label(current) in text and INCUBATION_STAGES.label(new) in text


def test_nothing_follows_graduation():
    for new in STAGES:
        assert transition("graduated", new, note="已出壳") is not None


def test_date_before_the_current_stage_date_is_refused():
    since = dt.date(2026, 5, 20)
    problem = transition("sprouting", "startup", on=dt.date(2026, 5, 19), since=since)
    assert "2026-05-20" in str(problem)
    assert transition("sprouting", "startup", on=since, since=since) is None


def test_future_date_is_refused_today_is_fine():
    problem = transition("sprouting", "startup", on=TODAY + dt.timedelta(days=1))
    assert "晚于今天" in str(problem)
    assert transition("sprouting", "startup", on=TODAY) is None


def test_a_date_is_required():
    assert "日期" in str(transition("sprouting", "startup", on=None))


def test_unknown_stage_is_refused():
    assert "未知" in str(transition("sprouting", "hatched"))


@pytest.mark.parametrize("note", ["", "   ", "\n"])
def test_graduation_needs_a_note(note):
    assert "出壳说明" in str(transition("developing", "graduated", note=note))


def test_graduation_with_a_note_passes():
    assert transition("developing", "graduated", note="已在民政局登记，独立运营") is None


# --- 12-month incubation ----------------------------------------------------------


@pytest.mark.parametrize(
    ("started", "last_fine_day"),
    [
        (dt.date(2025, 3, 10), dt.date(2026, 3, 10)),
        (dt.date(2024, 2, 29), dt.date(2025, 2, 28)),
        (dt.date(2025, 1, 31), dt.date(2026, 1, 31)),
        (dt.date(2025, 12, 31), dt.date(2026, 12, 31)),
    ],
)
def test_overdue_from_the_day_after_twelve_months(started, last_fine_day):
    for stage in ("sprouting", "startup", "developing"):
        assert not incubation_overdue(stage, started, today=last_fine_day)
        assert incubation_overdue(stage, started, today=last_fine_day + dt.timedelta(days=1))


def test_graduated_or_never_incubated_is_never_overdue():
    long_ago = dt.date(2015, 1, 1)
    assert not incubation_overdue("graduated", long_ago, today=TODAY)
    assert not incubation_overdue(None, long_ago, today=TODAY)
    assert not incubation_overdue("sprouting", None, today=TODAY)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2025, 1, 31), 1, dt.date(2025, 2, 28)),
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2025, 3, 31), 1, dt.date(2025, 4, 30)),
        (dt.date(2025, 8, 31), 1, dt.date(2025, 9, 30)),
        (dt.date(2024, 2, 29), 12, dt.date(2025, 2, 28)),
        (dt.date(2024, 2, 29), 48, dt.date(2028, 2, 29)),
        (dt.date(2025, 12, 15), 1, dt.date(2026, 1, 15)),
        (dt.date(2025, 11, 30), 3, dt.date(2026, 2, 28)),
        (dt.date(2025, 1, 15), -1, dt.date(2024, 12, 15)),
        (dt.date(2025, 5, 31), -3, dt.date(2025, 2, 28)),
        (dt.date(2025, 5, 31), 0, dt.date(2025, 5, 31)),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(day, months, expected):
    assert add_months(day, months) == expected


@CI
@given(st.dates(dt.date(1950, 1, 1), dt.date(2100, 12, 31)), st.integers(-240, 240))
def test_add_months_moves_exactly_n_calendar_months(day, months):
    result = add_months(day, months)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    assert result.day <= day.day
    if result.day < day.day:  # clamped: it is the last day of its month
        assert (result + dt.timedelta(days=1)).month != result.month


# --- team completeness ----------------------------------------------------------------


@dataclass
class Assignment:
    role: str
    start_on: dt.date | None = None
    end_on: dt.date | None = None


FULL = [Assignment("cadre"), Assignment("social_worker"), Assignment("volunteer")]


def test_team_with_all_three_roles_active_is_complete():
    status = team_status(FULL, today=TODAY)
    assert status.complete and status.missing == ()
    assert str(status.describe()) == "齐全"


def test_missing_roles_are_named_in_domain_order():
    status = team_status([Assignment("volunteer")], today=TODAY)
    assert not status.complete
    assert status.missing == ("cadre", "social_worker")
    assert str(status.describe()) == "缺妇工、社工"
    assert team_status([], today=TODAY).missing == ("cadre", "social_worker", "volunteer")


def test_ended_assignment_does_not_count_one_ending_today_does():
    yesterday = TODAY - dt.timedelta(days=1)
    ended = [*FULL[:2], Assignment("volunteer", dt.date(2025, 1, 1), yesterday)]
    assert team_status(ended, today=TODAY).missing == ("volunteer",)
    ending_today = [*FULL[:2], Assignment("volunteer", dt.date(2025, 1, 1), TODAY)]
    assert team_status(ending_today, today=TODAY).complete


def test_not_yet_started_assignment_does_not_count_one_starting_today_does():
    tomorrow = TODAY + dt.timedelta(days=1)
    future = [Assignment("cadre", tomorrow), *FULL[1:]]
    assert team_status(future, today=TODAY).missing == ("cadre",)
    assert team_status([Assignment("cadre", TODAY), *FULL[1:]], today=TODAY).complete


def test_two_people_in_one_role_do_not_fill_another():
    two_cadres = [Assignment("cadre"), Assignment("cadre"), Assignment("volunteer")]
    assert team_status(two_cadres, today=TODAY).missing == ("social_worker",)


# --- booking spans ------------------------------------------------------------------


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, 16, hour, minute)


@dataclass
class Span:
    starts_at: dt.datetime
    ends_at: dt.datetime


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        ((9, 11), (10, 12), True),
        ((9, 12), (10, 11), True),
        ((9, 11), (9, 11), True),
        ((9, 11), (8, 9), False),
        ((9, 11), (11, 12), False),
        ((9, 11), (13, 14), False),
    ],
)
def test_spans_overlap_half_open(a, b, overlap):
    assert spans_overlap(at(a[0]), at(a[1]), at(b[0]), at(b[1])) is overlap
    assert spans_overlap(at(b[0]), at(b[1]), at(a[0]), at(a[1])) is overlap


@CI
@given(
    st.tuples(st.integers(0, 30), st.integers(1, 10)),
    st.tuples(st.integers(0, 30), st.integers(1, 10)),
)
def test_spans_overlap_iff_they_share_a_minute(a, b):
    base = at(8)
    a_start, a_end = a[0], a[0] + a[1]
    b_start, b_end = b[0], b[0] + b[1]
    shared = set(range(a_start, a_end)) & set(range(b_start, b_end))
    minute = dt.timedelta(minutes=1)
    assert spans_overlap(
        base + a_start * minute, base + a_end * minute, base + b_start * minute, base + b_end * minute
    ) is bool(shared)


def test_first_overlap_returns_the_first_clash_in_order():
    morning, noon, afternoon = Span(at(9), at(11)), Span(at(11), at(13)), Span(at(12), at(15))
    assert first_overlap([morning, noon, afternoon], at(10), at(12, 30)) is morning
    assert first_overlap([morning, noon, afternoon], at(12, 30), at(14)) is noon
    assert first_overlap([morning], at(11), at(12)) is None
    assert first_overlap([], at(9), at(10)) is None


def test_check_span_needs_both_ends_and_a_positive_length():
    assert check_span(at(9), at(10)) is None
    assert "结束时间" in str(check_span(at(10), at(10)))
    assert "结束时间" in str(check_span(at(10), at(9)))
    assert check_span(None, at(9)) is not None
    assert check_span(at(9), None) is not None
