"""Text search finds the same rows on SQLite and on PostgreSQL (the suite runs on both): case
folding of Latin letters, full-width input, and the LIKE wildcards typed as plain characters."""

from __future__ import annotations

import pytest

from models.organization_listing import OrganizationFilter, OrganizationListing
from models.organizations import OrganizationData, save_organization

NAMES = ("ABC妇女互助会", "abc读书会", "100%爱心团", "1000爱心团", "a_b志愿队", "axb志愿队", "王家庄微家")


@pytest.fixture
def orgs(ctx):
    return [save_organization(OrganizationData(name=name), ctx.user) for name in NAMES]


def found(text: str) -> set[str]:
    listing = OrganizationListing()
    return {row.values[0] for row in listing.fetch(OrganizationFilter(text=text), "name", False, 0, 100)}


@pytest.mark.parametrize(("typed", "expected"), [
    ("abc", {"ABC妇女互助会", "abc读书会"}),  # Latin letters fold
    ("ＡＢＣ", {"ABC妇女互助会", "abc读书会"}),  # full-width input, as a Chinese IME may type it
    ("100%", {"100%爱心团"}),  # % is a character, not a wildcard
    ("a_b", {"a_b志愿队"}),  # so is _
    ("微家", {"王家庄微家"}),
    ("*", set()),  # GLOB's wildcards are not LIKE's either
])
def test_search_finds_the_same_rows_on_both_backends(orgs, typed, expected):
    assert found(typed) == expected
