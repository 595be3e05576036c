"""The volunteer service certificate (志愿服务记录证明) as a PDF.

The certificate's number is taken from the register in the same transaction that writes
the file: if the PDF cannot be written, the transaction is rolled back and the number is
not used up; if the number cannot be registered, no file is left.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer

from models.certificates import CertificateError, ServiceSummary, issue_certificate, service_summary
from models.choices import SEXES
from models.db import database
from models.entities import Certificate, Person, User
from models.i18n import msg
from models.settings import get_setting
from models.validators import InvalidValue, check_id_number, mask_id_number

from . import pdf
from .output import ExportError, Job, atomic_output

TITLE = "志愿服务记录证明"


def find_person_by_id_number(text: str) -> Person:
    """The person with this resident ID (for ``--id-number``); a Chinese message otherwise."""
    try:
        number = check_id_number(text or "").number
    except InvalidValue as e:
        raise ExportError(msg("身份证号“{number}”有误：{reason}", number=(text or "").strip(),
                              reason=e.message)) from e
    person = Person.get_or_none(Person.id_number_is(number))
    if person is None:
        raise ExportError(msg("人员库中没有身份证号为 {number} 的人员，请先登记该人员或检查号码。",
                              number=number))
    return person


def _date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _hours(value) -> str:
    return f"{value:.1f}"


def _story(certificate: Certificate, summary: ServiceSummary, width: float) -> list:
    st = pdf.styles()
    person = summary.person
    right = ParagraphStyle("certificate_right", parent=st.body, alignment=TA_RIGHT)
    body = ParagraphStyle("certificate_body", parent=st.body, fontSize=12, leading=22,
                          firstLineIndent=24)
    unit = get_setting("office.name") or "（未设置出具单位）"
    id_text = mask_id_number(person.id_number) or "未登记"
    sex = SEXES.label(person.sex) or "未登记"
    intro = (
        f"兹证明 {person.name}（性别：{sex}，公民身份号码：{id_text}）于 {_date(summary.start)}"
        f"至 {_date(summary.end)} 期间参加志愿服务 {len(summary.lines)} 次，"
        f"累计志愿服务时长 {_hours(summary.total)} 小时。"
    )
    header = ["序号", "日期", "活动名称", "组织单位", "服务内容", "时长（小时）"]
    weights = [6, 14, 32, 28, 22, 14]
    widths = [width * w / sum(weights) for w in weights]
    rows = [[i, line.held_on.isoformat(), line.activity, line.organizer, line.content, _hours(line.hours)]
            for i, line in enumerate(summary.lines, start=1)]
    rows.append(["", "合计", "", "", "", _hours(summary.total)])
    table = pdf.grid_tables(header, rows, widths, ["center", "center", "left", "left", "left", "right"])
    closing = KeepTogether([
        Spacer(1, 4 * mm),
        pdf.para("特此证明。", body),
        Spacer(1, 14 * mm),
        pdf.para(f"出具单位：{unit}（盖章）", right),
        Spacer(1, 22 * mm),  # room for the seal
        pdf.para(_date(certificate.issued_on), right),
        Spacer(1, 8 * mm),
        pdf.para("本证明依据本单位登记的志愿服务记录出具，涂改无效。", st.small),
    ])
    return [
        pdf.para(TITLE, ParagraphStyle("certificate_title", parent=st.title, fontSize=22, leading=30,
                                       spaceAfter=2 * mm)),
        pdf.para(f"编号：{certificate.number}", right),
        Spacer(1, 6 * mm),
        pdf.para(intro, body),
        pdf.para("服务记录如下：", body),
        Spacer(1, 2 * mm),
        *table,
        closing,
    ]


def _write_pdf(tmp: Path, certificate: Certificate, summary: ServiceSummary, job: Job | None) -> None:
    pagesize = pdf.page_size(6)
    number = certificate.number

    def on_page(canvas, doc) -> None:
        if job is not None:
            job.step(doc.page, doc.page + 1)
        if doc.page > 1:  # a later page still says which certificate it belongs to
            canvas.saveState()
            canvas.setFont(pdf.SANS, 9)
            canvas.drawRightString(pagesize[0] - pdf.MARGIN, pagesize[1] - pdf.MARGIN + 4 * mm,
                                   f"{TITLE}  编号：{number}")
            canvas.restoreState()

    pdf.build_pdf(tmp, _story(certificate, summary, pdf.content_width(pagesize)), pagesize,
                  title=f"{TITLE} {number}", author=get_setting("office.name"), on_page=on_page)


def export_certificate(path: Path, person_id: int, start: dt.date, end: dt.date, fmt: str = "pdf",
                       job: Job | None = None, user: User | None = None,
                       issued_on: dt.date | None = None) -> Certificate:
    """Issue the person's certificate for ``start``..``end`` and write it to ``path`` (PDF).

    The certificate is registered only if the file was written, and the file is kept only
    if the certificate was registered.
    """
    if fmt != "pdf":
        raise ExportError(msg("不支持的格式“{fmt}”：志愿服务记录证明只能导出为 pdf。", fmt=fmt))
    path = Path(path)
    person = Person.get_or_none(Person.id == person_id)
    if person is None:
        raise ExportError(msg("找不到编号为 {id} 的人员", id=person_id))
    if job is not None:
        job.step(0, 1)
    written = False
    try:
        with database.atomic():
            certificate = issue_certificate(person, start, end, user, issued_on)
            summary = service_summary(person, certificate.period_start, certificate.period_end)
            with atomic_output(path) as tmp:
                _write_pdf(tmp, certificate, summary, job)
            written = True
    except CertificateError as e:
        raise ExportError(e.message) from e
    except BaseException:
        if written:  # the file is in place but the register was not committed
            path.unlink(missing_ok=True)
        raise
    return certificate
