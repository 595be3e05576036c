"""The schema on a PostgreSQL server: created once, its version in a table, migrations under a
server-side lock (two PCs starting a new version at once migrate once), a newer database refused
naming the program version to install. Runs when the suite runs on a server."""

from __future__ import annotations

import threading

import pytest

from desktop.database import DatabaseOpenError, ServerDatabase, open_database
from models.entities import ServiceArea, User
from models.schema import (
    DEFAULT_SERVICE_AREAS,
    SCHEMA_VERSION,
    ensure_schema,
    schema_version,
    written_by,
)


def test_a_new_server_database_gets_the_schema_once(server):
    url = server.empty()
    db = open_database(url)
    try:
        assert schema_version(db) == SCHEMA_VERSION and written_by(db)
        assert ServiceArea.select().count() == len(DEFAULT_SERVICE_AREAS) and User.select().count() == 1
    finally:
        db.close()
    again = open_database(url)  # a second PC opening it changes nothing
    try:
        assert User.select().count() == 1 and ServiceArea.select().count() == len(DEFAULT_SERVICE_AREAS)
    finally:
        again.close()


def test_a_database_newer_than_the_program_is_refused_naming_the_version(server):
    url = server.fresh()
    db = ServerDatabase(url)
    db.execute_sql("UPDATE jinguo_schema SET version = %s, program = %s", (SCHEMA_VERSION + 1, "9.9.0"))
    db.close()
    with pytest.raises(DatabaseOpenError) as refused:
        open_database(url)
    assert "请安装巾帼枢纽 9.9.0 或更新的版本" in str(refused.value.message)


def test_two_pcs_migrating_at_once_migrate_once(server):
    """Two clients find the database one version behind and start the migration together; the
    server's advisory lock lets one run the step, the other finds it done."""
    url = server.fresh()
    setup = ServerDatabase(url)
    setup.execute_sql("UPDATE jinguo_schema SET version = %s", (SCHEMA_VERSION - 1,))
    setup.execute_sql("CREATE TABLE migration_runs (at TIMESTAMP DEFAULT now())")
    setup.close()
    ran = []
    started = threading.Barrier(2)

    def step(db) -> None:
        ran.append(threading.get_ident())
        db.execute_sql("INSERT INTO migration_runs DEFAULT VALUES")
        db.execute_sql("SELECT pg_sleep(0.3)")  # long enough for the other client to arrive

    migrations = {SCHEMA_VERSION: step}
    errors = []

    def client() -> None:
        db = ServerDatabase(url)
        try:
            db.connect()
            started.wait()
            ensure_schema(db, None, migrations=migrations)
        except Exception as e:  # reported below
            errors.append(e)
        finally:
            db.close()

    threads = [threading.Thread(target=client) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors and len(ran) == 1
    check = ServerDatabase(url)
    try:
        assert schema_version(check) == SCHEMA_VERSION
        assert check.execute_sql("SELECT COUNT(*) FROM migration_runs").fetchone()[0] == 1
    finally:
        check.close()


def test_a_missing_database_or_an_unreachable_server_is_said_in_chinese(server):
    with pytest.raises(DatabaseOpenError) as missing:
        open_database(server.url("jt_no_such_database"))
    assert "没有这个数据库" in str(missing.value.message)
    with pytest.raises(DatabaseOpenError) as unreachable:
        open_database("postgresql://nobody@127.0.0.1:1/x?connect_timeout=2")
    assert "无法连接数据库服务器" in str(unreachable.value.message)


def test_a_version_8_server_database_lets_bookings_be_for_a_person_or_the_office(server):
    url = server.fresh()
    setup = ServerDatabase(url)
    for sql in ('ALTER TABLE "booking" DROP COLUMN "person_id"',
                'ALTER TABLE "booking" DROP COLUMN "for_office"',
                'ALTER TABLE "booking" ADD CONSTRAINT "booking_check1" '
                'CHECK (organization_id IS NOT NULL OR team_id IS NOT NULL)',
                "INSERT INTO region (id, name, name_key, name_pinyin, name_initials, level, code, sort_order,"
                " created_at, updated_at) VALUES (1, '青禾县', '', '', '', 'county', '', 0, now(), now())",
                "INSERT INTO team (id, name, name_key, name_pinyin, name_initials, region_id, description,"
                " archived, archived_reason, created_at, updated_at)"
                " VALUES (1, '东关三工团队', '', '', '', 1, '', false, '', now(), now())",
                "INSERT INTO venue (id, name, name_key, name_pinyin, name_initials, level, kind, region_id,"
                " address, phone, archived, archived_reason, created_at, updated_at)"
                " VALUES (1, '妇女之家', '', '', '', 'town', 'home', 1, '', '', false, '', now(), now())",
                "INSERT INTO booking (venue_id, team_id, starts_at, ends_at, purpose, cancelled, created_at,"
                " updated_at) VALUES (1, 1, '2025-03-01 09:00', '2025-03-01 11:00', '例会', false, now(),"
                " now())"):
        setup.execute_sql(sql)
    setup.execute_sql("UPDATE jinguo_schema SET version = %s", (8,))
    setup.close()

    db = open_database(url)
    try:
        assert schema_version(db) == SCHEMA_VERSION
        rows = db.execute_sql("SELECT team_id, purpose, person_id, for_office FROM booking").fetchall()
        assert rows == [(1, "例会", None, False)]
        db.execute_sql("INSERT INTO booking (venue_id, for_office, starts_at, ends_at, purpose, cancelled,"
                       " created_at, updated_at) VALUES (1, true, '2025-03-02 09:00', '2025-03-02 10:00', '',"
                       " false, now(), now())")
        with pytest.raises(Exception, match="booking_holder"):
            with db.atomic():
                db.execute_sql("INSERT INTO booking (venue_id, starts_at, ends_at, purpose, cancelled,"
                               " for_office, created_at, updated_at) VALUES (1, '2025-03-03 09:00',"
                               " '2025-03-03 10:00', '', false, false, now(), now())")
    finally:
        db.close()


def test_a_version_9_server_database_gets_merges(server):
    url = server.fresh()
    setup = ServerDatabase(url)
    for sql in ('DROP TABLE "merge_record"', 'DROP TABLE "duplicate_dismissal"',
                'DROP INDEX "person_birth_pinyin"',
                'ALTER TABLE "person" DROP COLUMN "merged_into_id"',
                'ALTER TABLE "organization" DROP COLUMN "merged_into_id"',
                "INSERT INTO person (id, name, name_key, name_pinyin, name_initials, archived,"
                " archived_reason, is_cadre, is_social_worker, is_volunteer, phone, cadre_title, workplace,"
                " notes, created_at, updated_at) VALUES (5, '王芳', '', 'wangfang', 'wf', false, '', false,"
                " false, true, '', '', '', '', now(), now())"):
        setup.execute_sql(sql)
    setup.execute_sql("UPDATE jinguo_schema SET version = %s", (9,))
    setup.close()

    db = open_database(url)
    try:
        assert schema_version(db) == SCHEMA_VERSION
        assert {"merge_record", "duplicate_dismissal"} <= set(db.get_tables())
        assert db.execute_sql("SELECT id, merged_into_id FROM person").fetchall() == [(5, None)]
        assert "person_birth_pinyin" in {i.name for i in db.get_indexes("person")}
        assert "organization_merged_into_id" in {i.name for i in db.get_indexes("organization")}
        references = {(fk.column, fk.dest_table) for fk in db.get_foreign_keys("person")}
        assert ("merged_into_id", "person") in references
    finally:
        db.close()
