"""The 上报 page, driven as a user would: import a folder of packages (confirming new units'
fingerprints in the preview), review them, send a receipt, and export the unit's own package."""

from __future__ import annotations

import json
import zipfile

import pytest
from PySide6.QtWidgets import QDialog, QInputDialog, QMessageBox

from desktop.context import build_context
from models.periods import Period
from views.pages import exchange as page_module
from views.pages.exchange import ExchangePage, ImportPreview

from ..desktop.exchange_units import Units


@pytest.fixture
def county(tmp_path, test_server):
    units = Units(tmp_path, test_server)
    folder = tmp_path / "usb"
    folder.mkdir()
    later = tmp_path / "later"
    later.mkdir()
    for name, code in (("甲镇妇联", "320101001"), ("乙镇妇联", "320101002")):
        town = units.make(name, code, "township", "320101")
        units.export(town, folder=folder)
        if name == "甲镇妇联":
            units.export(town, folder=later)  # the same period again, made later
    where = units.make("青禾县妇联", "320101", "county", "320100")
    ctx = build_context(where)
    yield ctx, folder, tmp_path
    ctx.close()
    units.drop()


def cells(page: ExchangePage) -> list[list[str]]:
    return [[page.table.item(r, c).text() for c in range(page.table.columnCount())]
            for r in range(page.table.rowCount())]


def test_import_review_receipt_and_own_package_from_the_page(qtbot, county, monkeypatch):
    ctx, folder, tmp_path = county
    page = ExchangePage(ctx)
    qtbot.addWidget(page)
    page.period_picker.set_period(Period.for_quarter(2025, 3))
    assert "青禾县妇联" in page.unit_line.text() and "密钥指纹" in page.unit_line.text()
    assert page.table.rowCount() == 0

    seen = {}

    def confirm(preview: ImportPreview) -> int:
        seen["before"] = [preview.table.item(r, 3).text() for r in range(preview.table.rowCount())]
        seen["import_enabled"] = preview.import_button.isEnabled()
        assert preview.trust.isVisibleTo(preview)
        preview.trust.setChecked(True)  # the fingerprints were read out by phone
        seen["after"] = [preview.table.item(r, 3).text() for r in range(preview.table.rowCount())]
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ImportPreview, "exec", confirm)
    assert page.import_paths([folder]) == 2
    assert seen == {"before": ["拒绝", "拒绝"], "import_enabled": False, "after": ["新", "新"]}
    rows = cells(page)
    assert [r[1] for r in rows] == ["甲镇妇联", "乙镇妇联"] and {r[3] for r in rows} == {"已报"}
    assert not page.actions["accept"].isEnabled()  # nothing chosen yet

    page.table.selectRow(0)
    assert page.actions["accept"].isEnabled()
    page.accept_selected()
    page.table.selectRow(1)
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *a, **k: ("数字有误，请重报", True))
    page.return_selected()
    assert [r[3] for r in cells(page)] == ["已审核", "退回"] and cells(page)[1][6] == "数字有误，请重报"

    receipt = tmp_path / "回执.jgrcpt"
    monkeypatch.setattr(page_module, "ask_save_file", lambda *a, **k: receipt)
    page.table.selectRow(1)
    page.receipt_selected()
    with zipfile.ZipFile(receipt) as z:
        assert json.loads(z.read("receipt.json"))["state"] == "returned"
    assert page.receipts_line.text() == ""  # a county's own receipts come from the city

    own = tmp_path / "own.jgrpt"
    monkeypatch.setattr(page_module, "ask_save_file", lambda *a, **k: own)
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: QMessageBox.StandardButton.Ok)
    page.export_own()
    with zipfile.ZipFile(own) as z:
        rollup = json.loads(z.read("figures.json"))["header"]["rollup"]
    assert [u["code"] for u in rollup["units"]] == ["320101001"]  # the returned one is left out

    pdf = tmp_path / "汇总.pdf"
    monkeypatch.setattr(page_module, "ask_save_file", lambda *a, **k: pdf)
    page.export_rollup()
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(pdf).pages).replace("\n", "")
    assert "甲镇妇联" in text and "尚未报送的单位：乙镇妇联（320101002）" in text


