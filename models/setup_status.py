"""What the office has not set up yet: the program's own to-do list for a new database.

The setup guide (本单位设置向导) lets every step be skipped; ``missing_setup()`` says what is
therefore still missing, for whatever shows it (the guide's last page, a home page). Each item
names its part (``key``, stable for code to test), a title, the things missing in it, and where
to fill them in. An empty list: the office is fully set up.

Reads only (a handful of small queries); no Qt.
"""

from __future__ import annotations

from dataclasses import dataclass

from .crypto import has_recovery_key
from .entities import AuditEntry, KeyWrap, Organization, Person, Region, ServiceArea
from .i18n import Message, msg, tr_noop
from .office import office
from .settings import get_setting

# The guide's steps, in its order (also the order of missing_setup()).
OFFICE = "office"  # 本单位: name, level, code, 上级单位
AREA = "area"  # its county, townships (and villages) as regions
REPORT = "report"  # the report header and footer
SERVICE_AREAS = "service_areas"  # the service areas offered, confirmed once
RECORDS = "records"  # nothing registered yet: import the old sheets or type them in
RECOVERY = "recovery"  # passwords protect the data but no recovery key (恢复密钥) exists

# Header and footer fields a summary needs (表号 is optional: not every table has one).
REPORT_FIELDS: tuple[tuple[str, str], ...] = (
    ("report.issuer", tr_noop("制表机关")),
    ("report.unit_head", tr_noop("单位负责人")),
    ("report.stats_head", tr_noop("统计负责人")),
    ("report.preparer", tr_noop("填表人")),
    ("report.phone", tr_noop("联系电话")),
)

GUIDE = "本单位设置向导"


@dataclass(frozen=True)
class MissingSetup:
    key: str  # OFFICE, AREA, REPORT, SERVICE_AREAS or RECORDS
    title: Message  # the part, e.g. 本单位
    missing: tuple[Message, ...]  # each thing not there yet, e.g. 区划代码
    where: Message  # where to fill it in

    def summary(self) -> str:
        """One line (untranslated): ``本单位：区划代码、上级单位``."""
        return f"{self.title}：{'、'.join(str(m) for m in self.missing)}"


def _office_missing() -> MissingSetup | None:
    data = office()
    missing = [msg(label) for value, label in (
        (data.name, tr_noop("单位名称（填报单位）")), (data.level, tr_noop("级别")),
        (data.code, tr_noop("区划代码")), (data.parent_unit, tr_noop("上级单位")),
    ) if not value]
    if not missing:
        return None
    return MissingSetup(OFFICE, msg("本单位"), tuple(missing),
                        msg("设置 页的“本单位”，或{guide}第 1 步", guide=GUIDE))


def _area_missing() -> MissingSetup | None:
    missing = []
    if not Region.select().where(Region.level == "county").exists():
        missing.append(msg("县（区）"))
    if not Region.select().where(Region.level == "township").exists():
        missing.append(msg("镇（街道）"))
    code = get_setting("office.code")
    if code and not missing and not Region.select().where(Region.code == code).exists():
        missing.append(msg("本单位辖区（区划代码 {code}）", code=code))
    if not missing:
        return None
    return MissingSetup(AREA, msg("行政区划"), tuple(missing),
                        msg("{guide}第 2 步，或 行政区划 页的“从区划代码表导入”", guide=GUIDE))


def _report_missing() -> MissingSetup | None:
    missing = [msg(label) for key, label in REPORT_FIELDS if not get_setting(key)]
    if not missing:
        return None
    return MissingSetup(REPORT, msg("报表表头表尾"), tuple(missing),
                        msg("设置 页的“统计报表表头表尾”，或{guide}第 3 步", guide=GUIDE))


def _service_areas_missing() -> MissingSetup | None:
    active = ServiceArea.select().where(ServiceArea.active).count()
    if active == 0:
        missing = msg("没有启用的服务领域")
    elif get_setting("setup.service_areas") or AuditEntry.select().where(
            AuditEntry.entity == "service_area").exists():
        return None  # confirmed in the guide, or edited on the 服务领域 page
    else:
        missing = msg("尚未确认（现为默认的 {n} 个）", n=active)
    return MissingSetup(SERVICE_AREAS, msg("服务领域"), (missing,),
                        msg("服务领域 页，或{guide}第 4 步", guide=GUIDE))


def _records_missing() -> MissingSetup | None:
    if Organization.select().exists() or Person.select().exists():
        return None
    return MissingSetup(RECORDS, msg("台账"), (msg("还没有社会组织和人员"),),
                        msg("导入 页导入旧表，或在 社会组织、人员 页新建"))


def _recovery_missing() -> MissingSetup | None:
    """A database upgraded to encryption (schema 12), or whose administrator was made from the
    command line, has no recovery key: if every password is lost, its personal data is too."""
    if KeyWrap.select().where(KeyWrap.kind == "open").exists() or has_recovery_key():
        return None
    return MissingSetup(RECOVERY, msg("恢复密钥"),
                        (msg("尚未生成：所有密码都遗失时，加密的个人信息将无法打开"),),
                        msg("管理员在 用户 页点“生成恢复密钥”，打印后妥善保管"))


def missing_setup() -> list[MissingSetup]:
    """What is still to be set up, in the guide's order; [] when nothing is."""
    checks = (_office_missing, _area_missing, _report_missing, _service_areas_missing,
              _records_missing, _recovery_missing)
    return [item for check in checks if (item := check()) is not None]
