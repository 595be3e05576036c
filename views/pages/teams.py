"""The 三工联动 Teams page: teams per township, who serves in them today, and which are complete."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
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
from models.related import activities_of, projects_of
from models.rules import is_active, team_status
from models.team_listing import TeamFilter, TeamListing
from models.teams import (
    NewAssignment,
    TeamData,
    add_assignment,
    check_assignment,
    check_end,
    end_assignment,
    members,
    save_team_and_members,
    status_of,
    township_summary,
)
from models.validators import mask_id_number

from ..archiving import ArchivingListPage
from ..detail import DetailDialog
from ..entry_widgets import DateField
from ..form import CHOSEN, FormDialog
from ..i18n import tr_label, tr_msg
from ..list_page import ListPage
from ..person_picker import PersonPicker
from ..record_detail import RecordDetail
from ..search_combo import SearchCombo
from ..widgets import ChoiceCombo


class AssignmentDialog(FormDialog):
    """Choose a cadre, social worker or volunteer for the team; the team form writes it at its
    own 保存 (``at_once``: this dialog's 保存 writes it, as from the team's detail)."""

    def __init__(self, ctx: AppContext, team: Team | None, team_name: str,
                 pending: tuple[NewAssignment, ...] = (), parent: QWidget | None = None,
                 at_once: bool = False):
        super().__init__(self.tr("加入团队：{name}").format(name=team_name), parent)
        self.ctx = ctx
        self.team = team
        self.pending = pending
        self.at_once = at_once
        self.person: Person | None = None
        self.picker = PersonPicker(pickers.search_people, self, single=True)
        self.picker.picked.connect(self._person_picked)
        self.picker.confirmed.connect(lambda _id, _label: self.role.setFocus())
        self.add_field("person", self.tr("人员"), self.picker, required=True)
        self.chosen = QLabel(self.tr("（尚未选择）"))
        self.chosen.setObjectName("chosen")
        self.chosen.setProperty(CHOSEN, True)
        self.form.addRow(self.tr("已选"), self.chosen)
        self.role = self.add_field(
            "role", self.tr("角色"), ChoiceCombo.of(PERSON_ROLES, blank=self.tr("（请选择）")), required=True
        )
        self.start_on = self.add_field(
            "start_on", self.tr("开始日期"), DateField(value=dt.date.today())
        )
        self.override = self.add_field("certificate_override", self.tr("无证书任社工的理由"), QLineEdit())
        self.override.setPlaceholderText(self.tr("仅在确需破例时填写，记入操作日志"))
        self.role.currentIndexChanged.connect(self._sync_override)
        self._sync_override()
        self.resize(460, 420)

    def _person_picked(self, person_id: int, label: str) -> None:
        self.person = Person.get_by_id(person_id)
        self.chosen.setText(label)
        if self.role.value() is None:  # suggest the role the register already gives her
            for code, flag in (("social_worker", self.person.is_social_worker),
                               ("cadre", self.person.is_cadre), ("volunteer", self.person.is_volunteer)):
                if flag:
                    self.role.setValue(code)
                    break
        self._sync_override()

    def _sync_override(self) -> None:
        """The reason is asked only when a person without a certificate level would be 社工."""
        needed = (self.role.value() == "social_worker" and self.person is not None
                  and not self.person.social_worker_level)
        self.override.setEnabled(needed)

    def submit(self) -> NewAssignment | TeamAssignment:
        override = self.override.text() if self.override.isEnabled() else ""
        if self.at_once:
            return add_assignment(self.ctx.user, self.team, self.person, self.role.value(),
                                  self.start_on.value(), override)
        check_assignment(self.team, self.person, self.role.value(), self.start_on.value(), override,
                         self.pending)
        return NewAssignment(self.person.id, self.role.value(), self.start_on.value(), override.strip())


class EndAssignmentDialog(FormDialog):
    """Choose the day a term ends; the team form writes it at its own 保存 (``at_once``: this
    dialog's 保存 writes it, as from the team's detail)."""

    def __init__(self, ctx: AppContext, assignment: TeamAssignment, parent: QWidget | None = None,
                 at_once: bool = False):
        super().__init__(self.tr("结束任职"), parent)
        self.ctx = ctx
        self.assignment = assignment
        self.at_once = at_once
        role = tr_label(PERSON_ROLES.label(assignment.role))
        who = f"{assignment.person.name} — {assignment.team.name}（{role}）"
        self.form.addRow(self.tr("任职"), QLabel(who))
        self.end_on = self.add_field("end_on", self.tr("结束日期"), DateField(value=dt.date.today()),
                                     required=True)
        self.resize(400, 180)

    def submit(self) -> dt.date:
        if self.at_once:
            end_assignment(self.ctx.user, self.assignment, self.end_on.value())
        else:
            check_end(self.assignment, self.end_on.value())
        return self.end_on.value()


@dataclass(frozen=True)
class _Shown:
    """One line of the members table: stored, stored with a pending end, or pending."""

    assignment_id: int | None  # None: added in this form, not saved yet
    role: str
    name: str
    masked_id: str
    start_on: dt.date | None
    end_on: dt.date | None
    pending: bool


class TeamForm(FormDialog):
    """Create or edit a team and its members: members added or ended here are written together
    with the team at 保存, and 取消 leaves everything as it was."""

    def __init__(self, ctx: AppContext, team: Team | None = None, parent: QWidget | None = None):
        super().__init__(
            self.tr("新建团队") if team is None else self.tr("团队：{name}").format(name=team.name), parent
        )
        self.ctx = ctx
        self.team = team
        self.active_dialog: FormDialog | None = None
        self.added: list[NewAssignment] = []
        self.added_people: dict[int, Person] = {}  # who the added ones are, for the table
        self.ended: dict[int, dt.date] = {}
        self.shown: list[_Shown] = []
        data = TeamData.from_team(team) if team else TeamData()
        self.name = self.add_field("name", self.tr("团队名称"), QLineEdit(), required=True)
        self.township = self.add_field(
            "township_id", self.tr("所属镇（街道）"),
            SearchCombo(townships(), blank=self.tr("（请选择）")), required=True,
        )
        self.founded_on = self.add_field("founded_on", self.tr("成立日期"), DateField())
        self.description = self.add_field("description", self.tr("团队简介"), QPlainTextEdit())
        self.description.setMaximumHeight(70)
        self.name.setText(data.name)
        self.township.setValue(data.township_id)
        self.founded_on.setValue(data.founded_on)
        self.description.setPlainText(data.description)
        self._add_members_section()
        self.resize(720, 640)
        self.name.setFocus()

    def _add_members_section(self) -> None:
        self.status_label = QLabel(self)
        self.form.addRow(self.tr("三工情况"), self.status_label)
        self.members_table = self.add_field("members", self.tr("成员"), QTableWidget(self))
        self.members_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.members_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.members_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.members_table.horizontalHeader().setStretchLastSection(True)
        self.members_table.setMinimumHeight(180)
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
        """The stored members with this form's changes applied (marked 待保存)."""
        stored = members(self.team) if self.team is not None else []
        shown = [_Shown(r.assignment_id, r.role, r.name, r.masked_id, r.start_on,
                        self.ended.get(r.assignment_id, r.end_on), r.assignment_id in self.ended)
                 for r in stored]
        for new in self.added:
            person = self.added_people[new.person_id]
            shown.append(_Shown(None, new.role, person.name, mask_id_number(person.id_number),
                                new.start_on, None, True))
        self.shown = shown
        today = dt.date.today()
        headers = [self.tr("角色"), self.tr("姓名"), self.tr("身份证号"), self.tr("开始日期"),
                   self.tr("结束日期"), self.tr("在任"), self.tr("状态")]
        waiting = self.tr("待保存")
        DetailDialog.fill_table(self.members_table, headers, [
            (tr_label(PERSON_ROLES.label(r.role)), r.name, r.masked_id, r.start_on, r.end_on,
             is_active(r.start_on, r.end_on, today), waiting if r.pending else "")
            for r in shown
        ])
        self.status_label.setText(tr_msg(team_status(shown, today).describe()))

    def _open(self, dialog: FormDialog, keep) -> None:
        dialog.accepted.connect(lambda: (keep(dialog.result_value), self.refresh_members()))
        dialog.finished.connect(dialog.deleteLater)
        self.active_dialog = dialog
        dialog.open()

    def add_member(self) -> None:
        name = self.name.text().strip() or self.tr("新团队")
        dialog = AssignmentDialog(self.ctx, self.team, name, tuple(self.added), parent=self)

        def keep(new: NewAssignment) -> None:
            self.added_people[new.person_id] = dialog.person
            self.added.append(new)

        self._open(dialog, keep)

    def end_member(self) -> None:
        row = self.members_table.currentRow()
        if not 0 <= row < len(self.shown):
            return
        line = self.shown[row]
        if line.assignment_id is None:  # added here and not saved: taking it back is enough
            del self.added[row - sum(1 for r in self.shown if r.assignment_id is not None)]
            self.refresh_members()
            return
        assignment = TeamAssignment.get_by_id(line.assignment_id)
        self._open(EndAssignmentDialog(self.ctx, assignment, parent=self),
                   lambda day: self.ended.__setitem__(assignment.id, day))

    def gather(self) -> TeamData:
        return TeamData(name=self.name.text(), township_id=self.township.value(),
                        founded_on=self.founded_on.value(), description=self.description.toPlainText())

    def submit(self) -> Team:
        return save_team_and_members(self.gather(), self.ctx.user, self.team, tuple(self.added),
                                     dict(self.ended))


