import datetime as dt

import pytest

from models.errors import ValidationFailed
from models.periods import Period, parse_period


@pytest.mark.parametrize(
    ("text", "kind", "year", "number"),
    [
        ("2025", "year", 2025, 0),
        (" 2025 ", "year", 2025, 0),
        ("2025年", "year", 2025, 0),
        ("2025Q3", "quarter", 2025, 3),
        ("2025q1", "quarter", 2025, 1),
        ("2025年第3季度", "quarter", 2025, 3),
        ("2025-03", "month", 2025, 3),
        ("2025-3", "month", 2025, 3),
        ("2025年12月", "month", 2025, 12),
        ("２０２５－０３", "month", 2025, 3),  # full-width, as typed with a Chinese IME
    ],
)
def test_parse_accepted_forms(text, kind, year, number):
    assert parse_period(text) == Period(kind, year, number)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "请填写报告期"),
        ("   ", "请填写报告期"),
        ("2025-13", "月份应为 1–12"),
        ("2025-0", "月份应为 1–12"),
        ("2025Q5", "季度应为 1–4"),
        ("2025Q0", "季度应为 1–4"),
        ("1999", "年份应在 2000–2100 之间"),
        ("2101Q1", "年份应在 2000–2100 之间"),
        ("25", "无法识别报告期“25”"),
        ("2025H1", "无法识别报告期“2025H1”"),
        ("明年", "无法识别报告期“明年”"),
    ],
)
def test_parse_refuses_with_a_chinese_message(text, says):
    with pytest.raises(ValidationFailed) as caught:
        parse_period(text)
    message = str(caught.value.errors["period"])
    assert says in message


def test_unreadable_text_says_how_to_write_it():
    with pytest.raises(ValidationFailed) as caught:
        parse_period("三季度")
    assert "2025Q3" in str(caught.value.errors["period"])


def test_year_quarter_month_bounds_and_labels():
    year = Period.for_year(2024)
    assert (year.start, year.end, year.label, year.code) == (
        dt.date(2024, 1, 1), dt.date(2024, 12, 31), "2024年", "2024")
    quarter = Period.for_quarter(2025, 3)
    assert (quarter.start, quarter.end, quarter.label, quarter.code) == (
        dt.date(2025, 7, 1), dt.date(2025, 9, 30), "2025年第3季度", "2025Q3")
    assert Period.for_quarter(2025, 4).end == dt.date(2025, 12, 31)
    february = Period.for_month(2024, 2)
    assert (february.start, february.end, february.label, february.code) == (
        dt.date(2024, 2, 1), dt.date(2024, 2, 29), "2024年2月", "2024-02")
    assert Period.for_month(2025, 2).end == dt.date(2025, 2, 28)
    assert str(quarter) == "2025年第3季度"


def test_code_and_label_read_back():
    for period in (Period.for_year(2025), Period.for_quarter(2025, 2), Period.for_month(2025, 11)):
        assert parse_period(period.code) == period
        assert parse_period(period.label) == period


def test_contains_is_inclusive_at_both_ends():
    quarter = Period.for_quarter(2025, 1)
    assert dt.date(2025, 1, 1) in quarter
    assert dt.date(2025, 3, 31) in quarter
    assert dt.date(2025, 4, 1) not in quarter
    assert "2025-02-01" not in quarter


def test_constructors_check_numbers():
    with pytest.raises(ValidationFailed):
        Period.for_month(2025, 13)
    with pytest.raises(ValidationFailed):
        Period.for_quarter(2025, 0)
    with pytest.raises(ValueError):
        Period("week", 2025, 1)


def test_period_is_frozen_and_hashable():
    period = Period.for_year(2025)
    with pytest.raises(AttributeError):
        period.year = 2026  # type: ignore[misc]
    assert {period: 1}[Period("year", 2025)] == 1


def test_the_period_of_a_day_and_the_one_before():
    day = dt.date(2025, 2, 14)
    assert Period.containing("year", day) == Period.for_year(2025)
    assert Period.containing("quarter", day) == Period.for_quarter(2025, 1)
    assert Period.containing("quarter", dt.date(2025, 12, 31)) == Period.for_quarter(2025, 4)
    assert Period.containing("month", day) == Period.for_month(2025, 2)
    assert Period.for_quarter(2025, 1).previous() == Period.for_quarter(2024, 4)
    assert Period.for_quarter(2025, 3).previous() == Period.for_quarter(2025, 2)
    assert Period.for_month(2025, 1).previous() == Period.for_month(2024, 12)
    assert Period.for_year(2025).previous() == Period.for_year(2024)
