"""The deferred database every model binds to; desktop/ initialises it at start-up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence

import peewee
from peewee import (
    OP,
    SQL,
    Cast,
    ColumnBase,
    DatabaseProxy,
    DateTimeField,
    Expression,
    IntegerField,
    Model,
    PostgresqlDatabase,
    ValueLiterals,
    fn,
)

database = DatabaseProxy()


def load_server_driver() -> None:
    """Give peewee psycopg (3), which ``models/__init__`` kept from it at import: called before a
    PostgreSQL database is made. Raises ImportError when psycopg is not installed."""
    import psycopg
    from psycopg.pq import TransactionStatus
    from psycopg.types.json import Json, Jsonb

    if peewee.psycopg is not None:  # peewee was imported with it after all
        return
    peewee.psycopg, peewee.TransactionStatus = psycopg, TransactionStatus
    peewee.Json_pg3, peewee.Jsonb_pg3 = Json, Jsonb
    adapter = peewee.Psycopg3Adapter  # its class body read these when peewee was imported
    adapter.txn_idle = TransactionStatus.IDLE
    adapter.txn_inerror = TransactionStatus.INERROR
    adapter.txn_unknown = TransactionStatus.UNKNOWN


def on_server() -> bool:
    """Whether the models are bound to a PostgreSQL server (else the one-PC SQLite file)."""
    return isinstance(database.obj, PostgresqlDatabase)


class PerBackend(ColumnBase):
    """An expression written differently for SQLite and PostgreSQL, chosen when the query is
    rendered (queries built at import time, before the database is known, stay valid)."""

    def __init__(self, sqlite: Callable[[], object], postgres: Callable[[], object]):
        super().__init__()
        self.sqlite = sqlite
        self.postgres = postgres

    def __sql__(self, ctx):
        return ctx.sql(self.postgres() if on_server() else self.sqlite())


def grouping_key(expr) -> ValueLiterals:
    """``expr`` with its constants written into the SQL instead of sent as parameters, for an
    expression both selected and grouped by: PostgreSQL matches the two by their text, and
    ``CASE level WHEN $1`` never matches ``CASE level WHEN $5``. Constants only (codes, formats),
    never user input."""
    return ValueLiterals(expr)


def group_concat(expr, separator: str = ",") -> PerBackend:
    """The values of a group joined by ``separator`` (GROUP_CONCAT / string_agg)."""
    return PerBackend(lambda: fn.GROUP_CONCAT(expr, separator),
                      lambda: fn.string_agg(Cast(expr, "text"), separator))


_PG_FORMATS = {"%Y": "YYYY", "%Y-%m": "YYYY-MM", "%Y-%m-%d": "YYYY-MM-DD"}


def date_text(fmt: str, column) -> ColumnBase:
    """A date column as text: ``%Y`` (year) or ``%Y-%m`` (month), as both backends write it
    (the format written into the SQL, so that the expression can be grouped by)."""
    return grouping_key(PerBackend(lambda: fn.strftime(fmt, column),
                                   lambda: fn.to_char(column, _PG_FORMATS[fmt])))


def day_of_year(year, month: int, day: int) -> PerBackend:
    """The date ``year``-``month``-``day`` for a year held in a column (comparable with dates)."""
    return PerBackend(lambda: fn.printf(f"%04d-{month:02d}-{day:02d}", year),
                      lambda: fn.make_date(year, SQL(str(int(month))), SQL(str(int(day)))))


def greatest(a, b) -> PerBackend:
    """The larger of two values (SQLite's two-argument MAX, PostgreSQL's GREATEST)."""
    return PerBackend(lambda: fn.MAX(a, b), lambda: fn.GREATEST(a, b))


class IdSource:
    """Ids for rows written in bulk with their ids set, so that the rows that point at them can be
    written in the same go. SQLite: after the largest id (the writer holds the database's write
    lock for the whole transaction). PostgreSQL: taken from the table's sequence, a block at a time,
    so that another clerk's insert meanwhile never gets the same id; each block twice the one
    before (up to ``MAX_BLOCK``): 50,000 rows take 7 round trips, not 50, and at most as many
    ids as were used (plus a first block) are left unused."""

    BLOCK = 1000
    MAX_BLOCK = 64_000

    def __init__(self, model: type[Model]):
        self.model = model
        self._ids: list[int] = []
        self._block = self.BLOCK
        self._next = 0
        self._sequence = ""
        if not on_server():
            self._next = (model.select(fn.MAX(model.id)).scalar() or 0) + 1

    def next(self) -> int:
        if not on_server():
            self._next += 1
            return self._next - 1
        if not self._ids:
            if not self._sequence:  # looked up once: per row, the lookup took 4 times as long as nextval
                self._sequence = database.execute_sql("SELECT pg_get_serial_sequence(%s, 'id')",
                                                      (self.model._meta.table_name,)).fetchone()[0]
            cursor = database.execute_sql("SELECT nextval(%s::regclass) FROM generate_series(1, %s)",
                                          (self._sequence, self._block))
            self._ids = [i for (i,) in cursor.fetchall()][::-1]
            self._block = min(2 * self._block, self.MAX_BLOCK)
        return self._ids.pop()


def continue_after_largest_id(model: type[Model]) -> None:
    """PostgreSQL: the table's id sequence set to continue right after its largest id, giving back
    the ids an IdSource took in a block and left unused, so that rows inserted one by one next
    get the ids they get on SQLite. Only where nothing else writes meanwhile (the demo filling an
    empty database in one transaction); SQLite needs nothing."""
    if on_server():
        table = model._meta.table_name
        database.execute_sql(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                             f'COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false)', (table,))


def matching(field, text: str, prefix: bool = False) -> ColumnBase:
    """``field`` contains ``text`` (with ``prefix``: starts with it), ignoring the case of Latin
    letters, as ``.contains()``/``.startswith()`` do on both backends. On PostgreSQL a text
    without cased letters (Chinese, digits) is matched with LIKE: the same rows as ILIKE, which
    lowercases every value it reads (a search of 100,000 people took five times as long) and
    cannot read a prefix off an index."""
    matched = field.startswith(text) if prefix else field.contains(text)
    if text.lower() != text.upper():
        return matched
    return PerBackend(lambda: matched, lambda: Expression(matched.lhs, OP.LIKE, matched.rhs))


def placeholders(n: int) -> str:
    """``n`` parameter placeholders for raw SQL on the bound database (``?`` or ``%s``)."""
    return ", ".join([database.param] * n)


def execute_many(sql: str, rows: Iterable[Sequence[object]]) -> int:
    """Run ``sql`` once per row with one prepared statement, the values bound by the driver
    (peewee's ``insert_many`` renders every value in Python, too slow for bulk writes). Write
    the placeholders with ``placeholders()``; the values are what the fields' ``db_value`` gives.
    Driver errors come out as peewee's, as from any other query. Returns the number of rows
    written or changed, summed over the statements (both drivers sum it)."""
    with peewee.__exception_wrapper__:  # what execute_sql does with driver errors
        cursor = database.cursor()
        cursor.executemany(sql, rows)
        return cursor.rowcount


def insert_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Insert ``rows`` (values for ``columns``, as the fields' ``db_value`` gives them) into
    ``table`` the fastest way each backend has: one prepared INSERT bound per row on SQLite
    (``execute_many``), COPY on PostgreSQL, which streams the rows instead of sending a
    statement for each (100,000 people: 9 s of INSERTs, under 2 s of COPY). Columns left out
    get their column default (ids from the sequence). Driver errors come out as peewee's."""
    names = ", ".join(f'"{c}"' for c in columns)
    if not on_server():
        execute_many(f'INSERT INTO "{table}" ({names}) VALUES ({placeholders(len(columns))})', rows)
        return
    with peewee.__exception_wrapper__, database.cursor().copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)


def refresh_statistics(models: Iterable[type[Model]]) -> None:
    """Let the planner know tables just filled in bulk. PostgreSQL's autovacuum gathers their
    statistics only a while later, and until then plans a table of 100,000 people as a nearly
    empty one (scanning where an index would do). SQLite plans without them: nothing to do."""
    if on_server():
        tables = ", ".join(f'"{m._meta.table_name}"' for m in models)
        database.execute_sql(f"ANALYZE {tables}")


def now() -> dt.datetime:
    """Local wall-clock time, to the second (what office staff read in lists and logs)."""
    return dt.datetime.now().replace(microsecond=0)


def excluding(query, existing: Model | None):
    """``query`` without the record being edited (for "is this name taken?" checks)."""
    return query if existing is None else query.where(query.model.id != existing.id)


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class TimestampedModel(BaseModel):
    created_at = DateTimeField(default=now)
    updated_at = DateTimeField(default=now)
    # Raised by one on every change (models.audit.update): a save based on an older version is
    # refused, so two clerks editing the same record never silently overwrite each other.
    version = IntegerField(default=1, constraints=[SQL("DEFAULT 1")])  # as migration 6 adds it
