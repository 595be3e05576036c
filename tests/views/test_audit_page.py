"""The audit trail page, as the office uses it: who changed what, filtered, opened, exported."""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from desktop.backup import backup_to, list_backups
from desktop.reports.table_export import export_listing
from models import audit, audit_listing
from models.audit_listing import AuditFilter, AuditListing, entry_changes
from models.entities import AuditEntry, Organization, Region, User
from models.people import PersonData, save_person
from models.validators import id_check_char
from views import backup_actions, tasks
from views.main_window import MainWindow
from views.pages.audit import AuditEntryDialog, AuditPage, refill
from views.pages.organizations import OrganizationsPage

from .conftest import column_values, save, show_page


@pytest.fixture
def clerk(ctx):
    """Acting as 王芳, a clerk of the office."""
    user = User.create(username="wangfang", display_name="王芳", role="clerk")
    ctx.user = user
    return user


def make_window(qtbot, ctx):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def nav_to(window, title: str):
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    window.nav.setCurrentRow(titles.index(title))
    return window.current_page()


def test_a_change_made_in_the_form_shows_on_the_audit_page_with_the_users_name(qtbot, ctx, orgs, clerk):
    window = make_window(qtbot, ctx)
    audit_page = nav_to(window, "操作记录")  # built before the change: it must catch up
    organizations = nav_to(window, "社会组织")
    row = column_values(organizations).index("爱心助老协会")
    organizations.table.selectRow(row)
    organizations.edit_selected()
    form = organizations.active_dialog
    form.contact_person.setText("王秀英")
    save(qtbot, form)

    assert nav_to(window, "操作记录") is audit_page
    shown = [audit_page.model.row_at(r).values for r in range(audit_page.model.rowCount())]
    newest = shown[0]  # newest first
    assert newest[1:5] == ("王芳", "修改", "社会组织", "爱心助老协会")
    assert newest[5] == "负责人"

    audit_page.user_filter.setValue("wangfang")
    assert audit_page.model.total == 1
    audit_page.table.selectRow(0)
    qtbot.mouseClick(audit_page.open_button, Qt.MouseButton.LeftButton)  # 查看改动
    dialog = audit_page.detail
    assert isinstance(dialog, AuditEntryDialog)
    assert "王芳（wangfang）" in dialog.header.text() and "爱心助老协会" in dialog.header.text()
    assert AuditEntryDialog.table_texts(dialog.changes) == [["负责人", "", "王秀英"]]
    dialog.close()


def test_the_page_is_read_only(qtbot, ctx, orgs):
    page = show_page(qtbot, AuditPage(ctx))
    assert not page.new_button.isVisible()
    before = AuditEntry.select().count()
    page.create_new()
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert AuditEntry.select().count() == before


def test_filters_by_record_type_action_and_dates(qtbot, ctx, orgs):
    old = audit.create(Organization, ctx.user, name="去年的组织", kind="grassroots")
    AuditEntry.update(at=dt.datetime(2025, 3, 1, 9, 0)).where(
        (AuditEntry.entity == "organization") & (AuditEntry.entity_id == old.id)).execute()
    page = show_page(qtbot, AuditPage(ctx))
    everything = page.model.total

    audit.create(Region, ctx.user, name="东湖村", level="village")
    page.refresh()
    refill(page.entity_filter, audit_listing.entities())
    page.entity_filter.setValue("region")
    assert column_values(page, 3) == ["行政区划"] and column_values(page, 4) == ["东湖村"]
    page.entity_filter.setValue(None)
    page.action_filter.setValue("create")
    assert set(column_values(page, 2)) == {"新建"}
    page.action_filter.setValue(None)

    page.date_to.setValue(dt.date(2025, 12, 31))
    assert column_values(page, 4) == ["去年的组织"]
    page.date_to.setValue(None)
    page.date_from.setValue(dt.date.today())
    assert page.model.total == everything  # the new village's entry, without last year's
    page.date_from.setValue(None)
    entity_names = [page.entity_filter.itemText(i) for i in range(page.entity_filter.count())]
    assert "社会组织" in entity_names and "行政区划" in entity_names
    assert page.model.total == everything + 1  # the filters are cleared again


