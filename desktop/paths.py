"""Where the program keeps its files: the user's data folder (platformdirs)."""

from __future__ import annotations

import configparser
import logging
import os
from pathlib import Path

from platformdirs import user_data_path

log = logging.getLogger(__name__)

APP_NAME = "JinguoHub"
DB_FILENAME = "jinguo.db"
# The database server chosen in the window (连接数据库服务器), per user: the data folder is.
CHOICE_FILENAME = "database.ini"


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
    """The database without ``--db``: ``JINGUO_DB`` (a file or a server URL), else the server
    chosen in the window (``remembered_server``), else the file in the user's data folder."""
    chosen = os.environ.get(DB_VARIABLE, "").strip()
    if chosen:
        return database_argument(chosen)
    return remembered_server() or default_db_path()


def choice_path() -> Path:
    return data_dir() / CHOICE_FILENAME


def remembered_server() -> str | None:
    """The server database this user chose in the window, as a URL without its password (that is
    in the system's keyring, see server_passwords); None: the file in the data folder."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(choice_path(), encoding="utf-8")
    except (OSError, UnicodeError, configparser.Error):
        log.warning("%s cannot be read: the database file in the data folder is used",
                    choice_path(), exc_info=True)
        return None
    url = parser.get("database", "server", fallback="").strip()
    return url if is_server_url(url) else None


def remember_server(url: str | None) -> None:
    """Open ``url`` (a server database) at the next start, or with None the file in the data
    folder again. Written whole under a temporary name, then renamed."""
    from urllib.parse import urlsplit

    if url is not None and (not is_server_url(url) or urlsplit(url).password is not None
                            or "password" in urlsplit(url).query or "\n" in url or "\r" in url):
        raise ValueError("only a server URL without a password is remembered")
    target = choice_path()
    if url is None:
        target.unlink(missing_ok=True)
        return
    parser = configparser.ConfigParser(interpolation=None)
    parser["database"] = {"server": url}
    import tempfile

    fd, temp = tempfile.mkstemp(prefix=f".{CHOICE_FILENAME}.~{os.getpid()}-", suffix=".tmp",
                                dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write("# 巾帼枢纽：窗口中“连接数据库服务器”选定的数据库。密码不在这里，在系统的密码库中。\n")
            parser.write(f)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def default_db_path() -> Path:
    return data_dir() / DB_FILENAME


def log_path() -> Path:
    """Where the log goes; logging_setup creates the folder (and copes if it cannot)."""
    return data_dir() / "logs" / "jinguo.log"


def ui_settings_path() -> Path:
    return data_dir() / "ui.ini"
