"""The home page (工作台) as the office uses it: the window opens on it, each figure opens its list
filtered to what it counts, reminders follow the data, and charts are drawn, copied and saved."""

import datetime as dt
import struct

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontInfo, QFontMetrics, QGuiApplication, QImage

from desktop.backup import backup_name, backups_folder
from desktop.demo import fill_demo
from desktop.reports.charts import PALETTE
from models.entities import (
    Booking,
    Organization,
    OrganizationStage,
    Person,
    Region,
    Team,
    TeamAssignment,
    User,
    Venue,
)
from models.home import home_figures
from models.organization_listing import OVERDUE
from models.settings import set_settings
from resources import CJK_FONT_FAMILY
from views import tasks
from views.chart_painter import chart_font
from views.main_window import MainWindow
from views.pages.activities import ActivitiesPage
from views.pages.home import HomePage
from views.pages.organizations import OrganizationsPage
from views.pages.people import PeoplePage
from views.pages.projects import ProjectsPage
from views.pages.reports import ReportsPage
from views.pages.teams import TeamsPage
from views.pages.venues import VenuesPage
from views.setup.guide import SetupGuide

NOW = dt.datetime.now().replace(microsecond=0)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def no_internal_errors(monkeypatch):
    monkeypatch.setattr(tasks, "show_internal_error", pytest.fail)


@pytest.fixture
def demo(ctx):
    fill_demo(300, seed=21, today=TODAY)
    return ctx


def open_window(qtbot, ctx) -> tuple[MainWindow, HomePage]:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1000, 650)
    window.show()
    qtbot.waitExposed(window)
    home = window.current_page()
    assert isinstance(home, HomePage)
    qtbot.waitUntil(home.is_filled, timeout=10000)
    return window, home


def link(home: HomePage, card: str, label: str):
    """The figure line ``label`` of the card titled ``card``."""
    for widget in home.cards.items:
        heading = widget.layout().itemAt(0).widget().text()
        if heading == card:
            return next(x for x in widget.links if x.label.text() == label)
    raise LookupError(card)


def reminder_texts(home: HomePage) -> list[str]:
    box = home.reminders.lines
    return [box.itemAt(i).widget().text.text() for i in range(box.count())]


def reminder(home: HomePage, start: str):
    box = home.reminders.lines
    return next(box.itemAt(i).widget() for i in range(box.count())
                if box.itemAt(i).widget().text.text().startswith(start))


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def test_the_window_opens_on_the_figures_of_the_year(qtbot, demo):
    window, home = open_window(qtbot, demo)
    figures = home_figures(None, TODAY)
    assert window.nav.currentItem().text() == "工作台"
    assert f"{TODAY.year}年（截至{TODAY.month}月{TODAY.day}日）" in home.heading.text()
    assert link(home, "社会组织（在册）", "合计").value.text() == f"{figures.organizations:,}"
    assert link(home, "社会组织（在册）", "萌芽期").value.text() == f"{figures.stages['sprouting']:,}"
    assert link(home, "人员（在册）", "义工").value.text() == f"{figures.roles['volunteer']:,}"
    assert link(home, "三工联动团队", "不齐全").value.text() == str(figures.teams_incomplete)
    assert link(home, "志愿服务", "本年服务时长（小时）").value.text() == f"{figures.service_hours:,.1f}"
    assert [v.spec.key for v in home.chart_views] == ["stages", "projects", "hours", "areas"]
    assert window.is_filled()


@pytest.mark.parametrize(("card", "label", "page_class", "filters"), [
    ("社会组织（在册）", "萌芽期", OrganizationsPage, {"stage": "sprouting", "archived": False}),
    ("社会组织（在册）", "未入孵", OrganizationsPage, {"stage": "none"}),
    ("人员（在册）", "社工", PeoplePage, {"role": "social_worker"}),
    ("三工联动团队", "不齐全", TeamsPage, {"complete": False}),
    ("活动阵地", "阵地", VenuesPage, {"township_id": None}),
    ("活动阵地", "本年阵地活动（场）", ActivitiesPage,
     {"year": TODAY.year, "place": "venue", "archived": None}),
    ("本年在实施项目（个 / 万元）", "微创投", ProjectsPage,
     {"source": "micro_venture", "running_in": TODAY.year, "archived": None}),
    ("志愿服务", "注册志愿者", PeoplePage, {"role": "volunteer"}),
])
def test_clicking_a_figure_opens_its_list_filtered_to_it(qtbot, demo, card, label, page_class, filters):
    window, home = open_window(qtbot, demo)
    figure = link(home, card, label)
    click(qtbot, figure)
    page = window.current_page()
    assert isinstance(page, page_class) and window.nav.currentItem().text() == page.windowTitle()
    shown = page.current_filter()
    for field, value in filters.items():
        assert getattr(shown, field) == value, field
        assert page.filter_widgets[field].value() == value  # the filter bar says so too
    count = int(figure.value.text().split(" / ")[0].replace(",", ""))
    assert page.model.total == count > 0
    assert page.status.text() == f"共 {count} 条"


