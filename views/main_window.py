"""The main window: navigation to the areas of the product, status bar, remembered geometry."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
)

from desktop.context import AppContext

from .list_page import ListPage
from .pages.activities import ActivitiesPage
from .pages.organizations import OrganizationsPage
from .pages.people import PeoplePage
from .pages.projects import ProjectsPage
from .pages.teams import TeamsPage
from .pages.trainings import TrainingsPage
from .pages.venues import VenuesPage
from .pages.vocabularies import RegionsPage, ServiceAreasPage


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx
        self.settings = QSettings(str(ctx.ui_settings_path), QSettings.Format.IniFormat)
        self.setWindowTitle(self.tr("巾帼枢纽 — {file}").format(file=ctx.db_path.name))
        self.resize(1280, 800)

        self.nav = QListWidget(self)
        self.nav.setObjectName("navigation")
        self.nav.setMaximumWidth(200)
        self.pages = QStackedWidget(self)
        self.page_list: list[ListPage] = []
        self.add_page(self.tr("社会组织"), OrganizationsPage(ctx, self))
        self.add_page(self.tr("人员"), PeoplePage(ctx, self))
        self.add_page(self.tr("行政区划"), RegionsPage(ctx, self))
        self.add_page(self.tr("服务领域"), ServiceAreasPage(ctx, self))
        self.add_page(self.tr("项目"), ProjectsPage(ctx, self))
        self.add_page(self.tr("活动"), ActivitiesPage(ctx, self))
        self.add_page(self.tr("培训"), TrainingsPage(ctx, self))
        self.add_page(self.tr("三工联动团队"), TeamsPage(ctx, self))
        self.add_page(self.tr("活动阵地"), VenuesPage(ctx, self))
        self.nav.currentRowChanged.connect(self.pages.setCurrentIndex)
        self.nav.setCurrentRow(0)

        splitter = QSplitter(self)
        splitter.addWidget(self.nav)
        splitter.addWidget(self.pages)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([150, 1130])
        self.setCentralWidget(splitter)

        self._build_menus()
        operator = ctx.user.display_name or ctx.user.username
        self.statusBar().addPermanentWidget(
            QLabel(self.tr("操作员：{name}　数据库：{path}").format(name=operator, path=ctx.db_path))
        )
        self._restore_geometry()

    def add_page(self, title: str, page: ListPage) -> None:
        QListWidgetItem(title, self.nav)
        self.pages.addWidget(page)
        self.page_list.append(page)

    def current_page(self) -> ListPage:
        return self.page_list[self.pages.currentIndex()]

    def is_filled(self) -> bool:
        return self.current_page().is_filled()

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("文件(&F)"))
        quit_action = QAction(self.tr("退出(&X)"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        help_menu = self.menuBar().addMenu(self.tr("帮助(&H)"))
        about = QAction(self.tr("关于巾帼枢纽(&A)"), self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)

    def _about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("关于巾帼枢纽"),
            self.tr("巾帼枢纽：妇联女性社会组织工作台账（单机版）。\n\n数据库：{db}\n日志：{log}").format(
                db=self.ctx.db_path, log=self.ctx.log_path
            ),
        )

    def _restore_geometry(self) -> None:
        geometry = self.settings.value("main/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.value("main/state")
        if state is not None:
            self.restoreState(state)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.settings.setValue("main/geometry", self.saveGeometry())
        self.settings.setValue("main/state", self.saveState())
        for page in self.page_list:
            page.save_header()
        self.settings.sync()
        super().closeEvent(event)
