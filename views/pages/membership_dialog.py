"""Adding and ending memberships, from the organization's side or the person's."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QLabel, QWidget

from desktop.context import AppContext
from models import pickers
from models.choices import MEMBERSHIP_ROLES
from models.entities import Membership, Organization, Person
from models.memberships import add_membership, end_membership

from ..form import FormDialog
from ..person_picker import PersonPicker
from ..search_combo import SearchCombo
from ..widgets import ChoiceCombo, OptionalDateEdit


class MembershipDialog(FormDialog):
    """Given an organization the user picks a person; given a person, an organization."""

    def __init__(self, ctx: AppContext, organization: Organization | None = None,
                 person: Person | None = None, parent: QWidget | None = None):
        super().__init__(self.tr("加入组织"), parent)
        self.ctx = ctx
        self.organization = organization
        self.person = person
        self.picker: PersonPicker | None = None
        self.org_choice: ChoiceCombo | None = None
        if organization is not None:
            self.form.addRow(self.tr("组织"), QLabel(organization.name))
            self.picker = PersonPicker(pickers.search_people, self)
            self.picker.picked.connect(self._person_picked)
            self.add_field("person", self.tr("人员"), self.picker, required=True)
            self.chosen = QLabel(self.tr("（尚未选择）"))
            self.form.addRow(self.tr("已选"), self.chosen)
        else:
            self.form.addRow(self.tr("人员"), QLabel(person.name))
            self.org_choice = self.add_field(
                "organization", self.tr("组织"),
                SearchCombo(pickers.organizations(), blank=self.tr("（请选择）")), required=True,
            )
        self.role = self.add_field("role", self.tr("角色"), ChoiceCombo.of(MEMBERSHIP_ROLES), required=True)
        self.role.setValue("member")
        self.start_on = self.add_field(
            "start_on", self.tr("加入日期"), OptionalDateEdit(value=dt.date.today())
        )
        self.resize(460, 380)

    def _person_picked(self, person_id: int, label: str) -> None:
        self.person = Person.get_by_id(person_id)
        self.chosen.setText(label)

    def submit(self) -> Membership:
        organization = self.organization
        if self.org_choice is not None and self.org_choice.value() is not None:
            organization = Organization.get_by_id(self.org_choice.value())
        return add_membership(self.ctx.user, self.person, organization, self.role.value(),
                              self.start_on.value())


class EndMembershipDialog(FormDialog):
    def __init__(self, ctx: AppContext, membership: Membership, parent: QWidget | None = None):
        super().__init__(self.tr("结束成员关系"), parent)
        self.ctx = ctx
        self.membership = membership
        who = f"{membership.person.name} — {membership.organization.name}"
        self.form.addRow(self.tr("成员"), QLabel(who))
        self.end_on = self.add_field("end_on", self.tr("退出日期"), OptionalDateEdit(value=dt.date.today()),
                                     required=True)
        self.resize(400, 180)

    def submit(self) -> Membership:
        return end_membership(self.ctx.user, self.membership, self.end_on.value())
