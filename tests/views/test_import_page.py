"""The Import page (导入), as the office clerk uses it: pick a sheet, check the preview, import, undo."""

import datetime as dt
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialogButtonBox, QMessageBox, QPushButton

from desktop import importing
from desktop.importing import ImportOptions, plan_import, read_sheet
from models.entities import Activity, AuditEntry, Membership, Organization, Person, ServiceRecord
from models.people import PersonData, save_person
from views import tasks
from views.main_window import MainWindow
from views.pages.import_mapping import ColumnMappingDialog
from views.pages.import_page import FOLDER_KEY, ImportPage

from .conftest import FileDialogs

DATA = Path(__file__).parent.parent / "data"
VOLUNTEERS = "legacy-volunteers.xlsx"  # 230 data rows: 170 valid, 60 rejected (expected.json)
ORGS = "legacy-orgs.xlsx"  # 7 rows: 6 valid, 1 with a wrong credit code


@pytest.fixture
def samples(tmp_path) -> Path:
    """The sample workbooks in a folder of their own (the page remembers the folder)."""
    folder = tmp_path / "sheets"
    folder.mkdir()
    for name in (VOLUNTEERS, ORGS):
        shutil.copyfile(DATA / name, folder / name)
    return folder


@pytest.fixture
def page(qtbot, ctx):
    widget = ImportPage(ctx)
    qtbot.addWidget(widget)
    widget.resize(1100, 760)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture(autouse=True)
def messages(monkeypatch) -> list[tuple[str, str]]:
    """What the page told the user in message boxes: (kind, text); none of them waits for a click."""
    shown = []
    for kind in ("warning", "information"):
        monkeypatch.setattr(QMessageBox, kind,
                            lambda parent, title, text, *a, kind=kind: shown.append((kind, text)))
    return shown


def wait(qtbot, page) -> None:
    qtbot.waitUntil(lambda: not page.busy, timeout=10000)


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def pick(qtbot, page, monkeypatch, path: Path) -> list:
    """Click 选择文件…, choose ``path`` in the file dialog; returns the folders it opened in."""
    dialogs = FileDialogs()
    try:
        dialogs.answer(path)
        click(qtbot, page.choose_button)
        wait(qtbot, page)
    finally:
        dialogs.timer.stop()
    return [asked.folder for asked in dialogs.asked]


def counts(page) -> dict[str, int]:
    return {key: int(label.text().replace(",", "")) for key, label in page.count_labels.items()}


def expected_counts(plan) -> dict[str, int]:
    return {"new": plan.created, "updated": plan.updated, "unchanged": len(plan.unchanged),
            "skipped": len(plan.skipped), "held": len(plan.renames) + len(plan.possible_duplicates),
            "rejected": len(plan.rejected)}


def rejected_rows(page) -> list[tuple[str, str, str]]:
    model = page.rejected_table.model()
    return [tuple(model.index(r, c).data() for c in range(3)) for r in range(model.rowCount())]


def answer(qtbot, page, name: str, button_text: str) -> None:
    box = next(b for b in page.findChildren(QMessageBox, name) if b.isVisible())
    click(qtbot, next(b for b in box.buttons() if b.text() == button_text))


