"""Logging to a file in the data folder; programming errors are logged with a traceback."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

log = logging.getLogger("jinguo")

ExceptionHook = Callable[[type[BaseException], BaseException, TracebackType | None], None]


def setup_logging(path: Path, level: int = logging.INFO) -> None:
    handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s")
    )
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_jinguo", False)]:
        root.removeHandler(old)
        old.close()
    handler._jinguo = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)


def install_crash_hook(on_crash: Callable[[str], None] | None = None) -> None:
    """Log every uncaught exception (main and worker threads), then call ``on_crash``.

    ``on_crash`` receives the formatted error; the window shows "内部错误" with the
    log's path, the CLI prints it. Ctrl+C is left to Python.
    """

    def hook(exc_type, exc, tb) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        log.critical("uncaught exception", exc_info=(exc_type, exc, tb))
        if on_crash is not None:
            on_crash(f"{exc_type.__name__}: {exc}")

    sys.excepthook = hook
    threading.excepthook = lambda args: hook(args.exc_type, args.exc_value, args.exc_traceback)
