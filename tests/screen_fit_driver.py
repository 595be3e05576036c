"""Open every page, form and dialog of the window on a screen of a given size; report where each
window and its buttons ended up (not a test module: tests/views/test_screen_fit.py runs it).

``python -m tests.screen_fit_driver DB WIDTH HEIGHT OUT.json`` runs on Qt's offscreen platform with
one screen of WIDTH×HEIGHT (the area a task bar leaves), and writes a list of
{"name", "frame": [x, y, w, h], "buttons": [[text, x, y, w, h], ...], "min": [w, h]} for the main
window on every page and for every window that opened.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path


def configure_screen(width: int, height: int) -> None:
    config = Path(tempfile.mkdtemp()) / "screen.json"
    config.write_text(json.dumps({"screens": [{
        "name": "office", "x": 0, "y": 0, "width": width, "height": height,
        "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"


def main() -> int:
    db, width, height, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])
    configure_screen(width, height)

    import shiboken6
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import (
        QAbstractButton,
        QApplication,
        QDialog,
        QFileDialog,
        QLabel,
        QMessageBox,
        QPushButton,
    )

    from desktop.app import create_application
    from desktop.context import build_context
    from views.detail import DetailDialog
    from views.list_page import ListPage
    from views.main_window import MainWindow

    app = create_application()
    ctx = build_context(db)
    window = MainWindow(ctx)
    window.show_fitted()
    app.processEvents()
    seen: list[dict] = []
    recorded: set[int] = set()
    kept: list = []  # the windows noted, held so that their ids are not reused by new ones

    def note(widget) -> None:
        recorded.add(id(widget))
        kept.append(widget)

    def describe(widget, name: str) -> None:
        app.processEvents()
        frame = widget.frameGeometry()
        buttons = []
        for button in widget.findChildren(QAbstractButton):
            if button.isVisible() and isinstance(button, QPushButton):
                top_left = button.mapToGlobal(button.rect().topLeft())
                buttons.append([button.text(), top_left.x(), top_left.y(), button.width(), button.height()])
        # Wrapped labels squeezed below the height their lines take at their width: text cut off.
        cut = [label.text()[:30] for label in widget.findChildren(QLabel)
               if label.isVisible() and label.wordWrap() and label.text()
               and label.heightForWidth(label.width()) > label.height() + 2]
        seen.append({"name": name, "frame": [frame.x(), frame.y(), frame.width(), frame.height()],
                     "buttons": buttons, "cut": cut,
                     "min": [widget.minimumSizeHint().width(), widget.minimumSizeHint().height()]})

    def new_windows() -> list:
        return [w for w in QApplication.topLevelWidgets()
                if w.isVisible() and w is not window and id(w) not in recorded]

    def blocking_boxes() -> None:
        """Message boxes and file dialogs opened with exec() (and, from menus, any dialog):
        noted, then answered No/Cancel."""
        for w in new_windows():
            if isinstance(w, (QMessageBox, QFileDialog)) or (current.get("menu") and isinstance(w, QDialog)):
                note(w)
                describe(w, f"{current['where']} › {type(w).__name__}：{w.windowTitle()}")
                w.reject()

    current = {"where": ""}
    watcher = QTimer()
    watcher.timeout.connect(blocking_boxes)
    watcher.start(30)

    def settle() -> None:
        for _ in range(5):
            app.processEvents()

    def close_all() -> None:
        for w in QApplication.topLevelWidgets():
            if w is not window and w.isVisible():
                if isinstance(w, QDialog):
                    w.reject()
                else:
                    w.close()
        settle()

    def crawl(where: str, depth: int) -> None:
        """Note each new window; look inside details (their own buttons) one level down."""
        settle()
        for w in new_windows():
            if not shiboken6.isValid(w):
                continue  # closed by itself meanwhile (a print preview whose task ended)
            note(w)
            name = f"{where} › {w.windowTitle() or type(w).__name__}"
            describe(w, name)
            if depth and isinstance(w, DetailDialog):
                closing = set(w.buttons.buttons())  # its 关闭 would end the look inside
                for button in [b for b in w.findChildren(QPushButton)
                               if b.isVisible() and b.isEnabled() and b not in closing]:
                    if not shiboken6.isValid(button) or not w.isVisible():
                        continue
                    current["where"] = f"{name} › {button.text()}"
                    print(current["where"], file=sys.stderr, flush=True)  # where a hang happened
                    before = {id(x) for x in QApplication.topLevelWidgets() if x.isVisible()}
                    button.click()
                    settle()
                    for x in QApplication.topLevelWidgets():
                        if x.isVisible() and id(x) not in before and id(x) not in recorded:
                            note(x)
                            describe(x, f"{name} › {button.text()} › {x.windowTitle()}")
                            x.reject() if isinstance(x, QDialog) else x.close()
                    settle()

    for row in range(window.nav.count()):
        title = window.nav.item(row).text()
        window.nav.setCurrentRow(row)
        settle()
        describe(window, f"主窗口 › {title}")
        page = window.current_page()
        current["where"] = title
        if isinstance(page, ListPage):
            if not page.read_only:
                page.create_new()
                crawl(f"{title} › 新建", 0)
                close_all()
            if page.model.rowCount():
                page.table.selectRow(0)
                page.open_selected()
                crawl(f"{title} › 打开", 1)
                close_all()
                page.table.selectRow(0)
        for button in [b for b in page.findChildren(QPushButton) if b.isVisible() and b.isEnabled()]:
            if not shiboken6.isValid(button):
                continue  # the page laid itself out again meanwhile (the home page's reminders)
            if "导出" in button.text() or "浏览" in button.text() or "选择文件" in button.text():
                continue  # file dialogs are Qt's own and fitted as any window
            current["where"] = f"{title} › {button.text()}"
            button.click()
            crawl(current["where"], 1)
            close_all()
            window.nav.setCurrentRow(row)
    # Windows no page button opens: the login, the first administrator, the password change,
    # the server connection, a save conflict, the print preview, the menus' dialogs.
    from PySide6.QtCore import QSettings

    from views.account_forms import ChangePasswordDialog, FirstAdminDialog
    from views.connect_dialog import ConnectDialog
    from views.key_dialogs import RecoveryKeyDialog, RecoveryLoginDialog
    from views.login import LoginDialog

    others = [
        ("登录", lambda: LoginDialog(QSettings(str(ctx.ui_settings_path), QSettings.Format.IniFormat))),
        ("设置管理员", lambda: FirstAdminDialog()),
        ("修改密码", lambda: ChangePasswordDialog(ctx, window)),
        ("恢复密钥", lambda: key_kept(RecoveryKeyDialog("ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567", window))),
        ("用恢复密钥打开", lambda: RecoveryLoginDialog(ctx, window)),
        ("连接数据库服务器", lambda: ConnectDialog(ctx.db_path, window)),
        ("记录已被他人修改", lambda: conflict_dialog(window)),
        ("打印预览", lambda: preview_dialog(window, out.parent)),
        ("合并重复记录（人员）", lambda: merge_dialog(ctx, "people", window)),
        ("合并重复记录（社会组织）", lambda: merge_dialog(ctx, "orgs", window)),
        *venture_dialogs(ctx, window),
    ]
    for name, make in others:
        current["where"] = name
        dialog = make()
        dialog.open()
        crawl(name, 0)
        close_all()
    for action in window.menuBar().actions():
        for item in action.menu().actions():
            text = item.text()
            if item.isEnabled() and text and not any(w in text for w in ("退出", "切换用户")):
                current["where"] = f"菜单 › {item.text()}"
                current["menu"] = True  # menu dialogs run with exec(): the watcher answers them
                item.trigger()
                current["menu"] = False
                crawl(current["where"], 0)
                close_all()
    watcher.stop()
    out.write_text(json.dumps(seen, ensure_ascii=False, indent=1))
    window.close()  # lets the home page's reading end before the database closes
    ctx.close()
    return 0


def key_kept(dialog):
    """The recovery key's dialog closes only once its keeping is confirmed."""
    dialog.kept.setChecked(True)
    return dialog


