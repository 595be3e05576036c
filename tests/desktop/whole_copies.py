"""What the tests of whole-database copies compare (their fixtures are in conftest.py)."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from pathlib import Path

from models.entities import ALL_MODELS

LOGIN_COLUMNS = frozenset({"last_login_at"})  # each login writes it


def contents(path: Path, skip: frozenset[str] = frozenset()) -> dict[str, list[tuple]]:
    """Every row of every table of a file, in id order, with the type SQLite stored each value as
    (``skip``: columns left out)."""
    tables = {}
    with closing(sqlite3.connect(path)) as conn:
        for model in ALL_MODELS:
            columns = [f'"{f.column_name}"' for f in model._meta.sorted_fields if f.column_name not in skip]
            key = model._meta.primary_key.column_name
            tables[model._meta.table_name] = conn.execute(
                f'SELECT {", ".join(columns)}, {", ".join(f"typeof({c})" for c in columns)} '
                f'FROM "{model._meta.table_name}" ORDER BY "{key}"').fetchall()
    return tables


def count(path: Path, table: str) -> int:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]


def server_count(url: str, table: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def export_lines(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as conn:
        return [s for (s,) in conn.execute(
            "SELECT summary FROM audit_entry WHERE action = 'export' AND entity = 'database' ORDER BY id")]
