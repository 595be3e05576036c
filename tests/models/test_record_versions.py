"""Two clerks editing the same record: the later save, based on an older version, is refused
naming who changed it and when; nothing either of them saved is lost."""

from __future__ import annotations

import dataclasses
import json

import pytest

from models import audit
from models.audit_listing import conflict_rows
from models.auth import create_user
from models.entities import AuditEntry, Organization, Person
from models.errors import StaleRecord
from models.organizations import OrganizationData, save_organization
from models.people import PersonData, save_person
from models.references import delete_unreferenced


@pytest.fixture
def clerk(user):
    return create_user(user, "lixia", "李霞", "clerk", "clerk-pass-2025", "clerk-pass-2025")


@pytest.fixture
def person(user):
    return save_person(PersonData(name="王秀英", phone="13800000001", notes="初次登记"), user)


def opened(record):
    """The record as a second window reads it when its form opens."""
    return type(record).get_by_id(record.id)


def test_a_record_starts_at_version_1_and_each_real_change_raises_it(person, user):
    assert Person.get_by_id(person.id).version == 1
    save_person(dataclasses.replace(PersonData.from_person(person), phone="13800000002"), user, person)
    assert person.version == 2 and Person.get_by_id(person.id).version == 2
    save_person(PersonData.from_person(person), user, person)  # nothing changed: nothing written
    assert Person.get_by_id(person.id).version == 2


def test_the_second_of_two_clerks_saving_the_same_record_is_refused_and_nothing_is_lost(
        person, user, clerk):
    mine, theirs = opened(person), opened(person)
    save_person(dataclasses.replace(PersonData.from_person(theirs), phone="13900000009"), clerk, theirs)

    typed = dataclasses.replace(PersonData.from_person(mine), notes="已转为骨干义工")
    with pytest.raises(StaleRecord) as refused:
        save_person(typed, user, mine)

    text = str(refused.value.message)
    assert "李霞" in text and "王秀英" in text and "没有保存" in text
    assert f"{AuditEntry.select().order_by(AuditEntry.id.desc()).first().at:%Y-%m-%d %H:%M}" in text
    stored = Person.get_by_id(person.id)
    assert (stored.phone, stored.notes, stored.version) == ("13900000009", "初次登记", 2)
    assert mine.notes == "初次登记" and mine.version == 1  # the form's record is as it read it
    rows = {r.field: r for r in conflict_rows(refused.value)}
    assert (rows["phone"].read, rows["phone"].theirs, rows["phone"].mine) == (
        "13800000001", "13900000009", "13800000001")
    assert rows["phone"].they_changed and not rows["phone"].i_changed
    assert (rows["notes"].theirs, rows["notes"].mine) == ("初次登记", "已转为骨干义工")

    # The clerk compared and keeps her input: a deliberate overwrite of the newer version.
    refused.value.rebase()
    save_person(typed, user, mine)
    stored = Person.get_by_id(person.id)
    assert (stored.notes, stored.version) == ("已转为骨干义工", 3)
    assert stored.phone == "13800000001"  # what the form showed her, which she chose to keep
    updates = [json.loads(e.changes) for e in AuditEntry.select().where(
        (AuditEntry.entity == "person") & (AuditEntry.entity_id == person.id)
        & (AuditEntry.action == "update")).order_by(AuditEntry.id)]
    assert updates == [{"phone": ["13800000001", "13900000009"]},
                       {"notes": ["初次登记", "已转为骨干义工"],
                        "phone": ["13900000009", "13800000001"]}]


def test_a_save_of_a_record_deleted_meanwhile_is_refused(user, clerk):
    org = save_organization(OrganizationData(name="爱心妈妈团", kind="grassroots"), user)
    mine = opened(org)
    delete_unreferenced(opened(org), clerk)
    with pytest.raises(StaleRecord) as refused:
        save_organization(OrganizationData(name="爱心妈妈团", kind="grassroots", contact_person="周敏"),
                          user, mine)
    assert "李霞" in str(refused.value.message) and "删除" in str(refused.value.message)
    assert refused.value.current is None
    assert Organization.get_or_none(Organization.id == org.id) is None


def test_deleting_a_record_someone_changed_since_it_was_read_is_refused(person, user, clerk):
    mine = opened(person)
    audit.update(opened(person), clerk, phone="13900000009")
    with pytest.raises(StaleRecord) as refused:
        delete_unreferenced(mine, user)
    assert "没有删除" in str(refused.value.message) and "李霞" in str(refused.value.message)
    assert Person.get_by_id(person.id).phone == "13900000009"


def test_archiving_from_an_old_copy_is_refused(person, user, clerk):
    mine = opened(person)
    audit.update(opened(person), clerk, notes="电话已核实")
    with pytest.raises(StaleRecord):
        audit.archive(mine, user, "已迁出")
    stored = Person.get_by_id(person.id)
    assert not stored.archived and stored.notes == "电话已核实"


def test_rows_belonging_to_a_record_are_guarded_by_its_version(user, clerk):
    """Two clerks changing an organization's service areas (no field of its own changed): the
    second is refused, and the first one's areas stand."""
    org = save_organization(OrganizationData(name="爱心妈妈团", service_area_ids=[1]), user)
    mine, theirs = opened(org), opened(org)
    save_organization(OrganizationData(name="爱心妈妈团", service_area_ids=[1, 2]), clerk, theirs)
    with pytest.raises(StaleRecord) as refused:
        save_organization(OrganizationData(name="爱心妈妈团", service_area_ids=[3]), user, mine)
    assert "李霞" in str(refused.value.message)
    from models.entities import OrganizationServiceArea as Link

    areas = sorted(a for (a,) in Link.select(Link.service_area).where(Link.organization == org.id).tuples())
    assert areas == [1, 2] and Organization.get_by_id(org.id).version == 2
