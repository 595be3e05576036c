"""The PostgreSQL benches' floor: rows read out of one database with COPY, then written into
another with one COPY per table in one transaction, through psycopg alone (rolled back each time;
the fastest counts, since a busy machine only slows)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

import psycopg

Tables = list[tuple[str, str, bytes]]  # table, its column list, the COPY text of its rows


def copy_out(url: str, models: Iterable[type], where: Callable[[type], str] = lambda _model: "") -> Tables:
    """Each model's rows (``where``: a WHERE clause of its own), in the order given (parents before
    children, for the foreign keys); tables without such rows are left out."""
    tables = []
    with psycopg.connect(url) as conn:
        for model in models:
            table = model._meta.table_name
            columns = ", ".join(f'"{f.column_name}"' for f in model._meta.sorted_fields)
            data = bytearray()
            query = f'COPY (SELECT {columns} FROM "{table}" {where(model)}) TO STDOUT'
            with conn.cursor().copy(query) as copy:
                for block in copy:
                    data += block
            if data:
                tables.append((table, columns, bytes(data)))
    return tables


def copy_in_seconds(url: str, tables: Tables, repeats: int) -> tuple[float, int]:
    """(the fastest of ``repeats`` timings of writing ``tables`` into ``url``, the rows written)."""
    times = []
    with psycopg.connect(url) as conn:
        for _ in range(repeats):
            started = time.perf_counter()
            with conn.transaction(force_rollback=True):
                for table, columns, data in tables:
                    with conn.cursor().copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
                        copy.write(data)
            times.append(time.perf_counter() - started)
    return min(times), sum(data.count(b"\n") for _t, _c, data in tables)
