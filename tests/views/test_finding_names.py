"""Finding people as a clerk types: characters, full pinyin or initials (bcy → 白彩月), in the
People list and in a person picker, namesakes told apart, an empty result said."""

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from models.memberships import add_membership
from models.people import PersonData, save_person
from models.pickers import person_label
from models.validators import id_check_char
from views.pages.people import PeoplePage

from .conftest import column_values, make_picker, show_page, type_text


def resident_id(serial: int, birth: str) -> str:
    first17 = f"320102{birth}{serial:02d}2"
    return first17 + id_check_char(first17)


@pytest.fixture
def people(ctx, county, orgs):
    serials = iter(range(1, 99))

    def person(name, born="", region=None):
        number = resident_id(next(serials), born) if born else ""
        return save_person(PersonData(name=name, id_number=number, region_id=region.id if region else None,
                                      is_volunteer=True), ctx.user)

    made = {
        "白彩月": person("白彩月", "19800501", county["east"]),
        "白菜": person("白菜"),
        "蔡白": person("蔡白"),
        "曾丽": person("曾丽"),
        "曹丽": person("曹丽"),
        "陈丽": person("陈丽"),
        "张桂1": person("张桂", "19620101", county["east"]),
        "张桂2": person("张桂", "19750101", county["west"]),
        "张桂3": person("张桂", "19750601", county["west"]),
    }
    add_membership(ctx.user, made["张桂3"], orgs[2], "member", dt.date(2025, 1, 1))
    return made


def search(qtbot, page, text):
    page.search.clear()
    page.search.setFocus()
    QTest.keyClicks(page.search, text)  # typed letter by letter, as on a keyboard
    qtbot.waitUntil(lambda: page.model.current_filter.text == text, timeout=2000)
    return column_values(page)


def test_people_list_finds_by_initials_full_pinyin_and_characters(qtbot, ctx, people):
    page = show_page(qtbot, PeoplePage(ctx))
    assert search(qtbot, page, "bcy") == ["白彩月"]
    assert search(qtbot, page, "baicai") == ["白彩月", "白菜"]  # cai3 before cai4
    assert search(qtbot, page, "BaiCaiYue") == ["白彩月"]
    assert search(qtbot, page, "bai cai yue") == ["白彩月"]
    assert search(qtbot, page, "bc") == ["白彩月", "白菜"]  # initials from the start, not 蔡白
    assert page.empty_hint.isHidden()
    # 曾 is read as a surname: zēng, found by z and sorted after 陈, not between 曹 and 陈
    assert search(qtbot, page, "zl") == ["曾丽"] and search(qtbot, page, "cl") == ["曹丽", "陈丽"]
    page.search.clear()
    qtbot.waitUntil(lambda: page.model.current_filter.text == "", timeout=2000)
    names = column_values(page)
    assert names.index("曹丽") < names.index("陈丽") < names.index("曾丽")
    search(qtbot, page, "qqq")
    assert page.model.total == 0 and not page.empty_hint.isHidden()
    assert "qqq" in page.empty_hint.text() and "没有找到" in page.empty_hint.text()


def offered(picker) -> list[str]:
    return [picker.matches.item(i).text() for i in range(picker.matches.count())]


def test_picker_finds_by_initials_and_tells_namesakes_apart(qtbot, ctx, people):
    _dialog, picker, picked = make_picker(qtbot)
    picker.query.setFocus()
    QTest.keyClicks(picker.query, "bcy")
    qtbot.keyClick(picker.query, Qt.Key.Key_Return)  # search now
    bai = people["白彩月"]
    label = person_label(bai.name, bai.id_number)  # the name and the masked ID
    assert offered(picker) == [f"{label}　1980年生　东关街道"]
    qtbot.keyClick(picker.query, Qt.Key.Key_Return)  # pick it
    assert picked == [(bai.id, label)]  # what the dialog keeps: the label without the details

    picker.query.clear()
    type_text(picker.query, "张桂")
    qtbot.keyClick(picker.query, Qt.Key.Key_Return)
    # birth year, township and organization tell the three apart
    labels = [person_label("张桂", people[f"张桂{i}"].id_number) for i in (1, 2, 3)]
    assert offered(picker) == [f"{labels[0]}　1962年生　东关街道", f"{labels[1]}　1975年生　西湖镇",
                               f"{labels[2]}　1975年生　西湖镇　巾帼志愿服务队"]
    picker.matches.setCurrentRow(2)
    qtbot.mouseClick(picker.add_button, Qt.MouseButton.LeftButton)
    assert picked[-1][0] == people["张桂3"].id
