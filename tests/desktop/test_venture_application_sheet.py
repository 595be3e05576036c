"""Applications from the office's 申报表: the template written and filled, an office's own sheet with
the headings in another order, organizations found by credit code or name, rows refused with their
reason, the accepted ones created at once (status 征集, audited) or none; ``jinguo venture import``
with its exit codes; hostile files refused naming the file."""

from __future__ import annotations

import json
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from desktop.cli import main
from desktop.context import build_context
from desktop.venture.application_sheet import (
    MAX_SHEET_BYTES,
    ApplicationSheetRefused,
    import_applications,
    read_application_sheet,
    write_template,
)
from models import audit
from models.entities import AuditEntry, Organization, Region, ServiceArea, Venue
from models.venture import ApplicationData, RoundData, save_application, save_round, venues_of
from models.venture_entities import VentureApplication


@pytest.fixture
def rnd(ctx):
    return save_round(RoundData(name="2026年度妇联微创投", source="micro_venture", year=2026,
                                budget="300000", project_cap="30000"), ctx.user)


@pytest.fixture
def register(ctx, county):
    orgs = {
        "code": audit.create(Organization, ctx.user, name="青禾县巾帼志愿服务中心", kind="registered",
                             credit_code="52331000MJ0000001X", region=county["east"]),
        "plain": audit.create(Organization, ctx.user, name="西湖镇妇女互助会", kind="grassroots"),
        "marks": audit.create(Organization, ctx.user, name="柳树村（巾帼）读书会", kind="grassroots"),
    }
    venues = {
        "home": audit.create(Venue, ctx.user, name="柳树村妇女儿童之家", level="village",
                             kind="women_children_home", region=county["village"]),
        "centre": audit.create(Venue, ctx.user, name="东关街道妇女儿童活动中心", level="town",
                               kind="activity_center", region=county["east"]),
    }
    return orgs, venues


def test_the_template_filled_in_creates_the_applications_with_their_venues(ctx, county, rnd, register,
                                                                           tmp_path):
    orgs, venues = register
    path = write_template(tmp_path / "申报表.xlsx", rnd, ctx.user)
    wb = load_workbook(path)
    ws = wb["申报表"]
    header = next(r for r in range(1, 6) if ws.cell(r, 1).value == "申报组织*")
    titles = [ws.cell(header, c).value for c in range(1, ws.max_column + 1)]
    assert titles[:4] == ["申报组织*", "统一社会信用代码", "项目名称*", "服务领域"]
    area = ServiceArea.select().order_by(ServiceArea.sort_order).first()
    row = {"申报组织*": "青禾县巾帼志愿服务中心", "项目名称*": "护苗成长营", "服务领域": area.name,
           "服务对象": "留守儿童", "服务地点": "西湖镇",
           "服务阵地": "柳树村妇女儿童之家、东关街道妇女儿童活动中心",
           "申请金额（元）*": 28000, "计划服务人数": 320}
    for c, title in enumerate(titles, start=1):
        ws.cell(header + 1, c).value = row.get(title)
    ws.cell(header + 2, 1).value = "西湖镇妇女互助会"
    ws.cell(header + 2, 3).value = "姐妹微课堂"
    ws.cell(header + 2, titles.index("申请金额（元）*") + 1).value = "1.5万"
    wb.save(path)

    done = import_applications(path, rnd, ctx.user)
    assert done.created == 2 and not done.plan.refused
    first, second = VentureApplication.select().order_by(VentureApplication.id)
    assert (first.organization_id, first.title, first.status) == (orgs["code"].id, "护苗成长营", "collected")
    assert first.amount_requested == Decimal("28000") and first.people_planned == 320
    assert first.service_area_id == area.id and first.region_id == county["west"].id
    assert first.target_group == "留守儿童"
    assert sorted(venues_of(first)) == sorted([venues["home"].id, venues["centre"].id])
    assert second.amount_requested == Decimal("15000") and second.steps.count() == 1
    line = AuditEntry.select().where(AuditEntry.action == "import").get()
    assert line.entity == "venture_round" and "新建 2 份" in line.summary
    assert AuditEntry.select().where((AuditEntry.entity == "venture_application")
                                     & (AuditEntry.action == "create")).count() == 2


