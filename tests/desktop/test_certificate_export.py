import datetime as dt
from decimal import Decimal

import pytest
from pypdf import PdfReader

from desktop.reports import certificate as certificate_module
from desktop.reports.certificate import export_certificate, find_person_by_id_number
from desktop.reports.output import ExportError
from models import audit
from models.certificates import next_certificate_number
from models.entities import Activity, Certificate, Organization, Person, ServiceRecord
from models.settings import set_setting
from models.validators import id_check_char, mask_id_number

ISSUED = dt.date(2026, 3, 1)
YEAR_2025 = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))


def id_number(serial: int) -> str:
    first17 = f"32010219850301{serial:02d}2"
    return first17 + id_check_char(first17)


@pytest.fixture
def out(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.fixture
def volunteer(user) -> Person:
    set_setting("office.name", "青禾县妇女联合会", user)
    set_setting("certificate.prefix", "青妇", user)
    person = audit.create(Person, user, name="王芳", id_number=id_number(1), sex="F",
                          birth_date=dt.date(1985, 3, 1), is_volunteer=True)
    org = audit.create(Organization, user, name="阳光妇女互助会", kind="grassroots")
    for title, day, hours, content in [("家庭教育讲座", dt.date(2025, 3, 8), "2.5", "签到引导"),
                                       ("重阳节敬老活动", dt.date(2025, 10, 29), "4", "陪伴老人"),
                                       ("读书会", dt.date(2024, 5, 1), "9", "")]:
        activity = audit.create(Activity, user, title=title, held_on=day, organization=org)
        audit.create(ServiceRecord, user, person=person, activity=activity, hours=Decimal(hours),
                     content=content)
    return person


def pdf_text(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


def test_certificate_pdf_shows_identity_service_and_number(ctx, volunteer, out):
    certificate = export_certificate(out / "证明.pdf", volunteer.id, *YEAR_2025, user=ctx.user,
                                     issued_on=ISSUED)
    assert certificate.number == "青妇志证〔2026〕0001号"
    assert certificate.hours == Decimal("6.5")
    text = pdf_text(out / "证明.pdf")
    assert "志愿服务记录证明" in text
    assert "青妇志证〔2026〕0001号" in text
    assert "王芳" in text and mask_id_number(volunteer.id_number) in text
    assert volunteer.id_number not in text
    assert "家庭教育讲座" in text and "重阳节敬老活动" in text and "读书会" not in text
    assert "6.5" in text and "青禾县妇女联合会" in text and "2026年3月1日" in text
    assert "第 1 页 共 1 页" in text
    reader = PdfReader(str(out / "证明.pdf"))
    for font in reader.pages[0]["/Resources"]["/Font"].values():
        assert "/FontFile2" in font.get_object()["/FontDescriptor"].get_object()


def test_numbers_increase_and_stay_unique(ctx, volunteer, out):
    numbers = [export_certificate(out / f"{i}.pdf", volunteer.id, *YEAR_2025, issued_on=ISSUED).number
               for i in range(3)]
    assert numbers == ["青妇志证〔2026〕0001号", "青妇志证〔2026〕0002号", "青妇志证〔2026〕0003号"]
    assert Certificate.select().count() == 3


def test_a_failed_write_takes_no_number_and_leaves_no_file(ctx, volunteer, out, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(certificate_module.pdf, "build_pdf", broken)
    with pytest.raises(ExportError, match="磁盘空间不足"):
        export_certificate(out / "证明.pdf", volunteer.id, *YEAR_2025, issued_on=ISSUED)
    assert list(out.iterdir()) == []
    assert Certificate.select().count() == 0
    assert next_certificate_number(2026) == "青妇志证〔2026〕0001号"


def test_an_unwritable_place_takes_no_number(ctx, volunteer, out):
    with pytest.raises(ExportError, match="不存在"):
        export_certificate(out / "missing" / "证明.pdf", volunteer.id, *YEAR_2025, issued_on=ISSUED)
    assert Certificate.select().count() == 0


def test_no_service_in_the_period_is_a_chinese_error(ctx, volunteer, out):
    with pytest.raises(ExportError, match="没有志愿服务记录"):
        export_certificate(out / "证明.pdf", volunteer.id, dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    with pytest.raises(ExportError, match="只能导出为 pdf"):
        export_certificate(out / "证明.xlsx", volunteer.id, *YEAR_2025, fmt="xlsx")
    assert list(out.iterdir()) == [] and Certificate.select().count() == 0


def test_person_found_by_id_number(ctx, volunteer):
    assert find_person_by_id_number(f" {volunteer.id_number.lower()} ") == volunteer
    with pytest.raises(ExportError, match="身份证号“123”有误"):
        find_person_by_id_number("123")
    with pytest.raises(ExportError, match="人员库中没有身份证号为"):
        find_person_by_id_number(id_number(2))