def venture_dialogs(ctx, parent) -> list:
    """A round's forms (on the demo's finished round) and a funded project's supervision forms
    (on a project of the round in progress): opened whatever state the crawl finds them in."""
    from models.entities import Project
    from models.venture_entities import VentureApplication, VentureRound
    from views.pages import supervision, venture_dialogs

    rnd = VentureRound.select().order_by(VentureRound.id).first()
    if rnd is None:
        return []
    application = VentureApplication.select().where(VentureApplication.round == rnd).first()
    running = (Project.select().join(VentureApplication, on=(VentureApplication.project == Project.id))
               .where(Project.status.in_(("approved", "in_progress"))).first())
    found = [
        ("新建申报", lambda: venture_dialogs.ApplicationForm(ctx, rnd, parent=parent)),
        ("编辑申报", lambda: venture_dialogs.ApplicationForm(ctx, rnd, application, parent=parent)),
        ("改状态", lambda: venture_dialogs.StatusDialog(ctx, application, parent=parent)),
        ("评分项", lambda: venture_dialogs.CriteriaDialog(ctx, rnd, parent=parent)),
        ("添加专家", lambda: venture_dialogs.ReviewerForm(ctx, rnd, parent=parent)),
        ("确定入选名单", lambda: venture_dialogs.SelectionDialog(ctx, rnd, parent=parent)),
        ("从申报表导入", lambda: venture_dialogs.ApplicationImportDialog(
            ctx, rnd, "2026年度妇联微创投申报汇总表（各镇街报送）.xlsx", _import_plan(rnd), parent=parent)),
    ]
    if running is not None:
        found += [(title, lambda form=form: form(ctx, running, parent=parent)) for title, form in (
            ("添加节点", supervision.MilestoneForm), ("节点完成", supervision.MilestoneDoneForm),
            ("记录督导", supervision.VisitForm), ("拨付", supervision.PaymentForm),
            ("结项评估", supervision.EvaluationForm))]
    return found


