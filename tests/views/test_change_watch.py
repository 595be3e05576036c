"""Lists follow another clerk's changes without losing the selection."""

from __future__ import annotations

import dataclasses
import threading

from peewee import OperationalError

from models.auth import create_user
from models.db import database
from models.entities import Person
from models.people import PersonData, save_person
from views import change_watch
from views.main_window import MainWindow
from views.pages.organizations import OrganizationsPage
from views.pages.people import PeoplePage

from .conftest import column_values


def make_window(qtbot, ctx):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def another_clerk(work) -> None:
    """``work`` on a connection of its own, as another PC's program would run it."""

    def run() -> None:
        try:
            work()
        finally:
            database.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(10)


def people_page(window):
    return window.open_page(PeoplePage)


def test_a_list_reloads_when_another_clerk_changes_data_keeping_the_selection(qtbot, ctx):
    for name in ("王秀英", "李娜", "赵敏"):
        save_person(PersonData(name=name, phone="13800000001"), ctx.user)
    clerk = create_user(ctx.user, "lixia", "李霞", "clerk", "clerk-pass-2025", "clerk-pass-2025")
    window = make_window(qtbot, ctx)
    assert window.change_watch.timer.isActive() == ctx.on_server  # a file has only this window
    page = people_page(window)
    page.table.selectRow(column_values(page).index("赵敏"))
    zhao = Person.get(Person.name == "赵敏").id
    assert not window.change_watch.check()  # nothing changed yet

    def changes() -> None:
        save_person(PersonData(name="阿依古丽", phone="13900000000"), clerk)  # sorts first
        theirs = Person.get(Person.name == "赵敏")
        save_person(dataclasses.replace(PersonData.from_person(theirs), phone="13700000000"), clerk, theirs)

    another_clerk(changes)
    assert window.change_watch.check()

    names = column_values(page)
    assert "阿依古丽" in names and page.model.total == 4
    assert page.selected_id() == zhao  # still the same person, though her row moved
    row = names.index("赵敏")
    assert "13700000000" in [str(v) for v in page.model.row_at(row).values]


def test_pages_not_in_view_reload_when_shown(qtbot, ctx):
    save_person(PersonData(name="王秀英"), ctx.user)
    window = make_window(qtbot, ctx)
    page = people_page(window)
    assert column_values(page) == ["王秀英"]
    window.open_page(OrganizationsPage)  # another page in view
    another_clerk(lambda: save_person(PersonData(name="李娜"), ctx.user))
    window.change_watch.check()
    assert column_values(page) == ["王秀英"]  # not reloaded while hidden
    window.open_page(PeoplePage)
    assert sorted(column_values(page)) == sorted(["王秀英", "李娜"])


def test_a_lost_connection_is_said_in_the_status_bar_and_cleared_when_back(qtbot, ctx, monkeypatch):
    window = make_window(qtbot, ctx)
    real = change_watch.latest_change

    def unreachable() -> int:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(change_watch, "latest_change", unreachable)
    assert not window.change_watch.check()
    assert "连接中断" in window.statusBar().currentMessage()
    monkeypatch.setattr(change_watch, "latest_change", real)
    window.change_watch.check()
    assert "已重新连接" in window.statusBar().currentMessage()
