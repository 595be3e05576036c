"""Hostile and huge files: refused at once, naming the limit, or read without keeping what is empty;
error values, formulas saved without results, hidden sheets, damaged cells and Unicode text get a
Chinese answer naming the sheet, row and column.

Every file is made here, as the user would meet it: openpyxl writes a normal workbook, then one part
is rewritten by hand. The huge ones are small files that trip the same checks (a cell at row
50,000,000 is 2 KB; a 3 GB package part only declares its size).
"""

from __future__ import annotations

import codecs
import json
import random
import re
import sqlite3
import struct
import time
import zipfile
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from openpyxl import Workbook

from desktop.cli import build_parser
from desktop.importing import SheetError, limits, plan_import, read_sheet
from desktop.importing.command import run as run_import
from models.validators import id_check_char

SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
HEADER = ["姓名", "身份证号", "联系电话"]


def person_id(serial: int) -> str:
    first17 = f"32100219800101{serial:03d}"
    return first17 + id_check_char(first17)


def run(capsys, *args) -> tuple[int, str, str]:
    code = run_import(build_parser().parse_args(["import", *map(str, args)]))
    out, err = capsys.readouterr()
    return code, out, err


def people_in(db: Path) -> int:
    with closing(sqlite3.connect(db)) as conn, conn:
        return conn.execute("SELECT COUNT(*) FROM person").fetchone()[0]


def workbook(path: Path, rows: list[list], title: str = "名单") -> Path:
    wb = Workbook()
    wb.active.title = title
    for row in [HEADER, *rows]:
        wb.active.append(row)
    wb.save(path)
    return path