def test_field_values_read_as_people_read_them(ctx, county):
    town = county["west"]
    person = save_person(PersonData(name="李娜", id_number=_id(1), region_id=town.id,
                                    is_volunteer=True), ctx.user)
    entry = AuditEntry.get((AuditEntry.entity == "person") & (AuditEntry.entity_id == person.id))
    changes = {c.label: (c.old, c.new) for c in entry_changes(entry)}
    assert changes["姓名"] == ("", "李娜")
    assert changes["所属区域"] == ("", "西湖镇")  # the reference by its name, not its id
    assert changes["志愿者"] == ("", "是")
    assert changes["公民身份号码"][1].count("*") >= 8  # masked unless the viewer may see it
    full = {c.label: c.new for c in entry_changes(entry, full_ids=True)}
    assert full["公民身份号码"] == _id(1)


def _id(serial: int) -> str:
    first17 = f"32010219850312{serial:02d}2"
    return first17 + id_check_char(first17)


def test_exports_and_prints_of_personal_data_are_on_the_page(qtbot, ctx, county, tmp_path):
    save_person(PersonData(name="李娜", id_number=_id(1), region_id=county["west"].id), ctx.user)
    from models.person_listing import PersonFilter, PersonListing

    export_listing(tmp_path / "人员.xlsx", PersonListing(), PersonFilter(), None, False, user=ctx.user,
                   title="人员")
    page = show_page(qtbot, AuditPage(ctx))
    page.action_filter.setValue("export")
    assert page.model.total == 1
    values = page.model.row_at(0).values
    assert values[1:4] == ("管理员", "导出", "人员") and "人员.xlsx" in values[4]


def test_the_audit_list_exports_to_excel(qtbot, ctx, orgs, tmp_path, monkeypatch, file_dialogs):
    target = tmp_path / "操作记录.xlsx"
    file_dialogs.answer(target)
    monkeypatch.setattr(tasks.QDesktopServices, "openUrl", lambda url: True)
    page = show_page(qtbot, AuditPage(ctx))
    page.setWindowTitle("操作记录")
    page.entity_filter.setValue("organization")
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(page.export_task.finished, timeout=10000):
        pass
    for box in page.findChildren(QMessageBox):
        box.close()
    sheet = load_workbook(target).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = rows.index(["时间", "操作员", "操作", "对象类型", "对象", "改动的字段"])
    body = rows[header + 1:]
    expected = AuditEntry.select().where(AuditEntry.entity == "organization").count()
    assert len(body) == expected and {r[3] for r in body} == {"社会组织"}
    assert isinstance(body[0][0], dt.datetime) and body[0][1] == "管理员"
    newest = AuditEntry.select().order_by(AuditEntry.id.desc()).first()
    assert newest.action == "export" and newest.entity == "audit_entry"


def test_listing_counts_match_rows_for_every_filter(ctx, orgs):
    listing = AuditListing()
    for flt in (AuditFilter(), AuditFilter(entity="organization"), AuditFilter(text="协会"),
                AuditFilter(username="admin", action="create")):
        rows = listing.fetch(flt, None, True, 0, 1000)
        assert listing.count(flt) == len(rows)


# -- backup and restore from the File menu ---------------------------------------------------
@pytest.mark.sqlite_only
def test_backup_to_a_chosen_file_from_the_file_menu(qtbot, ctx, orgs, tmp_path, monkeypatch, file_dialogs):
    target = tmp_path / "usb" / "备份"
    target.parent.mkdir()
    file_dialogs.answer(target)
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda *args: told.append(args[2]))
    window = make_window(qtbot, ctx)
    window.backup_action.trigger()
    task = window.findChild(tasks.Task)
    with qtbot.waitSignal(task.finished, timeout=10000):
        pass
    written = Path(str(target) + ".db")
    assert told == [f"已备份到：\n{written}"]
    with closing(sqlite3.connect(written)) as conn, conn:
        assert conn.execute("SELECT COUNT(*) FROM organization").fetchone()[0] == 4


