"""The services refuse what the role does not allow, whoever calls them (not only the buttons)."""

from __future__ import annotations

import pytest

from desktop.importing import ImportOptions, apply_import, plan_import, read_sheet
from desktop.reports.table_export import export_listing
from models import auth
from models.entities import ImportBatch, Person
from models.permissions import PermissionDenied
from models.person_listing import PersonFilter, PersonListing


@pytest.fixture
def viewer(ctx):
    admin = auth.create_first_admin("wangfang", "王芳", "admin-pass-1", "admin-pass-1")
    return auth.create_user(admin, "lina", "李娜", "viewer", "viewer-pass-1")


def test_a_viewer_cannot_import(ctx, viewer, tmp_path):
    sheet_file = tmp_path / "people.csv"
    sheet_file.write_text("姓名,身份证号\n王芳,11010519491231002X\n", encoding="utf-8")
    plan = plan_import(read_sheet(sheet_file, "people"), options=ImportOptions())
    with pytest.raises(PermissionDenied) as info:
        apply_import(plan, viewer)
    assert "查看员" in str(info.value.errors["permission"])
    assert Person.select().count() == 0 and ImportBatch.select().count() == 0


def test_a_viewer_cannot_export_a_list(ctx, viewer, tmp_path):
    listing = PersonListing()
    target = tmp_path / "people.xlsx"
    with pytest.raises(PermissionDenied):
        export_listing(target, listing, PersonFilter(), listing.default_sort, listing.default_descending,
                       user=viewer)
    assert not target.exists()
