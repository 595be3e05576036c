"""Unit databases for the report-package tests: small demo counties (different seeds) set up as
townships and counties, and empty ones for upper units, on SQLite or the test server."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

from desktop.context import build_context
from desktop.demo import fill_demo
from desktop.exchange.service import export_package
from models.periods import parse_period
from models.units import set_unit

TODAY = dt.date(2026, 11, 23)
PERIOD = "2025Q3"


class Units:
    """Makes unit databases under ``folder`` (or on ``server``) and remembers them to drop."""

    def __init__(self, folder: Path, server=None):
        self.folder = folder
        self.server = server
        self.made: list[str] = []

    def location(self, name: str) -> Path | str:
        if self.server is None:
            return self.folder / f"{name}.db"
        url = self.server.fresh()
        self.made.append(url)
        return url

    def make(self, name: str, code: str, level: str, parent: str = "", seed: int | None = None,
             people: int = 300) -> Path | str:
        where = self.location(name)
        ctx = build_context(where)
        try:
            if seed is not None:
                fill_demo(people=people, seed=seed, today=TODAY)
            set_unit(name, code, level, parent, None)
        finally:
            ctx.close()
        return where

    def export(self, where: Path | str, period: str = PERIOD, folder: Path | None = None,
               with_register: bool = False) -> Path:
        ctx = build_context(where)
        try:
            path, _ = export_package(folder or self.folder, parse_period(period), with_register)
        finally:
            ctx.close()
        return path

    def drop(self) -> None:
        if self.server is not None:
            from models.db import database

            if database.obj is not None and not database.obj.is_closed():
                database.obj.close()
            for url in self.made:
                self.server.drop(url)


def package_part(path: Path, part: str) -> dict | list:
    with zipfile.ZipFile(path) as z:
        return json.loads(z.read(part))


def values_of(document: dict) -> dict[tuple[str, tuple], object]:
    return {(v["indicator"], tuple(sorted((v["disaggregation"] or {}).items()))): v["value"]
            for v in document["values"]}
