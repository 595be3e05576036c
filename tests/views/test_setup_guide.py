"""The first start's setup guide, driven as the office's administrator does."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMessageBox, QWizard

from desktop.demo_file import demo_database_path
from models import auth
from models.entities import Region, ServiceArea, Setting
from models.organizations import OrganizationData, save_organization
from models.settings import get_setting
from models.setup_status import AREA, OFFICE, RECORDS, REPORT, SERVICE_AREAS, missing_setup
from views.main_window import MainWindow
from views.pages.import_page import ImportPage
from views.session import Session
from views.setup.guide import MAX_HEIGHT, SetupGuide

from .conftest import type_text
from .test_connect_dialog import keep_recovery_key
from .test_login import PASSWORD, answer_next_dialog

NEXT, SKIP, FINISH = (QWizard.WizardButton.NextButton, QWizard.WizardButton.CustomButton1,
                      QWizard.WizardButton.FinishButton)


@pytest.fixture
def guide(qtbot, ctx):
    wizard = SetupGuide(ctx)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    return wizard


def click(qtbot, guide, which) -> None:
    button = guide.button(which)
    assert button.isVisible() and button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def choose(qtbot, radio) -> None:
    """Click a radio button on its circle (a wide one's middle is not part of it)."""
    qtbot.mouseClick(radio, Qt.MouseButton.LeftButton, pos=QPoint(8, radio.height() // 2))
    assert radio.isChecked()


def test_the_guide_sets_up_a_county_office(qtbot, guide):
    office = guide.office_page
    type_text(office.code, "321023")
    assert "江苏省 扬州市 宝应县" in office.code_note.text()
    assert office.name.text() == "宝应县妇女联合会"  # suggested from the code
    assert office.parent_unit.text() == "扬州市妇女联合会"
    office.name.clear()
    type_text(office.name, "宝应县妇联")
    click(qtbot, guide, NEXT)
    assert (get_setting("office.name"), get_setting("office.level"), get_setting("office.code"),
            get_setting("office.parent_unit")) == ("宝应县妇联", "county", "321023", "扬州市妇女联合会")

    picker = guide.area_page.picker
    assert guide.currentPage() is guide.area_page and picker.county.value() == "321023"
    assert picker.townships.count() == 15
    picker.townships.item(14).setCheckState(Qt.CheckState.Unchecked)  # 宝应县经济开发区
    assert "14 个乡镇（街道）" in picker.summary.text()
    click(qtbot, guide, NEXT)
    county = Region.get(Region.code == "321023")
    assert (county.name, county.level, county.parent_id) == ("宝应县", "county", None)
    townships = list(Region.select().where(Region.parent == county).order_by(Region.sort_order))
    assert len(townships) == 14 and (townships[0].name, townships[0].code) == ("安宜镇", "321023100")
    assert all(t.level == "township" and t.code.startswith("321023") for t in townships)
    villages = Region.select().where(Region.level == "village")
    assert villages.count() > 200
    assert all(v.parent.code == v.code[:9] for v in villages)
    assert get_setting("office.county") == "宝应县"

    report = guide.report_page.fields.edits
    assert report["office.name"].text() == "宝应县妇联"
    assert report["report.issuer"].text() == "扬州市妇女联合会"  # the unit it reports to, by default
    type_text(report["report.unit_head"], "周雅琴")
    type_text(report["report.stats_head"], "陈丽")
    type_text(report["report.preparer"], "李婷")
    type_text(report["report.phone"], "12345")
    click(qtbot, guide, NEXT)
    assert guide.currentPage() is guide.report_page  # a wrong phone keeps the guide here
    assert guide.report_page.fields.errors["report.phone"].isVisible()
    report["report.phone"].clear()
    type_text(report["report.phone"], "0514-8888 1234")
    click(qtbot, guide, NEXT)
    assert get_setting("report.phone") == "0514-88881234"
    assert get_setting("report.issuer") == "扬州市妇女联合会"

    areas = guide.service_areas_page
    areas.areas.findItems("婚姻家庭", Qt.MatchFlag.MatchExactly)[0].setCheckState(Qt.CheckState.Unchecked)
    type_text(areas.new_name, "乡村振兴")
    qtbot.keyClick(areas.new_name, Qt.Key.Key_Return)  # adds it, and stays on this step
    type_text(areas.new_name, "家庭教育")  # already there: ticked, not doubled
    qtbot.mouseClick(areas.add_button, Qt.MouseButton.LeftButton)
    assert guide.currentPage() is areas and areas.areas.count() == 9
    click(qtbot, guide, NEXT)
    assert not ServiceArea.get(ServiceArea.name == "婚姻家庭").active
    assert ServiceArea.get(ServiceArea.name == "乡村振兴").active

    assert guide.currentPage() is guide.finish_page and not guide.button(SKIP).isVisible()
    assert [item.key for item in missing_setup()] == [RECORDS]
    assert "台账" in guide.finish_page.status.text()
    click(qtbot, guide, FINISH)
    assert guide.result() == QWizard.DialogCode.Accepted and guide.choice() == "done"


def test_a_township_office_picks_its_township(qtbot, guide):
    office = guide.office_page
    choose(qtbot, office.township_level)
    type_text(office.name, "安宜镇妇联")
    click(qtbot, guide, NEXT)  # no code typed: chosen from the lists in the next step
    picker = guide.area_page.picker
    assert not picker.townships.isVisible() and picker.township.isVisible()
    for combo, code in ((picker.province, "32"), (picker.city, "3210"), (picker.county, "321023"),
                        (picker.township, "321023100")):
        combo.setCurrentIndex(combo.findData(code))
    assert picker.code.text() == "321023100"
    click(qtbot, guide, NEXT)
    assert (get_setting("office.level"), get_setting("office.code")) == ("township", "321023100")
    township = Region.get(Region.code == "321023100")
    assert township.parent.code == "321023" and township.level == "township"
    assert Region.select().where(Region.level == "township").count() == 1  # only its own
    assert Region.select().where(Region.parent == township).count() == 42
    assert AREA not in [item.key for item in missing_setup()]


def test_a_code_of_the_wrong_level_is_refused_on_the_first_step(qtbot, guide):
    type_text(guide.office_page.code, "321023100")  # a township's code, the level says county
    click(qtbot, guide, NEXT)
    assert guide.currentPage() is guide.office_page
    assert "6 位" in guide.office_page.errors["code"].text()
    assert not Setting.select().exists()


def test_skipping_every_step_leaves_a_usable_database_and_says_what_is_missing(qtbot, guide, ctx):
    type_text(guide.office_page.name, "不会保存")
    for _ in range(4):
        click(qtbot, guide, SKIP)
    assert guide.currentPage() is guide.finish_page
    text = guide.finish_page.status.text()
    assert "本单位：单位名称（填报单位）" in text and "报表表头表尾" in text
    click(qtbot, guide, FINISH)
    assert not Setting.select().exists() and not Region.select().exists()
    assert [item.key for item in missing_setup()] == [OFFICE, AREA, REPORT, SERVICE_AREAS, RECORDS]
    save_organization(OrganizationData(name="巾帼志愿服务队"), ctx.user)  # usable all the same
    assert RECORDS not in [item.key for item in missing_setup()]


def test_the_guide_fits_a_1024_by_768_screen(guide):
    for _ in range(4):
        assert guide.height() <= MAX_HEIGHT and guide.width() <= 1024
        assert guide.button(NEXT).isVisible()
        guide.skip()
    assert guide.button(FINISH).isVisible()


def test_the_first_start_opens_the_guide_and_import_goes_to_the_import_page(qtbot, ctx):
    def first_admin(dialog):
        dialog.username.setText("wangfang")
        dialog.password.setText(PASSWORD)
        dialog.repeat.setText(PASSWORD)
        dialog.accept()
        answer_next_dialog(qtbot, keep_recovery_key)  # shown once after the administrator is made

    session = Session(ctx, MainWindow)
    answer_next_dialog(qtbot, first_admin)
    assert session.start()
    window = session.window
    qtbot.addWidget(window)
    guide = session.guide
    assert guide is not None and guide.isVisible() and guide.parent() is window
    for _ in range(4):
        guide.skip()
    choose(qtbot, guide.finish_page.import_choice)
    click(qtbot, guide, FINISH)
    assert isinstance(window.current_page(), ImportPage)


def test_no_guide_when_the_administrator_already_exists(qtbot, ctx):
    auth.create_first_admin("wangfang", "王芳", PASSWORD, PASSWORD)

    def log_in(dialog):
        dialog.username.setText("wangfang")
        dialog.password.setText(PASSWORD)
        dialog.accept()

    session = Session(ctx, MainWindow)
    answer_next_dialog(qtbot, log_in)
    assert session.start()
    qtbot.addWidget(session.window)
    assert session.guide is None
    session.window.setup_action.trigger()  # 文件 ▸ 本单位设置向导…
    guide = next(w for w in session.window.findChildren(SetupGuide))
    assert guide.isVisible()
    guide.reject()


def test_the_demo_opens_in_a_database_of_its_own(qtbot, ctx, monkeypatch):
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text, *a: told.append(text))
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    window.open_setup_guide()
    guide = window.findChild(SetupGuide)
    for _ in range(4):
        guide.skip()
    choose(qtbot, guide.finish_page.demo_choice)
    click(qtbot, guide, FINISH)
    qtbot.waitUntil(lambda: ctx.reopen is not None, timeout=60_000)
    demo = demo_database_path()
    assert ctx.reopen == demo and demo.name == "演示数据.db" and not window.isVisible()
    assert "admin-2025" in told[0]
    with sqlite3.connect(demo) as db:  # a full demo county, with its own operators
        assert db.execute("SELECT COUNT(*) FROM person").fetchone()[0] == 2000
        office = db.execute("SELECT value FROM setting WHERE key = 'office.name'").fetchone()
        assert office == ("青禾县妇女联合会",)
        assert db.execute("SELECT COUNT(*) FROM user WHERE password_hash != ''").fetchone()[0] == 3
    assert not Region.select().exists()  # the office's own database is untouched


def test_a_city_office_takes_its_counties_and_their_townships(qtbot, guide):
    from desktop.divisions import division_table
    from models.units import current_unit

    office = guide.office_page
    choose(qtbot, office.city_level)
    type_text(office.code, "321000")
    assert "江苏省 扬州市" in office.code_note.text()
    assert (office.name.text(), office.parent_unit.text()) == ("扬州市妇女联合会", "江苏省妇女联合会")
    click(qtbot, guide, NEXT)
    assert (get_setting("office.level"), get_setting("office.code")) == ("city", "321000")

    picker = guide.area_page.picker
    table = division_table()
    counties = table.children("3210")
    assert picker.city.value() == "3210" and not picker.county.isVisible()
    assert picker.townships.count() == len(counties) and "宝应县　321023" in [
        picker.townships.item(r).text() for r in range(picker.townships.count())]
    picker.villages.setChecked(False)
    towns = sum(len(table.children(c.code)) for c in counties)
    assert f"{len(counties)} 个县（市、区），{towns} 个乡镇（街道），0 个村（社区）" in picker.summary.text()
    click(qtbot, guide, NEXT)
    assert Region.select().where(Region.level == "county").count() == len(counties)
    assert Region.select().where(Region.level == "township").count() == towns
    assert not Region.select().where(Region.level == "village").exists()
    assert Region.get(Region.code == "321023100").parent.code == "321023"
    assert get_setting("office.county") == "扬州市"
    unit = current_unit()
    assert (unit.is_set, unit.level, unit.code, unit.parent_code) == (True, "city", "321000", "")
