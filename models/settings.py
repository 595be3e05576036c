"""Office settings kept in the database (they travel with the data and its backups)."""

from __future__ import annotations

from . import audit
from .db import database
from .entities import Setting, User
from .i18n import tr_noop

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
    # When the lower units' packages are due, by period type (an upper unit's 报送情况 marks them
    # 逾期 after that); empty: report.due_days (models.exchange.due_date).
    "report.due_days.year": "",
    "report.due_days.quarter": "",
    "report.due_days.month": "",
    "certificate.prefix": "",  # 志愿服务记录证明 number prefix (e.g. the office's short name)
    "security.idle_minutes": "15",  # lock the window after this many minutes without input
    "setup.service_areas": "",  # the day the office confirmed its service areas (setup guide)
}

# What the 设置 page calls each setting: the audit trail names them so.
SETTING_LABELS: dict[str, str] = {
    "office.name": tr_noop("填报单位（本单位名称）"),
    "office.county": tr_noop("所在县（区）"),
    "office.level": tr_noop("本单位级别"),
    "office.code": tr_noop("区划代码"),
    "office.parent_unit": tr_noop("上级单位"),
    "privacy.print_full_id": tr_noop("花名册和证明上打印完整身份证号"),
    "report.table_no": tr_noop("报表表号"),
    "report.issuer": tr_noop("制表机关"),
    "report.unit_head": tr_noop("单位负责人"),
    "report.stats_head": tr_noop("统计负责人"),
    "report.preparer": tr_noop("填表人"),
    "report.phone": tr_noop("报表联系电话"),
    "report.cycle": tr_noop("报送周期"),
    "report.due_days": tr_noop("报送期限（报告期结束后天数）"),
    "report.due_days.year": tr_noop("下级单位年报期限（报告期结束后天数）"),
    "report.due_days.quarter": tr_noop("下级单位季报期限（报告期结束后天数）"),
    "report.due_days.month": tr_noop("下级单位月报期限（报告期结束后天数）"),
    "certificate.prefix": tr_noop("证明编号前缀"),
    "security.idle_minutes": tr_noop("无操作自动锁定（分钟）"),
    "setup.service_areas": tr_noop("确认服务领域的日期"),
}
MAPPING_PREFIX = "import.mapping."  # + kind + "." + digest of the sheet's header (desktop.importing)
MAPPING_LABELS: dict[str, str] = {
    "people": tr_noop("导入人员时的列对应"),
    "orgs": tr_noop("导入社会组织时的列对应"),
}


DEDUPE_PREFIX = "dedupe."  # the rules of finding duplicates (models.duplicates)


def setting_label(key: str) -> str:
    """The Chinese name of a setting (untranslated; the UI passes it through tr_label)."""
    if key in SETTING_LABELS:
        return SETTING_LABELS[key]
    if key.startswith(DEDUPE_PREFIX):
        return tr_noop("查重规则")
    if key.startswith(MAPPING_PREFIX):
        kind = key[len(MAPPING_PREFIX):].split(".", 1)[0]
        return MAPPING_LABELS.get(kind, tr_noop("导入时的列对应"))
    return key


def get_setting(key: str) -> str:
    row = Setting.get_or_none(Setting.key == key)
    return row.value if row else DEFAULTS.get(key, "")


def set_setting(key: str, value: str, user: User | None) -> None:
    set_settings({key: value}, user)


def set_settings(values: dict[str, str], user: User | None) -> None:
    """Several settings saved together: all of them or (after a failure) none, with one audit
    line naming every setting that changed (old → new); a value equal to the one in force
    (also a default never stored) is no change."""
    changes: dict[str, list[str]] = {}
    first: Setting | None = None
    with database.atomic():
        for key, value in values.items():
            row = Setting.get_or_none(Setting.key == key)
            old = row.value if row is not None else DEFAULTS.get(key, "")
            if old == value:
                continue
            probe = row or Setting(key=key, value=value)
            audit.guard(user, "update", "setting", probe)  # the key decides who may change it
            if row is None:
                Setting.create(key=key, value=value)
            else:
                Setting.update(value=value).where(Setting.key == key).execute()
            changes[key] = [old, value]
            first = first or probe
        if changes:
            summary = "、".join(setting_label(key) for key in changes)
            audit.record(user, "update", first, changes, summary, entity="setting")
