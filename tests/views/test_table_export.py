"""Exporting a list page to Excel, as a user does it: filter, sort, 导出 Excel…, open the file."""

from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton

from desktop.reports.output import ExportError
from models.entities import AuditEntry, Region
from models.i18n import msg
from models.people import PersonData, save_person
from models.validators import id_check_char
from views import tasks
from views.pages.people import PeoplePage


def resident_id(serial: int) -> str:
    first17 = f"32010219850312{serial:02d}2"
    return first17 + id_check_char(first17)


@pytest.fixture
def page(qtbot, ctx):
    town = Region.create(name="东关街道", level="township")
    for serial, (name, volunteer) in enumerate(
        [("王芳", True), ("李娜", True), ('=HYPERLINK("x")', True), ("张敏", False), ("陈静", True)], 1
    ):
        save_person(PersonData(name=name, id_number=resident_id(serial), phone=f"139000000{serial:02d}",
                               region_id=town.id, is_volunteer=volunteer), ctx.user)
    widget = PeoplePage(ctx)
    widget.setWindowTitle("人员")
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def opened(monkeypatch):
    urls = []
    monkeypatch.setattr(tasks.QDesktopServices, "openUrl", lambda url: urls.append(url) or True)
    return urls


def choose_file(dialogs, path: Path) -> list:
    """Answer the next save dialog with ``path``; returns the dialogs answered (filled in later)."""
    return dialogs.answer(path)


def export(qtbot, page):
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(page.export_task.finished, timeout=10000):
        pass
    return page.export_task


def test_exports_the_filtered_sorted_rows_and_offers_to_open(qtbot, page, tmp_path, monkeypatch, opened,
                                                             file_dialogs):
    page.role_filter.setValue("volunteer")
    page.table.horizontalHeader().setSortIndicator(4, Qt.SortOrder.DescendingOrder)  # 联系电话
    assert page.model.sort_state == ("name", False)  # phones are stored encrypted: not sortable
    page.table.horizontalHeader().setSortIndicator(8, Qt.SortOrder.DescendingOrder)  # 更新时间, descending
    assert page.model.sort_state == ("updated", True)
    asked = choose_file(file_dialogs, tmp_path / "志愿者")
    task = export(qtbot, page)
    assert task.outcome == "done" and task.result == 4
    assert asked[0].suggested.endswith(".xlsx") and "人员_" in Path(asked[0].suggested).name

    path = tmp_path / "志愿者.xlsx"  # the suffix is added
    ws = load_workbook(path).worksheets[0]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert [r[4] for r in rows] == ["13900000005", "13900000003", "13900000002", "13900000001"]
    formula = ws.cell(5, 1)
    assert formula.value == '=HYPERLINK("x")' and formula.data_type == "s"
    assert rows[0][3] == "320102********" + resident_id(5)[-4:]
    exports = AuditEntry.select().where(AuditEntry.action == "export", AuditEntry.entity == "person")
    assert exports.count() == 1

    box = page.findChild(QMessageBox, "saved")
    assert box is not None and box.isVisible()
    assert "没有加密" not in box.text()  # masked IDs: nothing to warn of
    button = next(b for b in box.buttons() if b.text() == "打开所在文件夹")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert [Path(u.toLocalFile()) for u in opened] == [tmp_path]


def test_a_file_with_full_ids_is_said_to_be_unencrypted_and_the_users_to_keep(qtbot, ctx, page, tmp_path,
                                                                              opened, file_dialogs):
    from models.settings import set_setting

    set_setting("privacy.print_full_id", "1", ctx.user)  # the office prints full IDs; an administrator
    choose_file(file_dialogs, tmp_path / "全部.xlsx")
    assert export(qtbot, page).outcome == "done"
    cells = [c for row in load_workbook(tmp_path / "全部.xlsx").worksheets[0].iter_rows(values_only=True)
             for c in row]
    assert resident_id(1) in cells
    box = page.findChild(QMessageBox, "saved")
    assert "完整的身份证号，没有加密" in box.text() and "妥善保管" in box.text()


def test_the_folder_is_remembered(qtbot, page, tmp_path, monkeypatch, opened, file_dialogs):
    folder = tmp_path / "exports"
    folder.mkdir()
    choose_file(file_dialogs, folder / "a.xlsx")
    export(qtbot, page)
    asked = choose_file(file_dialogs, folder / "b.xlsx")
    export(qtbot, page)
    assert Path(asked[-1].suggested).parent == folder


def test_cancelling_the_dialog_exports_nothing(qtbot, page, tmp_path, monkeypatch, file_dialogs):
    file_dialogs.answer(None)
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    assert getattr(page, "export_task", None) is None
    assert list(tmp_path.glob("*.xlsx")) == []


def test_a_user_error_is_shown_in_chinese(qtbot, page, tmp_path, monkeypatch, file_dialogs):
    choose_file(file_dialogs, tmp_path / "missing" / "x.xlsx")
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warnings.append(text))
    task = export(qtbot, page)
    assert task.outcome == "failed" and isinstance(task.error, ExportError)
    assert "不存在" in warnings[0]


