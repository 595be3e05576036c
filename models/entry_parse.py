"""Reading dates, times and amounts the way office staff type them.

Every form's date, time and amount field reads its text through these functions, so
"2025/1/5", "20250105" and "2025年1月5日" mean the same day everywhere, and text that cannot
be read is refused with a Chinese message instead of being changed into something else.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from .i18n import msg
from .validators import InvalidValue, to_halfwidth

DATE_EXAMPLE = "2025-01-05"

# Pattern text, compiled (and cached by re) on first use: nothing to compile at start-up.
_DATE_PARTS = r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$"
_DATE_DIGITS = r"^(\d{4})(\d{2})(\d{2})$"
_TIME_COLON = r"^(\d{1,2})\s*[:：.]\s*(\d{1,2})$"
_TIME_DIGITS = r"^(\d{1,2})(\d{2})$"
_TIME_HOUR = r"^(\d{1,2})\s*(?:点|时)?\s*(半|(\d{1,2})\s*分?)?$"
_AFTERNOON = ("下午", "晚上", "傍晚", "中午")
_MORNING = ("上午", "早上", "凌晨", "早晨")
_MONEY_MARKS = (",", "，", "¥", "￥", "RMB", "rmb", "人民币")


def _tidy(text: str) -> str:
    return to_halfwidth(text).strip()


def parse_date(text: str) -> dt.date | None:
    """2025-1-5, 2025/1/5, 2025.1.5, 20250105 and 2025年1月5日; blank is None."""
    cleaned = _tidy(text)
    if not cleaned:
        return None
    match = re.match(_DATE_PARTS, cleaned) or re.match(_DATE_DIGITS, cleaned)
    if match is None:
        if re.fullmatch(r"\d{1,2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?", cleaned):
            raise InvalidValue(msg("请写四位年份，如 {example}", example=DATE_EXAMPLE))
        raise InvalidValue(msg("“{typed}”不是完整的日期，请写年、月、日，如 {example}",
                               typed=text.strip(), example=DATE_EXAMPLE))
    year, month, day = (int(part) for part in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise InvalidValue(msg("没有 {year} 年 {month} 月 {day} 日这一天",
                               year=year, month=month, day=day)) from None


def parse_time(text: str) -> dt.time | None:
    """10:00, 10：00, 1000, 930, 10点, 10点半, 10点30分, 下午3点; blank is None."""
    cleaned = re.sub(r"\s+", "", _tidy(text))
    if not cleaned:
        return None
    afternoon = cleaned.startswith(_AFTERNOON)
    if afternoon or cleaned.startswith(_MORNING):
        cleaned = cleaned[2:]
    hour = minute = None
    if match := re.match(_TIME_COLON, cleaned) or re.match(_TIME_DIGITS, cleaned):
        hour, minute = int(match.group(1)), int(match.group(2))
    elif match := re.match(_TIME_HOUR, cleaned):
        hour = int(match.group(1))
        minute = 30 if match.group(2) == "半" else int(match.group(3) or 0)
    if hour is None:
        raise InvalidValue(msg("“{typed}”不是时间，请写如 10:00、1000 或 10点", typed=text.strip()))
    if afternoon and hour < 12:
        hour += 12
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise InvalidValue(msg("没有 {hour} 点 {minute} 分这个时间", hour=hour, minute=minute))
    return dt.time(hour, minute)


def parse_amount(text: str) -> Decimal | None:
    """Yuan as typed: 35,600.50, ￥35,600.50, 35600元, 12万, 1.2万元, full-width digits; blank is
    None. Never rounded: more than two decimals (after 万) is refused."""
    cleaned = "".join(_tidy(text).split())
    for mark in _MONEY_MARKS:
        cleaned = cleaned.replace(mark, "")
    cleaned = cleaned.removesuffix("元")
    if not cleaned:
        return None
    scale = 1
    if cleaned.endswith("万"):
        cleaned, scale = cleaned[:-1], 10_000
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise InvalidValue(msg("请输入金额数字，如 35,600.50 或 12万")) from None
    if not value.is_finite() or "e" in cleaned.lower():
        raise InvalidValue(msg("请输入金额数字，如 35,600.50 或 12万"))
    value *= scale
    if value < 0:
        raise InvalidValue(msg("金额不能为负数"))
    try:
        cents = value.quantize(Decimal("0.01"))
    except InvalidOperation:
        raise InvalidValue(msg("金额过大，请核对")) from None
    if value != cents:
        raise InvalidValue(msg("金额最多保留两位小数（元、角、分）"))
    return cents


def format_amount(value: Decimal | None) -> str:
    return "" if value is None else f"{Decimal(value):,.2f}"
