import datetime as dt
from decimal import Decimal

import pytest

from models import audit
from models.entities import Activity, Membership, Organization, Person, Region, ServiceRecord, Team, Venue
from models.rosters import (
    RosterError,
    RosterRow,
    build_roster,
    find_organization,
    find_team,
    find_township,
    find_venue,
    sort_rows,
)
from models.settings import set_setting
from models.sortkey import pinyin_key, split_surname, stroke_key, stroke_table
from models.teams import add_assignment, end_assignment
from models.validators import id_check_char

TODAY = dt.date(2026, 6, 15)


def id_number(serial: int, birth: str = "19850301", female: bool = True) -> str:
    first17 = f"320102{birth}{serial:02d}{2 if female else 1}"
    return first17 + id_check_char(first17)


@pytest.fixture
def places(ctx):
    county = Region.create(name="青禾县", level="county")
    east = Region.create(name="东关街道", level="township", parent=county)
    west = Region.create(name="西湖镇", level="township", parent=county)
    village = Region.create(name="柳树村", level="village", parent=west)
    return {"county": county, "east": east, "west": west, "village": village}


@pytest.fixture
def person(user, places):
    serials = iter(range(1, 100))

    def build(name: str, region: str = "east", volunteer: bool = True, with_id: bool = True,
              **fields) -> Person:
        number = id_number(next(serials)) if with_id else None
        return audit.create(Person, user, name=name, id_number=number, region=places[region],
                            birth_date=dt.date(1985, 3, 1) if with_id else None,
                            sex="F" if with_id else None, phone="13812345678",
                            is_volunteer=volunteer, **fields)

    return build


def names(roster) -> list[str]:
    return [row.name for row in roster.rows]


# --- stroke counts and order -------------------------------------------------------------

def test_stroke_counts_come_from_the_unihan_table():
    table = stroke_table()
    counts = {c: table.strokes(c) for c in "丁王李张張欧阳马"}
    assert counts == {"丁": 2, "王": 4, "李": 7, "张": 7, "張": 11, "欧": 8, "阳": 6, "马": 3}
    assert table.strokes("𠮷") == 6  # beyond the BMP (Extension B)
    assert table.strokes("A") is None and table.strokes("·") is None
    assert len(table) > 90000


def test_compound_surnames_stay_together():
    assert split_surname("欧阳娜娜") == ("欧阳", "娜娜")
    assert split_surname("司马光") == ("司马", "光")
    assert split_surname("诸葛 亮") == ("诸葛", "亮")
    assert split_surname("欧阳") == ("欧", "阳")  # a two-character name: surname 欧
    assert split_surname("王芳") == ("王", "芳")


def row(pid: int, name: str) -> RosterRow:
    return RosterRow(pid, name, pinyin_key(name), "女", "", "", "", "")


def test_stroke_order_surname_then_given_name_then_pinyin():
    given = ["张伟", "王芳", "Anna", "欧阳娜娜", "丁一", "李娜", "欧明", "罗兰", "王一", "张三"]
    rows = [row(i, n) for i, n in enumerate(given)]
    ordered = [r.name for r in sort_rows(rows, "strokes")]
    # 丁 2 < 王 4 < 李 = 张 7 (li before zhang) < 罗 = 欧 8 (luo before ou) < 欧阳 (8, 6); Latin last.
    assert ordered == ["丁一", "王一", "王芳", "李娜", "张三", "张伟", "罗兰", "欧明", "欧阳娜娜", "Anna"]


def test_pinyin_order_is_the_alternative():
    rows = [row(i, n) for i, n in enumerate(["张伟", "王芳", "丁一", "李娜", "欧阳娜娜"])]
    assert [r.name for r in sort_rows(rows, "pinyin")] == ["丁一", "李娜", "欧阳娜娜", "王芳", "张伟"]


