"""The Settings page, as the office clerk fills it in."""

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from models.audit_listing import AuditListing, entry_changes
from models.entities import AuditEntry, Setting
from models.periods import Period
from models.reminders import report_due
from models.settings import get_setting
from views.pages.settings import SettingsPage

from .conftest import type_text


@pytest.fixture
def page(qtbot, ctx):
    widget = SettingsPage(ctx)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def edit(page, key) -> QLineEdit:
    return page.findChild(QLineEdit, key)


def test_fills_in_the_report_header_and_saves(qtbot, page, ctx):
    type_text(edit(page, "office.name"), "青禾县妇女联合会")
    type_text(edit(page, "report.table_no"), "妇统 3 表")
    type_text(edit(page, "report.issuer"), "  江州市妇联 ")
    type_text(edit(page, "report.preparer"), "王芳")
    type_text(edit(page, "report.phone"), "0514 8765 4321")
    type_text(edit(page, "certificate.prefix"), "青妇")
    qtbot.mouseClick(page.print_full_id, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)

    assert page.status.text() == "已保存。"
    assert get_setting("office.name") == "青禾县妇女联合会"
    assert get_setting("report.table_no") == "妇统 3 表"
    assert get_setting("report.issuer") == "江州市妇联"
    assert get_setting("report.phone") == "051487654321"
    assert edit(page, "report.phone").text() == "051487654321"
    assert get_setting("certificate.prefix") == "青妇"
    assert get_setting("privacy.print_full_id") == "1"
    entries = list(AuditEntry.select().where(AuditEntry.entity == "setting"))
    assert len(entries) == 1  # one save, one line listing every setting it changed
    row = AuditListing().to_row((entries[0].id, entries[0].at, "", "", entries[0].action, "setting",
                                 entries[0].summary, entries[0].changes))
    _at, _who, _action, _entity, summary, fields = row.values
    assert summary == fields
    assert fields.split("、") == ["填报单位（本单位名称）", "花名册和证明上打印完整身份证号", "报表表号",
                                  "制表机关", "填表人", "报表联系电话", "证明编号前缀"]
    assert "." not in summary and "key" not in fields
    changes = {c.label: (c.old, c.new) for c in entry_changes(entries[0])}
    assert changes["制表机关"] == ("", "江州市妇联")
    assert changes["花名册和证明上打印完整身份证号"] == ("否", "是")

    again = SettingsPage(ctx)
    qtbot.addWidget(again)
    assert edit(again, "report.issuer").text() == "江州市妇联" and again.print_full_id.isChecked()


def test_saving_again_writes_only_what_changed(qtbot, page):
    type_text(edit(page, "report.unit_head"), "李娜")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    entries = AuditEntry.select().count()
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert AuditEntry.select().count() == entries


def test_a_bad_phone_is_refused_and_nothing_is_saved(qtbot, page):
    type_text(edit(page, "office.name"), "西湖镇妇联")
    type_text(edit(page, "report.phone"), "12345")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert page.errors["report.phone"].isVisible()
    assert "11 位" in page.errors["report.phone"].text() or "区号" in page.errors["report.phone"].text()
    assert not Setting.select().exists()
    edit(page, "report.phone").clear()
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert not page.errors["report.phone"].isVisible()
    assert get_setting("office.name") == "西湖镇妇联" and get_setting("report.phone") == ""


def test_revert_discards_unsaved_edits(qtbot, page):
    type_text(edit(page, "report.stats_head"), "张敏")
    qtbot.mouseClick(page.revert_button, Qt.MouseButton.LeftButton)
    assert edit(page, "report.stats_head").text() == ""
    assert get_setting("report.stats_head") == ""


def test_a_clerk_sees_the_settings_but_cannot_change_them(qtbot, ctx):
    from dataclasses import replace

    from models.auth import create_user

    clerk = create_user(ctx.user, "lina", "李娜", "clerk", "Secret-2026", "Secret-2026")
    widget = SettingsPage(replace(ctx, user=clerk))
    qtbot.addWidget(widget)
    assert edit(widget, "office.name").isReadOnly()
    assert not widget.save_button.isEnabled() and not widget.print_full_id.isEnabled()
    assert "管理员" in widget.status.text()
    edit(widget, "office.name").setText("西湖镇妇联")
    assert not widget.save()  # even if triggered, the models refuse
    assert get_setting("office.name") == "" and "不能" in widget.status.text()


