"""The test suite on a PostgreSQL server: ``JINGUO_TEST_DATABASE_URL`` names a database on it to
connect to as a user who may create databases (``postgresql://postgres@127.0.0.1:5433/postgres``).

Each test that takes the ``ctx`` fixture then gets a database of its own, copied from a template
that holds the schema (CREATE DATABASE … TEMPLATE: a few tens of milliseconds), dropped after the
test. Without the variable the suite runs on SQLite files, as it always has.
"""

from __future__ import annotations

import itertools
import os

URL_VARIABLE = "JINGUO_TEST_DATABASE_URL"


def server_url() -> str | None:
    return os.environ.get(URL_VARIABLE) or None


class TestServer:
    """Databases for tests on the server ``admin_url`` points at."""

    __test__ = False  # not a test class

    def __init__(self, admin_url: str):
        from psycopg.conninfo import conninfo_to_dict

        self.admin_url = admin_url
        self._params = conninfo_to_dict(admin_url)
        self.prefix = f"jt_{os.getpid()}"
        self.template = f"{self.prefix}_template"
        self._counter = itertools.count(1)
        self._template_made = False

    def url(self, name: str) -> str:
        """``postgresql://user[:password]@host:port/name`` (the form ``--db`` takes)."""
        from urllib.parse import quote

        p = self._params
        auth = quote(p.get("user", ""), safe="")
        if p.get("password"):
            auth += ":" + quote(p["password"], safe="")
        return f"postgresql://{auth}@{p.get('host', 'localhost')}:{p.get('port', '5432')}/{name}"

    def _admin(self, *statements: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)

    def _make_template(self) -> None:
        from desktop.database import open_database

        self._admin(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)',
                    f'CREATE DATABASE "{self.template}"')
        db = open_database(self.url(self.template))  # the schema, as the program makes it
        db.close()
        self._template_made = True

    def fresh(self) -> str:
        """The URL of a new database holding the program's new, empty schema."""
        if not self._template_made:
            self._make_template()
        name = f"{self.prefix}_{next(self._counter)}"
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
                    f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return self.url(name)

    def empty(self, c_collation: bool = False) -> str:
        """The URL of a new database with no tables at all; with ``c_collation``, made as the
        README tells an administrator to (C collation, whatever the server's default)."""
        name = f"{self.prefix}_{next(self._counter)}"
        options = " ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0" if c_collation else ""
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"{options}')
        return self.url(name)

    def drop(self, url: str) -> None:
        name = url.rsplit("/", 1)[-1]
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def drop_all(self) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            names = [n for (n,) in conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s", (f"{self.prefix}_%",))]
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