def test_the_preview_shows_what_the_plan_found(qtbot, page, samples, monkeypatch, messages):
    (Path.home() / "Documents").mkdir()
    asked = pick(qtbot, page, monkeypatch, samples / VOLUNTEERS)

    plan = plan_import(read_sheet(samples / VOLUNTEERS, "people"))
    assert counts(page) == expected_counts(plan)
    assert counts(page)["rejected"] == 230  # no organization is registered yet: every row names one
    assert page.file_label.text() == VOLUNTEERS
    assert page.sheet_combo.currentText() == "志愿者花名册"
    sheets = [page.sheet_combo.itemText(i) for i in range(page.sheet_combo.count())]
    assert sheets == ["志愿者花名册", "填表说明"]
    table = page.mapping_table
    assert table.verticalHeaderItem(0).text() == "第 3 行（表头）"
    header = [table.item(0, c).text() for c in range(table.columnCount())]
    fields = [table.item(1, c).text() for c in range(table.columnCount())]
    assert header[:4] == ["序号", "姓名", "性别", "身份证号码"]
    assert fields[:4] == ["不导入", "姓名", "性别", "身份证号"]
    assert rejected_rows(page)[0] == ("4", "所属组织", plan.rejected[0].reason_text())
    assert "自动新建为草根组织" in rejected_rows(page)[0][2]
    assert not page.import_button.isEnabled() and page.save_rejected_button.isEnabled()
    assert "没有可导入的行" in page.summary.text()

    click(qtbot, page.create_orgs)  # the option the reason suggests
    wait(qtbot, page)
    plan = plan_import(read_sheet(samples / VOLUNTEERS, "people"), options=ImportOptions(create_orgs=True))
    assert counts(page) == expected_counts(plan) == {"new": 170, "updated": 0, "unchanged": 0, "skipped": 0,
                                                     "held": 0, "rejected": 60}
    assert [int(r[0]) for r in rejected_rows(page)] == [r.row for r in plan.rejected]
    id_as_number = next(r for r in rejected_rows(page) if r[0] == "11")
    assert id_as_number[1] == "身份证号码" and "存成了数字" in id_as_number[2]
    assert page.import_button.isEnabled()
    assert "将新建" in page.summary.text() and "草根组织" in page.summary.text()

    assert asked == [str(Path.home() / "Documents")]  # the first time: the documents folder
    again = pick(qtbot, page, monkeypatch, samples / ORGS)  # an organizations sheet, read as people
    assert again == [str(samples)] and page.settings.value(FOLDER_KEY) == str(samples)
    assert messages[-1][0] == "warning" and "社会组织" in messages[-1][1]
    assert page.file_label.text() == VOLUNTEERS and counts(page)["new"] == 170


def test_correcting_the_mapping_changes_the_preview(qtbot, page, samples, monkeypatch):
    click(qtbot, page.create_orgs)
    pick(qtbot, page, monkeypatch, samples / VOLUNTEERS)
    assert counts(page)["rejected"] == 60
    assert any(r[0] == "19" and r[1] == "联系电话" for r in rejected_rows(page))

    click(qtbot, page.mapping_button)
    dialog = page.findChild(ColumnMappingDialog, "mapping_dialog")
    assert dialog is not None and dialog.isVisible()
    phone = dialog.findChild(QComboBox, "phone")
    assert phone.currentText() == "F 列：联系电话"
    assert dialog.samples["phone"].text() == "例：14756893485"
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)

    name = dialog.findChild(QComboBox, "name")
    name.setCurrentIndex(0)  # 不导入: the required name has no column
    assert not ok.isEnabled() and "姓名" in dialog.problem.text()
    name.setCurrentIndex(name.findData(1))
    dialog.findChild(QComboBox, "notes").setCurrentIndex(name.findData(1))
    assert not ok.isEnabled() and "同时对应了姓名、备注" in dialog.problem.text()
    dialog.findChild(QComboBox, "notes").setCurrentIndex(name.findData(10))
    phone.setCurrentIndex(0)  # the phone column is left out
    assert ok.isEnabled()
    click(qtbot, ok)
    wait(qtbot, page)

    sheet = read_sheet(samples / VOLUNTEERS, "people")
    mapping = {k: v for k, v in sheet.mapping.items() if k != "phone"}
    plan = plan_import(sheet, mapping, ImportOptions(create_orgs=True))
    assert counts(page) == expected_counts(plan)
    assert counts(page)["rejected"] < 60 and not any(r[1] == "联系电话" for r in rejected_rows(page))
    assert page.mapping_table.item(1, 5).text() == "不导入"


