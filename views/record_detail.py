"""The one detail of a register's record: its basic information first, then what refers to it,
with the actions on it (编辑… first) above. Every register page opens its records here (double
click, Enter, 打开…); the operator's role decides which actions are enabled."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from peewee import Model
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QPushButton, QScrollArea, QWidget

from models import audit
from models.audit import UNAUDITED
from models.audit_listing import field_label, value_text
from models.permissions import can

from .detail import DetailDialog
from .form import FormDialog
from .i18n import tr_label
from .tasks import ask_save_path, file_stem, offer_to_open, run_task

if TYPE_CHECKING:
    from .list_page import ListPage

# Columns that are bookkeeping or shown in the header (archiving), not basic information.
NOT_SHOWN = UNAUDITED | {"archived", "archived_on", "archived_reason"}


def basic_fields(record: Model, full_ids: bool = False) -> list[tuple[str, str]]:
    """(label, value) of each of the record's own fields, in the order it declares them, as the
    audit trail names and shows them (labels untranslated: they come from models/)."""
    entity = audit.entity_name(record)
    return [
        (field_label(entity, name), value_text(entity, name, record.__data__.get(name), full_ids))
        for name in record._meta.fields if name not in NOT_SHOWN
    ]


class RecordDetail(DetailDialog):
    """Subclasses add their related tables (``add_table``) and buttons (``add_button``) after
    calling this constructor, and override ``extra_info`` for values kept outside the record."""

    def __init__(self, page: ListPage, record: Model, title: str):
        super().__init__(title, page)
        self.page = page
        self.ctx = page.ctx
        self.record = record
        self.changed = False  # the page reloads its list when the detail closes after a change
        self.active_dialog: FormDialog | None = None
        self.info_labels: dict[str, QLabel] = {}
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.info = QWidget(scroll)
        self.info.setObjectName("basic_info")
        self.info_form = QFormLayout(self.info)
        self.info_form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        scroll.setWidget(self.info)
        self.tabs.addTab(scroll, self.tr("基本信息"))
        self.edit_button = self.add_button(self.tr("编辑…"), self.edit, permission="edit")
        self.edit_button.setToolTip(self.tr("修改本条记录（保存后这里随即更新）"))
        self.edit_button.setObjectName("edit")

    # -- for subclasses --------------------------------------------------------------
    def extra_info(self) -> list[tuple[str, str]]:
        """Further (label, value) lines: what is kept beside the record (service areas…)."""
        return []

    def header_parts(self) -> list[str]:
        """What the header shows after the record's name (escaped HTML)."""
        return []

    def refresh_related(self) -> None:
        """Fill the related tables again after a change made here."""

    def make_form(self) -> FormDialog:
        form = self.page.make_form(self.record)
        form.setParent(self, form.windowFlags())  # over the detail, which it keeps from input
        return form

    # -- behaviour -------------------------------------------------------------------
    def may(self, permission: str) -> bool:
        return can(self.ctx.user, permission)

    @staticmethod
    def _headers(table) -> list[str]:
        return [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]

    def finish(self) -> None:
        """Called by subclasses once their buttons and tables are added."""
        self.actions_row.addStretch(1)
        self.show_record()
        self.refresh_related()

    def show_record(self) -> None:
        """The header and the 基本信息 tab, from ``self.record``."""
        while self.info_form.rowCount():
            self.info_form.removeRow(0)
        self.info_labels.clear()
        full_ids = can(self.ctx.user, "full_ids")
        for label, value in [*basic_fields(self.record, full_ids), *self.extra_info()]:
            caption = tr_label(label)
            shown = QLabel(value, self.info)
            shown.setWordWrap(True)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.info_form.addRow(caption + "：", shown)
            self.info_labels[caption] = shown
        parts = [f"<b>{escape(audit.label(self.record))}</b>", *self.header_parts()]
        html = "　".join(p for p in parts if p)
        if getattr(self.record, "archived", False):
            html += "<br><span style='color:#7f8c8d'>" + escape(
                self.tr("已归档：{reason}").format(reason=self.record.archived_reason)) + "</span>"
        self.set_header(html)

    def info_text(self, label: str) -> str:
        """What the 基本信息 tab shows for ``label`` (tests read it)."""
        shown = self.info_labels.get(label)
        return shown.text() if shown is not None else ""

    def reload(self) -> None:
        model = type(self.record)
        fresh = model.get_or_none(model._meta.primary_key == self.record.get_id())
        if fresh is not None:
            self.record = fresh
        self.show_record()
        self.refresh_related()

    def open_dialog(self, dialog: QWidget) -> None:
        """A form over the detail; after a save (or after taking another clerk's newer version)
        the detail shows the record as stored."""
        dialog.accepted.connect(self._after_change)
        if isinstance(dialog, FormDialog):
            dialog.rejected.connect(lambda: self._after_change() if dialog.discarded_for_newer else None)
        dialog.finished.connect(dialog.deleteLater)
        self.active_dialog = dialog
        dialog.open()

    def _after_change(self) -> None:
        self.changed = True
        self.reload()

    def edit(self) -> None:
        self.open_dialog(self.make_form())

    # -- 花名册 --------------------------------------------------------------------
    def add_roster_buttons(self, kind: str) -> tuple[QPushButton, QPushButton]:
        """花名册… (an .xlsx or PDF file; roles that may export) and 打印花名册… (every role)."""
        export = self.add_button(self.tr("花名册…"), lambda: self.export_roster(kind),
                                 permission="export")
        export.setObjectName("roster")
        export.setToolTip(self.tr("导出成员花名册（Excel 或 PDF，按姓氏笔画排序）"))
        printing = self.add_button(self.tr("打印花名册…"), lambda: self.print_roster(kind),
                                   permission="print")
        printing.setObjectName("print_roster")
        return export, printing

    def _roster(self, kind: str) -> Callable[[Path, str, Any], Any]:
        from desktop.reports.roster import export_roster  # reportlab: loaded when first used

        target, user = self.record.get_id(), self.ctx.user
        full_ids = can(user, "full_ids")
        return lambda path, fmt, job: export_roster(path, kind, target, fmt, "strokes", None, full_ids,
                                                    job, user)

    def roster_title(self) -> str:
        return f"{audit.label(self.record)}{self.tr('花名册')}"

    def export_roster(self, kind: str) -> None:
        title = self.roster_title()
        path = ask_save_path(self, self.page.settings, self.tr("导出花名册"), file_stem(title), ".xlsx")
        if path is None:
            return
        fmt = "pdf" if path.suffix.lower() == ".pdf" else "xlsx"
        produce = self._roster(kind)
        from models.rosters import full_ids_allowed

        full_ids = full_ids_allowed(can(self.ctx.user, "full_ids"))
        self.task = run_task(self, self.tr("花名册"), self.tr("正在生成{title}…").format(title=title),
                             lambda job: produce(path, fmt, job),
                             lambda _result: offer_to_open(self, path, self.tr("花名册"), full_ids))

    def print_roster(self, kind: str) -> None:
        from .printing import print_preview

        produce = self._roster(kind)
        self.task = print_preview(self, self.roster_title(), lambda path, job: produce(path, "pdf", job))
