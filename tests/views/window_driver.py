"""A main window in its own process, for tests that need a second process beside it.

Run as ``python window_driver.py DB``: opens the window on DB (offscreen), lists the database's
folder in every file dialog the window has (导出 Excel…, 导入 ▸ 选择文件…, 文件 ▸ 备份到…),
prints READY, then takes commands from stdin: ``EDIT NAME`` saves an organization named NAME
(printing EDITED), ``QUIT`` ends. Not a test module itself.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSocketNotifier, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog

from desktop.app import create_application
from desktop.context import build_context
from models.organizations import OrganizationData, save_organization
from views.main_window import MainWindow
from views.pages.organizations import OrganizationsPage

LISTING_SECONDS = 1.5


def list_and_cancel() -> None:
    """Close the file dialog once it has read the database's folder (the icon and type of
    every file in it are found then, whatever the name filter shows)."""
    dialog = next((w for w in QApplication.topLevelWidgets()
                   if isinstance(w, QFileDialog) and w.isVisible()), None)
    if dialog is None:
        return
    seen = dialog.property("seen_at") or time.monotonic()
    dialog.setProperty("seen_at", seen)
    if time.monotonic() - seen > LISTING_SECONDS:
        dialog.reject()


def cancel_once_listed() -> QTimer:
    """A timer that cancels each file dialog once it has listed its folder."""
    timer = QTimer()
    timer.timeout.connect(list_and_cancel)
    timer.start(20)
    return timer


def main() -> int:
    db_path = Path(sys.argv[1]).resolve()
    app = create_application()
    ctx = build_context(db_path)
    window = MainWindow(ctx)
    for key in ("export/folder", "import/folder", "backup/folder"):
        window.settings.setValue(key, str(db_path.parent))
    window.show()
    closer = cancel_once_listed()
    window.open_page(OrganizationsPage).export_excel()
    window.show_page(next(i for i in range(window.nav.count()) if window.nav.item(i).text() == "导入"))
    window.current_page().choose_file()
    window.backup_action.trigger()
    closer.stop()
    print("READY", flush=True)

    def command() -> None:
        line = sys.stdin.readline().strip()
        if line.startswith("EDIT "):
            save_organization(OrganizationData(name=line[5:]), ctx.user)
            print("EDITED", flush=True)
        elif line in ("QUIT", ""):
            app.quit()

    notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
    notifier.activated.connect(command)
    app.exec()
    ctx.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