def office_sheet(path, rows: list[list], heading: list | None = None) -> None:
    """An office's own sheet: a title, then the headings in its own order (half-width brackets)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    ws.append(["2026年微创投申报汇总（县妇联）"])
    ws.append(heading or ["序号", "项目名称", "申请金额(元)", "申报组织", "统一社会信用代码", "联系人"])
    for row in rows:
        ws.append(row)
    wb.save(path)


def test_an_offices_own_sheet_is_matched_and_refused_rows_say_why(ctx, rnd, register, tmp_path):
    orgs, _venues = register
    save_application(ApplicationData(round_id=rnd.id, organization_id=orgs["plain"].id, title="姐妹微课堂",
                                     amount_requested="10000"), ctx.user)
    path = tmp_path / "汇总.xlsx"
    office_sheet(path, [
        [1, "巾帼助老", 20000, "别的名字也行", "52331000mj0000001x", "王"],  # by credit code (any case)
        [2, "读书分享", "18,000", "柳树村(巾帼)读书会 ", None, "李"],  # by the name as compared
        [3, "无名项目", 10000, "不存在的协会", None, "张"],  # unknown organization
        [4, "大项目", 45000, "西湖镇妇女互助会", None, "赵"],  # over the cap
        [5, None, 10000, "西湖镇妇女互助会", None, "钱"],  # no title
        [6, "姐妹微课堂", 12000, "西湖镇妇女互助会", None, "孙"],  # already in the round
        [7, "巾帼助老", 9000, "青禾县巾帼志愿服务中心", None, "周"],  # twice in the sheet
        [8, "", "", "", "", ""],  # empty: not a row
    ])
    done = import_applications(path, rnd, ctx.user, dry_run=True)
    assert done.created == 0 and VentureApplication.select().count() == 1
    plan = done.plan
    assert [(r.number, r.organization) for r in plan.accepted] == [(3, "青禾县巾帼志愿服务中心"),
                                                                  (4, "柳树村（巾帼）读书会")]
    reasons = {r.number: str(r.reason) for r in plan.refused}
    assert set(reasons) == {5, 6, 7, 8, 9}
    assert "第 5 行“申报组织”" in reasons[5] and "没有名为“不存在的协会”的组织" in reasons[5]
    assert "第 6 行“申请金额（元）”" in reasons[6] and "超过本轮单个项目资助上限 30,000.00 元" in reasons[6]
    assert "没有填写项目名称" in reasons[7]
    assert "已申报过“姐妹微课堂”" in reasons[8] and "已申报过“巾帼助老”" in reasons[9]

    done = import_applications(path, rnd, ctx.user)
    assert done.created == 2 and VentureApplication.select().count() == 3
    assert VentureApplication.get(VentureApplication.title == "读书分享").amount_requested == Decimal("18000")


def test_unusable_files_are_refused_naming_the_file_and_nothing_is_created(ctx, rnd, register, tmp_path):
    text = tmp_path / "申报.xlsx"
    text.write_text("申报组织,项目名称\n", encoding="utf-8")
    big = tmp_path / "big.xlsx"
    big.write_bytes(b"PK\x03\x04" + b"\0" * (MAX_SHEET_BYTES + 1))
    no_amount = tmp_path / "no_amount.xlsx"
    office_sheet(no_amount, [["护苗", "西湖镇妇女互助会"]], heading=["项目名称", "申报组织"])
    twice = tmp_path / "twice.xlsx"
    office_sheet(twice, [], heading=["项目名称", "申报组织", "申请金额", "申请金额（元）"])
    unrelated = tmp_path / "unrelated.xlsx"
    office_sheet(unrelated, [["a", "b"]], heading=["姓名", "电话"])
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        with zipfile.ZipFile(unrelated) as src:
            for item in src.infolist():
                z.writestr(item, src.read(item))
        z.writestr("xl/worksheets/huge.xml", b"<a>" + b" " * (20 * 1024 * 1024) + b"</a>")
    expected = {text: "不是 Excel 工作簿", big: "申报表不会这么大", no_amount: "缺少必填的列：申请金额（元）",
                twice: "有重复的列：申请金额（元）", unrelated: "找不到申报表的表头", bomb: "压缩",
                tmp_path / "missing.xlsx": "无法读取 missing.xlsx"}
    for path, said in expected.items():
        with pytest.raises(ApplicationSheetRefused) as e:
            import_applications(path, rnd, ctx.user)
        assert said in str(e.value.message) and path.name in str(e.value.message), str(e.value.message)
    assert VentureApplication.select().count() == 0


def test_an_excel_error_in_a_cell_refuses_that_row_naming_the_column(ctx, rnd, register, tmp_path):
    path = tmp_path / "错误.xlsx"
    office_sheet(path, [[1, "巾帼助老", "=1/0", "西湖镇妇女互助会", None, "王"]])
    wb = load_workbook(path)
    ws = wb.active
    ws.cell(3, 3).value = "#DIV/0!"
    ws.cell(3, 3).data_type = "e"
    wb.save(path)
    (row,) = read_application_sheet(path)
    assert row.problem is not None and "“申请金额（元）”" in str(row.problem)
    done = import_applications(path, rnd, ctx.user)
    assert done.created == 0 and "第 3 行“申请金额（元）”" in str(done.plan.refused[0].reason)


def test_the_command_imports_with_its_exit_codes(tmp_path, capsys):
    db = tmp_path / "office.db"
    ctx = build_context(db)
    rnd = save_round(RoundData(name="2026年度妇联微创投", source="micro_venture", year=2026,
                               budget="300000", project_cap="30000"), ctx.user)
    Region.create(name="东关街道", level="township")
    audit.create(Organization, ctx.user, name="西湖镇妇女互助会", kind="grassroots")
    ctx.close()
    good, mixed = tmp_path / "good.xlsx", tmp_path / "mixed.xlsx"
    office_sheet(good, [[1, "姐妹微课堂", 10000, "西湖镇妇女互助会", None, "王"]])
    office_sheet(mixed, [[1, "巾帼助老", 10000, "西湖镇妇女互助会", None, "王"],
                         [2, "护苗", 10000, "没有的组织", None, "李"]])
    base = ["venture", "import", "--db", str(db), "--round", str(rnd.id)]
    assert main([*base, str(good), "--dry-run"]) == 0
    assert "可导入 1 份申报" in capsys.readouterr().out
    assert main([*base, str(good)]) == 0
    assert "已导入 1 份申报" in capsys.readouterr().out
    assert main([*base, str(mixed), "--json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["created"] == 1 and [r["row"] for r in result["refused"]] == [4]
    assert "没有名为“没有的组织”的组织" in result["refused"][0]["reason"]
    assert main([*base, str(tmp_path / "none.xlsx")]) == 2
    assert "无法读取 none.xlsx" in capsys.readouterr().err
    assert main(["venture", "import", "--db", str(db), "--round", "99", str(good)]) == 2
    assert "没有编号为 99 的创投轮次" in capsys.readouterr().err
    ctx = build_context(db)
    assert VentureApplication.select().count() == 2
    ctx.close()


def test_a_venue_name_many_places_share_is_found_by_the_place_given(ctx, county, rnd, register, tmp_path):
    homes = {place: audit.create(Venue, ctx.user, name="妇女儿童之家", level="village",
                                 kind="women_children_home", region=county[place])
             for place in ("village", "east")}
    path = tmp_path / "阵地.xlsx"
    office_sheet(path, [["巾帼助老", 20000, "西湖镇妇女互助会", "西湖镇", "妇女儿童之家"],
                        ["读书分享", 20000, "西湖镇妇女互助会", "", "妇女儿童之家"]],
                 heading=["项目名称", "申请金额", "申报组织", "服务地点", "服务阵地"])
    plan = import_applications(path, rnd, ctx.user).plan
    (accepted,) = plan.accepted
    assert accepted.data.venue_ids == [homes["village"].id]  # 柳树村 is a village of 西湖镇
    (refused,) = plan.refused
    assert "第 4 行“服务阵地”：阵地名册里有 2 处叫“妇女儿童之家”" in str(refused.reason)
    app = VentureApplication.get(VentureApplication.title == "巾帼助老")
    assert venues_of(app) == [homes["village"].id]


def test_a_viewer_may_not_import_applications(tmp_path, capsys, monkeypatch):
    from models import auth

    db = tmp_path / "office.db"
    ctx = build_context(db)
    admin = auth.create_first_admin("wangfang", "王芳", "admin-pass-1", "admin-pass-1")
    auth.create_user(admin, "chakan", "查看", "viewer", "viewer-pass-1")
    rnd = save_round(RoundData(name="2026年度妇联微创投", source="micro_venture", year=2026,
                               budget="300000"), admin)
    audit.create(Organization, admin, name="西湖镇妇女互助会", kind="grassroots")
    ctx.close()
    sheet = tmp_path / "s.xlsx"
    office_sheet(sheet, [[1, "姐妹微课堂", 10000, "西湖镇妇女互助会", None, "王"]])
    args = ["venture", "import", "--db", str(db), "--round", str(rnd.id), str(sheet)]
    monkeypatch.setenv("JINGUO_PASSWORD", "viewer-pass-1")
    assert main([*args, "--user", "chakan"]) == 2
    assert "“查看员”角色不能导入" in capsys.readouterr().err
    monkeypatch.setenv("JINGUO_PASSWORD", "admin-pass-1")
    assert main([*args, "--user", "wangfang"]) == 0
    ctx = build_context(db)
    auth.authenticate("wangfang", "admin-pass-1")  # the trail's changes are encrypted
    (app,) = VentureApplication.select()
    line = AuditEntry.select().where(AuditEntry.action == "import").get()
    assert app.title == "姐妹微课堂" and line.username == "wangfang"
    ctx.close()
