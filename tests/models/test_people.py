import datetime as dt
import json
from decimal import Decimal

import pytest

from models import audit
from models.archiving import archive_record, restore_record
from models.entities import (
    Activity,
    AuditEntry,
    Person,
    ServiceRecord,
    Team,
    TeamAssignment,
    Training,
    TrainingAttendance,
)
from models.errors import ValidationFailed
from models.memberships import add_membership, end_membership
from models.people import (
    PersonData,
    memberships,
    save_person,
    service_records,
    team_roles,
    total_service_hours,
    trainings_attended,
)
from models.person_listing import PersonFilter, PersonListing
from models.validators import id_check_char

VALID_ID = "11010519491231002X"  # born 1949-12-31, female


def resident_id(serial: int, birth: str = "19850312", sex_digit: int = 2) -> str:
    first17 = f"320102{birth}{serial:02d}{sex_digit}"
    return first17 + id_check_char(first17)


def names(flt: PersonFilter) -> list[str]:
    return [row.values[0] for row in PersonListing().fetch(flt, None, False, 0, 100)]


def test_id_gives_birth_date_and_sex_and_is_audited(ctx):
    person = save_person(PersonData(name=" 王  秀英 ", id_number=" 11010519491231002x ",
                                    phone="138 1234 5678", is_volunteer=True), ctx.user)
    person = Person.get_by_id(person.id)
    assert (person.name, person.id_number, person.phone) == ("王 秀英", VALID_ID, "13812345678")
    assert (person.birth_date, person.sex) == (dt.date(1949, 12, 31), "F")
    entry = AuditEntry.get((AuditEntry.entity == "person") & (AuditEntry.action == "create"))
    assert json.loads(entry.changes)["id_number"] == [None, VALID_ID]


def test_without_an_id_birth_date_and_sex_are_as_entered_and_with_one_the_id_decides(ctx):
    plain = save_person(PersonData(name="无证人", birth_date=dt.date(1983, 10, 5), sex="F"), ctx.user)
    assert (plain.birth_date, plain.sex) == (dt.date(1983, 10, 5), "F")
    with pytest.raises(ValidationFailed) as err:
        save_person(PersonData(name="未来人", birth_date=dt.date.today() + dt.timedelta(days=1), sex="X"),
                    ctx.user)
    assert set(err.value.errors) == {"birth_date", "sex"}
    typed_over = save_person(PersonData(name="有证人", id_number=VALID_ID, birth_date=dt.date(2000, 1, 1),
                                        sex="M"), ctx.user)
    assert (typed_over.birth_date, typed_over.sex) == (dt.date(1949, 12, 31), "F")
    cleared = save_person(PersonData(name="无证人"), ctx.user, plain)
    assert (cleared.birth_date, cleared.sex) == (None, None)  # emptied again: unknown


def test_bad_input_is_refused_field_by_field_and_nothing_saved(ctx):
    with pytest.raises(ValidationFailed) as err:
        save_person(PersonData(name="", id_number="110105194912310021", phone="12345",
                               social_worker_level="regular"), ctx.user)
    errors = {k: str(v) for k, v in err.value.errors.items()}
    assert errors["name"] == "请填写姓名"
    assert errors["id_number"] == "身份证号校验位不正确，请核对是否抄错"
    assert errors["phone"] == "手机号应为 1 开头的 11 位数字"
    assert "roles" not in errors  # an organization's plain member holds none of the three roles
    assert errors["social_worker_level"] == "只有社工才有社工等级"
    assert Person.select().count() == 0 and AuditEntry.select().count() == 0


def test_id_is_optional_but_unique_naming_the_holder(ctx):
    save_person(PersonData(name="李梅", is_cadre=True), ctx.user)
    first = save_person(PersonData(name="张丽", id_number=VALID_ID, is_cadre=True), ctx.user)
    with pytest.raises(ValidationFailed) as err:
        save_person(PersonData(name="张莉", id_number=VALID_ID.lower(), is_volunteer=True), ctx.user)
    assert str(err.value.errors["id_number"]) == "身份证号 110105********002X 已登记给“张丽”"
    archive_record(first, ctx.user, "迁出")
    with pytest.raises(ValidationFailed) as err:
        save_person(PersonData(name="张莉", id_number=VALID_ID, is_volunteer=True), ctx.user)
    assert "“张丽”（已归档）" in str(err.value.errors["id_number"])
    # editing the holder herself keeps her ID
    save_person(PersonData(name="张丽丽", id_number=VALID_ID, is_cadre=True), ctx.user, first)
    assert Person.get_by_id(first.id).name == "张丽丽" and Person.select().count() == 2