def test_an_older_package_is_taken_only_when_chosen_in_the_preview(qtbot, county, monkeypatch):
    ctx, folder, tmp_path = county
    page = ExchangePage(ctx)
    qtbot.addWidget(page)
    page.period_picker.set_period(Period.for_quarter(2025, 3))

    def trust(preview: ImportPreview) -> int:
        preview.trust.setChecked(True)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ImportPreview, "exec", trust)
    assert page.import_paths([tmp_path / "later"]) == 1
    seen = {}

    def older(preview: ImportPreview) -> int:
        seen["visible"] = preview.older.isVisibleTo(preview)
        seen["before"] = preview.verdicts[0].status
        preview.older.setChecked(True)
        seen["after"] = preview.verdicts[0].status
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ImportPreview, "exec", older)
    assert page.import_paths([folder / "甲镇妇联_2025Q3.jgrpt"]) == 1
    assert seen == {"visible": True, "before": "refused", "after": "replace"}


def test_a_folder_without_packages_is_named(qtbot, county, monkeypatch):
    ctx, _folder, tmp_path = county
    page = ExchangePage(ctx)
    qtbot.addWidget(page)
    said = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: said.append(text))
    empty = tmp_path / "empty"
    empty.mkdir()
    assert page.import_paths([empty]) == 0
    assert "没有上报数据包" in said[0]


def test_the_reports_page_offers_the_roll_up_once_there_are_lower_units(qtbot, county, monkeypatch,
                                                                        file_dialogs):
    from openpyxl import load_workbook

    from desktop.exchange.rollup import COLUMNS_PER_TABLE, compute_rollup
    from models.indicators import INDICATORS
    from views.pages.reports import ReportsPage

    ctx, folder, tmp_path = county
    reports = ReportsPage(ctx)
    qtbot.addWidget(reports)
    assert reports.report.findData("rollup") < 0  # nothing received yet: no roll-up to offer

    page = ExchangePage(ctx)
    qtbot.addWidget(page)
    monkeypatch.setattr(ImportPreview, "exec", lambda preview: (preview.trust.setChecked(True),
                                                                QDialog.DialogCode.Accepted)[1])
    assert page.import_paths([folder]) == 2
    reports.show()  # shown again: the choices are reloaded
    qtbot.waitExposed(reports)
    reports.report.setValue("rollup")
    assert reports.report.currentText() == "汇总统计报表（本单位＋下级上报）"
    assert reports.period.isVisible() and not reports.area.isVisible() and not reports.charts.isVisible()
    reports.period.set_period(Period.for_quarter(2025, 3))
    reports.format.setValue("xlsx")
    file_dialogs.answer(tmp_path / "汇总.xlsx")
    reports.export_button.click()
    with qtbot.waitSignal(reports.task.finished, timeout=30000):
        pass
    assert reports.task.outcome == "done" and "汇总统计报表_2025年第3季度" in file_dialogs.asked[0].suggested
    sheet = load_workbook(tmp_path / "汇总.xlsx").worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    units = [r[0] for r in rows if r and isinstance(r[0], str) and "镇妇联" in r[0]]
    assert units[:2] == ["甲镇妇联（320101001）", "乙镇妇联（320101002）"]  # in each table of columns
    total = next(r for r in rows if r and r[0] == "合计")
    rollup = compute_rollup(Period.for_quarter(2025, 3))
    first_codes = [i.code for i in INDICATORS[:COLUMNS_PER_TABLE]]
    assert total[1:1 + len(first_codes)] == [rollup.total.get((code, ()), 0) for code in first_codes]
