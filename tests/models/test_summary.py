"""The periodic summary: figures of a small county whose every record is known, township
rows adding up to the county, and a number of queries that does not grow with the data."""

import datetime as dt
from decimal import Decimal

import pytest

from models.entities import (
    Activity,
    Organization,
    OrganizationServiceArea,
    OrganizationStage,
    Person,
    Project,
    Region,
    ServiceArea,
    ServiceRecord,
    Team,
    TeamAssignment,
    Training,
    TrainingAttendance,
    Venue,
)
from models.errors import ValidationFailed
from models.periods import Period
from models.summary import UNASSIGNED_LABEL, compute_summary
from models.summary_lists import detail_lists

TODAY = dt.date(2026, 1, 15)
YEAR = Period.for_year(2025)
D = dt.date


def org(name, region, kind="grassroots", stages=(), **fields):
    if kind == "registered":
        fields.setdefault("legal_form", "social_group")
    record = Organization.create(name=name, kind=kind, region=region, **fields)
    for stage, day in stages:
        OrganizationStage.create(organization=record, stage=stage, entered_on=day)
    if stages:
        record.incubation_stage, record.stage_since = stages[-1]
        record.save()
    return record


def person(name, region, sex="F", **fields):
    return Person.create(name=name, region=region, sex=sex, **fields)


def activity(title, day, venue=None, organization=None, served=0):
    return Activity.create(title=title, held_on=day, venue=venue, organization=organization,
                           people_served=served, participants=served)


