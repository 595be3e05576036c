"""The round's 公示 list and report as files, from the services and from ``jinguo venture
export``: the official header, the figures that add up, the audit line, exit codes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from desktop.cli import main
from desktop.context import build_context
from desktop.reports.output import ExportError
from desktop.venture.outputs import export_publicity, export_round_report
from models.entities import AuditEntry, Region
from models.settings import set_setting
from tests.desktop.pdf_reading import font_programs, page_texts, pages_of
from tests.venture_round import decided_round

TODAY = dt.date(2025, 4, 18)


@pytest.fixture
def decided(ctx, county, tmp_path):
    for key, value in (("office.name", "青禾县妇联"), ("report.table_no", "妇联创投表1"),
                       ("report.issuer", "青禾县妇联"), ("report.unit_head", "陈主席")):
        set_setting(key, value, ctx.user)
    return decided_round(ctx.user, [county["east"], county["west"]], tmp_path / "sheets")


def cells(path) -> list:
    return [c for row in load_workbook(path).worksheets[0].iter_rows(values_only=True) for c in row]


def test_the_publicity_list_as_pdf_has_the_official_header_winners_and_seal(ctx, decided, tmp_path):
    path = export_publicity(tmp_path / "公示.pdf", decided.round.id, "pdf", ctx.user, TODAY)
    (text,) = page_texts(path)
    for expected in ("2025年度妇联微创投拟资助项目公示", "表号：妇联创投表1", "制表机关：青禾县妇联",
                     "填报单位：青禾县妇联", "报告期：2025年", "计量单位：元", "单位负责人：陈主席",
                     "（单位盖章）", "拟资助以下 12 个项目", "第 1 页 共 1 页", "88.00", "300,000.00",
                     "微心愿项目02", "巾帼互助社02", "报出日期：2025年04月18日"):
        assert expected in text, expected
    assert "微心愿项目03" not in text  # 79.50, below the twelfth
    assert all(kinds == frozenset({"/FontFile2"}) for kinds in font_programs(pages_of(path)).values())
    line = AuditEntry.select().where(AuditEntry.action == "export").order_by(AuditEntry.id.desc()).first()
    assert line.entity == "venture_round" and "公示.pdf" in line.summary


def test_the_publicity_list_as_excel_totals_the_budget(ctx, decided, tmp_path):
    path = export_publicity(tmp_path / "公示.xlsx", decided.round.id, "xlsx", ctx.user, TODAY)
    ws = load_workbook(path).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "2025年度妇联微创投拟资助项目公示"
    head = next(i for i, r in enumerate(rows) if r[0] == "序号")
    body = rows[head + 1:head + 13]
    assert [r[0] for r in body] == list(range(1, 13))
    assert sum(Decimal(str(r[5])) for r in body) == Decimal("300000")
    assert rows[head + 13][5] == 300000 and rows[head + 13][1] == "合计"
    score = ws.cell(row=head + 2, column=5)  # shown with the two decimals the PDF prints
    assert score.number_format == "0.00" and score.value == float(f"{score.value:.2f}")


def test_the_round_report_adds_up_in_excel_and_pdf(ctx, decided, tmp_path):
    path = export_round_report(tmp_path / "报告.xlsx", decided.round.id, "xlsx", ctx.user, TODAY)
    rows = list(load_workbook(path).worksheets[0].iter_rows(values_only=True))
    towns = next(i for i, r in enumerate(rows) if r[0] == "镇（街道）")
    east, west, total = rows[towns + 1:towns + 4]
    assert (east[0], west[0], total[0]) == ("东关街道", "西湖镇", "合计")
    for col in range(1, 7):
        assert east[col] + west[col] == total[col]
    assert total[1:6] == (48, 1_200_000,  # 46 × 25,000 + 30,000 + 20,000
                           sum(100 + n for n in range(1, 49)), 12, 300000)
    pdf = export_round_report(tmp_path / "报告.pdf", decided.round.id, "pdf", ctx.user, TODAY)
    text = "\n".join(page_texts(pdf))
    assert "2025年度妇联微创投情况统计表" in text and "按服务领域" in text and "按镇（街道）" in text
    assert "评分项：需求（权重 20）" in text and "立项 12" in text


def test_a_round_without_winners_or_unknown_is_refused_without_a_file(ctx, county, tmp_path):
    with pytest.raises(ExportError) as e:
        export_publicity(tmp_path / "x.pdf", 999, "pdf", ctx.user)
    assert "没有编号为 999 的创投轮次" in str(e.value.message)
    assert not (tmp_path / "x.pdf").exists()


def test_the_command_exports_both_papers_and_refuses_a_bad_round(tmp_path, capsys):
    db = tmp_path / "office.db"
    ctx = build_context(db)
    east = Region.create(name="东关街道", level="township")
    rnd = decided_round(ctx.user, [east], tmp_path / "sheets").round
    ctx.close()
    code = main(["venture", "export", "publicity", "--db", str(db), "--round", str(rnd.id),
                 "-o", str(tmp_path / "公示.pdf")])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "已导出公示名单" in out.out and "拟资助以下 12 个项目" in page_texts(tmp_path / "公示.pdf")[0]
    code = main(["venture", "export", "report", "--db", str(db), "--round", str(rnd.id),
                 "-o", str(tmp_path / "报告.xlsx")])
    assert code == 0 and "已导出轮次报告" in capsys.readouterr().out
    assert "东关街道" in cells(tmp_path / "报告.xlsx")
    code = main(["venture", "export", "report", "--db", str(db), "--round", "77",
                 "-o", str(tmp_path / "无.xlsx")])
    assert code == 2 and "没有编号为 77 的创投轮次" in capsys.readouterr().err
    assert not (tmp_path / "无.xlsx").exists()


def test_the_command_runs_as_the_operator_given_and_a_viewer_may_not_export(tmp_path, capsys, monkeypatch):
    from models import auth

    db = tmp_path / "office.db"
    ctx = build_context(db)
    admin = auth.create_first_admin("wangfang", "王芳", "admin-pass-1", "admin-pass-1")
    auth.create_user(admin, "chakan", "查看", "viewer", "viewer-pass-1")
    rnd = decided_round(admin, [Region.create(name="东关街道", level="township")], tmp_path / "sheets").round
    ctx.close()
    args = ["venture", "export", "publicity", "--db", str(db), "--round", str(rnd.id)]
    monkeypatch.setenv("JINGUO_PASSWORD", "viewer-pass-1")
    assert main([*args, "-o", str(tmp_path / "v.pdf"), "--user", "chakan"]) == 2
    assert "“查看员”角色不能导出" in capsys.readouterr().err and not (tmp_path / "v.pdf").exists()
    monkeypatch.setenv("JINGUO_PASSWORD", "admin-pass-1")
    assert main([*args, "-o", str(tmp_path / "公示.xlsx"), "--user", "wangfang"]) == 0
    ctx = build_context(db)
    auth.authenticate("wangfang", "admin-pass-1")  # the trail's changes are encrypted
    line = AuditEntry.select().where(AuditEntry.action == "export").order_by(AuditEntry.id.desc()).first()
    assert line.username == "wangfang" and "公示.xlsx" in line.summary
    ctx.close()