@pytest.mark.sqlite_only
def test_restore_from_the_file_menu_asks_then_reloads_the_window(qtbot, ctx, orgs, tmp_path, monkeypatch,
                                                                 file_dialogs):
    copy = backup_to(ctx.db, tmp_path / "周一.db")
    audit.create(Organization, ctx.user, name="周二新建的组织", kind="grassroots")
    window = make_window(qtbot, ctx)
    assert window.open_page(OrganizationsPage).model.total == 5
    file_dialogs.answer(copy)
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kw: asked.append(args[2])
                        or QMessageBox.StandardButton.Yes)
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda *args: told.append(args[2]))
    window.restore_action.trigger()
    assert "替换当前的全部数据" in asked[0]
    assert "已从“周一.db”恢复" in told[0]
    assert window.current_page().model.total == 4
    backups = list_backups(backup_actions.backups_folder(), ctx.db_path)
    (safety,) = [b for b in backups if b.reason == "restore"]
    assert safety.path.exists()


def test_restore_is_for_administrators_only(qtbot, ctx, clerk):
    window = make_window(qtbot, ctx)
    assert not window.restore_action.isEnabled()


@pytest.mark.sqlite_only
def test_a_viewer_cannot_copy_the_database_elsewhere(qtbot, ctx, monkeypatch, file_dialogs):
    ctx.user = User.create(username="chakan", display_name="查看员", role="viewer")
    warned = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warned.append(text))
    window = make_window(qtbot, ctx)
    assert not window.backup_action.isEnabled() and not window.restore_action.isEnabled()
    backup_actions.backup_to_file(window, ctx, window.settings)  # even if reached another way
    assert "查看员不能" in warned[0] and file_dialogs.asked == []


@pytest.mark.qt_no_exception_capture
@pytest.mark.sqlite_only
def test_a_database_held_by_another_program_keeps_the_form_and_its_input(qtbot, ctx, orgs, monkeypatch):
    import sys

    from desktop import app

    warned = []
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warned.append(text))
    app.install_database_error_hook(ctx.db_path)
    page = show_page(qtbot, OrganizationsPage(ctx))
    page.table.selectRow(column_values(page).index("爱心助老协会"))
    page.edit_selected()
    form = page.active_dialog
    form.contact_person.setText("王秀英")
    other = sqlite3.connect(ctx.db_path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # e.g. a backup tool or a second copy of the program
    ctx.db.execute_sql("PRAGMA busy_timeout = 50")
    try:
        save(qtbot, form)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert warned and "正被其他程序使用" in warned[0]
    assert form.isVisible() and form.contact_person.text() == "王秀英"
    assert Organization.get(Organization.name == "爱心助老协会").contact_person == ""
    save(qtbot, form)  # the other program is gone: the same input saves
    assert Organization.get(Organization.name == "爱心助老协会").contact_person == "王秀英"


def test_operators_and_the_demo_line_read_in_chinese(ctx):
    created = audit.create(User, ctx.user, username="lina", display_name="李娜", role="clerk")
    audit.record(ctx.user, "create", None, {"people": [0, 300], "activities": [0, 50]},
                 summary="演示数据", entity="demo")
    listing = AuditListing()
    rows = {row.values[3]: row.values for row in listing.fetch(AuditFilter(), None, True, 0, 50)}
    assert rows["操作员"][4] == "李娜"  # the operator's name, not her number
    assert set(rows["演示数据"][5].split("、")) == {"人员", "活动"}
    entry = AuditEntry.get((AuditEntry.entity == "user") & (AuditEntry.entity_id == created.id))
    assert {c.label: c.new for c in entry_changes(entry)}["权限"] == "录入员"


@pytest.mark.sqlite_only
def test_the_open_database_is_refused_as_a_backup_file(qtbot, ctx, orgs, monkeypatch, file_dialogs):
    warned = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warned.append(text))
    window = make_window(qtbot, ctx)
    for target in (ctx.db_path, ctx.db_path.with_name(ctx.db_path.stem)):  # "test" gets ".db" added
        file_dialogs.answer(target)
        window.backup_action.trigger()
    assert window.findChild(tasks.Task) is None
    assert len(warned) == 2 and all("正在使用的数据库" in text for text in warned)
    assert Organization.select().count() == 4
