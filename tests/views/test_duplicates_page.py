"""查重合并 as a clerk uses it: the pairs with score and reasons, 不是重复, 合并… with a per-field
choice and a flip, and 撤销合并 from the list of merges."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QRadioButton

from models import audit
from models.entities import Membership, Organization, Person, User
from views.main_window import MainWindow
from views.merge_dialog import MergeDialog
from views.pages.duplicates import DuplicatesPage, RulesDialog

from .conftest import show_page


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


@pytest.fixture
def pairs(ctx, county):
    user = ctx.user
    a = audit.create(Person, user, name="陈丽华", birth_date=dt.date(1978, 8, 8), region=county["east"],
                     phone="13600001111", is_volunteer=True)
    b = audit.create(Person, user, name="陳麗華", birth_date=dt.date(1978, 8, 8), notes="2019 年花名册")
    c = audit.create(Person, user, name="刘静", birth_date=dt.date(1985, 2, 2), region=county["west"])
    d = audit.create(Person, user, name="刘晶", birth_date=dt.date(1985, 2, 2), region=county["west"])
    org = audit.create(Organization, user, name="东关妇女互助会", kind="grassroots")
    Membership.create(person=b, organization=org, start_on=dt.date(2019, 1, 1))
    return {"a": a, "b": b, "c": c, "d": d, "org": org}


@pytest.fixture
def page(qtbot, ctx, pairs):
    page = show_page(qtbot, DuplicatesPage(ctx))
    qtbot.waitUntil(page.is_filled, timeout=10000)
    return page


def rows(page) -> list[list[str]]:
    model = page.model
    return [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]


def open_merge(qtbot, page, row: int) -> MergeDialog:
    page.table.selectRow(row)
    click(qtbot, page.merge_button)
    dialog = page.findChild(MergeDialog)
    qtbot.waitExposed(dialog)
    return dialog


def test_the_pairs_show_score_and_reasons(page, pairs):
    shown = rows(page)
    assert len(shown) == 2
    assert shown[0][0] == "70" and "陈丽华" in shown[0][1] and "陳麗華" in shown[0][2]
    assert shown[0][3] == "同生日，姓名为异体字或繁简字"
    assert shown[1][3] == "同生日，姓名同音；同属一个镇（街道）"
    assert "共 2 对可能重复（得分不低于 60 分）" in page.status.text()
    assert not page.merge_button.isEnabled()


def test_not_a_duplicate_is_remembered(qtbot, page, ctx):
    page.table.selectRow(1)
    click(qtbot, page.dismiss_button)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and page.task is None, timeout=10000)
    fresh = show_page(qtbot, DuplicatesPage(ctx))
    qtbot.waitUntil(fresh.is_filled, timeout=10000)
    assert [r[3] for r in rows(fresh)] == ["同生日，姓名为异体字或繁简字"]


def test_merge_with_a_choice_per_field_a_flip_and_undo(qtbot, page, pairs):
    dialog = open_merge(qtbot, page, 0)
    assert "保留：陈丽华" in dialog.heading.text()
    assert "组织成员身份：1 条改为属于保留的记录" in dialog.preview.toPlainText()
    # The notes are empty on the kept record: the other one's are chosen.
    assert dialog.findChild(QRadioButton, "notes_dropped").isChecked()
    dialog.findChild(QRadioButton, "name_dropped").click()
    click(qtbot, dialog.flip_button)
    assert "保留：陳麗華" in dialog.heading.text()
    # Each field still takes the value chosen: the name 陳麗華 (now the kept one's), the phone of 陈丽华.
    assert dialog.findChild(QRadioButton, "name_kept").isChecked()
    assert dialog.findChild(QRadioButton, "phone_dropped").isChecked()
    click(qtbot, dialog.merge_button)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and page.task is None, timeout=10000)
    kept, dropped = Person.get_by_id(pairs["b"].id), Person.get_by_id(pairs["a"].id)
    assert kept.name == "陳麗華" and kept.phone == "13600001111" and kept.notes == "2019 年花名册"
    assert dropped.archived and dropped.merged_into_id == kept.id
    assert page.history_model.rowCount() == 1

    page.tabs.setCurrentIndex(1)
    page.history.selectRow(0)
    click(qtbot, page.undo_button)
    box = page.findChild(QMessageBox, "confirm_undo")
    click(qtbot, next(b for b in box.buttons() if b.text() == "撤销合并"))
    qtbot.waitUntil(lambda: page.model.rowCount() == 2 and page.task is None, timeout=10000)
    assert Person.get_by_id(pairs["b"].id).name == "陳麗華" and not Person.get_by_id(pairs["a"].id).archived
    assert page.history_model.index(0, 4).data().startswith("已于 ")


def test_an_undo_in_the_way_of_a_later_change_is_refused_with_why(qtbot, page, pairs, ctx):
    dialog = open_merge(qtbot, page, 1)
    click(qtbot, dialog.merge_button)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and page.task is None, timeout=10000)
    audit.update(Person.get_by_id(pairs["c"].id), ctx.user, notes="合并后又改了")
    page.tabs.setCurrentIndex(1)
    page.history.selectRow(0)
    click(qtbot, page.undo_button)
    box = page.findChild(QMessageBox, "confirm_undo")
    click(qtbot, next(b for b in box.buttons() if b.text() == "撤销合并"))
    refused = page.findChild(QMessageBox, "refused")
    assert "不能撤销这次合并" in refused.text() and "刘静" in refused.text()


def test_a_changed_record_stops_the_merge(qtbot, page, pairs, ctx):
    dialog = open_merge(qtbot, page, 0)
    audit.update(Person.get_by_id(pairs["a"].id), ctx.user, notes="另一位录入员刚改的")
    click(qtbot, dialog.merge_button)
    assert "刚被其他操作员修改过" in dialog.findChild(QMessageBox, "merge_refused").text()
    assert not Person.get_by_id(pairs["b"].id).archived


def test_roles_decide_who_sees_the_page_and_its_rules(qtbot, ctx, pairs):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    assert "DuplicatesPage" in window.page_rows  # the administrator
    page = window.open_page("DuplicatesPage")
    assert not page.rules_button.isHidden()
    dialog = RulesDialog(ctx, "people", page)
    qtbot.addWidget(dialog)
    dialog.threshold.setValue(75)
    dialog.save()
    qtbot.waitUntil(lambda: page.is_filled() and page.task is None, timeout=10000)
    for name, role, sees in (("viewer1", "viewer", False), ("clerk1", "clerk", True)):
        ctx.user = User.create(username=name, role=role)
        other = MainWindow(ctx)
        qtbot.addWidget(other)
        assert ("DuplicatesPage" in other.page_rows) is sees
    clerk_page = DuplicatesPage(ctx)
    qtbot.addWidget(clerk_page)
    qtbot.waitUntil(clerk_page.is_filled, timeout=10000)
    assert clerk_page.rules_button.isHidden()
    assert clerk_page.model.rowCount() == 0  # the administrator's threshold: 75
