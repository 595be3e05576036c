"""The home page's 待办提醒: one line per thing to do, with a button that goes where it is done."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QVBoxLayout, QWidget

from desktop.context import AppContext
from models.choices import PERSON_ROLES
from models.permissions import can

from ..home_widgets import ReminderLine
from ..i18n import tr_label, tr_msg
from ..tasks import Task, run_task

if TYPE_CHECKING:
    from desktop.home import HomeData

BOOKINGS_SHOWN = 3
TEAMS_NAMED = 3
PROJECTS_NAMED = 3
REPORT_WARN_DAYS = 7

Go = Callable[[str, Callable[[Any], object] | None], None]


def _when(moment: dt.datetime) -> str:
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"


@dataclass
class _Line:
    """A line to show: its text, whether it warns, and its buttons (text, action, tool tip)."""

    text: str
    warning: bool
    buttons: list[tuple[str, Callable[[], None], str]] = field(default_factory=list)

    def add_button(self, text: str, on_click: Callable[[], None], hint: str = "") -> None:
        self.buttons.append((text, on_click, hint))

    def looks(self) -> tuple:
        return self.text, self.warning, tuple(text for text, _action, _hint in self.buttons)


class RemindersBox(QWidget):
    """``go(page class, then)`` shows a page of the window and does ``then(page)`` on it;
    ``done`` runs after the box itself did something (a backup) that changes what it says."""

    def __init__(self, ctx: AppContext, go: Go, done: Callable[[], None], parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.go = go
        self.done = done
        self.lines = QVBoxLayout(self)
        self.lines.setContentsMargins(0, 0, 0, 0)
        self.lines.setSpacing(0)
        self._pending: list[_Line] = []
        self._shown: list[tuple] = []

    def line(self, text: str, warning: bool = False) -> _Line:
        line = _Line(text, warning)
        self._pending.append(line)
        return line

    def list_link(self, page: str, flt: Any) -> Callable[[], None]:
        return lambda: self.go(page, lambda shown: shown.show_filter(flt))

    def fill(self, data: HomeData) -> None:
        from models.organization_listing import OVERDUE, OrganizationFilter

        self._pending = []
        township = data.figures.township_id
        self._setup(data)
        overdue = data.figures.overdue
        if overdue:
            line = self.line(self.tr("孵化超过 12 个月仍未出壳：{n} 个组织").format(n=overdue), True)
            line.add_button(self.tr("查看"), self.list_link(
                "OrganizationsPage", OrganizationFilter(stage=OVERDUE, township_id=township)))
        self._teams(data, township)
        self._behind(data, township)
        self._bookings(data)
        self._report(data, township)
        self._backup(data)
        self._import(data)
        self._show(self._pending)

    def _show(self, lines: list[_Line]) -> None:
        """The lines on screen: the same lines as before keep their widgets (only what their
        buttons do is renewed), other lines replace them."""
        looks = [line.looks() for line in lines]
        if looks == self._shown:
            for i, line in enumerate(lines):
                self.lines.itemAt(i).widget().targets = [action for _text, action, _hint in line.buttons]
            return
        while self.lines.count():
            self.lines.takeAt(0).widget().deleteLater()
        for line in lines:
            widget = ReminderLine(line.text, line.warning, self)
            for text, action, hint in line.buttons:
                widget.add_button(text, action, hint)
            self.lines.addWidget(widget)
        self._shown = looks

    def _setup(self, data: HomeData) -> None:
        """What the office has not set up yet (models/setup_status.py), first."""
        for item in data.setup:
            line = self.line(self.tr("本单位设置未完成：{title}：{what}（{where}）").format(
                title=tr_msg(item.title), what="、".join(tr_msg(m) for m in item.missing),
                where=tr_msg(item.where)), True)
            if can(self.ctx.user, "settings"):
                line.add_button(self.tr("设置向导…"), self.open_setup_guide)

    def open_setup_guide(self) -> None:
        from ..setup.guide import open_setup_guide  # its pages load when it is first opened

        open_setup_guide(self.window(), self.ctx)

    def _teams(self, data: HomeData, township: int | None) -> None:
        from models.team_listing import TeamFilter

        gaps = data.reminders.incomplete_teams
        if gaps:
            named = "、".join(
                self.tr("{team}（缺{roles}）").format(
                    team=gap.name, roles="、".join(tr_label(PERSON_ROLES.label(c)) for c in gap.missing))
                for gap in gaps[:TEAMS_NAMED])
            if len(gaps) > TEAMS_NAMED:
                named += self.tr(" 等 {n} 个").format(n=len(gaps))
            line = self.line(self.tr("三工联动团队未齐全：{teams}").format(teams=named), True)
            line.add_button(self.tr("查看"),
                            self.list_link("TeamsPage", TeamFilter(township_id=township, complete=False)))
        lacking = data.reminders.townships_without_social_worker
        if lacking:
            names = "、".join(t.name for t in lacking)
            text = self.tr("还没有社工参与的三工联动团队：{townships}").format(townships=names)
            self.line(text, True).add_button(
                self.tr("按镇街查看"), lambda: self.go("TeamsPage", lambda page: page.show_townships()))

    def _behind(self, data: HomeData, township: int | None) -> None:
        from models.project_listing import ProjectFilter

        behind = data.reminders.behind_schedule
        if not behind:
            return
        named = "、".join(f"{b.project}（{b.organization}）" if b.organization else b.project
                         for b in behind[:PROJECTS_NAMED])
        if len(behind) > PROJECTS_NAMED:
            named += self.tr(" 等 {n} 个").format(n=len(behind))
        line = self.line(self.tr("项目进度滞后（节点逾期未完成）：{projects}").format(projects=named), True)
        line.add_button(self.tr("查看"), self.list_link(
            "ProjectsPage", ProjectFilter(township_id=township, behind=True)))

    def _bookings(self, data: HomeData) -> None:
        bookings, today = data.reminders.bookings, data.loaded_at.date()
        if not bookings:
            self.line(self.tr("未来 7 天没有场地预约。"))
            return
        self.line(self.tr("未来 7 天的场地预约：{n} 场").format(n=len(bookings)))
        for booking in bookings[:BOOKINGS_SHOWN]:
            start = booking.starts_at
            day = {0: self.tr("今天"), 1: self.tr("明天")}.get((start.date() - today).days)
            day = day or self.tr("{month}月{day}日").format(month=start.month, day=start.day)
            purpose = self.tr("（{purpose}）").format(purpose=booking.purpose) if booking.purpose else ""
            line = self.line(f"　{day} {start:%H:%M}–{booking.ends_at:%H:%M}　"
                             f"{booking.venue}　{booking.holder}{purpose}")
            line.add_button(self.tr("阵地详情"), lambda venue=booking.venue_id: self.go(
                "VenuesPage", lambda page: page.show_venue(venue)))

    def _report(self, data: HomeData, township: int | None) -> None:
        due, period = data.reminders.report.due_on, data.reminders.report.period
        left = (due - data.loaded_at.date()).days
        text = self.tr("下次报送：{period}统计报表，截止 {due}（还有 {days} 天）").format(
            period=period.label, due=f"{due.year}年{due.month}月{due.day}日", days=left)
        line = self.line(text, left <= REPORT_WARN_DAYS)
        line.add_button(self.tr("去报表页"),
                        lambda: self.go("ReportsPage", lambda page: page.choose_summary(period, township)),
                        self.tr("报送周期和期限可在“设置”中修改"))

    def _backup(self, data: HomeData) -> None:
        from desktop.home import BACKUP_WARN_DAYS

        backup = data.backup
        if backup.on_server:
            self.line(self.tr("数据库在服务器上，没有本机备份文件：请由服务器管理员用 pg_dump 定期备份。"))
            return
        if backup.newest is None:
            text = self.tr("还没有备份过数据库。")
        else:
            text = self.tr("最近一次备份：{when}（{reason}）").format(
                when=_when(backup.newest.made_at), reason=backup.newest.reason_label)
            if backup.overdue:
                text = self.tr("已有 {days} 天没有备份（超过 {limit} 天）。").format(
                    days=backup.age_days, limit=BACKUP_WARN_DAYS) + text
        line = self.line(text, backup.overdue)
        if backup.overdue and can(self.ctx.user, "backup"):
            line.add_button(self.tr("立即备份"), self.back_up,
                            self.tr("备份到数据文件夹的 backups 中（另存到 U 盘等处请用“文件 ▸ 备份到…”）"))

    def back_up(self) -> Task:
        """A backup into the backups folder now (a window left open for days makes no daily
        backup), after which the reminders are read again."""
        from desktop.backup import automatic_backup

        db_path = self.ctx.db_path
        return run_task(self, self.tr("备份"), self.tr("正在备份数据库…"),
                        lambda _job: automatic_backup(db_path, db_path, "manual"), lambda _path: self.done())

    def _import(self, data: HomeData) -> None:
        batch = data.last_import
        if batch is None:
            line = self.line(self.tr("还没有导入过数据。"))
        else:
            kind = {"people": self.tr("人员"), "orgs": self.tr("社会组织")}.get(batch.kind, batch.kind)
            undone = self.tr("，已撤销") if batch.undone else ""
            line = self.line(self.tr("最近一次导入：{when} {operator}导入{kind}“{file}”"
                                     "（新增 {created}、更新 {updated}{undone}）").format(
                when=_when(batch.at), operator=batch.operator, kind=kind, file=batch.file_name,
                created=batch.created, updated=batch.updated, undone=undone))
        if can(self.ctx.user, "import"):
            line.add_button(self.tr("导入记录"), lambda: self.go(
                "ImportPage", lambda page: page.tabs.setCurrentWidget(page.history)))