@pytest.fixture
def world(ctx):
    """青禾县: 东关街道 and 西湖镇 (with 柳树村), and records nobody placed."""
    county = Region.create(name="青禾县", level="county")
    east = Region.create(name="东关街道", level="township", parent=county, sort_order=1)
    west = Region.create(name="西湖镇", level="township", parent=county, sort_order=2)
    village = Region.create(name="柳树村", level="village", parent=west)
    family, elderly = ServiceArea.get_by_id(2), ServiceArea.get_by_id(4)

    a = org("阳光家庭教育服务中心", east, "registered", [("sprouting", D(2025, 3, 1))],
            alliance_member=True, alliance_joined_on=D(2025, 5, 1))
    b = org("柳树村妇女微家互助会", village,
            stages=[("sprouting", D(2023, 6, 1)), ("startup", D(2024, 1, 1)),
                    ("graduated", D(2025, 6, 1))])
    org("无地区读书会", None)
    org("西湖镇助老服务社", west, "registered", legal_form="service_org", archived=True,
        archived_on=D(2025, 6, 30), archived_reason="注销")
    org("东关巧娘工坊", east, stages=[("sprouting", D(2024, 1, 10))])
    org("明年成立的协会", east, founded_on=D(2026, 1, 5))
    for record, area in ((a, family), (a, elderly), (b, family)):
        OrganizationServiceArea.create(organization=record, service_area=area)

    cadre, worker = person("王芳", west, is_cadre=True), person("李娜", west, is_social_worker=True)
    helper = person("赵敏", west, is_volunteer=True)
    v1 = person("张丽", east, is_volunteer=True, id_number="11010519491231002X")
    v2 = person("刘强", village, sex="M", is_volunteer=True)
    v3 = person("陈红", None, is_volunteer=True)
    person("周静", east, is_volunteer=True, archived=True, archived_on=D(2025, 1, 1))

    full = Team.create(name="西湖镇三工联动服务队", region=west, founded_on=D(2024, 1, 1))
    for p, role in ((cadre, "cadre"), (worker, "social_worker"), (helper, "volunteer")):
        TeamAssignment.create(team=full, person=p, role=role, start_on=D(2024, 1, 1))
    partial = Team.create(name="东关街道三工联动服务队", region=east)
    TeamAssignment.create(team=partial, person=v1, role="cadre")
    TeamAssignment.create(team=partial, person=worker, role="social_worker", end_on=D(2025, 6, 1))

    Project.create(name="家庭教育项目", source="venture", year=2025, organization=a, status="closed",
                   amount_granted=Decimal("10000.10"), actual_served=100)
    Project.create(name="跨年购买服务", source="purchase", year=2024, team=full, status="in_progress",
                   start_on=D(2024, 9, 1), end_on=D(2025, 2, 28),
                   amount_granted=Decimal("5000.05"), actual_served=50)
    Project.create(name="未中标项目", source="venture", year=2025, organization=a, status="rejected",
                   amount_granted=Decimal("999"))
    Project.create(name="县级微创投", source="micro_venture", year=2025, status="approved",
                   amount_granted=Decimal("0.33"))
    Project.create(name="去年的项目", source="venture", year=2024, organization=a, status="closed",
                   amount_granted=Decimal("777"))

    v_town = Venue.create(name="东关妇女儿童之家", level="town", kind="women_children_home", region=east)
    v_village = Venue.create(name="柳树村妇女微家", level="village", kind="women_micro_home",
                             region=village)
    v_closed = Venue.create(name="西湖旧阵地", level="village", kind="other", region=west,
                            archived=True, archived_on=D(2025, 3, 1))
    act1 = activity("亲子阅读", D(2025, 4, 1), v_town, a, 30)
    act2 = activity("家庭讲座", D(2025, 8, 1), v_town, a, 20)
    act3 = activity("微家茶话", D(2025, 5, 1), v_village, b, 15)
    activity("旧阵地告别", D(2025, 1, 20), v_closed, b, 5)
    act_open = activity("街头宣传", D(2025, 9, 9), None, a, 100)
    last_year = activity("去年活动", D(2024, 12, 31), v_town, a, 40)
    for p, act, hours in ((v1, act1, "2.5"), (v1, act2, "1.5"), (v2, act3, "3.0"),
                          (v3, act_open, "1.0"), (cadre, act1, "2.0"), (v1, last_year, "4.0")):
        ServiceRecord.create(person=p, activity=act, hours=Decimal(hours))

    t1 = Training.create(topic="社会组织财务培训", held_on=D(2025, 4, 1), kind="training",
                         venue=v_town, hours=Decimal("2.5"))
    t2 = Training.create(topic="社工督导", held_on=D(2025, 5, 1), kind="supervision", region=west,
                         hours=Decimal("1.0"))
    t3 = Training.create(topic="去年培训", held_on=D(2024, 5, 1), kind="training", region=west)
    for training, people in ((t1, (v1, v2)), (t2, (worker,)), (t3, (v1,))):
        for p in people:
            TrainingAttendance.create(training=training, person=p)
    return {"county": county, "east": east, "west": west, "village": village}


def row(section, label):
    return next(r for r in section.rows if r[0] == label)


def test_county_organizations(world):
    data = compute_summary(YEAR, today=TODAY)
    assert data.area_name == "青禾县"
    assert data.title == "青禾县妇女社会组织和巾帼阵地工作统计报表"
    assert data.as_of == D(2025, 12, 31)
    kinds = data.section("org_kinds")
    # 期末, 在孵, 超12个月, 新入孵, 出壳, 联盟, 新入盟, 团体会员
    assert row(kinds, "登记注册：社会团体")[1:] == (1, 1, 0, 1, 0, 1, 1, 0)
    assert row(kinds, "登记注册：社会服务机构（民办非企业单位）")[1:] == (0,) * 8  # archived mid-year
    assert row(kinds, "草根组织（备案）")[1:] == (3, 1, 1, 0, 1, 0, 0, 0)
    assert kinds.total == ("合计", 4, 2, 1, 1, 1, 1, 1, 0)
    assert "登记注册：未填写登记形式" not in [r[0] for r in kinds.rows]

    stages = data.section("org_stages")
    assert row(stages, "萌芽期")[1:] == (2, 1)
    assert row(stages, "出壳")[1:] == (1, 1)
    assert row(stages, "未纳入孵化")[1:] == (1, 0)
    assert stages.total[1] == 4

    areas = data.section("org_areas")
    assert row(areas, "家庭教育")[1] == 2
    assert row(areas, "助老服务")[1] == 1
    assert row(areas, "未填写服务领域")[1] == 2
    assert areas.total == ("合计（不重复计数）", 4)


