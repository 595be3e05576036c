"""Programming errors are logged with a traceback and shown as "内部错误" with the log's path."""

import logging
import sys

from PySide6.QtWidgets import QMessageBox

from desktop import app as desktop_app
from desktop import paths
from desktop.logging_setup import install_crash_hook, setup_logging


def test_uncaught_error_is_logged_with_traceback_and_reported(tmp_path, monkeypatch):
    log_file = tmp_path / "app.log"
    setup_logging(log_file)
    seen = []
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    install_crash_hook(seen.append)
    try:
        raise ZeroDivisionError("division by zero in a slot")
    except ZeroDivisionError:
        sys.excepthook(*sys.exc_info())
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = log_file.read_text(encoding="utf-8")
    assert "Traceback" in text and "division by zero in a slot" in text
    assert seen == ["ZeroDivisionError: division by zero in a slot"]


def test_crash_dialog_names_the_log_file(qapp, monkeypatch):
    shown = {}

    def fake_exec(box):
        shown["title"] = box.windowTitle()
        shown["text"] = box.text()
        shown["detail"] = box.detailedText()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    desktop_app.show_internal_error("KeyError: 'x'")
    assert shown["title"] == "内部错误"
    assert str(paths.log_path()) in shown["text"]
    assert shown["detail"] == "KeyError: 'x'"
