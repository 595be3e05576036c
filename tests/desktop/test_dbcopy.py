"""``jinguo db copy``: a whole database moved between SQLite files and a PostgreSQL server, as an
office that outgrows one PC does it. The copy has every row, ids and types as they were, or the
target is left as it was; only an administrator may copy, and the source's trail says so.

Tests of a server run when the suite runs on one (``JINGUO_TEST_DATABASE_URL``)."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing

import pytest

from desktop.database import open_database
from desktop.dbcopy import CopyError, copy_database, target_problem
from models import audit
from models.auth import authenticate
from models.entities import ALL_MODELS, Organization, Person

from .whole_copies import LOGIN_COLUMNS, contents, count, digest, export_lines, server_count


# -- file to file ---------------------------------------------------------------------------
@pytest.mark.sqlite_only
def test_a_copy_to_a_new_file_has_every_row_and_the_same_logins(run_as, demo_office, tmp_path):
    target = tmp_path / "new" / "county.db"
    target.parent.mkdir()
    code, out, err = run_as("admin", "db", "copy", "--from", demo_office, "--to", target)
    assert code == 0, err
    assert f"{len(ALL_MODELS)} 个表" in out and "核对无误" in out
    assert contents(target) == contents(demo_office)  # the trail's line of this copy included
    assert export_lines(demo_office) == [f"复制整个数据库到 {target}"]
    assert [p.name for p in target.parent.iterdir()] == ["county.db"]  # no temporary left
    code, out, _err = run_as("luru", "check", "--db", target)
    assert code == 0 and "数据库完好" in out
    code, _out, err = run_as("luru", "export", "table", "people", "--db", target, "-o", tmp_path / "p.xlsx")
    assert code == 0, err  # the clerk logs in to the copy with her password


@pytest.mark.sqlite_only
def test_the_copy_opens_with_the_sources_key_and_the_source_stays_unlocked(demo_office, tmp_path):
    """ID numbers travel encrypted, with the data key's wraps: the copy opens with the same
    passwords; making the new file (which starts with a key of its own) locks nothing here."""
    source = open_database(demo_office)
    try:
        authenticate("admin", "admin-2025")
        person = Person.select().where(Person.id_number.is_null(False) & (Person.phone != "")).first()
        copy_database(source, tmp_path / "copy.db")
        assert Person.get_by_id(person.id).id_number == person.id_number
    finally:
        source.close()
    copy = open_database(tmp_path / "copy.db")
    try:
        authenticate("luru", "luru-2025")
        found = Person.get(Person.id_number_is(person.id_number))
        assert (found.id, found.phone) == (person.id, person.phone)
    finally:
        copy.close()


@pytest.mark.sqlite_only
def test_a_target_with_data_is_refused_and_left_as_it_was(run_as, demo_office, tmp_path, demo_master):
    target = tmp_path / "other.db"
    shutil.copy(demo_master, target)
    before = digest(target)
    code, _out, err = run_as("admin", "db", "copy", "--from", demo_office, "--to", target)
    assert code == 2
    assert "已经有数据" in err and "新的、空的数据库" in err
    assert digest(target) == before
    assert export_lines(demo_office) == []  # refused before anything left


@pytest.mark.sqlite_only
def test_an_empty_database_file_takes_a_copy(run_as, demo_office, tmp_path):
    target = tmp_path / "empty.db"
    open_database(target).close()  # the window started once on a new file: nobody has a password
    code, _out, err = run_as("admin", "db", "copy", "--from", demo_office, "--to", target)
    assert code == 0, err
    assert contents(target) == contents(demo_office)


@pytest.mark.sqlite_only
def test_a_copy_stopped_midway_leaves_no_file_and_an_empty_target_as_it_was(demo_office, tmp_path):
    class Stop(Exception):
        pass

    def stop_at_people(table: str, _done: int, _total: int) -> None:
        if table == "person":
            raise Stop

    folder = tmp_path / "usb"
    folder.mkdir()
    empty = folder / "empty.db"
    open_database(empty).close()
    source = open_database(demo_office)
    try:
        with pytest.raises(Stop):
            copy_database(source, folder / "new.db", stop_at_people)
        with pytest.raises(Stop):
            copy_database(source, empty, stop_at_people)
    finally:
        source.close()
    assert [p.name for p in folder.iterdir()] == ["empty.db"]
    assert target_problem(empty) is None  # still new: nothing of the copy stayed
    assert count(empty, "region") == 0 and count(empty, "service_area") == 8


@pytest.mark.sqlite_only
def test_only_an_administrator_may_copy_the_whole_database(run_as, demo_office, tmp_path):
    for user in ("luru", "chakan"):
        code, _out, err = run_as(user, "db", "copy", "--from", demo_office, "--to", tmp_path / "x.db")
        assert code == 2 and "不能复制整个数据库" in err
    code, _out, err = run_as("admin-typo", "db", "copy", "--from", demo_office, "--to", tmp_path / "x.db")
    assert code == 2
    assert not (tmp_path / "x.db").exists() and export_lines(demo_office) == []


@pytest.mark.sqlite_only
def test_a_missing_source_is_not_created_and_a_newer_one_is_refused(run_as, demo_office, tmp_path):
    code, _out, err = run_as("admin", "db", "copy", "--from", tmp_path / "nope.db", "--to", tmp_path / "x.db")
    assert code == 2 and "找不到数据库文件" in err
    assert not (tmp_path / "nope.db").exists()
    with closing(sqlite3.connect(demo_office)) as conn:
        conn.execute("PRAGMA user_version = 99")
    code, _out, err = run_as("admin", "db", "copy", "--from", demo_office, "--to", tmp_path / "x.db")
    assert code == 2 and "较新版本" in err and "99" in err
    assert not (tmp_path / "x.db").exists()


@pytest.mark.sqlite_only
def test_a_database_cannot_be_copied_onto_itself(run_as, demo_office):
    code, _out, err = run_as("admin", "db", "copy", "--from", demo_office, "--to", demo_office)
    assert code == 2 and ("同一个" in err or "已经有数据" in err)


# -- through a server -------------------------------------------------------------------------
def test_a_round_trip_through_a_server_keeps_every_row_and_the_ids_go_on(
        run_as, demo_office, tmp_path, server):
    url = server.empty()  # a database the server's administrator just made: no tables
    code, out, err = run_as("admin", "db", "copy", "--from", demo_office, "--to", url)
    assert code == 0, err
    assert "核对无误" in out
    back = tmp_path / "back.db"
    code, _out, err = run_as("admin", "db", "copy", "--from", url, "--to", back)
    assert code == 0, err
    # logging in to the server to copy back was recorded there: the last login, two audit lines
    copied, original = contents(back, LOGIN_COLUMNS), contents(demo_office, LOGIN_COLUMNS)
    assert {t: rows for t, rows in copied.items() if t != "audit_entry"} == \
        {t: rows for t, rows in original.items() if t != "audit_entry"}
    assert copied["audit_entry"][:len(original["audit_entry"])] == original["audit_entry"]
    assert len(copied["audit_entry"]) == len(original["audit_entry"]) + 2
    assert export_lines(back)[-1] == f"复制整个数据库到 {back}"
    code, out, _err = run_as("admin", "check", "--db", url)
    assert code == 0 and "数据库完好" in out
    db = open_database(url)  # a clerk goes on working on the server: new ids follow the copied ones
    try:
        authenticate("luru", "luru-2025")  # the copied wraps open the copied key
        top = max(row[0] for row in original["organization"])
        org = audit.create(Organization, None, name="复制之后新登记的组织", kind="grassroots")
        assert org.id == top + 1
    finally:
        db.close()


def test_a_copy_onto_the_new_schema_and_from_server_to_server(run_as, demo_office, server):
    url = server.fresh()  # the window started once on the new database
    code, _out, err = run_as("admin", "db", "copy", "--from", demo_office, "--to", url)
    assert code == 0, err
    other = server.empty()
    code, _out, err = run_as("admin", "db", "copy", "--from", url, "--to", other)
    assert code == 0, err
    for model in ALL_MODELS:
        table = model._meta.table_name
        assert server_count(other, table) == server_count(url, table), table
    assert server_count(other, "person") == 200
    code, _out, err = run_as("admin", "check", "--db", other)
    assert code == 0, err


def test_a_server_database_with_data_is_refused_and_untouched(run_as, demo_office, server):
    url = server.empty()
    assert run_as("admin", "db", "copy", "--from", demo_office, "--to", url)[0] == 0
    before = {m._meta.table_name: server_count(url, m._meta.table_name) for m in ALL_MODELS}
    code, _out, err = run_as("admin", "db", "copy", "--from", demo_office, "--to", url)
    assert code == 2 and "已经有数据" in err
    assert {m._meta.table_name: server_count(url, m._meta.table_name) for m in ALL_MODELS} == before


def test_a_copy_that_fails_midway_leaves_the_server_database_empty(run_as, demo_office, server):
    with closing(sqlite3.connect(demo_office)) as conn, conn:  # SQLite keeps what the server refuses
        conn.execute("UPDATE person SET name = ? WHERE id = (SELECT MAX(id) FROM person)", ("长" * 300,))
    url = server.fresh()
    code, _out, err = run_as("admin", "db", "copy", "--from", demo_office, "--to", url)
    assert code == 2
    assert "人员" in err and "保持原样" in err
    assert target_problem(url) is None  # nothing of the copy stayed: it may be copied into again
    assert server_count(url, "region") == 0 and server_count(url, "person") == 0
    with closing(sqlite3.connect(demo_office)) as conn, conn:
        conn.execute("UPDATE person SET name = '王长' WHERE id = (SELECT MAX(id) FROM person)")
    code, _out, err = run_as("admin", "db", "copy", "--from", demo_office, "--to", url)
    assert code == 0, err


def test_copy_errors_are_said_for_a_server_that_cannot_be_reached(demo_office):
    source = open_database(demo_office)
    try:
        with pytest.raises(CopyError) as refused:
            copy_database(source, "postgresql://nobody@127.0.0.1:1/x?connect_timeout=2")
    finally:
        source.close()
    assert "无法连接数据库服务器" in str(refused.value.message)
