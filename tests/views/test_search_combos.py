"""Choosing a record by typing into its combo or checklist: characters, full pinyin or initials;
what is offered, and what the form saves."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from models.entities import Person, Project, ProjectVenue, Region, Venue
from views.pages.people import PeoplePage
from views.pages.projects import ProjectsPage
from views.search_combo import SearchCombo

from .conftest import column_values, save, show_page, type_text

VALID_ID = "11010519491231002X"


def type_into(qtbot, combo: SearchCombo, text: str) -> list[str]:
    """Click into the combo, select what it shows and type over it."""
    window = combo.window()
    if not window.isActiveWindow():
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    edit = combo.lineEdit()
    edit.setFocus()
    edit.selectAll()
    if text.isascii():
        QTest.keyClicks(edit, text)  # key by key
    else:
        type_text(edit, text)  # as the input method commits characters
    return combo.offered()


def press(qtbot, combo: SearchCombo, key=Qt.Key.Key_Return) -> None:
    popup = combo.completer().popup()
    qtbot.keyClick(popup if popup.isVisible() else combo.lineEdit(), key)
    qtbot.wait(1)  # the combo settles once the completer has handled the key


@pytest.fixture
def venues(ctx, county):
    """Ninety venues, as a county has; three of them told apart only by their names."""
    made = [Venue.create(name=f"第{i:02d}号新时代文明实践站", level="village", kind="practice_station",
                         region=county["village"]) for i in range(87)]
    made += [Venue.create(name=name, level="town", kind="women_children_home", region=county["east"])
             for name in ("东关妇女儿童之家", "西湖妇女儿童之家", "柳树村巾帼微家")]
    return made


def test_project_form_organization_and_venues_are_found_by_typing(qtbot, ctx, orgs, venues):
    page = show_page(qtbot, ProjectsPage(ctx))
    page.create_new()
    form = page.active_dialog
    type_text(form.name, "巾帼微家提升")
    # 柳树村妇女微家互助会: initials l s c f n w j h z h; 微家互助 anywhere in the name
    assert type_into(qtbot, form.organization, "wjhz") == ["柳树村妇女微家互助会"]
    press(qtbot, form.organization)
    assert form.organization.value() == orgs[1].id
    assert form.organization.currentText() == "柳树村妇女微家互助会"
    type_into(qtbot, form.organization, "ygjt")  # 阳光家庭…, then Escape: nothing chosen
    qtbot.keyClick(form.organization.lineEdit(), Qt.Key.Key_Escape)
    assert form.organization.lineEdit().text() == "柳树村妇女微家互助会" and form.isVisible()
    assert form.organization.value() == orgs[1].id
    # typing something that matches nothing offers nothing and, on leaving, keeps the choice
    assert type_into(qtbot, form.organization, "zzzz") == []
    press(qtbot, form.organization, Qt.Key.Key_Tab)
    assert form.organization.value() == orgs[1].id
    assert form.organization.currentText() == "柳树村妇女微家互助会"

    checklist = form.venues
    assert checklist.list.count() == 90
    QTest.keyClicks(checklist.search, "fnet")  # 妇女儿童(之家)
    assert checklist.shown() == ["东关妇女儿童之家", "西湖妇女儿童之家"]
    checklist.list.item(checklist.shown_rows()[1]).setCheckState(Qt.CheckState.Checked)
    checklist.search.clear()
    QTest.keyClicks(checklist.search, "jgwj")
    assert checklist.shown() == ["柳树村巾帼微家"]
    checklist.list.item(checklist.shown_rows()[0]).setCheckState(Qt.CheckState.Checked)
    assert "已选 2 个" in checklist.summary.text()
    checklist.search.clear()
    type_text(checklist.search, "没有这个")
    assert checklist.shown() == [] and "没有名称相符" in checklist.summary.text()

    save(qtbot, form)
    assert not form.isVisible(), {k: form.error_text(k) for k in form._errors}
    project = Project.get(Project.name == "巾帼微家提升")
    assert project.organization_id == orgs[1].id
    saved = {v.venue.name for v in ProjectVenue.select().where(ProjectVenue.project == project)}
    assert saved == {"西湖妇女儿童之家", "柳树村巾帼微家"}


def test_person_form_township_by_initials_and_emptied_back_to_blank(qtbot, ctx, county):
    Region.create(name="西山镇", level="township", parent=county["county"])
    page = show_page(qtbot, PeoplePage(ctx))
    page.create_new()
    form = page.active_dialog
    type_text(form.name, "周芳")
    type_text(form.id_number, VALID_ID)
    assert type_into(qtbot, form.region, "xh") == ["西湖镇"]
    press(qtbot, form.region)
    assert form.region.value() == county["west"].id
    assert type_into(qtbot, form.region, "x") == ["西山镇", "西湖镇"]  # in the townships' order
    press(qtbot, form.region, Qt.Key.Key_Down)
    press(qtbot, form.region, Qt.Key.Key_Down)
    press(qtbot, form.region, Qt.Key.Key_Up)
    press(qtbot, form.region)  # the highlighted one
    assert form.region.currentText() == "西山镇" and form.region.value() != county["west"].id
    type_into(qtbot, form.region, "")
    QTest.keyClick(form.region.lineEdit(), Qt.Key.Key_Delete)  # the box emptied
    press(qtbot, form.region, Qt.Key.Key_Tab)
    assert form.region.value() is None and form.region.currentText() == "（未指定）"
    type_into(qtbot, form.region, "东关")  # characters work as ever
    press(qtbot, form.region)
    assert form.region.value() == county["east"].id
    save(qtbot, form)
    assert Person.get(Person.name == "周芳").region_id == county["east"].id


def test_people_filter_combo_narrows_and_filters(qtbot, ctx, county):
    page = show_page(qtbot, PeoplePage(ctx))
    assert type_into(qtbot, page.township_filter, "dg") == ["东关街道"]
    press(qtbot, page.township_filter)  # Enter chooses; the list's own Enter does not take it
    assert page.current_filter().township_id == county["east"].id
    assert column_values(page) == []  # nobody registered there
    assert page.township_filter.currentText() == "东关街道"


def test_setup_area_is_chosen_by_typing_initials(qtbot, ctx):
    """The division table's provinces, cities and counties: 江苏省 › 扬州市 › 宝应县 by initials."""
    from views.setup.area_picker import AreaPicker

    picker = AreaPicker()
    show_page(qtbot, picker, 800, 600)
    offered = type_into(qtbot, picker.province, "js")
    assert offered[0] == "江苏省" and "北京市" in offered  # b-js: found inside, listed after
    assert "江西省" not in offered  # jx
    press(qtbot, picker.province)  # Enter takes the first
    assert picker.province.value() == "32"
    assert type_into(qtbot, picker.city, "yangzhou") == ["扬州市"]
    press(qtbot, picker.city)
    assert type_into(qtbot, picker.county, "by") == ["宝应县"]
    press(qtbot, picker.county)
    assert picker.county.value() == "321023"


