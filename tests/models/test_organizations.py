"""Registering, editing, advancing, archiving organizations; booking venues."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from models import audit
from models.archiving import archive_record, restore_record
from models.bookings import book_venue
from models.entities import (
    AuditEntry,
    Booking,
    Organization,
    OrganizationServiceArea,
    OrganizationStage,
    ServiceArea,
    Team,
    Venue,
)
from models.errors import ValidationFailed
from models.organizations import (
    OrganizationData,
    advance_stage,
    correct_stage_date,
    is_incubation_overdue,
    next_stages,
    save_organization,
)
from models.validators import credit_check_char

FUTURE = dt.date.today() + dt.timedelta(days=1)
PAST = dt.date(2024, 5, 1)
VALID_CODE = "51320000MJ1234567" + credit_check_char("51320000MJ1234567")


def counts() -> tuple[int, ...]:
    return tuple(
        m.select().count()
        for m in (Organization, AuditEntry, OrganizationStage, OrganizationServiceArea)
    )


def refused(data: OrganizationData, user, existing=None) -> dict[str, str]:
    """Save must fail and store nothing; returns the messages per field."""
    before = counts()
    snapshot = Organization.get_by_id(existing.id).__data__.copy() if existing else None
    with pytest.raises(ValidationFailed) as info:
        save_organization(data, user, existing)
    assert counts() == before
    if existing:
        assert Organization.get_by_id(existing.id).__data__ == snapshot
    return {key: str(message) for key, message in info.value.errors.items()}


def area_ids(*names: str) -> list[int]:
    return [ServiceArea.get(ServiceArea.name == n).id for n in names]


def links(org: Organization) -> set[int]:
    query = OrganizationServiceArea.select().where(OrganizationServiceArea.organization == org)
    return {link.service_area_id for link in query}


def audit_changes(org: Organization, action: str) -> list[dict]:
    query = (
        AuditEntry.select()
        .where((AuditEntry.entity == "organization") & (AuditEntry.entity_id == org.id)
               & (AuditEntry.action == action))
        .order_by(AuditEntry.id)
    )
    return [json.loads(e.changes) for e in query]


# --- validation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "keys"),
    [
        ({"name": ""}, {"name"}),
        ({"name": " \u3000 "}, {"name"}),
        ({"name": "长" * 101}, {"name"}),
        ({"kind": "company"}, {"kind"}),
        ({"kind": "registered", "legal_form": "social_group"}, {"credit_code"}),
        ({"kind": "registered", "credit_code": VALID_CODE}, {"legal_form"}),
        ({"contact_phone": "12345"}, {"contact_phone"}),
        ({"alliance_member": True}, {"alliance_joined_on"}),
        ({"group_member": True}, {"group_member_since"}),
        ({"founded_on": FUTURE}, {"founded_on"}),
        ({"alliance_member": True, "alliance_joined_on": FUTURE}, {"alliance_joined_on"}),
        ({"group_member": True, "group_member_since": FUTURE}, {"group_member_since"}),
        ({"region_id": 9999}, {"region_id"}),
        ({"initial_stage": "sprouting"}, {"initial_stage_on"}),
        ({"initial_stage": "sprouting", "initial_stage_on": FUTURE}, {"initial_stage_on"}),
        (
            {"name": "", "contact_phone": "abc", "alliance_member": True, "founded_on": FUTURE},
            {"name", "contact_phone", "alliance_joined_on", "founded_on"},
        ),
    ],
)
def test_invalid_input_is_refused_per_field_and_nothing_is_saved(fields, keys, user):
    data = OrganizationData(**{"name": "阳光妈妈互助会", **fields})
    errors = refused(data, user)
    assert set(errors) == keys
    assert all(errors.values())


def test_registered_with_a_future_registration_date_is_refused(user, make_credit_code):
    data = OrganizationData(name="北城社工服务中心", kind="registered", legal_form="service_org",
                            credit_code=make_credit_code(2), registered_on=FUTURE)
    assert set(refused(data, user)) == {"registered_on"}


def test_registered_with_a_wrong_check_char_is_refused(user, make_credit_code):
    code = make_credit_code(3)
    wrong = "0" if code[-1] != "0" else "1"
    data = OrganizationData(name="北城社工服务中心", kind="registered", legal_form="service_org",
                            credit_code=code[:-1] + wrong)
    assert "校验位" in refused(data, user)["credit_code"]


def test_grassroots_with_a_credit_code_is_refused(user, make_credit_code):
    data = OrganizationData(name="张庄广场舞队", credit_code=make_credit_code(4))
    assert "草根组织" in refused(data, user)["credit_code"]


def test_input_is_normalised_before_saving(user, make_credit_code):
    code = make_credit_code(5)
    org = save_organization(
        OrganizationData(
            name="  北城   社工\u3000服务中心 ", short_name=" 北城社工 ", kind="registered",
            legal_form="service_org", credit_code=" " + code.lower() + " ",
            contact_phone="+86 138-0013-8000", registered_on=PAST,
            alliance_member=False, alliance_joined_on=PAST,
        ),
        user,
    )
    stored = Organization.get_by_id(org.id)
    assert stored.name == "北城 社工 服务中心"
    assert stored.short_name == "北城社工"
    assert stored.credit_code == code
    assert stored.contact_phone == "13800138000"
    assert stored.registered_on == PAST
    assert stored.alliance_joined_on is None
    assert stored.name_key.startswith("bei3 cheng2")
    (created,) = audit_changes(org, "create")
    assert created["credit_code"] == [None, code]


def test_grassroots_keeps_no_registration_fields(user):
    org = save_organization(
        OrganizationData(name="张庄广场舞队", legal_form="foundation", registered_on=PAST), user
    )
    stored = Organization.get_by_id(org.id)
    assert stored.kind == "grassroots"
    assert stored.legal_form is None and stored.registered_on is None and stored.credit_code is None


# --- uniqueness ---------------------------------------------------------------------------


def test_duplicate_name_is_refused_naming_the_existing_organization(make_org, user):
    make_org("阳光妈妈互助会")
    errors = refused(OrganizationData(name=" 阳光妈妈互助会 "), user)
    assert "阳光妈妈互助会" in errors["name"] and "重复" in errors["name"]


def test_duplicate_credit_code_is_refused_naming_the_existing_organization(
    make_org, make_credit_code, user
):
    make_org("北城社工服务中心", registered=7)
    data = OrganizationData(name="南城社工服务中心", kind="registered", legal_form="service_org",
                            credit_code=make_credit_code(7).lower())
    errors = refused(data, user)
    assert set(errors) == {"credit_code"}
    assert "北城社工服务中心" in errors["credit_code"]


def test_duplicates_of_an_archived_organization_say_it_is_archived(make_org, make_credit_code,
                                                                   user):
    old = make_org("旧城妇女之家", registered=8)
    archive_record(old, user, "已注销")
    errors = refused(OrganizationData(name="旧城妇女之家"), user)
    assert "旧城妇女之家" in errors["name"] and "已归档" in errors["name"]
    data = OrganizationData(name="新城妇女之家", kind="registered", legal_form="social_group",
                            credit_code=make_credit_code(8))
    errors = refused(data, user)
    assert "旧城妇女之家" in errors["credit_code"] and "已归档" in errors["credit_code"]


def test_editing_keeps_its_own_name_and_code(make_org, user):
    org = make_org("北城社工服务中心", registered=9)
    data = OrganizationData.from_organization(org)
    data.address = "北城路 1 号"
    saved = save_organization(data, user, org)
    assert Organization.get_by_id(saved.id).address == "北城路 1 号"
    assert Organization.select().count() == 1
    assert audit_changes(org, "update") == [{"address": ["", "北城路 1 号"]}]


def test_editing_into_another_organizations_name_is_refused(make_org, user):
    make_org("阳光妈妈互助会")
    org = make_org("张庄广场舞队")
    data = OrganizationData.from_organization(org)
    data.name = "阳光妈妈互助会"
    errors = refused(data, user, existing=org)
    assert "阳光妈妈互助会" in errors["name"]


def test_saving_unchanged_data_writes_no_audit_line(make_org, user):
    org = make_org("阳光妈妈互助会", contact_phone="0514-87654321",
                   service_area_ids=area_ids("家庭教育"))
    before = AuditEntry.select().count()
    save_organization(OrganizationData.from_organization(org), user, org)
    assert AuditEntry.select().count() == before


# --- service areas ------------------------------------------------------------------------


def test_service_areas_are_set_changed_and_cleared_with_audit_lines(make_org, user):
    a, b, c = area_ids("青少年服务", "家庭教育", "心理健康")
    org = make_org("阳光妈妈互助会", service_area_ids=[b, a])
    assert links(org) == {a, b}

    data = OrganizationData.from_organization(org)
    assert sorted(data.service_area_ids) == sorted([a, b])
    data.service_area_ids = [b, c]
    save_organization(data, user, org)
    assert links(org) == {b, c}

    data.service_area_ids = []
    save_organization(data, user, org)
    assert links(org) == set()

    area_lines = [c_ for c_ in audit_changes(org, "update") if "service_areas" in c_]
    assert area_lines == [
        {"service_areas": [[], sorted([a, b])]},
        {"service_areas": [sorted([a, b]), sorted([b, c])]},
        {"service_areas": [sorted([b, c]), []]},
    ]


# --- incubation stages ----------------------------------------------------------------------


def stages(org: Organization) -> list[tuple[str, dt.date, str]]:
    query = (
        OrganizationStage.select()
        .where(OrganizationStage.organization == org)
        .order_by(OrganizationStage.entered_on, OrganizationStage.id)
    )
    return [(s.stage, s.entered_on, s.note) for s in query]


def test_registering_with_an_initial_stage_records_its_history(make_org):
    org = make_org("阳光妈妈互助会", initial_stage="sprouting", initial_stage_on=PAST)
    stored = Organization.get_by_id(org.id)
    assert (stored.incubation_stage, stored.stage_since) == ("sprouting", PAST)
    assert stages(org) == [("sprouting", PAST, "")]


def test_advance_stage_moves_forward_with_history_and_audit(make_org, user):
    org = make_org("阳光妈妈互助会")
    assert next_stages(org) == ["sprouting", "startup", "developing", "graduated"]
    d1, d2, d3 = dt.date(2024, 3, 1), dt.date(2024, 9, 1), dt.date(2025, 2, 1)
    advance_stage(org, user, "sprouting", d1)
    advance_stage(org, user, "startup", d2)
    advance_stage(org, user, "graduated", d3, note="  已登记为社会服务机构 ")

    stored = Organization.get_by_id(org.id)
    assert (stored.incubation_stage, stored.stage_since) == ("graduated", d3)
    assert stages(org) == [
        ("sprouting", d1, ""), ("startup", d2, ""), ("graduated", d3, "已登记为社会服务机构"),
    ]
    assert audit_changes(org, "stage")[1] == {
        "incubation_stage": ["sprouting", "startup"],
        "stage_since": ["2024-03-01", "2024-09-01"],
    }
    assert next_stages(stored) == []


def test_a_stage_date_is_corrected_within_its_neighbours_with_the_reason_audited(make_org, user):
    org = make_org("阳光妈妈互助会")
    d1, d2 = dt.date(2024, 3, 1), dt.date(2024, 9, 1)
    advance_stage(org, user, "sprouting", d1)
    advance_stage(org, user, "startup", d2)
    first, current = OrganizationStage.select().order_by(OrganizationStage.entered_on)
    with pytest.raises(ValidationFailed) as err:
        correct_stage_date(first, user, dt.date(2024, 9, 2), "")
    assert set(err.value.errors) == {"on", "reason"}
    assert "不能晚于下一阶段“初创期”的日期 2024-09-01" in str(err.value.errors["on"])
    with pytest.raises(ValidationFailed) as err:
        correct_stage_date(current, user, dt.date(2024, 2, 1), "抄错")
    assert "不能早于上一阶段“萌芽期”的日期 2024-03-01" in str(err.value.errors["on"])
    assert stages(org) == [("sprouting", d1, ""), ("startup", d2, "")]

    correct_stage_date(current, user, dt.date(2024, 8, 1), "合同日期为 8 月 1 日")
    assert stages(org) == [("sprouting", d1, ""), ("startup", dt.date(2024, 8, 1), "")]
    assert Organization.get_by_id(org.id).stage_since == dt.date(2024, 8, 1)  # the current stage
    line = AuditEntry.get((AuditEntry.action == "correct") & (AuditEntry.entity == "organization_stage"))
    assert json.loads(line.changes) == {"entered_on": ["2024-09-01", "2024-08-01"],
                                        "reason": [None, "合同日期为 8 月 1 日"]}
    assert audit_changes(org, "correct") == [{"stage_since": ["2024-09-01", "2024-08-01"]}]


@pytest.mark.parametrize(
    ("stage", "on", "note"),
    [
        ("sprouting", dt.date(2024, 10, 1), ""),  # backwards
        ("startup", dt.date(2024, 10, 1), ""),  # same stage
        ("developing", dt.date(2024, 8, 31), ""),  # before the current stage's date
        ("developing", FUTURE, ""),  # in the future
        ("developing", None, ""),  # no date
        ("graduated", dt.date(2024, 10, 1), "  "),  # graduation without a note
    ],
)
def test_refused_stage_changes_store_nothing(make_org, user, stage, on, note):
    org = make_org("阳光妈妈互助会", initial_stage="sprouting", initial_stage_on=dt.date(2024, 3, 1))
    advance_stage(org, user, "startup", dt.date(2024, 9, 1))
    before = counts()
    with pytest.raises(ValidationFailed) as info:
        advance_stage(org, user, stage, on, note)
    assert set(info.value.errors) == {"stage"}
    assert counts() == before
    stored = Organization.get_by_id(org.id)
    assert (stored.incubation_stage, stored.stage_since) == ("startup", dt.date(2024, 9, 1))


def test_incubation_overdue_counts_from_the_first_stage(make_org, user):
    started = dt.date(2024, 3, 10)
    org = make_org("阳光妈妈互助会", initial_stage="sprouting", initial_stage_on=started)
    advance_stage(org, user, "startup", dt.date(2024, 12, 1))
    assert not is_incubation_overdue(org, today=dt.date(2025, 3, 10))
    assert is_incubation_overdue(org, today=dt.date(2025, 3, 11))
    advance_stage(org, user, "graduated", dt.date(2025, 3, 1), note="出壳")
    assert not is_incubation_overdue(org, today=dt.date(2026, 1, 1))


def test_never_incubated_is_not_overdue(make_org):
    assert not is_incubation_overdue(make_org("阳光妈妈互助会"), today=dt.date(2030, 1, 1))


# --- archive and restore --------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_archive_and_restore_need_a_reason(make_org, user, reason):
    org = make_org("阳光妈妈互助会")
    before = counts()
    with pytest.raises(ValidationFailed) as info:
        archive_record(org, user, reason)
    assert set(info.value.errors) == {"reason"}
    assert counts() == before and not Organization.get_by_id(org.id).archived

    archive_record(org, user, "停止活动")
    before = counts()
    with pytest.raises(ValidationFailed):
        restore_record(org, user, reason)
    assert counts() == before and Organization.get_by_id(org.id).archived


def test_archive_then_restore(make_org, user):
    org = make_org("阳光妈妈互助会")
    archive_record(org, user, " 停止活动 ")
    stored = Organization.get_by_id(org.id)
    assert stored.archived and stored.archived_reason == "停止活动"
    assert stored.archived_on == dt.date.today()
    with pytest.raises(ValidationFailed):
        archive_record(stored, user, "再次归档")

    restore_record(stored, user, "恢复活动")
    stored = Organization.get_by_id(org.id)
    assert not stored.archived and stored.archived_reason == "恢复活动"
    with pytest.raises(ValidationFailed):
        restore_record(stored, user, "再次恢复")
    assert len(audit_changes(org, "archive")) == 1 and len(audit_changes(org, "restore")) == 1


# --- venue bookings ----------------------------------------------------------------------------


def at(hour: int, minute: int = 0, day: int = 16) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute)


@pytest.fixture
def venue(user):
    return audit.create(Venue, user, name="仙女镇妇女儿童之家", level="town",
                        kind="women_children_home")


def test_overlapping_booking_is_refused_naming_the_clash(make_org, user, venue):
    org = make_org("阳光妈妈互助会")
    other = make_org("张庄广场舞队")
    book_venue(user, venue, at(9), at(11), organization=org, purpose="家长课堂")
    before = Booking.select().count()
    for start, end in [(at(10), at(12)), (at(8), at(9, 1)), (at(9, 30), at(10)), (at(8), at(12))]:
        with pytest.raises(ValidationFailed) as info:
            book_venue(user, venue, start, end, organization=other)
        text = str(info.value.errors["starts_at"])
        assert "阳光妈妈互助会" in text and "09:00" in text and "11:00" in text
        assert "家长课堂" in text
    assert Booking.select().count() == before


def test_touching_bookings_and_other_venues_are_allowed(make_org, user, venue):
    org = make_org("阳光妈妈互助会")
    book_venue(user, venue, at(9), at(11), organization=org)
    book_venue(user, venue, at(11), at(12), organization=org)
    book_venue(user, venue, at(8), at(9), organization=org)
    hall = audit.create(Venue, user, name="龙川村妇女微家", level="village", kind="women_micro_home")
    book_venue(user, hall, at(9), at(11), organization=org)
    assert Booking.select().where(Booking.venue == venue).count() == 3
    assert AuditEntry.select().where(AuditEntry.entity == "booking").count() == 4


def test_a_cancelled_booking_frees_its_time(make_org, user, venue):
    org = make_org("阳光妈妈互助会")
    first = book_venue(user, venue, at(9), at(11), organization=org)
    audit.update(first, user, cancelled=True)
    second = book_venue(user, venue, at(9), at(11), organization=org)
    assert Booking.get_by_id(second.id).starts_at == at(9)


def test_team_clash_names_the_team(user, venue):
    team = audit.create(Team, user, name="仙女镇三工联动一队")
    book_venue(user, venue, at(14), at(16), team=team)
    with pytest.raises(ValidationFailed) as info:
        book_venue(user, venue, at(15), at(17), team=team)
    assert "仙女镇三工联动一队" in str(info.value.errors["starts_at"])


def test_booking_needs_a_span_and_a_holder(make_org, user, venue):
    org = make_org("阳光妈妈互助会")
    with pytest.raises(ValidationFailed) as info:
        book_venue(user, venue, at(11), at(11), organization=org)
    assert set(info.value.errors) == {"ends_at"}
    with pytest.raises(ValidationFailed) as info:
        book_venue(user, venue, at(9), at(11))
    assert set(info.value.errors) == {"holder"}  # an organization, team, person or the office
    assert Booking.select().count() == 0
