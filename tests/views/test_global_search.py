"""查找 (Ctrl+K): one box finds an organization, person, team, venue or project by name, pinyin,
initials, ID or credit-code prefix, and Enter opens it on its page."""

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPushButton

from models import audit
from models.entities import Team, Venue
from models.people import PersonData, save_person
from models.projects import ProjectData, save_project
from views.main_window import MainWindow
from views.pages.organizations import OrganizationsPage
from views.pages.people import PeoplePage
from views.pages.venues import VenuesPage

from .conftest import type_text

VALID_ID = "11010519491231002X"


def open_search(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    QTest.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: getattr(window, "search_dialog", None) is not None
                    and window.search_dialog.isVisible(), timeout=2000)
    return window.search_dialog


def results(dialog) -> list[str]:
    return [dialog.results.item(i).text() for i in range(dialog.results.count())]


def find(qtbot, dialog, text: str) -> list[str]:
    dialog.query.clear()
    if text.isascii():
        dialog.query.setFocus()
        QTest.keyClicks(dialog.query, text)
    else:
        type_text(dialog.query, text)
    dialog.run_search()  # what the pause after typing does
    return results(dialog)


def test_ctrl_k_finds_each_kind_and_opens_it(qtbot, ctx, county, orgs):
    bai = save_person(PersonData(name="白彩月", id_number=VALID_ID, region_id=county["east"].id,
                                 is_volunteer=True), ctx.user)
    audit.create(Team, ctx.user, name="白鹭三工联动团队", region=county["east"])
    venue = audit.create(Venue, ctx.user, name="白沙妇女儿童之家", level="town", kind="women_children_home",
                         region=county["east"])
    save_project(ProjectData(name="白云助老项目", source="venture", year=2025), ctx.user)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)

    dialog = open_search(qtbot, window)
    found = find(qtbot, dialog, "b")
    kinds = [line.split("　")[0] for line in found]
    assert kinds == ["人员", "团队", "阵地", "项目"]  # no organization's name reads with a b
    assert find(qtbot, dialog, "bcy") == ["人员　白彩月　110105********002X　1949年生　东关街道"]
    assert find(qtbot, dialog, "bszz") == []  # 白沙妇女儿童之家: initials bsfnetzj, no 'bszz'
    assert "没有找到“bszz”" in dialog.hint.text()
    assert find(qtbot, dialog, "fnet") == ["阵地　白沙妇女儿童之家"]
    code = orgs[0].credit_code
    assert find(qtbot, dialog, code[:17].lower()) == [f"组织　{orgs[0].name}　{code}"]
    assert find(qtbot, dialog, VALID_ID) == ["人员　白彩月　110105********002X　1949年生　东关街道"]
    assert find(qtbot, dialog, "110105194912") == []  # a part of an ID number finds nobody
    assert find(qtbot, dialog, "互助会") == ["组织　柳树村妇女微家互助会"]

    find(qtbot, dialog, "fnet")
    QTest.keyClick(dialog.query, Qt.Key.Key_Return)  # opens the venue on its page
    assert not dialog.isVisible()
    page = window.current_page()
    assert isinstance(page, VenuesPage)
    assert page.detail is not None and page.detail.isVisible()  # as a double click in its list
    assert page.detail.record.id == venue.id and page.detail.tabs.tabText(1) == "预约日历"
    page.detail.reject()

    dialog = open_search(qtbot, window)
    find(qtbot, dialog, "bai")
    QTest.keyClick(dialog.query, Qt.Key.Key_Return)  # the first match: 白彩月
    page = window.current_page()
    assert isinstance(page, PeoplePage) and page.detail.person.id == bai.id
    page.detail.reject()

    qtbot.mouseClick(window.findChild(QPushButton, "find_button"), Qt.MouseButton.LeftButton)
    dialog = window.search_dialog  # the button in the menu bar opens the same box
    assert dialog.isVisible()
    find(qtbot, dialog, "lsc")
    QTest.keyClick(dialog.query, Qt.Key.Key_Down)  # stays on the only match
    QTest.keyClick(dialog.query, Qt.Key.Key_Return)
    assert isinstance(window.current_page(), OrganizationsPage)