def test_the_reporting_schedule_sets_the_home_page_reminder(qtbot, page, ctx):
    assert page.report_cycle.value() == "quarter" and page.report_due_days.value() == 10  # the defaults
    page.report_cycle.setValue("month")
    page.report_due_days.setValue(5)
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert (get_setting("report.cycle"), get_setting("report.due_days")) == ("month", "5")
    due = report_due(dt.date(2026, 7, 3))
    assert (due.period, due.due_on) == (Period.for_month(2026, 6), dt.date(2026, 7, 5))
    again = SettingsPage(ctx)
    qtbot.addWidget(again)
    assert again.report_cycle.value() == "month" and again.report_due_days.value() == 5


def test_the_office_level_code_and_parent_unit(qtbot, page):
    page.office_level.setValue("township")
    type_text(edit(page, "office.code"), "321023")
    type_text(edit(page, "office.parent_unit"), "宝应县妇女联合会")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert "9 位" in page.errors["office.code"].text() and get_setting("office.level") == ""
    edit(page, "office.code").setText("321023 100")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert (get_setting("office.level"), get_setting("office.code"), get_setting("office.parent_unit")) == (
        "township", "321023100", "宝应县妇女联合会")


def test_the_setup_guide_opens_from_the_page_and_its_answers_show_there(qtbot, page):
    from views.setup.guide import SetupGuide

    qtbot.mouseClick(page.guide_button, Qt.MouseButton.LeftButton)
    guide = page.findChild(SetupGuide)
    type_text(guide.office_page.name, "青禾县妇联")
    guide.next()
    guide.reject()  # 以后再说: the first step is kept
    assert edit(page, "office.name").text() == "青禾县妇联"


def test_the_trail_names_settings_saved_one_by_one_before(ctx):
    """Lines written by earlier versions (one per setting, its key as summary) read the same way."""
    from models import audit

    row = Setting.create(key="security.idle_minutes", value="15")
    audit.record(None, "create", row, {"key": [None, "security.idle_minutes"], "value": [None, "15"]},
                 "security.idle_minutes")
    entry = AuditEntry.select().order_by(AuditEntry.id.desc()).first()
    values = AuditListing().to_row((entry.id, entry.at, "", "", entry.action, entry.entity,
                                    entry.summary, entry.changes)).values
    assert values[4] == "无操作自动锁定（分钟）" and values[5] == "无操作自动锁定（分钟）"
    assert [(c.label, c.new) for c in entry_changes(entry)] == [("无操作自动锁定（分钟）", "15")]


def test_a_remembered_import_mapping_is_named_in_chinese(ctx):
    from models.settings import set_setting

    set_setting("import.mapping.people.0459be5b", '{"姓名": "name"}', None)
    entry = AuditEntry.select().order_by(AuditEntry.id.desc()).first()
    values = AuditListing().to_row((entry.id, entry.at, "", "", entry.action, entry.entity,
                                    entry.summary, entry.changes)).values
    assert values[4] == "导入人员时的列对应"


def test_an_upper_units_deadlines_for_its_lower_units_by_period_type(qtbot, page, ctx):
    from models.exchange import due_date

    boxes = page.lower_due_days
    assert all(box.value() == -1 and box.text() == "同本单位报送期限" for box in boxes.values())
    page.report_due_days.setValue(12)
    boxes["year"].setValue(30)
    boxes["quarter"].setValue(15)
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert (get_setting("report.due_days.year"), get_setting("report.due_days.quarter"),
            get_setting("report.due_days.month")) == ("30", "15", "")
    assert due_date(Period.for_year(2025)) == dt.date(2026, 1, 30)
    assert due_date(Period.for_quarter(2025, 3)) == dt.date(2025, 10, 15)
    assert due_date(Period.for_month(2025, 3)) == dt.date(2025, 4, 12)  # as the office's own
    entry = AuditEntry.select().where(AuditEntry.entity == "setting").order_by(AuditEntry.id.desc()).get()
    assert "下级单位年报期限（报告期结束后天数）" in [c.label for c in entry_changes(entry)]
    again = SettingsPage(ctx)
    qtbot.addWidget(again)
    assert again.lower_due_days["quarter"].value() == 15 and again.lower_due_days["month"].value() == -1
    boxes["year"].setValue(-1)  # back to the office's own
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert get_setting("report.due_days.year") == ""
    assert due_date(Period.for_year(2025)) == dt.date(2026, 1, 12)


def test_a_city_office_and_its_code(qtbot, page):
    page.office_level.setValue("city")
    type_text(edit(page, "office.code"), "321023")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert "00 结尾" in page.errors["office.code"].text() and get_setting("office.level") == ""
    edit(page, "office.code").setText("321000")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert (get_setting("office.level"), get_setting("office.code")) == ("city", "321000")
