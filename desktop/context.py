"""The one application context handed to every window and service."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from peewee import SqliteDatabase

from models.entities import User

from . import paths
from .database import open_database


@dataclass
class AppContext:
    db: SqliteDatabase
    db_path: Path
    data_dir: Path
    log_path: Path
    ui_settings_path: Path
    user: User

    def close(self) -> None:
        if not self.db.is_closed():
            self.db.close()


def current_operator() -> User:
    """The office PC's operator. Until logins exist this is the built-in administrator."""
    return User.get(User.username == "admin")


def build_context(db_path: Path | None = None) -> AppContext:
    path = Path(db_path) if db_path else paths.default_db_path()
    db = open_database(path)
    return AppContext(
        db=db,
        db_path=Path(db.database),
        data_dir=paths.data_dir(),
        log_path=paths.log_path(),
        ui_settings_path=paths.ui_settings_path(),
        user=current_operator(),
    )
