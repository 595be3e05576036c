"""The supervision of a funded project, from its detail: milestones, supervision visits (督导),
instalments paid, and the closing evaluation (结项评估) that closes it."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QWidget

from desktop.context import AppContext
from models.entities import Project
from models.errors import ValidationFailed
from models.i18n import msg
from models.projects import format_money, parse_money
from models.venture_entities import ProjectMilestone
from models.venture_supervision import (
    EvaluationData,
    VisitData,
    add_milestone,
    add_payment,
    close_with_evaluation,
    complete_milestone,
    paid_total,
    save_visit,
)

from ..entry_widgets import AmountField, DateField
from ..form import FormDialog
from ..widgets import ChoiceCombo, OptionalCountBox

MAX_SERVED = 10_000_000


class MilestoneForm(FormDialog):
    def __init__(self, ctx: AppContext, project: Project, parent: QWidget | None = None):
        super().__init__(self.tr("添加节点：{name}").format(name=project.name), parent)
        self.ctx = ctx
        self.project = project
        self.resize(480, 300)
        self.title = self.add_field("title", self.tr("节点"), QLineEdit(), required=True)
        self.title.setPlaceholderText(self.tr("如 完成需求调研、开展首场活动、中期评估"))
        self.due_on = self.add_field("due_on", self.tr("计划完成日期"), DateField(), required=True)
        self.note = self.add_field("note", self.tr("说明"), QLineEdit())

    def submit(self) -> ProjectMilestone:
        return add_milestone(
            self.project, self.title.text(), self.due_on.value(), self.ctx.user, self.note.text()
        )


class MilestoneDoneForm(FormDialog):
    """节点完成: which open milestone was done, and when."""

    def __init__(self, ctx: AppContext, project: Project, parent: QWidget | None = None):
        super().__init__(self.tr("节点完成：{name}").format(name=project.name), parent)
        self.ctx = ctx
        self.resize(480, 280)
        open_ones = project.milestones.where(ProjectMilestone.done_on.is_null()).order_by(
            ProjectMilestone.due_on
        )
        self.milestone = self.add_field(
            "milestone",
            self.tr("节点"),
            ChoiceCombo((m.id, f"{m.title}（{m.due_on:%Y-%m-%d}）") for m in open_ones),
            required=True,
        )
        self.done_on = self.add_field(
            "done_on", self.tr("完成日期"), DateField(value=dt.date.today()), required=True
        )

    def submit(self) -> ProjectMilestone:
        if self.milestone.value() is None:
            raise ValidationFailed({"milestone": msg("这个项目没有未完成的节点")})
        return complete_milestone(
            ProjectMilestone.get_by_id(self.milestone.value()), self.done_on.value(), self.ctx.user
        )


class VisitForm(FormDialog):
    """督导: the date, who went, what they found, and a score (0–100)."""

    def __init__(self, ctx: AppContext, project: Project, parent: QWidget | None = None):
        super().__init__(self.tr("记录督导：{name}").format(name=project.name), parent)
        self.ctx = ctx
        self.project = project
        self.resize(520, 420)
        self.visited_on = self.add_field(
            "visited_on", self.tr("督导日期"), DateField(value=dt.date.today()), required=True
        )
        self.visitors = self.add_field("visitors", self.tr("督导人员"), QLineEdit(), required=True)
        self.findings = self.add_field("findings", self.tr("督导发现和建议"), QPlainTextEdit())
        self.findings.setMaximumHeight(120)
        self.score = self.add_field("score", self.tr("评分（0–100）"), QLineEdit())
        self.score.setPlaceholderText(self.tr("如 85，可不填"))

    def submit(self):
        return save_visit(
            self.project,
            VisitData(
                self.visited_on.value(), self.visitors.text(), self.findings.toPlainText(), self.score.text()
            ),
            self.ctx.user,
        )


class PaymentForm(FormDialog):
    """拨付: one instalment, all of them together within the amount granted."""

    def __init__(self, ctx: AppContext, project: Project, parent: QWidget | None = None):
        super().__init__(self.tr("拨付：{name}").format(name=project.name), parent)
        self.ctx = ctx
        self.project = project
        self.resize(480, 300)
        granted = format_money(project.amount_granted) or self.tr("未填")
        self.add_field(
            "paid",
            self.tr("已拨付"),
            QLabel(
                self.tr("{paid} 元（立项金额 {granted} 元）").format(
                    paid=format_money(paid_total(project)), granted=granted
                )
            ),
        )
        self.paid_on = self.add_field(
            "paid_on", self.tr("拨付日期"), DateField(value=dt.date.today()), required=True
        )
        self.amount = self.add_field(
            "amount", self.tr("金额（元）"), AmountField(parse=parse_money), required=True
        )
        self.amount.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.note = self.add_field("note", self.tr("说明"), QLineEdit())
        self.note.setPlaceholderText(self.tr("如 首期、中期、尾款"))

    def submit(self):
        return add_payment(
            self.project, self.paid_on.value(), self.amount.text(), self.ctx.user, self.note.text()
        )


class EvaluationForm(FormDialog):
    """结项评估: recorded with its score, it closes the project."""

    def __init__(self, ctx: AppContext, project: Project, parent: QWidget | None = None):
        super().__init__(self.tr("结项评估：{name}").format(name=project.name), parent)
        self.ctx = ctx
        self.project = project
        self.resize(520, 440)
        self.evaluated_on = self.add_field(
            "evaluated_on", self.tr("评估日期"), DateField(value=dt.date.today()), required=True
        )
        self.evaluators = self.add_field("evaluators", self.tr("评估人员"), QLineEdit())
        self.score = self.add_field("score", self.tr("评分（0–100）"), QLineEdit(), required=True)
        self.actual = self.add_field(
            "actual_served", self.tr("实际服务人次"), OptionalCountBox(maximum=MAX_SERVED)
        )
        self.actual.setCount(project.actual_served)
        self.conclusion = self.add_field("conclusion", self.tr("评估结论"), QPlainTextEdit())
        self.conclusion.setMaximumHeight(120)
        hint = QLabel(self.tr("保存后项目状态改为“结项”。"))
        self.form.addRow(hint)

    def submit(self):
        return close_with_evaluation(
            self.project,
            EvaluationData(
                self.evaluated_on.value(),
                self.evaluators.text(),
                self.score.text(),
                self.conclusion.toPlainText(),
                self.actual.count(),
            ),
            self.ctx.user,
        )
