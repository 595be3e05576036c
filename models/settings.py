"""Office settings kept in the database (they travel with the data and its backups)."""

from __future__ import annotations

from . import audit
from .db import database
from .entities import Setting, User

DEFAULTS: dict[str, str] = {
    "office.name": "",  # 填报单位
    "office.county": "",
    "privacy.print_full_id": "0",
}


def get_setting(key: str) -> str:
    row = Setting.get_or_none(Setting.key == key)
    return row.value if row else DEFAULTS.get(key, "")


def set_setting(key: str, value: str, user: User | None) -> None:
    with database.atomic():
        row = Setting.get_or_none(Setting.key == key)
        if row is None:
            audit.create(Setting, user, key=key, value=value)
        elif row.value != value:
            audit.update(row, user, value=value)
