"""Regions and service-area pages, driven as a user."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from models.entities import OrganizationServiceArea, Region, ServiceArea
from views.pages.vocabularies import RegionsPage, ServiceAreasPage

from .conftest import save, type_text


@pytest.fixture
def answers(monkeypatch):
    """Answer the confirmation with Yes and record warnings instead of showing them."""
    shown = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: shown.append(text))
    return shown


def open_page(qtbot, page):
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)  # keyboard shortcuts need a shown, active window with focus
    page.activateWindow()
    page.table.setFocus()
    qtbot.waitUntil(page.table.hasFocus)
    return page


def names(page):
    return [page.model.row_at(r).values[0] for r in range(page.model.rowCount())]


def test_add_a_village_under_a_township(qtbot, ctx, county):
    page = open_page(qtbot, RegionsPage(ctx))
    qtbot.keyClick(page.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    form = page.active_dialog
    type_text(form.name, "新桥村")
    form.level.setValue("village")
    parents = [form.parent_region.itemText(i) for i in range(form.parent_region.count())]
    assert parents == ["东关街道", "西湖镇"]
    form.parent_region.setValue(county["west"].id)
    type_text(form.code, "32109910")
    save(qtbot, form)
    assert "6、9 或 12 位数字" in form.error_text("code")
    form.code.setText("321099102200")
    save(qtbot, form)
    region = Region.get(Region.name == "新桥村")
    assert region.parent_id == county["west"].id and region.code == "321099102200"
    assert page.selected_id() == region.id


def test_delete_refuses_a_region_in_use_and_deletes_an_unused_one(qtbot, ctx, county, orgs, answers):
    page = open_page(qtbot, RegionsPage(ctx))
    page.table.selectRow(names(page).index("柳树村"))
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert len(answers) == 1 and "社会组织 1 条（如“柳树村妇女微家互助会”）" in answers[0]
    assert Region.select().where(Region.name == "柳树村").exists()
    unused = Region.create(name="空白村", level="village", parent=county["east"])
    page.refresh()
    page.table.selectRow(names(page).index("空白村"))
    qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    assert not Region.select().where(Region.id == unused.id).exists()
    assert "空白村" not in names(page)


def test_service_area_in_use_can_be_deactivated_not_deleted(qtbot, ctx, orgs, answers):
    page = open_page(qtbot, ServiceAreasPage(ctx))
    used = ServiceArea.get(ServiceArea.id == OrganizationServiceArea.select().first().service_area_id)
    page.table.selectRow(names(page).index(used.name))
    page.delete_selected()
    assert answers and "社会组织" not in answers[0] and "组织的服务领域" in answers[0]
    page.open_selected()
    form = page.active_dialog
    form.active.setChecked(False)
    save(qtbot, form)
    assert not ServiceArea.get_by_id(used.id).active
    page.active_filter.setValue(False)
    assert names(page) == [used.name]


def test_vocabulary_table_models_pass_the_model_tester(qtmodeltester, qtbot, ctx, county):
    for page in (RegionsPage(ctx), ServiceAreasPage(ctx)):
        qtbot.addWidget(page)
        qtmodeltester.check(page.model, force_py=True)


def test_a_township_can_be_created_on_an_empty_database(qtbot, ctx):
    page = open_page(qtbot, RegionsPage(ctx))
    qtbot.keyClick(page.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    form = page.active_dialog
    assert form.level.value() == "county"  # the only level that can be saved yet
    form.level.setValue("township")
    type_text(form.name, "东关街道")
    assert not form.parent_region.isEnabled() and form.parent_region.placeholderText() == "（还没有县（区））"
    save(qtbot, form)
    assert form.error_text("parent_id") == "还没有县（区）：请先新建县（区），再选它作上级"
    assert form.new_parent_button.isVisible() and form.new_parent_button.text() == "新建县（区）…"
    qtbot.mouseClick(form.new_parent_button, Qt.MouseButton.LeftButton)
    county_form = form.parent_form
    assert county_form.level.value() == "county" and not county_form.new_parent_button.isVisible()
    type_text(county_form.name, "青禾县")
    save(qtbot, county_form)
    county = Region.get(Region.name == "青禾县")
    assert form.parent_region.isEnabled() and form.parent_region.value() == county.id
    save(qtbot, form)
    township = Region.get(Region.name == "东关街道")
    assert township.parent_id == county.id and township.level == "township"
    qtbot.keyClick(page.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert page.active_dialog.level.value() == "village"  # a township exists now


def test_regions_come_from_the_official_table(qtbot, ctx, monkeypatch):
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text, *a: told.append(text))
    page = open_page(qtbot, RegionsPage(ctx))
    qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
    dialog = page.import_dialog
    assert not dialog.import_button.isEnabled()
    type_text(dialog.picker.code, "321023")
    dialog.picker.villages.setChecked(False)
    assert "15 个乡镇（街道），0 个村（社区）" in dialog.picker.summary.text()
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert told == ["行政区划已导入：新增 16 个，补上区划代码 0 个，已有 0 个。"]
    assert Region.select().where(Region.code.startswith("321023")).count() == 16
    assert "安宜镇" in names(page)
    qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)  # the same again adds nothing
    type_text(page.import_dialog.picker.code, "321023")
    page.import_dialog.picker.villages.setChecked(False)
    qtbot.mouseClick(page.import_dialog.import_button, Qt.MouseButton.LeftButton)
    assert told[-1].endswith("新增 0 个，补上区划代码 0 个，已有 16 个。")
