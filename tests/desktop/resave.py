"""An exported workbook as it comes back to the office after a spreadsheet program had it.

- ``retyped_copy``: the cells as Excel, WPS or Calc store them once a user retypes or pastes them:
  digit strings become numbers, ``1983.10`` (出生年月) the number 1983.1, dates serial numbers
  with the system's short date format (``yyyy/m/d`` on Chinese Windows).
- ``csv_copy``: the sheet saved as CSV the way those programs write it: each cell's displayed
  text (by its number format), CRLF line ends; "CSV UTF-8" with a byte-order mark, plain "CSV"
  on Chinese Windows in GB18030.
- ``soffice_convert``: LibreOffice itself re-saving the files as .xlsx or CSV, when installed.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

CHINESE_SHORT_DATE = "yyyy/m/d"
CHINESE_SHORT_DATETIME = "yyyy/m/d h:mm"
# What a spreadsheet takes for a number and keeps whole (15 significant digits). It would take
# "0517…" too, dropping the zero; no export writes a digit string with a leading zero.
_DIGITS = re.compile(r"[1-9]\d{0,14}")
_LONG_DIGITS = re.compile(r"\d{16,}")  # an ID number: a spreadsheet keeps only its first 15 digits
_YEAR_MONTH = re.compile(r"\d{4}\.\d{1,2}")  # 出生年月 as rosters print it


def retyped_copy(source: Path, target: Path, ids_as_numbers: bool = False) -> Path:
    """``source`` with every cell stored as a spreadsheet program stores what a user typed.

    ID numbers stay text (the office formatted that column as text) unless ``ids_as_numbers``:
    then they are numbers with their last digits lost, as Excel leaves them.
    """
    wb = load_workbook(source)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, dt.datetime):
                    midnight = value.time() == dt.time()
                    cell.number_format = CHINESE_SHORT_DATE if midnight else CHINESE_SHORT_DATETIME
                elif isinstance(value, str):
                    typed = value.strip()
                    if _DIGITS.fullmatch(typed):
                        cell.value, cell.number_format = int(typed), "General"
                    elif ids_as_numbers and _LONG_DIGITS.fullmatch(typed):
                        cell.value, cell.number_format = float(f"{int(typed):.14e}"), "0"
                    elif _YEAR_MONTH.fullmatch(typed):
                        cell.value, cell.number_format = float(typed), "General"
    wb.save(target)
    wb.close()
    return target


# -- displayed text -----------------------------------------------------------------------------

_DATE_TOKENS = re.compile(r"yyyy|yy|mm|m|dd|d|hh|h|ss|s|\\.|\"[^\"]*\"|.", re.IGNORECASE)


def _date_text(value: dt.date, number_format: str) -> str:
    moment = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
    parts: list[str] = []
    after_hour = False
    for token in _DATE_TOKENS.findall(number_format.split(";")[0]):
        low = token.lower()
        if low in ("yyyy", "yy"):
            parts.append(f"{moment.year:04d}" if low == "yyyy" else f"{moment.year % 100:02d}")
        elif low in ("m", "mm"):
            number = moment.minute if after_hour else moment.month
            parts.append(f"{number:02d}" if low == "mm" else str(number))
        elif low in ("d", "dd"):
            parts.append(f"{moment.day:02d}" if low == "dd" else str(moment.day))
        elif low in ("h", "hh"):
            after_hour = True
            parts.append(f"{moment.hour:02d}" if low == "hh" else str(moment.hour))
        elif low in ("s", "ss"):
            parts.append(f"{moment.second:02d}" if low == "ss" else str(moment.second))
        elif token.startswith("\\"):
            parts.append(token[1:])
        elif token.startswith('"'):
            parts.append(token.strip('"'))
        else:
            parts.append(token)
    return "".join(parts)


def _number_text(value: float, number_format: str) -> str:
    section = number_format.split(";")[0]
    if section in ("General", "@", ""):
        return str(int(value)) if float(value).is_integer() else f"{value:.10g}"
    whole, _, fraction = section.partition(".")
    places = re.match(r"[0#]*", fraction).group()
    text = f"{value:{',' if ',' in whole else ''}.{len(places)}f}"
    optional = len(places) - places.count("0")
    while optional and text.endswith("0"):
        text, optional = text[:-1], optional - 1
    return text.removesuffix(".")


def displayed_text(value: Any, number_format: str, dates: str | None = None) -> str:
    """The cell as the spreadsheet shows it (and writes it into a CSV). ``dates``: the format a
    date cell shows instead of its own (the system's short date)."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        if dates is not None:
            timed = isinstance(value, dt.datetime) and value.time() != dt.time()
            number_format = CHINESE_SHORT_DATETIME if timed else dates
        return _date_text(value, number_format)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return _number_text(value, number_format)
    return str(value)


def csv_copy(source: Path, target: Path, encoding: str, dates: str | None = None) -> Path:
    """The first sheet of ``source`` saved as CSV by a spreadsheet program (see the module doc)."""
    wb = load_workbook(source)
    ws = wb.worksheets[0]
    with open(target, "w", encoding=encoding, newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        for row in ws.iter_rows(max_col=ws.max_column):
            writer.writerow([displayed_text(c.value, c.number_format, dates) for c in row])
    wb.close()
    return target


# -- LibreOffice --------------------------------------------------------------------------------

_CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,{charset},1,,0,false,true,true,false,false"
SOFFICE_TARGETS = {
    "soffice_xlsx": ("xlsx", "xlsx"),
    "soffice_csv_utf8": (_CSV_FILTER.format(charset=76), "csv"),  # 76: UTF-8
    "soffice_csv_gb18030": (_CSV_FILTER.format(charset=85), "csv"),  # 85: GB18030
}
SOFFICE_SECONDS = 180


def soffice_convert(sources: list[Path], workdir: Path) -> tuple[dict[str, dict[Path, Path]], str]:
    """Every source converted to each of ``SOFFICE_TARGETS`` (one LibreOffice run per target, the
    runs side by side, each with its own profile so that parallel test runs do not meet).

    Returns ``({variant: {source: converted}}, "")``, or ``({}, why not)`` when LibreOffice is
    not installed or failed.
    """
    program = shutil.which("soffice") or shutil.which("libreoffice")
    if program is None:
        return {}, "LibreOffice (soffice) is not installed"
    runs = {}
    for variant, (target, _suffix) in SOFFICE_TARGETS.items():
        outdir = workdir / variant
        outdir.mkdir(parents=True)
        profile = (workdir / f"profile-{variant}").as_uri()
        runs[variant] = subprocess.Popen(
            [program, f"-env:UserInstallation={profile}", "--headless", "--norestore",
             "--convert-to", target, "--outdir", str(outdir), *map(str, sources)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    converted: dict[str, dict[Path, Path]] = {}
    problems = []
    for variant, run in runs.items():
        try:
            output, _ = run.communicate(timeout=SOFFICE_SECONDS)
        except subprocess.TimeoutExpired:
            run.kill()
            output, _ = run.communicate()
        suffix = SOFFICE_TARGETS[variant][1]
        files = {s: workdir / variant / f"{s.stem}.{suffix}" for s in sources}
        if run.returncode != 0 or not all(f.exists() for f in files.values()):
            problems.append(f"{variant}: exit {run.returncode}: {output.strip()[-300:]}")
        converted[variant] = files
    if problems:
        return {}, "LibreOffice could not convert the exports: " + "; ".join(problems)
    return converted, ""
