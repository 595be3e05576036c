"""结果通知书: one page per decided application, read back from the PDF: the organization, the
project, 入选 with the amount granted or 未入选, the office, the date and the seal; from the
services and from ``jinguo venture export letters``."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop.cli import main
from desktop.context import build_context
from desktop.reports.output import ExportError
from desktop.venture.letters import export_letters
from models.entities import AuditEntry, Region
from models.settings import set_setting
from models.venture_entities import VentureApplication
from tests.desktop.pdf_reading import font_programs, page_texts, pages_of
from tests.venture_round import build_round, decided_round

TODAY = dt.date(2025, 4, 22)


def test_each_application_gets_one_page_with_its_result_and_amount(ctx, county, tmp_path):
    set_setting("office.name", "青禾县妇联", ctx.user)
    built = decided_round(ctx.user, [county["east"], county["west"]], tmp_path / "sheets")
    path = export_letters(tmp_path / "通知书.pdf", built.round.id, ctx.user, TODAY)
    pages = page_texts(path)
    assert len(pages) == 48
    winners = 0
    for app, text in zip(built.applications, pages, strict=True):
        app = VentureApplication.get_by_id(app.id)
        for expected in ("结果通知书", "2025年度妇联微创投", f"{app.organization.name}：", f"“{app.title}”",
                         "青禾县妇联", "2025年04月22日", "（单位盖章）", "特此通知"):
            assert expected in text, (app.title, expected)
        if app.status == "established":
            winners += 1
            assert "结果：入选" in text and f"资助金额 {app.amount_granted:,.2f} 元" in text
        else:
            assert app.status == "not_selected"
            assert "结果：未入选" in text and "未能入选" in text and "资助金额" not in text
    assert winners == 12
    assert "资助金额 30,000.00 元" in pages[1]  # no. 2 asked for the cap and got it
    assert "结果：未入选" in pages[2]  # no. 3 scored 79.50, below the twelfth
    assert all(kinds == frozenset({"/FontFile2"}) for kinds in font_programs(pages_of(path)).values())
    line = AuditEntry.select().where(AuditEntry.action == "export").order_by(AuditEntry.id.desc()).first()
    assert line.entity == "venture_round" and "结果通知书" in line.summary and "48 份" in line.summary


def test_an_undecided_round_gets_no_letters_and_no_file(ctx, county, tmp_path):
    built = build_round(ctx.user, [county["east"]])
    with pytest.raises(ExportError) as e:
        export_letters(tmp_path / "通知书.pdf", built.round.id, ctx.user)
    assert "还没有确定入选名单" in str(e.value.message)
    assert not (tmp_path / "通知书.pdf").exists()


def test_the_command_exports_the_letters_as_pdf_only(tmp_path, capsys):
    db = tmp_path / "office.db"
    ctx = build_context(db)
    east = Region.create(name="东关街道", level="township")
    rnd = decided_round(ctx.user, [east], tmp_path / "sheets").round
    ctx.close()
    args = ["venture", "export", "letters", "--db", str(db), "--round", str(rnd.id)]
    assert main([*args, "-o", str(tmp_path / "通知书.pdf")]) == 0
    assert "已导出结果通知书" in capsys.readouterr().out
    pages = page_texts(tmp_path / "通知书.pdf")
    assert len(pages) == 48 and sum("结果：入选" in p for p in pages) == 12
    assert main([*args, "-o", str(tmp_path / "通知书.xlsx")]) == 2
    assert "只能导出为 PDF" in capsys.readouterr().err and not (tmp_path / "通知书.xlsx").exists()
