"""A list page whose records are archived (with a reason) instead of deleted, and its dialog."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QPlainTextEdit, QWidget

from desktop.context import AppContext
from models import audit
from models.archiving import archive_record, restore_record
from models.entities import Archivable

from .form import FormDialog
from .list_page import ListPage


class ArchiveRecordDialog(FormDialog):
    """Archive (or, for an archived record, restore) with a reason."""

    def __init__(self, ctx: AppContext, record: Archivable, parent: QWidget | None = None):
        self.restoring = record.archived
        title = self.tr("恢复：{name}") if self.restoring else self.tr("归档：{name}")
        super().__init__(title.format(name=audit.label(record)), parent)
        self.ctx = ctx
        self.record = record
        if not self.restoring:
            hint = QLabel(self.tr("归档后不再出现在默认列表中，历史记录和报表数据都保留，可随时恢复。"))
            hint.setWordWrap(True)
            self.form.addRow(hint)
        label = self.tr("恢复原因") if self.restoring else self.tr("归档原因")
        self.reason = self.add_field("reason", label, QPlainTextEdit(), required=True)
        self.reason.setMaximumHeight(90)
        self.resize(420, 240)

    def submit(self) -> Archivable:
        action = restore_record if self.restoring else archive_record
        return action(self.record, self.ctx.user, self.reason.toPlainText())


class ArchivingListPage(ListPage):
    """Adds 归档…/恢复… (also on the Delete key) to a page listing an ``Archivable`` entity."""

    def setup_actions(self) -> None:
        self.archive_button = self.add_action(
            self.tr("归档…"), self.archive_selected, self.tr("归档或恢复选中的一行（Delete）"),
            changes=True, row=True,
        )

    def update_actions(self) -> None:
        super().update_actions()
        record = self.selected_record()
        self.archive_button.setEnabled(record is not None)
        self.archive_button.setText(
            self.tr("恢复…") if record is not None and record.archived else self.tr("归档…")
        )

    def delete_selected(self) -> None:
        self.archive_selected()

    def archive_selected(self) -> None:
        record = self.selected_record()
        if record is not None:
            self.show_dialog(ArchiveRecordDialog(self.ctx, record, parent=self))