def test_county_projects_teams_venues_volunteers_trainings(world):
    data = compute_summary(YEAR, today=TODAY)
    projects = data.section("projects")
    assert row(projects, "公益创投")[1:] == (1, Decimal("10000.10"), 100)
    assert row(projects, "政府购买服务")[1:] == (1, Decimal("5000.05"), 50)
    assert row(projects, "微创投")[1:] == (1, Decimal("0.33"), 0)
    assert projects.total == ("合计", 3, Decimal("15000.48"), 150)

    teams = data.section("teams")
    assert row(teams, "齐全团队")[1:] == (1, 1, 1, 1, 1)
    assert row(teams, "不齐全团队")[1:] == (1, 1, 0, 0, 0)  # its social worker left in June

    venues = data.section("venues")
    # 之家, 微家, 活动中心, 其他, 合计, 活动次数, 服务人次
    assert row(venues, "镇级")[1:] == (1, 0, 0, 0, 1, 2, 50)
    assert row(venues, "村级")[1:] == (0, 1, 0, 0, 1, 2, 20)  # the closed venue's January event
    assert venues.total == ("合计", 1, 1, 0, 0, 2, 4, 70)

    volunteers = data.section("volunteers")
    assert row(volunteers, "女")[1:] == (3, 3, 4, Decimal("7.0"))
    assert row(volunteers, "男")[1:] == (1, 1, 1, Decimal("3.0"))
    assert volunteers.total == ("合计", 4, 4, 5, Decimal("10.0"))

    trainings = data.section("trainings")
    assert row(trainings, "培训")[1:] == (1, 2, Decimal("2.5"))
    assert row(trainings, "督导")[1:] == (1, 1, Decimal("1.0"))
    assert trainings.total == ("合计", 2, 3, Decimal("3.5"))


def test_township_breakdown(world):
    data = compute_summary(YEAR, today=TODAY)
    orgs = data.section("townships_orgs")
    assert [r[0] for r in orgs.rows] == ["东关街道", "西湖镇", UNASSIGNED_LABEL]
    # 组织, 登记注册, 在孵, 新入孵, 出壳, 联盟, 项目数, 金额, 服务人次
    assert row(orgs, "东关街道")[1:] == (2, 1, 2, 1, 0, 1, 1, Decimal("10000.10"), 100)
    assert row(orgs, "西湖镇")[1:] == (1, 0, 0, 0, 1, 0, 1, Decimal("5000.05"), 50)  # via 柳树村
    assert row(orgs, UNASSIGNED_LABEL)[1:] == (1, 0, 0, 0, 0, 0, 1, Decimal("0.33"), 0)
    services = data.section("townships_services")
    # 团队, 齐全, 阵地, 活动次数, 服务人次, 志愿者, 时长, 培训场次, 参训人次
    assert row(services, "东关街道")[1:] == (1, 0, 1, 2, 50, 1, Decimal("4.0"), 1, 2)
    assert row(services, "西湖镇")[1:] == (1, 1, 1, 2, 20, 2, Decimal("5.0"), 1, 1)
    assert row(services, UNASSIGNED_LABEL)[1:] == (0, 0, 0, 0, 0, 1, Decimal("1.0"), 0, 0)


