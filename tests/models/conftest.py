"""Builders shared by the model tests: regions, organizations, credit codes, a query counter."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from models import audit
from models.entities import Region
from models.organizations import OrganizationData, save_organization
from models.validators import credit_check_char


def credit_code(serial: int) -> str:
    """A valid code of a social organization (prefix 51 = 社会团体) numbered ``serial``."""
    body = f"5132{serial:013d}"
    return body + credit_check_char(body)


@pytest.fixture
def make_credit_code() -> Callable[[int], str]:
    return credit_code


@pytest.fixture
def make_region(user) -> Callable[..., Region]:
    def build(name: str, level: str, parent: Region | None = None) -> Region:
        return audit.create(Region, user, name=name, level=level, parent=parent)

    return build


@pytest.fixture
def make_org(user):
    """Register an organization through the audited path; ``registered=n`` adds code no. n."""

    def build(name: str, registered: int | None = None, **fields):
        if registered is not None:
            fields.setdefault("kind", "registered")
            fields.setdefault("legal_form", "social_group")
            fields.setdefault("credit_code", credit_code(registered))
        return save_organization(OrganizationData(name=name, **fields), user)

    return build


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    def __len__(self) -> int:
        return len(self.statements)

    def reset(self) -> None:
        self.statements.clear()


@pytest.fixture
def count_queries(db, monkeypatch) -> QueryCounter:
    """Counts every statement the database runs from now on (peewee's assertQueryCount idea)."""
    counter = QueryCounter()
    original = db.execute_sql

    def counting(sql, params=None, *args, **kwargs):
        counter.statements.append(sql)
        return original(sql, params, *args, **kwargs)

    monkeypatch.setattr(db, "execute_sql", counting)
    return counter

