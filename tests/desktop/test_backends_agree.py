"""The same demo county on SQLite and on PostgreSQL shows the same figures and the same lists.

``jinguo demo`` with one seed writes the county into a SQLite file and into a database on the
test server (made as the README says: C collation); then every figure of the summary's JSON
export, every list page in every sort order (and a few searches), the lists behind the summary
and the rosters must agree. Runs only on a server run (``JINGUO_TEST_DATABASE_URL``).
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from desktop.cli import main
from desktop.cli_export import TABLES
from desktop.database import open_database
from models.auth import authenticate
from models.entities import Organization, Region, Team, Venue
from models.i18n import Message
from models.periods import Period
from models.rosters import ORDERS, build_roster
from models.summary_lists import detail_lists

PEOPLE = 300
SEED = 5
SEARCHES = ("王", "13", "社区", "巾帼")


def plain(value: Any) -> Any:
    """A value as the page shows it, with its type: a float where the other side has a Decimal
    is a difference; 2500 and 2500.00 (SQLite drops a decimal's trailing zeros) are not."""
    if isinstance(value, Message):
        return ("text", str(value))
    if isinstance(value, Decimal):
        return ("decimal", value.normalize())
    if isinstance(value, dt.datetime | dt.date):
        return (type(value).__name__, value.isoformat())
    return (type(value).__name__, value)


def summary_values(database: Path | str, out: Path, period: str, township: str | None) -> list:
    out.mkdir(exist_ok=True)
    target = out / f"{period}-{township or 'county'}.json"
    extra = ["--township", township] if township else []
    code = main(["export", "summary", "--db", str(database), "--period", period, *extra,
                 "--format", "json", "-o", str(target)])
    assert code == 0
    return json.loads(target.read_text(encoding="utf-8"))["values"]


def lists(database: Path | str, today: dt.date) -> dict[str, list]:
    """Every list page in each sort order, searches, the summary's lists and the rosters."""
    db = open_database(database)
    seen: dict[str, list] = {}
    try:
        authenticate("admin", "admin-2025")  # the demo's administrator: ID numbers are encrypted
        for entity, (module, listing_name, filter_name) in TABLES.items():
            loaded = importlib.import_module(module)
            listing, make_filter = getattr(loaded, listing_name)(), getattr(loaded, filter_name)
            flt = make_filter(archived=None)
            assert listing.count(flt) > 0, entity
            for column in [c for c in listing.columns if c.sort is not None]:
                for descending in (False, True):
                    rows = listing.fetch(flt, column.key, descending, 0, 100_000)
                    seen[f"{entity} by {column.key} desc={descending}"] = [
                        (r.id, r.archived, r.flagged, [plain(v) for v in r.values]) for r in rows]
            for text in SEARCHES:
                found = make_filter(text=text)
                rows = listing.fetch(found, None, listing.default_descending, 0, 100_000)
                seen[f"{entity} search {text}"] = [listing.count(found),
                                                   *([plain(v) for v in r.values] for r in rows)]
        for detail in detail_lists(Period.for_year(today.year), None, today):
            seen[f"summary list {detail.key}"] = [[plain(v) for v in row] for row in detail.rows()]
        township = Region.select(Region.id).where(Region.level == "township").order_by(Region.id).scalar()
        targets = [("volunteers", None, township), ("volunteers", None, None)]
        for kind, model in (("organization", Organization), ("team", Team), ("venue", Venue)):
            busiest = model.select(model.id).order_by(model.id).limit(3)
            targets += [(kind, row.id, None) for row in busiest]
        for kind, target, area in targets:
            for order in ORDERS:
                roster = build_roster(kind, target, order, area, False, today)
                seen[f"roster {kind} {target} {area} {order}"] = [
                    [plain(getattr(row, f)) for f in row.__dataclass_fields__] for row in roster.rows]
    finally:
        db.close()
    return seen


def test_the_demo_on_sqlite_and_on_postgresql_shows_the_same(test_server, tmp_path, monkeypatch):
    if test_server is None:
        pytest.skip("needs the test server (JINGUO_TEST_DATABASE_URL)")
    monkeypatch.setenv("JINGUO_USER", "admin")
    monkeypatch.setenv("JINGUO_PASSWORD", "admin-2025")
    today = dt.date.today()
    file = tmp_path / "demo.db"
    server = test_server.empty(c_collation=True)
    try:
        for database in (file, server):
            assert main(["demo", "--db", str(database), "--people", str(PEOPLE), "--seed", str(SEED)]) == 0
        periods = [(str(today.year), None), (str(today.year - 1), None), (f"{today.year - 1}Q2", None),
                   (str(today.year - 1), "东关街道"), (f"{today:%Y-%m}", "白塔镇")]
        for period, township in periods:
            on_file = summary_values(file, tmp_path / "file", period, township)
            on_server = summary_values(server, tmp_path / "server", period, township)
            assert len(on_file) > 20
            assert on_file == on_server, (period, township)
        on_file, on_server = lists(file, today), lists(server, today)
        assert on_file.keys() == on_server.keys()
        for key in on_file:
            assert on_file[key] == on_server[key], key
        assert sum(len(rows) for rows in on_file.values()) > 5_000
    finally:
        test_server.drop(server)


def test_demo_refuses_a_server_database_that_holds_data(test_server, capsys):
    if test_server is None:
        pytest.skip("needs the test server (JINGUO_TEST_DATABASE_URL)")
    url = test_server.fresh()
    try:
        assert main(["demo", "--db", url, "--people", "200"]) == 0
        capsys.readouterr()
        assert main(["demo", "--db", url, "--people", "200"]) == 2
        assert "已有数据" in capsys.readouterr().err
    finally:
        test_server.drop(url)
