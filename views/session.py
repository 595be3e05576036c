"""A working session: log in, open the main window with its idle lock, switch user or log out."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QWizard

from desktop.context import AppContext
from models.auth import needs_first_admin
from models.permissions import can

from .idle_lock import IdleLock
from .login import LoginDialog, log_in


class Session(QObject):
    """Owns the current main window; ``make_window(ctx)`` builds one for the logged-in user."""

    def __init__(self, ctx: AppContext, make_window: Callable[[AppContext], QMainWindow]):
        super().__init__()
        self.ctx = ctx
        self.make_window = make_window
        self.window: QMainWindow | None = None
        self.idle_lock: IdleLock | None = None
        self.guide: QWizard | None = None  # the setup guide opened at the first start

    def start(self, login: LoginDialog | None = None) -> bool:
        """Log in (in ``login`` when the login window already shows) and show the window; False
        when the login was cancelled. After the first start's administrator is created, the setup
        guide opens over the window."""
        first_start = needs_first_admin()
        user = log_in(self.ctx, dialog=login)
        if user is None:
            return False
        self.ctx.user = user
        self._open_window()
        if first_start and can(user, "settings"):
            from .setup.guide import open_setup_guide

            self.guide = open_setup_guide(self.window, self.ctx)
        return True

    def _open_window(self, old: QMainWindow | None = None) -> None:
        window = self.make_window(self.ctx)
        switch = getattr(window, "switch_user_requested", None)
        if switch is not None:
            switch.connect(self.switch_user)
        self.idle_lock = IdleLock(window, self.ctx, on_switch_user=lambda: self.switch_user(ask=False))
        if old is not None and hasattr(window, "take_place_of"):
            window.take_place_of(old)
        if hasattr(window, "show_fitted"):
            window.show_fitted()
        else:
            window.show()
        self.window = window

    def switch_user(self, ask: bool = True) -> None:
        """切换用户/注销: open forms are closed (after asking, unless the lock screen did), then
        someone logs in again."""
        old = self.window
        if old is None:
            return
        open_forms = [w for w in QApplication.topLevelWidgets()
                      if w is not old and w.isVisible() and w.isModal()]
        if ask and open_forms and QMessageBox.question(
            old, old.tr("切换用户"),
            old.tr("还有 {n} 个窗口没有关闭，其中未保存的内容将丢失。确定注销吗？").format(n=len(open_forms)),
        ) != QMessageBox.StandardButton.Yes:
            return
        for form in open_forms:
            form.close()
        old.hide()
        user = log_in(self.ctx)
        if user is None:  # nobody logged in: the program ends
            old.close()
            QApplication.quit()
            return
        self.ctx.user = user
        self._open_window(old)
        old.close()
        old.deleteLater()
