"""The idle lock: after ``security.idle_minutes`` without input the window is covered and asks
for the password again. Open forms stay open underneath with what was typed in them."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QElapsedTimer, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QPushButton

from desktop.context import AppContext
from models.settings import get_setting

from .login import PasswordPrompt
from .screen_fit import after_first_paint

IDLE_SETTING = "security.idle_minutes"
TICK_MS = 5000

INPUT_EVENTS = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick,
    QEvent.Type.MouseMove, QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.InputMethod,
})


def idle_minutes() -> int:
    """The setting as a number of minutes; 0 (or nonsense) would mean never, so fall back to 15."""
    try:
        minutes = int(get_setting(IDLE_SETTING))
    except ValueError:
        minutes = 0
    return minutes if minutes > 0 else 15


class LockScreen(PasswordPrompt):
    """Covers the main window, application-modal; only the same user's password removes it,
    or 切换用户 (after a warning that open forms are then closed without saving)."""

    switch_user_requested = Signal()

    def __init__(self, window: QMainWindow, ctx: AppContext):
        super().__init__(self.tr("已锁定"), window, username=ctx.user.username, fixed_user=True)
        self.setObjectName("lock_screen")
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setWindowFlag(Qt.WindowType.WindowCloseButtonHint, False)
        name = ctx.user.shown_name
        self.intro.setText(self.tr(
            "{name}，程序因长时间没有操作已锁定。请输入密码继续；打开的表单和其中的内容都保留着。"
        ).format(name=name))
        self.intro.show()
        self.ok_button.setText(self.tr("解锁"))
        self.cancel_button.hide()
        self.switch_button = QPushButton(self.tr("切换用户…"), self)
        self.buttons.insertWidget(0, self.switch_button)  # at the left, as an action
        self.switch_button.clicked.connect(self.ask_switch_user)
        self.panel.setFixedWidth(400)
        self.intro.setMinimumHeight(self.intro.heightForWidth(400))  # wrapped text, all of it
        outer = self.layout()
        outer.insertStretch(0, 1)
        outer.addStretch(1)
        outer.setAlignment(self.panel, Qt.AlignmentFlag.AlignHCenter)
        self.setGeometry(window.geometry())

    def ask_switch_user(self) -> None:
        answer = QMessageBox.question(self, self.tr("切换用户"), self.tr(
            "切换用户会关闭所有打开的表单，其中没有保存的内容将丢失。\n"
            "如果想保留这些内容，请由{name}输入密码解锁。确定切换用户吗？").format(name=self.username.text()),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer == QMessageBox.StandardButton.Yes:
            self.switch_user_requested.emit()

    def reject(self) -> None:
        """Esc does not unlock."""

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.user is None:
            event.ignore()
        else:
            super().closeEvent(event)


class IdleLock(QObject):
    """Watches every input event of the application; locks ``window`` after the idle time.

    ``timeout_ms`` overrides the setting (tests); otherwise the setting is read on each tick,
    so a change on the Settings page applies at once.
    """

    locked = Signal()
    unlocked = Signal()

    def __init__(self, window: QMainWindow, ctx: AppContext, timeout_ms: int | None = None,
                 tick_ms: int = TICK_MS, on_switch_user: Callable[[], None] | None = None):
        super().__init__(window)
        self.window, self.ctx, self.timeout_ms = window, ctx, timeout_ms
        self.on_switch_user = on_switch_user
        self.screen: LockScreen | None = None
        self.idle = QElapsedTimer()
        self.idle.start()
        self.ticker = QTimer(self)
        self.ticker.setInterval(tick_ms)
        self.ticker.timeout.connect(self.check)
        self.ticker.start()
        if window.isVisible():
            self._watch()
        else:  # nobody types into a window not painted yet; see ScreenFit.hold
            after_first_paint(window, self._watch)
        window.destroyed.connect(self.stop)

    def _watch(self) -> None:
        if self.ticker.isActive():  # not stopped meanwhile
            QApplication.instance().installEventFilter(self)

    def stop(self) -> None:
        self.ticker.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.screen is None and event.type() in INPUT_EVENTS:
            self.idle.restart()
        return False

    def is_locked(self) -> bool:
        return self.screen is not None

    def timeout(self) -> int:
        return self.timeout_ms if self.timeout_ms is not None else idle_minutes() * 60_000

    def check(self) -> None:
        if self.screen is None and self.window.isVisible() and self.idle.elapsed() >= self.timeout():
            self.lock()

    def lock(self) -> None:
        if self.screen is not None:
            return
        self.screen = LockScreen(self.window, self.ctx)
        self.screen.accepted.connect(self._unlocked)
        self.screen.switch_button.setVisible(self.on_switch_user is not None)
        self.screen.switch_user_requested.connect(self._switch_user)
        self.screen.show()
        self.screen.activateWindow()
        self.locked.emit()

    def _switch_user(self) -> None:
        """Someone else logs in: the screen goes, and the session closes this window for a new one."""
        screen, self.screen = self.screen, None
        if screen is not None:
            screen.hide()
            screen.deleteLater()
        if self.on_switch_user is not None:
            self.on_switch_user()

    def _unlocked(self) -> None:
        screen, self.screen = self.screen, None
        if screen is not None:
            screen.deleteLater()
        self.idle.restart()
        self.unlocked.emit()

