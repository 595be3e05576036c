"""The one form pattern: fields with their error shown right below, saved only when all is valid."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QScrollArea,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from models.errors import StaleRecord, ValidationFailed
from models.i18n import Message
from models.validators import InvalidValue

from .i18n import tr_msg
from .styles import ERROR_STYLE  # imported from here by the forms

log = logging.getLogger(__name__)

TRANSIENT = "form_transient"  # a widget property: what it holds is no data (a search box)
CHOSEN = "form_chosen"  # a label property: it shows a choice the form saves (已选 person)


def _is_transient(widget: QWidget) -> bool:
    while widget is not None:
        if widget.property(TRANSIENT):
            return True
        widget = widget.parentWidget()
    return False


def widget_state(widget: QWidget) -> Any:
    """What an input widget holds, to tell whether the user changed anything."""
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    if isinstance(widget, QComboBox):
        return widget.currentIndex(), widget.currentText()
    if isinstance(widget, QAbstractSpinBox):
        return widget.text()
    if isinstance(widget, QAbstractButton):
        return widget.isChecked() if widget.isCheckable() else None
    if isinstance(widget, QTableWidget):
        return [[(item.text() if item else "") for item in
                 (widget.item(r, c) for c in range(widget.columnCount()))]
                for r in range(widget.rowCount())]
    if isinstance(widget, QLabel):
        return widget.text() if widget.property(CHOSEN) else None
    if isinstance(widget, QListWidget):
        return [(widget.item(i).text(), widget.item(i).checkState()) for i in range(widget.count())]
    return None


class FormDialog(QDialog):
    """Subclasses add fields with ``add_field`` and implement ``submit`` (which may raise
    ValidationFailed); the dialog stays open, showing each error next to its field."""

    permission: str | None = "edit"  # without it (models.permissions) the form opens without 保存
    edit_widgets: tuple[QWidget, ...] = ()  # further controls that change data, off without it

    def __init__(self, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.result_value: Any = None
        self.discarded_for_newer = False  # closed to show another clerk's newer version
        self._fields: dict[str, QWidget] = {}
        self._errors: dict[str, QLabel] = {}
        self._as_loaded: list[Any] | None = None  # the inputs' state when first shown

        self.banner = QLabel(self)
        self.banner.setStyleSheet(ERROR_STYLE)
        self.banner.setWordWrap(True)
        self.banner.hide()

        body = QWidget()
        self.form = QFormLayout(body)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.buttons)

    def add_field(self, key: str, label: str, widget: QWidget, required: bool = False) -> QWidget:
        holder = QWidget(self)
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        error = QLabel(holder)
        error.setObjectName(f"error_{key}")
        error.setStyleSheet(ERROR_STYLE)
        error.setWordWrap(True)
        error.hide()
        column.addWidget(error)
        caption = QLabel(f"{label}{' *' if required else ''}", self)
        caption.setBuddy(widget)
        self.form.addRow(caption, holder)
        widget.setObjectName(key)
        self._fields[key] = widget
        self._errors[key] = error
        if hasattr(widget, "entry_error"):  # a date, time or amount field (views.entry_widgets)
            widget.editingFinished.connect(lambda: self.set_error(key, widget.entry_error()))
        return widget

    def field(self, key: str) -> QWidget:
        return self._fields[key]

    def error_text(self, key: str) -> str:
        label = self._errors.get(key)
        return label.text() if label is not None and not label.isHidden() else ""

    def clear_errors(self) -> None:
        for label in self._errors.values():
            label.clear()
            label.hide()
        self.banner.hide()

    def set_error(self, key: str, message: Message | None) -> None:
        label = self._errors[key]
        if message is None:
            label.clear()
            label.hide()
        else:
            label.setText(tr_msg(message))
            label.show()

    def check_on_leave(self, key: str, edit: QLineEdit, check: Callable[[str], str]) -> None:
        """Check a text field when the user leaves it: tidy its text, or say what is wrong."""

        def run() -> None:
            text = edit.text()
            try:
                if text.strip():
                    edit.setText(check(text))
                self.set_error(key, None)
            except InvalidValue as e:
                self.set_error(key, e.message)

        edit.editingFinished.connect(run)

    def show_errors(self, errors: dict[str, Message]) -> None:
        self.clear_errors()
        stray = []
        first: QWidget | None = None
        for key, message in errors.items():
            if key in self._errors:
                self.set_error(key, message)
                first = first or self._fields[key]
            else:
                stray.append(tr_msg(message))
        if stray:
            self.banner.setText("\n".join(stray))
            self.banner.show()
        self.banner_summary(len(errors))
        if first is not None:
            from PySide6.QtCore import Qt  # Qt's namespace of enums: ~15 ms, not before the login

            first.setFocus(Qt.FocusReason.OtherFocusReason)

    def banner_summary(self, count: int) -> None:
        if count and self.banner.isHidden():
            self.banner.setText(self.tr("有 {n} 处需要修改，请看各栏下方的红字说明。").format(n=count))
            self.banner.show()

    def entry_errors(self) -> dict[str, Message]:
        """The fields whose text cannot be read (a date like 2025-13-01): saving waits for them."""
        errors = {}
        for key, widget in self._fields.items():
            if hasattr(widget, "entry_error") and widget.isEnabled():
                problem = widget.entry_error()
                if problem is not None:
                    errors[key] = problem
        return errors

    def _inputs_state(self) -> list[Any]:
        states = (widget_state(w) for w in self.findChildren(QWidget) if not _is_transient(w))
        return [state for state in states if state is not None]

    def has_changes(self) -> bool:
        """Whether anything was typed, picked or added since the form was shown."""
        return self._as_loaded is not None and self._inputs_state() != self._as_loaded

    def confirm_discard(self) -> bool:
        """Asked before 取消 or Esc throws typed input away."""
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("放弃修改"),
                          self.tr("这里有尚未保存的修改。放弃这些修改吗？"), parent=self)
        box.setObjectName("confirm_discard")
        discard = box.addButton(self.tr("放弃修改"), QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton(self.tr("继续编辑"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.exec()
        return box.clickedButton() is discard

    def reject(self) -> None:
        """取消, Esc and the close button: nothing is saved; typed input is only dropped when
        the user says so."""
        if not self.discarded_for_newer and self.has_changes() and not self.confirm_discard():
            return
        super().reject()

    def showEvent(self, event: QShowEvent) -> None:
        """A role without ``permission`` (查看员) sees the record but no 保存; the services refuse too."""
        if self._as_loaded is None:
            self._as_loaded = self._inputs_state()
        ctx = getattr(self, "ctx", None)
        if ctx is not None and self.permission is not None and not _can(ctx.user, self.permission):
            for widget in self.edit_widgets:  # e.g. a team form's 加入成员… / 结束任职…
                widget.setEnabled(False)
            save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
            if save is not None:
                save.setEnabled(False)
                save.setToolTip(self.tr("查看员只能查看，不能保存修改"))
        super().showEvent(event)

    def submit(self) -> Any:
        """Validate and save; return the saved object or raise ValidationFailed."""
        raise NotImplementedError

    def accept(self) -> None:
        self.clear_errors()
        unreadable = self.entry_errors()
        if unreadable:
            self.show_errors(unreadable)
            return
        try:
            self.result_value = self.submit()
        except ValidationFailed as e:
            self.show_errors(e.errors)
            return
        except StaleRecord as e:
            self.stale(e)
            return
        super().accept()

    def stale(self, error: StaleRecord) -> None:
        """Another clerk saved (or deleted) the record since this form read it: nothing was
        written, and the typed input is still here. Compare, then keep it, drop it or go on."""
        from .conflict_dialog import Choice, resolve_conflict

        log.info("save refused, record changed meanwhile: %s #%s", error.entity, error.record_id)
        choice = resolve_conflict(self, error, getattr(getattr(self, "ctx", None), "user", None))
        if choice is Choice.KEEP_MINE:
            error.rebase()
            self.accept()
        elif choice is Choice.TAKE_THEIRS:
            self.discarded_for_newer = True
            self.reject()
        else:
            self.banner.setText(tr_msg(error.message))
            self.banner.show()


def _can(user, permission: str) -> bool:
    from models.permissions import can  # the records' layer: loaded after the login shows

    return can(user, permission)
