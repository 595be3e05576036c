"""The People page, driven as a user would: searching, filtering, the form, the detail."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from models import audit
from models.entities import (
    Activity,
    AuditEntry,
    Membership,
    Person,
    ServiceRecord,
    Team,
    TeamAssignment,
    Training,
    TrainingAttendance,
)
from models.memberships import add_membership
from models.people import PersonData, save_person
from models.person_listing import PersonFilter, PersonListing
from models.validators import id_check_char
from views.detail import DetailDialog
from views.pages.membership_dialog import MembershipDialog
from views.pages.people import PeoplePage
from views.table_model import ListingModel

from .conftest import column_values, save, show_page, type_text

VALID_ID = "11010519491231002X"  # born 1949-12-31, female


def resident_id(serial: int, birth: str = "19850312", sex_digit: int = 2) -> str:
    first17 = f"320102{birth}{serial:02d}{sex_digit}"
    return first17 + id_check_char(first17)


@pytest.fixture
def register(ctx, county, orgs):
    team = audit.create(Team, ctx.user, name="东关三工联动团队", region=county["east"])
    specs = [
        ("王秀英", resident_id(1), "13800000001", county["east"], dict(is_cadre=True)),
        ("王丽", resident_id(2), "13912345678", county["west"], dict(is_volunteer=True)),
        ("李娜", resident_id(3), "0514-87654321", county["east"],
         dict(is_social_worker=True, social_worker_level="regular")),
        ("张敏", "", "", None, dict(is_volunteer=True, is_cadre=True)),
    ]
    people = {
        name: save_person(PersonData(name=name, id_number=number, phone=phone,
                                     region_id=region.id if region else None, **roles), ctx.user)
        for name, number, phone, region, roles in specs
    }
    add_membership(ctx.user, people["王丽"], orgs[0], "core", dt.date(2025, 1, 1))
    TeamAssignment.create(team=team, person=people["李娜"], role="social_worker",
                          start_on=dt.date(2025, 3, 1))
    return dict(team=team, people=people, orgs=orgs, county=county)


@pytest.fixture
def page(qtbot, ctx, register):
    return show_page(qtbot, PeoplePage(ctx))


def shown_names(page):
    return column_values(page)


def cell(page, name, column):
    row = shown_names(page).index(name)
    return page.model.index(row, column).data()


def search(qtbot, page, text):
    page.search.clear()
    type_text(page.search, text)
    qtbot.waitUntil(lambda: page.model.current_filter.text == page.search.text(), timeout=2000)
    return shown_names(page)



def open_person(qtbot, page, name):
    page.table.selectRow(shown_names(page).index(name))
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    return page.detail


def tab_rows(dialog, title_start):
    titles = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    index = next(i for i, t in enumerate(titles) if t.startswith(title_start))
    table = dialog.tabs.widget(index).findChild(type(dialog.memberships_table))
    return DetailDialog.table_texts(table)


def test_list_shows_masked_ids_roles_and_headers(page, register):
    assert shown_names(page) == ["李娜", "王丽", "王秀英", "张敏"]
    headers = [page.model.headerData(i, Qt.Orientation.Horizontal) for i in range(page.model.columnCount())]
    assert headers == ["姓名", "性别", "出生日期", "身份证号", "联系电话", "角色", "所属镇（街道）",
                       "社工等级", "更新时间"]
    number = register["people"]["李娜"].id_number
    assert cell(page, "李娜", 3) == number[:6] + "********" + number[-4:]
    assert number not in [page.model.index(r, c).data() for r in range(4) for c in range(9)]
    assert cell(page, "张敏", 5) == "妇工、义工"
    assert [cell(page, "李娜", c) for c in (1, 2, 6, 7)] == ["女", "1985-03-12", "东关街道", "社会工作师"]


def test_search_by_name_id_and_phone(qtbot, page, register):
    assert search(qtbot, page, "王") == ["王丽", "王秀英"]
    number = register["people"]["李娜"].id_number
    assert search(qtbot, page, number.lower()) == ["李娜"]
    assert search(qtbot, page, "３２０１０２" + number[6:]) == ["李娜"]  # typed with full-width digits
    assert search(qtbot, page, "139 1234 5678") == ["王丽"]
    assert search(qtbot, page, "0514-87654321") == ["李娜"]
    # Numbers are stored encrypted: a part of one finds nobody (and tells nothing).
    assert search(qtbot, page, "３２０１０２") == []
    assert search(qtbot, page, "1391234") == [] and "共 0 条" in page.status.text()
    assert search(qtbot, page, "87654321") == []
    assert search(qtbot, page, "没有这个人") == [] and "共 0 条" in page.status.text()


def test_each_filter(qtbot, page, register):
    page.role_filter.setValue("volunteer")
    assert shown_names(page) == ["王丽", "张敏"]
    page.role_filter.setValue(None)
    page.township_filter.setValue(register["county"]["east"].id)
    assert shown_names(page) == ["李娜", "王秀英"]
    page.township_filter.setValue(None)
    assert page.organization_filter.count() == 2  # 全部 and the one organization with members
    page.organization_filter.setValue(register["orgs"][0].id)
    assert shown_names(page) == ["王丽"]
    page.organization_filter.setValue(None)
    page.team_filter.setValue(register["team"].id)
    assert shown_names(page) == ["李娜"]
    page.team_filter.setValue(None)
    assert len(shown_names(page)) == 4


def test_new_person_id_fills_birth_date_and_sex(qtbot, ctx, page, county):
    qtbot.keyClick(page, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    form = page.active_dialog
    type_text(form.name, "周 芳")
    type_text(form.id_number, "１１０１０５１９４９１２３１００２x")
    form.id_number.editingFinished.emit()  # leaving the field
    assert form.id_number.text() == VALID_ID
    assert form.birth_date.text() == "1949-12-31" and form.sex.currentText() == "女"
    assert not form.birth_date.isEnabled() and not form.sex.isEnabled()  # the ID decides
    type_text(form.phone, "+86 139-0000-1111")
    form.region.setValue(county["west"].id)
    form.is_volunteer.setChecked(True)
    save(qtbot, form)
    assert not form.isVisible()
    person = Person.get(Person.name == "周 芳")
    assert (person.id_number, person.birth_date, person.sex) == (VALID_ID, dt.date(1949, 12, 31), "F")
    assert person.phone == "13900001111" and person.region_id == county["west"].id
    entry = AuditEntry.get((AuditEntry.entity == "person") & (AuditEntry.entity_id == person.id))
    assert entry.action == "create"
    assert page.model.row_at(page.table.currentIndex().row()).id == person.id  # selected after save


def test_without_an_id_birth_date_and_sex_are_entered_by_hand(qtbot, ctx, page):
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    form = page.active_dialog
    type_text(form.name, "无证人")
    assert form.birth_date.isEnabled() and form.sex.isEnabled()
    qtbot.keyClicks(form.birth_date, "1983.10.5")
    form.sex.setValue("F")
    form.is_volunteer.setChecked(True)
    save(qtbot, form)
    assert not form.isVisible()
    person = Person.get(Person.name == "无证人")
    assert (person.id_number, person.birth_date, person.sex) == (None, dt.date(1983, 10, 5), "F")
    entry = AuditEntry.get((AuditEntry.entity == "person") & (AuditEntry.entity_id == person.id))
    assert json.loads(entry.changes)["birth_date"] == [None, "1983-10-05"]

    detail = open_person(qtbot, page, "无证人")
    qtbot.mouseClick(detail.edit_button, Qt.MouseButton.LeftButton)
    form = detail.active_dialog
    assert form.birth_date.text() == "1983-10-05" and form.birth_date.isEnabled()
    form.birth_date.setFocus()
    qtbot.keyClick(form.birth_date, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(form.birth_date, "19831")  # not a whole date: said so, nothing saved
    save(qtbot, form)
    assert form.isVisible() and "不是完整的日期" in form.error_text("birth_date")
    qtbot.keyClick(form.birth_date, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(form.birth_date, Qt.Key.Key_Delete)  # unknown after all: emptied
    save(qtbot, form)
    assert not form.isVisible()
    assert Person.get_by_id(person.id).birth_date is None


def test_bad_id_shows_reason_and_saves_nothing(qtbot, page):
    before = Person.select().count()
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    form = page.active_dialog
    type_text(form.name, "错号")
    type_text(form.id_number, VALID_ID[:-1] + "1")
    form.id_number.editingFinished.emit()
    assert form.error_text("id_number") == "身份证号校验位不正确，请核对是否抄错"
    assert form.birth_date.isEnabled() and form.birth_date.text() == ""
    save(qtbot, form)
    assert form.isVisible()
    assert form.error_text("id_number") == "身份证号校验位不正确，请核对是否抄错"
    assert Person.select().count() == before


def test_duplicate_id_refused_naming_the_person(qtbot, page, register):
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    form = page.active_dialog
    number = register["people"]["王丽"].id_number
    type_text(form.name, "王莉")
    type_text(form.id_number, number)
    form.is_cadre.setChecked(True)
    save(qtbot, form)
    assert form.error_text("id_number") == f"身份证号 {number[:6]}********{number[-4:]} 已登记给“王丽”"
    assert Person.select().where(Person.name == "王莉").count() == 0


def test_archive_and_restore_with_reason(qtbot, page):
    page.table.selectRow(shown_names(page).index("张敏"))
    qtbot.mouseClick(page.archive_button, Qt.MouseButton.LeftButton)
    dialog = page.active_dialog
    dialog.reason.setPlainText("迁出本县")
    save(qtbot, dialog)
    assert "张敏" not in shown_names(page)
    person = Person.get(Person.name == "张敏")
    assert person.archived and person.archived_reason == "迁出本县"
    page.archived_filter.setCurrentIndex(1)  # 已归档
    assert shown_names(page) == ["张敏"]
    page.table.selectRow(0)
    assert page.archive_button.text() == "恢复…"
    qtbot.mouseClick(page.archive_button, Qt.MouseButton.LeftButton)
    page.active_dialog.reason.setPlainText("回到本县")
    save(qtbot, page.active_dialog)
    assert not Person.get_by_id(person.id).archived
    actions = [e.action for e in AuditEntry.select().where(
        (AuditEntry.entity == "person") & (AuditEntry.entity_id == person.id)).order_by(AuditEntry.id)]
    assert actions == ["create", "archive", "restore"]


def test_detail_shows_memberships_teams_service_hours_and_trainings(qtbot, page, register):
    li = register["people"]["李娜"]
    add_membership(None, li, register["orgs"][1], "leader", dt.date(2024, 5, 1))
    first = Activity.create(title="敬老院探访", held_on=dt.date(2026, 3, 1))
    second = Activity.create(title="社区义诊", held_on=dt.date(2026, 5, 1))
    ServiceRecord.create(person=li, activity=first, hours=Decimal("2.5"))
    ServiceRecord.create(person=li, activity=second, hours=Decimal("4"))
    ServiceRecord.create(person=register["people"]["王丽"], activity=second, hours=Decimal("9"))
    training = Training.create(topic="社工实务督导", held_on=dt.date(2026, 4, 2), kind="supervision")
    TrainingAttendance.create(training=training, person=li)

    detail = open_person(qtbot, page, "李娜")
    assert detail.isVisible() and "李娜" in detail.header.text()
    assert li.id_number not in detail.header.text()  # masked here too
    assert tab_rows(detail, "组织成员关系") == [["柳树村妇女微家互助会", "负责人", "2024-05-01", "", "是"]]
    assert tab_rows(detail, "团队分工") == [["东关三工联动团队", "社工", "2025-03-01", ""]]
    titles = [detail.tabs.tabText(i) for i in range(detail.tabs.count())]
    assert "志愿服务（合计 6.5 小时）" in titles
    assert tab_rows(detail, "志愿服务") == [["2026-05-01", "社区义诊", "4.0"],
                                         ["2026-03-01", "敬老院探访", "2.5"]]
    assert tab_rows(detail, "培训") == [["2026-04-02", "社工实务督导", "督导"]]


def test_edit_from_detail_shows_full_id_and_saves(qtbot, page, register):
    detail = open_person(qtbot, page, "王丽")
    qtbot.mouseClick(detail.edit_button, Qt.MouseButton.LeftButton)
    form = detail.active_dialog
    number = register["people"]["王丽"].id_number
    assert form.id_number.text() == number
    assert (form.birth_date.text(), form.sex.currentText()) == ("1985-03-12", "女")
    form.phone.setText("13700000000")
    save(qtbot, form)
    assert Person.get(Person.name == "王丽").phone == "13700000000"
    assert "13700000000" in detail.header.text()
    detail.reject()
    assert cell(page, "王丽", 4) == "13700000000"  # the list reloaded after the change
    entry = AuditEntry.select().where(AuditEntry.action == "update").order_by(AuditEntry.id.desc()).get()
    assert json.loads(entry.changes) == {"phone": ["13912345678", "13700000000"]}


def test_join_and_end_membership_from_the_person_detail(qtbot, page, register):
    detail = open_person(qtbot, page, "王丽")
    qtbot.mouseClick(detail.join_button, Qt.MouseButton.LeftButton)
    dialog = detail.active_dialog
    save(qtbot, dialog)
    assert dialog.error_text("organization") == "请选择组织"
    dialog.org_choice.setValue(register["orgs"][0].id)  # she is already a member there
    save(qtbot, dialog)
    assert "不能重复加入" in dialog.error_text("person") or "不能重复加入" in dialog.banner.text()
    dialog.org_choice.setValue(register["orgs"][2].id)
    dialog.role.setValue("leader")
    save(qtbot, dialog)
    assert not dialog.isVisible()
    joined = Membership.get((Membership.person == register["people"]["王丽"])
                            & (Membership.organization == register["orgs"][2]))
    assert joined.role == "leader" and joined.start_on == dt.date.today()
    rows = tab_rows(detail, "组织成员关系")
    assert [r[0] for r in rows] == ["巾帼志愿服务队", "阳光家庭教育服务中心"]

    detail.memberships_table.selectRow(0)
    qtbot.mouseClick(detail.end_button, Qt.MouseButton.LeftButton)
    ending = detail.active_dialog
    ending.end_on.setValue(dt.date.today() - dt.timedelta(days=3650))  # before she joined
    save(qtbot, ending)
    assert "不能早于加入日期" in ending.error_text("end_on")
    ending.end_on.setValue(dt.date.today())
    save(qtbot, ending)
    assert Membership.get_by_id(joined.id).end_on == dt.date.today()
    assert AuditEntry.select().where(AuditEntry.entity == "membership").count() == 3


def test_membership_dialog_from_the_organization_side(qtbot, ctx, register):
    org = register["orgs"][3]
    dialog = MembershipDialog(ctx, organization=org)
    qtbot.addWidget(dialog)
    dialog.show()
    type_text(dialog.picker.query, "李")
    dialog.picker.run_search()
    assert dialog.picker.matches.count() == 1
    dialog.picker.pick_selected()
    save(qtbot, dialog)
    membership = Membership.get(Membership.organization == org)
    assert membership.person.name == "李娜" and membership.role == "member"


def test_people_table_model_passes_qt_model_tester(qtmodeltester, register):
    model = ListingModel(PersonListing(), PersonFilter(), batch=3)
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == 4
    model.set_filter(PersonFilter(text="王"))
    model.sort(0, Qt.SortOrder.DescendingOrder)
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["王秀英", "王丽"]


def test_search_on_thousands_loads_one_page_with_few_queries(qtbot, ctx, county, monkeypatch):
    rows = [{"name": f"测试{i:05d}", "name_key": f"ce4 shi4 {i:05d}", "phone": f"135{i:08d}",
             "is_volunteer": True, "region": county["east"].id} for i in range(5000)]
    rows += [{"name": f"王{i:03d}", "name_key": f"wang2 {i:03d}", "is_cadre": True}
             for i in range(400)]
    with ctx.db.atomic():
        for start in range(0, len(rows), 500):
            Person.insert_many(rows[start:start + 500]).execute()
    page = PeoplePage(ctx)
    qtbot.addWidget(page)
    page.show()
    batch = page.model.batch
    assert page.model.total == page.model.rowCount() == 5400 and page.model.rows_fetched == batch
    fetched = page.model.rows_fetched
    statements = []
    execute = ctx.db.execute_sql
    monkeypatch.setattr(ctx.db, "execute_sql",
                        lambda sql, *args, **kw: statements.append(sql) or execute(sql, *args, **kw))
    type_text(page.search, "王")
    qtbot.waitUntil(lambda: page.model.total == 400, timeout=3000)
    assert page.model.rows_fetched - fetched == batch
    selects = [q for q in statements if q.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2
    assert page.model.index(0, 0).data() == "王000"

    # Ctrl+End on all 5400: the last block is read backwards from the end, in one query,
    # not the 26 blocks in between.
    page.search.clear()
    page.apply_filter()
    statements.clear()
    fetched = page.model.rows_fetched
    page.table.setFocus()
    QTest.keyClick(page.table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    assert page.table.currentIndex().row() == 5399
    assert page.model.index(5399, 0).data() == "王399"
    assert page.model.rows_fetched - fetched == batch
    selects = [q for q in statements if q.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1 and "DESC" in selects[0]
