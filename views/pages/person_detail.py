"""A person's detail: what she is, and read-only lists of her memberships, teams, service, training."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QWidget

from desktop.context import AppContext
from models import people
from models.choices import SEXES, SOCIAL_WORKER_LEVELS
from models.entities import Membership, Person
from models.validators import mask_id_number

from ..detail import DetailDialog
from ..form import FormDialog
from ..i18n import tr_label
from .membership_dialog import EndMembershipDialog, MembershipDialog
from .person_form import PersonForm


class PersonDetail(DetailDialog):
    """Opened from the People page; 编辑… opens the person form, the membership buttons
    add or end a membership, and every change refreshes what is shown."""

    def __init__(self, ctx: AppContext, person: Person, parent: QWidget | None = None):
        super().__init__(self.tr("人员详情：{name}").format(name=person.name), parent)
        self.ctx = ctx
        self.person = person
        self.changed = False  # the page reloads its list when the detail closes after a change
        self.active_dialog: FormDialog | None = None
        self.edit_button = self.add_button(self.tr("编辑…"), self.edit)
        self.join_button = self.add_button(self.tr("加入组织…"), self.join, permission="edit")
        self.end_button = self.add_button(self.tr("结束成员关系…"), self.end_selected, permission="edit")
        self.actions_row.addStretch(1)
        self.membership_ids: list[int] = []
        self.memberships_table = self.add_table(self.tr("组织成员关系"), self._membership_headers(), [])
        self.add_table(
            self.tr("团队分工"),
            [self.tr("团队"), self.tr("分工"), self.tr("开始日期"), self.tr("结束日期")],
            [(team, tr_label(role), start, end) for team, role, start, end in people.team_roles(person)],
        )
        self.hours = people.total_service_hours(person)
        self.service_table = self.add_table(
            self.tr("志愿服务（合计 {hours} 小时）").format(hours=self.hours),
            [self.tr("活动日期"), self.tr("活动名称"), self.tr("服务时长（小时）")],
            [(day, title, f"{hours:.1f}") for day, title, hours in people.service_records(person)],
        )
        self.add_table(
            self.tr("培训"),
            [self.tr("日期"), self.tr("主题"), self.tr("类别")],
            [(day, topic, tr_label(kind)) for day, topic, kind in people.trainings_attended(person)],
        )
        self.refresh()

    def _membership_headers(self) -> list[str]:
        return [self.tr("组织"), self.tr("角色"), self.tr("加入日期"), self.tr("退出日期"),
                self.tr("在职")]

    def refresh(self) -> None:
        self.person = Person.get_by_id(self.person.id)
        rows = people.memberships(self.person)
        self.membership_ids = [row[0] for row in rows]
        self.fill_table(
            self.memberships_table, self._membership_headers(),
            [(org, tr_label(role), start, end, active) for _id, org, role, start, end, active in rows],
        )
        self._set_header()

    def _set_header(self) -> None:
        p = self.person
        parts = [f"<b>{escape(p.name)}</b>", escape(tr_label(SEXES.label(p.sex)))]
        if p.birth_date:
            parts.append(p.birth_date.isoformat())
        if p.id_number:
            parts.append(escape(mask_id_number(p.id_number)))
        if p.phone:
            parts.append(escape(p.phone))
        roles = people.roles_text(p.is_cadre, p.is_social_worker, p.is_volunteer)
        parts.append(escape("、".join(tr_label(r) for r in roles.split("、") if r)))
        if p.social_worker_level:
            parts.append(escape(tr_label(SOCIAL_WORKER_LEVELS.label(p.social_worker_level))))
        html = "　".join(part for part in parts if part)
        if p.archived:
            html += "<br>" + escape(self.tr("已归档：{reason}").format(reason=p.archived_reason))
        self.set_header(html)

    def _open(self, dialog: FormDialog) -> None:
        dialog.accepted.connect(self._after_change)
        dialog.rejected.connect(lambda: self._after_change() if dialog.discarded_for_newer else None)
        dialog.finished.connect(dialog.deleteLater)
        self.active_dialog = dialog
        dialog.open()

    def _after_change(self) -> None:
        self.changed = True
        self.refresh()

    def edit(self) -> None:
        self._open(PersonForm(self.ctx, self.person, parent=self))

    def join(self) -> None:
        self._open(MembershipDialog(self.ctx, person=self.person, parent=self))

    def selected_membership(self) -> Membership | None:
        row = self.memberships_table.currentRow()
        if 0 <= row < len(self.membership_ids):
            return Membership.get_by_id(self.membership_ids[row])
        return None

    def end_selected(self) -> None:
        membership = self.selected_membership()
        if membership is not None:
            self._open(EndMembershipDialog(self.ctx, membership, parent=self))
