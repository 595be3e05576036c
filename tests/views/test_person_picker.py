"""The generic person picker: a limited list of matches, picked by Enter, double click or button."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from models.entities import Person
from models.pickers import PERSON_SEARCH_LIMIT

from .conftest import make_picker, type_text


def test_matches_are_limited_with_a_hint(qtbot, ctx):
    Person.insert_many([{"name": f"王{i:03d}", "name_key": f"wang{i:03d}"} for i in range(80)]).execute()
    dialog, picker, picked = make_picker(qtbot)
    type_text(picker.query, "王")
    qtbot.waitUntil(lambda: picker.matches.count() > 0, timeout=2000)
    assert picker.matches.count() == PERSON_SEARCH_LIMIT
    assert not picker.hint.isHidden() and "50" in picker.hint.text()
    picker.query.clear()
    type_text(picker.query, "不存在的人")
    qtbot.keyClick(picker.query, Qt.Key.Key_Return)  # Enter searches at once
    assert picker.matches.count() == 0 and picker.hint.text() == "没有找到"
    assert dialog.isVisible() and picked == []


def test_enter_double_click_and_button_pick(qtbot, ctx):
    fang = Person.create(name="王芳", id_number="11010519491231002X")
    li = Person.create(name="王丽")
    dialog, picker, picked = make_picker(qtbot)
    type_text(picker.query, "王")
    qtbot.keyClick(picker.query, Qt.Key.Key_Return)  # first Enter: search now
    assert picker.matches.count() == 2 and picked == []
    qtbot.keyClick(picker.query, Qt.Key.Key_Return)  # second Enter: pick the highlighted one
    assert picked == [(fang.id, "王芳（110105********002X）")]
    rect = picker.matches.visualItemRect(picker.matches.item(1))
    # a real double click is press, release, double-click event, release
    qtbot.mouseClick(picker.matches.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(picker.matches.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert picked[-1] == (li.id, "王丽")
    picker.matches.selectAll()
    qtbot.mouseClick(picker.add_button, Qt.MouseButton.LeftButton)
    assert [pid for pid, _ in picked[-2:]] == [fang.id, li.id]
    assert dialog.isVisible()


def test_the_button_says_it_adds_the_highlighted_match(qtbot, ctx):
    _dialog, picker, _picked = make_picker(qtbot)
    assert picker.add_button.text() == "添加所选"


def test_in_a_one_person_dialog_the_highlighted_match_is_the_choice(qtbot, ctx, county):
    """The team's 加入成员: what is highlighted is what 已选 shows and what 保存 takes."""
    from models.teams import TeamData, save_team
    from views.pages.teams import AssignmentDialog

    fang = Person.create(name="王芳", is_volunteer=True)
    li = Person.create(name="王丽", is_cadre=True)
    team = save_team(TeamData(name="东关三工队", township_id=county["east"].id), ctx.user)
    dialog = AssignmentDialog(ctx, team, team.name)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.chosen.text() == "（尚未选择）"
    type_text(dialog.picker.query, "王")
    qtbot.keyClick(dialog.picker.query, Qt.Key.Key_Return)  # search now
    highlighted = dialog.picker.matches.currentItem().text()
    assert dialog.chosen.text() == highlighted and dialog.person is not None
    qtbot.keyClick(dialog.picker.matches, Qt.Key.Key_Down)  # the arrow keys choose too
    assert dialog.chosen.text() == dialog.picker.matches.currentItem().text() != highlighted
    qtbot.keyClick(dialog.picker.matches, Qt.Key.Key_Up)
    qtbot.keyClick(dialog.picker.query, Qt.Key.Key_Return)  # Enter confirms: on to the role
    assert dialog.focusWidget() is dialog.role
    assert dialog.picker.add_button.text() == "选定所选"
    chosen = dialog.person
    assert chosen in (fang, li) and dialog.role.value() == ("volunteer" if chosen == fang else "cadre")
    dialog.accept()  # 保存 in the small dialog: no "请选择人员"
    assert dialog.error_text("person") == "" and dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.result_value.person_id == chosen.id
