"""Indicator codes: every one ever issued is pinned here, so none disappears or comes back with
another meaning; every figure of the summary has one; the figures agree across the tables."""

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from desktop.demo import fill_demo
from models.entities import Region
from models.indicators import (
    DIMENSIONS,
    INDICATORS,
    KINDS,
    RETIRED,
    indicators_markdown,
    summary_figures,
)
from models.periods import Period
from models.summary import Column, Section, compute_summary, figure

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date(2025, 11, 20)

# Every code ever issued. A new indicator is added here too; a dropped one stays here and moves
# to RETIRED in models/indicators.py, so that it is never given to another figure.
ISSUED = {
    "org.count", "org.incubating.count", "org.incubating_overdue.count",
    "org.incubation_started.count", "org.stage_entered.count", "org.alliance_member.count",
    "org.alliance_joined.count", "org.group_member.count",
    "project.count", "project.amount_granted", "project.people_served",
    "venture.application.count", "venture.application.amount_requested", "venture.winner.count",
    "venture.winner.amount_granted",
    "team.count", "team.member.count", "team.with_social_worker.count",
    "venue.count", "activity.at_venue.count", "activity.at_venue.people_served",
    "person.volunteer.count", "activity.volunteer.count", "activity.service_record.count",
    "activity.volunteer_hours",
    "training.count", "training.attendance.count", "training.hours",
}
ISSUED_DIMENSIONS = {"township", "org_kind", "legal_form", "stage", "service_area", "source",
                     "completeness", "role", "venue_level", "venue_kind", "sex", "training_kind"}
CODE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")


def test_no_code_disappears_or_is_reused():
    codes = [i.code for i in INDICATORS]
    assert len(codes) == len(set(codes))
    assert not set(codes) & RETIRED, "a retired code is never given to a figure again"
    assert set(codes) | RETIRED == ISSUED, (
        "a new code is added to ISSUED; a code no longer produced moves to RETIRED, never removed")
    assert set(DIMENSIONS) == ISSUED_DIMENSIONS, "dimension keys are kept, like codes"


def test_codes_are_ascii_identifiers_with_known_kinds_and_dimensions():
    for i in INDICATORS:
        assert CODE.fullmatch(i.code), i.code
        assert i.kind in KINDS and i.title and i.unit, i.code
        assert set(i.dimensions) <= set(DIMENSIONS), i.code
    assert all(re.fullmatch(r"[a-z][a-z_]*", key) for key in DIMENSIONS)


def test_the_documented_list_is_the_table():
    doc = (ROOT / "docs" / "indicators.md").read_text(encoding="utf-8")
    assert doc == indicators_markdown(), "run: python tools/make_indicator_doc.py"
    for i in INDICATORS:
        assert f"| `{i.code}` |" in doc


@pytest.fixture
def demo(ctx):
    fill_demo(300, seed=4, today=TODAY)


def by_key(figures) -> dict:
    return {(f.indicator, f.disaggregation): f.value for f in figures}


def test_every_figure_has_an_indicator_and_every_indicator_its_breakdowns(demo):
    data = compute_summary(Period.for_year(2025), None, TODAY)
    for section in data.sections:
        assert len(section.keys) == len(section.rows), section.key
        assert all(c.indicator for c in section.columns[1:]), section.key
    figures = summary_figures(data.sections)
    assert len(by_key(figures)) == len(figures)
    used = {f.indicator for f in figures}
    assert used == {i.code for i in INDICATORS}
    for i in INDICATORS:  # the documented breakdowns are the ones given
        given = {key for f in figures if f.indicator == i.code for key, _label in f.disaggregation}
        assert given == set(i.dimensions), i.code
    for f in figures:
        kind = next(i.kind for i in INDICATORS if i.code == f.indicator)
        assert isinstance(f.value, Decimal if kind != "int" else int), f


def test_township_figures_add_up_and_match_the_township_summary(demo):
    county = by_key(summary_figures(compute_summary(Period.for_year(2025), None, TODAY).sections))
    by_township = [(code, where, value) for (code, where), value in county.items()
                   if len(where) == 1 and where[0][0] == "township"]
    codes = {code for code, _where, _value in by_township}
    assert len(codes) >= 10
    for code in codes:
        parts = sum(value for c, _where, value in by_township if c == code)
        assert parts == county[(code, ())], code
    east = Region.get(Region.name == "东关街道")
    own = by_key(summary_figures(compute_summary(Period.for_year(2025), east.id, TODAY).sections))
    for code in codes:
        assert own[(code, ())] == county[(code, (("township", "东关街道"),))], code
    assert not any(key == "township" for _code, where in own for key, _label in where)


def test_a_figure_shown_twice_with_two_values_is_a_bug_not_a_choice():
    columns = [Column("类别", "text"), figure("期末组织数", "org.count")]
    first = Section("a", "一", columns, [("草根", 3)], ("合计", 3), keys=[{"org_kind": "草根"}])
    second = Section("b", "二", columns, [], ("合计", 4))
    with pytest.raises(ValueError, match=r"org\.count"):
        summary_figures([first, second])
    agreeing = Section("b", "二", columns, [], ("合计", 3))
    assert [f.value for f in summary_figures([first, agreeing])] == [3, 3]
    wrong = Section("c", "三", [Column("类别", "text"), figure("团队数", "team.count")], [("x", 1)],
                    keys=[{"stage": "初创期"}])
    with pytest.raises(ValueError, match="not broken down by"):
        summary_figures([wrong])