def test_a_township_office_sees_its_own_township_and_keeps_the_choice(qtbot, demo):
    window, home = open_window(qtbot, demo)
    township = Region.select().where(Region.level == "township").order_by(Region.sort_order).first()
    with qtbot.waitSignal(home.loaded, timeout=10000):
        home.area.setValue(township.id)
    figures = home_figures(township.id, TODAY)
    assert home.heading.text().startswith(township.name)
    assert link(home, "人员（在册）", "义工").value.text() == f"{figures.roles['volunteer']:,}"
    click(qtbot, link(home, "社会组织（在册）", "合计"))
    orgs = window.current_page()
    assert orgs.township_filter.value() == township.id and orgs.model.total == figures.organizations
    window.close()
    _again, home = open_window(qtbot, demo)
    assert home.township_id() == township.id


@pytest.fixture
def planted(ctx, user):
    """A county with one organization incubating for 14 months, a team without a social worker,
    a booking tomorrow, and a backup 8 days old."""
    county = Region.create(name="青禾县", level="county")
    east = Region.create(name="东关街道", level="township", parent=county)
    started = TODAY - dt.timedelta(days=430)
    org = Organization.create(name="东关巧娘工坊", kind="grassroots", region=east,
                              incubation_stage="sprouting", stage_since=started)
    OrganizationStage.create(organization=org, stage="sprouting", entered_on=started)
    recent = Organization.create(name="刚入孵的读书会", kind="grassroots", region=east,
                                 incubation_stage="sprouting", stage_since=TODAY)
    OrganizationStage.create(organization=recent, stage="sprouting", entered_on=TODAY)
    team = Team.create(name="东关三工队", region=east)
    for name, role in (("王芳", "cadre"), ("赵敏", "volunteer")):
        TeamAssignment.create(team=team, person=Person.create(name=name, region=east), role=role)
    venue = Venue.create(name="东关妇女儿童之家", level="town", kind="women_children_home", region=east)
    tomorrow = dt.datetime.combine(TODAY + dt.timedelta(days=1), dt.time(14, 30))
    Booking.create(venue=venue, organization=org, starts_at=tomorrow,
                   ends_at=tomorrow + dt.timedelta(hours=2), purpose="编织培训")
    if ctx.db_path is not None:
        folder = backups_folder()
        folder.mkdir(parents=True, exist_ok=True)
        (folder / backup_name(ctx.db_path, NOW - dt.timedelta(days=8), "daily")).write_bytes(b"")
    return {"org": org, "team": team, "venue": venue}


def test_reminders_follow_the_data_and_lead_where_it_is_done(qtbot, ctx, planted):
    window, home = open_window(qtbot, ctx)
    texts = reminder_texts(home)
    assert "孵化超过 12 个月仍未出壳：1 个组织" in texts
    assert "三工联动团队未齐全：东关三工队（缺社工）" in texts
    assert "还没有社工参与的三工联动团队：东关街道" in texts
    assert "未来 7 天的场地预约：1 场" in texts
    assert any(t.strip().startswith("明天 14:30–16:30") and "东关巧娘工坊（编织培训）" in t for t in texts)
    assert any(t.startswith("下次报送：") for t in texts)
    if ctx.db_path is not None:
        assert any(t.startswith("已有 8 天没有备份（超过 7 天）。最近一次备份：") for t in texts)
        assert reminder(home, "已有 8 天").warning
    else:
        assert "数据库在服务器上，没有本机备份文件：请由服务器管理员用 pg_dump 定期备份。" in texts
    assert "还没有导入过数据。" in texts

    click(qtbot, reminder(home, "孵化超过").buttons[0])
    orgs = window.current_page()
    assert isinstance(orgs, OrganizationsPage) and orgs.stage_filter.value() == OVERDUE
    assert orgs.model.total == 1 and orgs.model.row_at(0).values[0] == "东关巧娘工坊"
    assert orgs.model.row_at(0).flagged  # the list marks it as overdue too

    with qtbot.waitSignal(home.loaded, timeout=10000):
        window.open_page(HomePage)
    click(qtbot, reminder(home, "三工联动团队未齐全").buttons[0])
    teams = window.current_page()
    assert isinstance(teams, TeamsPage) and teams.complete_filter.value() is False and teams.model.total == 1

    with qtbot.waitSignal(home.loaded, timeout=10000):
        window.open_page(HomePage)
    click(qtbot, reminder(home, "　明天").buttons[0])
    venues = window.current_page()
    assert isinstance(venues, VenuesPage) and venues.detail.isVisible()
    assert "东关妇女儿童之家" in venues.detail.windowTitle()
    venues.detail.close()

    with qtbot.waitSignal(home.loaded, timeout=10000):
        window.open_page(HomePage)
    report = home.data.reminders.report
    click(qtbot, reminder(home, "下次报送").buttons[0])
    reports = window.current_page()
    assert isinstance(reports, ReportsPage) and reports.report.value() == "summary"
    assert reports.period.period() == report.period and reports.area.value() is None


