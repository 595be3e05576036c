import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QFileDialog, QLineEdit, QVBoxLayout

from desktop.app import load_cjk_font, load_translations
from models import auth
from models.organizations import OrganizationData, save_organization
from models.validators import credit_check_char


@pytest.fixture(scope="session", autouse=True)
def chinese_app(qapp):
    """The application as users get it: Qt's Chinese strings and the bundled font."""
    translators = load_translations(qapp)
    family = load_cjk_font(qapp)
    yield family
    for translator in translators:
        qapp.removeTranslator(translator)


def credit_code(serial: int) -> str:
    first17 = f"52321088MJ{serial:07d}"
    return first17 + credit_check_char(first17)


@pytest.fixture
def orgs(ctx, county):
    """A handful of organizations in different kinds, stages and places."""
    today = dt.date.today()
    specs = [
        OrganizationData(name="阳光家庭教育服务中心", kind="registered", legal_form="service_org",
                         credit_code=credit_code(1), region_id=county["east"].id,
                         initial_stage="startup", initial_stage_on=today - dt.timedelta(days=30),
                         service_area_ids=[2]),
        OrganizationData(name="柳树村妇女微家互助会", region_id=county["village"].id,
                         initial_stage="sprouting", initial_stage_on=today - dt.timedelta(days=500),
                         service_area_ids=[3, 4]),
        OrganizationData(name="巾帼志愿服务队", short_name="巾帼队", region_id=county["west"].id),
        OrganizationData(name="爱心助老协会", kind="registered", legal_form="social_group",
                         credit_code=credit_code(2), region_id=county["east"].id,
                         alliance_member=True, alliance_joined_on=today - dt.timedelta(days=100)),
    ]
    return [save_organization(spec, ctx.user) for spec in specs]


def type_text(widget, text: str) -> None:
    """Type as a Chinese input method does: the IME commits whole strings to the widget.

    (QTest.keyClicks handles only ASCII keys.)
    """
    widget.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def save(qtbot, dialog) -> None:
    """Click the form's 保存 button, as the user does."""
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)


def show_page(qtbot, widget, width: int = 1200, height: int = 700):
    """Show a page as a user sees it: sized, shown and exposed (shortcuts need that)."""
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def column_values(page, column: int = 0) -> list:
    """One column of every row the page's table has, in the order shown."""
    return [page.model.row_at(r).values[column] for r in range(page.model.rowCount())]


@dataclass
class AskedFile:
    title: str
    suggested: str  # the path the dialog proposed
    folder: str  # the folder it opened in
    filters: str
    native: bool


class FileDialogs:
    """Answers the window's file dialogs as a user does: types a path and presses 保存/打开, or
    cancels (an answer of None). ``asked`` records each dialog answered; a dialog that no
    answerer has an answer for is cancelled after 2 s."""

    def __init__(self) -> None:
        self.answers: list[Path | str | None] = []
        self.asked: list[AskedFile] = []
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._poll)
        self.timer.start()

    def answer(self, *paths: Path | str | None) -> list[AskedFile]:
        self.answers.extend(paths)
        return self.asked

    def _poll(self) -> None:
        dialog = next((w for w in QApplication.topLevelWidgets()
                       if isinstance(w, QFileDialog) and w.isVisible() and not w.property("answered")), None)
        if dialog is None:
            return
        if not self.answers:  # perhaps another answerer's; cancel it when nobody answers
            seen = dialog.property("seen_at") or time.monotonic()
            dialog.setProperty("seen_at", seen)
            if time.monotonic() - seen > 2:
                dialog.setProperty("answered", True)
                dialog.reject()
            return
        dialog.setProperty("answered", True)
        selected = dialog.selectedFiles()
        self.asked.append(AskedFile(
            title=dialog.windowTitle(), suggested=selected[0] if selected else "",
            folder=dialog.directory().absolutePath(),
            filters=";;".join(dialog.nameFilters()),
            native=not dialog.testOption(QFileDialog.Option.DontUseNativeDialog)))
        path = self.answers.pop(0)
        if path is None:
            dialog.reject()
            return
        dialog.findChild(QLineEdit, "fileNameEdit").setText(str(path))  # typed into 文件名
        dialog.accept()


@pytest.fixture(autouse=True)
def file_dialogs(qapp):
    """Every window test has one: a file dialog nobody answers is cancelled instead of hanging."""
    dialogs = FileDialogs()
    yield dialogs
    dialogs.timer.stop()


class DiscardQuestions:
    """Answers the forms' "放弃修改？" question (views.form.FormDialog.confirm_discard) as a user
    does: clicks 放弃修改 (True) or 继续编辑 (False) in the order given; a question nobody
    queued an answer for is answered 继续编辑, so the form stays open. ``asked`` counts them."""

    def __init__(self) -> None:
        self.answers: list[bool] = []
        self.asked: list[str] = []
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._poll)
        self.timer.start()

    def answer(self, *discard: bool) -> list[str]:
        self.answers.extend(discard)
        return self.asked

    def _poll(self) -> None:
        box = next((w for w in QApplication.topLevelWidgets()
                    if w.objectName() == "confirm_discard" and w.isVisible()
                    and not w.property("answered")), None)
        if box is None:
            return
        box.setProperty("answered", True)
        self.asked.append(box.text())
        discard = self.answers.pop(0) if self.answers else False
        wanted = "放弃修改" if discard else "继续编辑"
        button = next(b for b in box.buttons() if b.text() == wanted)
        button.click()


@pytest.fixture(autouse=True)
def discard_questions(qapp):
    questions = DiscardQuestions()
    yield questions
    questions.timer.stop()


@pytest.fixture
def operators(ctx):
    """An administrator, a clerk and a viewer (the three roles)."""
    admin = auth.create_first_admin("wangfang", "王芳", "admin-pass-1", "admin-pass-1")
    return {
        "admin": admin,
        "clerk": auth.create_user(admin, "luru", "录入", "clerk", "clerk-pass-1"),
        "viewer": auth.create_user(admin, "chakan", "查看", "viewer", "viewer-pass-1"),
    }


def make_picker(qtbot, search=None):
    """A person picker in a dialog of its own, and the (id, label) pairs it hands on."""
    from models.pickers import search_people
    from views.person_picker import PersonPicker

    dialog = QDialog()  # Enter in the search box must not reach the dialog's default button
    picker = PersonPicker(search or search_people, dialog)
    QVBoxLayout(dialog).addWidget(picker)
    qtbot.addWidget(dialog)
    dialog.show()
    picked = []
    picker.picked.connect(lambda pid, label: picked.append((pid, label)))
    return dialog, picker, picked
