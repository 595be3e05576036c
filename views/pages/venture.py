"""The 创投 page: 公益创投 and 微创投 rounds, each opened in its detail (applications, reviewers,
ranking, selection, 公示), created and edited with the round form."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QSpinBox, QWidget

from desktop.context import AppContext
from models.choices import ROUND_SOURCES
from models.projects import FIRST_YEAR, parse_money
from models.venture import KEY_DATES, RoundData, save_round
from models.venture_entities import VentureRound
from models.venture_listing import RoundFilter, RoundListing, round_years

from ..entry_widgets import AmountField, DateField
from ..form import FormDialog
from ..list_page import ListPage
from ..widgets import ChoiceCombo


class RoundForm(FormDialog):
    def __init__(self, ctx: AppContext, rnd: VentureRound | None = None, parent: QWidget | None = None):
        super().__init__("", parent)
        self.setWindowTitle(self.tr("新建创投轮次") if rnd is None
                            else self.tr("编辑创投轮次：{name}").format(name=rnd.name))
        self.ctx = ctx
        self.round = rnd
        self.resize(560, 660)
        data = RoundData.from_round(rnd) if rnd else RoundData()
        self.name = self.add_field("name", self.tr("轮次名称"), QLineEdit(), required=True)
        self.name.setPlaceholderText(self.tr("如 2025年度妇联微创投"))
        self.source = self.add_field("source", self.tr("类型"), ChoiceCombo.of(ROUND_SOURCES), required=True)
        self.year = self.add_field("year", self.tr("年度"), QSpinBox(), required=True)
        self.year.setRange(FIRST_YEAR, dt.date.today().year + 1)
        self.organiser = self.add_field("organiser", self.tr("主办单位"), QLineEdit())
        self.organiser.setPlaceholderText(self.tr("如 县妇联、县民政局"))
        self.budget = self.add_field("budget", self.tr("总预算（元）"), AmountField(parse=parse_money),
                                     required=True)
        self.project_cap = self.add_field("project_cap", self.tr("单个项目资助上限（元）"),
                                          AmountField(parse=parse_money))
        for edit in (self.budget, self.project_cap):
            edit.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        labels = (self.tr("征集日期"), self.tr("培训日期"), self.tr("评审日期"), self.tr("公示日期"),
                  self.tr("立项日期"), self.tr("中期评估日期"), self.tr("结项日期"))
        self.dates = {key: self.add_field(key, label, DateField()) for key, label in zip(KEY_DATES, labels,
                                                                                          strict=True)}
        self.notes = self.add_field("notes", self.tr("备注"), QPlainTextEdit())
        self.notes.setMaximumHeight(70)
        self.name.setText(data.name)
        self.source.setValue(data.source)
        self.year.setValue(data.year)
        self.organiser.setText(data.organiser)
        self.budget.setText(data.budget)
        self.project_cap.setText(data.project_cap)
        for key, field in self.dates.items():
            field.setValue(getattr(data, key))
        self.notes.setPlainText(data.notes)
        self.name.setFocus()

    def gather(self) -> RoundData:
        return RoundData(name=self.name.text(), source=self.source.value(), year=self.year.value(),
                         organiser=self.organiser.text(), budget=self.budget.text(),
                         project_cap=self.project_cap.text(), notes=self.notes.toPlainText(),
                         **{key: field.value() for key, field in self.dates.items()})

    def submit(self) -> VentureRound:
        return save_round(self.gather(), self.ctx.user, self.round)


class VenturePage(ListPage):
    page_key = "venture"
    entity = VentureRound

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, RoundListing(), parent)

    def search_placeholder(self) -> str:
        return self.tr("搜索轮次名称或主办单位（Ctrl+F）")

    def setup_filters(self) -> None:
        all_ = self.tr("全部")
        self.source_filter = self.add_filter(self.tr("类型"), ChoiceCombo.of(ROUND_SOURCES, blank=all_),
                                             "source")
        self.year_filter = self.add_filter(
            self.tr("年度"), ChoiceCombo(((y, str(y)) for y in round_years()), blank=all_), "year")

    def current_filter(self) -> RoundFilter:
        return RoundFilter(text=self.search.text(), source=self.source_filter.value(),
                           year=self.year_filter.value())

    def make_form(self, record: VentureRound | None) -> RoundForm:
        return RoundForm(self.ctx, record, parent=self)

    def make_detail(self, record: VentureRound):
        from .venture_detail import RoundDetail

        return RoundDetail(self, record)
