"""The Reports page (报表): the periodic summary, rosters and volunteer certificates.

The page only gathers the choices; the files are written by desktop/reports (the same
functions the CLI calls), in a worker thread with progress and Cancel.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.context import AppContext
from desktop.reports.output import Job
from models import lookups, pickers
from models.errors import ValidationFailed
from models.periods import FIRST_YEAR, LAST_YEAR, Period
from models.permissions import can
from models.rosters import full_ids_allowed

from ..form import ERROR_STYLE
from ..i18n import tr_msg
from ..person_picker import PersonPicker
from ..printing import print_preview
from ..search_combo import SearchCombo
from ..tasks import Task, ask_save_path, file_stem, offer_to_open, run_task
from ..widgets import ChoiceCombo

Produce = Callable[[Path, str, Job], Any]  # (path, format, job): one of desktop/reports' exports


def _export(module: str, name: str) -> Callable[..., Any]:
    """An export function of desktop.reports, imported when first used (reportlab and openpyxl
    take a good part of a second to load: the window shows before that)."""
    import importlib

    return getattr(importlib.import_module(f"desktop.reports.{module}"), name)


def _rollup_export() -> Callable[..., Any]:
    from desktop.exchange.rollup import export_rollup

    return export_rollup


@dataclass(frozen=True)
class ReportRequest:
    title: str  # the dialogs' title
    name: str  # the default file name, without the date and suffix
    produce: Produce
    full_ids: bool = False  # the file will hold full ID numbers (said when it is saved)


class PeriodPicker(QWidget):
    """年度 / 季度 / 月度 with the year and the quarter or month."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        today = dt.date.today()
        self.kind = ChoiceCombo((("year", self.tr("年度")), ("quarter", self.tr("季度")),
                                 ("month", self.tr("月度"))), self)
        self.kind.setObjectName("period_kind")
        self.year = QSpinBox(self)
        self.year.setObjectName("period_year")
        self.year.setRange(FIRST_YEAR, LAST_YEAR)
        self.year.setValue(today.year)
        self.year.setSuffix(self.tr(" 年"))
        self.quarter = ChoiceCombo(((q, self.tr("第 {n} 季度").format(n=q)) for q in range(1, 5)), self)
        self.quarter.setObjectName("period_quarter")
        self.quarter.setValue((today.month - 1) // 3 + 1)
        self.month = ChoiceCombo(((m, self.tr("{n} 月").format(n=m)) for m in range(1, 13)), self)
        self.month.setObjectName("period_month")
        self.month.setValue(today.month)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.kind, self.year, self.quarter, self.month):
            row.addWidget(widget)
        row.addStretch(1)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()

    def _kind_changed(self) -> None:
        kind = self.kind.value()
        self.quarter.setVisible(kind == "quarter")
        self.month.setVisible(kind == "month")
        if kind in ("quarter", "month"):  # offices report on the last finished quarter or month
            last = Period.containing(kind, dt.date.today()).previous()
            self.year.setValue(last.year)
            (self.quarter if kind == "quarter" else self.month).setValue(last.number)

    def set_period(self, period: Period) -> None:
        self.kind.setValue(period.kind)
        self.year.setValue(period.year)
        if period.kind == "quarter":
            self.quarter.setValue(period.number)
        elif period.kind == "month":
            self.month.setValue(period.number)

    def period(self) -> Period:
        year = self.year.value()
        if self.kind.value() == "quarter":
            return Period.for_quarter(year, self.quarter.value())
        if self.kind.value() == "month":
            return Period.for_month(year, self.month.value())
        return Period.for_year(year)


