"""The main window: navigation to the areas of the product, status bar, remembered geometry."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings, QSize, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QWidget,
)

from desktop.context import AppContext
from models.choices import USER_ROLES
from models.permissions import can

from .change_watch import ChangeWatch
from .i18n import tr_label
from .lock_watch import LockWatch
from .screen_fit import FRAME_ALLOWANCE, available_area, fit_to_screen
from .widgets import set_shortcut

if TYPE_CHECKING:
    from .list_page import ListPage

DEFAULT_SIZE = QSize(1280, 800)
# Qt's namespace of enums (PySide6.QtCore.Qt, ~20 ms to build on first use) is not touched before
# the window and its home page have shown: its enums are imported where they are used.

# Each page by its class's name, and the module that has it: a page's module (and what it needs:
# export, print preview …) loads when the page is first shown, not before the window shows.
PAGE_MODULES = {
    "HomePage": "home", "OrganizationsPage": "organizations", "PeoplePage": "people",
    "TeamsPage": "teams", "VenuesPage": "venues", "ProjectsPage": "projects", "VenturePage": "venture",
    "ActivitiesPage": "activities", "TrainingsPage": "trainings", "ReportsPage": "reports",
    "ExchangePage": "exchange",
    "RegionsPage": "vocabularies", "ServiceAreasPage": "vocabularies", "ImportPage": "import_page",
    "AuditPage": "audit", "SettingsPage": "settings", "UsersPage": "users",
    "DuplicatesPage": "duplicates",
}
# Pages shown only to a role with this permission (the services refuse the rest anyway).
PAGE_PERMISSIONS = {"ImportPage": "import", "SettingsPage": "settings", "UsersPage": "users",
                    "DuplicatesPage": "merge"}


def page_class(name: str) -> type[QWidget]:
    module = importlib.import_module(f"views.pages.{PAGE_MODULES[name]}")
    return getattr(module, name)


def page_name(page: str | type[QWidget]) -> str:
    return page if isinstance(page, str) else page.__name__


class MainWindow(QMainWindow):
    switch_user_requested = Signal()  # File ▸ 切换用户/注销 (views.session logs in again)

    def __init__(self, ctx: AppContext):
        fit = getattr(QApplication.instance(), "_screen_fit", None)
        if fit is not None:  # the window fits itself; the application's filter waits (see there)
            fit.hold()
        super().__init__()
        if fit is not None:
            fit.resume_after_painted(self)
        self.ctx = ctx
        self.settings = QSettings(str(ctx.ui_settings_path), QSettings.Format.IniFormat)
        where = ctx.db_path.name if ctx.db_path is not None else ctx.location
        self.setWindowTitle(self.tr("巾帼枢纽 — {file}").format(file=where))
        self.resize(DEFAULT_SIZE)

        self.nav = QListWidget(self)
        self.nav.setObjectName("navigation")
        self.nav.setMaximumWidth(200)
        self.pages = QStackedWidget(self)
        # Pages are built when first shown: start-up queries only the first one.
        self._factories: list[Callable[[], ListPage]] = []
        self._built: dict[int, ListPage] = {}
        self._stale_pages: set[int] = set()  # to reload when next shown: changed by another clerk
        self.page_rows: dict[str, int] = {}  # the navigation row of each page shown, by its name
        for title, name in (
            (self.tr("工作台"), "HomePage"),
            (self.tr("社会组织"), "OrganizationsPage"),
            (self.tr("人员"), "PeoplePage"),
            (self.tr("三工联动团队"), "TeamsPage"),
            (self.tr("活动阵地"), "VenuesPage"),
            (self.tr("项目"), "ProjectsPage"),
            (self.tr("创投"), "VenturePage"),
            (self.tr("活动"), "ActivitiesPage"),
            (self.tr("培训"), "TrainingsPage"),
            (self.tr("报表"), "ReportsPage"),
            (self.tr("上报"), "ExchangePage"),
            (self.tr("行政区划"), "RegionsPage"),
            (self.tr("服务领域"), "ServiceAreasPage"),
            (self.tr("导入"), "ImportPage"),
            (self.tr("查重合并"), "DuplicatesPage"),
            (self.tr("操作记录"), "AuditPage"),
            (self.tr("设置"), "SettingsPage"),
            (self.tr("操作员"), "UsersPage"),
        ):
            if can(ctx.user, PAGE_PERMISSIONS.get(name, "view")):  # a role sees what it may use
                self.page_rows[name] = self.nav.count()
                self.add_page(title, lambda name=name: page_class(name)(ctx, self))
        self.nav.currentRowChanged.connect(self.show_page)
        self.nav.setCurrentRow(0)

        splitter = QSplitter(parent=self)  # by name: QSplitter(self) tries (Qt.Orientation) first
        splitter.addWidget(self.nav)
        splitter.addWidget(self.pages)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([150, 1130])
        self.setCentralWidget(splitter)

        self._help: dict[str, QWidget] = {}  # the manual and shortcut windows, while open
        self._build_menus()
        operator = ctx.user.shown_name
        role = tr_label(USER_ROLES.label(ctx.user.role))
        self.statusBar().addPermanentWidget(QLabel(self.tr("操作员：{name}（{role}）　数据库：{path}").format(
            name=operator, role=role, path=ctx.location)))
        self._restore_geometry()
        self.lock_watch = LockWatch(ctx, self)
        self.change_watch = ChangeWatch(self)
        self.change_watch.changed.connect(self.data_changed_elsewhere)
        self.change_watch.connection_lost.connect(self._connection_lost)
        if ctx.on_server:  # one PC's file has one window: nobody else changes it meanwhile
            self.change_watch.start()

    def add_page(self, title: str, factory: Callable[[], ListPage]) -> None:
        QListWidgetItem(title, self.nav)
        self.pages.addWidget(QWidget(self.pages))  # stands in until the page is first shown
        self._factories.append(factory)

    def page(self, index: int) -> ListPage:
        if index not in self._built:
            page = self._factories[index]()
            page.setWindowTitle(self.nav.item(index).text())  # names its exports and printouts
            placeholder = self.pages.widget(index)
            self.pages.insertWidget(index, page)
            self.pages.removeWidget(placeholder)
            placeholder.deleteLater()
            self._built[index] = page
            if hasattr(page, "navigate"):  # the home page: its figures and reminders lead elsewhere
                page.navigate.connect(self.go_to)
        return self._built[index]

    def open_page(self, page: str | type[QWidget]) -> Any:
        """Show the page (its class, or the class's name); None when the operator's role has no
        such page."""
        row = self.page_rows.get(page_name(page))
        if row is None:
            return None
        self.nav.setCurrentRow(row)
        return self.page(row)

    def go_to(self, destination: Any) -> None:
        """Where a figure or reminder of the home page leads."""
        page = self.open_page(destination.page)
        if page is not None and destination.then is not None:
            destination.then(page)

    def show_page(self, index: int) -> None:
        if index >= 0:
            page = self.page(index)
            self.pages.setCurrentIndex(index)
            if index in self._stale_pages:
                self._stale_pages.discard(index)
                page.changed_elsewhere()

    def data_changed_elsewhere(self) -> None:
        """Another clerk changed data: the page in view reloads now, the others when shown."""
        current = self.pages.currentIndex()
        for index, page in self._built.items():
            if not hasattr(page, "changed_elsewhere"):
                continue
            if index == current:
                page.changed_elsewhere()
            else:
                self._stale_pages.add(index)

    def _connection_lost(self, lost: bool) -> None:
        if lost:
            self.statusBar().showMessage(self.tr("与数据库服务器的连接中断，正在重试…（刚才的修改如未提示成功，请在恢复后重新保存）"))
        else:
            self.statusBar().showMessage(self.tr("已重新连接到数据库服务器。"), 5000)

    def current_page(self) -> ListPage:
        return self.page(self.pages.currentIndex())

    def is_filled(self) -> bool:
        return self.current_page().is_filled()

    def _build_menus(self) -> None:
        # Two of the slots are lambdas: with these as bound methods of the window, PySide6 6.9
        # crashed in the garbage collector after closed windows were deleted (seen running
        # tests/views/test_audit_page.py, test_main_window.py and test_home_page.py together).
        file_menu = self.menuBar().addMenu(self.tr("文件(&F)"))
        self.backup_action = file_menu.addAction(
            self.tr("备份到(&B)…"), lambda: self.backup_to_file())
        self.restore_action = file_menu.addAction(self.tr("从备份恢复(&R)…"), self.restore_from_backup)
        self.restore_action.setEnabled(can(self.ctx.user, "restore"))
        self.backup_action.setEnabled(can(self.ctx.user, "backup"))
        file_menu.addSeparator()
        self.setup_action = file_menu.addAction(self.tr("本单位设置向导(&G)…"), self.open_setup_guide)
        self.setup_action.setEnabled(can(self.ctx.user, "settings"))
        self.connect_action = file_menu.addAction(self.tr("连接数据库服务器(&D)…"),
                                                  lambda: self.switch_database())
        self.switch_user_action = file_menu.addAction(self.tr("切换用户/注销(&L)…"),
                                                      self.switch_user_requested.emit)
        self.password_action = file_menu.addAction(self.tr("修改我的密码(&P)…"), self.change_password)
        quit_action = QAction(self.tr("退出(&X)"), self)
        set_shortcut(quit_action, QKeySequence(QKeySequence.StandardKey.Quit))
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        find_menu = self.menuBar().addMenu(self.tr("查找(&S)"))
        self.find_action = QAction(self.tr("查找组织、人员、团队、阵地、项目(&K)…"), self)
        set_shortcut(self.find_action, QKeySequence("Ctrl+K"))
        self.find_action.triggered.connect(self.open_global_search)
        find_menu.addAction(self.find_action)
        self.addAction(self.find_action)  # Ctrl+K wherever the focus is in the window
        find_button = QPushButton(self.tr("查找组织、人员…（Ctrl+K）"), self)
        find_button.setObjectName("find_button")
        find_button.setFlat(True)
        find_button.setToolTip(self.tr("按名称、拼音或首字母、完整的身份证号或电话、信用代码开头查找并打开记录"))
        find_button.clicked.connect(self.open_global_search)
        self.menuBar().setCornerWidget(find_button)  # seen at once, where the menus are
        help_menu = self.menuBar().addMenu(self.tr("帮助(&H)"))
        self.manual_action = QAction(self.tr("使用手册(&M)"), self)
        set_shortcut(self.manual_action, QKeySequence("F1"))
        self.manual_action.triggered.connect(lambda: self.show_help())
        help_menu.addAction(self.manual_action)
        self.shortcuts_action = QAction(self.tr("键盘快捷键(&K)"), self)
        self.shortcuts_action.triggered.connect(lambda: self.show_help(shortcuts_only=True))
        help_menu.addAction(self.shortcuts_action)
        help_menu.addSeparator()
        about = QAction(self.tr("关于巾帼枢纽(&A)"), self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)

    def show_help(self, shortcuts_only: bool = False) -> QWidget:
        """The manual (F1) or the shortcuts, in a window of their own; shown again if open."""
        from PySide6.QtCore import Qt

        from .help import HelpDialog

        key = "shortcuts" if shortcuts_only else "manual"
        dialog = self._help.get(key)
        if dialog is None:
            dialog = HelpDialog(self, shortcuts_only)
            dialog.destroyed.connect(lambda: self._help.pop(key, None))
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self._help[key] = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog
    def open_global_search(self) -> None:
        from .global_search import GlobalSearchDialog  # built when first asked for, not at start-up

        dialog = GlobalSearchDialog(self)
        dialog.chosen.connect(self.open_record)
        dialog.finished.connect(dialog.deleteLater)
        self.search_dialog = dialog  # tests drive it
        dialog.open()

    def open_record(self, kind: str, record_id: int) -> None:
        """Show the record's page and open the record there, as a double click in its list does."""
        name = {"organization": "OrganizationsPage", "person": "PeoplePage", "team": "TeamsPage",
                "venue": "VenuesPage", "project": "ProjectsPage"}[kind]
        page = self.open_page(name)
        if page is not None:
            page.open_item(record_id)

    def open_setup_guide(self) -> None:
        from .setup.guide import open_setup_guide

        open_setup_guide(self, self.ctx)

    def change_password(self) -> None:
        from .account_forms import ChangePasswordDialog  # a form: loaded when first asked for

        dialog = ChangePasswordDialog(self.ctx, self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    # The menus' own modules load when first used (start-up shows the window without them).
    def backup_to_file(self) -> None:
        from .backup_actions import backup_to_file

        backup_to_file(self, self.ctx, self.settings)

    def switch_database(self) -> None:
        from .connect_dialog import switch_database

        switch_database(self, self.ctx)

    def restore_from_backup(self) -> None:
        from .backup_actions import restore_from_file

        if restore_from_file(self, self.ctx, self.settings) and self.isVisible():
            self.rebuild_pages()

    def rebuild_pages(self) -> None:
        """After the database was replaced: every page is built again from the new data."""
        current = self.pages.currentIndex()
        for index, page in list(self._built.items()):
            self.pages.insertWidget(index, QWidget(self.pages))
            self.pages.removeWidget(page)
            page.deleteLater()
        self._built.clear()
        self.show_page(current)

    def _about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("关于巾帼枢纽"),
            self.tr("巾帼枢纽：妇联女性社会组织工作台账（单机版）。\n\n数据库：{db}\n日志：{log}").format(
                db=self.ctx.location, log=self.ctx.log_path
            ),
        )

    def _restore_geometry(self) -> None:
        geometry = self.settings.value("main/geometry")
        self._geometry_restored = geometry is not None and self.restoreGeometry(geometry)
        state = self.settings.value("main/state")
        if state is not None:
            self.restoreState(state)

    def show_fitted(self) -> None:
        """Show as last left; the first time, maximized on a screen smaller than the default size
        (a 1366×768 or 1024×768 office screen), else at the default size, fitted to the screen
        as every window is (views.screen_fit)."""
        area = available_area(self)
        room = FRAME_ALLOWANCE[1]  # the title bar's height, on either side: rather maximized than cramped
        if not self._geometry_restored and (area.width() < DEFAULT_SIZE.width() + room
                                            or area.height() < DEFAULT_SIZE.height() + room):
            fit_to_screen(self)  # the size it keeps where no window manager maximizes it
            self.showMaximized()
            return
        fit_to_screen(self)
        self.show()

    def take_place_of(self, old: QMainWindow) -> None:
        """After 切换用户: where the previous window was, as it was, on the same page if this
        operator may see it."""
        self.restoreGeometry(old.saveGeometry())
        self._geometry_restored = True
        title = old.nav.currentItem().text() if isinstance(old, MainWindow) and old.nav.currentItem() else ""
        for row in range(self.nav.count()):
            if self.nav.item(row).text() == title:
                self.nav.setCurrentRow(row)
                break

    def closeEvent(self, event: QCloseEvent) -> None:
        self.change_watch.stop()
        self.settings.setValue("main/geometry", self.saveGeometry())
        self.settings.setValue("main/state", self.saveState())
        for page in self._built.values():
            if hasattr(page, "save_header"):  # a list page: its columns as the operator left them
                page.save_header()
            if hasattr(page, "stop_reading"):  # the home page: no figures read for a closed window
                page.stop_reading()
        self.settings.sync()
        super().closeEvent(event)