def test_township_rows_add_up_to_the_county_totals(world):
    data = compute_summary(YEAR, today=TODAY)
    for key in ("townships_orgs", "townships_services"):
        section = data.section(key)
        for i in range(1, len(section.columns)):
            assert sum(r[i] for r in section.rows) == section.total[i], (key, section.columns[i])
    orgs, services = data.section("townships_orgs").total, data.section("townships_services").total
    kinds, projects = data.section("org_kinds").total, data.section("projects").total
    assert orgs[1] == kinds[1] and orgs[3:6] == kinds[2:3] + kinds[4:6]
    assert orgs[7:] == projects[1:]
    assert services[1] == data.section("teams").total[1]
    assert services[3:6] == data.section("venues").total[5:8]
    volunteers, trainings = data.section("volunteers").total, data.section("trainings").total
    assert (services[6], services[7]) == (volunteers[1], volunteers[4])
    assert services[8:] == trainings[1:3]


def test_a_township_summary_matches_its_row_of_the_county(world):
    county = compute_summary(YEAR, today=TODAY)
    for name in ("东关街道", "西湖镇"):
        data = compute_summary(YEAR, world["east" if name == "东关街道" else "west"].id, today=TODAY)
        assert data.area_name == name
        assert [s.key for s in data.sections if s.key.startswith("townships")] == []
        orgs, services = (row(county.section(k), name) for k in ("townships_orgs", "townships_services"))
        assert data.section("org_kinds").total[1] == orgs[1]
        assert data.section("projects").total[1:] == orgs[7:]
        assert data.section("teams").total[1] == services[1]
        assert data.section("venues").total[5:8] == services[3:6]
        assert data.section("volunteers").total[4] == services[7]
        assert data.section("trainings").total[1:3] == services[8:]


def test_stock_is_taken_at_the_period_end(world):
    first_quarter = compute_summary(Period.for_quarter(2025, 1), today=TODAY)
    # The service organization was archived on 30 June: still there on 31 March.
    assert row(first_quarter.section("org_kinds"), "登记注册：社会服务机构（民办非企业单位）")[1] == 1
    # The old venue was archived on 1 March: gone by 31 March, its January event counts.
    assert row(first_quarter.section("venues"), "村级")[1:] == (0, 1, 0, 0, 1, 1, 5)
    # 柳树村's group was in 初创期 at the end of 2024; it graduated in 2025.
    stages = compute_summary(Period.for_year(2024), today=TODAY).section("org_stages")
    assert row(stages, "初创期")[1:] == (1, 1)
    assert row(stages, "出壳")[1:] == (0, 0)


def test_a_running_period_takes_stock_today(world):
    data = compute_summary(Period.for_year(2026), today=TODAY)
    assert data.as_of == TODAY
    assert data.section("org_kinds").total[1] == 5  # founded on 5 January 2026


def test_bad_area_or_future_period_is_refused(world):
    with pytest.raises(ValidationFailed) as caught:
        compute_summary(YEAR, world["village"].id, today=TODAY)
    assert "镇（街道）不存在" in str(caught.value.errors["township_id"])
    with pytest.raises(ValidationFailed) as caught:
        compute_summary(Period.for_quarter(2026, 2), today=TODAY)
    assert "尚未开始" in str(caught.value.errors["period"])


def test_query_count_does_not_grow_with_the_data(world, count_queries):
    compute_summary(YEAR, today=TODAY)
    few = len(count_queries)
    assert few <= 15
    west, venue = world["west"], Venue.get(Venue.name == "柳树村妇女微家")
    for i in range(40):
        record = org(f"新增组织{i}", west, stages=[("sprouting", D(2025, 2, 1))])
        helper = person(f"志愿者{i}", west, is_volunteer=True)
        held = activity(f"活动{i}", D(2025, 7, 1), venue, record, 3)
        ServiceRecord.create(person=helper, activity=held, hours=Decimal("1.5"))
    count_queries.reset()
    data = compute_summary(YEAR, today=TODAY)
    assert len(count_queries) == few
    assert data.section("org_kinds").total[1] == 44
    assert data.section("volunteers").total[4] == Decimal("70.0")