class ReportsPage(QWidget):
    task: Task | None = None  # the export or preview started last (tests wait for it)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.settings = QSettings(str(ctx.ui_settings_path), QSettings.Format.IniFormat)
        self.person_id: int | None = None
        self.person_name = ""

        self.report = ChoiceCombo((("summary", self.tr("统计报表")), ("roster", self.tr("花名册")),
                                   ("certificate", self.tr("志愿服务记录证明"))), self)
        self.report.setObjectName("report")
        self.roster_kind = ChoiceCombo((
            ("organization", self.tr("社会组织成员")), ("team", self.tr("三工联动团队成员")),
            ("venue", self.tr("活动阵地常用人员")), ("volunteers", self.tr("志愿者（按地区）")),
        ), self)
        self.roster_kind.setObjectName("roster_kind")
        self.target = SearchCombo(parent=self)
        self.target.setObjectName("target")
        self.area = SearchCombo(parent=self)
        self.area.setObjectName("area")
        self.period = PeriodPicker(self)
        self.order = ChoiceCombo((("strokes", self.tr("姓氏笔画")), ("pinyin", self.tr("姓名拼音"))), self)
        self.order.setObjectName("order")
        self.person = PersonPicker(partial(pickers.search_people, volunteers_only=True), self,
                                   self.tr("输入志愿者姓名或完整的身份证号查找"), single=True)
        self.person.picked.connect(self.pick_person)
        self.person_shown = QLabel(self.tr("未选择"), self)
        self.person_shown.setObjectName("person_shown")
        self.format = ChoiceCombo((("xlsx", self.tr("Excel 工作簿（.xlsx）")), ("pdf", self.tr("PDF"))), self)
        self.format.setObjectName("format")
        self.charts = QCheckBox(
            self.tr("附图表页：孵化进程、项目金额、近12个月志愿服务时长、服务领域（仅 PDF）"), self)
        self.charts.setObjectName("charts")

        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.form.addRow(self.tr("报表"), self.report)
        self.form.addRow(self.tr("花名册范围"), self.roster_kind)
        self.form.addRow(self.tr("对象"), self.target)
        self.form.addRow(self.tr("地区"), self.area)
        self.form.addRow(self.tr("报告期"), self.period)
        self.form.addRow(self.tr("排序"), self.order)
        self.form.addRow(self.tr("查找志愿者"), self.person)
        self.form.addRow(self.tr("志愿者"), self.person_shown)
        self.form.addRow(self.tr("格式"), self.format)
        self.form.addRow(self.tr("图表"), self.charts)

        self.error = QLabel(self)
        self.error.setObjectName("error")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        self.export_button = QPushButton(self.tr("导出…"), self)
        self.export_button.clicked.connect(self.export)
        self.export_button.setVisible(can(ctx.user, "export"))  # 查看员 prints, does not export
        self.preview_button = QPushButton(self.tr("打印预览…"), self)
        self.preview_button.setToolTip(self.tr("预览并打印与 PDF 相同的页面"))
        self.preview_button.clicked.connect(self.preview)
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.preview_button)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        layout.addStretch(1)

        self.report.currentIndexChanged.connect(self.update_fields)
        self.roster_kind.currentIndexChanged.connect(self.reload_targets)
        self.roster_kind.currentIndexChanged.connect(self.update_fields)
        self.format.currentIndexChanged.connect(self.update_fields)
        self.reload_choices()
        self.update_fields()

    def is_filled(self) -> bool:
        return True

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.reload_choices()  # organizations or townships may have been added meanwhile

    # -- the choices -------------------------------------------------------------
    def reload_choices(self) -> None:
        self._refill(self.area, lookups.townships(), self.tr("全县"))
        self.reload_targets()
        self._offer_rollup()

    def _offer_rollup(self) -> None:
        """The roll-up (本单位 + the packages of its lower units) is offered once this office has
        lower units, i.e. has imported a package on the 上报 page."""
        from desktop.exchange.rollup import has_lower_units

        index = self.report.findData("rollup")
        if has_lower_units() and index < 0:
            self.report.insertItem(1, self.tr("汇总统计报表（本单位＋下级上报）"), "rollup")
        elif not has_lower_units() and index >= 0:
            self.report.removeItem(index)

    def reload_targets(self) -> None:
        finders = {"organization": pickers.organizations, "team": pickers.teams, "venue": pickers.venues}
        finder = finders.get(self.roster_kind.value())
        self._refill(self.target, finder() if finder else [], None)

    @staticmethod
    def _refill(combo: ChoiceCombo, items: list[tuple[Any, str]], blank: str | None) -> None:
        kept = combo.value()
        combo.blockSignals(True)
        combo.clear()
        if blank is not None:
            combo.addItem(blank, None)
        for value, label in items:
            combo.addItem(label, value)
        combo.setValue(kept)
        combo.blockSignals(False)

    def pick_person(self, person_id: int, label: str) -> None:
        # The label is the name and the masked ID (pickers.person_label); the file is named by the name.
        self.person_id, self.person_name = person_id, label.split("（")[0]
        self.person_shown.setText(label)

    def update_fields(self) -> None:
        report, kind = self.report.value(), self.roster_kind.value()
        roster = report == "roster"
        visible = {
            self.roster_kind: roster,
            self.target: roster and kind != "volunteers",
            self.area: report == "summary" or (roster and kind == "volunteers"),
            self.period: report in ("summary", "rollup", "certificate"),
            self.order: roster,
            self.person: report == "certificate",
            self.person_shown: report == "certificate",
            self.charts: report == "summary",
        }
        for widget, shown in visible.items():
            self.form.setRowVisible(widget, shown)
        certificate = report == "certificate"
        if certificate:
            self.format.setValue("pdf")
        self.format.setEnabled(not certificate)  # a certificate is a signed PDF
        self.charts.setEnabled(self.format.value() == "pdf")
        # Previewing a certificate would take a number from the register: print its PDF instead.
        self.preview_button.setEnabled(not certificate)
        self.error.hide()

    def choose_rollup(self, period: Period) -> None:
        """Set the page to the roll-up of ``period`` (the 上报 page's 汇总报表…)."""
        self._offer_rollup()
        self.report.setValue("rollup")
        self.period.set_period(period)

    def choose_summary(self, period: Period, township_id: int | None) -> None:
        """Set the page to the summary of ``period`` for the county or one township."""
        self.report.setValue("summary")
        self.area.setValue(township_id)
        self.period.set_period(period)

    # -- what to produce ---------------------------------------------------------
    def request(self) -> ReportRequest | None:
        """The chosen report with its options bound, or None (the reason shown) if one is missing."""
        try:
            return self._request()
        except ValidationFailed as e:
            return self._refuse("\n".join(tr_msg(m) for m in e.errors.values()))

    def _refuse(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
        return None

    def _request(self) -> ReportRequest | None:
        self.error.hide()
        user, report = self.ctx.user, self.report.value()
        area_id, area_name = self.area.value(), self.area.currentText()
        if report == "summary":
            period, charts = self.period.period(), self.charts.isChecked()
            return ReportRequest(
                self.tr("统计报表"), f"{self.tr('统计报表')}_{period.label}_{area_name}",
                lambda path, fmt, job: _export("summary", "export_summary")(
                    path, period, area_id, fmt, job, user, charts=charts and fmt == "pdf"),
            )
        if report == "rollup":
            period = self.period.period()
            return ReportRequest(
                self.tr("汇总统计报表"), f"{self.tr('汇总统计报表')}_{period.label}",
                lambda path, fmt, job: _rollup_export()(path, period, fmt, job, user),
            )
        if report == "roster":
            kind, order = self.roster_kind.value(), self.order.value()
            target_id = self.target.value() if kind != "volunteers" else None
            if kind != "volunteers" and target_id is None:
                return self._refuse(self.tr("请先选择{what}。").format(what=self.roster_kind.currentText()))
            full_ids = can(user, "full_ids")
            subject = self.target.currentText() if target_id is not None else area_name + self.tr("志愿者")
            return ReportRequest(
                self.tr("花名册"), f"{subject}{self.tr('花名册')}",
                lambda path, fmt, job: _export("roster", "export_roster")(
                    path, kind, target_id, fmt, order, area_id if kind == "volunteers" else None,
                    full_ids, job, user),
                full_ids_allowed(full_ids),
            )
        if self.person_id is None:
            return self._refuse(self.tr("请先查找并选定一位志愿者。"))
        period, person_id = self.period.period(), self.person_id
        return ReportRequest(
            self.tr("志愿服务记录证明"),
            f"{self.tr('志愿服务记录证明')}_{self.person_name}_{period.label}",
            lambda path, fmt, job: _export("certificate", "export_certificate")(
                path, person_id, period.start, period.end, fmt, job, user),
        )

    # -- actions -----------------------------------------------------------------
    def export(self) -> None:
        request = self.request()
        if request is None:
            return
        fmt = self.format.value()
        path = ask_save_path(self, self.settings, self.tr("导出{title}").format(title=request.title),
                             file_stem(request.name), f".{fmt}")
        if path is None:
            return
        self.task = run_task(
            self, request.title, self.tr("正在生成{title}…").format(title=request.title),
            lambda job: request.produce(path, fmt, job),
            lambda _result: offer_to_open(self, path, request.title, request.full_ids),
        )

    def preview(self) -> None:
        request = self.request()
        if request is not None:
            self.task = print_preview(self, request.title,
                                      lambda path, job: request.produce(path, "pdf", job))
