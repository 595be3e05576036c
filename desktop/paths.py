"""Where the program keeps its files: the user's data folder (platformdirs)."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path

APP_NAME = "JinguoHub"
DB_FILENAME = "jinguo.db"


def data_dir() -> Path:
    """The data folder; ``JINGUO_DATA_DIR`` overrides it (portable installs, tests)."""
    override = os.environ.get("JINGUO_DATA_DIR")
    path = Path(override) if override else user_data_path(APP_NAME, appauthor=False)
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_path() -> Path:
    return data_dir() / DB_FILENAME


def log_path() -> Path:
    """Where the log goes; logging_setup creates the folder (and copes if it cannot)."""
    return data_dir() / "logs" / "jinguo.log"


def ui_settings_path() -> Path:
    return data_dir() / "ui.ini"
