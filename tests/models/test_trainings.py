"""Trainings and their attendance, with the organization each attendee came from."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from models.entities import AuditEntry, Membership, Person, Training, TrainingAttendance
from models.errors import ValidationFailed
from models.training_listing import TrainingFilter, TrainingListing
from models.trainings import TrainingData, default_organization, save_training

TODAY = dt.date(2025, 6, 15)


@pytest.fixture
def people(ctx):
    return [Person.create(name=name) for name in ("王芳", "李娜", "张敏")]


def test_topic_and_date_required_hours_checked(user):
    data = TrainingData(topic="", held_on=None, hours="25")
    with pytest.raises(ValidationFailed) as caught:
        save_training(data, user, today=TODAY)
    assert set(caught.value.errors) == {"topic", "held_on", "hours"}
    assert Training.select().count() == 0


def test_default_organization_only_when_exactly_one_active_membership(ctx, make_org, people):
    a, b = make_org("甲会"), make_org("乙会")
    Membership.create(person=people[0], organization=a)
    Membership.create(person=people[0], organization=b, end_on=dt.date(2020, 1, 1))
    Membership.create(person=people[1], organization=a)
    Membership.create(person=people[1], organization=b)
    assert default_organization(people[0].id, TODAY) == a.id
    assert default_organization(people[1].id, TODAY) is None
    assert default_organization(people[2].id, TODAY) is None


def test_attendance_saved_replaced_and_audited(user, make_org, people):
    org = make_org("甲会")
    data = TrainingData(topic="社工实务督导", held_on=TODAY, kind="supervision", hours="3",
                        attendees={people[0].id: org.id, people[1].id: None})
    training = save_training(data, user, today=TODAY)
    rows = {a.person_id: a.organization_id for a in TrainingAttendance.select()}
    assert rows == {people[0].id: org.id, people[1].id: None}
    assert Training.get_by_id(training.id).hours == Decimal("3")
    data = TrainingData.from_training(training)
    assert data.hours == "3.0"
    data.attendees = {people[1].id: org.id, people[2].id: None}
    save_training(data, user, training, today=TODAY)
    rows = {a.person_id: a.organization_id for a in TrainingAttendance.select()}
    assert rows == {people[1].id: org.id, people[2].id: None}
    change = AuditEntry.select().where((AuditEntry.entity == "training") & (AuditEntry.action == "update")
                                       ).order_by(AuditEntry.id.desc()).first()
    before, after = json.loads(change.changes)["attendance"]
    assert before == {str(people[0].id): org.id, str(people[1].id): None}
    assert after == {str(people[1].id): org.id, str(people[2].id): None}


def test_listing_counts_attendance_in_sql(user, people):
    save_training(TrainingData(topic="家庭教育指导", held_on=TODAY,
                               attendees={p.id: None for p in people}), user, today=TODAY)
    save_training(TrainingData(topic="志愿者交流", held_on=dt.date(2024, 5, 1), kind="exchange"),
                  user, today=TODAY)
    listing = TrainingListing()
    rows = listing.fetch(TrainingFilter(), "attended", True, 0, 10)
    assert [(r.values[1], r.values[2], r.values[-1]) for r in rows] == [
        ("家庭教育指导", "培训", 3), ("志愿者交流", "交流", 0)]
    assert listing.count(TrainingFilter(year=2024)) == 1
    assert listing.count(TrainingFilter(kind="supervision")) == 0