def test_cancel_stops_the_export_and_leaves_no_file(qtbot, page, tmp_path, monkeypatch, file_dialogs):
    path = tmp_path / "x.xlsx"
    started = []

    def slow(job):
        started.append(True)
        while True:
            job.step(1, 2)

    task = tasks.run_task(page, "导出", "正在导出…", slow)
    qtbot.waitUntil(lambda: bool(started))
    cancel = task.dialog.findChild(QPushButton)
    assert cancel.text() == "取消"
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(task.finished, timeout=5000):
        pass
    assert task.outcome == "cancelled" and not path.exists()


def test_a_programming_error_goes_to_the_log_and_the_crash_dialog(qtbot, page, monkeypatch, caplog,
                                                                  file_dialogs):
    shown = []
    monkeypatch.setattr(tasks, "show_internal_error", shown.append)

    def broken(job):
        raise ZeroDivisionError("boom")

    task = tasks.run_task(page, "导出", "正在导出…", broken)
    with qtbot.waitSignal(task.finished, timeout=5000):
        pass
    assert task.outcome == "failed" and "ZeroDivisionError" in shown[0]
    assert any("ZeroDivisionError" in r.getMessage() for r in caplog.records)


def test_an_export_error_message_is_translated_text(qtbot, page, monkeypatch, file_dialogs):
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warnings.append(text))

    def refused(job):
        raise ExportError(msg("未找到组织“{name}”", name="甲"))

    task = tasks.run_task(page, "导出", "正在导出…", refused)
    with qtbot.waitSignal(task.finished, timeout=5000):
        pass
    assert warnings == ["未找到组织“甲”"]


def test_the_worker_reads_the_database_in_its_own_connection(qtbot, page, ctx):
    seen = {}

    def read(job):
        from models.entities import Person
        seen["same"] = ctx.db.connection() is main_connection
        return Person.select().count()

    main_connection = ctx.db.connection()
    task = tasks.run_task(page, "统计", "正在统计…", read)
    with qtbot.waitSignal(task.finished, timeout=5000):
        pass
    assert task.result == 5 and seen == {"same": False}


def test_all_matching_rows_are_exported_not_only_those_loaded(qtbot, page, tmp_path, monkeypatch, opened,
                                                              file_dialogs):
    from models.entities import Person

    Person.insert_many([{"name": f"志愿者{i:04d}", "name_key": f"zhiyuanzhe{i:04d}", "is_volunteer": True}
                        for i in range(1200)]).execute()
    page.refresh()
    assert page.model.total == 1205 and page.model.rows_fetched < 1205
    choose_file(file_dialogs, tmp_path / "all.xlsx")
    task = export(qtbot, page)
    assert task.result == 1205
    wb = load_workbook(tmp_path / "all.xlsx", read_only=True)
    names = [row[0] for row in wb.worksheets[0].iter_rows(min_row=4, values_only=True)]
    wb.close()
    assert len(names) == 1205 and names[-1] == "志愿者1199"


def test_a_refusal_from_the_models_is_shown_as_a_warning(qtbot, page, monkeypatch, file_dialogs):
    from models.errors import ValidationFailed

    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warnings.append(text))

    def refused(job):
        raise ValidationFailed({"permission": msg("“只读”角色不能导出。")})

    task = tasks.run_task(page, "导出", "正在导出…", refused)
    with qtbot.waitSignal(task.finished, timeout=5000):
        pass
    assert warnings == ["“只读”角色不能导出。"]


def test_the_progress_dialog_follows_the_work(qtbot, page):
    import time

    def slow(job):
        while True:
            job.step(3, 10)
            time.sleep(0.01)

    task = tasks.run_task(page, "导出", "正在导出…", slow)
    qtbot.waitUntil(lambda: task.dialog.maximum() == 10 and task.dialog.value() == 3, timeout=5000)
    qtbot.waitUntil(task.dialog.isVisible, timeout=5000)  # shown once the work takes a while
    assert task.dialog.windowModality() == Qt.WindowModality.WindowModal
    task.cancel()
    with qtbot.waitSignal(task.finished, timeout=5000):
        pass
    assert task.outcome == "cancelled"


def test_a_database_is_refused_as_an_export_file(qtbot, page, tmp_path, monkeypatch, file_dialogs):
    import sqlite3
    from contextlib import closing

    from desktop.backup import backup_to
    from desktop.integrity import check_database

    warned = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warned.append(text))
    disguised = tmp_path / "备份.xlsx"  # a database named like a workbook
    if page.ctx.on_server:  # an office's SQLite file (a server has no file to back up)
        with closing(sqlite3.connect(disguised)) as conn, conn:
            conn.execute("CREATE TABLE organization (id INTEGER PRIMARY KEY)")
    else:
        backup_to(page.ctx.db, disguised)
    before = disguised.read_bytes()
    file_dialogs.answer(disguised)
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    assert getattr(page, "export_task", None) is None
    assert len(warned) == 1 and "是一个数据库文件" in warned[0]
    assert disguised.read_bytes() == before
    assert page.ctx.on_server or check_database(page.ctx.db_path) == []


def test_replacing_an_existing_file_is_asked_first(qtbot, page, tmp_path, monkeypatch, file_dialogs):
    existing = tmp_path / "上月.xlsx"
    existing.write_bytes(b"last month")
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *args: asked.append(args[2]) or QMessageBox.StandardButton.No)
    file_dialogs.answer(existing)
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    assert asked == ["上月.xlsx 已经存在。要替换它吗？"] and existing.read_bytes() == b"last month"
    assert getattr(page, "export_task", None) is None