def rewrite(path: Path, changes: dict[str, bytes | Callable[[bytes], bytes]],
            compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """The package with some parts replaced (or added), everything else as it was."""
    with zipfile.ZipFile(path) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    for name, change in changes.items():
        parts[name] = change(parts[name]) if callable(change) else change
    with zipfile.ZipFile(path, "w", compression) as dst:
        for name, data in parts.items():
            dst.writestr(name, data)
    return path


def in_sheet_data(extra: str) -> Callable[[bytes], bytes]:
    """Append rows (XML text) at the end of the sheet's data."""
    return lambda xml: xml.replace(b"</sheetData>", extra.encode() + b"</sheetData>")


def cell(ref: str, value: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'


def row(number: int, *cells: str) -> str:
    return f'<row r="{number}">{"".join(cells)}</row>'


def declare(path: Path, part: str, size: int, packed: int | None = None) -> Path:
    """Make the package's directory claim ``part`` unpacks to ``size`` bytes (and is ``packed`` long):
    what a hostile file can say at no cost."""
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46:at + 46 + name_length].decode() == part:
            struct.pack_into("<I", data, at + 24, size)
            if packed is not None:
                struct.pack_into("<I", data, at + 20, packed)
            path.write_bytes(bytes(data))
            return path
        at = data.find(b"PK\x01\x02", at + 4)
    raise AssertionError(f"{part} not in {path}")


def with_shared_strings(path: Path, strings_xml: bytes) -> Path:
    """Add a shared-strings part, as Excel writes them (openpyxl writes inline strings)."""
    return rewrite(path, {
        STRINGS: strings_xml,
        "[Content_Types].xml": lambda xml: xml.replace(b"</Types>", (
            b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
            b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')),
        "xl/_rels/workbook.xml.rels": lambda xml: xml.replace(b"</Relationships>", (
            b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')),
    })


def sst(strings: list[str]) -> bytes:
    items = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
    return (f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{len(strings)}">'
            f'{items}</sst>').encode()


def refused(path: Path, kind: str = "people", **kwargs) -> str:
    with pytest.raises(SheetError) as caught:
        read_sheet(path, kind, **kwargs)
    return str(caught.value.message)


# -- limits: refused at once, naming the limit ------------------------------------------------------


@pytest.mark.parametrize("dimension", [
    b'<dimension ref="A1:C2" />', b'<dimension ref="A1:C50000000" />', b""],
    ids=["dimension-lies", "dimension-says-so", "no-dimension"])
def test_a_cell_at_row_50_million_is_refused_at_once(tmp_path, capsys, dimension):
    path = workbook(tmp_path / "far.xlsx", [["张三", person_id(1), "13800000000"]])
    rewrite(path, {SHEET: lambda xml: in_sheet_data(row(50_000_000, cell("A50000000", "李四")))(
        xml.replace(b'<dimension ref="A1:C2" />', dimension))})
    assert path.stat().st_size < 8192
    db = tmp_path / "office.db"

    started = time.perf_counter()
    code, out, err = run(capsys, "people", path, "--db", db, "--json")

    assert time.perf_counter() - started < 10
    assert code == 2 and out == "" and people_in(db) == 0
    assert "“名单”" in err and "50,000,000" in err and "1,048,576" in err


def test_runs_of_empty_rows_are_skipped_without_being_kept(ctx, tmp_path):
    path = workbook(tmp_path / "gaps.xlsx", [["张三", person_id(1), "13800000000"]])
    empty = "".join(f'<row r="{n}" spans="1:3"><c r="A{n}" s="0"/></row>' for n in range(3, 2000))
    far = row(1_000_000, cell("A1000000", "李四"), cell("B1000000", person_id(2)))
    rewrite(path, {SHEET: in_sheet_data(empty + far)})

    sheet = read_sheet(path, "people")

    assert [number for number, _ in sheet.rows] == [1, 2, 1_000_000]
    assert sheet.row(1_000_000)[:2] == ("李四", person_id(2)) and sheet.row(500) == ()
    assert [p.row for p in plan_import(sheet).new] == [2, 1_000_000]


@pytest.mark.parametrize("part, size, packed, expected", [
    (SHEET, 3 * 1024**3, None, ["xl/worksheets/sheet1.xml", "3,072 MB", "200 MB", "压缩炸弹"]),
    ("xl/styles.xml", 20 * 1024**2, 20 * 1024**2, ["xl/styles.xml", "16 MB"]),
    ("docProps/app.xml", 150 * 1024**2, 150 * 1024**2, ["400 MB"]),  # with the theme: the total
], ids=["part", "small-part", "total"])
def test_a_package_part_that_would_unpack_too_large_is_refused_before_unpacking(
        tmp_path, capsys, part, size, packed, expected):
    path = workbook(tmp_path / "bomb.xlsx", [["张三", person_id(1)]])
    declare(path, part, size, packed)
    if part == "docProps/app.xml":
        declare(path, "xl/theme/theme1.xml", size, packed)
        declare(path, "docProps/core.xml", size, packed)
    db = tmp_path / "office.db"
    code, out, err = run(capsys, "people", path, "--db", db, "--json")
    assert code == 2 and out == "" and people_in(db) == 0
    for text in expected:
        assert text in err, err


@pytest.mark.parametrize("part", [SHEET, STRINGS])
def test_a_zip_bomb_is_refused_by_its_compression_ratio(tmp_path, part):
    path = with_shared_strings(workbook(tmp_path / "bomb.xlsx", [["张三", person_id(1)]]), sst(["王五"]))
    rewrite(path, {part: lambda xml: xml.replace(b"<", b" " * 20_000_000 + b"<", 1)})  # 20 MB of spaces
    assert path.stat().st_size < 200_000
    message = refused(path)
    assert part in message and "100 倍" in message and "压缩炸弹" in message


def test_a_package_of_too_many_parts_is_refused(tmp_path):
    path = workbook(tmp_path / "many.xlsx", [["张三", person_id(1)]])
    rewrite(path, {f"xl/media/blank{i}.bin": b"" for i in range(10_001)})
    assert "10,000" in refused(path)


def test_more_rows_than_the_limit_are_refused_when_met(tmp_path):
    path = workbook(tmp_path / "rows.xlsx", [])
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="s"><v>0</v></c></row>' for n in range(2, 120_003))
    with_shared_strings(path, sst(["张三"]))
    rewrite(path, {SHEET: in_sheet_data(rows)})
    message = refused(path)
    assert "120,000 行（读到第 120001 行时）" in message


def test_a_value_beyond_the_column_limit_is_refused(tmp_path):
    path = workbook(tmp_path / "wide.xlsx", [["张三", person_id(1)]])
    rewrite(path, {SHEET: in_sheet_data(row(3, cell("A3", "李四"), cell("KN3", "备注")))})
    message = refused(path)
    assert "第 3 行第 300 列（KN 列）" in message and "256" in message


def test_more_cells_than_the_limit_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_CELLS", 1000)  # the same check, met sooner
    path = workbook(tmp_path / "cells.xlsx", [[f"人{i}", person_id(i), *range(20)] for i in range(100)])
    message = refused(path)
    assert "1,000 个" in message and "“名单”" in message


def test_a_flood_of_formatted_empty_cells_is_refused_by_the_element_budget(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_XML_ELEMENTS", 10_000)
    path = workbook(tmp_path / "styled.xlsx", [["张三", person_id(1)]])
    styled = "".join(f'<row r="{n}">{"<c/>" * 100}</row>' for n in range(3, 200))
    rewrite(path, {SHEET: in_sheet_data(styled)})
    message = refused(path)
    assert "10,000" in message and "空白单元格" in message


def test_a_cell_of_endless_rich_text_stops_at_the_cell_limit(tmp_path):
    path = workbook(tmp_path / "runs.xlsx", [["张三", person_id(1)]])
    runs = "<r><t>0123456789</t></r>" * 4_000  # 40,000 characters: reading stops at 32,768
    rewrite(path, {SHEET: in_sheet_data(f'<row r="3"><c r="B3" t="inlineStr"><is>{runs}</is></c></row>')})
    message = refused(path)
    assert "第 3 行 B 列至少有 32,770 个字符" in message and "32,767" in message


def test_a_cell_longer_than_excel_allows_is_named(tmp_path, capsys):
    path = workbook(tmp_path / "long.xlsx", [["张三", person_id(1)]])  # openpyxl would cut it: by hand
    rewrite(path, {SHEET: in_sheet_data(row(3, cell("A3", "李四"), cell("B3", "x" * 32_768)))})
    code, out, err = run(capsys, "people", path, "--db", tmp_path / "office.db", "--json")
    assert code == 2 and out == ""
    assert "工作表“名单”第 3 行 B 列至少有 32,768 个字符" in err and "32,767" in err


def test_entity_expansion_is_refused_as_damaged(tmp_path):
    laughs = ('<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {b} "{("&" + a + ";") * 10}">' for a, b in zip("abcdefgh", "bcdefghi")) + "]>")
    path = workbook(tmp_path / "laughs.xlsx", [["张三", person_id(1)]])
    expanded = row(3, '<c r="A3" t="inlineStr"><is><t>&i;</t></is></c>')
    rewrite(path, {SHEET: lambda xml: in_sheet_data(expanded)(laughs.encode() + xml)})
    assert "“名单”已损坏" in refused(path)


# -- CSV ------------------------------------------------------------------------------------------


def test_a_3_gb_csv_of_whitespace_is_refused_before_reading(tmp_path, capsys):
    path = tmp_path / "blank.csv"
    with open(path, "wb") as f:
        f.write(b"\xe5\xa7\x93\xe5\x90\x8d\n" + b" " * 4096)
        f.truncate(3 * 1024**3)  # sparse: costs no disk
    started = time.perf_counter()
    code, _, err = run(capsys, "people", path, "--db", tmp_path / "office.db")
    assert time.perf_counter() - started < 5
    assert code == 2 and "3,072 MB" in err and "100 MB" in err


def test_a_csv_past_excels_last_row_is_refused(tmp_path):
    path = tmp_path / "lines.csv"
    path.write_bytes("姓名,身份证号\n张三,11010519491231002X\n".encode() + b"\n" * 1_048_576)
    message = refused(path)
    assert "1,048,576 行" in message


@pytest.mark.parametrize("length", [131_072, 2_000_000])
def test_a_csv_field_too_long_is_named_by_row_and_column(tmp_path, capsys, length):
    path = tmp_path / "long.csv"
    path.write_text(f"姓名,身份证号,备注\n张三,11010519491231002X,\n李四,,{'长' * length}\n",
                    encoding="utf-8")
    code, out, err = run(capsys, "people", path, "--db", tmp_path / "office.db", "--json")
    assert code == 2 and out == ""
    assert "第 3 行 C 列" in err and "32,767" in err and "field" not in err


UNICODE_TEXT = "姓名\t身份证号\t联系电话\r\n张三\t11010519491231002X\t13800000000\r\n一一\t\t13800000001\r\n"


@pytest.mark.parametrize("name, encoded", [
    ("Unicode 文本.txt", codecs.BOM_UTF16_LE + UNICODE_TEXT.encode("utf-16-le")),  # what Excel saves
    ("be.csv", codecs.BOM_UTF16_BE + UNICODE_TEXT.encode("utf-16-be")),
    ("no-bom.txt", UNICODE_TEXT.encode("utf-16-le")),
    ("utf32.csv", UNICODE_TEXT.encode("utf-32")),
])
def test_unicode_text_from_excel_is_read(ctx, tmp_path, name, encoded):
    path = tmp_path / name
    path.write_bytes(encoded)
    sheet = read_sheet(path, "people")
    assert sheet.header == HEADER
    plan = plan_import(sheet)
    assert [(p.row, p.values["name"], p.values["id_number"]) for p in plan.new] == [
        (2, "张三", "11010519491231002X"), (3, "一一", None)]


def test_binary_data_is_still_not_taken_for_unicode_text(tmp_path):
    path = tmp_path / "random.csv"
    noise = bytes(random.Random(3).randrange(256) for _ in range(4096))
    path.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + noise)
    assert "不是文本格式" in refused(path)


# -- values that are not values -------------------------------------------------------------------


def test_excel_error_values_reject_their_row_naming_the_column(tmp_path, capsys):
    path = workbook(tmp_path / "errors.xlsx", [
        ["#REF!", person_id(1), "13800000000"],
        ["李四", person_id(2), "#N/A"],
        ["王五", person_id(3), "13800000003", "#DIV/0!"],  # a column that is not imported
    ])
    db = tmp_path / "office.db"
    code, out, _ = run(capsys, "people", path, "--db", db, "--json")
    report = json.loads(out)
    assert code == 1 and people_in(db) == 0
    assert [(r["row"], r["column"]) for r in report["rejected"]] == [(2, "姓名"), (3, "联系电话")]
    assert "Excel 错误值 #REF!" in report["rejected"][0]["reason"]
    assert "#N/A" in report["rejected"][1]["reason"]
    assert report["rows"] == 3


def test_excel_error_values_in_a_csv_reject_their_row(ctx, tmp_path):
    path = tmp_path / "errors.csv"
    path.write_text("姓名,身份证号\n#N/A,11010519491231002X\n李四,#VALUE!\n", encoding="utf-8")
    plan = plan_import(read_sheet(path, "people"))
    assert [(r.row, r.column, r.code) for r in plan.rejected] == [(2, "姓名", "excel_error"),
                                                                (3, "身份证号", "excel_error")]
    assert plan.created == 0


def test_a_formula_saved_without_its_result_is_never_a_blank(ctx, tmp_path, capsys):
    path = workbook(tmp_path / "formulas.xlsx", [
        ["张三", '=CONCATENATE("1101051949","1231002X")', "13800000000"],  # openpyxl keeps no result
        ["李四", person_id(2), "13800000002"],
    ])
    rewrite(path, {SHEET: in_sheet_data(  # as Excel saves results: a text, and an empty text
        row(4, cell("A4", "王五"), f'<c r="B4" t="str"><f>B3</f><v>{person_id(4)}</v></c>')
        + row(5, cell("A5", "赵六"), '<c r="B5" t="str"><f>IF(1,"","")</f><v></v></c>'))})
    plan = plan_import(read_sheet(path, "people"))
    assert [(r.row, r.column, r.code) for r in plan.rejected] == [(2, "身份证号", "formula_not_calculated")]
    reason = plan.rejected[0].reason_text()
    assert "没有保存计算结果" in reason and "Excel 或 WPS" in reason and "CONCATENATE" in reason
    assert {p.row: p.values["id_number"] for p in plan.new} == {3: person_id(2), 4: person_id(4), 5: None}
    code, out, _ = run(capsys, "people", path, "--db", tmp_path / "office.db")
    assert code == 1 and "第 2 行 身份证号：单元格是公式" in out


def test_a_row_of_many_problems_keeps_the_first_and_counts_the_rest(ctx, tmp_path):
    path = tmp_path / "garbage.csv"
    path.write_text("姓名,身份证号,联系电话,角色,社工等级,加入时间,服务时长\n"
                    "张三,123,456,甲,乙,丙,丁\n", encoding="utf-8")
    rejection = plan_import(read_sheet(path, "people")).rejected[0]
    assert len(rejection.problems) == 4 and rejection.problems[-1].code == "more_problems"
    assert rejection.reason_text().endswith("其他：另有 3 处问题")  # ID, phone and hours


# -- hidden sheets --------------------------------------------------------------------------------


def hidden_first(path: Path) -> Path:
    wb = Workbook()
    old = wb.active
    old.title = "旧名单"
    old.append(HEADER)
    old.append(["旧人", person_id(9)])
    old.sheet_state = "hidden"
    new = wb.create_sheet("名单")
    new.append(HEADER)
    new.append(["张三", person_id(1)])
    wb.active = 1
    wb.save(path)
    return path


def test_a_hidden_first_sheet_is_not_read_and_the_user_is_told(tmp_path, capsys):
    path = hidden_first(tmp_path / "hidden.xlsx")
    db = tmp_path / "office.db"
    code, out, _ = run(capsys, "people", path, "--db", db, "--dry-run")
    assert code == 0
    assert "读取的是工作表“名单”；隐藏的工作表“旧名单”没有读取" in out
    code, out, _ = run(capsys, "people", path, "--db", db, "--json", "--dry-run")
    report = json.loads(out)
    assert report["created"] == 1 and "旧名单" in report["notices"][0]
    code, out, _ = run(capsys, "people", path, "--db", db, "--sheet", "旧名单", "--json", "--dry-run")
    report = json.loads(out)
    assert report["created"] == 1
    assert report["notices"] == ["工作表“旧名单”在工作簿中是隐藏的；按指定读取了它。"]


def test_an_active_visible_sheet_is_preferred_and_a_workbook_of_hidden_sheets_is_explained(ctx, tmp_path):
    wb = Workbook()
    for title in ("一季度", "二季度"):
        ws = wb.create_sheet(title)
        ws.append(HEADER)
        ws.append([title, person_id(len(title))])
    del wb["Sheet"]
    wb.active = 1
    wb.save(tmp_path / "q.xlsx")
    sheet = read_sheet(tmp_path / "q.xlsx", "people")
    assert sheet.sheet == "二季度" and sheet.notices == []
    rewrite(tmp_path / "q.xlsx", {  # openpyxl refuses to save such a workbook
        "xl/workbook.xml": lambda xml: xml.replace(b'state="visible"', b'state="hidden"')})
    message = refused(tmp_path / "q.xlsx")
    assert "都是隐藏的" in message and "一季度、二季度" in message


# -- damaged cells are named ----------------------------------------------------------------------


@pytest.mark.parametrize("bad_cell, what", [
    ('<c r="C2"><v>1.2.3</v></c>', "数值“1.2.3”无法识别"),
    ('<c r="C2" t="s"><v>7</v></c>', "引用的共享字符串“7”不存在"),
    ('<c r="C2" t="d"><v>2021-13-45</v></c>', "日期“2021-13-45”无法识别"),
    ('<c r="C2" t="b"><v>maybe</v></c>', "逻辑值“maybe”无法识别"),
    ('<c r="C2"><v>nan</v></c>', "数值“nan”无法识别"),
])
def test_a_damaged_cell_is_named_instead_of_the_whole_workbook(tmp_path, capsys, bad_cell, what):
    path = with_shared_strings(workbook(tmp_path / "cell.xlsx", [["张三", person_id(1)]]), sst(["王五"]))
    rewrite(path, {SHEET: lambda xml: re.sub(rb'(<row r="2">.*?)</row>',
                                             lambda m: m.group(1) + bad_cell.encode() + b"</row>", xml)})
    code, _, err = run(capsys, "people", path, "--db", tmp_path / "office.db")
    assert code == 2
    assert f"工作表“名单”第 2 行 C 列的单元格已损坏：{what}" in err and "不是有效的 Excel 工作簿" not in err


def test_rows_out_of_order_are_named(tmp_path):
    path = workbook(tmp_path / "order.xlsx", [["张三", person_id(1)]])
    rewrite(path, {SHEET: in_sheet_data(row(2, cell("A2", "李四")))})
    assert "第 2 行出现在第 2 行之后" in refused(path)


# -- never a traceback ----------------------------------------------------------------------------


def test_damaged_workbooks_and_csv_files_give_a_message_never_a_traceback(ctx, tmp_path):
    """Cut and altered copies of one workbook and one CSV: each reads, or is refused with a message."""
    base = with_shared_strings(workbook(tmp_path / "base.xlsx", [
        ["张三", person_id(1), "13800000000"], ["#N/A", "=A1", 3.5]]), sst(["王五", "赵六"]))
    shared = row(4, '<c r="A4" t="s"><v>0</v></c>', '<c r="B4" t="s"><v>1</v></c>')
    rewrite(base, {SHEET: in_sheet_data(shared)})
    with zipfile.ZipFile(base) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    rng = random.Random(12)
    outcomes = {"read": 0, "refused": 0}

    def attempt(path: Path) -> None:
        try:
            plan_import(read_sheet(path, "people"))
            outcomes["read"] += 1
        except SheetError as e:
            assert e.message.render()
            outcomes["refused"] += 1

    whole = base.read_bytes()
    for i in range(60):  # the package itself: cut short, or bytes changed
        damaged = bytearray(whole[: rng.randrange(len(whole))] if i % 3 == 0 else whole)
        for _ in range(rng.randrange(1, 4)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        path = tmp_path / f"damaged{i}.xlsx"
        path.write_bytes(bytes(damaged))
        attempt(path)
    for i in range(240):  # the XML inside: bytes changed, cut, or repeated
        name = rng.choice([SHEET, STRINGS, "xl/workbook.xml", "xl/styles.xml", "[Content_Types].xml",
                           "xl/_rels/workbook.xml.rels"])
        xml = bytearray(parts[name])
        at = rng.randrange(len(xml))
        if i % 4 == 0:
            xml[at] = rng.choice(b'<>"/=&;0123456789-.Ae ')
        elif i % 4 == 1:
            del xml[at:at + rng.randrange(1, 40)]
        elif i % 4 == 2:
            xml[at:at] = xml[max(0, at - 30):at]
        else:
            xml[at] = rng.randrange(256)
        path = tmp_path / f"altered{i}.xlsx"
        path.write_bytes(base.read_bytes())
        rewrite(path, {name: bytes(xml)})
        attempt(path)
    text = "姓名,身份证号,服务时长\n张三,11010519491231002X,\"3\"\n李四,,#N/A\n".encode("gb18030")
    for i in range(100):
        data = bytearray(text)
        data[rng.randrange(len(data))] = rng.randrange(256)
        path = tmp_path / f"altered{i}.csv"
        path.write_bytes(bytes(data))
        attempt(path)
    assert outcomes["read"] and outcomes["refused"]


def test_looking_for_the_header_reads_only_the_first_rows_of_each_sheet(ctx, tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_XML_ELEMENTS", 5000)
    wb = Workbook()
    wb.active.title = "说明"
    wb.active.append(["请在下一张表中填写"])
    filled = wb.create_sheet("名单")
    filled.append(HEADER)
    filled.append(["张三", person_id(1)])
    wb.save(tmp_path / "two.xlsx")
    formatted = "".join(f'<row r="{n}"><c r="A{n}" s="0"/></row>' for n in range(2, 20_000))
    rewrite(tmp_path / "two.xlsx", {SHEET: in_sheet_data(formatted)})  # 40,000 elements, read to row 31
    sheet = read_sheet(tmp_path / "two.xlsx", "people")
    assert sheet.sheet == "名单" and sheet.row(2)[0] == "张三"
