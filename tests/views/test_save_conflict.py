"""Two clerks, one record: the form whose save comes second is told who changed the record and
when, keeps what was typed, and lets the clerk compare and choose."""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from models.auth import create_user
from models.entities import Person
from models.people import PersonData, save_person
from views.conflict_dialog import ConflictDialog
from views.pages.people import PeoplePage

from .conftest import column_values, save, show_page, type_text


@pytest.fixture
def clerk(ctx):
    return create_user(ctx.user, "lixia", "李霞", "clerk", "clerk-pass-2025", "clerk-pass-2025")


@pytest.fixture
def page(qtbot, ctx):
    save_person(PersonData(name="王丽", phone="13912345678", notes="骨干义工"), ctx.user)
    return show_page(qtbot, PeoplePage(ctx))


def open_form(qtbot, page):
    """The person's detail, then its 编辑… (the way a clerk edits someone)."""
    page.table.selectRow(column_values(page).index("王丽"))
    page.open_selected()
    qtbot.mouseClick(page.detail.edit_button, Qt.MouseButton.LeftButton)
    return page.detail.active_dialog


def other_clerk_changes_phone(clerk) -> None:
    theirs = Person.get(Person.name == "王丽")
    save_person(dataclasses.replace(PersonData.from_person(theirs), phone="13700000000"), clerk, theirs)


def answer_conflict(qtbot, button: str, seen: dict) -> None:
    """When the comparison shows up, note what it shows and click ``button``."""

    def act() -> None:
        dialog = next((w for w in QApplication.topLevelWidgets()
                       if isinstance(w, ConflictDialog) and w.isVisible()), None)
        if dialog is None:
            QTimer.singleShot(20, act)
            return
        table = dialog.table
        seen["rows"] = {table.item(r, 0).text(): tuple(table.item(r, c).text() for c in (1, 2, 3))
                        for r in range(table.rowCount())}
        seen["message"] = dialog.message.text()
        qtbot.mouseClick(getattr(dialog, button), Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, act)


def test_the_second_save_is_refused_the_input_kept_and_both_versions_compared(qtbot, page, clerk):
    form = open_form(qtbot, page)
    other_clerk_changes_phone(clerk)
    form.notes.clear()
    type_text(form.notes, "已转为志愿服务队队长")
    seen: dict = {}
    answer_conflict(qtbot, "back", seen)
    save(qtbot, form)

    assert "李霞" in seen["message"] and "王丽" in seen["message"]
    assert seen["rows"]["联系电话"] == ("13912345678", "13700000000", "13912345678")
    assert seen["rows"]["备注"] == ("骨干义工", "骨干义工", "已转为志愿服务队队长")
    assert form.isVisible() and form.notes.toPlainText() == "已转为志愿服务队队长"
    assert "李霞" in form.banner.text()
    stored = Person.get(Person.name == "王丽")
    assert (stored.phone, stored.notes) == ("13700000000", "骨干义工")  # nothing overwritten


def test_keeping_my_input_after_comparing_saves_it_over_the_newer_version(qtbot, page, clerk):
    form = open_form(qtbot, page)
    other_clerk_changes_phone(clerk)
    form.phone.setText("13700000000")  # she takes the other clerk's phone by hand
    form.notes.clear()
    type_text(form.notes, "已转为志愿服务队队长")
    answer_conflict(qtbot, "keep_mine", {})
    save(qtbot, form)

    qtbot.waitUntil(lambda: not form.isVisible())
    stored = Person.get(Person.name == "王丽")
    assert (stored.phone, stored.notes, stored.version) == ("13700000000", "已转为志愿服务队队长", 3)


def test_taking_the_newer_version_closes_the_form_and_shows_it_in_the_list(qtbot, page, clerk):
    form = open_form(qtbot, page)
    other_clerk_changes_phone(clerk)
    type_text(form.notes, "（我的修改）")
    answer_conflict(qtbot, "take_theirs", {})
    save(qtbot, form)

    qtbot.waitUntil(lambda: not form.isVisible())
    stored = Person.get(Person.name == "王丽")
    assert (stored.phone, stored.notes) == ("13700000000", "骨干义工")
    assert "13700000000" in page.detail.header.text()  # the detail shows the newer version
    page.detail.reject()
    row = column_values(page).index("王丽")
    assert "13700000000" in [str(v) for v in page.model.row_at(row).values]
