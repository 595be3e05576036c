"""A save refused because another clerk changed the record meanwhile: compare, then choose.

The form stays open with what the user typed; this dialog says who changed the record and when,
shows each field as the form read it, as stored now and as typed, and lets the user keep her
input (a deliberate overwrite), take the stored record (her input is dropped), or go back to
the form to merge by hand.
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from models.audit_listing import conflict_rows
from models.errors import StaleRecord
from models.permissions import can

from .i18n import tr_msg

CHANGED = QColor("#fdebd0")  # a value the other clerk changed


class Choice(Enum):
    KEEP_MINE = "mine"  # save the typed input over the stored version
    TAKE_THEIRS = "theirs"  # close the form; the stored record stands
    BACK = "back"  # back to the form, input kept


class ConflictDialog(QDialog):
    def __init__(self, error: StaleRecord, full_ids: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("记录已被他人修改"))
        self.choice = Choice.BACK
        layout = QVBoxLayout(self)
        self.message = QLabel(tr_msg(error.message), self)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)

        rows = conflict_rows(error, full_ids)
        self.table = QTableWidget(len(rows), 4, self)
        self.table.setObjectName("conflict_table")
        self.table.setHorizontalHeaderLabels(
            [self.tr("项目"), self.tr("您打开时"), self.tr("现在保存的"), self.tr("您填写的")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        for r, row in enumerate(rows):
            for c, value in enumerate((row.label, row.read, row.theirs, row.mine)):
                item = QTableWidgetItem(value)
                if c == 2 and row.they_changed:
                    item.setBackground(CHANGED)
                    item.setToolTip(self.tr("对方修改了这一项"))
                self.table.setItem(r, c, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        if rows:
            layout.addWidget(self.table, 1)
        else:
            self.table.hide()

        buttons = QDialogButtonBox(self)
        deleted = error.current is None
        self.keep_mine: QPushButton | None = None
        if not deleted:
            self.keep_mine = buttons.addButton(self.tr("用我填写的内容保存"),
                                               QDialogButtonBox.ButtonRole.AcceptRole)
            self.keep_mine.setObjectName("keep_mine")
            self.keep_mine.setToolTip(self.tr("以现在保存的记录为基础，写入您填写的全部内容"))
            self.keep_mine.clicked.connect(lambda: self._choose(Choice.KEEP_MINE))
        self.take_theirs = buttons.addButton(
            self.tr("关闭表单") if deleted else self.tr("放弃我的修改，看最新的记录"),
            QDialogButtonBox.ButtonRole.DestructiveRole)
        self.take_theirs.setObjectName("take_theirs")
        self.take_theirs.clicked.connect(lambda: self._choose(Choice.TAKE_THEIRS))
        self.back = buttons.addButton(self.tr("返回表单"), QDialogButtonBox.ButtonRole.RejectRole)
        self.back.setObjectName("back_to_form")
        self.back.clicked.connect(lambda: self._choose(Choice.BACK))
        self.back.setDefault(True)
        layout.addWidget(buttons)
        self.resize(640, 360 if rows else 160)

    def _choose(self, choice: Choice) -> None:
        self.choice = choice
        self.accept()


def resolve_conflict(parent: QWidget, error: StaleRecord, user) -> Choice:
    """Ask (modally) what to do about a refused save."""
    dialog = ConflictDialog(error, can(user, "full_ids"), parent)
    dialog.setObjectName("conflict_dialog")
    dialog.exec()
    return dialog.choice
