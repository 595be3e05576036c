"""The audit trail page (操作记录): read-only, filtered by operator, record type, action and
dates, each entry opening on its changes (old → new per field); exported like every list."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QLabel, QWidget

from desktop.context import AppContext
from models import audit_listing
from models.audit_listing import AuditFilter, AuditListing
from models.entities import AuditEntry
from models.permissions import can

from ..detail import DetailDialog, cell_text
from ..entry_widgets import DateField
from ..flow_layout import item_group
from ..i18n import tr_label
from ..list_page import ListPage
from ..widgets import ChoiceCombo


def refill(combo: ChoiceCombo, items) -> None:
    """New choices after the blank "全部", keeping the selected one, without a filter signal."""
    current = combo.value()
    combo.blockSignals(True)
    while combo.count() > 1:
        combo.removeItem(1)
    for value, label in items:
        combo.addItem(label, value)
    combo.setValue(current)
    combo.blockSignals(False)


class AuditEntryDialog(DetailDialog):
    """One entry: when, who, what, and each changed field's old and new value."""

    def __init__(self, entry: AuditEntry, full_ids: bool, parent: QWidget | None = None):
        super().__init__(self.tr("操作记录"), parent)
        operator = entry.user.display_name if entry.user and entry.user.display_name else entry.username
        lines = [
            (self.tr("时间"), cell_text(entry.at)),
            (self.tr("操作员"), f"{operator}（{entry.username}）" if entry.username else self.tr("系统")),
            (self.tr("操作"), tr_label(audit_listing.action_label(entry.action))),
            (self.tr("对象"), f"{tr_label(audit_listing.entity_label(entry.entity))}　"
                            f"{audit_listing.entry_summary(entry)}"),
        ]
        self.set_header("<br>".join(f"<b>{html.escape(k)}</b>：{html.escape(v)}" for k, v in lines))
        changes = audit_listing.entry_changes(entry, full_ids)
        self.changes = self.add_table(
            self.tr("改动"), (self.tr("字段"), self.tr("原值"), self.tr("新值")),
            [(tr_label(c.label), c.old, c.new) for c in changes],
        )
        if not changes:
            self.actions_row.addWidget(QLabel(self.tr("这条记录没有字段改动（如导出、打印）。"), self))
        self.resize(720, 480)


class AuditPage(ListPage):
    page_key = "audit"
    opens_detail = False  # an entry opens on its changes; nobody edits the trail
    entity = AuditEntry
    detail: AuditEntryDialog | None = None  # the entry opened last (tests drive it)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, AuditListing(), parent)
        self.new_button.hide()  # the trail is written by the program, never by hand
        self.open_button.setText(self.tr("查看改动"))
        for edit in (self.date_from, self.date_to):
            edit.valueChanged.connect(self.apply_filter)

    def search_placeholder(self) -> str:
        return self.tr("搜索对象名称或文件名（Ctrl+F）")

    def setup_filters(self) -> None:
        all_ = self.tr("全部")
        self.user_filter = self.add_filter(
            self.tr("操作员"), ChoiceCombo(audit_listing.operators(), blank=all_))
        self.entity_filter = self.add_filter(
            self.tr("对象类型"),
            ChoiceCombo(((e, tr_label(label)) for e, label in audit_listing.entities()), blank=all_),
        )
        self.action_filter = self.add_filter(
            self.tr("操作"),
            ChoiceCombo(((a, tr_label(label)) for a, label in audit_listing.actions()), blank=all_),
        )
        self.date_from = DateField(self)
        self.date_from.setObjectName("date_from")
        self.date_to = DateField(self)
        self.date_to.setObjectName("date_to")
        for text, edit in ((self.tr("从"), self.date_from), (self.tr("到"), self.date_to)):
            caption = QLabel(text, self)
            caption.setBuddy(edit)
            self.filter_bar.addWidget(item_group(caption, edit, parent=self))

    def current_filter(self) -> AuditFilter:
        return AuditFilter(
            text=self.search.text(),
            username=self.user_filter.value(),
            entity=self.entity_filter.value(),
            action=self.action_filter.value(),
            date_from=self.date_from.value(),
            date_to=self.date_to.value(),
        )

    def showEvent(self, event) -> None:
        """Coming back to the page shows what was done meanwhile, and who did it."""
        super().showEvent(event)
        for combo, items in (
            (self.user_filter, audit_listing.operators()),
            (self.entity_filter, ((e, tr_label(label)) for e, label in audit_listing.entities())),
            (self.action_filter, ((a, tr_label(label)) for a, label in audit_listing.actions())),
        ):
            refill(combo, items)
        self.refresh()

    def create_new(self) -> None:
        """Nothing to create: Ctrl+N does nothing here."""

    def open_item(self, item_id: int) -> None:
        entry = AuditEntry.get_or_none(AuditEntry.id == item_id)
        if entry is None:
            return
        dialog = AuditEntryDialog(entry, can(self.ctx.user, "full_ids"), self)
        dialog.finished.connect(dialog.deleteLater)
        self.detail = dialog
        dialog.open()
