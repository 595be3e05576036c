"""Organization detail: members, projects, activities and the incubation history."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QWidget

from desktop.context import AppContext
from models import organization_detail as detail
from models.choices import ORG_KINDS
from models.entities import Membership, Organization
from models.permissions import can

from ..detail import DetailDialog
from ..form import FormDialog
from ..i18n import tr_label
from .membership_dialog import EndMembershipDialog, MembershipDialog
from .organization_dialogs import StageDateDialog


class OrganizationDetail(DetailDialog):
    def __init__(self, ctx: AppContext, org: Organization, parent: QWidget | None = None):
        super().__init__(self.tr("组织详情：{name}").format(name=org.name), parent)
        self.ctx = ctx
        self.org = org
        self.members_table = self.add_table(self.tr("成员"), self._member_headers(), [])
        self.member_ids: list[int] = []
        self.add_member_button = self.add_button(self.tr("加入成员…"), self.add_member, permission="edit")
        self.end_member_button = self.add_button(self.tr("结束成员关系…"), self.end_member, permission="edit")
        self.correct_stage_button = self.add_button(self.tr("更正孵化日期…"), self.correct_stage_date,
                                                    permission="edit")
        self.actions_row.addStretch(1)
        self.active_dialog: FormDialog | None = None
        self.add_table(
            self.tr("项目"),
            [self.tr("项目名称"), self.tr("年度"), self.tr("来源"), self.tr("状态"),
             self.tr("立项金额（元）")],
            [(n, y, tr_label(s), tr_label(st), g) for n, y, s, st, g in detail.projects(org)],
        )
        self.add_table(
            self.tr("活动"),
            [self.tr("日期"), self.tr("活动名称"), self.tr("阵地"), self.tr("参与人数"), self.tr("服务人次")],
            detail.activities(org),
        )
        self.stages_table = self.add_table(self.tr("孵化历程"), self._stage_headers(), [])
        self.refresh_stages()
        self.refresh_members()
        self._set_header()

    def _stage_headers(self) -> list[str]:
        return [self.tr("阶段"), self.tr("进入日期"), self.tr("结束日期"), self.tr("历时（天）"),
                self.tr("说明")]

    def refresh_stages(self) -> None:
        self.stages = detail.stage_history(self.org)
        self.fill_table(self.stages_table, self._stage_headers(), [
            (tr_label(detail.stage_label(s.stage)), s.entered_on, s.left_on, s.days, s.note)
            for s in self.stages])
        self.correct_stage_button.setEnabled(bool(self.stages) and can(self.ctx.user, "edit"))

    def correct_stage_date(self) -> None:
        if not self.stages:
            return
        row = max(self.stages_table.currentRow(), 0)
        dialog = StageDateDialog(self.ctx, self.org, self.stages, row, parent=self)
        dialog.accepted.connect(self._stage_corrected)
        dialog.finished.connect(dialog.deleteLater)
        self.active_dialog = dialog
        dialog.open()

    def _stage_corrected(self) -> None:
        self.org = Organization.get_by_id(self.org.id)
        self.refresh_stages()
        self._set_header()

    def _member_headers(self) -> list[str]:
        return [self.tr("姓名"), self.tr("身份证号"), self.tr("角色"), self.tr("加入日期"),
                self.tr("退出日期"), self.tr("在职")]

    def refresh_members(self) -> None:
        members = detail.members(self.org)
        self.member_ids = [row[0] for row in members]
        rows = [(name, masked, tr_label(role), start, end, active)
                for _id, name, masked, role, start, end, active in members]
        self.fill_table(self.members_table, self._member_headers(), rows)

    def _open(self, dialog: FormDialog) -> None:
        dialog.accepted.connect(self.refresh_members)
        dialog.rejected.connect(lambda: self.refresh_members() if dialog.discarded_for_newer else None)
        dialog.finished.connect(dialog.deleteLater)
        self.active_dialog = dialog
        dialog.open()

    def add_member(self) -> None:
        self._open(MembershipDialog(self.ctx, organization=self.org, parent=self))

    def end_member(self) -> None:
        row = self.members_table.currentRow()
        if 0 <= row < len(self.member_ids):
            membership = Membership.get_by_id(self.member_ids[row])
            self._open(EndMembershipDialog(self.ctx, membership, parent=self))

    def _set_header(self) -> None:
        org = self.org
        parts = [f"<b>{escape(org.name)}</b>", escape(tr_label(ORG_KINDS.label(org.kind)))]
        if org.credit_code:
            parts.append(escape(org.credit_code))
        stage = tr_label(detail.stage_label(org.incubation_stage)) or self.tr("未入孵")
        parts.append(self.tr("孵化阶段：{stage}").format(stage=escape(stage)))
        if org.archived:
            parts.append(self.tr("已归档：{reason}").format(reason=escape(org.archived_reason)))
        html = "　".join(parts)
        if detail.overdue(org):
            html += "<br><span style='color:#c0392b'>" + self.tr("孵化已超过 12 个月仍未出壳") + "</span>"
        self.set_header(html)