def test_social_worker_level_only_for_social_workers(ctx):
    person = save_person(PersonData(name="陈静", is_social_worker=True, social_worker_level="senior"),
                         ctx.user)
    assert Person.get_by_id(person.id).social_worker_level == "senior"
    save_person(PersonData(name="陈静", is_volunteer=True), ctx.user, person)
    assert Person.get_by_id(person.id).social_worker_level is None


def test_archive_and_restore_with_reason(ctx):
    person = save_person(PersonData(name="赵敏", is_volunteer=True), ctx.user)
    archive_record(person, ctx.user, "已去世")
    assert names(PersonFilter()) == [] and names(PersonFilter(archived=True)) == ["赵敏"]
    restore_record(Person.get_by_id(person.id), ctx.user, "误操作")
    assert names(PersonFilter()) == ["赵敏"]
    actions = [e.action for e in AuditEntry.select().where(AuditEntry.entity == "person")
               .order_by(AuditEntry.id)]
    assert actions == ["create", "archive", "restore"]


@pytest.fixture
def register(ctx, make_region, make_org):
    county = make_region("青禾县", "county")
    east = make_region("东关街道", "township", county)
    west = make_region("西湖镇", "township", county)
    org = make_org("阳光互助会")
    other = make_org("巾帼志愿服务队")
    team = audit.create(Team, ctx.user, name="东关三工联动团队", region=east)
    specs = [
        ("王秀英", resident_id(1), "13800000001", east, dict(is_cadre=True)),
        ("王丽", resident_id(2), "13912345678", west, dict(is_volunteer=True)),
        ("李娜", resident_id(3), "0514-87654321", east, dict(is_social_worker=True,
                                                           social_worker_level="regular")),
        ("张敏", "", "", None, dict(is_volunteer=True, is_cadre=True)),
    ]
    people = {
        name: save_person(PersonData(name=name, id_number=number, phone=phone,
                                     region_id=region.id if region else None, **roles), ctx.user)
        for name, number, phone, region, roles in specs
    }
    today = dt.date.today()
    add_membership(ctx.user, people["王丽"], org, "core", today - dt.timedelta(days=100))
    ended = add_membership(ctx.user, people["张敏"], org, "member", today - dt.timedelta(days=100))
    end_membership(ctx.user, ended, today - dt.timedelta(days=1))
    add_membership(ctx.user, people["张敏"], other, "member", None)
    TeamAssignment.create(team=team, person=people["李娜"], role="social_worker")
    TeamAssignment.create(team=team, person=people["王秀英"], role="cadre",
                          end_on=today - dt.timedelta(days=1))
    return dict(east=east, west=west, org=org, other=other, team=team, people=people)


def test_search_by_name_and_by_a_whole_id_number_or_phone(register):
    assert names(PersonFilter(text="王")) == ["王丽", "王秀英"]
    number = register["people"]["李娜"].id_number
    assert names(PersonFilter(text=number)) == ["李娜"]
    assert names(PersonFilter(text=number.lower())) == ["李娜"]
    grouped = " ３２０１０２ " + number[6:14] + " " + number[14:]  # full-width digits, in groups
    assert names(PersonFilter(text=grouped)) == ["李娜"]
    assert names(PersonFilter(text="138 0000 0001")) == ["王秀英"]
    assert names(PersonFilter(text="+86 13912345678")) == ["王丽"]
    assert names(PersonFilter(text="0514-87654321")) == ["李娜"]
    assert names(PersonFilter(text="秀")) == ["王秀英"]


def test_a_part_of_an_id_number_or_phone_finds_nobody(register):
    """Numbers are stored encrypted and found by their keyed hashes: a prefix, a few digits or
    a number one digit off tell nothing about who is registered."""
    number = register["people"]["李娜"].id_number
    for text in (number[:6], number[:10], number[:17], number[1:], "1234", "8765", "87654321",
                 "1380000000", number[:17] + ("0" if number[17] != "0" else "1")):
        assert names(PersonFilter(text=text)) == [], text


def test_search_ignores_the_case_of_latin_letters_and_takes_wildcards_literally(register, ctx):
    save_person(PersonData(name="Anna·王"), ctx.user)
    save_person(PersonData(name="王_芳", phone="13800000002"), ctx.user)
    assert names(PersonFilter(text="anna")) == names(PersonFilter(text="ANNA")) == ["Anna·王"]
    assert names(PersonFilter(text="a·王")) == ["Anna·王"]
    assert names(PersonFilter(text="_")) == ["王_芳"]
    assert names(PersonFilter(text="%")) == []
    assert names(PersonFilter(text="王")) == ["Anna·王", "王_芳", "王丽", "王秀英"]
    assert names(PersonFilter(text="13800000002")) == ["王_芳"]


