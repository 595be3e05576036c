"""The demo county: deterministic, and every row keeps the domain's rules."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from itertools import pairwise

import pytest

from desktop.database import open_database
from desktop.demo import COUNTY_CODE, DemoError, fill_demo
from models.choices import (
    INCUBATION_STAGES,
    LEGAL_FORMS,
    PROJECT_SOURCES,
    PROJECT_STATUSES,
    SOCIAL_WORKER_LEVELS,
    TRAINING_KINDS,
    VENUE_KINDS,
    VENUE_LEVELS,
)
from models.entities import (
    Activity,
    AuditEntry,
    Booking,
    Membership,
    Organization,
    OrganizationServiceArea,
    OrganizationStage,
    Person,
    Project,
    ProjectVenue,
    Region,
    ServiceArea,
    ServiceRecord,
    Team,
    TeamAssignment,
    Training,
    TrainingAttendance,
    Venue,
)
from models.rules import check_stage_transition, incubation_overdue, spans_overlap, team_status
from models.validators import check_credit_code, check_id_number
from models.venture_entities import VentureApplication, VentureRound

TODAY = dt.date(2025, 11, 20)
PEOPLE = 600

MODELS = {
    "regions": Region,
    "organizations": Organization,
    "organization_stages": OrganizationStage,
    "organization_service_areas": OrganizationServiceArea,
    "people": Person,
    "memberships": Membership,
    "teams": Team,
    "team_assignments": TeamAssignment,
    "venues": Venue,
    "bookings": Booking,
    "projects": Project,
    "project_venues": ProjectVenue,
    "activities": Activity,
    "service_records": ServiceRecord,
    "trainings": Training,
    "training_attendance": TrainingAttendance,
    "venture_rounds": VentureRound,
    "venture_applications": VentureApplication,
}


@pytest.fixture
def counts(ctx) -> dict[str, int]:
    return fill_demo(PEOPLE, seed=7, today=TODAY)


def test_counts_returned_are_the_rows_written(counts, ctx):
    assert counts == {key: model.select().count() for key, model in MODELS.items()}
    assert counts["people"] == PEOPLE
    assert counts["organizations"] == 40
    assert counts["activities"] == PEOPLE // 10
    assert abs(counts["service_records"] - 1.5 * PEOPLE) <= 0.1 * PEOPLE
    entry = AuditEntry.get(AuditEntry.entity == "demo")
    assert entry.user == ctx.user and entry.action == "create"
    assert entry.summary.startswith("演示数据：") and f"人员 {PEOPLE}" in entry.summary


def _dump() -> dict[str, list[tuple]]:
    """Every demo table, in id order (the audit line carries the real time, so it is left out;
    the keyed hashes depend on each database's own key, so they are left out too)."""
    keyed = {"id_hash", "phone_hash"}
    return {key: list(model.select(*(f for f in model._meta.sorted_fields if f.name not in keyed))
                      .order_by(model._meta.primary_key).tuples())
            for key, model in MODELS.items()}


def test_demo_numbers_are_stored_encrypted_and_found_by_the_whole_number(counts):
    """What the demo writes in bulk is stored like what a form saves: the ID number and phone
    encrypted, found by the whole number on the People page, the organizations' phones readable."""
    from models.db import database
    from models.person_listing import PersonFilter, PersonListing

    person = Person.select().where(Person.id_number.is_null(False) & (Person.phone != "")
                                   & ~Person.archived).order_by(Person.id).first()
    stored = database.execute_sql("SELECT id_number, phone FROM person WHERE id = "
                                  f"{database.param}", (person.id,)).fetchone()
    assert all(value.startswith("e1:") for value in stored)
    assert person.id_number not in stored and person.phone not in stored
    listing = PersonListing()
    for typed in (person.id_number, person.phone):
        found = [row.id for row in listing.fetch(PersonFilter(text=typed), None, False, 0, 50)]
        assert found == [person.id], typed
    phones = [o.contact_phone for o in Organization.select() if o.contact_phone]
    assert phones and all(re.fullmatch(r"[0-9-]+", p) for p in phones)


def test_same_seed_and_day_give_the_same_rows(tmp_path):
    dumps = []
    for name, seed in (("a.db", 11), ("b.db", 11), ("c.db", 12)):
        db = open_database(tmp_path / name)
        try:
            fill_demo(300, seed=seed, today=TODAY)
            dumps.append(_dump())
        finally:
            db.close()
    assert dumps[0] == dumps[1]
    assert dumps[0]["people"] != dumps[2]["people"]


def test_people_have_valid_ids_phones_and_roles(counts):
    people = list(Person.select())
    assert len({p.name for p in people}) > PEOPLE * 0.8
    for person in people:
        assert re.fullmatch(r"[\u4e00-\u9fff]{2,4}", person.name)
        assert person.sex in ("F", "M")
        if person.id_number:
            parsed = check_id_number(person.id_number, today=TODAY)
            assert parsed.number == person.id_number
            assert person.id_number.startswith(COUNTY_CODE)
            assert (parsed.birth_date, parsed.sex) == (person.birth_date, person.sex)
            assert dt.date(1950, 1, 1) <= person.birth_date <= dt.date(2006, 12, 31)
        if person.phone:
            assert re.fullmatch(r"1[3-9]\d{9}", person.phone)
        assert person.region.level == "township"
        assert (person.social_worker_level is not None) == person.is_social_worker
    women = sum(p.sex == "F" for p in people)
    assert 0.78 * PEOPLE < women < 0.92 * PEOPLE
    assert sum(p.is_volunteer for p in people) > PEOPLE / 2
    assert any(p.id_number is None for p in people) and any(not p.phone for p in people)
    assert any(p.is_cadre and p.cadre_title == "妇联执委" for p in people)
    assert {p.social_worker_level for p in people if p.is_social_worker} <= set(
        SOCIAL_WORKER_LEVELS.codes())
    assert any(p.archived and p.archived_reason for p in people)


def test_regions_form_one_county(counts):
    county = Region.get(Region.level == "county")
    assert county.code == COUNTY_CODE
    townships = list(county.children)
    assert len(townships) == 10
    for town in townships:
        assert town.name.endswith(("镇", "街道"))
        villages = list(town.children)
        assert 4 <= len(villages) <= 8
        assert all(v.name.endswith(("村", "社区")) and v.code.startswith(town.code)
                   for v in villages)


def test_organizations_codes_stages_and_areas(counts):
    orgs = list(Organization.select())
    assert len({o.name for o in orgs}) == len(orgs)
    for org in orgs:
        if org.kind == "grassroots":
            assert org.credit_code is None and org.legal_form is None
        else:
            assert check_credit_code(org.credit_code) == org.credit_code
            prefix = "5" + str(LEGAL_FORMS.index(org.legal_form) + 1)
            assert org.credit_code.startswith(prefix + COUNTY_CODE)
            assert org.registered_on is not None
        assert org.region.level in ("township", "village")
        assert org.contact_person and org.founded_on <= TODAY
    assert {o.legal_form for o in orgs} == {None, *LEGAL_FORMS.codes()}
    assert {o.incubation_stage for o in orgs} == {None, *INCUBATION_STAGES.codes()}
    assert any(o.archived and o.archived_reason and o.archived_on for o in orgs)
    assert any(o.alliance_member and o.alliance_joined_on for o in orgs)
    assert any(o.group_member and o.group_member_since for o in orgs)

    history = defaultdict(list)
    for row in OrganizationStage.select().order_by(OrganizationStage.entered_on):
        history[row.organization_id].append(row)
    overdue = 0
    for org in orgs:
        rows = history.get(org.id, [])
        if org.incubation_stage is None:
            assert rows == []
            continue
        stage = since = None
        for row in rows:
            assert check_stage_transition(stage, since, row.stage, row.entered_on, row.note,
                                          today=TODAY) is None
            if since is not None:
                assert row.entered_on > since
            stage, since = row.stage, row.entered_on
        assert (stage, since) == (org.incubation_stage, org.stage_since)
        overdue += incubation_overdue(org.incubation_stage, rows[0].entered_on, TODAY)
    assert overdue >= 3

    links = defaultdict(set)
    for link in OrganizationServiceArea.select():
        links[link.organization_id].add(link.service_area_id)
    assert all(1 <= len(links[o.id]) <= 3 for o in orgs)
    assert set().union(*links.values()) == {a.id for a in ServiceArea.select()}


def test_memberships_start_after_founding(counts):
    founded = dict(Organization.select(Organization.id, Organization.founded_on).tuples())
    roles = set()
    for m in Membership.select():
        roles.add(m.role)
        assert founded[m.organization_id] <= m.start_on <= TODAY
        assert m.end_on is None or m.start_on <= m.end_on <= TODAY
    assert roles == {"leader", "core", "member"}
    assert Membership.select().where(Membership.end_on.is_null(False)).exists()


def test_teams_mostly_complete_and_one_township_without_a_social_worker(counts):
    by_team = defaultdict(list)
    for a in TeamAssignment.select():
        by_team[a.team_id].append(a)
    statuses = {team: team_status(by_team[team.id], TODAY) for team in Team.select()}
    complete = [t for t, s in statuses.items() if s.complete]
    assert len(complete) > len(statuses) / 2
    assert any("social_worker" in s.missing for s in statuses.values())
    towns = defaultdict(list)
    for team, status in statuses.items():
        assert 1 <= len(by_team[team.id])
        towns[team.region_id].append(status)
    assert len(towns) == 10 and all(1 <= len(s) <= 3 for s in towns.values())
    assert any(all("social_worker" in s.missing for s in found) for found in towns.values())


def test_venues_and_bookings(counts):
    venues = list(Venue.select())
    assert {v.level for v in venues} == set(VENUE_LEVELS.codes())
    assert {v.kind for v in venues} == set(VENUE_KINDS.codes())
    assert all(v.manager_id and v.address and v.capacity > 0 for v in venues)
    by_venue = defaultdict(list)
    bookings = list(Booking.select())
    for b in bookings:
        assert b.ends_at > b.starts_at
        assert b.organization_id or b.team_id
        if not b.cancelled:
            by_venue[b.venue_id].append(b)
    for spans in by_venue.values():
        spans.sort(key=lambda b: b.starts_at)
        for before, after in pairwise(spans):
            assert not spans_overlap(before.starts_at, before.ends_at,
                                     after.starts_at, after.ends_at)
    now = dt.datetime.combine(TODAY, dt.time())
    assert any(b.starts_at > now for b in bookings) and any(b.starts_at < now for b in bookings)
    assert any(b.cancelled for b in bookings)


def test_projects_money_and_statuses(counts):
    projects = list(Project.select())
    assert {p.source for p in projects} == set(PROJECT_SOURCES.codes())
    assert {p.status for p in projects} == set(PROJECT_STATUSES.codes())
    for p in projects:
        assert TODAY.year - 3 <= p.year <= TODAY.year
        assert p.batch.startswith("第") or p.batch.endswith("创投")  # a round's winners: its name
        assert p.organization_id is not None
        assert isinstance(p.amount_applied, Decimal) and p.amount_applied > 0
        if p.status == "rejected":
            assert p.amount_granted in (None, Decimal(0))
        elif p.amount_granted is not None:
            assert isinstance(p.amount_granted, Decimal)
            assert p.amount_granted <= p.amount_applied
        assert p.amount_applied == p.amount_applied.quantize(Decimal("0.01"))
        assert p.planned_served > 0
    assert any(p.team_id for p in projects)
    assert ProjectVenue.select().exists()


def test_activities_hours_and_trainings(counts):
    for a in Activity.select():
        assert a.held_on <= TODAY and a.venue_id
        assert a.organization_id or a.team_id or a.project_id
        assert a.people_served >= a.participants > 0
    hours = [r.hours for r in ServiceRecord.select()]
    assert all(Decimal("0.5") <= h <= 8 and h * 2 == int(h * 2) for h in hours)
    assert {t.kind for t in Training.select()} == set(TRAINING_KINDS.codes())
    members = set(Membership.select(Membership.person, Membership.organization).tuples())
    attendance = list(TrainingAttendance.select())
    assert attendance and any(a.organization_id for a in attendance)
    for a in attendance:
        assert a.organization_id is None or (a.person_id, a.organization_id) in members


def test_a_filled_database_is_refused_and_left_alone(counts):
    with pytest.raises(DemoError) as raised:
        fill_demo(PEOPLE, seed=8, today=TODAY)
    assert "已有数据" in str(raised.value.message)
    assert Person.select().count() == PEOPLE
    assert AuditEntry.select().where(AuditEntry.entity == "demo").count() == 1


def test_too_few_people_is_refused(ctx):
    with pytest.raises(DemoError):
        fill_demo(10, today=TODAY)
    assert not Person.select().exists()


def test_progress_is_reported_in_chinese(ctx):
    messages: list[str] = []
    fill_demo(200, today=TODAY, progress=messages.append)
    assert "正在生成人员…" in messages and len(messages) >= 5


def test_runs_without_qt():
    code = ("import sys, desktop.demo; "
            "sys.exit(any(m.split('.')[0] == 'PySide6' for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0


def test_a_finished_micro_venture_round_and_a_venture_round_in_progress(counts):
    from models.venture_entities import ClosingEvaluation, Reviewer, ReviewScore, SupervisionVisit
    from models.venture_report import round_report
    from models.venture_review import ranking
    from models.venture_schedule import behind_schedule

    micro, venture = VentureRound.select().order_by(VentureRound.id)
    assert (micro.source, micro.year, micro.budget) == ("micro_venture", TODAY.year - 1, Decimal("300000"))
    report = round_report(micro)
    assert (report.total.applications, report.total.winners) == (48, 12)
    assert report.total.granted <= micro.budget and report.reviewers == 5
    assert ReviewScore.select().join(Reviewer).where(Reviewer.round == micro).count() == 44 * 5 * 5
    assert any(r.conflicts for r in ranking(micro))  # the federation's own reviewer is a member somewhere
    winners = [a.project for a in VentureApplication.select().where(
        (VentureApplication.round == micro) & VentureApplication.project.is_null(False))]
    assert len(winners) == 12 and all(p.status == "closed" for p in winners)
    assert ClosingEvaluation.select().count() == 12
    assert SupervisionVisit.select().count() > 24
    running = [a.project for a in VentureApplication.select().where(
        (VentureApplication.round == venture) & VentureApplication.project.is_null(False))]
    assert running and all(p.status in ("approved", "in_progress") for p in running)
    assert Decimal(sum(p.amount_granted for p in running)) <= venture.budget
    assert {b.project_id for b in behind_schedule(TODAY)} <= {p.id for p in running}