def _import_plan(rnd):
    """A sheet's preview as an office's would look: rows to create and rows refused, with the
    longest reasons the planner gives."""
    from decimal import Decimal

    from models.i18n import msg
    from models.venture import ApplicationData
    from models.venture_import import ApplicationPlan, PlannedRow

    rows = [PlannedRow(n + 3, f"青禾县西湖镇巾帼志愿服务中心{n}", f"关爱留守儿童“护苗成长”微创投项目{n}",
                       Decimal("30000"), ApplicationData(round_id=rnd.id)) for n in range(30)]
    rows += [PlannedRow(40 + n, "柳树村（巾帼）读书会", "巾帼读书分享会", Decimal("45000"), None, msg(
        "第 {row} 行“申报组织”：名册里没有信用代码为 52331000MJ0000001X 或名为“柳树村（巾帼）读书会”的组织，"
        "请先在“组织”页登记它", row=40 + n)) for n in range(10)]
    return ApplicationPlan(rows)


def preview_dialog(parent, folder):
    """The print preview of a one-page report."""
    from pathlib import Path

    from desktop.reports import pdf
    from views.printing import preview_pdf

    path = Path(folder) / "preview.pdf"
    pdf.build_pdf(path, [pdf.para("青禾县志愿者花名册", pdf.styles().title)])
    return preview_pdf(parent, path, "花名册")


def merge_dialog(ctx, kind: str, parent):
    """The merge screen for the first two records of ``kind`` (the organizations: 19 fields)."""
    from models.merge import MODELS
    from views.merge_dialog import MergeDialog

    model = MODELS[kind]
    first, second = model.select(model.id).where(~model.archived).order_by(model.id).limit(2).tuples()
    return MergeDialog(ctx, kind, first[0], second[0], parent)


def conflict_dialog(parent):
    """A save refused because another clerk changed the person meanwhile (a real refusal)."""
    import dataclasses

    from models.entities import Person
    from models.errors import StaleRecord
    from models.people import PersonData, save_person
    from views.conflict_dialog import ConflictDialog

    person = Person.select().order_by(Person.id).first()
    mine, theirs = Person.get_by_id(person.id), Person.get_by_id(person.id)
    import time

    save_person(dataclasses.replace(PersonData.from_person(theirs), notes=f"对方的修改 {time.time()}"),
                None, theirs)
    try:
        save_person(dataclasses.replace(PersonData.from_person(mine), phone="13800000000",
                                        notes="我的修改"), None, mine)
    except StaleRecord as e:
        return ConflictDialog(e, False, parent)
    raise AssertionError("the second save was not refused")


if __name__ == "__main__":
    sys.exit(main())