def test_the_header_row_can_be_set_in_the_dialog(qtbot, page, samples, monkeypatch):
    click(qtbot, page.create_orgs)
    pick(qtbot, page, monkeypatch, samples / VOLUNTEERS)
    click(qtbot, page.mapping_button)
    dialog = page.findChild(ColumnMappingDialog, "mapping_dialog")
    dialog.header_row.setValue(1)  # the title row: nothing is recognised there
    assert dialog.findChild(QComboBox, "name").currentText() == "不导入"
    assert dialog.findChild(QComboBox, "name").itemText(1) == "A 列：湾头镇巾帼志愿者花名册（2024年度）"
    dialog.header_row.setValue(3)
    assert dialog.findChild(QComboBox, "name").currentText() == "B 列：姓名"
    dialog.header_row.setValue(4)  # the first data row as header, the name column chosen by hand
    dialog.findChild(QComboBox, "name").setCurrentIndex(2)
    click(qtbot, dialog.buttons.button(QDialogButtonBox.StandardButton.Ok))
    wait(qtbot, page)
    assert page.mapping_table.verticalHeaderItem(0).text() == "第 4 行（表头）"
    assert page.mapping_table.item(1, 1).text() == "姓名"
    plan = plan_import(read_sheet(samples / VOLUNTEERS, "people", header_row=4), {"name": 1},
                       ImportOptions(create_orgs=True))
    assert page.plan.sheet.header_row == 4 and counts(page) == expected_counts(plan)


def test_import_then_undo_from_the_history(qtbot, page, samples, monkeypatch, messages, ctx):
    people_before = Person.select().count()
    page.ctx.user.display_name = "李敏"  # the history names the operator as people know her
    page.ctx.user.save()
    click(qtbot, page.create_orgs)
    pick(qtbot, page, monkeypatch, samples / VOLUNTEERS)

    click(qtbot, page.import_button)
    box = page.findChild(QMessageBox, "confirm_import")
    assert box.text() == "60 行有错误，将只导入其余 170 行。"
    answer(qtbot, page, "confirm_import", "取消")
    assert Person.select().count() == people_before and not page.busy

    page.hours_on.setValue(dt.date(2024, 12, 31))  # the sheet is the 2024 roster
    click(qtbot, page.import_button)
    answer(qtbot, page, "confirm_import", "导入其余的行")
    wait(qtbot, page)
    assert Person.select().count() == people_before + 170
    assert {a.held_on for a in Activity.select()} == {dt.date(2024, 12, 31)}
    assert ServiceRecord.select().count() > 0 and Membership.select().count() > 0
    assert messages[-1][0] == "information"
    assert "新增 170 条" in messages[-1][1] and "有错误未导入 60 行" in messages[-1][1]
    assert counts(page)["new"] == 0 and counts(page)["unchanged"] + counts(page)["updated"] == 170
    assert not page.import_button.isEnabled()

    page.tabs.setCurrentIndex(1)
    history = page.history.model
    assert history.rowCount() == 1
    row = [history.index(0, c).data() for c in range(history.columnCount())]
    assert row[1:] == ["李敏", "人员", VOLUNTEERS, "志愿者花名册", "230", "170", "0", "60", ""]
    assert not page.history.undo_button.isEnabled()
    page.history.table.selectRow(0)
    assert page.history.undo_button.isEnabled()

    click(qtbot, page.history.undo_button)
    box = page.findChild(QMessageBox, "confirm_undo")
    assert VOLUNTEERS in box.text() and "170 条记录将被删除" in box.informativeText()
    answer(qtbot, page.history, "confirm_undo", "撤销此次导入")
    wait(qtbot, page)
    assert Person.select().count() == people_before
    assert Organization.select().count() == 0 and ServiceRecord.select().count() == 0
    assert messages[-1] == ("information", "已撤销。")
    assert history.index(0, 9).data().startswith("已于 ")
    page.history.table.selectRow(0)
    assert not page.history.undo_button.isEnabled()
    assert counts(page)["new"] == 170  # the preview is the sheet against the register as it is now


