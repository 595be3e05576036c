import datetime as dt
from decimal import Decimal

import pytest

from models import audit
from models.certificates import (
    CertificateError,
    issue_certificate,
    next_certificate_number,
    service_summary,
)
from models.entities import Activity, AuditEntry, Certificate, Organization, Person, ServiceRecord
from models.settings import set_setting

ISSUED = dt.date(2026, 3, 1)


@pytest.fixture
def volunteer(user) -> Person:
    return audit.create(Person, user, name="王芳", is_volunteer=True)


def serve(user, person: Person, title: str, held_on: dt.date, hours: str, content: str = "",
          organization: Organization | None = None) -> Activity:
    activity = audit.create(Activity, user, title=title, held_on=held_on, organization=organization)
    audit.create(ServiceRecord, user, person=person, activity=activity, hours=Decimal(hours), content=content)
    return activity


def test_number_has_the_prefix_year_and_a_four_digit_serial(user):
    assert next_certificate_number(2025) == "志证〔2025〕0001号"
    set_setting("certificate.prefix", "青妇", user)
    assert next_certificate_number(2025) == "青妇志证〔2025〕0001号"


def test_service_in_the_period_summed_by_activity(user, volunteer):
    org = audit.create(Organization, user, name="阳光妇女互助会", kind="grassroots")
    serve(user, volunteer, "家庭教育讲座", dt.date(2025, 3, 8), "2.5", "签到引导", org)
    serve(user, volunteer, "义诊", dt.date(2025, 12, 31), "4")
    serve(user, volunteer, "读书会", dt.date(2024, 12, 31), "9")  # before the period
    summary = service_summary(volunteer, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert [(line.activity, line.organizer, line.content, line.hours) for line in summary.lines] == [
        ("家庭教育讲座", "阳光妇女互助会", "签到引导", Decimal("2.5")), ("义诊", "", "", Decimal("4.0"))]
    assert summary.total == Decimal("6.5")


def test_issuing_registers_numbers_in_order_with_an_audit_line(user, volunteer):
    serve(user, volunteer, "义诊", dt.date(2025, 6, 1), "3")
    first = issue_certificate(volunteer, dt.date(2025, 1, 1), dt.date(2025, 12, 31), user, ISSUED)
    second = issue_certificate(volunteer, dt.date(2025, 1, 1), dt.date(2025, 12, 31), user, ISSUED)
    assert (first.number, first.serial, first.year) == ("志证〔2026〕0001号", 1, 2026)
    assert second.number == "志证〔2026〕0002号"
    assert (first.hours, first.issued_by_id, first.person_id) == (Decimal("3.0"), user.id, volunteer.id)
    assert next_certificate_number(2026) == "志证〔2026〕0003号"
    assert next_certificate_number(2027) == "志证〔2027〕0001号"
    assert AuditEntry.select().where((AuditEntry.entity == "certificate")
                                     & (AuditEntry.action == "create")).count() == 2


def test_no_service_in_the_period_takes_no_number(user, volunteer):
    serve(user, volunteer, "义诊", dt.date(2024, 6, 1), "3")
    with pytest.raises(CertificateError) as caught:
        issue_certificate(volunteer, dt.date(2025, 1, 1), dt.date(2025, 12, 31), user, ISSUED)
    assert str(caught.value.message) == (
        "王芳在 2025-01-01 至 2025-12-31 期间没有志愿服务记录，无法开具证明。"
        "请先在活动中登记其服务时长，或换一个期间。")
    assert Certificate.select().count() == 0


def test_wrong_periods_are_refused(user, volunteer):
    serve(user, volunteer, "义诊", dt.date(2025, 6, 1), "3")
    with pytest.raises(CertificateError, match="早于开始日期"):
        issue_certificate(volunteer, dt.date(2025, 12, 31), dt.date(2025, 1, 1), user, ISSUED)
    with pytest.raises(CertificateError, match="晚于出具日期"):
        issue_certificate(volunteer, dt.date(2026, 6, 1), dt.date(2026, 12, 31), user, ISSUED)


def test_a_period_running_past_the_issue_date_ends_on_it(user, volunteer):
    serve(user, volunteer, "义诊", dt.date(2026, 2, 1), "3")
    certificate = issue_certificate(volunteer, dt.date(2026, 1, 1), dt.date(2026, 12, 31), user, ISSUED)
    assert (certificate.period_start, certificate.period_end) == (dt.date(2026, 1, 1), ISSUED)
