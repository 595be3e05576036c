"""Everything the home page (工作台) shows, gathered in one call without a window: the year's
figures and the reminders from the database, the newest backup from the backups folder, the
last import and what the office has not set up yet. The page runs it in a worker thread; the
benchmark and tests call it as is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from models.home import HomeFigures, home_figures
from models.reminders import LastImport, Reminders, last_import, reminders
from models.setup_status import MissingSetup, missing_setup

from .backup import BackupFile, backups_folder, list_backups

BACKUP_WARN_DAYS = 7


@dataclass(frozen=True)
class BackupStatus:
    on_server: bool  # a server's database is backed up by the server's own tools, not here
    newest: BackupFile | None
    age_days: int | None  # whole days since the newest backup

    @property
    def overdue(self) -> bool:
        """No backup of the file, or none in the last ``BACKUP_WARN_DAYS`` days."""
        return not self.on_server and (self.age_days is None or self.age_days > BACKUP_WARN_DAYS)


@dataclass(frozen=True)
class HomeData:
    figures: HomeFigures
    reminders: Reminders
    backup: BackupStatus
    last_import: LastImport | None
    setup: list[MissingSetup]  # what the office has not set up yet (the setup guide's list)
    loaded_at: dt.datetime


def backup_status(db_path: Path | None, now: dt.datetime, folder: Path | None = None) -> BackupStatus:
    if db_path is None:
        return BackupStatus(True, None, None)
    backups = list_backups(folder or backups_folder(), db_path)
    if not backups:
        return BackupStatus(False, None, None)
    newest = backups[-1]
    return BackupStatus(False, newest, (now.date() - newest.made_at.date()).days)


def load_home(db_path: Path | None, township_id: int | None = None,
              now: dt.datetime | None = None) -> HomeData:
    """The home page of the county (``township_id`` None) or one township; ``db_path`` is the
    database file (None on a server), whose backups are looked for."""
    now = now or dt.datetime.now()
    return HomeData(
        figures=home_figures(township_id, now.date()),
        reminders=reminders(township_id, now),
        backup=backup_status(db_path, now),
        last_import=last_import(),
        setup=missing_setup(),
        loaded_at=now,
    )
