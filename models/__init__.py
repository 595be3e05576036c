"""The data layer: peewee models, domain rules, validation and queries. Imports no Qt."""

import sys

# peewee tries every database driver it knows when it is imported; psycopg alone costs 60-250 ms of
# every start, on a PC that only ever opens its file. Whoever imports peewee first (this package's
# modules, the application's, a test's), it loads with those drivers hidden;
# ``models.db.load_server_driver`` gives peewee psycopg when a server is first opened. Importing
# this package itself imports nothing: the login window shows before the database layer loads.
_UNUSED_DRIVERS = ("psycopg2cffi", "psycopg2", "psycopg", "pymysql", "MySQLdb")


class _DriverlessLoader:
    """Runs peewee's own loader with the drivers hidden."""

    def __init__(self, loader):
        self.loader = loader

    def __getattr__(self, name: str):  # get_source, is_package, …: peewee's own loader answers
        return getattr(self.loader, name)

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module) -> None:
        hidden = [name for name in _UNUSED_DRIVERS if name not in sys.modules]
        for name in hidden:
            sys.modules[name] = None  # type: ignore[assignment]  # "import name" raises ImportError
        try:
            self.loader.exec_module(module)
        finally:
            for name in hidden:
                if sys.modules.get(name) is None:
                    sys.modules.pop(name, None)


class _PeeweeFinder:
    """On sys.meta_path until peewee is first imported: finds it with the other finders (the
    file system's, or a frozen bundle's) and hands it the loader above."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "peewee":
            return None
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            spec = find(fullname, path, target) if find is not None else None
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _DriverlessLoader(spec.loader)
                return spec
        return None


if "peewee" not in sys.modules and not any(isinstance(f, _PeeweeFinder) for f in sys.meta_path):
    sys.meta_path.insert(0, _PeeweeFinder())