class TeamDetail(RecordDetail):
    """A team: basic information and how complete it is, its members (added and ended here),
    projects and activities, and its roster."""

    def __init__(self, page: ListPage, team: Team):
        super().__init__(page, team, self.tr("团队详情：{name}").format(name=team.name))
        self.add_member_button = self.add_button(self.tr("加入成员…"), self.add_member, permission="edit")
        self.end_member_button = self.add_button(self.tr("结束任职…"), self.end_member, permission="edit")
        self.roster_button, self.print_roster_button = self.add_roster_buttons("team")
        self.member_ids: list[int] = []
        self.members_table = self.add_table(self.tr("成员"), self._member_headers(), [])
        self.projects_table = self.add_table(
            self.tr("项目"), [self.tr("项目名称"), self.tr("年度"), self.tr("来源"), self.tr("状态"),
                            self.tr("立项金额（元）")], [])
        self.activities_table = self.add_table(
            self.tr("活动"),
            [self.tr("日期"), self.tr("活动名称"), self.tr("阵地"), self.tr("参与人数"), self.tr("服务人次")],
            [])
        self.finish()

    def _member_headers(self) -> list[str]:
        return [self.tr("角色"), self.tr("姓名"), self.tr("身份证号"), self.tr("开始日期"),
                self.tr("结束日期"), self.tr("在任")]

    def extra_info(self) -> list[tuple[str, str]]:
        return [(self.tr("三工情况"), tr_msg(status_of(self.record).describe()))]

    def header_parts(self) -> list[str]:
        team = self.record
        parts = [escape(team.region.name)] if team.region_id else []
        status = tr_msg(status_of(team).describe())
        return [*parts, self.tr("三工情况：{status}").format(status=escape(status))]

    def refresh_related(self) -> None:
        rows = members(self.record)
        self.member_ids = [r.assignment_id for r in rows]
        self.fill_table(self.members_table, self._member_headers(), [
            (tr_label(PERSON_ROLES.label(r.role)), r.name, r.masked_id, r.start_on, r.end_on, r.active)
            for r in rows
        ])
        self.fill_table(self.projects_table, self._headers(self.projects_table),
                        [(n, y, tr_label(s), tr_label(st), g) for n, y, s, st, g in projects_of(self.record)])
        self.fill_table(self.activities_table, self._headers(self.activities_table),
                        activities_of(team=self.record))

    def add_member(self) -> None:
        self.open_dialog(AssignmentDialog(self.ctx, self.record, self.record.name, parent=self,
                                          at_once=True))

    def end_member(self) -> None:
        row = self.members_table.currentRow()
        if 0 <= row < len(self.member_ids):
            assignment = TeamAssignment.get_by_id(self.member_ids[row])
            self.open_dialog(EndAssignmentDialog(self.ctx, assignment, parent=self, at_once=True))


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
        self.township_filter = self.add_filter(self.tr("镇（街道）"), SearchCombo(townships(), blank=all_),
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
        return TeamForm(self.ctx, record, parent=self)

    def make_detail(self, record: Team) -> TeamDetail:
        return TeamDetail(self, record)

    def show_townships(self) -> None:
        self.township_dialog = TownshipTeamsDialog(parent=self)
        self.township_dialog.finished.connect(self.township_dialog.deleteLater)
        self.township_dialog.open()
