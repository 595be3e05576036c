"""Cell values as real sheets hold them, made clean: text, dates, hours, yes/no.

Each ``parse_*`` returns the clean value (``None`` for a blank cell) or raises
``InvalidValue`` with a Chinese reason, like the validators in models/.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl.utils.datetime import from_excel

from models.i18n import Message, msg
from models.validators import InvalidValue, to_halfwidth

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"\s+")
_HAN = r"[\u3400-\u9fff\U00020000-\U0003134f·]"
_CJK_SPACES = re.compile(rf"(?<={_HAN})\s+(?={_HAN})")
_DATE_FORMS = (
    # an optional time, as Excel writes date cells into a CSV: 2021/3/5 0:00
    re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(\s+\d{1,2}:\d{2}(:\d{2})?)?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_MONTH_FORMS = (re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$"), re.compile(r"^(\d{4})(\d{2})$"))
_HOURS_UNIT = re.compile(r"\s*(小时|个小时|时|h|hr|hrs|hours?)$", re.IGNORECASE)
# An ID that Excel turned into a number and shows as 3.21002E+17 (or a CSV that saved it so).
SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")
MAX_HOURS = Decimal("99999.9")
YES = frozenset({"是", "有", "Y", "YES", "TRUE", "√", "✓", "1", "是的"})
NO = frozenset({"否", "无", "不是", "N", "NO", "FALSE", "×", "0", ""})


# What Excel shows in a cell whose formula failed; a CSV saved by Excel holds them as text.
EXCEL_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
                          "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"})


@dataclass(frozen=True, slots=True)
class BadCell:
    """A cell that holds no value to import: an Excel error value (#REF! …), or a formula saved without
    its result (by a program other than Excel or WPS). The row is rejected naming its column; as
    text it is what the sheet shows, so the rejected-rows workbook keeps it."""

    shown: str
    formula: bool = False

    def __str__(self) -> str:
        return self.shown

    @property
    def code(self) -> str:
        return "formula_not_calculated" if self.formula else "excel_error"

    def reason(self) -> Message:
        if self.formula:
            shown = self.shown if len(self.shown) <= 40 else self.shown[:40] + "…"
            return msg("单元格是公式（{formula}），但文件保存时没有保存计算结果，读不到它的值："
                       "请用 Excel 或 WPS 打开这个文件、保存一次后再导入", formula=shown)
        return msg("单元格是 Excel 错误值 {value}（公式出错或引用的内容已不存在），不能作为数据导入："
                   "请改正后再导入", value=self.shown[:20])


def is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def text(value: Any) -> str:
    """Any cell as one line of text: trimmed, inner whitespace collapsed, full-width ASCII halved."""
    if value is None:
        return ""
    if isinstance(value, str):  # the common case, kept cheap: 50 000 rows × 10 cells
        raw = value if value.isprintable() else _ILLEGAL.sub("", value)
        if not raw.isascii():
            raw = to_halfwidth(raw)
        return " ".join(raw.split())
    if isinstance(value, float) and abs(value) >= 1e15:
        raw = f"{value:.15G}"  # as Excel shows a long number it has rounded: 3.21002196602187E+17
    elif isinstance(value, float) and value.is_integer():
        raw = str(int(value))
    elif isinstance(value, dt.datetime):
        raw = value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    else:
        raw = str(value)
    return _SPACES.sub(" ", to_halfwidth(_ILLEGAL.sub("", raw))).strip()


def name_text(value: Any) -> str:
    """A name: as ``text``, but ``张  三`` (padded for alignment in rosters) becomes ``张三``."""
    return _CJK_SPACES.sub("", text(value))


def parse_date(value: Any, month_ok: bool = False) -> dt.date | None:
    """``2021.3.5``, ``2021年3月5日``, ``2021/3/5``, ``2021-03-05``, Excel serials and date cells.

    ``month_ok`` also takes ``2021.3`` / ``2021年3月`` (出生年月) as the first of that month.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if is_number(value):
        if 1 <= value < 2958466:  # Excel's serial range (1900-01-01 .. 9999-12-31)
            return from_excel(value).date()
        raise InvalidValue(msg("日期 {value} 无法识别", value=value))
    raw = text(value)
    if not raw:
        return None
    forms = [(f, True) for f in _DATE_FORMS] + ([(f, False) for f in _MONTH_FORMS] if month_ok else [])
    for form, has_day in forms:
        m = form.match(raw)
        if m:
            year, month = int(m.group(1)), int(m.group(2))
            day = int(m.group(3)) if has_day else 1
            try:
                return dt.date(year, month, day)
            except ValueError:
                raise InvalidValue(msg("日期 {value} 不存在", value=raw)) from None
    if re.fullmatch(r"\d+(\.\d+)?", raw) and 20000 < float(raw) < 80000:
        return from_excel(float(raw)).date()  # a serial that arrived as text (CSV)
    raise InvalidValue(msg("日期“{value}”无法识别，请写成 2021-03-05 或 2021年3月5日", value=raw))


def parse_hours(value: Any) -> Decimal | None:
    """Service hours: a number, or text like ``57.0小时``; never negative."""
    if value is None:
        return None
    raw = value if is_number(value) else _HOURS_UNIT.sub("", text(value))
    if raw == "":
        return None
    try:
        hours = Decimal(str(raw))
    except InvalidOperation:
        raise InvalidValue(msg("服务时长“{value}”不是数字", value=text(value))) from None
    if not hours.is_finite():
        raise InvalidValue(msg("服务时长“{value}”不是数字", value=text(value)))
    if hours < 0:
        raise InvalidValue(msg("服务时长不能为负数"))
    if hours > MAX_HOURS:
        raise InvalidValue(msg("服务时长 {value} 过大，请核对", value=text(value)))
    return hours.quantize(Decimal("0.1"))


def parse_yes_no(value: Any) -> bool | None:
    raw = text(value).upper()
    if raw in YES:
        return True
    if raw in NO:
        return False if raw else None
    raise InvalidValue(msg("“{value}”应填“是”或“否”", value=text(value)))


def split_list(value: Any) -> list[str]:
    """``青少年服务、家庭教育`` (or with ，,;；/ and spaces) as its parts."""
    return [p for p in re.split(r"[、,，;；/\s]+", text(value)) if p]
