"""China's administrative divisions with their official codes, bundled for use without the network.

The table (``resources/divisions/divisions.zip``, made by ``tools/make_divisions.py`` from the
National Bureau of Statistics' 统计用区划代码, 2023 edition) holds every province, city, county,
township and village. A code's length tells its level: 2 province, 4 city, 6 county,
9 township (乡镇/街道), 12 village (村/社区). Provinces, cities and counties are read once; the
townships and villages of one province when first asked for.
"""

from __future__ import annotations

import functools
import threading
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from models.region_import import OfficialRegion
from resources import DIVISIONS, resource_path

LEVELS = {2: "province", 4: "city", 6: "county", 9: "township", 12: "village"}
# The levels the program keeps as Region rows (models.choices.REGION_LEVELS)
REGION_LEVELS = ("county", "township", "village")


@dataclass(frozen=True)
class Division:
    code: str
    name: str

    @property
    def level(self) -> str:
        return LEVELS[len(self.code)]


def table_code(code: str) -> str:
    """The table's code of a division written with the 6 digits offices use: a city's "321000"
    is the table's "3210", a province's "320000" its "32"; other codes are kept."""
    code = code.strip()
    if len(code) == 6 and code.endswith("0000"):
        return code[:2]
    if len(code) == 6 and code.endswith("00"):
        return code[:4]
    return code


def office_code(division: Division) -> str:
    """The 6 or 9 digits an office writes for a division (a city's "3210" → "321000")."""
    return division.code.ljust(6, "0") if len(division.code) < 6 else division.code


def parent_code(code: str) -> str | None:
    """The code of the division one level up (None for a province)."""
    lengths = sorted(LEVELS)
    index = lengths.index(len(code))
    return code[: lengths[index - 1]] if index else None


class DivisionTable:
    """The bundled table, or another file of the same layout (tests)."""

    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path is not None else resource_path(DIVISIONS)
        self._lock = threading.Lock()
        self._children: dict[str, list[Division]] = {}
        self._by_code: dict[str, Division] = {}
        self._loaded: set[str] = set()  # provinces whose townships (and "v" + villages) are read
        with zipfile.ZipFile(self.path) as z:
            self.meta = dict(line.split("\t", 1) for line in self._lines(z, "meta.txt"))
            for line in self._lines(z, "index.tsv"):
                self._add(*line.split("\t", 1))

    @property
    def edition(self) -> str:
        """The year of the codes (统计用区划代码 of that year)."""
        return self.meta.get("edition", "")

    def _lines(self, z: zipfile.ZipFile, name: str) -> list[str]:
        try:
            text = z.read(name).decode("utf-8")
        except KeyError:
            return []
        return [line for line in text.split("\n") if line]

    def _add(self, code: str, name: str) -> None:
        division = Division(code, name)
        self._by_code[code] = division
        self._children.setdefault(parent_code(code) or "", []).append(division)

    def _load(self, province: str, villages: bool) -> None:
        key = ("v" if villages else "") + province
        with self._lock:
            if key in self._loaded:
                return
            with zipfile.ZipFile(self.path) as z:
                if not villages:
                    for line in self._lines(z, f"towns/{province}.tsv"):
                        self._add(*line.split("\t", 1))
                else:
                    township = ""
                    for line in self._lines(z, f"villages/{province}.tsv"):
                        if line.startswith(">"):
                            township = line[1:]
                        else:
                            suffix, name = line.split("\t", 1)
                            self._add(township + suffix, name)
            self._loaded.add(key)

    def _ensure(self, code: str) -> None:
        """Read the province's townships (for a county's or township's code) or villages."""
        if len(code) >= 6:
            self._load(code[:2], villages=False)
        if len(code) >= 9:
            self._load(code[:2], villages=True)

    def provinces(self) -> list[Division]:
        return list(self._children.get("", []))

    def children(self, code: str) -> list[Division]:
        """The divisions one level below ``code``, in the order of their codes."""
        self._ensure(code)
        return list(self._children.get(code, []))

    def find(self, code: str) -> Division | None:
        code = code.strip()
        if len(code) not in LEVELS or not code.isdigit():
            return None
        self._ensure(parent_code(code) or code)
        return self._by_code.get(code)

    def lineage(self, code: str) -> list[Division]:
        """The division of ``code`` and those above it, from the province down; [] if unknown."""
        found = self.find(code)
        if found is None:
            return []
        chain = [found]
        while (up := parent_code(chain[0].code)) is not None:
            above = self._by_code.get(up)
            if above is None:
                return []
            chain.insert(0, above)
        return chain

    def official_regions(self, county: str, townships: Iterable[str] | None = None,
                         villages: bool = False) -> list[OfficialRegion]:
        """The Region rows for an office's area, parents first: the county, its townships
        (only ``townships`` when given) and, with ``villages``, their villages."""
        found = self.find(county)
        if found is None or found.level != "county":
            raise KeyError(county)
        chosen = set(townships) if townships is not None else None
        rows = [OfficialRegion(found.code, found.name, "county", None, 0)]
        for order, town in enumerate(self.children(found.code), start=1):
            if chosen is not None and town.code not in chosen:
                continue
            rows.append(OfficialRegion(town.code, town.name, "township", found.code, order))
            if villages:
                rows.extend(OfficialRegion(v.code, v.name, "village", town.code, n)
                            for n, v in enumerate(self.children(town.code), start=1))
        return rows


@functools.cache
def division_table() -> DivisionTable:
    """The bundled table, read once per process."""
    return DivisionTable()
