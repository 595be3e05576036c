"""Organization detail: basic information, members, projects, activities and the incubation history."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from models import organization_detail as detail
from models.choices import ORG_KINDS
from models.entities import Membership, Organization
from models.related import service_area_names

from ..i18n import tr_label
from ..record_detail import RecordDetail
from .membership_dialog import EndMembershipDialog, MembershipDialog
from .organization_dialogs import StageDateDialog, StageDialog

if TYPE_CHECKING:
    from ..list_page import ListPage


class OrganizationDetail(RecordDetail):
    def __init__(self, page: ListPage, org: Organization):
        super().__init__(page, org, self.tr("组织详情：{name}").format(name=org.name))
        self.stage_button = self.add_button(self.tr("推进阶段…"), self.advance, permission="edit")
        self.add_member_button = self.add_button(self.tr("加入成员…"), self.add_member, permission="edit")
        self.end_member_button = self.add_button(self.tr("结束成员关系…"), self.end_member, permission="edit")
        self.correct_stage_button = self.add_button(self.tr("更正孵化日期…"), self.correct_stage_date,
                                                    permission="edit")
        self.stages: list = []  # the incubation history shown, for 更正孵化日期
        self.roster_button, self.print_roster_button = self.add_roster_buttons("organization")
        self.members_table = self.add_table(self.tr("成员"), self._member_headers(), [])
        self.member_ids: list[int] = []
        self.projects_table = self.add_table(
            self.tr("项目"),
            [self.tr("项目名称"), self.tr("年度"), self.tr("来源"), self.tr("状态"),
             self.tr("立项金额（元）")], [])
        self.activities_table = self.add_table(
            self.tr("活动"),
            [self.tr("日期"), self.tr("活动名称"), self.tr("阵地"), self.tr("参与人数"), self.tr("服务人次")],
            [])
        self.stages_table = self.add_table(
            self.tr("孵化历程"),
            [self.tr("阶段"), self.tr("进入日期"), self.tr("结束日期"), self.tr("历时（天）"),
             self.tr("说明")], [])
        self.finish()

    @property
    def org(self) -> Organization:
        return self.record

    def extra_info(self) -> list[tuple[str, str]]:
        return [(self.tr("服务领域"), "、".join(service_area_names(self.org)))]

    def header_parts(self) -> list[str]:
        org = self.org
        parts = [escape(tr_label(ORG_KINDS.label(org.kind)))]
        if org.credit_code:
            parts.append(escape(org.credit_code))
        stage = tr_label(detail.stage_label(org.incubation_stage)) or self.tr("未入孵")
        parts.append(self.tr("孵化阶段：{stage}").format(stage=escape(stage)))
        if detail.overdue(org):
            parts.append("<span style='color:#c0392b'>" + self.tr("孵化已超过 12 个月仍未出壳") + "</span>")
        behind = detail.behind_schedule(org)
        if behind:
            named = "、".join(self.tr("{project}（{n} 个节点逾期）").format(project=name, n=n)
                             for name, n in behind)
            parts.append("<span style='color:#c0392b'>" + escape(self.tr("项目进度滞后：{projects}").format(
                projects=named)) + "</span>")
        return parts

    def _member_headers(self) -> list[str]:
        return [self.tr("姓名"), self.tr("身份证号"), self.tr("角色"), self.tr("加入日期"),
                self.tr("退出日期"), self.tr("在职")]

    def refresh_related(self) -> None:
        org = self.org
        members = detail.members(org)
        self.member_ids = [row[0] for row in members]
        self.fill_table(self.members_table, self._member_headers(),
                        [(name, masked, tr_label(role), start, end, active)
                         for _id, name, masked, role, start, end, active in members])
        self.fill_table(self.projects_table, self._headers(self.projects_table),
                        [(n, y, tr_label(s), tr_label(st), g) for n, y, s, st, g in detail.projects(org)])
        self.fill_table(self.activities_table, self._headers(self.activities_table), detail.activities(org))
        self.stages = detail.stage_history(org)
        self.fill_table(self.stages_table, self._headers(self.stages_table),
                        [(tr_label(detail.stage_label(s.stage)), s.entered_on, s.left_on, s.days, s.note)
                         for s in self.stages])
        self.stage_button.setEnabled(not org.archived and org.incubation_stage != "graduated"
                                     and self.may("edit"))
        self.correct_stage_button.setEnabled(bool(self.stages) and self.may("edit"))

    def refresh_members(self) -> None:
        self.refresh_related()

    def advance(self) -> None:
        self.open_dialog(StageDialog(self.ctx, self.org, parent=self))

    def correct_stage_date(self) -> None:
        """更正孵化日期: the stage chosen in 孵化历程 (else the first), with a reason (audited)."""
        if self.stages:
            row = max(self.stages_table.currentRow(), 0)
            self.open_dialog(StageDateDialog(self.ctx, self.org, self.stages, row, parent=self))

    def add_member(self) -> None:
        self.open_dialog(MembershipDialog(self.ctx, organization=self.org, parent=self))

    def end_member(self) -> None:
        row = self.members_table.currentRow()
        if 0 <= row < len(self.member_ids):
            membership = Membership.get_by_id(self.member_ids[row])
            self.open_dialog(EndMembershipDialog(self.ctx, membership, parent=self))
