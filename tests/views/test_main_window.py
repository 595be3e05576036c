"""The main window: navigation builds each page when first shown, layout is remembered."""

from views.main_window import MainWindow
from views.pages.home import HomePage
from views.pages.organizations import OrganizationsPage
from views.pages.people import PeoplePage


def make_window(qtbot, ctx):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_navigation_lists_the_areas_and_builds_pages_on_demand(qtbot, ctx, orgs):
    window = make_window(qtbot, ctx)
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert titles == ["工作台", "社会组织", "人员", "三工联动团队", "活动阵地", "项目", "创投", "活动",
                      "培训", "报表", "上报", "行政区划", "服务领域", "导入", "查重合并", "操作记录", "设置",
                      "操作员"]
    assert isinstance(window.current_page(), HomePage)  # the window opens on the home page
    qtbot.waitUntil(window.is_filled)
    assert len(window._built) == 1  # only the page on screen has queried the database
    window.nav.setCurrentRow(1)
    assert isinstance(window.pages.currentWidget(), OrganizationsPage)
    assert window.open_page(PeoplePage) is window.current_page() and window.nav.currentRow() == 2
    for row in range(window.nav.count()):
        window.nav.setCurrentRow(row)
        assert window.pages.currentWidget() is window.current_page()
    assert len(window._built) == window.nav.count()


def test_geometry_and_column_widths_survive_a_restart(qtbot, ctx, orgs):
    window = make_window(qtbot, ctx)
    window.resize(window.width(), 707)
    window.open_page(OrganizationsPage).table.horizontalHeader().resizeSection(0, 271)
    expected = window.size()
    assert expected.height() == 707
    window.close()
    again = make_window(qtbot, ctx)
    # Qt fits a restored width to the screen (800 px wide offscreen), so compare the height
    assert again.size().height() == expected.height()
    assert again.open_page(OrganizationsPage).table.horizontalHeader().sectionSize(0) == 271


def activate(qtbot, window) -> None:
    """Make ``window`` the active window, as a click on it would (its shortcuts then work)."""
    from PySide6.QtWidgets import QApplication

    window.windowHandle().requestActivate()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def test_f1_opens_the_manual_and_the_help_menu_lists_the_shortcuts(qtbot, ctx):
    from PySide6.QtCore import Qt

    window = make_window(qtbot, ctx)
    activate(qtbot, window)
    qtbot.keyClick(window.nav, Qt.Key.Key_F1)
    manual = window._help.get("manual")
    assert manual is not None and manual.isVisible()
    text = manual.browser.toPlainText()
    assert "巾帼枢纽使用手册" in text and "双击一行或按回车" in text
    activate(qtbot, window)
    qtbot.keyClick(window.nav, Qt.Key.Key_F1)  # once open, F1 shows the same window
    assert window._help["manual"] is manual
    window.shortcuts_action.trigger()
    table = window._help["shortcuts"].browser.toPlainText()
    for keys in ("F1", "Ctrl+F", "Ctrl+N", "Ctrl+E", "Delete", "Shift+F10"):
        assert keys in table
