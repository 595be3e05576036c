"""Schema creation and migration, and opening database files through desktop.database."""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from peewee import SqliteDatabase

from desktop.database import DatabaseOpenError, open_database
from models.entities import ALL_MODELS, ServiceArea, User
from models.schema import (
    _PERSON_LIST_V4,
    DEFAULT_SERVICE_AREAS,
    NAMED_MODELS,
    SCHEMA_VERSION,
    SchemaError,
    ensure_schema,
    schema_version,
)

# The schema of a SQLite file (its user_version, backups beside it); the server's: test_server_schema.py
pytestmark = pytest.mark.sqlite_only

LOCKOUT_COLUMNS = ("failed_logins", "locked_until", "last_login_at")  # added by version 3


def user_version(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute("PRAGMA user_version").fetchone()[0]
    finally:
        con.close()


def tables(path: Path) -> set[str]:
    con = sqlite3.connect(path)
    try:
        return {row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        con.close()


def assert_chinese(text: str) -> None:
    assert re.search(r"[\u4e00-\u9fff]", text), text


@pytest.fixture
def older(opened):
    """A current database file turned back into an older ``version`` by ``statements``, then
    opened again (which migrates it); the migrated database."""

    def make(path: Path, version: int, *statements: str):
        db = opened(path)
        if version < 11:
            drop_venture_tables(db)
        if version < 10:
            before_v10(db)
        if version < 9:
            booking_before_v9(db)
        if version < 7:
            drop_name_search(db)
        if version < 6:
            drop_record_versions(db)
        for sql in statements:
            db.execute_sql(sql)
        db.execute_sql(f"PRAGMA user_version = {version}")
        db.close()
        return opened(path)

    return make


def before_v10(db) -> None:
    """Back before version 10: no merges, no pairs declared "不是重复", no birth-and-pinyin index."""
    db.execute_sql('DROP TABLE "merge_record"')
    db.execute_sql('DROP TABLE "duplicate_dismissal"')
    db.execute_sql('DROP INDEX "person_birth_pinyin"')
    for table in ("person", "organization"):
        (sql,) = db.execute_sql("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()
        for added in (', "merged_into_id" INTEGER',
                      f', FOREIGN KEY ("merged_into_id") REFERENCES "{table}" ("id") ON DELETE RESTRICT'):
            assert added in sql
            sql = sql.replace(added, "")
        indexes = [row[0] for row in db.execute_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
            (table,))]
        columns = ", ".join(f'"{c.name}"' for c in db.get_columns(table) if c.name != "merged_into_id")
        # SQLite's way of changing a table: a new one, the rows copied, the old one dropped and the
        # new one renamed (the other tables' references to it keep its name).
        db.execute_sql("PRAGMA foreign_keys = OFF")
        db.execute_sql(sql.replace(f'CREATE TABLE "{table}"', f'CREATE TABLE "{table}_v9"', 1))
        db.execute_sql(f'INSERT INTO "{table}_v9" ({columns}) SELECT {columns} FROM "{table}"')
        db.execute_sql(f'DROP TABLE "{table}"')
        db.execute_sql(f'ALTER TABLE "{table}_v9" RENAME TO "{table}"')
        for index in indexes:
            if "merged_into_id" not in index:
                db.execute_sql(index)
        db.execute_sql("PRAGMA foreign_keys = ON")


def booking_before_v9(db) -> None:
    """Back before version 9: a booking is an organization's or a team's, nobody else's."""
    (sql,) = db.execute_sql("SELECT sql FROM sqlite_master WHERE name = 'booking'").fetchone()
    for added in (', "person_id" INTEGER, "for_office" INTEGER NOT NULL',
                  ', FOREIGN KEY ("person_id") REFERENCES "person" ("id") ON DELETE RESTRICT',
                  " OR person_id IS NOT NULL OR for_office"):
        assert added in sql
        sql = sql.replace(added, "")
    db.execute_sql('DROP TABLE "booking"')
    db.execute_sql(sql)
    for columns in ("venue_id", "organization_id", "team_id", "venue_id_starts_at"):
        listed = columns.replace("_starts", ", starts")
        db.execute_sql(f'CREATE INDEX "booking_{columns}" ON "booking" ({listed})')


def drop_name_search(db) -> None:
    """Back before version 7: no search forms, the People list's index without them."""
    for index in ("person_list", "person_initials", "person_pinyin"):
        db.execute_sql(f"DROP INDEX {index}")
    db.execute_sql('DROP INDEX IF EXISTS "person_birth_pinyin"')  # version 10's, on the pinyin
    for model in NAMED_MODELS:
        for column in ("name_pinyin", "name_initials"):
            db.execute_sql(f'ALTER TABLE "{model._meta.table_name}" DROP COLUMN "{column}"')
    db.execute_sql(_PERSON_LIST_V4)


def drop_venture_tables(db) -> None:
    """Back before version 11: no venture rounds."""
    from models.venture_entities import VENTURE_MODELS

    db.drop_tables(VENTURE_MODELS)


def drop_record_versions(db) -> None:
    """Back before version 6: no record carries a version."""
    tables = set(db.get_tables())
    for model in ALL_MODELS:
        if "version" in model._meta.fields and model._meta.table_name in tables:
            db.execute_sql(f'ALTER TABLE "{model._meta.table_name}" DROP COLUMN "version"')


@pytest.fixture
def opened():
    """Close every database a test opens through open_database."""
    dbs = []

    def open_(path):
        db = open_database(path)
        dbs.append(db)
        return db

    yield open_
    for db in dbs:
        db.close()


def test_new_file_gets_the_current_schema_service_areas_and_admin(ctx):
    assert schema_version(ctx.db) == SCHEMA_VERSION
    assert user_version(ctx.db_path) == SCHEMA_VERSION
    assert {m._meta.table_name for m in ALL_MODELS} <= set(ctx.db.get_tables())
    names = [a.name for a in ServiceArea.select().order_by(ServiceArea.sort_order)]
    assert names == list(DEFAULT_SERVICE_AREAS)
    admin = User.get(User.username == "admin")
    assert admin.role == "admin" and admin.active
    assert User.select().count() == 1


def test_reopening_a_current_file_changes_nothing(ctx, opened):
    ctx.close()
    opened(ctx.db_path)
    assert ServiceArea.select().count() == len(DEFAULT_SERVICE_AREAS)
    assert User.select().count() == 1
    assert not list(ctx.db_path.parent.glob("*.bak*"))


def test_pragmas_are_applied(db):
    assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_migrations_run_in_order_set_the_version_and_back_up_first(ctx):
    db, path = ctx.db, ctx.db_path
    db.execute_sql("PRAGMA user_version = 1")  # these steps are made up: run them from 1
    ServiceArea.create(name="已有数据")
    calls = []

    def step(n):
        def migrate(database):
            calls.append((n, schema_version(database)))
            database.execute_sql(f"CREATE TABLE step_{n} (id INTEGER PRIMARY KEY)")

        return migrate

    backup = ensure_schema(db, path, migrations={2: step(2), 3: step(3)}, target=3)

    assert calls == [(2, 1), (3, 2)]
    assert schema_version(db) == 3
    assert {"step_2", "step_3"} <= set(db.get_tables())
    assert backup is not None and backup.exists() and backup.parent == path.parent
    assert backup != path
    assert user_version(backup) == 1
    backup_tables = tables(backup)
    assert "organization" in backup_tables and "step_2" not in backup_tables
    con = sqlite3.connect(backup)
    try:
        assert con.execute("SELECT count(*) FROM service_area WHERE name='已有数据'").fetchone() == (1,)
    finally:
        con.close()
    assert ensure_schema(db, path, migrations={}, target=3) is None


def test_a_failing_step_is_rolled_back_and_keeps_the_last_good_version(ctx):
    db, path = ctx.db, ctx.db_path
    db.execute_sql("PRAGMA user_version = 1")

    def good(database):
        database.execute_sql("CREATE TABLE good (id INTEGER PRIMARY KEY)")

    def bad(database):
        database.execute_sql("CREATE TABLE half_done (id INTEGER PRIMARY KEY)")
        raise RuntimeError("migration bug")

    with pytest.raises(RuntimeError):
        ensure_schema(db, path, migrations={2: good, 3: bad}, target=3)
    assert schema_version(db) == 2
    assert "good" in db.get_tables() and "half_done" not in db.get_tables()


def test_second_backup_of_the_same_version_does_not_overwrite_the_first(ctx):
    db, path = ctx.db, ctx.db_path
    db.execute_sql("PRAGMA user_version = 1")
    first = ensure_schema(db, path, migrations={2: lambda d: None}, target=2)
    db.execute_sql("PRAGMA user_version = 1")
    second = ensure_schema(db, path, migrations={2: lambda d: None}, target=2)
    assert first != second and first.exists() and second.exists()


def test_a_newer_database_is_refused(ctx, opened):
    ctx.db.execute_sql(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(SchemaError) as info:
        ensure_schema(ctx.db, ctx.db_path)
    assert_chinese(str(info.value.message))
    assert str(SCHEMA_VERSION + 1) in str(info.value.message)
    ctx.close()

    with pytest.raises(DatabaseOpenError) as info:
        opened(ctx.db_path)
    assert "升级" in str(info.value.message)
    assert user_version(ctx.db_path) == SCHEMA_VERSION + 1


def test_a_foreign_sqlite_file_is_refused_and_left_alone(tmp_path, opened):
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    con.commit()
    con.close()

    with pytest.raises(DatabaseOpenError) as info:
        opened(path)
    text = str(info.value.message)
    assert_chinese(text)
    assert "不是巾帼枢纽的数据库" in text
    assert tables(path) == {"invoices"}
    assert user_version(path) == 0


def test_foreign_file_is_refused_by_ensure_schema_itself(tmp_path):
    other = SqliteDatabase(str(tmp_path / "other.db"))
    other.execute_sql("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    try:
        with pytest.raises(SchemaError):
            ensure_schema(other, tmp_path / "other.db")
        assert other.get_tables() == ["invoices"]
    finally:
        other.close()


def test_a_garbage_file_is_refused_with_a_chinese_message(tmp_path, opened):
    path = tmp_path / "notes.db"
    path.write_bytes(b"this is a shopping list, not a database\n" * 200)
    with pytest.raises(DatabaseOpenError) as info:
        opened(path)
    text = str(info.value.message)
    assert_chinese(text)
    assert "不是巾帼枢纽的数据库或已损坏" in text
    assert str(path) in text
    assert path.read_bytes().startswith(b"this is a shopping list")


def test_a_directory_is_refused(tmp_path, opened):
    folder = tmp_path / "a folder.db"
    folder.mkdir()
    with pytest.raises(DatabaseOpenError) as info:
        opened(folder)
    text = str(info.value.message)
    assert_chinese(text)
    assert "文件夹" in text and str(folder) in text


def test_a_file_in_a_folder_that_does_not_exist_yet_is_created(tmp_path, opened):
    path = tmp_path / "新建" / "深一层" / "jinguo.db"
    db = opened(path)
    assert path.is_file()
    assert schema_version(db) == SCHEMA_VERSION
    assert User.select().where(User.username == "admin").exists()
    assert user_version(path) == SCHEMA_VERSION


def test_foreign_file_with_a_nonzero_user_version_is_refused(tmp_path):
    import sqlite3

    from desktop.database import DatabaseOpenError, open_database

    path = tmp_path / "other.db"
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
        conn.execute("PRAGMA user_version = 1")
    with pytest.raises(DatabaseOpenError) as err:
        open_database(path)
    assert "不是巾帼枢纽的数据库" in str(err.value.message)


def test_a_version_1_database_gets_the_certificate_register_import_batches_and_people_index(
    tmp_path, opened
):
    path = tmp_path / "v1.db"
    db = opened(path)
    drop_name_search(db)
    drop_record_versions(db)
    db.execute_sql('INSERT INTO person (name, name_key, archived, archived_reason, is_cadre, '
                   'is_social_worker, is_volunteer, phone, cadre_title, workplace, notes, '
                   "created_at, updated_at) VALUES ('王芳', 'wang fang', 0, '', 0, 0, 1, '', '', '', '', "
                   "'2025-01-01', '2025-01-01')")
    for table in ("import_batch_item", "import_batch", "certificate"):
        db.execute_sql(f"DROP TABLE {table}")
    db.execute_sql("DROP INDEX person_list")
    for column in LOCKOUT_COLUMNS:
        db.execute_sql(f'ALTER TABLE "user" DROP COLUMN {column}')
    db.execute_sql("PRAGMA user_version = 1")
    db.close()

    db = opened(path)

    assert schema_version(db) == SCHEMA_VERSION
    assert {"certificate", "import_batch", "import_batch_item"} <= set(db.get_tables())
    assert "person_list" in {i.name for i in db.get_indexes("person")}
    assert db.execute_sql("SELECT name FROM person").fetchall() == [("王芳",)]
    assert not (tmp_path / "v1.v1.bak.db").exists()  # clear personal data: checked and removed


def test_a_version_2_database_gets_the_login_lockout_columns_and_keeps_its_users(tmp_path, older):
    db = older(tmp_path / "v2.db", 2,
               "INSERT INTO audit_entry (at, user_id, username, action, entity, entity_id, summary, changes) "
               "VALUES ('2025-01-01', 1, 'admin', 'create', 'person', 1, '', '{}')",
               *(f'ALTER TABLE "user" DROP COLUMN {c}' for c in LOCKOUT_COLUMNS))

    assert schema_version(db) == SCHEMA_VERSION
    columns = {c.name for c in db.get_columns("user")}
    assert {"failed_logins", "locked_until", "last_login_at"} <= columns
    admin = User.get(User.username == "admin")
    assert admin.failed_logins == 0 and admin.locked_until is None and admin.role == "admin"
    assert db.execute_sql("SELECT user_id FROM audit_entry").fetchall() == [(admin.id,)]
    assert db.execute_sql("PRAGMA foreign_key_check").fetchall() == []
    assert not (tmp_path / "v2.v2.bak.db").exists()  # clear personal data: checked and removed


def test_a_version_3_database_gets_the_covering_people_list_index(tmp_path, older):
    db = older(tmp_path / "v3.db", 3, "DROP INDEX person_list",
               'CREATE INDEX person_archived_name_key ON person ("archived", "name_key")')

    assert schema_version(db) == SCHEMA_VERSION
    indexes = {i.name: i for i in db.get_indexes("person")}
    assert "person_archived_name_key" not in indexes
    assert indexes["person_list"].columns[:3] == ["archived", "name_key", "id"]
    plan = db.execute_sql(
        "EXPLAIN QUERY PLAN SELECT id FROM person WHERE archived = 0 AND name LIKE '%王%' "
        "ORDER BY name_key, id LIMIT 100").fetchall()
    assert "person_list" in str(plan)


def test_a_version_4_database_gets_the_audit_operator_index(tmp_path, older):
    db = older(tmp_path / "v4.db", 4,
               "INSERT INTO audit_entry (at, user_id, username, action, entity, entity_id, summary, changes) "
               "VALUES ('2025-01-01', 1, 'admin', 'create', 'person', 1, '', '{}')",
               "DROP INDEX audit_entry_username_at", "DROP INDEX audit_entry_action_at")

    assert schema_version(db) == SCHEMA_VERSION
    indexes = {i.name for i in db.get_indexes("audit_entry")}
    assert {"audit_entry_username_at", "audit_entry_action_at"} <= indexes
    for sql in ("SELECT COUNT(*) FROM audit_entry WHERE username = 'admin'",
                "SELECT DISTINCT username FROM audit_entry WHERE username != ''"):
        assert "audit_entry_username_at" in str(db.execute_sql("EXPLAIN QUERY PLAN " + sql).fetchall())
    assert db.execute_sql("SELECT username FROM audit_entry").fetchall() == [("admin",)]
    assert not (tmp_path / "v4.v4.bak.db").exists()  # clear personal data: checked and removed


def test_a_version_6_database_gets_pinyin_search_forms_and_surname_sort_keys(tmp_path, older):
    """Existing names get their full pinyin and initials, people's keys read the surname as a
    surname (曾 zēng sorts after 袁, no longer between 曹 and 陈), and the indexes are there."""
    people = [("曹丽", "cao2 li4"), ("曾丽", "ceng2 li4"), ("陈丽", "chen2 li4"), ("袁丽", "yuan2 li4"),
              ("白彩月", "bai2 cai3 yue4"), ("尉迟红", "wei4 chi2 hong2")]
    statements = [
        "INSERT INTO person (name, name_key, archived, archived_reason, is_cadre, is_social_worker, "
        "is_volunteer, phone, cadre_title, workplace, notes, created_at, updated_at) "
        f"VALUES ('{name}', '{key}', 0, '', 0, 0, 1, '', '', '', '', '2025-01-01', '2025-01-01')"
        for name, key in people
    ]
    statements.append("INSERT INTO region (name, name_key, level, code, sort_order, created_at, updated_at) "
                      "VALUES ('曾家镇', 'ceng2 jia1 zhen4', 'township', '', 0, '2025-01-01', '2025-01-01')")
    db = older(tmp_path / "v6.db", 6, *statements)

    assert schema_version(db) == SCHEMA_VERSION
    ordered = [n for (n,) in db.execute_sql("SELECT name FROM person ORDER BY name_key").fetchall()]
    assert ordered == ["白彩月", "曹丽", "陈丽", "尉迟红", "袁丽", "曾丽"]  # yu4 chi2 < yuan2 < zeng1
    forms = dict((n, (p, i)) for n, p, i in
                 db.execute_sql("SELECT name, name_pinyin, name_initials FROM person").fetchall())
    assert forms["白彩月"] == ("baicaiyue", "bcy")
    assert forms["尉迟红"] == ("yuchihong", "ych")
    # A place named after a family keeps the everyday reading: only people's names are surnames.
    assert db.execute_sql("SELECT name_key, name_initials FROM region WHERE name = '曾家镇'").fetchone() == (
        "ceng2 jia1 zhen4", "cjz")
    indexes = {i.name: i for i in db.get_indexes("person")}
    assert {"person_initials", "person_pinyin"} <= indexes.keys()
    assert indexes["person_list"].columns[-2:] == ["name_pinyin", "name_initials"]


def test_a_version_6_database_lets_bookings_be_for_a_person_or_the_office(tmp_path, older):
    db = older(tmp_path / "v6.db", 6,
               "INSERT INTO region (id, name, name_key, level, code, sort_order, created_at, updated_at,"
               " version) VALUES (1, '青禾县', 'qinghexian', 'county', '', 0, '2025-01-01', '2025-01-01', 1)",
               "INSERT INTO team (id, name, name_key, region_id, description, archived, archived_reason,"
               " created_at, updated_at, version) VALUES (1, '东关三工团队', '', 1, '', 0, '',"
               " '2025-01-01', '2025-01-01', 1)",
               "INSERT INTO venue (id, name, name_key, level, kind, region_id, address, phone, archived,"
               " archived_reason, created_at, updated_at, version) VALUES (1, '妇女之家', '', 'town', 'home',"
               " 1, '', '', 0, '', '2025-01-01', '2025-01-01', 1)",
               "INSERT INTO booking (id, venue_id, team_id, starts_at, ends_at, purpose, cancelled,"
               " created_at, updated_at, version) VALUES (7, 1, 1, '2025-03-01 09:00:00',"
               " '2025-03-01 11:00:00', '例会', 0, '2025-01-01', '2025-01-01', 1)")

    assert schema_version(db) == SCHEMA_VERSION
    assert db.execute_sql("SELECT id, team_id, purpose, person_id, for_office FROM booking").fetchall() == [
        (7, 1, "例会", None, 0)]
    assert "booking_person_id" in {i.name for i in db.get_indexes("booking")}
    assert "booking_before_v9" not in db.get_tables()
    db.execute_sql("INSERT INTO booking (venue_id, for_office, starts_at, ends_at, purpose, cancelled,"
                   " created_at, updated_at) VALUES (1, 1, '2025-03-02 09:00:00', '2025-03-02 10:00:00',"
                   " '', 0, '2025-01-01', '2025-01-01')")
    with pytest.raises(Exception, match="CHECK"):  # a booking still needs someone it is for
        db.execute_sql("INSERT INTO booking (venue_id, starts_at, ends_at, purpose, cancelled, for_office,"
                       " created_at, updated_at) VALUES (1, '2025-03-03 09:00:00', '2025-03-03 10:00:00',"
                       " '', 0, 0, '2025-01-01', '2025-01-01')")
    assert not (tmp_path / "v6.v6.bak.db").exists()  # clear personal data: checked and removed


def test_a_version_9_database_gets_merges_and_keeps_its_people(tmp_path, older):
    db = older(tmp_path / "v9.db", 9,
               "INSERT INTO person (id, name, name_key, name_pinyin, name_initials, birth_date, archived,"
               " archived_reason, is_cadre, is_social_worker, is_volunteer, phone, cadre_title, workplace,"
               " notes, created_at, updated_at, version) VALUES (5, '王芳', 'wang2 fang1', 'wangfang', 'wf',"
               " '1980-01-01', 0, '', 0, 0, 1, '', '', '', '', '2025-01-01', '2025-01-01', 3)")

    assert schema_version(db) == SCHEMA_VERSION
    assert {"merge_record", "duplicate_dismissal"} <= set(db.get_tables())
    assert db.execute_sql("SELECT id, name, version, merged_into_id FROM person").fetchall() == [
        (5, "王芳", 3, None)]
    for table in ("person", "organization"):
        assert "merged_into_id" in {c.name for c in db.get_columns(table)}
        assert f"{table}_merged_into_id" in {i.name for i in db.get_indexes(table)}
    assert "person_birth_pinyin" in {i.name for i in db.get_indexes("person")}
    references = db.execute_sql("PRAGMA foreign_key_list(person)").fetchall()
    assert any(r[2] == "person" and r[3] == "merged_into_id" for r in references)


def test_a_version_9_database_gets_the_venture_rounds_tables(tmp_path, older):
    from models.venture_entities import VENTURE_MODELS

    db = older(tmp_path / "v9.db", 9)
    assert schema_version(db) == SCHEMA_VERSION
    assert {m._meta.table_name for m in VENTURE_MODELS} <= set(db.get_tables())
    assert not (tmp_path / "v9.v9.bak.db").exists()  # clear personal data: checked and removed
