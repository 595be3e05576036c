import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from desktop.context import AppContext, build_context


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
def fast_password_hashing(monkeypatch):
    """Tests log in often: a cheap scrypt cost (stored with each hash, like the real one)."""
    import models.auth

    monkeypatch.setattr(models.auth, "SCRYPT_N", 2**10)


@pytest.fixture
def ctx(tmp_path) -> AppContext:
    context = build_context(tmp_path / "test.db")
    yield context
    context.close()


@pytest.fixture
def db(ctx):
    return ctx.db


@pytest.fixture
def user(ctx):
    return ctx.user
