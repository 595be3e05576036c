"""Advancing an organization's incubation stage; archiving and restoring it."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QLabel, QPlainTextEdit, QWidget

from desktop.context import AppContext
from models.choices import INCUBATION_STAGES
from models.entities import Organization, OrganizationStage
from models.organization_detail import StageSpan
from models.organizations import (
    advance_stage,
    correct_stage_date,
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


class StageDateDialog(FormDialog):
    """Correct the day a stage of the 孵化历程 was entered; the reason goes to the audit trail."""

    def __init__(self, ctx: AppContext, org: Organization, spans: list[StageSpan], chosen: int = 0,
                 parent: QWidget | None = None):
        super().__init__(self.tr("更正孵化日期：{name}").format(name=org.name), parent)
        self.ctx = ctx
        self.org = org
        labels = [(span.stage_id, tr_label(INCUBATION_STAGES.label(span.stage))
                   + f"（{span.entered_on.isoformat()}）") for span in spans]
        self.stage = self.add_field("stage", self.tr("阶段"), ChoiceCombo(labels), required=True)
        self.on = self.add_field("on", self.tr("正确的进入日期"), DateField(), required=True)
        self.reason = self.add_field("reason", self.tr("更正原因"), QPlainTextEdit(), required=True)
        self.reason.setMaximumHeight(80)
        self.spans = {span.stage_id: span for span in spans}
        self.stage.currentIndexChanged.connect(self._show_current)
        self.stage.setCurrentIndex(chosen)
        self._show_current()
        self.resize(440, 300)

    def _show_current(self) -> None:
        span = self.spans.get(self.stage.value())
        self.on.setValue(span.entered_on if span else None)

    def submit(self) -> OrganizationStage:
        return correct_stage_date(OrganizationStage.get_by_id(self.stage.value()), self.ctx.user,
                                  self.on.value(), self.reason.toPlainText())
