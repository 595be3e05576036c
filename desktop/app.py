"""The Qt application: fonts, Chinese translations, crash dialog, main window, smoke run."""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from resources import APP_ICON, CJK_FONT, CJK_FONT_FAMILY, resource_path

from . import paths
from .logging_setup import install_crash_hook
from .paths import is_server_url

if TYPE_CHECKING:
    from views.login import LoginDialog

    from .context import AppContext

# The login window of a file's database shows before the database layer (peewee, the models, the
# backups) is loaded and the file opened: those are imported where they are used, after it.

log = logging.getLogger(__name__)

APP_TITLE = "巾帼枢纽"


def tr(text: str) -> str:
    return QCoreApplication.translate("app", text)


def load_cjk_font(app: QApplication) -> str:
    """Register the bundled font and make it the fallback after the system UI font."""
    font_id = QFontDatabase.addApplicationFont(str(resource_path(CJK_FONT)))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        log.error("bundled CJK font could not be registered")
        return ""
    font = QFont(app.font())
    font.setFamilies([app.font().family(), families[0], CJK_FONT_FAMILY])
    app.setFont(font)
    return families[0]


def load_translations(app: QApplication) -> list[QTranslator]:
    """Qt's own Chinese strings (确定/取消 on standard buttons, dialogs)."""
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    loaded = []
    for name in ("qtbase_zh_CN", "qt_zh_CN"):
        translator = QTranslator(app)
        if translator.load(name, folder):
            app.installTranslator(translator)
            loaded.append(translator)
        else:
            log.warning("Qt translation %s not found in %s", name, folder)
    return loaded


def chinese_system_dates(environ: dict[str, str] | None = None) -> None:
    """Qt's own dialogs (the file dialog's 修改日期 column) write dates as the system locale does,
    which on an English-language Linux desktop is "11/30/26 8:44 AM". Before the application
    starts, the time category of the environment Qt reads is made Chinese; the others are left
    as they were (LC_ALL, which would override it, becomes LANG). Windows: the dialogs are the
    system's own."""
    env = os.environ if environ is None else environ
    if sys.platform == "win32":
        return
    current = env.get("LC_ALL") or env.get("LC_TIME") or env.get("LANG") or ""
    if current.startswith("zh"):
        return
    if env.get("LC_ALL"):
        env["LANG"] = env.pop("LC_ALL")
    env["LC_TIME"] = "zh_CN.UTF-8"


def create_application(argv: list[str] | None = None) -> QApplication:
    if QApplication.instance() is None:
        chinese_system_dates()
    app = QApplication.instance() or QApplication(argv or [sys.argv[0]])
    app.setApplicationName("JinguoHub")
    app.setApplicationDisplayName(APP_TITLE)
    app.setOrganizationName("JinguoHub")
    app.setWindowIcon(QIcon(str(resource_path(APP_ICON))))
    load_translations(app)
    load_cjk_font(app)
    if not getattr(app, "_screen_fit", None):
        from views.screen_fit import install_screen_fit

        app._screen_fit = install_screen_fit(app)  # no window larger than the office's screen
    return app


def show_internal_error(detail: str) -> None:
    """The crash dialog: what happened is in the log; tell the user where it is."""
    log_file = paths.log_path()
    box = QMessageBox(QMessageBox.Icon.Critical, tr("内部错误"),
                      tr("程序遇到内部错误，刚才的操作没有完成。\n"
                         "请把下面的日志文件发给技术支持：\n{log}").format(log=log_file))
    box.setDetailedText(detail)
    box.exec()


_logging_pending: list[Callable[[], None]] = []


def start_logging_now() -> None:
    """Set the log file up (the one the start deferred until its first window showed)."""
    while _logging_pending:
        _logging_pending.pop()()


def run_window(db_path: Path | str | None, smoke: bool, started: float, print_check: bool = False,
               start_logging: Callable[[], None] | None = None) -> int:
    """Start the window. With ``smoke``: wait until the main window is shown and filled, then exit
    (with ``print_check`` also render a PDF page as the print preview does). ``start_logging``
    sets the log file up: called as soon as the first window shows."""
    if start_logging is not None:
        _logging_pending.append(start_logging)
    if smoke and sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = create_application()
    crashes: list[str] = []  # a self-test that met an internal error fails
    install_crash_hook(show_internal_error if not smoke else lambda detail: _print_crash(detail, crashes))
    target: Path | str | None = db_path or paths.default_database()
    code = 0
    while target is not None:  # another database chosen in the window opens in its place
        code, target = _run_database(app, target, smoke, started, print_check)
    return 1 if crashes and code == 0 else code


