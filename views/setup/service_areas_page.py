"""Step 4, 服务领域: the service areas an organization can be given — the defaults ticked,
untick what the office does not use, add its own."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QListWidget, QListWidgetItem, QPushButton, QWidget

from desktop.context import AppContext
from models.lookups import service_areas
from models.vocabularies import confirm_service_areas

from .page import GuidePage

NEW = -1  # the item data of an area typed here, not saved yet


class ServiceAreasPage(GuidePage):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, 4, self.tr("服务领域"), self.tr(
            "登记社会组织时可以选择的服务领域。去掉本单位用不到的勾，也可以添加新的；"
            "已经用到的服务领域不会删除，只是不再供选择。"), parent)
        self.areas = QListWidget(self)
        self.areas.setObjectName("service_areas")
        self.new_name = QLineEdit(self)
        self.new_name.setObjectName("new_area")
        self.new_name.setPlaceholderText(self.tr("新的服务领域，如：乡村振兴"))
        self.new_name.installEventFilter(self)  # Enter adds the area, not 下一步
        self.add_button = QPushButton(self.tr("添加"), self)
        self.add_button.setObjectName("add_area")
        self.add_button.clicked.connect(self.add_area)
        row = QHBoxLayout()
        row.addWidget(self.new_name, 1)
        row.addWidget(self.add_button)
        self.body.addWidget(self.areas, 1)
        self.body.addLayout(row)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self.new_name and event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)):
            self.add_area()
            return True
        return super().eventFilter(watched, event)

    def initializePage(self) -> None:
        self.areas.clear()
        active = {area_id for area_id, _name in service_areas()}
        for area_id, name in service_areas(active_only=False):
            self._item(name, area_id, area_id in active)

    def _item(self, name: str, value: int, checked: bool) -> QListWidgetItem:
        item = QListWidgetItem(name, self.areas)
        item.setData(Qt.ItemDataRole.UserRole, value)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        return item

    def add_area(self) -> None:
        """A new area is ticked at the end of the list; one already there is ticked instead."""
        name = " ".join(self.new_name.text().split())
        if not name:
            return
        found = self.areas.findItems(name, Qt.MatchFlag.MatchExactly)
        item = found[0] if found else self._item(name, NEW, True)
        item.setCheckState(Qt.CheckState.Checked)
        self.areas.setCurrentItem(item)
        self.areas.scrollToItem(item)
        self.new_name.clear()

    def save(self) -> bool:
        self.add_area()  # typed but 添加 not pressed: meant all the same
        items = [self.areas.item(row) for row in range(self.areas.count())]
        checked = [item for item in items if item.checkState() == Qt.CheckState.Checked]
        if not checked:
            self.show_error(self.tr("请至少保留一个服务领域。"))
            return False
        active = {item.data(Qt.ItemDataRole.UserRole) for item in checked} - {NEW}
        new = [item.text() for item in checked if item.data(Qt.ItemDataRole.UserRole) == NEW]
        confirm_service_areas(active, new, self.ctx.user)
        self.initializePage()  # the new areas with their ids, if the user comes back
        return True
