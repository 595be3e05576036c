"""The one list page: search, filters, an incrementally loaded table, actions and shortcuts.

Each entity's page subclasses it and supplies only its listing, filters, form and actions.
"""

from __future__ import annotations

import html
from typing import Any

from peewee import Model
from PySide6.QtCore import QItemSelectionModel, QPoint, QSettings, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.context import AppContext
from models import audit
from models.errors import StaleRecord, ValidationFailed
from models.listing import Listing
from models.permissions import can
from models.references import delete_unreferenced

from .flow_layout import FlowLayout, item_group
from .form import FormDialog
from .i18n import tr_label, tr_msg
from .table_model import FLAG_BACKGROUND, ListingModel
from .tasks import ask_save_path, file_stem, offer_to_open, run_task
from .widgets import ChoiceCombo

# The pause after typing before the list is searched: short enough for the result to show
# within 150 ms of the last key (a search of 100,000 people takes 20-80 ms: bench_finding.py),
# long enough that a clerk typing bcy at speed causes one search, not three.
SEARCH_DELAY_MS = 80
MAX_RESELECTED = 200  # selected rows found again after a reload caused by another clerk


class ListPage(QWidget):
    """Subclasses set ``entity`` and implement ``current_filter`` and ``make_form``
    (or override ``create_new`` / ``open_item``)."""

    page_key = "list"
    entity: type[Model]  # the model whose rows the page lists
    deletable = False  # vocabularies are deleted (when unreferenced); registers are archived
    opens_detail = True  # a register's row opens its detail (make_detail), 编辑… its form
    active_dialog: FormDialog | None = None  # the form opened last (tests drive it)
    detail: QDialog | None = None  # the detail opened last (tests drive it)

    def __init__(self, ctx: AppContext, listing: Listing, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.settings = QSettings(str(ctx.ui_settings_path), QSettings.Format.IniFormat)
        # 查看员: no buttons that change records, forms open without 保存 (the services refuse too)
        self.read_only = not can(ctx.user, "edit")

        self.search = QLineEdit(self)
        self.search.setObjectName("search")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(self.search_placeholder())
        self.search.setMinimumWidth(220)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._debounce.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(self._debounce.start)
        self.search.returnPressed.connect(self.apply_filter)

        # Flow layouts: on a narrow screen (1024 px) the last filters and buttons wrap onto a
        # second line instead of making the window wider than the screen.
        self.filter_bar = FlowLayout()
        self.filter_bar.addWidget(self.search)
        self.action_bar = FlowLayout()
        self.row_buttons: list[QPushButton] = []  # actions on the selected row: also its right-click menu
        self.filter_widgets: dict[str, ChoiceCombo] = {}  # the filter's field → its widget
        self._showing_filter = False
        self.setup_filters()

        self.model = ListingModel(listing, self.current_filter(), parent=self)
        self.table = QTableView(self)
        self.table.setObjectName("table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        for i, column in enumerate(self.model.columns):
            header.resizeSection(i, column.width)
        # Show the model's own sort first: enabling sorting sorts by the indicator, and an
        # indicator that matches the model's state costs no query.
        descending = self.model.sort_state[1]
        header.setSortIndicator(
            self.model.sort_column(),
            Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder,
        )
        self.table.setSortingEnabled(True)
        header.sortIndicatorChanged.connect(self._sort_indicator_changed)
        self.table.doubleClicked.connect(lambda _index: self.open_selected())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.update_actions())
        self.model.modelReset.connect(self.update_status)

        self.status = QLabel(self)
        self.status.setObjectName("count")
        self.legend = QLabel(self)  # what a coloured row means: visible, not only in a tooltip
        self.legend.setObjectName("legend")
        if listing.flag_text:
            swatch = FLAG_BACKGROUND.name()
            self.legend.setText(
                f"<span style='background-color:{swatch}'>&nbsp;&nbsp;&nbsp;&nbsp;</span> "
                + html.escape(self.tr("{meaning}（行的底色）").format(meaning=tr_label(listing.flag_text))))
            self.legend.setToolTip(self.tr("这样的行需要留意；把鼠标停在行上也会显示说明"))
        else:
            self.legend.hide()
        bottom = QHBoxLayout()
        bottom.addWidget(self.status)
        bottom.addStretch(1)
        bottom.addWidget(self.legend)
        # An empty result says so, above the empty table, instead of leaving a blank grid.
        self.empty_hint = QLabel(self)
        self.empty_hint.setObjectName("empty_hint")
        self.empty_hint.setWordWrap(True)
        self.empty_hint.hide()

        layout = QVBoxLayout(self)
        layout.addLayout(self.filter_bar)
        layout.addLayout(self.action_bar)
        layout.addWidget(self.empty_hint)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

        for keys, slot in (
            (QKeySequence.StandardKey.New, lambda: self.read_only or self.create_new()),
            (QKeySequence.StandardKey.Find, self.focus_search),
            (QKeySequence("Ctrl+E"), self.export_excel),
        ):
            QShortcut(keys, self, slot, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        for keys, slot in (
            (QKeySequence(Qt.Key.Key_Return), self.open_selected),
            (QKeySequence(Qt.Key.Key_Enter), self.open_selected),
            (QKeySequence(QKeySequence.StandardKey.Copy), self.copy_selected),
            (QKeySequence(QKeySequence.StandardKey.Delete), self.delete_selected),
            (QKeySequence("Ctrl+Shift+E"), lambda: self.read_only or self.edit_selected()),
        ):
            QShortcut(keys, self.table, slot, context=Qt.ShortcutContext.WidgetShortcut)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self.show_context_menu)
        self.new_button = self.add_action(self.tr("新建"), self.create_new, self.tr("新建（Ctrl+N）"),
                                          changes=True)
        self.open_button = self.add_action(
            self.tr("打开…"), self.open_selected,
            self.tr("打开选中一行的详情：基本信息、相关名单和可进行的操作（回车或双击）"), row=True,
        )
        self.edit_button = self.add_action(
            self.tr("编辑…"), self.edit_selected, self.tr("直接修改选中的一行（Ctrl+Shift+E）"),
            changes=True, row=True,
        )
        if not self.opens_detail:  # 打开… is the form already
            self.edit_button.hide()
        self.delete_button = None
        if self.deletable:
            self.delete_button = self.add_action(
                self.tr("删除…"), self.delete_selected,
                self.tr("删除选中的一行（Delete）；仍被引用的不能删除"), changes=True, row=True,
            )
        self.setup_actions()
        self.export_button = self.add_action(
            self.tr("导出 Excel…"), self.export_excel,
            self.tr("把当前筛选、排序下的全部行导出为 Excel 文件（Ctrl+E）"),
        )
        self.export_button.setVisible(can(ctx.user, "export"))
        self.restore_header()
        self.update_status()
        self.update_actions()

    # -- for subclasses ----------------------------------------------------------
    def search_placeholder(self) -> str:
        return self.tr("搜索（Ctrl+F）")

    def setup_filters(self) -> None:
        """Add filter widgets with ``add_filter`` (called before the first query)."""

    def setup_actions(self) -> None:
        """Add page-specific buttons with ``add_action``."""

    def current_filter(self) -> Any:
        raise NotImplementedError

    def make_form(self, record: Model | None) -> FormDialog:
        """The form that creates (``record`` None) or edits a record of ``entity``."""
        raise NotImplementedError

    def selected_record(self) -> Model | None:
        item_id = self.selected_id()
        return self.entity.get_or_none(self.entity.id == item_id) if item_id is not None else None

    def create_new(self) -> None:
        self.show_dialog(self.make_form(None))

    def make_detail(self, record: Model) -> QDialog | None:
        """The record's detail (views.record_detail); None: the record opens on its form
        (vocabularies, whose records are only a name and an order)."""
        return None

    def open_item(self, item_id: int) -> None:
        """Double click, Enter and 打开… : the record's detail (or its form, see make_detail)."""
        record = self.entity.get_or_none(self.entity.id == item_id)
        if record is None:
            return
        detail = self.make_detail(record)
        if detail is None:
            self.show_dialog(self.make_form(record))
            return
        detail.finished.connect(lambda _result: self._detail_closed(detail))
        self.detail = detail
        detail.open()

    def _detail_closed(self, detail: QDialog) -> None:
        if getattr(detail, "changed", False):
            self.refresh(select_id=detail.record.get_id())
        detail.deleteLater()

    def edit_selected(self) -> None:
        """编辑… : the selected record's form, without its detail."""
        record = self.selected_record()
        if record is not None and not self.read_only:
            self.show_dialog(self.make_form(record))

    def delete_record(self, instance: Model) -> bool:
        """Ask, then delete ``instance``; a record still referred to is refused, naming the referrers."""
        answer = QMessageBox.question(
            self, self.tr("删除"), self.tr("确定删除“{name}”吗？").format(name=audit.label(instance))
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        try:
            delete_unreferenced(instance, self.ctx.user)
        except ValidationFailed as e:
            QMessageBox.warning(self, self.tr("不能删除"), "\n".join(tr_msg(m) for m in e.errors.values()))
            return False
        except StaleRecord as e:
            QMessageBox.warning(self, self.tr("没有删除"), tr_msg(e.message))
            self.refresh()
            return False
        self.refresh()
        return True

    def delete_selected(self) -> None:
        """The Delete key: deletes where the page is ``deletable``; archiving pages override it."""
        record = self.selected_record() if self.deletable else None
        if record is not None:
            self.delete_record(record)

    def update_actions(self) -> None:
        """Enable the actions that fit the selection; subclasses extend it."""
        self.open_button.setEnabled(self.selected_id() is not None)
        self.edit_button.setEnabled(self.selected_id() is not None)
        if self.delete_button is not None:
            self.delete_button.setEnabled(self.selected_id() is not None)

    def add_filter(self, label: str, widget: ChoiceCombo, field: str = "") -> ChoiceCombo:
        """A filter widget; ``field`` names the filter's field it sets (for ``show_filter``)."""
        caption = QLabel(label, self)
        caption.setBuddy(widget)
        self.filter_bar.addWidget(item_group(caption, widget, parent=self))
        widget.currentIndexChanged.connect(self.apply_filter)
        if field:
            self.filter_widgets[field] = widget
        return widget

    def add_action(self, text: str, slot, hint: str = "", changes: bool = False,
                   row: bool = False) -> QPushButton:
        """A button in the action bar; one that ``changes`` records is hidden from read-only roles.
        A ``row`` action acts on the selected row: the row's right-click menu offers it too."""
        button = QPushButton(text, self)
        if changes and self.read_only:
            button.hide()
        if row:
            self.row_buttons.append(button)
        button.clicked.connect(slot)
        if hint:
            button.setToolTip(hint)
        self.action_bar.addWidget(button)
        return button

    # -- behaviour ---------------------------------------------------------------
    def is_filled(self) -> bool:
        """The first rows are in the table (or there are none to show)."""
        return self.model.total == 0 or bool(self.model.rows_fetched)


    def selected_text(self, with_header: bool = False) -> str:
        """Selected rows as tab-separated text in the columns' on-screen order (pastes into Excel/WPS)."""
        header = self.table.horizontalHeader()
        columns = [
            header.logicalIndex(visual)
            for visual in range(header.count())
            if not header.isSectionHidden(header.logicalIndex(visual))
        ]
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})

        def clean(value: object) -> str:
            return " ".join(str(value or "").split())

        lines = []
        if with_header:
            lines.append("\t".join(clean(self.model.headerData(c, Qt.Orientation.Horizontal))
                                   for c in columns))
        for row in rows:
            lines.append("\t".join(clean(self.model.index(row, c).data()) for c in columns))
        return "\r\n".join(lines)

    def context_menu(self) -> QMenu:
        """The selected row's actions as the buttons offer them (a role's hidden buttons are not
        offered, disabled ones are greyed), then 新建 and 导出, then copying."""
        menu = QMenu(self)
        menu.setObjectName("row_menu")
        chosen = self.selected_id() is not None

        def offer(button: QPushButton, default: bool = False) -> None:
            if button.isHidden():
                return
            action = menu.addAction(button.text())
            action.setEnabled(button.isEnabled())
            action.setToolTip(button.toolTip())
            action.triggered.connect(button.click)
            if default:
                menu.setDefaultAction(action)

        if chosen:
            for button in self.row_buttons:
                offer(button, default=button is self.open_button)
            menu.addSeparator()
        offer(self.new_button)
        offer(self.export_button)
        menu.addSeparator()
        for text, slot in (
            (self.tr("复制选中行"), self.copy_selected),
            (self.tr("复制选中行（含表头）"), lambda: self.copy_selected(with_header=True)),
        ):
            action = menu.addAction(text, slot)
            action.setEnabled(chosen)
        return menu

    def show_context_menu(self, pos: QPoint) -> None:
        menu = self.context_menu()
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def copy_selected(self, with_header: bool = False) -> None:
        text = self.selected_text(with_header)
        if text:
            QGuiApplication.clipboard().setText(text)

    def export_excel(self) -> None:
        """Every row the current filter matches, in the current sort, to an .xlsx file."""
        if not can(self.ctx.user, "export"):
            return
        title = self.windowTitle() or self.page_key
        path = ask_save_path(self, self.settings, self.tr("导出 Excel"), file_stem(title), ".xlsx")
        if path is None:
            return
        listing, flt, (key, descending), user = (
            self.model.listing, self.model.current_filter, self.model.sort_state, self.ctx.user
        )
        full_ids = can(user, "full_ids")
        from desktop.reports.table_export import export_listing  # openpyxl: loaded when first used
        from models.entities import Person
        from models.rosters import full_ids_allowed

        with_ids = listing.base_query().model is Person and full_ids_allowed(full_ids)
        self.export_task = run_task(
            self, self.tr("导出 Excel"), self.tr("正在导出 {title}…").format(title=title),
            lambda job: export_listing(path, listing, flt, key, descending, job, user, title, full_ids),
            lambda _rows: offer_to_open(self, path, self.tr("导出 Excel"), with_ids),
        )

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def apply_filter(self) -> None:
        self._debounce.stop()
        if not self._showing_filter:
            self.model.set_filter(self.current_filter())

    def show_filter(self, flt: Any) -> bool:
        """List what ``flt`` (the page's filter) selects, with the search box and the filter
        widgets set to it as a user would set them, in one query. False when a widget has no
        such choice (one added since the page was built): the rest is shown."""
        self._showing_filter = True
        try:
            self.search.setText(flt.text)
            for field, widget in self.filter_widgets.items():
                widget.setValue(getattr(flt, field))
        finally:
            self._showing_filter = False
        self.apply_filter()
        return self.current_filter() == flt

    def selected_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.row_at(r).id for r in rows]

    def selected_id(self) -> int | None:
        index = self.table.currentIndex()
        if index.isValid() and self.table.selectionModel().isRowSelected(index.row()):
            return self.model.row_at(index.row()).id
        ids = self.selected_ids()
        return ids[0] if ids else None

    def open_selected(self) -> None:
        item_id = self.selected_id()
        if item_id is not None:
            self.open_item(item_id)

    def show_dialog(self, dialog: FormDialog) -> None:
        """Show a form window-modal; after a save, reload and select what was saved."""
        dialog.accepted.connect(lambda: self.refresh(select_id=dialog.result_value.id))
        dialog.rejected.connect(lambda: self.refresh() if dialog.discarded_for_newer else None)
        dialog.finished.connect(dialog.deleteLater)
        self.active_dialog = dialog
        dialog.open()

    def refresh(self, select_id: int | None = None) -> None:
        """Reload after a change, keeping (or moving to) the selected row when it is loaded."""
        keep = select_id if select_id is not None else self.selected_id()
        self.model.reload()
        if keep is not None:
            row = self.model.row_of_id(keep)
            if row is not None:
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0))
        self.update_actions()

    def changed_elsewhere(self) -> None:
        """Another clerk changed data: reload, keeping the selected rows and where the list is
        scrolled to (unlike ``refresh`` after one's own save, which shows the saved row)."""
        bar = self.table.verticalScrollBar()
        position = bar.value()
        current = self.selected_id()
        kept = self.selected_ids()[:MAX_RESELECTED]
        self.model.reload()
        selection = self.table.selectionModel()
        for item_id in kept:
            row = self.model.row_of_id(item_id)
            if row is not None:
                flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
                if item_id == current:
                    flags |= QItemSelectionModel.SelectionFlag.Current
                selection.select(self.model.index(row, 0), flags)
        bar.setValue(position)
        self.update_actions()

    def update_status(self) -> None:
        self.status.setText(self.tr("共 {total} 条").format(total=self.model.total))
        typed = " ".join(self.search.text().split())
        if self.model.total:
            self.empty_hint.clear()
        elif typed:
            self.empty_hint.setText(self.tr(
                "没有找到与“{text}”相符的记录。可以输入名称中的字、全拼或拼音首字母（如 bcy 找白彩月），"
                "或检查上方的筛选条件。").format(text=typed))
        elif any(widget.currentIndex() > 0 for widget in self.filter_widgets.values()):
            self.empty_hint.setText(self.tr("没有符合当前筛选条件的记录。"))
        else:  # nothing registered yet: the empty table says enough
            self.empty_hint.clear()
        self.empty_hint.setVisible(bool(self.empty_hint.text()))

    def _sort_indicator_changed(self, section: int, _order) -> None:
        if self.model.columns[section].sort is None:  # not sortable: put the indicator back
            _key, descending = self.model.sort_state
            header = self.table.horizontalHeader()
            header.blockSignals(True)
            header.setSortIndicator(
                self.model.sort_column(),
                Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder,
            )
            header.blockSignals(False)

    # -- remembered column widths and order ---------------------------------------
    def restore_header(self) -> None:
        state = self.settings.value(f"{self.page_key}/header")
        if state is not None:
            self.table.horizontalHeader().restoreState(state)

    def save_header(self) -> None:
        self.settings.setValue(f"{self.page_key}/header", self.table.horizontalHeader().saveState())
        self.settings.sync()
