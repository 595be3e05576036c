"""Hostile and huge files of up to 50 MB on disk: each must be refused or imported within 30 s and 1 GB.

Run: ``python tests/bench/bench_hostile.py [--keep DIR] [--only NAME ...]``. Every file is made
here (zip bombs, a cell at row 50,000,000, floods of empty cells, endless rich text, a county's
sheet, CSV files of whitespace, blank lines and Unicode text …). Then the user's command,
``jinguo import people FILE --db DB --json --dry-run`` (a county's valid sheet: imported for real),
runs on it in a process of its own; its wall
time and peak memory (maximum resident set, from ``wait4``) are printed next to the targets, with
the start of its answer. Exit 1 if any file misses a target or ends in a traceback.
"""

from __future__ import annotations

import argparse
import codecs
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
TARGET_SECONDS = 30
TARGET_MB = 1024
ON_DISK = 50 * 1024 * 1024
SHEET = "xl/worksheets/sheet1.xml"
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
HEADER = ["序号", "姓名", "性别", "身份证号码", "出生年月", "联系电话", "所属组织", "角色", "加入时间",
          "服务时长", "社工等级", "职务", "工作单位", "所属团队", "备注"]


def base_workbook(path: Path) -> Path:
    wb = Workbook()
    wb.active.title = "名单"
    wb.active.append(HEADER)
    wb.save(path)
    return path


def repack(path: Path, replace: dict[str, bytes], pad_to: int = 0, stored: bool = False) -> Path:
    """The workbook with parts replaced; padded with a picture of random bytes up to ``pad_to``."""
    with zipfile.ZipFile(path) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    parts.update(replace)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts.items():
            dst.writestr(name, data)
    if pad_to > path.stat().st_size:
        with zipfile.ZipFile(path, "a", zipfile.ZIP_STORED) as dst:
            dst.writestr("xl/media/image1.png", random.Random(1).randbytes(pad_to - path.stat().st_size))
    return path


