"""The data layer: peewee models, domain rules, validation and queries. Imports no Qt."""

import sys

# peewee tries every database driver it knows when it is imported; psycopg alone costs 60-250 ms of
# every start, on a PC that only ever opens its file. The drivers are hidden while peewee loads;
# ``models.db.load_server_driver`` gives peewee psycopg when a server is first opened.
_UNUSED_DRIVERS = ("psycopg2cffi", "psycopg2", "psycopg", "pymysql", "MySQLdb")


def _import_peewee_without_drivers() -> None:
    if "peewee" in sys.modules:
        return
    hidden = [name for name in _UNUSED_DRIVERS if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # "import name" raises ImportError
    try:
        import peewee  # noqa: F401
    finally:
        for name in hidden:
            if sys.modules.get(name) is None:
                sys.modules.pop(name, None)


_import_peewee_without_drivers()
