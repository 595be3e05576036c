"""先看演示数据: build the demo database beside the office's (once) and switch the window to it,
the way 连接数据库服务器 switches databases (``ctx.reopen``, then the window closes)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop.context import AppContext
from desktop.demo import DEMO_USERS
from desktop.demo_file import build_in_child, demo_database_path

from ..tasks import Task, run_task


def _tr(text: str) -> str:
    return QCoreApplication.translate("setup", text)


def open_demo(window: QWidget, ctx: AppContext) -> Task | None:
    """Switch to the demo database, building it first when there is none (a background task:
    the returned Task; None when it was already there)."""
    path = demo_database_path()
    if path.exists():
        switch_to_demo(window, ctx, path)
        return None

    def build(job) -> None:
        build_in_child(path, lambda: job.step(0, 0))

    return run_task(window, _tr("先看演示数据"), _tr("正在生成演示数据（虚构的青禾县），请稍候…"), build,
                    on_done=lambda _result: switch_to_demo(window, ctx, path), uses_database=False)


def switch_to_demo(window: QWidget, ctx: AppContext, path: Path) -> None:
    name, _shown, _role, password = DEMO_USERS[0]
    QMessageBox.information(window, _tr("先看演示数据"), _tr(
        "演示数据已准备好：{path}\n\n现在关闭本单位的数据库，打开演示数据库（窗口标题显示“演示数据”）。\n"
        "登录演示数据库：用户名 {name}，密码 {password}。\n\n"
        "看完后关闭程序再打开，就回到本单位的数据库。").format(path=path, name=name, password=password))
    ctx.reopen = path
    window.close()
