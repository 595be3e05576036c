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


DB_VARIABLE = "JINGUO_DB"
SERVER_SCHEMES = ("postgresql://", "postgres://")


def is_server_url(target: object) -> bool:
    """Whether ``target`` names a PostgreSQL server database (``postgresql://user@host:5432/db``)."""
    return isinstance(target, str) and target.strip().lower().startswith(SERVER_SCHEMES)


def database_argument(text: str) -> Path | str:
    """``--db``: a file path, or a PostgreSQL URL kept as it is (a Path would fold its ``//``)."""
    text = text.strip()
    return text if is_server_url(text) else Path(text)


def default_database() -> Path | str:
    """The database without ``--db``: ``JINGUO_DB`` (a file or a server URL), else the file in
    the user's data folder."""
    chosen = os.environ.get(DB_VARIABLE, "").strip()
    return database_argument(chosen) if chosen else default_db_path()


def default_db_path() -> Path:
    return data_dir() / DB_FILENAME


def log_path() -> Path:
    """Where the log goes; logging_setup creates the folder (and copes if it cannot)."""
    return data_dir() / "logs" / "jinguo.log"


def ui_settings_path() -> Path:
    return data_dir() / "ui.ini"
