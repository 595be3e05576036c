"""Merging two people (or organizations): every reference moves, conflicts are joined, and an
undo puts every table back exactly as it was; an undo that something later depends on is refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from models import audit, crypto
from models.archiving import restore_record
from models.audit_listing import entry_changes
from models.db import database
from models.entities import (
    Activity,
    AuditEntry,
    Booking,
    Certificate,
    Membership,
    MergeRecord,
    Organization,
    OrganizationServiceArea,
    Person,
    Project,
    ServiceArea,
    ServiceRecord,
    Team,
    TeamAssignment,
    Training,
    TrainingAttendance,
    User,
    Venue,
)
from models.errors import ValidationFailed
from models.merge import MergeRefused, kept_of, merge, plan_merge, undo_merge
from models.permissions import PermissionDenied
from models.validators import id_check_char, mask_id_number


def resident_id(birth: str, serial: str) -> str:
    first17 = "320102" + birth + serial
    return first17 + id_check_char(first17)


def tables() -> dict[str, list[tuple]]:
    """Every table's rows (audit trail excepted), in key order."""
    found = {}
    for table in sorted(database.get_tables()):
        if table in ("audit_entry", "jinguo_schema"):
            continue
        cursor = database.execute_sql(f'SELECT * FROM "{table}"')
        columns = [c[0] for c in cursor.description]
        # Encrypted values differ in every writing (a random nonce): compared decrypted.
        rows = [tuple(crypto.unseal(v, f"{table}.{c}") if crypto.is_encrypted(v) else v
                      for c, v in zip(columns, row)) for row in cursor.fetchall()]
        found[table] = sorted(rows, key=repr)
    return found


@pytest.fixture
def pair(user, county):
    """Two records of one woman, each with references of every kind, some of them clashing."""
    east = county["east"]
    keep = audit.create(Person, user, name="周小红", id_number=resident_id("19800202", "046"),
                        birth_date=dt.date(1980, 2, 2), sex="F", region=east, is_volunteer=True)
    drop = audit.create(Person, user, name="周小紅", phone="13911112222", birth_date=dt.date(1980, 2, 2),
                        is_cadre=True, notes="旧表")
    org = audit.create(Organization, user, name="东关妇女互助会", kind="grassroots")
    other = audit.create(Organization, user, name="西湖巾帼志愿队", kind="grassroots")
    Membership.create(person=keep, organization=org, start_on=dt.date(2022, 5, 1))
    Membership.create(person=drop, organization=org, start_on=dt.date(2020, 3, 1), role="core")
    Membership.create(person=drop, organization=other, start_on=dt.date(2021, 1, 1))
    team = audit.create(Team, user, name="东关三工联动团队", region=east)
    TeamAssignment.create(team=team, person=drop, role="volunteer", start_on=dt.date(2023, 1, 1))
    activity = audit.create(Activity, user, title="敬老志愿服务", held_on=dt.date(2025, 3, 5))
    later = audit.create(Activity, user, title="环保宣传", held_on=dt.date(2025, 4, 5))
    ServiceRecord.create(person=keep, activity=activity, hours=Decimal("2.5"))
    ServiceRecord.create(person=drop, activity=activity, hours=Decimal("1.5"))
    ServiceRecord.create(person=drop, activity=later, hours=Decimal("3"))
    training = audit.create(Training, user, topic="社工实务", held_on=dt.date(2025, 6, 1))
    TrainingAttendance.create(training=training, person=keep)
    TrainingAttendance.create(training=training, person=drop, organization=org)
    venue = audit.create(Venue, user, name="东关妇女之家", level="village", kind="women_children_home",
                         manager=drop)
    Booking.create(venue=venue, person=drop, starts_at=dt.datetime(2025, 7, 1, 9),
                   ends_at=dt.datetime(2025, 7, 1, 11))
    Certificate.create(number="ZY2025-0001", year=2025, serial=1, person=drop,
                       period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 12, 31),
                       hours=Decimal("4.5"), issued_on=dt.date(2025, 12, 31))
    return {"keep": keep, "drop": drop, "org": org, "other": other, "activity": activity,
            "training": training, "venue": venue}


