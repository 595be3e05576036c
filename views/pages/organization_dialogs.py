"""Advancing an organization's incubation stage; archiving and restoring it."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QLabel, QPlainTextEdit, QWidget

from desktop.context import AppContext
from models.choices import INCUBATION_STAGES
from models.entities import Organization
from models.organizations import (
    advance_stage,
    next_stages,
)

from ..entry_widgets import DateField
from ..form import FormDialog
from ..i18n import tr_label
from ..widgets import ChoiceCombo


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
            "on", self.tr("日期"), DateField(value=dt.date.today()), required=True
        )
        self.note = self.add_field("note", self.tr("说明（出壳必填）"), QPlainTextEdit())
        self.note.setMaximumHeight(90)
        self.resize(420, 300)

    def submit(self) -> Organization:
        return advance_stage(
            self.org, self.ctx.user, self.stage.value(), self.on.value(), self.note.toPlainText()
        )
