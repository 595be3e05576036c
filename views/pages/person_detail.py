"""A person's detail: basic information, her memberships, teams, service and training."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from models import people
from models.choices import SEXES, SOCIAL_WORKER_LEVELS
from models.entities import Membership, Person
from models.validators import mask_id_number

from ..i18n import tr_label
from ..record_detail import RecordDetail
from .membership_dialog import EndMembershipDialog, MembershipDialog

if TYPE_CHECKING:
    from ..list_page import ListPage


class PersonDetail(RecordDetail):
    """编辑… opens the person form, the membership buttons add or end a membership, and every
    change refreshes what is shown."""

    def __init__(self, page: ListPage, person: Person):
        super().__init__(page, person, self.tr("人员详情：{name}").format(name=person.name))
        self.join_button = self.add_button(self.tr("加入组织…"), self.join, permission="edit")
        self.end_button = self.add_button(self.tr("结束成员关系…"), self.end_selected, permission="edit")
        self.membership_ids: list[int] = []
        self.memberships_table = self.add_table(self.tr("组织成员关系"), self._membership_headers(), [])
        self.teams_table = self.add_table(
            self.tr("团队分工"),
            [self.tr("团队"), self.tr("分工"), self.tr("开始日期"), self.tr("结束日期")], [])
        self.service_table = self.add_table(
            self.tr("志愿服务"), [self.tr("活动日期"), self.tr("活动名称"), self.tr("服务时长（小时）")], [])
        self.trainings_table = self.add_table(
            self.tr("培训"), [self.tr("日期"), self.tr("主题"), self.tr("类别")], [])
        self.hours = people.total_service_hours(person)
        self.finish()

    @property
    def person(self) -> Person:
        return self.record

    def header_parts(self) -> list[str]:
        p = self.person
        parts = [escape(tr_label(SEXES.label(p.sex)))]
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
        return parts

    def _membership_headers(self) -> list[str]:
        return [self.tr("组织"), self.tr("角色"), self.tr("加入日期"), self.tr("退出日期"),
                self.tr("在职")]

    def refresh_related(self) -> None:
        person = self.person
        rows = people.memberships(person)
        self.membership_ids = [row[0] for row in rows]
        self.fill_table(
            self.memberships_table, self._membership_headers(),
            [(org, tr_label(role), start, end, active) for _id, org, role, start, end, active in rows],
        )
        self.fill_table(self.teams_table, self._headers(self.teams_table),
                        [(team, tr_label(role), start, end)
                         for team, role, start, end in people.team_roles(person)])
        self.hours = people.total_service_hours(person)
        self.fill_table(self.service_table, self._headers(self.service_table),
                        [(day, title, f"{hours:.1f}")
                         for day, title, hours in people.service_records(person)])
        self.tabs.setTabText(self.tabs.indexOf(self.service_table.parentWidget()),
                             self.tr("志愿服务（合计 {hours} 小时）").format(hours=self.hours))
        self.fill_table(self.trainings_table, self._headers(self.trainings_table),
                        [(day, topic, tr_label(kind))
                         for day, topic, kind in people.trainings_attended(person)])

    def refresh(self) -> None:
        self.reload()

    def join(self) -> None:
        self.open_dialog(MembershipDialog(self.ctx, person=self.person, parent=self))

    def selected_membership(self) -> Membership | None:
        row = self.memberships_table.currentRow()
        if 0 <= row < len(self.membership_ids):
            return Membership.get_by_id(self.membership_ids[row])
        return None

    def end_selected(self) -> None:
        membership = self.selected_membership()
        if membership is not None:
            self.open_dialog(EndMembershipDialog(self.ctx, membership, parent=self))