def test_merge_moves_every_reference_and_joins_conflicts(pair, user):
    keep, drop = pair["keep"], pair["drop"]
    plan = plan_merge("people", keep.id, drop.id)
    assert plan.choices["phone"] == "dropped" and plan.choices["name"] == "kept"
    assert any("志愿服务记录：2 条" in line and "合并为一条" in line for line in plan.preview_lines())
    hours_before = sum(r.hours for r in ServiceRecord.select())
    record = merge("people", keep.id, drop.id, user)
    keep, drop = Person.get_by_id(keep.id), Person.get_by_id(drop.id)
    assert keep.phone == "13911112222" and keep.is_cadre and keep.is_volunteer
    assert drop.archived and drop.merged_into_id == keep.id and "已合并" in drop.archived_reason
    assert keep.version == 2 and drop.version == 2
    memberships = list(Membership.select().order_by(Membership.organization))
    assert [(m.person_id, m.organization_id, m.start_on) for m in memberships] == [
        (keep.id, pair["org"].id, dt.date(2020, 3, 1)), (keep.id, pair["other"].id, dt.date(2021, 1, 1))]
    assert TeamAssignment.get().person_id == keep.id
    assert sum(r.hours for r in ServiceRecord.select()) == hours_before
    assert ServiceRecord.get(ServiceRecord.activity == pair["activity"]).hours == Decimal("4.0")
    attendance = list(TrainingAttendance.select())
    assert len(attendance) == 1 and attendance[0].person_id == keep.id
    assert attendance[0].organization_id == pair["org"].id
    assert Venue.get_by_id(pair["venue"].id).manager_id == keep.id
    assert Booking.get().person_id == keep.id and Certificate.get().person_id == keep.id
    entry = AuditEntry.get((AuditEntry.action == "merge") & (AuditEntry.entity_id == keep.id))
    shown = {c.field: c for c in entry_changes(entry)}
    assert shown["merge_id"].new == str(record.id)
    assert "姓名：周小紅" in shown["dropped"].old and "已归档：是" in shown["dropped"].new
    assert mask_id_number(keep.id_number) in shown["kept"].new and keep.id_number not in shown["kept"].new
    assert keep.id_number in {c.field: c for c in entry_changes(entry, full_ids=True)}["kept"].new
    assert "志愿服务记录" in shown["moved"].new and "培训出勤" in shown["moved"].new
    assert kept_of("people", drop.id) == keep.id
    assert record.kind == "people" and record.dropped_id == drop.id


def test_merge_then_undo_returns_every_table_to_its_state(pair, user):
    before = tables()
    audit_before = AuditEntry.select().count()
    record = merge("people", pair["keep"].id, pair["drop"].id, user,
                   choices={"name": "dropped", "id_number": "kept"})
    assert tables() != before
    undone = undo_merge(record.id, user)
    after = tables()
    after.pop("merge_record")
    expected = dict(before)
    expected.pop("merge_record")
    assert after == expected
    assert undone.undone_at is not None
    actions = [a for (a,) in AuditEntry.select(AuditEntry.action).where(AuditEntry.id > 0)
               .order_by(AuditEntry.id).tuples()][audit_before:]
    assert actions == ["merge", "unmerge"]
    with pytest.raises(MergeRefused, match="撤销过了"):
        undo_merge(record.id, user)


def test_the_kept_record_takes_the_dropped_ones_id(pair, user):
    keep, drop = pair["keep"], pair["drop"]
    number = keep.id_number
    before = tables()
    # The other way round: the record without an ID is kept and takes the ID.
    record = merge("people", drop.id, keep.id, user, choices={"id_number": "dropped"})
    assert Person.get_by_id(drop.id).id_number == number
    assert Person.get_by_id(keep.id).id_number is None
    assert [p.id for p in Person.select().where(Person.id_number_is(number))] == [drop.id]  # found by it
    undo_merge(record.id, user)
    assert [p.id for p in Person.select().where(Person.id_number_is(number))] == [keep.id]
    after = tables()
    assert {k: v for k, v in after.items() if k != "merge_record"} == {
        k: v for k, v in before.items() if k != "merge_record"}


def test_a_merged_record_is_not_restored_on_its_own(pair, user):
    merge("people", pair["keep"].id, pair["drop"].id, user)
    with pytest.raises(ValidationFailed, match="撤销那次合并"):
        restore_record(Person.get_by_id(pair["drop"].id), user, "弄错了")


def test_undo_is_refused_when_something_later_depends_on_it(pair, user):
    record = merge("people", pair["keep"].id, pair["drop"].id, user)
    keep = Person.get_by_id(pair["keep"].id)
    audit.update(keep, user, phone="13700000000")
    with pytest.raises(MergeRefused, match="保留的记录“周小红”在合并之后又被修改过"):
        undo_merge(record.id, user)
    assert MergeRecord.get_by_id(record.id).undone_at is None
    assert Person.get_by_id(pair["drop"].id).archived


