"""Reviewers' sheets that come back wrong or hostile: each refused with a Chinese message naming
the file (and row and column), and nothing of any sheet stored."""

from __future__ import annotations

import zipfile

import pytest
from openpyxl import load_workbook

from desktop.venture.sheets import (
    MAX_SHEET_BYTES,
    SheetRefused,
    import_reviewer_sheets,
    write_all_sheets,
)
from models.venture import RoundData, save_round
from models.venture_entities import ReviewScore
from models.venture_review import set_criteria
from tests.venture_round import build_round, fill_sheet


@pytest.fixture
def printed(ctx, county, tmp_path):
    built = build_round(ctx.user, [county["east"], county["west"]])
    numbers = {a.id: n for n, a in enumerate(built.applications, start=1)}
    sheets = write_all_sheets(tmp_path, built.round, ctx.user)
    for i, path in enumerate(sheets):
        fill_sheet(path, i, numbers)
    return built, sheets


def refused(paths, rnd, user) -> list[str]:
    with pytest.raises(SheetRefused) as e:
        import_reviewer_sheets(paths, rnd, user)
    assert ReviewScore.select().count() == 0  # all or nothing
    return [str(p) for p in e.value.problems]


def edit(path, change) -> None:
    wb = load_workbook(path)
    change(wb["评分表"])
    wb.save(path)


def header_row(ws) -> int:
    return next(r for r in range(1, 10) if ws.cell(r, 1).value == "序号")


def test_a_score_out_of_range_refuses_every_sheet_naming_row_and_column(ctx, printed):
    built, sheets = printed
    edit(sheets[2], lambda ws: setattr(ws.cell(header_row(ws) + 3, 7), "value", 120))
    problems = refused(sheets, built.round, ctx.user)
    assert len(problems) == 1
    assert sheets[2].name in problems[0] and "第 7 行" in problems[0] and "设计（权重 30）" in problems[0]
    assert "0–100" in problems[0]


def test_text_formulas_and_too_many_decimals_are_refused(ctx, printed):
    built, sheets = printed

    def spoil(ws):
        first = header_row(ws) + 1
        ws.cell(first, 6).value = "优秀"
        ws.cell(first + 1, 6).value = 88.25
        ws.cell(first + 2, 6).value = "=1+1"

    edit(sheets[0], spoil)
    problems = refused(sheets, built.round, ctx.user)
    assert len(problems) == 3
    assert "“优秀”不是分数" in problems[0] and "一位小数" in problems[1]


def test_a_changed_application_number_or_a_duplicate_row_is_refused(ctx, printed):
    built, sheets = printed

    def spoil(ws):
        first = header_row(ws) + 1
        ws.cell(first, 2).value = 99999
        ws.cell(first + 2, 2).value = ws.cell(first + 1, 2).value

    edit(sheets[1], spoil)
    problems = refused(sheets, built.round, ctx.user)
    assert "申报编号“99999”不是本轮评审中的申报" in problems[0] and "重复出现" in problems[1]


def test_the_same_reviewer_twice_another_round_and_changed_criteria_are_refused(ctx, printed, tmp_path):
    built, sheets = printed
    twice = tmp_path / "copy.xlsx"
    twice.write_bytes(sheets[0].read_bytes())
    assert "都是周专家的评分表" in refused([sheets[0], twice], built.round, ctx.user)[0]

    other = save_round(RoundData(name="2025年公益创投", source="venture", year=2025, budget="100000"),
                       ctx.user)
    assert "另一个轮次的评分表" in refused([sheets[0]], other, ctx.user)[0]

    # The office changes the criteria before any score is in: printed sheets no longer fit
    set_criteria(built.round, [("需求", 50), ("设计", 50)], ctx.user)
    assert "评分项与本轮现在的评分项不一致" in refused([sheets[0]], built.round, ctx.user)[0]


def test_files_that_are_not_sheets_are_refused_before_they_are_read(ctx, printed, tmp_path):
    built, sheets = printed
    text = tmp_path / "scores.xlsx"
    text.write_text("序号,申报编号\n", encoding="utf-8")
    big = tmp_path / "big.xlsx"
    big.write_bytes(b"PK\x03\x04" + b"\0" * (MAX_SHEET_BYTES + 1))
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        with zipfile.ZipFile(sheets[0]) as src:
            for item in src.infolist():
                z.writestr(item, src.read(item))
        z.writestr("xl/worksheets/huge.xml", b"<a>" + b" " * (20 * 1024 * 1024) + b"</a>")
    plain = tmp_path / "plain.xlsx"
    from openpyxl import Workbook

    Workbook().save(plain)
    problems = refused([text, big, bomb, plain, tmp_path / "missing.xlsx"], built.round, ctx.user)
    assert "不是 Excel 工作簿" in problems[0]
    assert "评分表不会这么大" in problems[1]
    assert "bomb.xlsx" in problems[2] and "压缩" in problems[2], problems[2]
    assert "缺少“评分表”工作表" in problems[3]
    assert "无法读取 missing.xlsx" in problems[4]


def test_blank_scores_are_left_unscored_and_counted(ctx, printed):
    built, sheets = printed
    edit(sheets[4], lambda ws: setattr(ws.cell(header_row(ws) + 1, 6), "value", None))
    result = import_reviewer_sheets(sheets, built.round, ctx.user)
    assert result.blank == 1 and result.scores == 5 * 48 * 5 - 1
    from models.venture_review import ranking

    row = next(r for r in ranking(built.round) if r.application_id == built.applications[0].id)
    assert row.missing == ["冯专家"] and not row.trimmed  # four complete totals: not trimmed