def streamed_bomb(path: Path, part: str, size: int, pad_to: int) -> Path:
    """``part`` as ``size`` bytes of spaces before its XML, written compressed as it goes."""
    base_workbook(path)
    with zipfile.ZipFile(path) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    parts.setdefault(part, f"<sst {NS}></sst>".encode())
    chunk = b" " * (1 << 24)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts.items():
            if name != part:
                dst.writestr(name, data)
        with dst.open(zipfile.ZipInfo(part), "w", force_zip64=True) as f:
            for _ in range(size // len(chunk)):
                f.write(chunk)
            f.write(parts[part])
    return repack(path, {}, pad_to)


def sheet_xml(rows: bytes) -> bytes:
    return f"<worksheet {NS}><sheetData>".encode() + rows + b"</sheetData></worksheet>"


def header_row() -> bytes:
    cells = "".join(f'<c t="inlineStr"><is><t>{title}</t></is></c>' for title in HEADER)
    return f'<row r="1">{cells}</row>'.encode()


# -- the files --------------------------------------------------------------------------------------


def far_row(folder: Path) -> Path:
    path = base_workbook(folder / "far-row.xlsx")
    far = b'<row r="50000000"><c r="B50000000" t="inlineStr"><is><t>x</t></is></c></row>'
    return repack(path, {SHEET: sheet_xml(header_row() + far)})


def zip_bomb(folder: Path) -> Path:
    return streamed_bomb(folder / "zip-bomb.xlsx", SHEET, 4 * 1024**3, ON_DISK)


def strings_bomb(folder: Path) -> Path:
    return streamed_bomb(folder / "strings-bomb.xlsx", "xl/sharedStrings.xml", 4 * 1024**3, ON_DISK)


def ratio_bomb(folder: Path) -> Path:
    """Under the part limit, but 190 MB of spaces from a few hundred KB."""
    path = base_workbook(folder / "ratio-bomb.xlsx")
    return repack(path, {SHEET: b" " * (190 * 1024 * 1024) + sheet_xml(header_row())}, ON_DISK)


def many_parts(folder: Path) -> Path:
    """Half a million empty files in the package."""
    path = folder / "many-parts.xlsx"
    base_workbook(path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_STORED) as dst:
        for i in range(ON_DISK // 100):  # 30 bytes of header, twice the name, 46 in the directory
            dst.writestr(f"xl/media/{i:09d}", b"")
    return path


def dense_cells(folder: Path) -> Path:
    """50 MB of real cells, stored: as many as fit (the cell limit stops them)."""
    path = base_workbook(folder / "dense-cells.xlsx")
    rows, size, n = [header_row()], 0, 1
    while size < ON_DISK - 4096:
        n += 1
        cells = "".join(f'<c t="inlineStr"><is><t>人{n % 997}</t></is></c>' for _ in range(15)).encode()
        row = f'<row r="{n}">'.encode() + cells + b"</row>"
        rows.append(row)
        size += len(row)
    return repack(path, {SHEET: sheet_xml(b"".join(rows))}, stored=True)


def all_rejected(folder: Path) -> Path:
    """As many rows as allowed, of 20 columns (near the cell limit), every cell wrong: the most to check."""
    path = base_workbook(folder / "all-rejected.xlsx")
    rng = random.Random(5)
    letters = "ABCDEFGHIJKLMNOPQRST"
    rows = [header_row()]
    for n in range(2, 120_001):
        cells = "".join(f'<c r="{c}{n}" t="s"><v>{rng.randrange(5000)}</v></c>' for c in letters)
        rows.append(f'<row r="{n}">{cells}</row>'.encode())
    items = b"".join(f"<si><t>无效{i}</t></si>".encode() for i in range(5000))
    strings = f"<sst {NS}>".encode() + items + b"</sst>"
    repack(path, {SHEET: sheet_xml(b"".join(rows)), "xl/sharedStrings.xml": strings,
                  "[Content_Types].xml": _with_strings_type(path)})
    return _with_strings_rel(path)


def empty_cells(folder: Path) -> Path:
    """50 MB of formatted empty cells, stored: the element budget stops them."""
    path = base_workbook(folder / "empty-cells.xlsx")
    row = b"<row>" + b'<c s="0"/>' * 200 + b"</row>"
    return repack(path, {SHEET: sheet_xml(header_row() + row * (ON_DISK // len(row)))}, stored=True)


def junk_elements(folder: Path) -> Path:
    """50 MB of elements no sheet has, the cheapest to write: the element budget stops them."""
    path = base_workbook(folder / "junk-elements.xlsx")
    junk = sheet_xml(header_row()).replace(b"</worksheet>", b"<x/>" * (ON_DISK // 4) + b"</worksheet>")
    return repack(path, {SHEET: junk}, stored=True)


def endless_runs(folder: Path) -> Path:
    path = base_workbook(folder / "endless-runs.xlsx")
    runs = b"<r><t>x</t></r>" * (ON_DISK // 15)
    cell = b'<row r="2"><c r="B2" t="inlineStr"><is>' + runs + b"</is></c></row>"
    return repack(path, {SHEET: sheet_xml(header_row() + cell)}, stored=True)


def styles_junk(folder: Path) -> Path:
    """A styles part just under its limit, of elements openpyxl parses whole."""
    path = base_workbook(folder / "styles-junk.xlsx")
    with zipfile.ZipFile(path) as src:
        styles = src.read("xl/styles.xml")
    rng = random.Random(2)
    junk = b"".join(f'<x a="{rng.randrange(10**6)}"/>'.encode() for _ in range(16 * 1024 * 1024 // 16))
    junk = junk[: 16 * 1024 * 1024 - len(styles) - 64]
    junk = junk[: junk.rfind(b"/>") + 2]
    return repack(path, {"xl/styles.xml": styles.replace(b"</cellXfs>", junk + b"</cellXfs>")}, stored=True)


def many_strings(folder: Path) -> Path:
    """More shared strings than cells allowed, each tiny."""
    path = base_workbook(folder / "many-strings.xlsx")
    items = b"".join(f"<si><t>{i}</t></si>".encode() for i in range(3_100_000))
    strings = f"<sst {NS}>".encode() + items + b"</sst>"
    repack(path, {"xl/sharedStrings.xml": strings, "[Content_Types].xml": _with_strings_type(path)})
    return _with_strings_rel(path)


def _with_strings_type(path: Path) -> bytes:
    with zipfile.ZipFile(path) as src:
        types = src.read("[Content_Types].xml")
    return types.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                         b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')


def _with_strings_rel(path: Path) -> Path:
    with zipfile.ZipFile(path) as src:
        rels = src.read("xl/_rels/workbook.xml.rels")
    return repack(path, {"xl/_rels/workbook.xml.rels": rels.replace(b"</Relationships>", (
        b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'sharedStrings" Target="sharedStrings.xml"/></Relationships>'))})


def long_cells(folder: Path) -> Path:
    """Cells of 32,767 characters (Excel's most) in the notes column, up to the unpacked part limit."""
    path = base_workbook(folder / "long-cells.xlsx")
    rng = random.Random(3)
    words = ["妇联", "志愿服务", "社区", "巾帼", "活动", "培训", "家庭", "儿童", "关爱", "互助"]
    rows, size, n = [header_row()], 0, 1
    while size < 190 * 1024 * 1024:
        n += 1
        text = "".join(rng.choice(words) for _ in range(12_000))[:32_767]
        row = (f'<row r="{n}"><c r="B{n}" t="inlineStr"><is><t>人{n}</t></is></c>'
               f'<c r="O{n}" t="inlineStr"><is><t>{text}</t></is></c></row>').encode()
        rows.append(row)
        size += len(row)
    return repack(path, {SHEET: sheet_xml(b"".join(rows))})


def county(folder: Path) -> Path:
    """A county's people, 100,000 rows of 15 columns, all valid: imported for real, not checked only."""
    from models.validators import id_check_char

    rng = random.Random(4)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("名单")
    ws.append(HEADER)
    for n in range(1, 100_001):  # 2,100 different birthdays, and a serial for each round of them
        first17 = f"321002{1950 + n % 50}{1 + n % 12:02d}{1 + n % 28:02d}{n // 2100:03d}"
        ws.append([n, f"人员{n}", "女", first17 + id_check_char(first17), f"{1950 + n % 50}.{1 + n % 12}",
                   f"138{rng.randrange(10**8):08d}", "", "义工", "", round(rng.uniform(0, 80), 1), "", "",
                   "湾头镇人民政府", "", "导入测试"])
    path = folder / "county.xlsx"
    wb.save(path)
    return path


def _csv_filled(path: Path, byte: bytes) -> Path:
    """A header, then ON_DISK bytes of ``byte``."""
    with open(path, "wb") as f:
        f.write("姓名,备注\n".encode())
        for _ in range(ON_DISK // (1 << 20)):
            f.write(byte * (1 << 20))
    return path


def csv_whitespace(folder: Path) -> Path:
    return _csv_filled(folder / "whitespace.csv", b" ")


def csv_blank_lines(folder: Path) -> Path:
    return _csv_filled(folder / "blank-lines.csv", b"\n")


def csv_rows(folder: Path) -> Path:
    path = folder / "rows.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("姓名,联系电话,备注\n")
        n = 0
        while f.tell() < ON_DISK:
            n += 1
            f.write(f"人员{n},138{n:08d},{'说明' * 20}\n")
    return path


def csv_unicode_text(folder: Path) -> Path:
    """Excel's “Unicode 文本”: UTF-16 with a mark, tab-separated, 100,000 people."""
    path = folder / "unicode.txt"
    with open(path, "wb") as f:
        f.write(codecs.BOM_UTF16_LE)
        f.write("\t".join([*HEADER[:6], "备注"]).encode("utf-16-le") + "\r\n".encode("utf-16-le"))
        for n in range(1, 100_001):
            line = f"{n}\t人员{n}\t女\t\t1980.1\t138{n:08d}\t{'备注' * 20}\r\n"
            f.write(line.encode("utf-16-le"))
    return path


CASES: dict[str, Callable[[Path], Path]] = {
    f.__name__.replace("_", "-"): f for f in (
        far_row, zip_bomb, strings_bomb, ratio_bomb, many_parts, dense_cells, all_rejected, empty_cells,
        junk_elements,
        endless_runs,
        styles_junk, many_strings, long_cells, county, csv_whitespace, csv_blank_lines, csv_rows,
        csv_unicode_text)
}


WRITTEN = {"county"}  # imported into a database of their own; the others only checked (--dry-run)


def measure(path: Path, db: Path, data: Path) -> None:
    """Run ``jinguo import`` on ``path``; print seconds, peak MB, exit code and the start of its answer.

    Runs in a small process of its own: Linux counts the memory of the process that starts a child
    in the child's peak (up to its exec), so this one must not hold the files made above.
    """
    env = dict(os.environ, JINGUO_DATA_DIR=str(data), QT_QPA_PLATFORM="offscreen")
    command = [sys.executable, "-m", "desktop", "import", "people", str(path), "--db", str(db), "--json"]
    if db.stem not in WRITTEN:
        command.append("--dry-run")
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        answer = (err.read() or out.read()).decode("utf-8", "replace").strip().replace("\n", " ")
    print(f"{seconds}\t{usage.ru_maxrss / 1024}\t{code}\t{answer}")


def run(path: Path, db: Path, data: Path) -> tuple[float, float, int, str]:
    result = subprocess.run([sys.executable, __file__, "--measure", str(path), str(db), str(data)],
                            capture_output=True, text=True, encoding="utf-8", check=True)
    seconds, peak, code, answer = result.stdout.rstrip("\n").split("\t", 3)
    return float(seconds), float(peak), int(code), answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="folder to keep the files in (made again if missing)")
    parser.add_argument("--only", nargs="*", choices=sorted(CASES), help="just these files")
    parser.add_argument("--measure", nargs=3, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(*args.measure)
        return
    missed = 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        data = Path(tmp) / "data"
        print(f"{'file':<18}{'on disk':>10}{'seconds':>9}{'peak MB':>9}  exit  answer")
        for name in args.only or CASES:
            path = next(folder.glob(f"{name}.*"), None) or CASES[name](folder)
            db = Path(tmp) / (f"{name}.db" if name in WRITTEN else "checks.db")
            seconds, peak, code, answer = run(path, db, data)
            ok = (seconds < TARGET_SECONDS and peak < TARGET_MB and code in (0, 1, 2)
                  and "Traceback" not in answer and "内部错误" not in answer)
            missed += not ok
            print(f"{name:<18}{path.stat().st_size / 2**20:>8.1f} M{seconds:>9.1f}{peak:>9.0f}  {code:>4}  "
                  f"{answer[:90]!s}{'' if ok else '   <-- MISSED'}")
    print(f"targets: under {TARGET_SECONDS} s and {TARGET_MB} MB each; missed: {missed}")
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
