"""The Trainings page: a session and its attendees picked with the shared person picker."""

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from models.entities import Membership, Person, Training, TrainingAttendance
from models.training_listing import TrainingFilter, TrainingListing
from models.trainings import TrainingData, save_training
from views.pages.trainings import TrainingForm, TrainingsPage
from views.person_picker import PersonPicker
from views.table_model import ListingModel

from .conftest import save, show_page, type_text


@pytest.fixture
def people(ctx, orgs):
    fang = Person.create(name="王芳")
    na = Person.create(name="李娜")
    Membership.create(person=fang, organization=orgs[0])  # exactly one: the default
    Membership.create(person=na, organization=orgs[0])
    Membership.create(person=na, organization=orgs[1])  # two: to be chosen
    return fang, na


@pytest.fixture
def trainings(ctx, people):
    return [save_training(TrainingData(topic="社工实务督导", held_on=dt.date.today(), kind="supervision",
                                       attendees={people[0].id: None}), ctx.user)]


@pytest.fixture
def page(qtbot, ctx, trainings):
    return show_page(qtbot, TrainingsPage(ctx), 1100, 700)



def pick(qtbot, form, text):
    form.picker.query.clear()
    type_text(form.picker.query, text)
    qtbot.waitUntil(lambda: form.picker.matches.count() > 0
                    and text in form.picker.matches.item(0).text(), timeout=2000)
    qtbot.mouseClick(form.picker.add_button, Qt.MouseButton.LeftButton)


def test_table_model_passes_qt_model_tester(qtmodeltester, ctx, trainings):
    model = ListingModel(TrainingListing(), TrainingFilter(), batch=5)
    qtmodeltester.check(model, force_py=True)
    assert model.index(0, 5).data() == "1"
    model.set_filter(TrainingFilter(kind="training"))
    assert model.rowCount() == 0


def test_columns(page):
    headers = [page.model.headerData(i, Qt.Orientation.Horizontal) for i in range(page.model.columnCount())]
    assert headers == ["日期", "主题", "类型", "讲师", "阵地", "参加人数"]
    assert page.model.index(0, 2).data() == "督导"


def test_topic_required(qtbot, page):
    page.create_new()
    form = page.active_dialog
    save(qtbot, form)
    assert form.isVisible() and form.error_text("topic") == "请填写培训主题"


def test_new_training_with_attendees_and_their_organizations(qtbot, page, people, orgs):
    qtbot.keyClick(page.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    form = page.active_dialog
    assert isinstance(form, TrainingForm) and isinstance(form.picker, PersonPicker)
    type_text(form.topic, "家庭教育指导师培训")
    type_text(form.trainer, "陈老师")
    pick(qtbot, form, "王芳")
    pick(qtbot, form, "李娜")
    assert form.organization_box(0).value() == orgs[0].id  # her only organization
    assert form.organization_box(1).value() is None  # two organizations: to be chosen
    form.organization_box(1).setValue(orgs[1].id)
    save(qtbot, form)
    assert not form.isVisible(), {k: form.error_text(k) for k in form._errors}
    training = Training.get(Training.topic == "家庭教育指导师培训")
    rows = {a.person_id: a.organization_id
            for a in TrainingAttendance.select().where(TrainingAttendance.training == training)}
    assert rows == {people[0].id: orgs[0].id, people[1].id: orgs[1].id}
    assert page.selected_id() == training.id
    assert page.model.index(page.table.currentIndex().row(), 5).data() == "2"


def test_editing_keeps_attendees_and_removes_one(qtbot, page, people, trainings):
    page.table.selectRow(0)
    page.edit_selected()
    form = page.active_dialog
    assert form.table.rowCount() == 1 and form.organization_box(0).value() is None
    pick(qtbot, form, "李娜")
    form.table.selectRow(0)
    qtbot.mouseClick(form.remove_button, Qt.MouseButton.LeftButton)
    save(qtbot, form)
    assert [a.person_id for a in TrainingAttendance.select()] == [people[1].id]
