"""No window larger than the screen it opens on.

Office screens are often 1366×768 or 1024×768, with a task bar. A dialog whose preferred size is
taller than the screen (a long form, the print preview) would open with its 保存/取消 buttons
below the screen's edge. One event filter on the application fits every window as it is shown:
its size is clamped to the screen's available area (minus the frame the window manager adds), and
it is moved inside that area. Forms scroll their fields inside (views.form), so a clamped form
keeps its buttons visible; windows whose minimum size cannot shrink that far are a layout defect
that tests/views/test_screen_fit.py reports.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QRect, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow, QWidget

FRAME_ALLOWANCE = (16, 40)  # borders and title bar a window manager adds, before the first show


def available_area(widget: QWidget) -> QRect:
    screen = widget.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def fit_to_screen(widget: QWidget) -> None:
    """Clamp ``widget`` (a top-level window) to its screen's available area and move it inside."""
    if widget.isMaximized() or widget.isFullScreen():
        return
    area = available_area(widget)
    frame = widget.frameGeometry()
    extra_w = frame.width() - widget.width() or FRAME_ALLOWANCE[0]
    extra_h = frame.height() - widget.height() or FRAME_ALLOWANCE[1]
    width = min(widget.width(), area.width() - extra_w)
    height = min(widget.height(), area.height() - extra_h)
    if (width, height) != (widget.width(), widget.height()):
        widget.resize(max(width, widget.minimumWidth()), max(height, widget.minimumHeight()))
    frame = widget.frameGeometry()
    x = max(area.left(), min(frame.left(), area.right() + 1 - frame.width()))
    y = max(area.top(), min(frame.top(), area.bottom() + 1 - frame.height()))
    if (x, y) != (frame.left(), frame.top()):
        widget.move(x, y)


class ScreenFit(QObject):
    """Fits every top-level window when it is shown (installed on the application)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and isinstance(watched, QWidget) and watched.isWindow():
            fit_shown(watched)
        return False

    def hold(self) -> None:
        """Watch nothing while the main window (which fits itself: show_fitted) is built and first
        painted, until ``resume_after_painted``. A filter written in Python on the application is
        called for every event of every object, and the first events of Qt's internal classes (a
        list's scroll bars) make PySide6 build all its classes not built yet: ~80 ms before the
        window with its home page had painted."""
        QApplication.instance().removeEventFilter(self)

    def resume_after_painted(self, window: QWidget) -> None:
        """Watch again once ``window`` has painted (or is gone, never painted). Windows shown
        meanwhile (none, normally) are fitted then."""
        app = QApplication.instance()

        def resume() -> None:
            app.installEventFilter(self)  # once: installing it again only moves it to the front
            for other in QApplication.topLevelWidgets():
                if other is not window and other.isVisible():
                    fit_shown(other)

        window.destroyed.connect(resume)
        after_first_paint(window, resume)


def fit_shown(window: QWidget) -> None:
    if isinstance(window, (QDialog, QMainWindow)) or window.windowType() not in unfitted():
        fit_to_screen(window)


class _FirstPaint(QObject):
    def __init__(self, window: QWidget, then: Callable[[], None]):
        super().__init__(window)
        self.then = then
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self, self.then)  # once the whole window has painted
        return False


def after_first_paint(window: QWidget, then: Callable[[], None]) -> None:
    """``then()`` once ``window`` has painted for the first time; not if it is deleted first.
    (A filter on the window alone sees its own few events: cheap, unlike one on the application.)"""
    _FirstPaint(window, then)


def unfitted() -> tuple:
    """Menus, completer lists and tool tips place themselves. (Looked up when first needed: Qt's
    namespace of enums costs ~15 ms, which the login window, a dialog, does not wait for.)"""
    from PySide6.QtCore import Qt

    return (Qt.WindowType.Popup, Qt.WindowType.ToolTip, Qt.WindowType.SplashScreen)


def install_screen_fit(app: QApplication) -> ScreenFit:
    fit = ScreenFit(app)
    app.installEventFilter(fit)
    return fit