def test_traditional_and_unknown_characters_sort_deterministically():
    rows = [row(1, "張三"), row(2, "张三"), row(3, "Zoe"), row(4, "Amy"), row(5, "𠮷田")]
    ordered = [r.name for r in sort_rows(rows, "strokes")]
    assert ordered == ["𠮷田", "张三", "張三", "Amy", "Zoe"]
    assert stroke_key("Amy") < stroke_key("Zoe")


# --- roster contents ---------------------------------------------------------------------

def test_organization_roster_lists_current_members_with_roles_masked(user, person, places):
    org = audit.create(Organization, user, name="阳光妇女互助会", kind="grassroots")
    members = {name: person(name) for name in ["张伟", "丁一", "王芳", "李娜", "赵敏"]}
    roles = {"张伟": "leader", "丁一": "member", "王芳": "core", "李娜": "member", "赵敏": "member"}
    for name, p in members.items():
        audit.create(Membership, user, person=p, organization=org, role=roles[name],
                     start_on=dt.date(2025, 1, 1))
    Membership.update(end_on=dt.date(2026, 1, 31)).where(Membership.person == members["李娜"]).execute()
    audit.archive(members["赵敏"], user, "迁出")

    roster = build_roster("organization", org.id, today=TODAY)
    assert roster.title == "阳光妇女互助会成员花名册"
    assert names(roster) == ["丁一", "王芳", "张伟"]
    assert [r.duty for r in roster.rows] == ["成员", "骨干", "负责人"]
    first = roster.rows[0]
    assert (first.sex, first.birth, first.phone) == ("女", "1985.03", "13812345678")
    assert first.id_number == members["丁一"].id_number[:6] + "********" + members["丁一"].id_number[-4:]


def test_full_ids_need_both_the_setting_and_the_operator(user, person):
    org = audit.create(Organization, user, name="巾帼志愿服务队", kind="grassroots")
    p = person("王芳")
    audit.create(Membership, user, person=p, organization=org)

    def shown(full: bool) -> str:
        return build_roster("organization", org.id, full_ids=full, today=TODAY).rows[0].id_number

    assert "*" in shown(True)  # the setting says no
    set_setting("privacy.print_full_id", "1", user)
    assert shown(True) == p.id_number
    assert "*" in shown(False)  # the operator may not


def test_team_roster_shows_duties(user, person):
    team = audit.create(Team, user, name="东关三工联动团队")
    cadre, volunteer, gone = person("王芳"), person("丁一"), person("张伟")
    worker = person("李娜", is_social_worker=True, social_worker_level="regular")
    add_assignment(user, team, cadre, "cadre", dt.date(2025, 1, 1))
    add_assignment(user, team, cadre, "volunteer", dt.date(2025, 1, 1))
    add_assignment(user, team, worker, "social_worker", dt.date(2025, 1, 1))
    add_assignment(user, team, volunteer, "volunteer", dt.date(2025, 1, 1))
    end_assignment(user, add_assignment(user, team, gone, "volunteer", dt.date(2025, 1, 1)),
                   dt.date(2025, 12, 31))

    roster = build_roster("team", team.id, today=TODAY)
    assert roster.duty_title == "分工"
    assert [(r.name, r.duty) for r in roster.rows] == [
        ("丁一", "义工"), ("王芳", "妇工、义工"), ("李娜", "社工（社会工作师）")]


def test_venue_roster_is_its_manager_and_who_served_there_in_the_last_year(user, person, places):
    manager, recent, old, elsewhere = person("王芳"), person("李娜"), person("丁一"), person("张伟")
    venue = audit.create(Venue, user, name="东关妇女儿童之家", level="town", kind="women_children_home",
                         region=places["east"], manager=manager)
    other = audit.create(Venue, user, name="西湖妇女微家", level="village", kind="women_micro_home",
                         region=places["west"])
    for title, held, where, who, hours in [
        ("家庭教育讲座", dt.date(2026, 3, 1), venue, recent, "2.5"),
        ("读书会", dt.date(2026, 5, 1), venue, recent, "1.5"),
        ("三八节活动", dt.date(2025, 3, 8), venue, old, "3"),
        ("健康讲座", dt.date(2026, 4, 1), other, elsewhere, "2"),
    ]:
        activity = audit.create(Activity, user, title=title, held_on=held, venue=where)
        audit.create(ServiceRecord, user, person=who, activity=activity, hours=Decimal(hours))

    roster = build_roster("venue", venue.id, order="pinyin", today=TODAY)
    assert [(r.name, r.duty, r.hours) for r in roster.rows] == [
        ("李娜", "志愿服务", Decimal("4.0")), ("王芳", "阵地管理员", None)]
    assert roster.hours_title.startswith("近12个月")


