import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from desktop.context import AppContext, build_context
from models.entities import Region


@pytest.fixture(autouse=True)
def private_dirs(tmp_path, monkeypatch):
    """Never touch the real home: data, config and cache folders live in tmp."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("JINGUO_DATA_DIR", str(tmp_path / "data"))
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(var, str(home / var.lower()))
    return tmp_path


@pytest.fixture(autouse=True)
def memory_keyring(monkeypatch):
    """Never the PC's own keyring: each test has an empty one in memory (None when the keyring
    package is not installed), and no server password typed by an earlier test."""
    from desktop import server_passwords

    monkeypatch.setattr(server_passwords, "_typed", {})
    try:
        import keyring
    except ImportError:
        yield None
        return
    from tests.keyrings import MemoryKeyring

    previous = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    yield memory
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    """Tests log in often: a cheap scrypt cost (stored with each hash, like the real one)."""
    import models.auth

    monkeypatch.setattr(models.auth, "SCRYPT_N", 2**10)


def pytest_collection_modifyitems(config, items):
    """On a server run, the tests of the SQLite file itself are skipped (the SQLite run has them)."""
    from tests.server import server_url

    if server_url() is None:
        return
    skip = pytest.mark.skip(reason="tests the SQLite file; runs when the suite runs on SQLite")
    for item in items:
        if item.get_closest_marker("sqlite_only"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def test_server():
    """The PostgreSQL server the suite runs on (``JINGUO_TEST_DATABASE_URL``), or None: SQLite."""
    from tests.server import TestServer, server_url

    url = server_url()
    if url is None:
        yield None
        return
    server = TestServer(url)
    yield server
    server.drop_all()


@pytest.fixture
def server(test_server):
    """The PostgreSQL server of the test run; the test is skipped in a run without one."""
    if test_server is None:
        pytest.skip("needs a PostgreSQL server: set JINGUO_TEST_DATABASE_URL")
    return test_server


@pytest.fixture
def gate(server):
    """The test server behind a password (tests.password_gate.SERVER_PASSWORD), as an office's
    server is; the test server's own clients need none."""
    from tests.password_gate import SERVER_PASSWORD, PasswordGate

    params = server._params
    gate = PasswordGate(params.get("host", "localhost"), params.get("port", 5432), SERVER_PASSWORD)
    yield gate
    gate.close()


@pytest.fixture
def database_location(tmp_path, test_server):
    """Where a test's database is: a new SQLite file, or a new database on the test server."""
    if test_server is None:
        yield tmp_path / "test.db"
        return
    url = test_server.fresh()
    yield url
    from models.db import database

    if database.obj is not None and not database.obj.is_closed():
        database.obj.close()
    test_server.drop(url)


@pytest.fixture
def ctx(database_location) -> AppContext:
    context = build_context(database_location)
    yield context
    context.close()


@pytest.fixture
def db(ctx):
    return ctx.db


@pytest.fixture
def user(ctx):
    return ctx.user


@pytest.fixture
def county(ctx):
    """A county with two townships (东关街道, 西湖镇) and a village of 西湖镇."""
    county = Region.create(name="青禾县", level="county")
    east = Region.create(name="东关街道", level="township", parent=county, sort_order=1)
    west = Region.create(name="西湖镇", level="township", parent=county, sort_order=2)
    village = Region.create(name="柳树村", level="village", parent=west)
    return {"county": county, "east": east, "west": west, "village": village}