def test_a_stale_merge_is_refused_and_writes_nothing(pair, user):
    keep = pair["keep"]
    audit.update(Person.get_by_id(keep.id), user, notes="刚改过")
    before = tables()
    with pytest.raises(MergeRefused, match="刚被其他操作员修改过"):
        merge("people", keep.id, pair["drop"].id, user, versions=(keep.version, pair["drop"].version))
    assert tables() == before


def test_roles_and_refusals(pair, user):
    viewer = User.create(username="viewer1", role="viewer")
    with pytest.raises(PermissionDenied):
        merge("people", pair["keep"].id, pair["drop"].id, viewer)
    with pytest.raises(MergeRefused, match="自己合并"):
        merge("people", pair["keep"].id, pair["keep"].id, user)
    clerk = User.create(username="clerk1", role="clerk")
    record = merge("people", pair["keep"].id, pair["drop"].id, clerk)
    with pytest.raises(MergeRefused, match="已经合并到"):
        merge("people", pair["keep"].id, pair["drop"].id, clerk)
    undo_merge(record.id, clerk)


def test_organizations_merge_and_undo(pair, user, county):
    org, other = pair["org"], pair["other"]
    area, second = ServiceArea.select().order_by(ServiceArea.id).limit(2)
    OrganizationServiceArea.create(organization=org, service_area=area)
    OrganizationServiceArea.create(organization=other, service_area=area)
    OrganizationServiceArea.create(organization=other, service_area=second)
    Project.create(name="巾帼助老", source="venture", year=2025, organization=other)
    Membership.create(person=pair["keep"], organization=other, start_on=dt.date(2019, 1, 1))
    before = tables()
    record = merge("orgs", org.id, other.id, user, choices={"name": "dropped"})
    kept = Organization.get_by_id(org.id)
    assert kept.name == "西湖巾帼志愿队"
    assert Organization.get_by_id(other.id).name.startswith("西湖巾帼志愿队（已合并到编号")
    assert Project.get().organization_id == org.id
    assert sorted(a.service_area_id for a in OrganizationServiceArea.select()) == sorted([area.id, second.id])
    undo_merge(record.id, user)
    after = tables()
    assert {k: v for k, v in after.items() if k != "merge_record"} == {
        k: v for k, v in before.items() if k != "merge_record"}


def test_a_group_merged_into_its_registered_self_becomes_registered(user, make_credit_code):
    group = audit.create(Organization, user, name="东关巾帼志愿服务队（筹）", kind="grassroots",
                         contact_person="王芳")
    registered = audit.create(Organization, user, name="东关巾帼志愿服务队", kind="registered",
                              legal_form="social_group", credit_code=make_credit_code(7),
                              registered_on=dt.date(2024, 6, 1))
    merge("orgs", group.id, registered.id, user)
    kept = Organization.get_by_id(group.id)
    assert (kept.kind, kept.legal_form) == ("registered", "social_group")
    assert kept.credit_code == make_credit_code(7)
    assert kept.registered_on == dt.date(2024, 6, 1) and kept.contact_person == "王芳"
    assert Organization.get_by_id(registered.id).credit_code is None
    other = audit.create(Organization, user, name="西湖妇女互助会", kind="registered",
                         legal_form="social_group", credit_code=make_credit_code(8))
    lone = audit.create(Organization, user, name="西湖妇女互助会筹备组", kind="grassroots")
    with pytest.raises(ValidationFailed, match="相互矛盾"):  # a grassroots group with a credit code
        merge("orgs", lone.id, other.id, user, choices={"kind": "kept"})
    assert not Organization.get_by_id(other.id).archived


def test_two_applications_of_one_title_to_one_round_stop_an_organizations_merge(pair, user):
    from models.venture_entities import VentureApplication, VentureRound

    org, other = pair["org"], pair["other"]
    round_ = VentureRound.create(name="2026 年公益创投", source="venture", year=2026, budget=100000)
    for owner, title in ((org, "巾帼助老"), (other, "巾帼助老"), (other, "亲子阅读")):
        VentureApplication.create(round=round_, organization=owner, title=title, amount_requested=5000)
    before = tables()
    with pytest.raises(MergeRefused, match="两条记录各有一条相同的创投申报（“巾帼助老”"):
        merge("orgs", org.id, other.id, user)
    assert tables() == before
    VentureApplication.update(title="巾帼助老（二）").where(VentureApplication.organization == other).where(
        VentureApplication.title == "巾帼助老").execute()
    merge("orgs", org.id, other.id, user)
    assert VentureApplication.select().where(VentureApplication.organization == org).count() == 3
