"""The home page's data without a window: backups, the last import, and the charts that the
periodic summary can carry as a page of its PDF."""

import datetime as dt
from pathlib import Path

import pytest

from desktop.backup import backup_name, backups_folder
from desktop.demo import fill_demo
from desktop.home import BACKUP_WARN_DAYS, backup_status, load_home
from desktop.reports.charts import Block, Label, draw_chart, home_charts, pdf_width, summary_charts
from desktop.reports.output import ExportError
from desktop.reports.summary import export_summary
from models.entities import AuditEntry, ImportBatch
from models.home import chart_months, home_figures, monthly_hours
from models.periods import Period
from models.summary import compute_summary

from .pdf_reading import font_programs, page_texts, pages_of

NOW = dt.datetime.now().replace(microsecond=0)
TODAY = NOW.date()


def plant_backup(db_path: Path, days_ago: int, reason: str = "daily") -> Path:
    folder = backups_folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / backup_name(db_path, NOW - dt.timedelta(days=days_ago), reason)
    path.write_bytes(b"")
    return path


@pytest.mark.sqlite_only
def test_a_backup_older_than_a_week_is_overdue(ctx):
    assert backup_status(ctx.db_path, NOW).overdue  # none at all
    plant_backup(ctx.db_path, BACKUP_WARN_DAYS + 1)
    status = load_home(ctx.db_path, None, NOW).backup
    assert (status.on_server, status.age_days, status.overdue) == (False, BACKUP_WARN_DAYS + 1, True)
    plant_backup(ctx.db_path, BACKUP_WARN_DAYS, "import")
    status = backup_status(ctx.db_path, NOW)
    assert (status.age_days, status.overdue) == (BACKUP_WARN_DAYS, False)
    assert status.newest.reason_label == "导入前"


def test_a_database_on_a_server_has_no_file_backups(ctx):
    status = load_home(None, None, NOW).backup
    assert status.on_server and status.newest is None and not status.overdue


def test_the_last_import_is_the_newest_batch(ctx, user):
    assert load_home(ctx.db_path, None, NOW).last_import is None
    ImportBatch.create(kind="orgs", file_name="组织.xlsx", user=user, rows=3, created=3)
    ImportBatch.create(kind="people", file_name="花名册.xlsx", user=user, rows=5, created=4, updated=1)
    last = load_home(ctx.db_path, None, NOW).last_import
    assert (last.file_name, last.created, last.updated) == ("花名册.xlsx", 4, 1)
    assert last.operator == user.shown_name


@pytest.fixture
def demo(ctx):
    fill_demo(300, seed=9, today=TODAY)
    return ctx


def test_the_summary_charts_are_the_home_charts_of_the_same_year(demo):
    """One source of truth: the summary's chart page of the year so far draws what the home page draws."""
    summary = compute_summary(Period.for_year(TODAY.year), None, TODAY)
    months = monthly_hours(chart_months(Period.containing("month", TODAY)), None)
    assert summary_charts(summary, months) == home_charts(home_figures(None, TODAY))


def test_the_charts_of_a_past_period_count_stages_at_its_end(demo):
    last_year = Period.for_year(TODAY.year - 1)
    summary = compute_summary(last_year, None, TODAY)
    months = monthly_hours(chart_months(Period.for_month(last_year.year, 12)), None)
    funnel, _projects, hours, _areas = summary_charts(summary, months)
    stock = [count for _label, count, _entered in summary.section("org_stages").rows[:4]]
    assert [bar.note for bar in funnel.bars] == [f"期末 {n}" for n in stock]
    assert hours.note == f"{last_year.year}年1月–{last_year.year}年12月"


def bounds(drawing) -> tuple[float, float, float, float]:
    """The box every shape of ``drawing`` lies in (text measured in the PDF's font)."""
    xs, ys = [], []
    for shape in drawing.shapes:
        if isinstance(shape, Block):
            xs += [shape.x, shape.x + shape.width]
            ys += [shape.y, shape.y + shape.height]
        elif isinstance(shape, Label):
            width = pdf_width(shape.text, shape.size)
            left = shape.x - {"middle": width / 2, "end": width}.get(shape.anchor, 0)
            xs += [left, left + width]
            ys += [shape.y - 0.25 * shape.size, shape.y + 0.9 * shape.size]
        else:
            xs += [shape.x1, shape.x2]
            ys += [shape.y1, shape.y2]
    return min(xs), min(ys), max(xs), max(ys)


def test_every_chart_fits_its_box_with_its_text(demo):
    for spec in home_charts(home_figures(None, TODAY)):
        drawing = draw_chart(spec, 360, 220, 9)
        texts = drawing.texts()
        assert texts[0] == spec.title
        assert {bar.label for bar in spec.bars} | {bar.text for bar in spec.bars} <= set(texts), spec.key
        x0, y0, x1, y1 = bounds(drawing)
        assert x0 >= -0.5 and y0 >= -0.5 and x1 <= 360.5 and y1 <= 220.5, (spec.key, x0, y0, x1, y1)


def test_the_summary_pdf_carries_the_charts_on_a_page_of_their_own(demo, user, tmp_path):
    plain = export_summary(tmp_path / "表.pdf", Period.for_year(TODAY.year), None, "pdf", user=user)
    with_charts = export_summary(tmp_path / "图.pdf", Period.for_year(TODAY.year), None, "pdf", user=user,
                                 charts=True)
    pages, charted = page_texts(plain), page_texts(with_charts)
    assert len(charted) == len(pages) + 1
    last = charted[-1]
    for text in ("图表", "社会组织孵化进程", "萌芽期", "项目立项金额（按来源）", "政府购买服务",
                 "志愿服务时长（小时，按月）", f"{TODAY.month}月", "社会组织（按服务领域）", "家庭教育"):
        assert text in last, text
    fonts = {name: "/FontFile2" in kinds for name, kinds in font_programs(pages_of(with_charts)[-1:]).items()}
    assert fonts and all(fonts.values()) and all("WenQuanYi" in name for name in fonts), fonts
    audit = AuditEntry.select().order_by(AuditEntry.id.desc()).first()
    assert "（附图表）" in audit.summary


def test_charts_only_go_with_a_pdf(demo, user, tmp_path):
    with pytest.raises(ExportError) as refused:
        export_summary(tmp_path / "表.xlsx", Period.for_year(TODAY.year), None, "xlsx", user=user,
                       charts=True)
    assert "PDF" in str(refused.value.message)
    assert not (tmp_path / "表.xlsx").exists()