def test_detail_lists_follow_the_same_rules(world):
    lists = {d.key: d for d in detail_lists(YEAR, today=TODAY)}
    organizations = list(lists["organizations"].rows())
    # Townships in the office's order, names in pinyin order, no township last.
    assert [r[1] for r in organizations] == [
        "东关巧娘工坊", "阳光家庭教育服务中心", "柳树村妇女微家互助会", "无地区读书会"]
    by_name = {r[1]: r for r in organizations}
    village_org = by_name["柳树村妇女微家互助会"]
    assert village_org[5:8] == ("西湖镇", "柳树村", "出壳")
    assert by_name["阳光家庭教育服务中心"][8].count("、") == 1
    assert [r[0] for r in organizations] == [1, 2, 3, 4]

    projects = list(lists["projects"].rows())
    assert sorted(r[2] for r in projects) == ["县级微创投", "家庭教育项目", "跨年购买服务"]
    assert sum(r[10] for r in projects) == Decimal("15000.48")

    volunteers = {r[1]: r for r in lists["volunteers"].rows()}
    assert volunteers["张丽"][3] == "110105********002X"
    assert volunteers["张丽"][7:] == (2, Decimal("4.0"))
    assert volunteers["王芳"][4] == ""  # served, though not a registered volunteer
    full = {r[1]: r for r in detail_lists(YEAR, today=TODAY, full_ids=True)[4].rows()}
    assert full["张丽"][3] == "11010519491231002X"

    teams = {r[1]: r for r in lists["teams"].rows()}
    assert teams["西湖镇三工联动服务队"][4:] == (1, 1, 1, "齐全")
    assert teams["东关街道三工联动服务队"][4:] == (1, 0, 0, "不齐全")
    venues = {r[1]: r for r in lists["venues"].rows()}
    assert venues["东关妇女儿童之家"][6:] == (2, 50)
    trainings = list(lists["trainings"].rows())
    assert [(r[2], r[5], r[7]) for r in trainings] == [("社会组织财务培训", "东关街道", 2),
                                                       ("社工督导", "西湖镇", 1)]


def test_detail_lists_of_a_township(world):
    lists = {d.key: d for d in detail_lists(YEAR, world["west"].id, today=TODAY)}
    assert [r[1] for r in lists["organizations"].rows()] == ["柳树村妇女微家互助会"]
    assert {r[1] for r in lists["volunteers"].rows()} == {"刘强", "王芳"}


def test_codes_outside_the_vocabularies_still_add_up(world):
    """Odd codes (an old import, a hand-edited database) land in a catch-all row."""
    east = world["east"]
    org("旧数据组织", east, "registered", [("hatching", D(2025, 1, 5))], legal_form="cooperative")
    Venue.create(name="省级阵地", level="province", kind="museum", region=east)
    Project.create(name="彩票公益金项目", source="lottery", year=2025, status="closed",
                   amount_granted=Decimal("1.00"), actual_served=1)
    person("性别不详", east, sex="X", is_volunteer=True)
    Training.create(topic="讲座", held_on=D(2025, 6, 1), kind="lecture", region=east)
    data = compute_summary(YEAR, today=TODAY)
    assert row(data.section("org_kinds"), "登记注册：未填写登记形式")[1] == 1
    assert row(data.section("org_stages"), "未纳入孵化")[1] == 2
    assert row(data.section("venues"), "未填写级别")[1:] == (0, 0, 0, 1, 1, 0, 0)
    assert row(data.section("projects"), "其他")[1:] == (1, Decimal("1.00"), 1)
    assert row(data.section("volunteers"), "未填写")[1] == 1
    assert row(data.section("trainings"), "其他")[1] == 1
    orgs, services = data.section("townships_orgs").total, data.section("townships_services").total
    assert orgs[1] == data.section("org_kinds").total[1] == data.section("org_stages").total[1] == 5
    assert orgs[7:] == data.section("projects").total[1:]
    assert services[3] == data.section("venues").total[5] == 3
    assert services[6] == data.section("volunteers").total[1] == 5
    assert services[8:] == data.section("trainings").total[1:3]
