"""Old Excel (.xls), WPS (.et) and OpenDocument (.ods) files: read as the .xlsx files are, and hostile ones
refused with a message, never a crash of the program.

The .xls and .ods files in tests/data were saved by LibreOffice from the .xlsx samples and from small
workbooks (tools/make_legacy_samples.py); the hostile ones are made here, byte by byte.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from desktop.cli import build_parser
from desktop.importing import ImportOptions, SheetError, calamine_reader, plan_import, read_sheet
from desktop.importing.command import run as run_import
from desktop.importing.grid import SheetLayout, WorkbookLayout
from desktop.importing.values import BadCell

SAMPLES = Path(__file__).resolve().parents[1] / "data"
ROOT = Path(__file__).resolve().parents[2]
ODS_HEAD = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
            'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3">'
            '<office:body><office:spreadsheet>')
ODS_TAIL = "</office:spreadsheet></office:body></office:document-content>"
MANIFEST = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
            '<manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>")


def plan_of(path: Path, kind: str) -> tuple:
    sheet = read_sheet(path, kind)
    plan = plan_import(sheet, options=ImportOptions(create_orgs=True))
    return (sheet.sheet, sheet.sheet_names, sheet.header_row, [str(n) for n in sheet.notices], plan.rows,
            sorted(p.row for p in plan.new + plan.updates),
            sorted((r.row, r.column, r.code, r.reason_text()) for r in plan.rejected))


def refused(path: Path, kind: str = "people", **kwargs) -> str:
    with pytest.raises(SheetError) as caught:
        read_sheet(path, kind, **kwargs)
    return str(caught.value.message)


def run(capsys, *args) -> tuple[int, str, str]:
    code = run_import(build_parser().parse_args(["import", *map(str, args)]))
    out, err = capsys.readouterr()
    return code, out, err


def ods_cell(text: str, repeat: int = 1, attrs: str = "") -> str:
    times = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return (f'<table:table-cell office:value-type="string"{times}{attrs}>'
            f"<text:p>{text}</text:p></table:table-cell>")


def ods_row(cells: str, repeat: int = 1) -> str:
    times = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{times}>{cells}</table:table-row>"


def ods(path: Path, *tables: tuple[str, str]) -> Path:
    """A minimal .ods package: the mimetype, the manifest and the content, one table per (name, rows)."""
    body = "".join(f'<table:table table:name="{name}">{rows}</table:table>' for name, rows in tables)
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("mimetype", calamine_reader.ODS_MIMETYPE, compress_type=zipfile.ZIP_STORED)
        package.writestr("META-INF/manifest.xml", MANIFEST)
        package.writestr("content.xml", ODS_HEAD + body + ODS_TAIL, compress_type=zipfile.ZIP_DEFLATED)
    return path


HEADER_ROW = ods_row(ods_cell("姓名") + ods_cell("身份证号"))


# -- the same sheets in the old formats -------------------------------------------------------------


@pytest.mark.parametrize("stem, kind", [("legacy-orgs", "orgs"), ("legacy-volunteers", "people")])
@pytest.mark.parametrize("suffix", [".xls", ".ods"])
def test_old_formats_give_the_same_plan_as_the_xlsx(ctx, stem, kind, suffix):
    expected = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))[f"{stem}.xlsx"]
    old = plan_of(SAMPLES / f"{stem}{suffix}", kind)
    assert old == plan_of(SAMPLES / f"{stem}.xlsx", kind)
    assert old[2] == expected["header_row"]
    rejected = {row: code for row, _, code, _ in old[6]}
    assert rejected == {r["row"]: r["reason"] for r in expected["rows"] if not r["valid"]}
    assert set(old[5]) == {r["row"] for r in expected["rows"] if r["valid"]}


def test_a_wps_et_file_of_the_xls_layout_is_read(ctx, tmp_path):
    path = shutil.copy(SAMPLES / "legacy-orgs.xls", tmp_path / "组织.et")
    assert plan_of(Path(path), "orgs")[4:] == plan_of(SAMPLES / "legacy-orgs.xlsx", "orgs")[4:]


def test_an_xls_renamed_to_xlsx_is_read_by_its_content(ctx, tmp_path):
    path = shutil.copy(SAMPLES / "legacy-orgs.xls", tmp_path / "组织.xlsx")
    assert plan_of(Path(path), "orgs")[4:] == plan_of(SAMPLES / "legacy-orgs.xlsx", "orgs")[4:]


@pytest.mark.parametrize("suffix", [".xls", ".ods"])
def test_dates_text_numbers_and_error_values(ctx, suffix):
    sheet = read_sheet(SAMPLES / f"odd-cells{suffix}", "people")
    assert sheet.row(2) == ("张三", "321002198001010011", "13800000001", dt.datetime(1980, 1, 1), "0123")
    assert sheet.row(3) == ("李四", "32100219800101002X", BadCell("#DIV/0!"))
    assert sheet.row(4) == ("王五", "321002198001010038", 13800000003)
    assert type(sheet.row(4)[2]) is int  # a whole number, as the .xlsx reader gives it
    plan = plan_import(sheet)
    assert sorted(p.row for p in plan.new) == [2, 4]
    assert [(r.row, r.column, r.code) for r in plan.rejected] == [(3, "联系电话", "excel_error")]
    assert "#DIV/0!" in plan.rejected[0].reason_text()


@pytest.mark.parametrize("suffix", [".xls", ".ods"])
def test_a_hidden_first_sheet_is_not_read_unless_named(ctx, suffix):
    sheet = read_sheet(SAMPLES / f"odd-cells{suffix}", "people")
    assert (sheet.sheet, sheet.sheet_names) == ("名单", ["旧名单", "名单"])
    assert str(sheet.notices[0]) == ("读取的是工作表“名单”；隐藏的工作表“旧名单”没有读取"
                                     "（如要导入，请选择该工作表）。")
    hidden = read_sheet(SAMPLES / f"odd-cells{suffix}", "people", sheet="旧名单")
    assert hidden.row(2)[0] == "旧人"
    assert [str(n) for n in hidden.notices] == ["工作表“旧名单”在工作簿中是隐藏的；按指定读取了它。"]
    assert "没有名为“三季度”的工作表" in refused(SAMPLES / f"odd-cells{suffix}", sheet="三季度")


def test_the_active_sheet_of_an_ods_is_preferred(ctx, tmp_path):
    path = ods(tmp_path / "two.ods", ("一", HEADER_ROW + ods_row(ods_cell("甲"))),
               ("二", HEADER_ROW + ods_row(ods_cell("乙"))))
    assert read_sheet(path, "people").sheet == "一"
    with zipfile.ZipFile(path, "a") as package:
        package.writestr("settings.xml", '<office:document-settings xmlns:office="o" xmlns:config="c">'
                         '<config:config-item config:name="ActiveTable" config:type="string">二'
                         "</config:config-item></office:document-settings>")
    sheet = read_sheet(path, "people")
    assert (sheet.sheet, sheet.row(2)) == ("二", ("乙",))


# -- refused with a message -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["encrypted.xls", "encrypted.xlsx"])
def test_an_encrypted_workbook_is_named_as_such(tmp_path, name):
    message = refused(SAMPLES / name)
    assert "已加密" in message and "打开密码" in message and name in message


def test_a_sparse_xls_is_refused_before_it_is_laid_out(tmp_path, capsys):
    message = refused(SAMPLES / "sparse.xls")
    assert "从 A1 到 IV65536（65,536 行 × 256 列）" in message and "4,000,000" in message
    assert "另存为 Excel 工作簿（.xlsx）" in message
    # the far cell moved to column 65,535 (past what an .xls can hold): 137 GB for calamine
    data = bytearray((SAMPLES / "sparse.xls").read_bytes())
    far = bytes.fromhex("fd000a00ffffff00")  # LABELSST, length 10, row 65,535, column IV
    assert data.count(far) == 1
    at = data.find(far)
    data[at + 6:at + 8] = b"\xff\xff"
    (tmp_path / "far.xls").write_bytes(bytes(data))
    code, _, err = run(capsys, "people", tmp_path / "far.xls", "--db", tmp_path / "office.db")
    assert code == 2 and "第 65,536 行第 65,536 列" in err


@pytest.mark.parametrize("rows, expected", [
    # one cell repeated over every column of every row: 17 billion cells for calamine
    (HEADER_ROW + ods_row(ods_cell("x", 16384), 1048575), "从 A1 到 XFD1048576"),
    # A1 and the last cell of the sheet
    (HEADER_ROW + ods_row("<table:table-cell/>", 1048574)
     + ods_row('<table:table-cell table:number-columns-repeated="16383"/>' + ods_cell("y")),
     "从 A1 到 XFD1048576"),
    # a long text repeated: aborted calamine at 4 GB
    (HEADER_ROW + ods_row(ods_cell("x" * 30000, 16384), 1000), "XFD1001"),
    # two thousand million spaces in one cell
    (ods_row('<table:table-cell office:value-type="string"><text:p>a<text:s text:c="2000000000"/>'
             "</text:p></table:table-cell>"), "2,000,000,001 个字符"),
    # within the rectangle, but a thousand copies of a long text
    (HEADER_ROW + ods_row(ods_cell("x" * 30000, 2), 1000), "30,000,000 个字符"),
])
def test_a_hostile_ods_is_refused_before_calamine_sees_it(tmp_path, rows, expected):
    path = ods(tmp_path / "hostile.ods", ("名单", rows))
    assert expected in refused(path)
    assert path.stat().st_size < 20_000


def test_an_ods_zip_bomb_is_refused_by_the_package_check(tmp_path):
    path = ods(tmp_path / "bomb.ods", ("名单", HEADER_ROW + ods_row(ods_cell(" " * 5_000_000))))
    assert "压缩炸弹" in refused(path)


def test_a_crash_of_the_reading_process_is_a_message(tmp_path, monkeypatch):
    """What the walk does not foresee ends the child process (here: the walk is left out and the
    child's memory capped low), not the program."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the child's memory is capped on Linux only")
    path = ods(tmp_path / "spaces.ods", ("名单", ods_row(
        '<table:table-cell office:value-type="string"><text:p>a<text:s text:c="2000000000"/>'
        "</text:p></table:table-cell>")))
    monkeypatch.setattr(calamine_reader, "CHILD_MEMORY_BYTES", 256 * 1024 * 1024)
    layout = WorkbookLayout(path.name, [SheetLayout("名单")])
    with pytest.raises(SheetError) as caught:
        calamine_reader.CalamineBook(path, "ods", layout)
    assert "读取被中止了" in str(caught.value.message) and "spaces.ods" in str(caught.value.message)


@pytest.mark.parametrize("name, content", [
    ("picture.xls", b"\x89PNG\r\n\x1a\n" + b"\0" * 100),
    ("notes.ods", "姓名,身份证号\n".encode()),
    ("letter.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1000),
])
def test_a_renamed_file_is_called_damaged(tmp_path, name, content):
    (tmp_path / name).write_bytes(content)
    assert "不是有效的 Excel 工作簿" in refused(tmp_path / name)


def test_damaged_old_workbooks_give_a_message_never_a_traceback(ctx, tmp_path):
    """Cut and altered copies: each reads, or is refused with a message; the program stays up."""
    rng = random.Random(7)
    outcomes = {"read": 0, "refused": 0}
    for source in ("odd-cells.xls", "odd-cells.ods"):
        whole = (SAMPLES / source).read_bytes()
        for i in range(24):
            data = bytearray(whole[: rng.randrange(len(whole))] if i % 4 == 0 else whole)
            for _ in range(rng.randrange(1, 6)):
                data[rng.randrange(512 if i % 2 else len(data))] = rng.randrange(256)
            path = tmp_path / f"damaged{i}{Path(source).suffix}"
            path.write_bytes(bytes(data))
            try:
                plan_import(read_sheet(path, "people"))
                outcomes["read"] += 1
            except SheetError as e:
                assert e.message.render()
                outcomes["refused"] += 1
    assert outcomes["read"] and outcomes["refused"]


# -- the command line -------------------------------------------------------------------------------


def test_jinguo_import_reads_an_xls(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", JINGUO_DATA_DIR=str(tmp_path / "data"))
    db = tmp_path / "office.db"
    command = [sys.executable, "-m", "desktop", "import", "orgs", str(SAMPLES / "legacy-orgs.xls"),
               "--db", str(db), "--json", "--skip-invalid"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, encoding="utf-8", env=env,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["rows"], report["created"], report["updated"]) == (7, 6, 0)
    assert [(r["row"], r["column"]) for r in report["rejected"]] == [(6, "统一社会信用代码")]
    assert result.stderr == ""


def test_import_of_an_ods_reports_the_hidden_sheet_and_the_error_value(tmp_path, capsys):
    code, out, _ = run(capsys, "people", SAMPLES / "odd-cells.ods", "--db", tmp_path / "office.db", "--json")
    report = json.loads(out)
    assert code == 1 and report["rows"] == 3 and report["created"] == 0
    assert [(r["row"], r["column"]) for r in report["rejected"]] == [(3, "联系电话")]
    assert "旧名单" in report["notices"][0]
