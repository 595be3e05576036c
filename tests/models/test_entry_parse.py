"""Dates, times and amounts as office staff type them; what cannot be read is refused, never guessed."""

import datetime as dt
from decimal import Decimal

import pytest

from models.entry_parse import parse_amount, parse_date, parse_time
from models.validators import InvalidValue


@pytest.mark.parametrize("text", [
    "2025-01-05", "2025-1-5", "2025/1/5", "2025.1.5", "20250105", "2025年1月5日", "2025年1月5",
    " ２０２５－１－５ ", "2025 年 1 月 5 日",
])
def test_dates_in_every_usual_form(text):
    assert parse_date(text) == dt.date(2025, 1, 5)


def test_blank_date_is_none():
    assert parse_date("") is None and parse_date("   ") is None


@pytest.mark.parametrize(("text", "problem"), [
    ("2025", "不是完整的日期"),
    ("2025-05", "不是完整的日期"),
    ("2025年1月", "不是完整的日期"),
    ("25-1-5", "四位年份"),
    ("2025-02-30", "没有 2025 年 2 月 30 日这一天"),
    ("20251332", "没有 2025 年 13 月 32 日这一天"),
    ("明天", "不是完整的日期"),
    ("2027-05-01x", "不是完整的日期"),
])
def test_unreadable_dates_say_why(text, problem):
    with pytest.raises(InvalidValue) as caught:
        parse_date(text)
    assert problem in str(caught.value.message)


@pytest.mark.parametrize(("text", "value"), [
    ("10:00", dt.time(10)), ("10：00", dt.time(10)), ("9:5", dt.time(9, 5)), ("1000", dt.time(10)),
    ("930", dt.time(9, 30)), ("10点", dt.time(10)), ("10点半", dt.time(10, 30)),
    ("10点30分", dt.time(10, 30)), ("10时15分", dt.time(10, 15)), ("下午3点", dt.time(15)),
    ("上午9点", dt.time(9)), ("晚上8点半", dt.time(20, 30)), ("10", dt.time(10)), ("", None),
])
def test_times_in_every_usual_form(text, value):
    assert parse_time(text) == value


@pytest.mark.parametrize(("text", "problem"), [
    ("25:00", "没有 25 点 0 分"), ("10:75", "没有 10 点 75 分"), ("十点", "不是时间"),
    ("10点钟半", "不是时间"),
])
def test_unreadable_times_say_why(text, problem):
    with pytest.raises(InvalidValue) as caught:
        parse_time(text)
    assert problem in str(caught.value.message)


@pytest.mark.parametrize(("text", "value"), [
    ("12万", Decimal("120000.00")), ("1.2万元", Decimal("12000.00")), ("￥35,600.50", Decimal("35600.50")),
    ("¥35600.5元", Decimal("35600.50")), ("人民币5000元", Decimal("5000.00")), ("0.35万", Decimal("3500.00")),
    ("1.23456万", Decimal("12345.60")), ("", None),
])
def test_amounts_in_every_usual_form(text, value):
    assert parse_amount(text) == value


@pytest.mark.parametrize(("text", "problem"), [
    ("1.2345678万", "两位小数"), ("12.345", "两位小数"), ("三万", "金额数字"), ("-1万", "负数"),
    ("1e3", "金额数字"), ("1" * 40, "过大"),
])
def test_unreadable_amounts_say_why(text, problem):
    with pytest.raises(InvalidValue) as caught:
        parse_amount(text)
    assert problem in str(caught.value.message)
