"""The forms of a round's detail: an application, a status change, the scoring sheet's criteria,
a reviewer, and the office's decision on who is selected (入选名单)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from desktop.context import AppContext
from models import lookups, pickers
from models.choices import APPLICATION_STATUSES
from models.entry_parse import parse_amount
from models.errors import ValidationFailed
from models.i18n import msg
from models.projects import format_money, parse_money
from models.venture import ApplicationData, change_status, next_statuses, save_application
from models.venture_entities import Reviewer, VentureApplication, VentureRound
from models.venture_import import ApplicationPlan
from models.venture_review import (
    ReviewerData,
    criteria_of,
    decide_selection,
    propose_selection,
    ranking,
    save_reviewer,
    set_criteria,
)

from ..entry_widgets import AmountField, DateField
from ..form import FormDialog
from ..i18n import tr_label, tr_msg
from ..person_picker import PersonPicker
from ..search_combo import SearchCheckList, SearchCombo
from ..widgets import ChoiceCombo

MAX_PEOPLE = 10_000_000
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class ApplicationForm(FormDialog):
    """A proposal of the round: entered from the paper (or corrected), status 征集 when new."""

    def __init__(self, ctx: AppContext, rnd: VentureRound, application: VentureApplication | None = None,
                 parent: QWidget | None = None):
        super().__init__("", parent)
        self.setWindowTitle(self.tr("新建申报：{round}").format(round=rnd.name) if application is None
                            else self.tr("编辑申报：{title}").format(title=application.title))
        self.ctx = ctx
        self.round = rnd
        self.application = application
        self.resize(600, 640)
        data = (ApplicationData.from_application(application) if application
                else ApplicationData(round_id=rnd.id))
        self.organization = self.add_field(
            "organization_id", self.tr("申报组织"),
            SearchCombo(pickers.organizations(data.organization_id), blank=self.tr("（请选择）")),
            required=True)
        self.title = self.add_field("title", self.tr("项目名称"), QLineEdit(), required=True)
        self.service_area = self.add_field(
            "service_area_id", self.tr("服务领域"),
            ChoiceCombo(lookups.service_areas(active_only=False), blank=self.tr("（未填）")))
        self.target_group = self.add_field("target_group", self.tr("服务对象"), QLineEdit())
        self.target_group.setPlaceholderText(self.tr("如 留守儿童、困境妇女"))
        self.region = self.add_field(
            "region_id", self.tr("服务地点"),
            SearchCombo(lookups.regions_for_organizations(), blank=self.tr("（同申报组织所在地）")))
        self.venues = self.add_field("venue_ids", self.tr("服务阵地"),
                                     SearchCheckList(pickers.venues(*data.venue_ids)))
        self.amount = self.add_field("amount_requested", self.tr("申请金额（元）"),
                                     AmountField(parse=parse_money), required=True)
        self.amount.setAlignment(_RIGHT)
        self.people = self.add_field("people_planned", self.tr("计划服务人次"), QSpinBox())
        self.people.setRange(0, MAX_PEOPLE)
        self.team = self.add_field("team_id", self.tr("合作团队"),
                                   SearchCombo(pickers.teams(data.team_id), blank=self.tr("（无）")))
        self.notes = self.add_field("notes", self.tr("备注"), QPlainTextEdit())
        self.notes.setMaximumHeight(70)
        self.organization.setValue(data.organization_id)
        self.title.setText(data.title)
        self.service_area.setValue(data.service_area_id)
        self.target_group.setText(data.target_group)
        self.region.setValue(data.region_id)
        self.venues.setValues(data.venue_ids)
        self.amount.setText(data.amount_requested)
        self.people.setValue(data.people_planned)
        self.team.setValue(data.team_id)
        self.notes.setPlainText(data.notes)

    def gather(self) -> ApplicationData:
        return ApplicationData(
            round_id=self.round.id, organization_id=self.organization.value(), title=self.title.text(),
            service_area_id=self.service_area.value(), target_group=self.target_group.text(),
            region_id=self.region.value(), venue_ids=self.venues.values(),
            amount_requested=self.amount.text(),
            people_planned=self.people.value(), team_id=self.team.value(), notes=self.notes.toPlainText())

    def submit(self) -> VentureApplication:
        return save_application(self.gather(), self.ctx.user, self.application)


class StatusDialog(FormDialog):
    """改状态: the next step of the application, with its date and a note (入选: the amount)."""

    def __init__(self, ctx: AppContext, application: VentureApplication, parent: QWidget | None = None):
        super().__init__(self.tr("改状态：{title}").format(title=application.title), parent)
        self.ctx = ctx
        self.application = application
        self.resize(460, 330)
        current = tr_label(APPLICATION_STATUSES.label(application.status))
        self.add_field("current", self.tr("现在"), QLabel(current))
        choices = [(c, tr_label(APPLICATION_STATUSES.label(c))) for c in next_statuses(application)]
        self.status = self.add_field("status", self.tr("改为"), ChoiceCombo(choices), required=True)
        self.on = self.add_field("on", self.tr("日期"), DateField(value=dt.date.today()), required=True)
        self.granted = self.add_field("amount_granted", self.tr("资助金额（元，入选时）"),
                                      AmountField(value=application.amount_requested, parse=parse_money))
        self.note = self.add_field("note", self.tr("说明"), QLineEdit())
        self.status.currentIndexChanged.connect(self._granted_shown)
        self._granted_shown()

    def _granted_shown(self) -> None:
        self.granted.setEnabled(self.status.value() == "selected")

    def submit(self) -> VentureApplication:
        if self.status.value() is None:
            raise ValidationFailed({"status": msg("这份申报已没有下一步可改")})
        if self.on.value() is None:
            raise ValidationFailed({"on": msg("请填写日期")})
        return change_status(self.application, self.status.value(), self.ctx.user, self.on.value(),
                             self.note.text(), self.granted.value())


class CriteriaDialog(FormDialog):
    """评分项: one line each, its name and its weight (需求 20)."""

    def __init__(self, ctx: AppContext, rnd: VentureRound, parent: QWidget | None = None):
        super().__init__(self.tr("评分项：{round}").format(round=rnd.name), parent)
        self.ctx = ctx
        self.round = rnd
        self.resize(460, 380)
        self.lines = self.add_field("criteria", self.tr("评分项和权重"), QPlainTextEdit(), required=True)
        self.lines.setPlaceholderText(
            self.tr("每行一项：名称 权重，如\n需求 20\n设计 30\n能力 20\n预算 15\n可持续 15"))
        self.lines.setPlainText("\n".join(f"{c.name} {c.weight}" for c in criteria_of(rnd)))
        hint = QLabel(self.tr("每项按 0–100 分打分，专家的总分按权重加权；录入评分后不能再改。"))
        hint.setWordWrap(True)
        self.form.addRow(hint)

    def parsed(self) -> list[tuple[str, int]]:
        found = []
        for number, line in enumerate(self.lines.toPlainText().splitlines(), start=1):
            if not line.strip():
                continue
            name, _, weight = line.strip().rpartition(" ")
            if not name.strip() or not weight.isdigit():
                raise ValidationFailed({"criteria": msg(
                    "第 {n} 行“{line}”：请写成“名称 权重”，权重为正整数", n=number, line=line.strip())})
            found.append((name.strip(), int(weight)))
        return found

    def submit(self) -> VentureRound:
        set_criteria(self.round, self.parsed(), self.ctx.user)
        return self.round


class ReviewerForm(FormDialog):
    """评审专家: an outside expert by name, or a person of the register (then conflicts of
    interest with the applicants the person is a member of are flagged)."""

    def __init__(self, ctx: AppContext, rnd: VentureRound, reviewer: Reviewer | None = None,
                 parent: QWidget | None = None):
        super().__init__(self.tr("添加评审专家") if reviewer is None
                         else self.tr("编辑评审专家：{name}").format(name=reviewer.name), parent)
        self.ctx = ctx
        self.round = rnd
        self.reviewer = reviewer
        self.person_id = reviewer.person_id if reviewer else None
        self.resize(520, 470)
        self.name = self.add_field("name", self.tr("姓名"), QLineEdit(), required=True)
        self.picker = PersonPicker(pickers.search_people, self,
                                   self.tr("本库人员可在此查找（外部专家不必选）"), single=True)
        self.picker.picked.connect(self._picked)
        self.add_field("person_id", self.tr("本库人员"), self.picker)
        self.chosen = QLabel(reviewer.person.name if reviewer and reviewer.person_id
                             else self.tr("（外部专家）"))
        self.chosen.setObjectName("chosen_person")
        self.form.addRow("", self.chosen)
        self.affiliation = self.add_field("affiliation", self.tr("工作单位"), QLineEdit())
        self.phone = self.add_field("phone", self.tr("联系电话"), QLineEdit())
        if reviewer is not None:
            self.name.setText(reviewer.name)
            self.affiliation.setText(reviewer.affiliation)
            self.phone.setText(reviewer.phone)

    def _picked(self, person_id: int, label: str) -> None:
        self.person_id = person_id
        self.chosen.setText(label)
        if not self.name.text().strip():
            self.name.setText(label.split("（")[0].split(" ")[0])

    def submit(self) -> Reviewer:
        data = ReviewerData(round_id=self.round.id, name=self.name.text(), person_id=self.person_id,
                            affiliation=self.affiliation.text(), phone=self.phone.text())
        return save_reviewer(data, self.ctx.user, self.reviewer)


class SelectionDialog(FormDialog):
    """确定入选名单: the ranking with the proposal ticked (top-ranked within the budget and the
    cap); the office ticks, unticks and changes amounts, and saves its decision."""

    COLUMNS = ("入选", "排名", "得分", "项目名称", "申报组织", "申请金额", "资助金额", "提示")

    def __init__(self, ctx: AppContext, rnd: VentureRound, parent: QWidget | None = None):
        super().__init__(self.tr("确定入选名单：{round}").format(round=rnd.name), parent)
        self.ctx = ctx
        self.round = rnd
        self.resize(900, 600)
        self.rows = ranking(rnd)
        proposals = {p.application_id: p for p in propose_selection(rnd, self.rows)}
        self.table = QTableWidget(len(self.rows), len(self.COLUMNS), self)
        self.table.setObjectName("selection")
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in self.COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        for r, row in enumerate(self.rows):
            proposal = proposals[row.application_id]
            tick = QTableWidgetItem()
            tick.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            tick.setCheckState(Qt.CheckState.Checked if proposal.proposed else Qt.CheckState.Unchecked)
            notes = [proposal.reason] + ([self.tr("回避：{names}").format(names="、".join(row.conflicts))]
                                         if row.conflicts else [])
            cells = [tick, row.rank, row.score, row.title, row.organization,
                     format_money(row.amount_requested), format_money(proposal.amount),
                     "；".join(n for n in notes if n)]
            for c, value in enumerate(cells):
                item = value if isinstance(value, QTableWidgetItem) else QTableWidgetItem(
                    "" if value is None else str(value))
                if c != 6:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if c in (1, 2, 5, 6):
                    item.setTextAlignment(_RIGHT)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.add_field("chosen", self.tr("入选"), self.table)
        self.total = QLabel(self)
        self.total.setObjectName("total")
        self.form.addRow(self.total)
        self.on = self.add_field("on", self.tr("决定日期"), DateField(value=dt.date.today()), required=True)
        self.note = self.add_field("note", self.tr("说明"), QLineEdit())
        self.table.itemChanged.connect(lambda _item: self.show_total())
        self.show_total()

    def chosen(self) -> dict[int, Decimal]:
        found = {}
        for r, row in enumerate(self.rows):
            if self.table.item(r, 0).checkState() == Qt.CheckState.Checked:
                amount = parse_amount(self.table.item(r, 6).text())
                if amount is None:
                    raise ValidationFailed({"chosen": msg("“{title}”的资助金额读不懂，请填写数字",
                                                          title=row.title)})
                found[row.application_id] = amount
        return found

    def show_total(self) -> None:
        try:
            chosen = self.chosen()
        except ValidationFailed:
            return
        total = sum(chosen.values(), Decimal(0))
        self.total.setText(self.tr("已选 {n} 个，合计 {total} 元；总预算 {budget} 元").format(
            n=len(chosen), total=format_money(total), budget=format_money(self.round.budget)))

    def submit(self) -> VentureRound:
        if self.on.value() is None:
            raise ValidationFailed({"on": msg("请填写决定日期")})
        decide_selection(self.round, self.chosen(), self.ctx.user, self.on.value(), self.note.text())
        return self.round


class ApplicationImportDialog(FormDialog):
    """从申报表导入: what the sheet would give, row by row (to create, or refused with the reason);
    导入 creates the accepted rows all at once."""

    COLUMNS = ("行", "申报组织", "项目名称", "申请金额（元）", "结果")

    def __init__(self, ctx: AppContext, rnd: VentureRound, file_name: str, plan: ApplicationPlan,
                 parent: QWidget | None = None):
        super().__init__(self.tr("从申报表导入：{round}").format(round=rnd.name), parent)
        self.ctx = ctx
        self.round = rnd
        self.file_name = file_name
        self.plan = plan
        self.created = 0
        self.resize(860, 560)
        accepted, refused = len(plan.accepted), len(plan.refused)
        summary = QLabel(self.tr("{file}：{accepted} 份申报可以导入（状态为“征集”），{refused} 行不能导入。")
                         .format(file=file_name, accepted=accepted, refused=refused), self)
        summary.setObjectName("summary")
        summary.setWordWrap(True)
        self.form.addRow(summary)
        self.table = QTableWidget(len(plan.rows), len(self.COLUMNS), self)
        self.table.setObjectName("rows")
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in self.COLUMNS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        for r, row in enumerate(plan.rows):
            result = self.tr("新建") if row.data is not None else tr_msg(row.reason)
            for c, value in enumerate((row.number, row.organization, row.title,
                                       format_money(row.amount), result)):
                item = QTableWidgetItem(str(value))
                if c in (0, 3):
                    item.setTextAlignment(_RIGHT)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.add_field("sheet", self.tr("申报"), self.table)
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setText(self.tr("导入 {n} 份").format(n=accepted))
        save.setEnabled(accepted > 0)

    def submit(self) -> VentureRound:
        from desktop.venture.application_sheet import commit_plan

        self.created = commit_plan(self.plan, self.round, self.file_name, self.ctx.user)
        return self.round
