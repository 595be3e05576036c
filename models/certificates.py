"""Volunteer service certificates (志愿服务记录证明) and their register.

Each certificate gets a number from a register kept in the database: ``〔year〕serial``,
the serial counting from 1 in each year, prefixed with the office's ``certificate.prefix``.
A number is taken only together with the certificate it names (the caller writes the PDF
inside the same transaction), so the register has no gaps left by failed exports.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from peewee import JOIN, fn

from . import audit
from .db import database
from .entities import Activity, Certificate, Organization, Person, ServiceRecord, Team, User
from .i18n import Message, msg
from .settings import get_setting

HOURS = Decimal("0.1")


class CertificateError(ValueError):
    """A certificate that cannot be issued (no service in the period, bad period)."""

    def __init__(self, message: Message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class ServiceLine:
    held_on: dt.date
    activity: str
    organizer: str  # the organization or team that held it
    content: str
    hours: Decimal


@dataclass(frozen=True)
class ServiceSummary:
    person: Person
    start: dt.date
    end: dt.date
    lines: list[ServiceLine]
    total: Decimal


def certificate_number(year: int, serial: int) -> str:
    prefix = get_setting("certificate.prefix").strip()
    return f"{prefix}志证〔{year}〕{serial:04d}号"


def _next_serial(year: int) -> int:
    last = Certificate.select(fn.MAX(Certificate.serial)).where(Certificate.year == year).scalar()
    return (last or 0) + 1


def next_certificate_number(year: int) -> str:
    """The number the next certificate of ``year`` will get (nothing is reserved)."""
    return certificate_number(year, _next_serial(year))


def check_period(start: dt.date | None, end: dt.date | None) -> None:
    if start is None or end is None:
        raise CertificateError(msg("请给出证明的起止日期"))
    if end < start:
        raise CertificateError(msg("结束日期 {end} 早于开始日期 {start}，请检查期间。",
                                   start=start.isoformat(), end=end.isoformat()))


def service_summary(person: Person, start: dt.date, end: dt.date) -> ServiceSummary:
    """The person's service records at activities held from ``start`` to ``end`` (inclusive),
    oldest first, and their total hours (summed in SQL)."""
    check_period(start, end)
    in_period = ((ServiceRecord.person == person) & (Activity.held_on >= start)
                 & (Activity.held_on <= end) & (Activity.archived == False))  # noqa: E712
    query = (
        ServiceRecord.select(Activity.held_on, Activity.title,
                             fn.COALESCE(Organization.name, Team.name, ""),
                             ServiceRecord.content, ServiceRecord.hours)
        .join(Activity)
        .join(Organization, on=(Activity.organization == Organization.id), join_type=JOIN.LEFT_OUTER)
        .switch(Activity)
        .join(Team, on=(Activity.team == Team.id), join_type=JOIN.LEFT_OUTER)
        .where(in_period)
        .order_by(Activity.held_on, Activity.id)
    )
    lines = [ServiceLine(day, title, organizer or "", content or "", Decimal(hours).quantize(HOURS))
             for day, title, organizer, content, hours in query.tuples()]
    total = (ServiceRecord.select(fn.SUM(ServiceRecord.hours)).join(Activity).where(in_period).scalar())
    return ServiceSummary(person, start, end, lines, Decimal(str(total or 0)).quantize(HOURS))


def issue_certificate(person: Person, period_start: dt.date, period_end: dt.date, user: User | None,
                      issued_on: dt.date | None = None) -> Certificate:
    """Register a certificate for the person's service in the period (hours summed in SQL).

    A period running past ``issued_on`` is cut at that day. Raises ``CertificateError``
    (taking no number) when the period is wrong or holds no service.
    Call it inside the transaction that writes the certificate's file, so a failed write
    gives the number back.
    """
    day = issued_on or dt.date.today()
    check_period(period_start, period_end)
    if period_start > day:
        raise CertificateError(msg("证明期间从 {start} 开始，晚于出具日期，请换一个期间。",
                                   start=period_start.isoformat()))
    period_end = min(period_end, day)  # a certificate vouches for service up to its date only
    summary = service_summary(person, period_start, period_end)
    if not summary.lines:
        raise CertificateError(msg(
            "{name}在 {start} 至 {end} 期间没有志愿服务记录，无法开具证明。"
            "请先在活动中登记其服务时长，或换一个期间。",
            name=person.name, start=period_start.isoformat(), end=period_end.isoformat(),
        ))
    with database.atomic():
        serial = _next_serial(day.year)
        certificate = audit.create(
            Certificate, user, number=certificate_number(day.year, serial), year=day.year, serial=serial,
            person=person, period_start=period_start, period_end=period_end, hours=summary.total,
            issued_on=day, issued_by=user,
        )
    return certificate