def test_searching_without_choosing_is_no_change_to_discard(qtbot, ctx, orgs, venues, discard_questions):
    """Typing only to look (a combo's search put back on leaving, a checklist's search box) changes
    nothing the form saves: 取消 closes it without asking to discard."""
    page = show_page(qtbot, ProjectsPage(ctx))
    page.create_new()
    form = page.active_dialog
    assert type_into(qtbot, form.organization, "zzzz") == []
    press(qtbot, form.organization, Qt.Key.Key_Tab)  # leaving: the chosen entry (none) comes back
    QTest.keyClicks(form.venues.search, "fnet")
    assert form.venues.shown() == ["东关妇女儿童之家", "西湖妇女儿童之家"]
    form.reject()
    assert not form.isVisible() and discard_questions.asked == []


def test_enter_with_no_match_neither_chooses_nor_saves_the_form(qtbot, ctx, orgs, venues):
    page = show_page(qtbot, ProjectsPage(ctx))
    page.create_new()
    form = page.active_dialog
    type_text(form.name, "巾帼微家提升")  # the form could be saved as it is
    assert type_into(qtbot, form.organization, "zzzz") == []
    qtbot.keyClick(form.organization.lineEdit(), Qt.Key.Key_Return)
    qtbot.wait(1)
    assert form.isVisible() and Project.select().count() == 0
    assert form.organization.value() is None and form.organization.lineEdit().text() == "（未指定）"
    type_into(qtbot, form.organization, "wjhz")
    press(qtbot, form.organization)  # Enter in the list of matches takes it, and only that
    assert form.isVisible() and form.organization.value() == orgs[1].id
    type_into(qtbot, form.organization, "ygjt")
    form.organization.completer().popup().hide()  # the list closed, the box still typed in
    qtbot.keyClick(form.organization.lineEdit(), Qt.Key.Key_Return)
    qtbot.wait(1)
    assert form.isVisible() and form.organization.currentText() == "阳光家庭教育服务中心"
    assert Project.select().count() == 0
