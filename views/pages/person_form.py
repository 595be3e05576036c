"""Register or edit a person: birth date and sex are read from the ID as soon as it is typed."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLineEdit, QPlainTextEdit, QWidget

from desktop.context import AppContext
from models import lookups
from models.choices import SEXES, SOCIAL_WORKER_LEVELS
from models.entities import Person
from models.people import PersonData, save_person
from models.permissions import can
from models.validators import InvalidValue, check_id_number, check_phone, mask_id_number

from ..form import FormDialog
from ..i18n import tr_label
from ..search_combo import SearchCombo
from ..widgets import ChoiceCombo


class PersonForm(FormDialog):
    def __init__(self, ctx: AppContext, person: Person | None = None, parent: QWidget | None = None):
        super().__init__("", parent)
        self.setWindowTitle(
            self.tr("新建人员") if person is None else self.tr("编辑人员：{name}").format(name=person.name)
        )
        self.ctx = ctx
        self.person = person
        self.masked_id = ""  # what a role without full_ids sees instead of the stored number
        self.resize(520, 600)

        self.name = self.add_field("name", self.tr("姓名"), QLineEdit(), required=True)
        self.id_number = self.add_field("id_number", self.tr("身份证号"), QLineEdit())
        self.id_number.setMaxLength(24)
        self.id_number.setPlaceholderText(self.tr("18 位；出生日期和性别由身份证号自动得出"))
        self.derived = self.add_field("derived", self.tr("出生日期、性别"), QLineEdit())
        self.derived.setReadOnly(True)
        self.derived.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.phone = self.add_field("phone", self.tr("联系电话"), QLineEdit())
        self.phone.setPlaceholderText(self.tr("手机 11 位，或座机如 0514-87654321"))
        self.region = self.add_field(
            "region_id", self.tr("所属镇（街道）"),
            SearchCombo(lookups.townships(), blank=self.tr("（未指定）")),
        )
        roles = QWidget()
        row = QHBoxLayout(roles)
        row.setContentsMargins(0, 0, 0, 0)
        self.is_cadre = QCheckBox(self.tr("妇工"), roles)
        self.is_cadre.setObjectName("is_cadre")
        self.is_social_worker = QCheckBox(self.tr("社工"), roles)
        self.is_social_worker.setObjectName("is_social_worker")
        self.is_volunteer = QCheckBox(self.tr("义工"), roles)
        self.is_volunteer.setObjectName("is_volunteer")
        for box in (self.is_cadre, self.is_social_worker, self.is_volunteer):
            row.addWidget(box)
            box.toggled.connect(self._sync_enabled)
        row.addStretch(1)
        self.add_field("roles", self.tr("身份"), roles)
        self.level = self.add_field(
            "social_worker_level", self.tr("社工等级"),
            ChoiceCombo.of(SOCIAL_WORKER_LEVELS, blank=self.tr("（无证书）")),
        )
        self.cadre_title = self.add_field("cadre_title", self.tr("妇联职务"), QLineEdit())
        self.cadre_title.setPlaceholderText(self.tr("如：妇联执委"))
        self.workplace = self.add_field("workplace", self.tr("工作单位"), QLineEdit())
        self.notes = self.add_field("notes", self.tr("备注"), QPlainTextEdit())
        self.notes.setMaximumHeight(80)

        self.check_on_leave("id_number", self.id_number, self._check_id)
        self.id_number.textEdited.connect(lambda _text: self.derived.clear())
        self.check_on_leave("phone", self.phone, check_phone)
        self._load(PersonData.from_person(person) if person else PersonData())
        self._sync_enabled()
        self.name.setFocus()

    def _check_id(self, text: str) -> str:
        """Tidy the ID and show what it says; a bad ID clears the derived fields."""
        if self.masked_id and text == self.masked_id:
            return text
        try:
            resident = check_id_number(text)
        except InvalidValue:
            self.derived.clear()
            raise
        self._show_derived(resident.birth_date, resident.sex)
        return resident.number

    def _show_derived(self, birth: dt.date | None, sex: str | None) -> None:
        parts = [birth.isoformat() if birth else "", tr_label(SEXES.label(sex))]
        self.derived.setText("　".join(p for p in parts if p))

    def _load(self, data: PersonData) -> None:
        self.name.setText(data.name)
        if data.id_number and not can(self.ctx.user, "full_ids"):
            self.masked_id = mask_id_number(data.id_number)
            self.id_number.setToolTip(self.tr("完整身份证号只有管理员可见；需要更正时请完整地重新输入"))
        self.id_number.setText(self.masked_id or data.id_number)  # in full for those who may see it
        if self.person is not None:
            self._show_derived(self.person.birth_date, self.person.sex)
        self.phone.setText(data.phone)
        self.region.setValue(data.region_id)
        self.is_cadre.setChecked(data.is_cadre)
        self.is_social_worker.setChecked(data.is_social_worker)
        self.is_volunteer.setChecked(data.is_volunteer)
        self.level.setValue(data.social_worker_level)
        self.cadre_title.setText(data.cadre_title)
        self.workplace.setText(data.workplace)
        self.notes.setPlainText(data.notes)

    def _sync_enabled(self) -> None:
        self.level.setEnabled(self.is_social_worker.isChecked())
        self.cadre_title.setEnabled(self.is_cadre.isChecked())

    def gather(self) -> PersonData:
        social_worker = self.is_social_worker.isChecked()
        return PersonData(
            name=self.name.text(),
            id_number=self.person.id_number if self.masked_id == self.id_number.text() != ""
            else self.id_number.text(),
            phone=self.phone.text(),
            region_id=self.region.value(),
            is_cadre=self.is_cadre.isChecked(),
            is_social_worker=social_worker,
            is_volunteer=self.is_volunteer.isChecked(),
            social_worker_level=self.level.value() if social_worker else None,
            cadre_title=self.cadre_title.text(),
            workplace=self.workplace.text(),
            notes=self.notes.toPlainText(),
        )

    def submit(self) -> Person:
        return save_person(self.gather(), self.ctx.user, self.person)
