"""Helpers shared by the tests of desktop/: databases as an office has them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.context import build_context
from desktop.database import open_database
from desktop.demo import create_demo_users, fill_demo
from models import auth
from models.entities import Organization, Region


def office_db(path: Path) -> Path:
    """A closed database with one organization and two operators who log in (admin, luru)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    ctx = build_context(path)
    admin = auth.create_first_admin("admin", "管理员", "admin-pass-1", "admin-pass-1")
    auth.create_user(admin, "luru", "录入员", "clerk", "luru-pass-1")
    Organization.create(name="巾帼志愿服务队", kind="grassroots",
                        region=Region.create(name="东关街道", level="township"))
    ctx.close()
    assert not path.with_name(path.name + "-wal").exists()
    return path


# -- whole-database copies (test_dbcopy, test_server_backup) ----------------------------------
DEMO_PASSWORDS = {"admin": "admin-2025", "luru": "luru-2025", "chakan": "chakan-2025"}


@pytest.fixture(scope="session")
def demo_master(tmp_path_factory) -> Path:
    """A small demo county (made once; each test copies it)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    db = open_database(path)
    try:
        fill_demo(people=200, seed=11)
        create_demo_users()
    finally:
        db.close()
    return path


@pytest.fixture
def demo_office(tmp_path, demo_master) -> Path:
    """A copy of the demo county for one test, as the office's database file."""
    path = tmp_path / "office.db"
    shutil.copy(demo_master, path)
    return path


@pytest.fixture
def run_as(monkeypatch, capsys):
    """Run a ``jinguo`` command as one of the demo's operators: (exit code, stdout, stderr)."""
    def run(user: str, *args) -> tuple[int, str, str]:
        monkeypatch.setenv("JINGUO_USER", user)
        monkeypatch.setenv("JINGUO_PASSWORD", DEMO_PASSWORDS.get(user, "wrong"))
        code = main([str(a) for a in args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


