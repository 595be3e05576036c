"""The 三工联动 Teams page: teams per township, who serves in them today, and which are complete."""

from __future__ import annotations

import datetime as dt
from html import escape

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QWidget,
)

from desktop.context import AppContext
from models import pickers
from models.choices import PERSON_ROLES
from models.entities import Person, Team, TeamAssignment
from models.lookups import townships
from models.team_listing import TeamFilter, TeamListing
from models.teams import (
    TeamData,
    add_assignment,
    end_assignment,
    members,
    save_team,
    status_of,
    township_summary,
)

from ..archiving import ArchivingListPage
from ..detail import DetailDialog
from ..entry_widgets import DateField
from ..form import FormDialog
from ..i18n import tr_label, tr_msg
from ..person_picker import PersonPicker
from ..widgets import ChoiceCombo


class AssignmentDialog(FormDialog):
    """Add a cadre, social worker or volunteer to a team, picked by a limited search."""

    def __init__(self, ctx: AppContext, team: Team, parent: QWidget | None = None):
        super().__init__(self.tr("加入团队：{name}").format(name=team.name), parent)
        self.ctx = ctx
        self.team = team
        self.person: Person | None = None
        self.picker = PersonPicker(pickers.search_people, self)
        self.picker.picked.connect(self._person_picked)
        self.add_field("person", self.tr("人员"), self.picker, required=True)
        self.chosen = QLabel(self.tr("（尚未选择）"))
        self.form.addRow(self.tr("已选"), self.chosen)
        self.role = self.add_field(
            "role", self.tr("角色"), ChoiceCombo.of(PERSON_ROLES, blank=self.tr("（请选择）")), required=True
        )
        self.start_on = self.add_field(
            "start_on", self.tr("开始日期"), DateField(value=dt.date.today())
        )
        self.resize(460, 400)

    def _person_picked(self, person_id: int, label: str) -> None:
        self.person = Person.get_by_id(person_id)
        self.chosen.setText(label)
        if self.role.value() is None:  # suggest the role the register already gives her
            for code, flag in (("social_worker", self.person.is_social_worker),
                               ("cadre", self.person.is_cadre), ("volunteer", self.person.is_volunteer)):
                if flag:
                    self.role.setValue(code)
                    break

    def submit(self) -> TeamAssignment:
        return add_assignment(self.ctx.user, self.team, self.person, self.role.value(),
                              self.start_on.value())


class EndAssignmentDialog(FormDialog):
    def __init__(self, ctx: AppContext, assignment: TeamAssignment, parent: QWidget | None = None):
        super().__init__(self.tr("结束任职"), parent)
        self.ctx = ctx
        self.assignment = assignment
        role = tr_label(PERSON_ROLES.label(assignment.role))
        who = f"{assignment.person.name} — {assignment.team.name}（{role}）"
        self.form.addRow(self.tr("任职"), QLabel(who))
        self.end_on = self.add_field("end_on", self.tr("结束日期"), DateField(value=dt.date.today()),
                                     required=True)
        self.resize(400, 180)

    def submit(self) -> TeamAssignment:
        return end_assignment(self.ctx.user, self.assignment, self.end_on.value())