def test_undo_is_refused_when_an_imported_person_was_edited(qtbot, page, samples, monkeypatch, messages, ctx):
    click(qtbot, page.create_orgs)
    pick(qtbot, page, monkeypatch, samples / VOLUNTEERS)
    click(qtbot, page.import_button)
    answer(qtbot, page, "confirm_import", "导入其余的行")
    wait(qtbot, page)
    person = Person.select().order_by(Person.id).first()
    data = PersonData.from_person(person)
    data.notes = "导入后补充"
    save_person(data, ctx.user, person)

    page.tabs.setCurrentIndex(1)
    page.history.table.selectRow(0)
    click(qtbot, page.history.undo_button)
    answer(qtbot, page.history, "confirm_undo", "撤销此次导入")
    wait(qtbot, page)
    assert messages[-1][0] == "warning" and messages[-1][1].startswith("不能撤销")
    assert Person.select().count() == 170
    assert page.history.model.index(0, 9).data() == ""


def test_existing_records_can_be_left_alone(qtbot, page, samples, monkeypatch, messages):
    page.kind.setValue("orgs")
    assert not page.create_orgs.isVisible() and not page.hours_on.isVisible()
    assert page.existing_label.text() == "已登记的组织："
    pick(qtbot, page, monkeypatch, samples / ORGS)
    assert counts(page) == {"new": 6, "updated": 0, "unchanged": 0, "skipped": 0, "held": 0, "rejected": 1}
    click(qtbot, page.import_button)
    answer(qtbot, page, "confirm_import", "导入其余的行")
    wait(qtbot, page)
    assert Organization.select().count() == 6
    assert counts(page) == {"new": 0, "updated": 0, "unchanged": 6, "skipped": 0, "held": 0, "rejected": 1}
    click(qtbot, page.skip_existing)
    wait(qtbot, page)
    assert counts(page) == {"new": 0, "updated": 0, "unchanged": 0, "skipped": 6, "held": 0, "rejected": 1}


def test_an_xls_file_is_explained_not_read(qtbot, page, tmp_path, monkeypatch, messages):
    old = tmp_path / "花名册.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    pick(qtbot, page, monkeypatch, old)
    assert len(messages) == 1 and messages[0][0] == "warning"
    assert ".xls" in messages[0][1] and "另存为" in messages[0][1]
    assert page.file_label.text() == "未选择文件" and page.plan is None
    assert not page.import_button.isEnabled() and not page.mapping_button.isEnabled()


def test_a_failed_switch_keeps_the_sheet_shown(qtbot, page, samples, monkeypatch, messages):
    pick(qtbot, page, monkeypatch, samples / VOLUNTEERS)
    page.sheet_combo.setCurrentText("填表说明")
    page.sheet_combo.activated.emit(1)  # the notes sheet has no header
    wait(qtbot, page)
    assert "找不到表头" in messages[-1][1]
    assert page.sheet_combo.currentText() == "志愿者花名册" and page.plan.sheet.sheet == "志愿者花名册"
    page.kind.setValue("orgs")  # a roster of people read as organizations
    wait(qtbot, page)
    assert messages[-1][0] == "warning" and page.kind.value() == "people"


