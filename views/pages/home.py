"""The home page (工作台): the year's figures of the office's area, what needs doing, and charts.

Everything is read in one go off the GUI thread (desktop/home.py) when the page is built,
shown again, or its area changed; the page then lays out what came back. Each figure opens
its list page filtered to exactly what it counts (``ListPage.show_filter``); each reminder
goes where the thing is done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings, Signal
from PySide6.QtGui import QFont, QKeySequence
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from desktop.context import AppContext
from models import lookups
from models.choices import INCUBATION_STAGES, PERSON_ROLES, PROJECT_SOURCES
from models.office import office_township

from ..home_widgets import FigureCard, FigureLink, FoldingGrid
from ..i18n import tr_label
from ..search_combo import SearchCombo
from ..tasks import BackgroundLoad
from ..widgets import set_shortcut
from .home_reminders import RemindersBox

if TYPE_CHECKING:  # read and drawn once the window shows (the home page loads them then)
    from desktop.home import HomeData
    from models.home import HomeFigures

    from ..chart_view import ChartView

AREA_KEY = "home/township"  # the area chosen on this PC: a township's id, 0 for the county
CARD_WIDTH = 230  # a card's least width: the six cards in two rows of three from 1000 pixels on
CHART_WIDTH = 380  # the four charts two by two from a 1000-pixel page on


@dataclass(frozen=True)
class Destination:
    """Where a figure or reminder leads: a page of the window, and what to do on it."""

    page: str  # the page class's name: pages load when first opened (views.main_window)
    then: Callable[[Any], object] | None = None


def _count(n: int) -> str:
    return f"{n:,}"


def _wan(amount: Decimal) -> str:
    return f"{amount / 10000:,.2f}"


def _bold(widget: QWidget, scale: float = 1.0) -> None:
    font = QFont(widget.font())
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * scale)
    widget.setFont(font)


class HomePage(QWidget):
    navigate = Signal(object)  # a Destination, for the main window
    loaded = Signal()  # fresh figures are on the page (tests and the benchmark wait for it)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.settings = QSettings(str(ctx.ui_settings_path), QSettings.Format.IniFormat)
        self.data: HomeData | None = None
        self._loading: BackgroundLoad | None = None
        self._load_again = False
        self._shown_before = False
        self._closing = False

        self.heading = QLabel(self.tr("工作台"), self)
        _bold(self.heading, 1.25)
        self.area = SearchCombo(lookups.townships(), self, blank=self.tr("全县"))
        self.area.setObjectName("area")
        self.area.setValue(self._initial_area())
        self.area.currentIndexChanged.connect(self._area_changed)
        area_caption = QLabel(self.tr("范围"), self)
        area_caption.setBuddy(self.area)
        self.updated = QLabel(self.tr("正在统计…"), self)
        self.updated.setObjectName("updated")
        refresh = QPushButton(self.tr("刷新"), self)
        refresh.setToolTip(self.tr("重新统计（F5）"))
        set_shortcut(refresh, QKeySequence("F5"))
        refresh.clicked.connect(self.reload)
        top = QHBoxLayout()
        for widget, stretch in ((self.heading, 1), (area_caption, 0), (self.area, 0), (self.updated, 0),
                                (refresh, 0)):
            top.addWidget(widget, stretch)

        body = QWidget(self)
        self.cards = FoldingGrid(CARD_WIDTH, 3, body)
        self.reminders = RemindersBox(ctx, self.go, self.reload, body)
        self.charts = FoldingGrid(CHART_WIDTH, 2, body)
        self.figures: dict[str, FigureLink] = {}  # the cards' lines: made with the first figures
        self.chart_views: list[ChartView] = []  # made with the first figures, below the fold
        column = QVBoxLayout(body)
        for title, part in ((self.tr("本年概况"), self.cards), (self.tr("待办提醒"), self.reminders),
                            (self.tr("图表"), self.charts)):
            heading = QLabel(title, body)
            _bold(heading)
            heading.setContentsMargins(0, 8, 0, 2)
            column.addWidget(heading)
            column.addWidget(part)
        column.addStretch(1)
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        # Set by name: Qt.ScrollBarPolicy would build Qt's whole namespace of enums (~20 ms)
        # before the window shows (views.main_window).
        self.scroll.setProperty("horizontalScrollBarPolicy", "ScrollBarAlwaysOff")
        self.scroll.setWidget(body)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.scroll, 1)
        self.reload()

    # -- reading -----------------------------------------------------------------------
    def is_filled(self) -> bool:
        return self.data is not None

    def township_id(self) -> int | None:
        return self.area.value()

    def reload(self) -> None:
        """Read everything again in the background (once more after a read already running)."""
        if self._closing:
            return
        if self._loading is not None:
            self._load_again = True
            return
        db_path, township_id = self.ctx.db_path, self.township_id()
        self._loading = BackgroundLoad(self, self.tr("工作台"), lambda: _load_home(db_path, township_id),
                                       self._loaded, self._failed).start()

    def _loaded(self, data: HomeData) -> None:
        self._loading = None
        if self._load_again:  # the area changed, or the data, while this was being read
            self._load_again = False
            self.reload()
            return
        self.data = data
        self.fill(data)
        self.loaded.emit()

    def stop_reading(self) -> None:
        """The window closes: let a reading in progress end before the database may be closed,
        and start no other."""
        self._closing = True
        if self._loading is not None:
            self._loading.wait(5)

    def _failed(self) -> None:
        self._loading = None
        self._load_again = False
        self.updated.setText(self.tr("统计失败"))

    def _initial_area(self) -> int | None:
        """The area chosen last on this PC (0: the county); else the office's own township when
        the office is a township's federation; else the county."""
        chosen = self.settings.value(AREA_KEY, None)
        if chosen is None or chosen == "":
            return office_township()
        return int(chosen) or None

    def _area_changed(self) -> None:
        self.settings.setValue(AREA_KEY, self.township_id() or 0)
        self.reload()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._shown_before and not event.spontaneous():  # back from another page, where
            self._refill_areas()  # records may have been changed (not: the window restored from
            self.reload()  # the taskbar)
        self._shown_before = True

    def _refill_areas(self) -> None:
        """The townships again (one may have been added), keeping the one chosen."""
        kept = self.area.value()
        self.area.blockSignals(True)
        self.area.clear()
        self.area.addItem(self.tr("全县"), None)
        for township_id, name in lookups.townships():
            self.area.addItem(name, township_id)
        self.area.setValue(kept)
        self.area.blockSignals(False)

    def changed_elsewhere(self) -> None:
        """Another clerk changed data (on a server)."""
        self.reload()

    # -- going elsewhere ---------------------------------------------------------------
    def go(self, page: str, then: Callable[[Any], object] | None = None) -> None:
        self.navigate.emit(Destination(page, then))

    def _list_link(self, page: str, flt: Any) -> Callable[[], None]:
        return lambda: self.go(page, lambda shown: shown.show_filter(flt))

    # -- filling -----------------------------------------------------------------------
    def _build_cards(self) -> None:
        """The six cards, built with the first figures: each reading shows its figures in them
        (``_show_figures``)."""
        stages = [(f"stage.{code}", tr_label(label), False) for code, label in INCUBATION_STAGES]
        sources = [(f"source.{code}", tr_label(label), False) for code, label in PROJECT_SOURCES]
        roles = [(f"role.{code}", tr_label(label), False) for code, label in PERSON_ROLES]
        cards = (
            (self.tr("社会组织（在册）"), [("orgs", self.tr("合计"), True), *stages,
                                       ("stage.None", self.tr("未入孵"), False)]),
            (self.tr("人员（在册）"), roles),
            (self.tr("三工联动团队"), [("teams", self.tr("合计"), True),
                                   ("teams.True", self.tr("齐全"), False),
                                   ("teams.False", self.tr("不齐全"), False)]),
            (self.tr("活动阵地"), [("venues", self.tr("阵地"), True),
                               ("venue_activities", self.tr("本年阵地活动（场）"), False),
                               ("venue_served", self.tr("服务人次"), False)]),
            (self.tr("本年在实施项目（个 / 万元）"), [("projects", self.tr("合计"), True), *sources]),
            (self.tr("志愿服务"), [("volunteers", self.tr("注册志愿者"), True),
                               ("hours", self.tr("本年服务时长（小时）"), False),
                               ("records", self.tr("本年服务人次"), False)]),
        )
        for title, lines in cards:
            card = self.cards.add(FigureCard(title, self))
            for key, label, headline in lines:
                self.figures[key] = card.add(label, headline)

    def fill(self, data: HomeData) -> None:
        f = data.figures
        self.heading.setText(self.tr("{area} · {year}年（截至{month}月{day}日）").format(
            area=f.area_name, year=f.period.year, month=f.as_of.month, day=f.as_of.day))
        self.updated.setText(self.tr("更新于 {time}").format(time=f"{data.loaded_at:%H:%M:%S}"))
        if not self.figures:  # the first reading: the window showed without waiting for these
            self._build_cards()
        self._show_figures(f)
        self.reminders.fill(data)
        from desktop.reports.charts import home_charts

        specs = home_charts(f)
        if not self.chart_views:
            from ..chart_view import ChartView

            self.chart_views = [self.charts.add(ChartView(self.settings, self.charts)) for _ in specs]
        for view, spec in zip(self.chart_views, specs, strict=True):
            view.set_spec(spec)

    def _show_figures(self, f: HomeFigures) -> None:
        """Each figure with the list it opens, filtered to exactly what it counts."""
        from models.activity_listing import AT_VENUE, ActivityFilter
        from models.organization_listing import NOT_INCUBATED, OrganizationFilter
        from models.person_listing import PersonFilter
        from models.project_listing import ProjectFilter
        from models.team_listing import TeamFilter
        from models.venue_listing import VenueFilter

        t, year = f.township_id, f.period.year
        running = ProjectFilter(running_in=year, township_id=t, archived=None)
        at_venues = ActivityFilter(year=year, place=AT_VENUE if t is None else t, archived=None)
        activities = ActivityFilter(year=year, place=t, archived=None)
        shown: dict[str, tuple[str, str, Any]] = {
            "orgs": (_count(f.organizations), "OrganizationsPage", OrganizationFilter(township_id=t)),
            **{f"stage.{code}": (_count(n), "OrganizationsPage",
                                 OrganizationFilter(stage=code or NOT_INCUBATED, township_id=t))
               for code, n in f.stages.items()},
            **{f"role.{code}": (_count(n), "PeoplePage", PersonFilter(role=code, township_id=t))
               for code, n in f.roles.items()},
            "teams": (_count(f.teams), "TeamsPage", TeamFilter(township_id=t)),
            "teams.True": (_count(f.teams_complete), "TeamsPage", TeamFilter(township_id=t, complete=True)),
            "teams.False": (_count(f.teams_incomplete), "TeamsPage",
                            TeamFilter(township_id=t, complete=False)),
            "venues": (_count(f.venues), "VenuesPage", VenueFilter(township_id=t)),
            "venue_activities": (_count(f.venue_activities), "ActivitiesPage", at_venues),
            "venue_served": (_count(f.venue_served), "ActivitiesPage", at_venues),
            "projects": (f"{_count(f.project_count)} / {_wan(f.project_amount)}", "ProjectsPage", running),
            **{f"source.{code}": (f"{_count(s.count)} / {_wan(s.amount)}", "ProjectsPage",
                                  replace(running, source=code))
               for code, s in f.projects.items()},
            "volunteers": (_count(f.roles["volunteer"]), "PeoplePage",
                           PersonFilter(role="volunteer", township_id=t)),
            "hours": (f"{f.service_hours:,.1f}", "ActivitiesPage", activities),
            "records": (_count(f.service_records), "ActivitiesPage", activities),
        }
        hint = self.tr("打开列表，只显示这些记录")
        activity_hint = self.tr("打开本年的活动列表（各活动的志愿服务时长见“志愿时长合计”列）")
        for key, (value, page, flt) in shown.items():
            self.figures[key].show_figure(value, self._list_link(page, flt),
                                          activity_hint if key in ("hours", "records") else hint)


def _load_home(db_path, township_id: int | None) -> HomeData:
    """The reading, in the worker thread: the modules that count load there, while the window
    shows."""
    from desktop.home import load_home

    return load_home(db_path, township_id)
