"""Office settings kept in the database (they travel with the data and its backups)."""

from __future__ import annotations

from . import audit
from .db import database
from .entities import Setting, User

DEFAULTS: dict[str, str] = {
    "office.name": "",  # 填报单位: the office's own name
    "office.county": "",  # the county's name (rosters of "the whole county")
    "office.level": "",  # OFFICE_LEVELS: a county's or a township's federation
    "office.code": "",  # the official division code of the office's area (6 or 9 digits)
    "office.parent_unit": "",  # 上级单位: the federation it reports to
    "office.parent_code": "",  # the division code of 上级单位 (models/units.py: report packages)
    "privacy.print_full_id": "0",
    # The official header and footer of upward reports (DOMAIN.md "Upward reports").
    "report.table_no": "",  # 表号
    "report.issuer": "",  # 制表机关 (usually the city federation)
    "report.unit_head": "",  # 单位负责人
    "report.stats_head": "",  # 统计负责人
    "report.preparer": "",  # 填表人
    "report.phone": "",  # 联系电话
    "report.cycle": "quarter",  # how often the office reports upward: year | quarter | month
    "report.due_days": "10",  # the report is due this many days after its period ends
    "certificate.prefix": "",  # 志愿服务记录证明 number prefix (e.g. the office's short name)
    "security.idle_minutes": "15",  # lock the window after this many minutes without input
    "setup.service_areas": "",  # the day the office confirmed its service areas (setup guide)
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


def set_settings(values: dict[str, str], user: User | None) -> None:
    """Several settings saved together: all of them or (after a failure) none."""
    with database.atomic():
        for key, value in values.items():
            set_setting(key, value, user)