def run_login_check(db_path: Path | str | None, started: float,
                    start_logging: Callable[[], None] | None = None) -> int:
    """``--smoke-login``: show the login window and open the database as a start does, then say
    how long each took (what a clerk waits for before typing her password) and end."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if start_logging is not None:
        _logging_pending.append(start_logging)
    app = create_application()
    target = db_path or paths.default_database()
    dialog = show_login(str(target)) if not is_server_url(target) else None
    if dialog is not None:
        print(f"login_ms={(time.perf_counter() - started) * 1000:.0f}", flush=True)
    start_logging_now()
    from .context import build_context
    from .database import DatabaseOpenError

    try:
        ctx = build_context(target)
    except DatabaseOpenError as e:
        return _not_opened(e.message, True)
    if dialog is None:  # a server's: its login shows once it answered
        from views.login import login_dialog

        dialog = login_dialog(ctx.location)
        dialog.show()
        app.processEvents()
        print(f"login_ms={(time.perf_counter() - started) * 1000:.0f}", flush=True)
    dialog.attach(ctx)
    app.processEvents()
    print(f"login_ready_ms={(time.perf_counter() - started) * 1000:.0f}", flush=True)
    dialog.close()
    ctx.close()
    return 0


def show_login(location: str) -> LoginDialog:
    """The login window, shown at once: the database opens while the clerk types (what she
    types meanwhile waits in the window's queue); ``views.login.log_in`` then uses it."""
    from views.login import login_dialog

    dialog = login_dialog(location)
    dialog.setModal(True)
    dialog.show()
    QApplication.processEvents()
    return dialog


def _run_database(app: QApplication, target: Path | str, smoke: bool, started: float,
                  print_check: bool) -> tuple[int, Path | str | None]:
    """Open ``target`` and run the window on it: the exit code, and the database the user
    switched to (None: the program ends)."""
    if is_server_url(target):
        start_logging_now()
        return _run_on_server(app, str(target), smoke, started, print_check)
    path = Path(target)
    crash_hook = install_database_error_hook(path, smoke)
    try:
        # An existing file's login shows at once; a new one's first administrator once it is made.
        login = show_login(str(path)) if not smoke and path.exists() else None
        start_logging_now()
        if login is None and not smoke and not path.exists() and not offer_restore_of_missing(path):
            return 2, None
        from .context import build_context
        from .database import DatabaseOpenError
        from .instance_lock import InstanceLock, LockedError

        lock = InstanceLock(path)
        try:
            lock.acquire()
            ctx = build_context(path)
        except (DatabaseOpenError, LockedError) as e:
            if login is not None:
                login.close()
            lock.release()
            return _not_opened(e.message, smoke), None
        try:
            code = _run_main_window(app, ctx, smoke, started, print_check, login)
            if ctx.copy_to is not None and not copy_before_switch(path, ctx.copy_to, ctx.user):
                return code, path  # not copied: the file opens again
            return code, ctx.reopen
        finally:
            lock.release()
    finally:
        sys.excepthook = crash_hook


def copy_before_switch(path: Path, target: str, user) -> bool:
    """Copy the file's data into the empty server database chosen in the window, now that the
    window is closed (nothing else uses the models meanwhile), with a progress dialog that can
    stop it (the server's database is then left as it was). False, said, when not copied."""
    from PySide6.QtWidgets import QProgressDialog

    from .database import DatabaseOpenError, open_database, without_password
    from .dbcopy import CopyError, copy_database, record_copy

    class Stopped(Exception):
        pass

    dialog = QProgressDialog(tr("正在把数据复制到服务器…"), tr("取消"), 0, 0)
    dialog.setWindowTitle(APP_TITLE)
    dialog.setMinimumDuration(0)
    dialog.show()

    def progress(table: str, done: int, total: int) -> None:
        dialog.setLabelText(tr("正在把数据复制到服务器：{table}").format(table=table))
        dialog.setMaximum(max(total, 1))
        dialog.setValue(min(done, total))
        QApplication.processEvents()
        if dialog.wasCanceled():
            raise Stopped

    from models import crypto

    key = crypto.data_key() if crypto.is_unlocked() else None  # the operator's login unlocked it
    try:
        source = open_database(path)
    except DatabaseOpenError as e:
        dialog.close()
        QMessageBox.warning(None, APP_TITLE, tr("没有复制：{reason}").format(reason=e.message))
        return False
    if key is not None:
        crypto.unlock(key)  # the same file opened again: its key, for the copy's audit line
    try:
        refusal = record_copy(user, f"复制整个数据库到 {without_password(target)}")
        if refusal is not None:
            raise CopyError(refusal)
        report = copy_database(source, target, progress)
    except CopyError as e:
        dialog.close()
        QMessageBox.warning(None, APP_TITLE,
                            tr("没有复制，仍打开本机数据库：{reason}").format(reason=e.message))
        return False
    except Stopped:
        dialog.close()
        QMessageBox.information(None, APP_TITLE,
                                tr("已取消复制，服务器上的数据库保持原样；仍打开本机数据库。"))
        return False
    finally:
        source.close()
    dialog.close()
    QMessageBox.information(None, APP_TITLE, tr(
        "已把本机数据复制到服务器：{tables} 个表，共 {rows} 行，核对无误。现在打开服务器上的数据库。").format(
            tables=report.tables, rows=f"{report.total_rows:,}"))
    return True


def _not_opened(message, smoke: bool) -> int:
    """Say why the database was not opened (printed by the self-test: nobody closes a dialog)."""
    text = str(message)
    log.warning("database not opened: %s", text)
    if smoke:
        print(text, file=sys.stderr)
    else:
        QMessageBox.critical(None, APP_TITLE, text)
    return 2


def _run_on_server(app, url: str, smoke: bool, started: float,
                   print_check: bool) -> tuple[int, Path | str | None]:
    """The window on a server's database: several clerks at once, so no lock file and no
    backups of a file (the server's own tools back it up). The window asks for a password the
    server wants, and offers another database when this one cannot be opened."""
    from .context import AppContext, build_context
    from .database import DatabaseOpenError

    if smoke:
        try:
            opened: AppContext | Path | str | None = build_context(url)
        except DatabaseOpenError as e:
            return _not_opened(e.message, smoke), None
    else:
        from views.server_password import open_on_server

        opened = open_on_server(url)
    if not isinstance(opened, AppContext):  # quit, or another database chosen instead
        return 2, opened
    crash_hook = install_database_error_hook(Path(opened.location), smoke)
    try:
        return _run_main_window(app, opened, smoke, started, print_check), opened.reopen
    finally:
        sys.excepthook = crash_hook


def _print_crash(detail: str, crashes: list[str]) -> None:
    """The self-test's crash report: printed, since nobody is there to close a dialog."""
    crashes.append(detail)
    print(f"内部错误：{detail}\n详细信息已写入日志：{paths.log_path()}", file=sys.stderr)


def install_database_error_hook(db_path: Path, smoke: bool = False) -> Callable[..., None]:
    """A full disk, a locked or read-only file met while working, or a change another clerk made
    first (models.errors.UserError), is the user's to fix: say what
    to do (the change was rolled back with its transaction) instead of "内部错误". The self-test
    (``smoke``) prints it: a dialog there would wait for ever. Returns the hook it wraps."""
    crash_hook = sys.excepthook

    def hook(exc_type, exc, tb) -> None:
        from models.errors import UserError

        if isinstance(exc, UserError):  # another clerk or job got there first: nothing was written
            message = exc.message
        elif exc is not None:
            from .database import database_error_message

            message = database_error_message(exc, db_path)
        else:
            message = None
        if message is None:
            crash_hook(exc_type, exc, tb)
            return
        log.warning("database error while working: %s", exc, exc_info=(exc_type, exc, tb))
        if smoke:
            print(message, file=sys.stderr)
        else:
            QMessageBox.warning(QApplication.activeWindow(), APP_TITLE, str(message))

    sys.excepthook = hook
    return crash_hook


def offer_restore_of_missing(path: Path) -> bool:
    """The database file is gone (deleted, a USB stick not plugged in) but backups of it exist:
    offer the newest one instead of silently starting an empty register. False: quit."""
    from .backup import BackupError, backups_folder, list_backups, restore_from
    from .instance_lock import LockedError

    backups = list_backups(backups_folder(), path)
    if not backups:
        return True
    newest = backups[-1]
    box = QMessageBox(
        QMessageBox.Icon.Warning, APP_TITLE,
        tr("找不到数据库文件：\n{path}\n\n如果它在 U 盘或移动硬盘上，请退出，插好后再启动程序。\n"
           "也可以用最近的备份（{when}，{reason}）恢复它，或新建一个空的数据库。").format(
            path=path, when=f"{newest.made_at:%Y-%m-%d %H:%M}", reason=newest.reason_label),
    )
    restore = box.addButton(tr("从备份恢复"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(tr("新建空的数据库"), QMessageBox.ButtonRole.DestructiveRole)
    leave = box.addButton(tr("退出"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(restore)
    box.exec()
    if box.clickedButton() is leave:
        return False
    if box.clickedButton() is restore:
        try:
            restore_from(newest.path, path)
        except (BackupError, LockedError) as e:
            QMessageBox.warning(None, APP_TITLE, str(e.message))
            return False
    return True


def start_of_day_backup(ctx: AppContext, smoke: bool = False) -> None:
    """The first start of a day backs the database up; a failure is said, and does not stop the start
    (the self-test prints it: a dialog there would wait for ever)."""
    if ctx.db_path is None:
        return  # a server's database: backed up by the server's own tools
    from .backup import BackupError, daily_backup

    try:
        made = daily_backup(ctx.db, ctx.db_path)
    except BackupError as e:
        log.warning("daily backup failed: %s", e.message)
        text = tr("今天的自动备份没有完成：{reason}").format(reason=e.message)
        if smoke:
            print(text, file=sys.stderr)
        else:
            QMessageBox.warning(None, APP_TITLE, text)
        return
    if made is not None:
        log.info("daily backup: %s", made)


def _run_main_window(app: QApplication, ctx: AppContext, smoke: bool, started: float,
                     print_check: bool = False, login: LoginDialog | None = None) -> int:
    start_of_day_backup(ctx, smoke)
    from views.main_window import MainWindow  # Qt widgets only once the context exists

    if smoke:  # a self-test that closes itself: no login (ctx acts as the administrator)
        window = MainWindow(ctx)
        window.show_fitted()
        return _smoke(app, window, ctx, started, print_check)
    from views.session import Session

    session = Session(ctx, MainWindow)
    if not session.start(login):  # the login was cancelled
        ctx.close()
        return 0
    code = app.exec()
    ctx.close()
    return code


def _smoke(app: QApplication, window, ctx: AppContext, started: float, print_check: bool = False) -> int:
    result: dict[str, object] = {"code": 1}
    deadline = time.perf_counter() + 60

    def check() -> None:
        try:
            look()
        except BrokenPipeError:  # the output's reader went away (… | head -1): the self-test ends
            result["code"] = 0 if result.get("shown") else 1
            app.quit()

    def look() -> None:
        if window.isVisible() and not result.get("shown"):  # the first turn of the event loop:
            result["shown"] = True  # the window and its home page drawn, their figures on the way
            print(f"shown_ms={(time.perf_counter() - started) * 1000:.0f}", flush=True)
        if window.isVisible() and window.is_filled():
            elapsed = (time.perf_counter() - started) * 1000
            print(f"startup_ms={elapsed:.0f}", flush=True)
            result["code"] = 0
            app.quit()
        elif time.perf_counter() > deadline:
            print("smoke: the main window was not filled within 60 s", file=sys.stderr)
            app.quit()
        else:
            QTimer.singleShot(10, check)

    QTimer.singleShot(0, check)
    app.exec()
    if print_check and result["code"] == 0:
        from views.printing import render_check

        problem = render_check()
        if problem:
            print(f"print_check: {problem}", file=sys.stderr)
            result["code"] = 1
        else:
            print("print_check=ok", flush=True)
    window.close()
    ctx.close()
    return result["code"]
