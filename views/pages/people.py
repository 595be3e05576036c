"""The People page: the register of cadres, social workers and volunteers."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from desktop.context import AppContext
from models import lookups, people
from models.choices import PERSON_ROLES
from models.entities import Person
from models.person_listing import PersonFilter, PersonListing

from ..archiving import ArchivingListPage
from ..search_combo import SearchCombo
from ..widgets import ChoiceCombo
from .person_detail import PersonDetail
from .person_form import PersonForm


class PeoplePage(ArchivingListPage):
    page_key = "people"
    entity = Person

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, PersonListing(), parent)

    def search_placeholder(self) -> str:
        return self.tr("搜索姓名，或完整的身份证号、电话（Ctrl+F）")

    def setup_filters(self) -> None:
        all_ = self.tr("全部")
        self.role_filter = self.add_filter(self.tr("身份"), ChoiceCombo.of(PERSON_ROLES, blank=all_), "role")
        self.township_filter = self.add_filter(
            self.tr("镇（街道）"), SearchCombo(lookups.townships(), blank=all_), "township_id"
        )
        self.organization_filter = self.add_filter(
            self.tr("组织"), SearchCombo(people.organizations_with_members(), blank=all_), "organization_id"
        )
        self.team_filter = self.add_filter(
            self.tr("团队"), SearchCombo(people.teams_with_members(), blank=all_), "team_id"
        )
        self.archived_filter = self.add_filter(
            self.tr("状态"),
            ChoiceCombo(((False, self.tr("在册")), (True, self.tr("已归档")), (None, all_))), "archived",
        )

    def current_filter(self) -> PersonFilter:
        return PersonFilter(
            text=self.search.text(),
            role=self.role_filter.value(),
            township_id=self.township_filter.value(),
            organization_id=self.organization_filter.value(),
            team_id=self.team_filter.value(),
            archived=self.archived_filter.value(),
        )

    def make_form(self, record: Person | None) -> PersonForm:
        return PersonForm(self.ctx, record, parent=self)

    def make_detail(self, record: Person) -> PersonDetail:
        return PersonDetail(self, record)
