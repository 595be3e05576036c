"""The office itself (本单位): its name, level, division code and the unit it reports to.

Kept as settings (models.settings), which travel with the data: ``office.name`` is the 填报单位
every roster, certificate and summary prints.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .choices import OFFICE_LEVELS
from .db import database
from .entities import Region, User
from .errors import MAX_TITLE, ValidationFailed
from .i18n import Message, msg
from .settings import get_setting, set_settings

if TYPE_CHECKING:  # the import of regions loads when an area is adopted, not with the home page
    from .region_import import OfficialRegion, RegionImportResult

CODE_LENGTHS = {"county": 6, "township": 9, "city": 6}


@dataclass
class OfficeData:
    name: str = ""  # 填报单位, e.g. 青禾县妇女联合会
    level: str = ""  # OFFICE_LEVELS, or "" when not yet said
    code: str = ""  # the division code of its area: 6 digits (county, city) or 9 (township)
    parent_unit: str = ""  # 上级单位, e.g. 青禾市妇女联合会


def office() -> OfficeData:
    return OfficeData(name=get_setting("office.name"), level=get_setting("office.level"),
                      code=get_setting("office.code"), parent_unit=get_setting("office.parent_unit"))


def _tidy(text: str) -> str:
    return " ".join(text.split())


def check_office_code(code: str, level: str) -> Message | None:
    """What is wrong with ``code`` as the code of an office of ``level`` (None: nothing)."""
    length = CODE_LENGTHS.get(level)
    if length is not None and not re.fullmatch(rf"\d{{{length}}}", code):
        return msg("{level}的区划代码应为 {n} 位数字", level=OFFICE_LEVELS.label(level), n=length)
    if level == "city" and (not code.endswith("00") or code.endswith("0000")):
        return msg("市级的区划代码是 6 位数字，以 00 结尾（如 321000），不以 0000 结尾")
    if level == "county" and code.endswith("00"):
        return msg("以 00 结尾的是市级的区划代码；县级的区划代码如 321023")
    if length is None and not re.fullmatch(r"\d{6}|\d{9}", code):
        return msg("区划代码应为 6 位（县级）或 9 位（乡镇级）数字")
    return None


def save_office(data: OfficeData, user: User | None) -> OfficeData:
    """Check and keep what was filled in; a field left empty is saved empty (still to do)."""
    values = OfficeData(name=_tidy(data.name), level=data.level or "",
                        code=re.sub(r"\s", "", data.code), parent_unit=_tidy(data.parent_unit))
    errors: dict[str, Message] = {}
    for key, text in (("name", values.name), ("parent_unit", values.parent_unit)):
        if len(text) > MAX_TITLE:
            errors[key] = msg("名称过长（最多 {n} 字）", n=MAX_TITLE)
    if values.level and values.level not in OFFICE_LEVELS:
        errors["level"] = msg("请选择级别")
    if values.code and (problem := check_office_code(values.code, values.level)) is not None:
        errors["code"] = problem
    if errors:
        raise ValidationFailed(errors)
    with database.atomic():
        set_settings({"office.name": values.name, "office.level": values.level,
                      "office.code": values.code, "office.parent_unit": values.parent_unit}, user)
        if values.name and values.level and values.code:
            from .units import ensure_key

            ensure_key()  # the unit can sign its report packages from now on
    return values


def adopt_area(rows: Sequence[OfficialRegion], code: str, level: str,
               user: User | None, area_name: str = "") -> RegionImportResult:
    """The office's area from the official table: its regions (``rows``, each county before its
    townships), and its code, level and area name as settings (a county's or township's county;
    a city's own name, ``area_name``, over its counties); all of it or (after a failure) none."""
    if level not in CODE_LENGTHS or len(code) != CODE_LENGTHS[level]:
        raise ValueError(f"{code!r} is not the code of an office of level {level!r}")
    from .region_import import import_official_regions

    county = next(row for row in rows if row.level == "county")
    with database.atomic():
        result = import_official_regions(rows, user)
        set_settings({"office.code": code, "office.level": level,
                      "office.county": area_name if level == "city" else county.name}, user)
    return result


def office_township() -> int | None:
    """The township of a township's federation (本单位 with its 9-digit division code, as the
    setup guide records it), when that township is among the regions; else None: the county."""
    if get_setting("office.level") != "township" or not get_setting("office.code"):
        return None
    return (Region.select(Region.id)
            .where((Region.level == "township") & (Region.code == get_setting("office.code")))
            .scalar())
