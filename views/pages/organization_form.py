"""Register or edit a women's social organization."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QCheckBox, QLineEdit, QPlainTextEdit, QWidget

from desktop.context import AppContext
from models import lookups
from models.choices import INCUBATION_STAGES, LEGAL_FORMS, ORG_KINDS
from models.entities import Organization
from models.organizations import OrganizationData, save_organization
from models.validators import check_credit_code, check_phone

from ..form import FormDialog
from ..search_combo import SearchCombo
from ..widgets import CheckList, ChoiceCombo, OptionalDateEdit


class OrganizationForm(FormDialog):
    def __init__(self, ctx: AppContext, org: Organization | None = None, parent: QWidget | None = None):
        super().__init__("", parent)
        self.setWindowTitle(
            self.tr("新建社会组织") if org is None else self.tr("编辑社会组织：{name}").format(name=org.name)
        )
        self.ctx = ctx
        self.org = org
        self.resize(620, 720)

        self.name = self.add_field("name", self.tr("组织名称"), QLineEdit(), required=True)
        self.short_name = self.add_field("short_name", self.tr("简称"), QLineEdit())
        self.kind = self.add_field("kind", self.tr("类型"), ChoiceCombo.of(ORG_KINDS), required=True)
        self.legal_form = self.add_field(
            "legal_form", self.tr("登记类型"), ChoiceCombo.of(LEGAL_FORMS, blank=self.tr("（请选择）"))
        )
        self.credit_code = self.add_field("credit_code", self.tr("统一社会信用代码"), QLineEdit())
        self.credit_code.setMaxLength(24)
        self.credit_code.setPlaceholderText(self.tr("18 位，登记注册的组织必填"))
        self.registered_on = self.add_field("registered_on", self.tr("登记日期"), OptionalDateEdit())
        self.supervisor = self.add_field("supervisor", self.tr("业务主管单位"), QLineEdit())
        self.region = self.add_field(
            "region_id", self.tr("所属镇（街道）/村（社区）"),
            SearchCombo(lookups.regions_for_organizations(), blank=self.tr("（未指定）")),
        )
        self.address = self.add_field("address", self.tr("地址"), QLineEdit())
        self.contact_person = self.add_field("contact_person", self.tr("联系人"), QLineEdit())
        self.contact_phone = self.add_field("contact_phone", self.tr("联系电话"), QLineEdit())
        self.contact_phone.setPlaceholderText(self.tr("手机 11 位，或座机如 0514-87654321"))
        self.founded_on = self.add_field("founded_on", self.tr("成立日期"), OptionalDateEdit())
        self.areas = self.add_field(
            "service_area_ids", self.tr("服务领域"), CheckList(lookups.service_areas(active_only=False))
        )
        self.alliance = self.add_field("alliance_member", self.tr("公益联盟成员"), QCheckBox(self.tr("是")))
        self.alliance_on = self.add_field("alliance_joined_on", self.tr("加入联盟日期"), OptionalDateEdit())
        self.group = self.add_field("group_member", self.tr("妇联团体会员"), QCheckBox(self.tr("是")))
        self.group_on = self.add_field("group_member_since", self.tr("成为团体会员日期"), OptionalDateEdit())
        if org is None:
            self.stage = self.add_field(
                "initial_stage", self.tr("孵化阶段"),
                ChoiceCombo.of(INCUBATION_STAGES, blank=self.tr("未入孵")),
            )
            self.stage_on = self.add_field(
                "initial_stage_on", self.tr("进入该阶段日期"), OptionalDateEdit(value=dt.date.today())
            )
            self.stage.currentIndexChanged.connect(self._sync_enabled)
        self.notes = self.add_field("notes", self.tr("备注"), QPlainTextEdit())
        self.notes.setMaximumHeight(80)

        self.kind.currentIndexChanged.connect(self._sync_enabled)
        self.alliance.toggled.connect(self._sync_enabled)
        self.group.toggled.connect(self._sync_enabled)
        self.check_on_leave("credit_code", self.credit_code, check_credit_code)
        self.check_on_leave("contact_phone", self.contact_phone, check_phone)
        self._load(OrganizationData.from_organization(org) if org else OrganizationData())
        self._sync_enabled()
        self.name.setFocus()

    def _load(self, data: OrganizationData) -> None:
        self.name.setText(data.name)
        self.short_name.setText(data.short_name)
        self.kind.setValue(data.kind)
        self.legal_form.setValue(data.legal_form)
        self.credit_code.setText(data.credit_code)
        self.registered_on.setValue(data.registered_on)
        self.supervisor.setText(data.supervisor)
        self.region.setValue(data.region_id)
        self.address.setText(data.address)
        self.contact_person.setText(data.contact_person)
        self.contact_phone.setText(data.contact_phone)
        self.founded_on.setValue(data.founded_on)
        self.areas.setValues(data.service_area_ids)
        self.alliance.setChecked(data.alliance_member)
        self.alliance_on.setValue(data.alliance_joined_on)
        self.group.setChecked(data.group_member)
        self.group_on.setValue(data.group_member_since)
        self.notes.setPlainText(data.notes)

    def _sync_enabled(self) -> None:
        registered = self.kind.value() == "registered"
        for widget in (self.legal_form, self.credit_code, self.registered_on):
            widget.setEnabled(registered)
        self.alliance_on.setEnabled(self.alliance.isChecked())
        self.group_on.setEnabled(self.group.isChecked())
        if self.org is None:
            self.stage_on.setEnabled(self.stage.value() is not None)

    def gather(self) -> OrganizationData:
        registered = self.kind.value() == "registered"
        data = OrganizationData(
            name=self.name.text(),
            short_name=self.short_name.text(),
            kind=self.kind.value(),
            legal_form=self.legal_form.value() if registered else None,
            credit_code=self.credit_code.text() if registered else "",
            registered_on=self.registered_on.value() if registered else None,
            supervisor=self.supervisor.text(),
            region_id=self.region.value(),
            address=self.address.text(),
            contact_person=self.contact_person.text(),
            contact_phone=self.contact_phone.text(),
            founded_on=self.founded_on.value(),
            service_area_ids=self.areas.values(),
            alliance_member=self.alliance.isChecked(),
            alliance_joined_on=self.alliance_on.value(),
            group_member=self.group.isChecked(),
            group_member_since=self.group_on.value(),
            notes=self.notes.toPlainText(),
        )
        if self.org is None and self.stage.value() is not None:
            data.initial_stage = self.stage.value()
            data.initial_stage_on = self.stage_on.value()
        return data

    def submit(self) -> Organization:
        return save_organization(self.gather(), self.ctx.user, self.org)