def test_the_rejected_rows_are_saved_with_their_reasons(qtbot, page, samples, tmp_path, monkeypatch,
                                                        file_dialogs):
    monkeypatch.setattr(tasks.QDesktopServices, "openUrl", lambda url: True)
    click(qtbot, page.create_orgs)
    pick(qtbot, page, monkeypatch, samples / VOLUNTEERS)
    target = tmp_path / "要改正的行.xlsx"
    file_dialogs.answer(target)
    click(qtbot, page.save_rejected_button)
    wait(qtbot, page)
    assert page.findChild(QMessageBox, "saved") is not None

    workbook = load_workbook(target, read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    header_at = next(i for i, r in enumerate(rows) if "未导入原因" in r)
    header = rows[header_at]
    data = [r for r in rows[header_at + 1:] if any(v is not None for v in r)]
    assert len(data) == 60
    reason, number = header.index("未导入原因"), header.index("原行号")
    by_row = {int(r[number]): r for r in data}
    assert "存成了数字" in by_row[11][reason]
    assert by_row[19][header.index("联系电话")] is not None
    assert rejected_rows(page)[0][2] == data[0][reason]
    # the rows hold full ID numbers: saving them is an export of personal data, recorded
    entry = AuditEntry.select().order_by(AuditEntry.id.desc()).get()
    assert (entry.action, entry.entity, entry.username) == ("export", "import_batch", page.ctx.user.username)
    assert "60 行" in entry.summary and target.name in entry.summary


@pytest.mark.parametrize(("kind", "first", "text_column"), [("people", "姓名", "身份证号"),
                                                            ("orgs", "组织名称", "统一社会信用代码")])
def test_blank_templates(qtbot, page, tmp_path, monkeypatch, file_dialogs, kind, first, text_column):
    monkeypatch.setattr(tasks.QDesktopServices, "openUrl", lambda url: True)
    page.kind.setValue(kind)
    asked = file_dialogs.answer(tmp_path / "模板.xlsx")
    click(qtbot, page.template_button)
    wait(qtbot, page)
    label = "人员" if kind == "people" else "社会组织"
    assert [Path(a.suggested).name for a in asked] == [f"{label}导入模板.xlsx"]
    ws = load_workbook(tmp_path / "模板.xlsx").worksheets[0]
    titles = [c.value for c in next(ws.iter_rows(max_row=1))]
    assert titles[0] == first
    letter = ws.cell(1, titles.index(text_column) + 1).column_letter
    assert ws.column_dimensions[letter].number_format == "@"


def test_the_tables_are_sound_item_models(qtbot, page, samples, monkeypatch, qtmodeltester):
    pick(qtbot, page, monkeypatch, samples / VOLUNTEERS)
    qtmodeltester.check(page.rejected_table.model())
    qtmodeltester.check(page.history.model)


def test_the_main_window_has_the_import_page(qtbot, ctx):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    row = next(i for i in range(window.nav.count()) if window.nav.item(i).text() == "导入")
    window.nav.setCurrentRow(row)
    assert isinstance(window.current_page(), ImportPage) and window.is_filled()


def test_a_gbk_csv_previews_like_its_workbook(qtbot, page, samples, tmp_path, monkeypatch):
    workbook = load_workbook(samples / ORGS, read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    path = tmp_path / "社会组织名录.csv"
    path.write_bytes("\r\n".join(",".join("" if v is None else str(v) for v in row) for row in rows)
                     .encode("gb18030"))
    page.kind.setValue("orgs")
    pick(qtbot, page, monkeypatch, path)
    assert page.file_label.text() == "社会组织名录.csv" and not page.sheet_combo.isEnabled()
    assert counts(page) == expected_counts(plan_import(read_sheet(samples / ORGS, "orgs")))
    assert rejected_rows(page)[0][:2] == ("6", "统一社会信用代码")


def test_cancel_while_checking_leaves_the_page_as_it_was(qtbot, page, samples, monkeypatch,
                                                         file_dialogs, messages):
    started = []

    def endless(sheet, mapping=None, options=None, job=None):
        started.append(True)
        while True:
            job.step(1, 2)

    monkeypatch.setattr(importing, "plan_import", endless)
    file_dialogs.answer(samples / VOLUNTEERS)
    click(qtbot, page.choose_button)
    qtbot.waitUntil(lambda: bool(started))
    task = next(iter(page.tasks))
    cancel = task.dialog.findChild(QPushButton)
    assert cancel.text() == "取消"
    click(qtbot, cancel)
    wait(qtbot, page)
    assert task.outcome == "cancelled" and messages == []
    assert page.file_label.text() == "未选择文件" and page.plan is None


def test_another_sheet_of_the_workbook_can_be_chosen(qtbot, page, tmp_path, monkeypatch):
    workbook = Workbook()
    workbook.active.title = "一组"
    workbook.active.append(["姓名", "联系电话"])
    workbook.active.append(["王芳", "13900000001"])
    second = workbook.create_sheet("二组")
    second.append(["姓名", "联系电话"])
    for serial in range(2, 5):
        second.append([f"李娜{serial}", f"1390000000{serial}"])
    workbook.save(tmp_path / "两组.xlsx")
    pick(qtbot, page, monkeypatch, tmp_path / "两组.xlsx")
    assert page.sheet_combo.isEnabled() and page.sheet_combo.currentText() == "一组"
    assert counts(page)["new"] == 1
    page.sheet_combo.setCurrentIndex(1)
    page.sheet_combo.activated.emit(1)
    wait(qtbot, page)
    assert page.plan.sheet.sheet == "二组" and counts(page)["new"] == 3


def test_a_corrected_mapping_is_offered_again_for_the_same_header(qtbot, page, samples, monkeypatch):
    page.kind.setValue("orgs")
    pick(qtbot, page, monkeypatch, samples / ORGS)
    assert "自动对应" in page.mapping_hint.text()
    click(qtbot, page.mapping_button)
    dialog = page.findChild(ColumnMappingDialog, "mapping_dialog")
    dialog.findChild(QComboBox, "contact_phone").setCurrentIndex(0)  # 不导入
    click(qtbot, dialog.buttons.button(QDialogButtonBox.StandardButton.Ok))
    wait(qtbot, page)
    click(qtbot, page.import_button)
    answer(qtbot, page, "confirm_import", "导入其余的行")
    wait(qtbot, page)

    pick(qtbot, page, monkeypatch, samples / ORGS)
    assert "沿用了上次导入" in page.mapping_hint.text()
    assert page.mapping_table.item(0, 8).text() == "联系电话"
    assert page.mapping_table.item(1, 8).text() == "不导入"


def test_a_hidden_sheet_is_not_previewed_and_the_page_says_so(qtbot, page, tmp_path, monkeypatch):
    workbook = Workbook()
    old = workbook.active
    old.title = "旧名单"
    old.append(["姓名", "联系电话"])
    old.append(["旧人", "13900000009"])
    old.sheet_state = "hidden"
    current = workbook.create_sheet("名单")
    current.append(["姓名", "联系电话"])
    current.append(["李娜", "13900000001"])
    workbook.active = 1
    workbook.save(tmp_path / "隐藏.xlsx")
    pick(qtbot, page, monkeypatch, tmp_path / "隐藏.xlsx")
    assert page.sheet_combo.currentText() == "名单" and counts(page)["new"] == 1
    assert "隐藏的工作表“旧名单”没有读取" in page.summary.text()


def test_the_mapping_dialog_finds_the_header_and_an_example_across_empty_rows(qtbot, page, tmp_path,
                                                                              monkeypatch):
    workbook = Workbook()
    sheet = workbook.active
    sheet["A3"], sheet["B3"] = "姓名", "联系电话"  # rows 1-2 and 4-9 stay empty: they are not kept
    sheet["A10"], sheet["B10"] = "李娜", "13900000001"
    workbook.save(tmp_path / "空行.xlsx")
    pick(qtbot, page, monkeypatch, tmp_path / "空行.xlsx")
    assert counts(page)["new"] == 1
    click(qtbot, page.mapping_button)
    dialog = page.findChild(ColumnMappingDialog, "mapping_dialog")
    assert dialog.header_row.value() == 3 and dialog.header_row.maximum() == 10
    assert dialog.findChild(QComboBox, "name").currentText() == "A 列：姓名"
    assert dialog.samples["phone"].text() == "例：13900000001"
    dialog.header_row.setValue(2)  # an empty row: nothing to choose from
    assert dialog.findChild(QComboBox, "name").count() == 1


# -- what the preview shows of each row, and the rows it holds back ---------------------------------


def sheet_of(path: Path, rows: list[list]) -> Path:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


def test_guessed_columns_are_asked_and_ignored_ones_named(qtbot, page, tmp_path, monkeypatch):
    path = sheet_of(tmp_path / "p.xlsx", [["序号", "姓名", "志愿者服务时长", "家庭住址"],
                                          [1, "甲", 5, "东关街"]])
    pick(qtbot, page, monkeypatch, path)
    assert page.mapping == {"name": 1, "hours": 2}
    box = page.findChild(QMessageBox, "confirm_guesses")
    assert box.isVisible() and "“志愿者服务时长”列作为“服务时长”" in box.text()
    assert "不导入的列：序号（只是行的编号）；家庭住址（列名无法识别" in page.summary.text()
    answer(qtbot, page, "confirm_guesses", "这些列不导入")
    wait(qtbot, page)
    assert page.mapping == {"name": 1}
    assert "志愿者服务时长（" in page.summary.text()


def test_every_update_shows_what_it_changes(qtbot, page, ctx, tmp_path, monkeypatch):
    number = "11010519491231002X"
    save_person(PersonData(name="甲", id_number=number, phone="13800000000"), ctx.user)
    path = sheet_of(tmp_path / "p.xlsx", [["姓名", "身份证号", "联系电话"], ["甲", number, "13911112222"]])
    pick(qtbot, page, monkeypatch, path)
    assert counts(page)["updated"] == 1 and page.details.currentIndex() == 1
    model = page.updates_table.model()
    assert [model.index(0, c).data() for c in range(3)] == ["2", "甲", "联系电话：13800000000 → 13911112222"]
    assert page.details.tabText(1) == "将更新的记录（1）"


def test_a_rename_is_applied_only_when_chosen(qtbot, page, ctx, tmp_path, monkeypatch, messages):
    number = "11010519491231002X"
    registered = save_person(PersonData(name="白彩月", id_number=number), ctx.user)
    path = sheet_of(tmp_path / "p.xlsx", [["姓名", "身份证号"], ["孙丽", number]])
    pick(qtbot, page, monkeypatch, path)
    assert counts(page)["held"] == 1 and counts(page)["updated"] == 0 and page.details.currentIndex() == 2
    assert "姓名：白彩月 → 孙丽" in page.held_table.item(0, 1).text()
    assert not page.import_button.isEnabled()
    combo = page.held_table.cellWidget(0, 2)
    combo.setCurrentIndex(combo.findText("按表中内容修改"))
    wait(qtbot, page)
    assert counts(page)["updated"] == 1 and counts(page)["held"] == 0
    click(qtbot, page.import_button)
    wait(qtbot, page)
    assert Person.get_by_id(registered.id).name == "孙丽"


def test_a_possible_duplicate_is_decided_by_the_user(qtbot, page, ctx, tmp_path, monkeypatch, messages):
    registered = save_person(PersonData(name="王芳", phone="13800000000"), ctx.user)
    path = sheet_of(tmp_path / "p.xlsx", [["姓名", "备注"], ["王芳", "来自表格"], ["李娜", ""]])
    pick(qtbot, page, monkeypatch, path)
    assert counts(page)["held"] == 1 and counts(page)["new"] == 1
    held = page.held_table.item(0, 1).text()
    assert held == "王芳：可能与已登记的人员重复（没有身份证号，与已登记的人员同名）"
    combo = page.held_table.cellWidget(0, 2)
    labels = [combo.itemText(i) for i in range(combo.count())]
    assert labels[:2] == ["暂不导入", "登记为新的人员"] and "13800000000" in labels[2]
    combo.setCurrentIndex(2)  # she is the registered 王芳
    wait(qtbot, page)
    assert counts(page)["updated"] == 1 and counts(page)["new"] == 1 and counts(page)["held"] == 0
    click(qtbot, page.import_button)
    wait(qtbot, page)
    assert Person.select().count() == 2 and Person.get_by_id(registered.id).notes == "来自表格"
