"""Cell values as real sheets hold them, made clean: text, dates, hours, yes/no.

Each ``parse_*`` returns the clean value (``None`` for a blank cell) or raises
``InvalidValue`` with a Chinese reason, like the validators in models/.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

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
_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
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


EARLIEST = dt.date(1900, 1, 1)


class MonthOnly(dt.date):
    """A date known to the month only (出生年月 ``1983.10``), held as the first of that month."""

    def same_month(self, other: dt.date | None) -> bool:
        return other is not None and (other.year, other.month) == (self.year, self.month)


def same_day(typed: dt.date | None, stored: dt.date | None) -> bool:
    """Does a typed date agree with a stored one (to the month, where only the month was typed)?"""
    if typed is None or stored is None:
        return False
    return typed.same_month(stored) if isinstance(typed, MonthOnly) else typed == stored
_YEAR_MONTH_NUMBER = re.compile(r"^(\d{4})\.(\d{1,2})$")  # 1983.1, 1990.12 as a number shows
_SERIAL_HINT = ("如果它原是 Excel 日期，请在表格程序中把这一列设为日期格式；"
                "否则请写成 2021-03-05 或 2021年3月5日")


@dataclass(frozen=True, slots=True)
class MonthDigits:
    """What a column of year.month numbers shows of how its months were typed.

    A spreadsheet program stores "1983.10" typed in a cell as the number 1983.1, the same
    number as "1983.1" (January). Only a column that writes months with two digits elsewhere
    (1985.03 stays 1985.03) says that its 1983.1 was 1983.10; otherwise it is ambiguous.
    """

    padded: bool = False  # some value has a month 01–09
    unpadded: bool = False  # some value has a one-digit month 2–9

    @property
    def tenth_month(self) -> bool:
        return self.padded and not self.unpadded

    @classmethod
    def of(cls, values: Iterable[Any], shown_text: bool = False) -> MonthDigits:
        """``shown_text``: text cells are what a program displayed (a CSV), not what was typed."""
        padded = unpadded = False
        for value in values:
            digits = _month_digits(value, shown_text)
            if digits is None:
                continue
            if len(digits) == 2 and digits[0] == "0":
                padded = True
            elif len(digits) == 1 and digits != "1":
                unpadded = True
        return cls(padded, unpadded)


def _month_digits(value: Any, shown_text: bool) -> str | None:
    """The month digits of a year.month number (or of such text shown by a program), else None."""
    if is_number(value):
        raw = repr(float(value)) if not isinstance(value, int) else str(value)
    elif shown_text and isinstance(value, str):
        raw = value.strip()
    else:
        return None
    m = _YEAR_MONTH_NUMBER.match(raw)
    return m.group(2) if m and 1800 <= int(m.group(1)) <= 2200 else None


def parse_date(value: Any, month_ok: bool = False, months: MonthDigits | None = None,
               shown_text: bool = False) -> dt.date | None:
    """``2021.3.5``, ``2021年3月5日``, ``2021/3/5``, ``2021-03-05``, ``20210305`` and date cells.

    ``month_ok`` also takes ``2021.3`` / ``2021年3月`` (出生年月) as the first of that month. A
    number is never taken for an Excel date serial (a date cell arrives as a date; a number is
    what was typed): ``1983.12`` is a year and month, ``19831205`` a date; ``1983.1`` is January
    or October (1983.10 loses its 0 in a number cell), decided by ``months``, the column's
    evidence, or refused as ambiguous. ``shown_text``: text is as a program displayed it (a CSV
    saved by Excel shows 1983.10 as 1983.1), so it is read as a number would be. Dates before
    1900 are refused.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return _plausible(value.date(), text(value))
    if isinstance(value, dt.date):
        return _plausible(value, value.isoformat())
    raw = text(value)
    if not raw:
        return None
    digits = _month_digits(value, shown_text)
    if digits is not None:
        return _year_month(raw, int(raw[:4]), digits, month_ok, months)
    if is_number(value):
        if isinstance(value, float) and not value.is_integer():
            raise InvalidValue(msg("“{value}”是一个数字，不是日期。{hint}", value=raw, hint=_SERIAL_HINT))
        raw = str(int(value))
    forms = [(f, True) for f in _DATE_FORMS] + ([(f, False) for f in _MONTH_FORMS] if month_ok else [])
    for form, has_day in forms:
        m = form.match(raw)
        if m:
            year, month = int(m.group(1)), int(m.group(2))
            day = int(m.group(3)) if has_day else 1
            try:
                found = dt.date(year, month, day) if has_day else MonthOnly(year, month, 1)
            except ValueError:
                raise InvalidValue(msg("日期 {value} 不存在", value=raw)) from None
            return _plausible(found, raw)
    if re.fullmatch(r"\d{4}", raw):
        raise InvalidValue(msg("“{value}”只有年份，请写出年月日，如 {value}-03-05", value=raw))
    if re.fullmatch(r"\d{5}(\.\d+)?", raw):
        raise InvalidValue(msg("“{value}”是一个数字，不是日期。{hint}", value=raw, hint=_SERIAL_HINT))
    raise InvalidValue(msg("日期“{value}”无法识别，请写成 2021-03-05 或 2021年3月5日", value=raw))


def _year_month(raw: str, year: int, digits: str, month_ok: bool, months: MonthDigits | None) -> dt.date:
    if digits == "1":
        if months is None or not months.tenth_month:
            raise InvalidValue(msg(
                "“{value}”不能确定是 {year}年1月 还是 {year}年10月"
                "（表格程序会把输入的 {year}.10 存成 {year}.1）："
                "请把这一列设为“文本”格式，写成 {year}.01 或 {year}.10 后再导入", value=raw, year=year),
                "date_ambiguous")
        digits = "10"
    month = int(digits)
    if not 1 <= month <= 12:
        raise InvalidValue(msg("日期 {value} 不存在", value=raw))
    if not month_ok:
        raise InvalidValue(msg("“{value}”只有年和月，请写出完整的日期，如 {year}-{month:02d}-05",
                               value=raw, year=year, month=month))
    return _plausible(MonthOnly(year, month, 1), raw)


def _plausible(day: dt.date, shown: str) -> dt.date:
    if day < EARLIEST:
        raise InvalidValue(msg("日期 {value} 早于 1900 年，不合理：请核对", value=shown), "date_implausible")
    return day


def parse_hours(value: Any) -> Decimal | None:
    """Service hours: a number, or text like ``57.0小时``; never negative."""
    if value is None:
        return None
    raw = value if is_number(value) else _HOURS_UNIT.sub("", text(value))
    if raw == "":
        return None
    if isinstance(raw, str) and _THOUSANDS.match(raw):  # a CSV shows 1234.5 as "1,234.5"
        raw = raw.replace(",", "")
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


_NAME_SEPARATORS = re.compile(r"[、，,；;／/\r\n]+")


def split_names(value: Any) -> list[str]:
    """Names in one cell as people write several: ``A、B、C`` (the volunteers roster), or with
    ，,；;／/ or line breaks between them; each tidied as ``text``, repeats dropped. Spaces are
    not separators: an organization's name may have one."""
    if not isinstance(value, str):
        single = text(value)
        return [single] if single else []
    names: list[str] = []
    for part in _NAME_SEPARATORS.split(value):
        name = text(part)
        if name and name not in names:
            names.append(name)
    return names


def split_list(value: Any) -> list[str]:
    """``青少年服务、家庭教育`` (or with ，,;；/ and spaces) as its parts."""
    return [p for p in re.split(r"[、,，;；/\s]+", text(value)) if p]
