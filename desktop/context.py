"""The one application context handed to every window and service."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from peewee import SqliteDatabase

from models.entities import User

from . import paths
from .backup import backups_folder
from .database import open_database
from .paths import is_server_url
from .temporaries import remove_stale_temporaries


@dataclass
class AppContext:
    db: SqliteDatabase  # or a desktop.database.ServerDatabase
    db_path: Path | None  # the SQLite file; None for a database on a server
    data_dir: Path
    log_path: Path
    ui_settings_path: Path
    user: User
    # The database the user switched to in the window (连接数据库服务器): once the window has
    # closed, the program opens that one instead of ending.
    reopen: Path | str | None = None
    # Asked when switching from the file to an empty server database: copy the file's data
    # there first (done once the window has closed, before the server's database opens).
    copy_to: str | None = None

    @property
    def on_server(self) -> bool:
        return self.db_path is None

    @property
    def location(self) -> str:
        """Where the data is, as shown to the user: the file, or the server URL without password."""
        return str(self.db_path) if self.db_path is not None else self.db.location

    def close(self) -> None:
        if not self.db.is_closed():
            self.db.close()


def default_operator() -> User:
    """The first active administrator: who a passwordless database (and a test) acts as."""
    user = User.select().where((User.role == "admin") & User.active).order_by(User.id).first()
    if user is None:
        raise LookupError("the database has no active administrator")
    return user


def remove_stale_copies(db_path: Path) -> None:
    """Hidden copies of the database (restores, demo fills, backups, pre-upgrade copies) that a
    killed process left beside it or in the backups folder hold personal data: remove them."""
    stem = f".{Path(db_path).stem}"
    remove_stale_temporaries(Path(db_path).parent, stem)
    remove_stale_temporaries(backups_folder(), stem)


def build_context(db_path: Path | str | None = None, user: User | str | None = None,
                  busy_timeout_ms: int | None = None, read_only_fallback: bool = False) -> AppContext:
    """Open the database (a file, or a ``postgresql://`` URL); ``user`` (a User or a username) is
    who acts, the first administrator by default. The window replaces it with whoever logs in; the
    CLI with desktop.auth.cli_user. ``busy_timeout_ms``, ``read_only_fallback``: see open_database."""
    db_path = db_path or paths.default_database()
    if is_server_url(db_path):
        db = open_database(str(db_path), busy_timeout_ms)
    else:
        path = Path(db_path)
        db = open_database(path, busy_timeout_ms, read_only_fallback)
        remove_stale_copies(path)
    if isinstance(user, str):
        operator = User.get(User.username == user)
    else:
        operator = user if user is not None else default_operator()
    return AppContext(
        db=db,
        db_path=db.file_path,
        data_dir=paths.data_dir(),
        log_path=paths.log_path(),
        ui_settings_path=paths.ui_settings_path(),
        user=operator,
    )