def test_filters_role_township_organization_team(register):
    assert names(PersonFilter(role="volunteer")) == ["王丽", "张敏"]
    assert names(PersonFilter(role="social_worker")) == ["李娜"]
    assert names(PersonFilter(township_id=register["east"].id)) == ["李娜", "王秀英"]
    # only active memberships and assignments count
    assert names(PersonFilter(organization_id=register["org"].id)) == ["王丽"]
    assert names(PersonFilter(organization_id=register["other"].id)) == ["张敏"]
    assert names(PersonFilter(team_id=register["team"].id)) == ["李娜"]
    assert PersonListing().count(PersonFilter(role="volunteer", township_id=register["west"].id)) == 1


def test_rows_show_masked_id_roles_and_township(register):
    rows = {row.values[0]: row.values for row in PersonListing().fetch(PersonFilter(), None, False, 0, 10)}
    number = register["people"]["李娜"].id_number
    assert rows["李娜"][3] == number[:6] + "********" + number[-4:]
    assert rows["李娜"][1:3] == ("女", dt.date(1985, 3, 12))
    assert rows["张敏"][5] == "妇工、义工" and rows["张敏"][3] == ""
    assert rows["李娜"][6:8] == ("东关街道", "社会工作师")


def test_every_sortable_column_sorts(register):
    listing = PersonListing()
    for column in listing.columns:
        if column.sort is not None:
            assert len(listing.fetch(PersonFilter(), column.key, True, 0, 10)) == 4


def test_detail_queries(ctx, register):
    person = register["people"]["张敏"]
    rows = memberships(person)
    assert [(org, role, active) for _id, org, role, _s, _e, active in rows] == [
        ("巾帼志愿服务队", "成员", True), ("阳光互助会", "成员", False)]
    assert team_roles(register["people"]["李娜"]) == [("东关三工联动团队", "社工", None, None)]
    first = Activity.create(title="敬老院探访", held_on=dt.date(2026, 3, 1))
    second = Activity.create(title="社区义诊", held_on=dt.date(2026, 5, 1))
    ServiceRecord.create(person=person, activity=first, hours=Decimal("2.5"))
    ServiceRecord.create(person=person, activity=second, hours=Decimal("3"))
    ServiceRecord.create(person=register["people"]["王丽"], activity=second, hours=Decimal("8"))
    assert [(t, h) for _d, t, h in service_records(person)] == [
        ("社区义诊", Decimal("3.0")), ("敬老院探访", Decimal("2.5"))]
    assert total_service_hours(person) == Decimal("5.5")
    assert total_service_hours(register["people"]["李娜"]) == Decimal("0.0")
    training = Training.create(topic="社工实务督导", held_on=dt.date(2026, 4, 2), kind="supervision")
    TrainingAttendance.create(training=training, person=person)
    assert trainings_attended(person) == [(dt.date(2026, 4, 2), "社工实务督导", "督导")]


def test_undated_memberships_and_team_roles_come_after_the_dated_ones(ctx, register):
    """Newest start first, then those with no start date, on SQLite and on a server alike."""
    person, today = register["people"]["王丽"], dt.date.today()
    add_membership(ctx.user, person, register["other"], "member", None)
    assert [org for _id, org, *_rest in memberships(person)] == ["阳光互助会", "巾帼志愿服务队"]
    team = register["team"]
    TeamAssignment.create(team=team, person=person, role="volunteer")
    TeamAssignment.create(team=team, person=person, role="cadre", start_on=today)
    assert [role for _team, role, _s, _e in team_roles(person)] == ["妇工", "义工"]


def test_keyset_pages_match_one_offset_query_for_every_sort(register):
    """Paging after the last row's (sort value, id) gives the same rows, NULLs included."""
    listing = PersonListing()
    flt = PersonFilter(archived=None)
    for column in listing.columns:
        if column.sort is None:
            continue
        for descending in (False, True):
            paged, after = [], ()
            while True:
                page = listing.fetch(flt, column.key, descending, len(paged), 1, after)
                if not page:
                    break
                paged += page
                after = page[-1].cursor
            listing.keyset = False
            whole = listing.fetch(flt, column.key, descending, 0, 100)
            listing.keyset = True
            assert [r.id for r in paged] == [r.id for r in whole], (column.key, descending)


def test_an_organization_member_may_hold_no_federation_role(ctx):
    person = save_person(PersonData(name="赵敏"), ctx.user)
    assert not (person.is_cadre or person.is_social_worker or person.is_volunteer)
