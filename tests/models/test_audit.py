"""The audited write path: one AuditEntry per real change, both or neither."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from peewee import IntegrityError

from models import audit
from models.entities import AuditEntry, Project, Region, Team


def entries(**where) -> list[AuditEntry]:
    query = AuditEntry.select().order_by(AuditEntry.id)
    for key, value in where.items():
        query = query.where(getattr(AuditEntry, key) == value)
    return list(query)


def changes(entry: AuditEntry) -> dict:
    return json.loads(entry.changes)


@pytest.fixture
def team(user):
    return audit.create(Team, user, name="仙女镇三工联动一队", description="初建")


def test_create_writes_the_row_and_one_entry(user):
    before = AuditEntry.select().count()
    team = audit.create(Team, user, name="仙女镇三工联动一队", description="初建")

    stored = Team.get_by_id(team.id)
    assert stored.name == "仙女镇三工联动一队" and stored.name_key.startswith("xian1")
    assert AuditEntry.select().count() == before + 1
    (entry,) = entries(entity="team", entity_id=team.id)
    assert entry.action == "create"
    assert entry.user_id == user.id and entry.username == "admin"
    assert entry.summary == "仙女镇三工联动一队"
    recorded = changes(entry)
    assert recorded["name"] == [None, "仙女镇三工联动一队"]
    assert recorded["description"] == [None, "初建"]
    assert not {"id", "name_key", "created_at", "updated_at"} & recorded.keys()
    assert "archived" not in recorded  # defaults that say nothing are left out


def test_create_records_foreign_keys_dates_and_money_as_plain_json(user):
    county = audit.create(Region, user, name="江都区", level="county")
    project = audit.create(
        Project, user, name="护苗行动", source="venture", year=2026,
        amount_applied=Decimal("12345.60"), start_on=dt.date(2026, 3, 1),
    )
    town = audit.create(Region, user, name="仙女镇", level="township", parent=county)
    assert changes(entries(entity="region", entity_id=town.id)[0])["parent"] == [None, county.id]
    recorded = changes(entries(entity="project", entity_id=project.id)[0])
    assert recorded["amount_applied"] == [None, "12345.60"]
    assert recorded["start_on"] == [None, "2026-03-01"]


def test_update_records_only_the_changed_fields(team, user):
    audit.update(team, user, name="仙女镇三工联动一队", description="已配齐人员")

    stored = Team.get_by_id(team.id)
    assert stored.description == "已配齐人员"
    (entry,) = entries(entity="team", entity_id=team.id, action="update")
    assert entry.user_id == user.id and entry.username == "admin"
    assert changes(entry) == {"description": ["初建", "已配齐人员"]}


def test_update_keeps_the_derived_sort_key_in_step(team, user):
    audit.update(team, user, name="邵伯镇三工联动队")
    assert Team.get_by_id(team.id).name_key.startswith("shao4 bo2")


def test_update_without_a_real_change_writes_nothing(team, user, count_queries):
    count = AuditEntry.select().count()
    count_queries.reset()
    audit.update(team, user, name="仙女镇三工联动一队", description="初建")
    audit.update(team, user)
    writes = [sql for sql in count_queries.statements if sql.split()[0] in ("INSERT", "UPDATE")]
    assert writes == []
    assert AuditEntry.select().count() == count


def test_archive_and_restore_each_write_one_entry(team, user):
    audit.archive(team, user, "团队合并", on=dt.date(2026, 6, 30))
    stored = Team.get_by_id(team.id)
    assert stored.archived and stored.archived_reason == "团队合并"
    assert stored.archived_on == dt.date(2026, 6, 30)
    (archived,) = entries(entity="team", entity_id=team.id, action="archive")
    assert archived.username == "admin"
    assert changes(archived) == {
        "archived": [False, True],
        "archived_on": [None, "2026-06-30"],
        "archived_reason": ["", "团队合并"],
    }

    audit.restore(team, user, "误归档")
    stored = Team.get_by_id(team.id)
    assert not stored.archived and stored.archived_on is None
    (restored,) = entries(entity="team", entity_id=team.id, action="restore")
    assert changes(restored) == {
        "archived": [True, False],
        "archived_on": ["2026-06-30", None],
        "archived_reason": ["团队合并", "误归档"],
    }
    assert [e.action for e in entries(entity="team", entity_id=team.id)] == [
        "create", "archive", "restore",
    ]


def test_without_a_user_the_entry_has_no_operator(db):
    team = audit.create(Team, None, name="无名队")
    (entry,) = entries(entity="team", entity_id=team.id)
    assert entry.user_id is None and entry.username == ""


def test_record_without_an_instance(user):
    entry = audit.record(user, "export", None, summary="导出花名册", entity="roster")
    assert entry.entity == "roster" and entry.entity_id is None
    assert json.loads(AuditEntry.get_by_id(entry.id).changes) == {}


def test_failed_create_leaves_neither_row_nor_entry(team, user):
    rows, logged = Team.select().count(), AuditEntry.select().count()
    with pytest.raises(IntegrityError):
        audit.create(Team, user, name="仙女镇三工联动一队")
    assert Team.select().count() == rows
    assert AuditEntry.select().count() == logged


def test_failed_update_leaves_row_unchanged_and_no_entry(team, user):
    other = audit.create(Team, user, name="邵伯镇三工联动队")
    logged = AuditEntry.select().count()
    with pytest.raises(IntegrityError):
        audit.update(other, user, name="仙女镇三工联动一队", description="改名")
    stored = Team.get_by_id(other.id)
    assert stored.name == "邵伯镇三工联动队" and stored.description == ""
    assert AuditEntry.select().count() == logged


def test_when_the_audit_write_fails_the_row_write_is_rolled_back(team, user, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "record", broken)
    rows, logged = Team.select().count(), AuditEntry.select().count()

    with pytest.raises(RuntimeError):
        audit.create(Team, user, name="新队")
    assert Team.select().count() == rows
    assert not Team.select().where(Team.name == "新队").exists()

    with pytest.raises(RuntimeError):
        audit.update(team, user, description="改过")
    assert Team.get_by_id(team.id).description == "初建"

    with pytest.raises(RuntimeError):
        audit.archive(team, user, "合并")
    assert not Team.get_by_id(team.id).archived
    assert AuditEntry.select().count() == logged


def test_the_audit_filters_offer_exactly_the_operators_records_and_actions_in_the_trail(user, db):
    from models import audit_listing

    rows = [("", "create", "team"), ("wang", "update", "person"), ("李敏", "export", "person"),
            ("wang", "archive", "venue"), ("zhao", "login", "")]
    AuditEntry.insert_many([{"username": u, "action": a, "entity": e, "changes": "{}"} for u, a, e in rows]
                           ).execute()

    def plain(column):  # what a full scan gives
        field = getattr(AuditEntry, column)
        return sorted(v for (v,) in AuditEntry.select(field).where(field != "").distinct().tuples())

    assert sorted(audit_listing._distinct("username")) == plain("username")
    assert {"wang", "李敏", "zhao"} <= {u for u, _ in audit_listing.operators()}
    assert sorted(e for e, _ in audit_listing.entities()) == plain("entity")
    assert [a for a, _ in audit_listing.actions()][:3] == ["create", "update", "archive"]
    assert sorted(a for a, _ in audit_listing.actions()) == plain("action")


@pytest.mark.sqlite_only  # SQLite's query plan (EXPLAIN QUERY PLAN is SQLite's own statement)
def test_every_audit_filter_probe_reads_an_index(db):
    for column in ("username", "entity", "action"):
        plan = str(db.execute_sql(f"EXPLAIN QUERY PLAN SELECT MIN({column}) FROM audit_entry "
                                  f"WHERE {column} > 'a'").fetchall())
        assert "USING COVERING INDEX" in plan or "USING INDEX" in plan, plan
