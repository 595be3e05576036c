"""本单位设置向导: five short steps after the administrator is created, each one skippable.

Every step saves on 下一步 through the models' services (audited); 跳过这一步 leaves it as it was,
and models.setup_status names what is then still missing. 以后再说 closes the guide keeping the
steps already saved. Sized for a 1024×768 screen: at most 700 px high, the buttons always shown.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget, QWizard

from desktop.context import AppContext
from desktop.divisions import DivisionTable, division_table

from ..pages.settings import SettingsPage
from .area_page import AreaPage
from .demo import open_demo
from .finish_page import DEMO, IMPORT, FinishPage
from .office_page import OfficePage
from .report_page import ReportPage
from .service_areas_page import ServiceAreasPage

MAX_HEIGHT = 700
_B = QWizard.WizardButton
STEP_BUTTONS = [_B.Stretch, _B.BackButton, _B.CustomButton1, _B.NextButton, _B.CancelButton]
# The last step: 完成 does what was chosen; nothing to skip or put off.
LAST_BUTTONS = [_B.Stretch, _B.BackButton, _B.FinishButton]


class SetupGuide(QWizard):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None, table: DivisionTable | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.skipping = False  # 跳过这一步 pressed: the page's validatePage saves nothing
        table = table or division_table()
        self.setWindowTitle(self.tr("本单位设置向导"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.HaveCustomButton1)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage)
        self.setButtonText(QWizard.WizardButton.CustomButton1, self.tr("跳过这一步"))
        self.setButtonText(QWizard.WizardButton.BackButton, self.tr("< 上一步"))
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("下一步 >"))
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("完成"))
        self.setButtonText(QWizard.WizardButton.CancelButton, self.tr("以后再说"))
        self.button(QWizard.WizardButton.CustomButton1).setToolTip(
            self.tr("这一步先不设置，以后可以在“设置”页或 文件 ▸ 本单位设置向导… 中补上"))
        self.button(QWizard.WizardButton.CancelButton).setToolTip(
            self.tr("关闭向导；已经完成的步骤会保留"))
        self.setButtonLayout(STEP_BUTTONS)
        self.office_page = OfficePage(ctx, table, self)
        self.area_page = AreaPage(ctx, table, self)
        self.report_page = ReportPage(ctx, self)
        self.service_areas_page = ServiceAreasPage(ctx, self)
        self.finish_page = FinishPage(ctx, self)
        for page in (self.office_page, self.area_page, self.report_page, self.service_areas_page,
                     self.finish_page):
            self.addPage(page)
        self.customButtonClicked.connect(self._custom_button)
        self.currentIdChanged.connect(self._page_changed)
        self.setMinimumSize(640, 520)
        self.setMaximumHeight(MAX_HEIGHT)
        self.resize(760, 640)

    def _custom_button(self, which: int) -> None:
        if which == QWizard.WizardButton.CustomButton1.value:
            self.skip()

    def skip(self) -> None:
        """Go on to the next step without saving this one."""
        self.skipping = True
        try:
            self.next()
        finally:
            self.skipping = False

    def _page_changed(self, _page_id: int) -> None:
        self.setButtonLayout(LAST_BUTTONS if self.currentPage() is self.finish_page else STEP_BUTTONS)

    def choice(self) -> str:
        """What the user chose to do next (finish_page IMPORT, DEMO or DONE)."""
        return self.finish_page.choice()

    # The window is looked up when needed, not held: a connection holding it would keep it alive.
    def refresh_window(self) -> None:
        """The window's pages show what the guide saved."""
        window = self.parentWidget()
        if window is None:
            return
        reload_lists = getattr(window, "data_changed_elsewhere", None)
        if reload_lists is not None:  # the main window: its lists reload (now, or when shown)
            reload_lists()
        for page in window.findChildren(SettingsPage):
            page.load()

    def carry_out_choice(self) -> None:
        window = self.parentWidget()
        choice = self.choice()
        if window is None:
            return
        if choice == IMPORT:
            row = getattr(window, "page_rows", {}).get("ImportPage")
            if row is not None:
                window.nav.setCurrentRow(row)
        elif choice == DEMO:
            open_demo(window, self.ctx)


def open_setup_guide(window: QWidget, ctx: AppContext) -> SetupGuide:
    """Open the guide over ``window`` (window-modal, not blocking). Once it is finished the
    window's pages show what it saved, and 导入旧表 or 先看演示数据 is carried out."""
    guide = SetupGuide(ctx, window)
    guide.accepted.connect(guide.carry_out_choice)
    guide.finished.connect(guide.refresh_window)
    guide.finished.connect(guide.deleteLater)
    guide.open()
    return guide