@pytest.mark.sqlite_only
def test_backing_up_from_the_reminder_clears_it(qtbot, ctx, planted):
    _window, home = open_window(qtbot, ctx)
    button = reminder(home, "已有 8 天").buttons[0]
    with qtbot.waitSignal(home.loaded, timeout=20000):
        click(qtbot, button)
    assert any(t.startswith(f"最近一次备份：{TODAY.year}年") and t.endswith("（手动备份）")
               for t in reminder_texts(home))
    assert not any(t.startswith("已有") for t in reminder_texts(home))


def test_a_viewer_sees_the_figures_but_not_the_import_or_backup_buttons(qtbot, ctx, planted):
    ctx.user = User.create(username="chakan", display_name="查看员", role="viewer")
    _window, home = open_window(qtbot, ctx)
    assert "孵化超过 12 个月仍未出壳：1 个组织" in reminder_texts(home)
    assert reminder(home, "还没有导入").buttons == []
    if ctx.db_path is not None:
        assert reminder(home, "已有 8 天").buttons == []


def non_white(image: QImage) -> int:
    white = QColor(Qt.GlobalColor.white).rgb()
    return sum(1 for y in range(0, image.height(), 2) for x in range(0, image.width(), 2)
               if image.pixel(x, y) != white)


def has_colour(image: QImage, colour) -> bool:
    wanted = QColor.fromRgbF(*colour)
    return any(QColor(image.pixel(x, y)).name() == wanted.name()
               for y in range(0, image.height(), 3) for x in range(0, image.width(), 3))


def test_charts_are_drawn_in_the_bundled_cjk_font(qtbot, demo):
    _window, home = open_window(qtbot, demo)
    view = home.chart_views[0]
    home.scroll.ensureWidgetVisible(view)
    font = chart_font(13, view.logicalDpiY())
    assert QFontInfo(font).family() == CJK_FONT_FAMILY  # the bundled font, not a fallback
    assert all(QFontMetrics(font).inFontUcs4(ord(ch)) for ch in view.spec.title + "萌芽期初创期发展期出壳")
    texts = view.drawing().texts()
    assert texts[0] == "社会组织孵化进程" and "萌芽期" in texts and "出壳" in texts
    image = view.image()
    assert image.width() == view.width() * 2 and non_white(image) > 500
    assert has_colour(image, PALETTE["stages"][0])  # the first layer of the funnel is there
    title_band = image.copy(0, 0, image.width() // 2, int(view.drawing().height * 2 * 0.1))
    assert non_white(title_band) > 50  # the title's glyphs were drawn


def test_a_chart_is_copied_or_saved_as_png_from_its_menu(qtbot, demo, tmp_path, file_dialogs):
    _window, home = open_window(qtbot, demo)
    view = home.chart_views[2]  # volunteer hours by month
    QGuiApplication.clipboard().clear()
    view.copy_action.trigger()
    copied = QGuiApplication.clipboard().image()
    assert not copied.isNull() and copied.width() == view.width() * 2

    file_dialogs.answer(tmp_path / "志愿服务时长")
    view.save_action.trigger()
    saved = tmp_path / "志愿服务时长.png"
    data = saved.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (view.width() * 2, view.height() * 2)
    assert file_dialogs.asked[0].title == "另存为 PNG" and "PNG 图片 (*.png)" in file_dialogs.asked[0].filters
    assert view.contextMenuPolicy() == Qt.ContextMenuPolicy.ActionsContextMenu  # the right button's menu
    assert [a.text() for a in view.actions()] == ["复制图片", "另存为 PNG…"]


def test_what_the_office_has_not_set_up_comes_first_and_opens_the_guide(qtbot, ctx, planted):
    _window, home = open_window(qtbot, ctx)
    texts = reminder_texts(home)
    assert texts[0].startswith("本单位设置未完成：本单位：单位名称（填报单位）、级别、区划代码、上级单位（")
    assert any(t.startswith("本单位设置未完成：报表表头表尾：") for t in texts)
    click(qtbot, reminder(home, "本单位设置未完成：本单位").buttons[0])
    guide = home.window().findChild(SetupGuide)
    assert guide is not None and guide.isVisible()
    guide.reject()
    set_settings({"office.name": "东关街道妇女联合会", "office.level": "township", "office.code": "321023001",
                  "office.parent_unit": "青禾县妇女联合会"}, ctx.user)
    with qtbot.waitSignal(home.loaded, timeout=10000):
        home.reload()
    assert not any(t.startswith("本单位设置未完成：本单位：") for t in reminder_texts(home))


def test_a_township_federation_opens_on_its_own_township(qtbot, ctx, planted):
    east = Region.get(Region.name == "东关街道")
    east.code = "321023001"
    east.save()
    set_settings({"office.level": "township", "office.code": "321023001"}, ctx.user)
    window, home = open_window(qtbot, ctx)
    assert home.township_id() == east.id and home.heading.text().startswith("东关街道")
    with qtbot.waitSignal(home.loaded, timeout=10000):
        home.area.setValue(None)  # this PC looks at the whole county from now on
    window.close()
    _again, home = open_window(qtbot, ctx)
    assert home.township_id() is None and home.heading.text().startswith("青禾县")
