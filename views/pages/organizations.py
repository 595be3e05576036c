"""The Organizations page: the register of women's social organizations."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from desktop.context import AppContext
from models import lookups
from models.choices import INCUBATION_STAGES, ORG_KINDS
from models.entities import Organization
from models.organization_listing import NOT_INCUBATED, OVERDUE, OrganizationFilter, OrganizationListing

from ..archiving import ArchivingListPage
from ..search_combo import SearchCombo
from ..widgets import ChoiceCombo
from .organization_detail import OrganizationDetail
from .organization_dialogs import StageDialog
from .organization_form import OrganizationForm


class OrganizationsPage(ArchivingListPage):
    page_key = "organizations"
    entity = Organization

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, OrganizationListing(), parent)

    def search_placeholder(self) -> str:
        return self.tr("搜索名称、简称或信用代码（Ctrl+F）")

    def setup_filters(self) -> None:
        all_ = self.tr("全部")
        self.kind_filter = self.add_filter(self.tr("类型"), ChoiceCombo.of(ORG_KINDS, blank=all_), "kind")
        stages = ChoiceCombo.of(INCUBATION_STAGES, blank=all_)
        stages.insertItem(1, self.tr("未入孵"), NOT_INCUBATED)
        stages.addItem(self.tr("在孵超过12个月"), OVERDUE)
        self.stage_filter = self.add_filter(self.tr("阶段"), stages, "stage")
        self.area_filter = self.add_filter(
            self.tr("服务领域"), ChoiceCombo(lookups.service_areas(active_only=False), blank=all_),
            "service_area_id",
        )
        self.township_filter = self.add_filter(
            self.tr("镇（街道）"), SearchCombo(lookups.townships(), blank=all_), "township_id"
        )
        self.alliance_filter = self.add_filter(
            self.tr("联盟成员"), ChoiceCombo(((True, self.tr("是")), (False, self.tr("否"))), blank=all_),
            "alliance_member",
        )
        self.archived_filter = self.add_filter(
            self.tr("状态"),
            ChoiceCombo(((False, self.tr("在册")), (True, self.tr("已归档")), (None, all_))), "archived",
        )

    def setup_actions(self) -> None:
        self.stage_button = self.add_action(self.tr("推进阶段…"), self.advance_selected, changes=True,
                                            row=True)
        super().setup_actions()

    def current_filter(self) -> OrganizationFilter:
        return OrganizationFilter(
            text=self.search.text(),
            kind=self.kind_filter.value(),
            stage=self.stage_filter.value(),
            service_area_id=self.area_filter.value(),
            township_id=self.township_filter.value(),
            alliance_member=self.alliance_filter.value(),
            archived=self.archived_filter.value(),
        )

    def update_actions(self) -> None:
        super().update_actions()
        org = self.selected_record()
        self.stage_button.setEnabled(
            org is not None and not org.archived and org.incubation_stage != "graduated"
        )

    def make_form(self, record: Organization | None) -> OrganizationForm:
        return OrganizationForm(self.ctx, record, parent=self)

    def advance_selected(self) -> None:
        org = self.selected_record()
        if org is not None:
            self.show_dialog(StageDialog(self.ctx, org, parent=self))

    def make_detail(self, record: Organization) -> OrganizationDetail:
        return OrganizationDetail(self, record)

