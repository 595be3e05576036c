"""Regenerate the old-format test files in tests/data/ with LibreOffice, as offices make them.

Not needed to run the tests (the files are committed). Run from the project's virtual environment:
``python tools/make_legacy_samples.py``. Needs ``soffice`` (LibreOffice 7.4 made the committed files)
and, for the encrypted .xls, LibreOffice's Python bridge: a Python with ``uno`` (Debian:
``/usr/bin/python3`` with the python3-uno package; another one through ``UNO_PYTHON``); for the
encrypted .xlsx (which LibreOffice 7.4 would not encrypt through UNO) msoffcrypto-tool, in the
``tools`` extra of pyproject.toml.

- legacy-orgs.xls/.ods, legacy-volunteers.xls/.ods: the two .xlsx samples saved in the old formats;
  they must import exactly as the .xlsx files do (tests/desktop/test_import_legacy.py).
- odd-cells.xls/.ods: a hidden first sheet, an error value (#DIV/0!) in an imported column, a
  date-formatted cell, numbers typed as text.
- sparse.xls: a cell at A1 and one at IV65536, the last cell of an .xls sheet.
- encrypted.xls, encrypted.xlsx: odd-cells saved with the password ``jinguo`` (an encrypted .xlsx
  is an OLE compound file too, holding an EncryptedPackage stream).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from openpyxl import Workbook

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
PASSWORD = "jinguo"
ODD_HEADER = ["姓名", "身份证号", "联系电话", "出生日期", "备注"]
# Valid IDs (check digits computed with models.validators.id_check_char).
IDS = ("321002198001010011", "32100219800101002X", "321002198001010038", "321002198001010097")

ENCRYPT = """
import sys, time, uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException

def prop(name, value):
    p = PropertyValue(); p.Name = name; p.Value = value; return p

source, target, password, pipe = sys.argv[1:]
local = uno.getComponentContext()
resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
for _ in range(120):
    try:
        context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        break
    except NoConnectException:
        time.sleep(0.5)
desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(source), "_blank", 0, (prop("Hidden", True),))
options = (prop("FilterName", "MS Excel 97"), prop("Password", password))
doc.storeToURL(uno.systemPathToFileUrl(target), options)
doc.close(True)
try:
    desktop.terminate()
except Exception:
    pass
"""


def odd_cells(path: Path) -> None:
    wb = Workbook()
    old = wb.active
    old.title = "旧名单"
    old.append(ODD_HEADER)
    old.append(["旧人", IDS[3]])
    old.sheet_state = "hidden"
    ws = wb.create_sheet("名单")
    ws.append(ODD_HEADER)
    ws.append(["张三", IDS[0], "13800000001", dt.datetime(1980, 1, 1), "0123"])
    ws.append(["李四", IDS[1], "=1/0", None, None])
    ws.append(["王五", IDS[2], 13800000003, None, None])
    for ref in ("B2", "C2", "E2", "B3", "B4"):
        ws[ref].number_format = "@"  # typed as text, as the template asks
    ws["D2"].number_format = "yyyy-mm-dd"
    wb.active = 1
    wb.save(path)


def sparse(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "名单"
    ws["A1"] = "姓名"
    ws["IV65536"] = "最后一个单元格"
    wb.save(path)


def convert(profile: str, source: Path, fmt: str) -> Path:
    subprocess.run(["soffice", profile, "--headless", "--convert-to", fmt, "--outdir", str(source.parent),
                    str(source)], check=True, capture_output=True, timeout=180)
    target = source.with_suffix("." + fmt)
    if not target.exists():
        raise SystemExit(f"soffice made no {target.name}")
    return target


def encrypt(profile: str, source: Path, target: Path) -> None:
    python = os.environ.get("UNO_PYTHON", "/usr/bin/python3")
    pipe = f"jinguo_samples_{os.getpid()}"
    office = subprocess.Popen(["soffice", profile, "--headless", "--invisible", "--norestore",
                               f"--accept=pipe,name={pipe};urp;"])
    try:
        subprocess.run([python, "-c", ENCRYPT, str(source), str(target), PASSWORD, pipe], check=True,
                       timeout=180)
    finally:
        try:
            office.wait(30)
        except subprocess.TimeoutExpired:
            office.kill()
            office.wait()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        profile = f"-env:UserInstallation={(work / 'profile').as_uri()}"
        made = []
        for name in ("legacy-orgs", "legacy-volunteers"):
            source = work / f"{name}.xlsx"
            shutil.copy(DATA / source.name, source)
            made += [convert(profile, source, "xls"), convert(profile, source, "ods")]
        odd = work / "odd-cells.xlsx"
        odd_cells(odd)
        made += [convert(profile, odd, "xls"), convert(profile, odd, "ods")]
        far = work / "sparse.xlsx"
        sparse(far)
        made.append(convert(profile, far, "xls"))
        encrypt(profile, odd, work / "encrypted.xls")
        from msoffcrypto.format.ooxml import OOXMLFile

        with open(odd, "rb") as plain, open(work / "encrypted.xlsx", "wb") as locked:
            OOXMLFile(plain).encrypt(PASSWORD, locked)
        made += [work / "encrypted.xls", work / "encrypted.xlsx"]
        for path in made:
            shutil.copy(path, DATA / path.name)
            print(f"{path.name}: {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    sys.exit(main())
