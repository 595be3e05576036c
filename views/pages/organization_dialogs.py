"""Advancing an organization's incubation stage; archiving and restoring it."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QLabel, QPlainTextEdit, QWidget

from desktop.context import AppContext
from models.choices import INCUBATION_STAGES
from models.entities import Organization
from models.organizations import (
    advance_stage,
    archive_organization,
    next_stages,
    restore_organization,
)

from ..form import FormDialog
from ..i18n import tr_label
from ..widgets import ChoiceCombo, OptionalDateEdit


class StageDialog(FormDialog):
    def __init__(self, ctx: AppContext, org: Organization, parent: QWidget | None = None):
        super().__init__(self.tr("推进孵化阶段：{name}").format(name=org.name), parent)
        self.ctx = ctx
        self.org = org
        current = INCUBATION_STAGES.label(org.incubation_stage) or "未入孵"
        since = f"（{org.stage_since.isoformat()} 起）" if org.stage_since else ""
        self.form.addRow(self.tr("当前阶段"), QLabel(tr_label(current) + since))
        self.stage = self.add_field(
            "stage", self.tr("推进到"),
            ChoiceCombo((c, tr_label(INCUBATION_STAGES.label(c))) for c in next_stages(org)),
            required=True,
        )
        self.on = self.add_field(
            "on", self.tr("日期"), OptionalDateEdit(value=dt.date.today()), required=True
        )
        self.note = self.add_field("note", self.tr("说明（出壳必填）"), QPlainTextEdit())
        self.note.setMaximumHeight(90)
        self.resize(420, 300)

    def submit(self) -> Organization:
        return advance_stage(
            self.org, self.ctx.user, self.stage.value(), self.on.value(), self.note.toPlainText()
        )


class ArchiveDialog(FormDialog):
    """Archive (or, for an archived organization, restore) with a reason."""

    def __init__(self, ctx: AppContext, org: Organization, parent: QWidget | None = None):
        self.restoring = org.archived
        title = self.tr("恢复组织：{name}") if self.restoring else self.tr("归档组织：{name}")
        super().__init__(title.format(name=org.name), parent)
        self.ctx = ctx
        self.org = org
        if not self.restoring:
            hint = QLabel(self.tr("归档后组织不再出现在默认列表中，历史记录和报表数据都保留，可随时恢复。"))
            hint.setWordWrap(True)
            self.form.addRow(hint)
        label = self.tr("恢复原因") if self.restoring else self.tr("归档原因")
        self.reason = self.add_field("reason", label, QPlainTextEdit(), required=True)
        self.reason.setMaximumHeight(90)
        self.resize(420, 240)

    def submit(self) -> Organization:
        action = restore_organization if self.restoring else archive_organization
        return action(self.org, self.ctx.user, self.reason.toPlainText())