class TeamForm(FormDialog):
    """Create or edit a team; an existing team also shows its members, added and ended here."""

    def __init__(self, ctx: AppContext, team: Team | None = None, parent: QWidget | None = None):
        super().__init__(
            self.tr("新建团队") if team is None else self.tr("团队：{name}").format(name=team.name), parent
        )
        self.ctx = ctx
        self.team = team
        self.active_dialog: FormDialog | None = None
        data = TeamData.from_team(team) if team else TeamData()
        self.name = self.add_field("name", self.tr("团队名称"), QLineEdit(), required=True)
        self.township = self.add_field(
            "township_id", self.tr("所属镇（街道）"),
            ChoiceCombo(townships(), blank=self.tr("（请选择）")), required=True,
        )
        self.founded_on = self.add_field("founded_on", self.tr("成立日期"), DateField())
        self.description = self.add_field("description", self.tr("团队简介"), QPlainTextEdit())
        self.description.setMaximumHeight(70)
        self.name.setText(data.name)
        self.township.setValue(data.township_id)
        self.founded_on.setValue(data.founded_on)
        self.description.setPlainText(data.description)
        self.member_ids: list[int] = []
        if team is not None:
            self._add_members_section()
            self.resize(720, 640)
        else:
            self.resize(480, 320)
        self.name.setFocus()

    def _add_members_section(self) -> None:
        self.status_label = QLabel(self)
        self.form.addRow(self.tr("三工情况"), self.status_label)
        self.members_table = QTableWidget(self)
        self.members_table.setObjectName("members")
        self.members_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.members_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.members_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.members_table.horizontalHeader().setStretchLastSection(True)
        self.members_table.setMinimumHeight(200)
        self.form.addRow(self.members_table)
        row = QHBoxLayout()
        self.add_member_button = QPushButton(self.tr("加入成员…"), self)
        self.add_member_button.clicked.connect(self.add_member)
        self.end_member_button = QPushButton(self.tr("结束任职…"), self)
        self.end_member_button.clicked.connect(self.end_member)
        row.addWidget(self.add_member_button)
        row.addWidget(self.end_member_button)
        self.edit_widgets = (self.add_member_button, self.end_member_button)
        row.addStretch(1)
        self.form.addRow(row)
        self.refresh_members()

    def refresh_members(self) -> None:
        rows = members(self.team)
        self.member_ids = [r.assignment_id for r in rows]
        headers = [self.tr("角色"), self.tr("姓名"), self.tr("身份证号"), self.tr("开始日期"),
                   self.tr("结束日期"), self.tr("在任")]
        DetailDialog.fill_table(self.members_table, headers, [
            (tr_label(PERSON_ROLES.label(r.role)), r.name, r.masked_id, r.start_on, r.end_on, r.active)
            for r in rows
        ])
        self.status_label.setText(tr_msg(status_of(self.team).describe()))

    def _open(self, dialog: FormDialog) -> None:
        dialog.accepted.connect(self.refresh_members)
        dialog.finished.connect(dialog.deleteLater)
        self.active_dialog = dialog
        dialog.open()

    def add_member(self) -> None:
        self._open(AssignmentDialog(self.ctx, self.team, parent=self))

    def end_member(self) -> None:
        row = self.members_table.currentRow()
        if 0 <= row < len(self.member_ids):
            assignment = TeamAssignment.get_by_id(self.member_ids[row])
            self._open(EndAssignmentDialog(self.ctx, assignment, parent=self))

    def gather(self) -> TeamData:
        return TeamData(name=self.name.text(), township_id=self.township.value(),
                        founded_on=self.founded_on.value(), description=self.description.toPlainText())

    def submit(self) -> Team:
        return save_team(self.gather(), self.ctx.user, self.team)


class TownshipTeamsDialog(DetailDialog):
    """Teams per township; a township without a team with a social worker today is flagged."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(self.tr("按镇街查看三工联动团队"), parent)
        summary = township_summary()
        lacking = [s.name for s in summary if not s.has_social_worker_team]
        self.set_header(
            self.tr("共 {n} 个镇（街道），其中 {m} 个无专业社工团队").format(n=len(summary), m=len(lacking))
            + (("<br>" + escape("、".join(lacking))) if lacking else "")
        )
        flag = self.tr("无专业社工团队")
        self.table = self.add_table(
            self.tr("镇（街道）"),
            [self.tr("镇（街道）"), self.tr("团队数"), self.tr("齐全团队数"), self.tr("提示")],
            [(s.name, s.teams, s.complete, "" if s.has_social_worker_team else flag) for s in summary],
        )
        self.resize(620, 480)


class TeamsPage(ArchivingListPage):
    page_key = "teams"
    entity = Team

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, TeamListing(), parent)
        self.township_dialog: TownshipTeamsDialog | None = None

    def search_placeholder(self) -> str:
        return self.tr("搜索团队名称（Ctrl+F）")

    def setup_filters(self) -> None:
        all_ = self.tr("全部")
        self.township_filter = self.add_filter(self.tr("镇（街道）"), ChoiceCombo(townships(), blank=all_),
                                               "township_id")
        self.complete_filter = self.add_filter(
            self.tr("三工"), ChoiceCombo(((True, self.tr("齐全")), (False, self.tr("不齐全"))), blank=all_),
            "complete",
        )
        self.archived_filter = self.add_filter(
            self.tr("归档"),
            ChoiceCombo(((False, self.tr("在册")), (True, self.tr("已归档")), (None, all_))), "archived",
        )

    def setup_actions(self) -> None:
        super().setup_actions()
        self.township_button = self.add_action(self.tr("按镇街查看…"), self.show_townships)

    def current_filter(self) -> TeamFilter:
        return TeamFilter(
            text=self.search.text(), township_id=self.township_filter.value(),
            complete=self.complete_filter.value(), archived=self.archived_filter.value(),
        )

    def make_form(self, record: Team | None) -> TeamForm:
        form = TeamForm(self.ctx, record, parent=self)
        if record is not None:  # member changes are saved at once: show them even if the form is cancelled
            form.finished.connect(lambda _result: self.refresh())
        return form

    def show_townships(self) -> None:
        self.township_dialog = TownshipTeamsDialog(parent=self)
        self.township_dialog.finished.connect(self.township_dialog.deleteLater)
        self.township_dialog.open()
