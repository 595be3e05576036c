"""Logging to a file in the data folder; programming errors are logged with a traceback.

Importing this module loads only ``logging``: the window's start sets the file up once its login
window shows (the rotating handler and the masking patterns load then); an error before that
sets it up first, so nothing goes unlogged."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from functools import cache
from pathlib import Path
from types import TracebackType

log = logging.getLogger("jinguo")

ExceptionHook = Callable[[type[BaseException], BaseException, TracebackType | None], None]


class MaskingFormatter(logging.Formatter):
    """Masks resident ID and mobile numbers in every line, tracebacks included: the log file is
    sent to technical support, and a typed ``--id-number`` or a message echoing it must not
    carry the whole number there."""

    def format(self, record: logging.LogRecord) -> str:
        from models.validators import mask_personal_numbers

        return mask_personal_numbers(super().format(record))


@cache
def log_file_class() -> type[logging.Handler]:
    from logging.handlers import RotatingFileHandler

    class LogFile(RotatingFileHandler):
        """The log file. When it cannot be written (a full disk, a read-only folder) the program
        goes on: one line in Chinese on stderr the first time, not logging's English traceback
        per line."""

        warned = False

        def handleError(self, record: logging.LogRecord) -> None:
            if not self.warned:
                self.warned = True
                _warn(f"注意：日志文件 {self.baseFilename} 无法写入（{sys.exc_info()[1]}），"
                      "程序照常运行，但这次运行的情况可能没有记入日志。")

    return LogFile


def _warn(text: str) -> None:
    try:
        print(text, file=sys.stderr)
    except (OSError, ValueError):  # no console to say it on
        pass


def setup_logging(path: Path, level: int = logging.INFO) -> None:
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_jinguo", False)]:
        root.removeHandler(old)
        old.close()
    handler: logging.Handler
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = log_file_class()(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    except OSError as e:
        _warn(f"注意：无法打开日志文件 {path}（{e.strerror or e}），程序照常运行，但这次运行不记日志。")
        handler = logging.NullHandler()  # and not Python's last-resort echo of warnings to stderr
    handler.setFormatter(
        MaskingFormatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s")
    )
    handler._jinguo = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)


def logging_is_set_up() -> bool:
    return any(getattr(h, "_jinguo", False) for h in logging.getLogger().handlers)


def install_crash_hook(on_crash: Callable[[str], None] | None = None) -> None:
    """Log every uncaught exception (main and worker threads), then call ``on_crash``.

    ``on_crash`` receives the formatted error; the window shows "内部错误" with the
    log's path, the CLI prints it. Ctrl+C is left to Python.
    """

    def hook(exc_type, exc, tb) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        if not logging_is_set_up():  # before the window's start set the file up
            from .paths import log_path

            setup_logging(log_path())
        log.critical("uncaught exception", exc_info=(exc_type, exc, tb))
        if on_crash is not None:
            on_crash(f"{exc_type.__name__}: {exc}")

    sys.excepthook = hook
    threading.excepthook = lambda args: hook(args.exc_type, args.exc_value, args.exc_traceback)
