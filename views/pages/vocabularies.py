"""Editable reference lists: the county's regions and the service-area vocabulary."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLineEdit, QMessageBox, QPushButton, QSpinBox, QWidget

from desktop.context import AppContext
from models.choices import REGION_LEVELS
from models.entities import Region, ServiceArea
from models.region_import import RegionImportResult
from models.vocabularies import (
    RegionData,
    RegionFilter,
    RegionListing,
    ServiceAreaFilter,
    ServiceAreaListing,
    default_region_level,
    parent_choices,
    parent_level,
    save_region,
    save_service_area,
)

from ..form import FormDialog
from ..i18n import tr_label
from ..list_page import ListPage
from ..search_combo import SearchCombo
from ..setup.area_picker import DivisionImportDialog, import_summary
from ..widgets import ChoiceCombo


def _order_box() -> QSpinBox:
    box = QSpinBox()
    box.setRange(0, 9999)
    return box


class RegionForm(FormDialog):
    """A region and its parent. On a database without the parent's level yet (a new office's
    first township), 新建县（区）… beside the parent creates it without leaving the form."""

    def __init__(self, ctx: AppContext, region: Region | None = None, parent: QWidget | None = None,
                 level: str | None = None):
        super().__init__("", parent)
        self.setWindowTitle(self.tr("新建行政区划") if region is None else self.tr("编辑行政区划"))
        self.ctx = ctx
        self.region = region
        self.parent_form: RegionForm | None = None  # the parent being created (tests drive it)
        self.name = self.add_field("name", self.tr("名称"), QLineEdit(), required=True)
        self.level = self.add_field("level", self.tr("级别"), ChoiceCombo.of(REGION_LEVELS), required=True)
        self.parent_region = SearchCombo()
        self.new_parent_button = QPushButton()
        self.new_parent_button.setObjectName("new_parent")
        self.new_parent_button.clicked.connect(self.create_parent)
        parent_row = QWidget()
        row = QHBoxLayout(parent_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.parent_region, 1)
        row.addWidget(self.new_parent_button)
        self.add_field("parent_id", self.tr("上级"), parent_row)
        self.parent_region.setObjectName("parent_region")
        self.edit_widgets = (self.new_parent_button,)
        self.code = self.add_field("code", self.tr("区划代码"), QLineEdit())
        self.code.setPlaceholderText(self.tr("6、9 或 12 位数字，可不填"))
        self.order = self.add_field("sort_order", self.tr("排序"), _order_box())
        data = RegionData(
            name=region.name, level=region.level, parent_id=region.parent_id,
            code=region.code, sort_order=region.sort_order,
        ) if region else RegionData(level=level or default_region_level())
        self.name.setText(data.name)
        self.level.setValue(data.level)
        self._fill_parents()
        self.parent_region.setValue(data.parent_id)
        self.code.setText(data.code)
        self.order.setValue(data.sort_order)
        self.level.currentIndexChanged.connect(lambda _index: self._fill_parents())
        self.resize(420, 280)

    def _fill_parents(self, select: int | None = None) -> None:
        level = self.level.value()
        wanted = parent_level(level)
        self.parent_region.clear()
        for value, label in parent_choices(level):
            self.parent_region.addItem(label, value)
        if select is not None:
            self.parent_region.setValue(select)
        wanted_label = tr_label(REGION_LEVELS.label(wanted)) if wanted else ""
        if wanted is None:
            self.parent_region.setPlaceholderText(self.tr("（县级没有上级）"))
        elif self.parent_region.count() == 0:
            self.parent_region.setPlaceholderText(self.tr("（还没有{level}）").format(level=wanted_label))
        self.parent_region.setEnabled(self.parent_region.count() > 0)
        self.new_parent_button.setVisible(wanted is not None)
        self.new_parent_button.setText(self.tr("新建{level}…").format(level=wanted_label))
        self.new_parent_button.setToolTip(
            self.tr("上级{level}还没有时，先在这里新建它").format(level=wanted_label))

    def create_parent(self) -> None:
        wanted = parent_level(self.level.value())
        if wanted is None:
            return
        form = RegionForm(self.ctx, parent=self, level=wanted)
        form.finished.connect(form.deleteLater)
        form.accepted.connect(lambda: self._fill_parents(select=form.result_value.id))
        self.parent_form = form
        form.open()

    def submit(self) -> Region:
        data = RegionData(
            name=self.name.text(), level=self.level.value(), parent_id=self.parent_region.value(),
            code=self.code.text(), sort_order=self.order.value(),
        )
        return save_region(data, self.ctx.user, self.region)


class RegionsPage(ListPage):
    page_key = "regions"
    entity = Region
    deletable = True
    opens_detail = False  # a name and an order: the row opens on its form

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, RegionListing(), parent)
        self.import_button = self.add_action(
            self.tr("从区划代码表导入…"), self.import_divisions,
            self.tr("从官方区划代码表选择县（区）、乡镇（街道）和村（社区），连同代码一起导入"), changes=True)
        self.import_dialog: DivisionImportDialog | None = None

    def search_placeholder(self) -> str:
        return self.tr("搜索名称、上级或区划代码（Ctrl+F）")

    def import_divisions(self) -> None:
        dialog = DivisionImportDialog(self.ctx, self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.accepted.connect(lambda: self._imported(dialog.result_value))
        self.import_dialog = dialog
        dialog.open()

    def _imported(self, result: RegionImportResult) -> None:
        self.refresh()
        QMessageBox.information(self, self.tr("从区划代码表导入"),
                                self.tr("行政区划已导入：{summary}").format(summary=import_summary(result)))

    def setup_filters(self) -> None:
        self.level_filter = self.add_filter(
            self.tr("级别"), ChoiceCombo.of(REGION_LEVELS, blank=self.tr("全部"))
        )

    def current_filter(self) -> RegionFilter:
        return RegionFilter(text=self.search.text(), level=self.level_filter.value())

    def make_form(self, record: Region | None) -> RegionForm:
        return RegionForm(self.ctx, record, parent=self)


class ServiceAreaForm(FormDialog):
    def __init__(self, ctx: AppContext, area: ServiceArea | None = None, parent: QWidget | None = None):
        super().__init__("", parent)
        self.setWindowTitle(self.tr("新建服务领域") if area is None else self.tr("编辑服务领域"))
        self.ctx = ctx
        self.area = area
        self.name = self.add_field("name", self.tr("名称"), QLineEdit(), required=True)
        self.order = self.add_field("sort_order", self.tr("排序"), _order_box())
        self.active = self.add_field("active", self.tr("启用"), QCheckBox(self.tr("在表单和筛选中可选")))
        self.name.setText(area.name if area else "")
        self.order.setValue(area.sort_order if area else ServiceArea.select().count())
        self.active.setChecked(area.active if area else True)
        self.resize(360, 200)

    def submit(self) -> ServiceArea:
        return save_service_area(
            self.name.text(), self.order.value(), self.active.isChecked(), self.ctx.user, self.area
        )


class ServiceAreasPage(ListPage):
    page_key = "service_areas"
    entity = ServiceArea
    deletable = True
    opens_detail = False  # a name and an order: the row opens on its form

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, ServiceAreaListing(), parent)

    def setup_filters(self) -> None:
        self.active_filter = self.add_filter(
            self.tr("状态"),
            ChoiceCombo(((None, self.tr("全部")), (True, self.tr("启用")), (False, self.tr("停用")))),
        )

    def current_filter(self) -> ServiceAreaFilter:
        return ServiceAreaFilter(text=self.search.text(), active=self.active_filter.value())

    def make_form(self, record: ServiceArea | None) -> ServiceAreaForm:
        return ServiceAreaForm(self.ctx, record, parent=self)
