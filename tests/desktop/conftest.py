"""Helpers shared by the tests of desktop/: databases as an office has them."""

from __future__ import annotations

from pathlib import Path

from desktop.context import build_context
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