def test_volunteer_roster_of_a_township_includes_its_villages(user, person, places):
    east, west = person("王芳", "east"), person("李娜", "west", is_cadre=True)
    village = person("丁一", "village")
    person("张伟", "west", volunteer=False)
    org = audit.create(Organization, user, name="西湖镇巾帼志愿服务队", kind="grassroots")
    audit.create(Membership, user, person=village, organization=org)
    activity = audit.create(Activity, user, title="义诊", held_on=dt.date(2026, 1, 5))
    audit.create(ServiceRecord, user, person=village, activity=activity, hours=Decimal("6.5"))

    roster = build_roster("volunteers", None, township_id=places["west"].id, today=TODAY)
    assert roster.title == "西湖镇志愿者花名册"
    assert [(r.name, r.duty, r.organizations, r.hours) for r in roster.rows] == [
        ("丁一", "义工", "西湖镇巾帼志愿服务队", Decimal("6.5")), ("李娜", "妇工、义工", "", Decimal("0.0"))]
    county = build_roster("volunteers", None, today=TODAY)
    assert county.title == "青禾县志愿者花名册"
    assert {r.person_id for r in county.rows} == {east.id, west.id, village.id}


def test_people_without_an_id_number_are_listed_with_blanks(user, person):
    org = audit.create(Organization, user, name="阳光妇女互助会", kind="grassroots")
    audit.create(Membership, user, person=person("王芳", with_id=False), organization=org)
    row_ = build_roster("organization", org.id, today=TODAY).rows[0]
    assert (row_.id_number, row_.birth, row_.sex) == ("", "", "")


def test_unknown_target_is_a_chinese_error(ctx):
    with pytest.raises(RosterError) as caught:
        build_roster("organization", 999)
    assert str(caught.value.message) == "找不到编号为 999 的组织"


# --- finding a target by name ------------------------------------------------------------

def test_targets_are_found_by_full_short_or_unique_partial_name(user, places):
    org = audit.create(Organization, user, name="青禾县阳光家庭教育服务中心", short_name="阳光中心",
                       kind="grassroots")
    audit.create(Organization, user, name="青禾县爱心助老协会", kind="grassroots")
    team = audit.create(Team, user, name="东关三工联动团队")
    venue = audit.create(Venue, user, name="东关妇女儿童之家", level="town", kind="other",
                         region=places["east"])
    assert find_organization("青禾县阳光家庭教育服务中心") == org.id
    assert find_organization(" 阳光中心 ") == org.id
    assert find_organization("家庭教育") == org.id
    assert find_team("东关三工联动团队") == team.id
    assert find_venue("妇女儿童之家") == venue.id
    assert find_township("西湖镇") == places["west"].id


def test_unknown_or_ambiguous_names_are_chinese_errors(user, places):
    audit.create(Organization, user, name="青禾县阳光家庭教育服务中心", kind="grassroots")
    audit.create(Organization, user, name="青禾县爱心助老协会", kind="grassroots")
    with pytest.raises(RosterError) as caught:
        find_organization("不存在的协会")
    assert str(caught.value.message) == "找不到名为“不存在的协会”的组织，请检查名称。"
    with pytest.raises(RosterError) as caught:
        find_organization("青禾县")
    assert "不止一个" in str(caught.value.message) and "青禾县爱心助老协会" in str(caught.value.message)
    with pytest.raises(RosterError):
        find_township("东风镇")
    with pytest.raises(RosterError):
        find_team("")
