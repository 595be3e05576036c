"""Editable reference lists: the county's regions and the service-area vocabulary."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QLineEdit, QSpinBox, QWidget

from desktop.context import AppContext
from models.choices import REGION_LEVELS
from models.entities import Region, ServiceArea
from models.vocabularies import (
    RegionData,
    RegionFilter,
    RegionListing,
    ServiceAreaFilter,
    ServiceAreaListing,
    parent_choices,
    save_region,
    save_service_area,
)

from ..form import FormDialog
from ..list_page import ListPage
from ..widgets import ChoiceCombo


def _order_box() -> QSpinBox:
    box = QSpinBox()
    box.setRange(0, 9999)
    return box


class RegionForm(FormDialog):
    def __init__(self, ctx: AppContext, region: Region | None = None, parent: QWidget | None = None):
        super().__init__("", parent)
        self.setWindowTitle(self.tr("新建行政区划") if region is None else self.tr("编辑行政区划"))
        self.ctx = ctx
        self.region = region
        self.name = self.add_field("name", self.tr("名称"), QLineEdit(), required=True)
        self.level = self.add_field("level", self.tr("级别"), ChoiceCombo.of(REGION_LEVELS), required=True)
        self.parent_region = self.add_field("parent_id", self.tr("上级"), ChoiceCombo())
        self.code = self.add_field("code", self.tr("区划代码"), QLineEdit())
        self.order = self.add_field("sort_order", self.tr("排序"), _order_box())
        data = RegionData(
            name=region.name, level=region.level, parent_id=region.parent_id,
            code=region.code, sort_order=region.sort_order,
        ) if region else RegionData()
        self.name.setText(data.name)
        self.level.setValue(data.level)
        self._fill_parents()
        self.parent_region.setValue(data.parent_id)
        self.code.setText(data.code)
        self.order.setValue(data.sort_order)
        self.level.currentIndexChanged.connect(self._fill_parents)
        self.resize(380, 260)

    def _fill_parents(self) -> None:
        self.parent_region.clear()
        for value, label in parent_choices(self.level.value()):
            self.parent_region.addItem(label, value)
        self.parent_region.setEnabled(self.parent_region.count() > 0)

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

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, RegionListing(), parent)

    def search_placeholder(self) -> str:
        return self.tr("搜索名称、上级或区划代码（Ctrl+F）")

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
