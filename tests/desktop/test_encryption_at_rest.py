"""Encryption at rest, proved on the bytes: no ID number or phone of a demo register is found
(as UTF-8, UTF-16-LE or UTF-16-BE) in the database file, its write-ahead log, any backup or copy
the program makes, or the log file; nor, after an upgrade, in the upgraded file, the copy made
before upgrading, or the automatic backups made before it. On a server: no clear value in the
sensitive columns' stored text, after creating and after migrating."""

from __future__ import annotations

import datetime as dt
import gzip
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook

from desktop import paths
from desktop.backup import automatic_backup, backups_folder, daily_backup, list_backups
from desktop.context import build_context
from desktop.database import open_database
from models import audit, auth
from models.entities import Organization, Person, Venue
from models.schema import ENCRYPTED_COLUMNS, MIGRATIONS, SCHEMA_VERSION, schema_version
from models.validators import id_check_char
from models.venture_entities import Reviewer

DATA = Path(__file__).resolve().parents[1] / "data"
ENCODINGS = ("utf-8", "utf-16-le", "utf-16-be")
# Made by the program at schema 11 (``jinguo demo --people 200 --seed 2025``, gzip -9 -n): a
# register as an office upgrading has it, ID numbers and phones in clear, passwords of that time.
V11_DEMO = DATA / "v11-demo.db.gz"
V11_PASSWORDS = {"admin": "admin-2025", "luru": "luru-2025", "chakan": "chakan-2025"}


def sensitive_values() -> set[str]:
    """Every ID number and phone of the bound (unlocked) database, read through the program."""
    values: set[str] = set()
    for query in (Person.select(Person.id_number, Person.phone).tuples(),
                  Organization.select(Organization.contact_phone).tuples(),
                  Venue.select(Venue.phone).tuples(),
                  Reviewer.select(Reviewer.phone).tuples()):
        for row in query:
            values.update(v for v in row if v)
    return values


def leaked(path: Path, values: set[str]) -> list[str]:
    """The values found in the raw bytes of ``path`` (in any of ENCODINGS)."""
    data = path.read_bytes()
    return sorted(v for v in values if any(v.encode(e) in data for e in ENCODINGS))


def database_files(path: Path) -> list[Path]:
    return [p for p in (path, path.with_name(path.name + "-wal")) if p.exists()]


def resident_id(serial: int) -> str:
    first17 = f"321002{1950 + serial % 50}{1 + serial % 12:02d}{1 + serial % 28:02d}{serial % 1000:03d}"
    return first17 + id_check_char(first17)


def mobile(serial: int) -> str:
    return f"139{serial * 7919 % 10**8:08d}"


def people_sheet(path: Path, rows: list[tuple]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(("姓名", "身份证号", "联系电话"))
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def service_register(path: Path) -> Path:
    """A register made as an office makes one, through the services: operators
    with passwords, people with ID numbers and phones, organizations, venues and an expert."""
    from models.choices import ROUND_SOURCES, VENUE_KINDS, VENUE_LEVELS
    from models.entities import Region
    from models.venture_entities import VentureRound

    ctx = build_context(path)
    try:
        admin = auth.create_first_admin("admin", "管理员", "admin-2025", "admin-2025")
        auth.create_user(admin, "luru", "录入员", "clerk", "luru-2025", "luru-2025")
        town = audit.create(Region, admin, name="东关街道", level="township")
        for n in range(1, 121):
            audit.create(Person, admin, name=f"王{n}芳", id_number=resident_id(n), phone=mobile(n),
                         sex="F", region=town, is_volunteer=True)
        for n in range(1, 11):
            audit.create(Organization, admin, name=f"阳光互助会{n}", kind="grassroots", region=town,
                         contact_person=f"李{n}", contact_phone=mobile(500 + n))
            audit.create(Venue, admin, name=f"妇女之家{n}", level=VENUE_LEVELS.codes()[0],
                         kind=VENUE_KINDS.codes()[0], region=town, phone=f"0517-8{n:07d}")
        round_ = audit.create(VentureRound, admin, name="2025年度公益创投", year=2025, budget=100000,
                              project_cap=30000, source=ROUND_SOURCES.codes()[0])
        audit.create(Reviewer, admin, round=round_, name="张专家", phone=mobile(900))
    finally:
        ctx.close()
    return path


@pytest.fixture(scope="module")
def register_master(tmp_path_factory) -> Path:
    with pytest.MonkeyPatch.context() as patch:
        folder = tmp_path_factory.mktemp("register")
        patch.setenv("JINGUO_DATA_DIR", str(folder / "data"))
        return service_register(folder / "register.db")


@pytest.fixture(params=["services", "demo"])
def register(request, tmp_path) -> Path:
    """A copy of a register for one test: made through the services, or by
    ``jinguo demo`` (its operators' passwords are the same)."""
    path = tmp_path / "office.db"
    master = request.getfixturevalue("register_master" if request.param == "services" else "demo_master")
    shutil.copy(master, path)
    return path


def demo_values(path: Path) -> set[str]:
    ctx = build_context(path)
    try:
        auth.authenticate("admin", "admin-2025")
        values = sensitive_values()
    finally:
        ctx.close()
    assert len(values) > 250  # the search below is for something
    return values


def test_the_files_of_a_demo_register_hold_no_id_or_phone_open_and_closed(register):
    values = demo_values(register)
    ctx = build_context(register)
    try:
        admin = auth.authenticate("admin", "admin-2025")
        person = Person.select().where(Person.phone != "").first()
        new_phone = "13800" + person.phone[5:]
        audit.update(person, admin, phone=new_phone, notes="电话已核对")
        values.add(new_phone)
        wal = register.with_name(register.name + "-wal")
        assert wal.stat().st_size > 0  # the program is running: its log holds the change
        for path in database_files(register):
            assert leaked(path, values) == [], path.name
    finally:
        ctx.close()
    for path in database_files(register):
        assert leaked(path, values) == [], path.name


def test_backups_copies_and_the_log_hold_no_id_or_phone(register, run_as, tmp_path, monkeypatch):
    values = demo_values(register)
    ctx = build_context(register)
    try:
        auth.authenticate("admin", "admin-2025")
        people = list(Person.select().where(Person.id_number.is_null(False) & (Person.phone != ""))
                      .limit(3))
        known = [(p.name, p.id_number, p.phone) for p in people]
    finally:
        ctx.close()
    made: list[Path] = []

    # jinguo backup
    code, _out, err = run_as("admin", "backup", "--db", register, "-o", tmp_path / "备份.db")
    assert code == 0, err
    made.append(tmp_path / "备份.db")

    # the first start of a day's automatic backup
    daily = daily_backup(register, register)
    assert daily is not None
    made.append(daily)

    # a restore (the copy of the database it replaces)
    code, _out, err = run_as("admin", "restore", "--db", register, tmp_path / "备份.db")
    assert code == 0, err
    made += [b.path for b in list_backups(backups_folder(), register) if b.reason == "restore"]
    assert len(made) == 3

    # jinguo db copy, file to file
    code, _out, err = run_as("admin", "db", "copy", "--from", register, "--to", tmp_path / "副本.db")
    assert code == 0, err
    made.append(tmp_path / "副本.db")
    for path in [*made, *database_files(register)]:
        assert leaked(path, values) == [], path.name

    # an import with errors: its pre-import copy, and what the log says of the rows (a known
    # person again, a known ID under another name, a known phone with a broken ID)
    sheet = people_sheet(tmp_path / "名单.xlsx", [
        (known[0][0], known[0][1], known[0][2]),
        ("另一个人", known[1][1], known[1][2]),
        ("王新", known[2][1][:-1] + ("0" if known[2][1][-1] != "0" else "1"), known[2][2]),
        ("李错", "12345", known[0][2] + "9"),
    ])
    code, _out, err = run_as("admin", "import", "people", sheet, "--db", register, "--skip-invalid")
    assert code in (0, 1), err
    before_import = [b.path for b in list_backups(backups_folder(), register) if b.reason == "import"]
    assert len(before_import) == 1, err
    made += before_import

    # a certificate asked for by ID number (the PDF itself is the user's export, not searched)
    run_as("admin", "export", "certificate", "--db", register, "--id-number", known[0][1],
           "--period", "2025", "-o", tmp_path / "证明.pdf")

    # a failed login, an ID number typed as the user name
    monkeypatch.setenv("JINGUO_PASSWORD", "wrong-password")
    from desktop.cli import main

    assert main(["backup", "--db", str(register), "-o", str(tmp_path / "x.db"), "--user", known[1][1]]) != 0
    # and a known operator's wrong password (refused while the data is locked, recorded)
    assert main(["backup", "--db", str(register), "-o", str(tmp_path / "y.db"), "--user", "admin"]) != 0

    log = paths.log_path()
    assert log.exists() and "import people" in log.read_text(encoding="utf-8")
    made.append(log)
    for path in made:
        assert path.exists(), path
        assert leaked(path, values) == [], path.name


def test_people_imported_from_a_sheet_are_stored_encrypted(register, run_as, tmp_path):
    rows = [(f"赵{n}红", resident_id(n), mobile(n)) for n in range(200, 230)]
    sheet = people_sheet(tmp_path / "新名单.xlsx", rows)
    code, _out, err = run_as("admin", "import", "people", sheet, "--db", register)
    assert code == 0, err
    values = {v for row in rows for v in row[1:]}
    for path in database_files(register):
        assert leaked(path, values) == [], path.name


# -- upgrading a database of schema 11 ----------------------------------------------------------
def v11_register(path: Path) -> set[str]:
    """The schema-11 demo register at ``path``; its ID numbers and phones (read as they are)."""
    import sqlite3

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.decompress(V11_DEMO.read_bytes()))
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA user_version").fetchone()[0] == 11
        values = set()
        for query in ("SELECT id_number FROM person", "SELECT phone FROM person",
                      "SELECT contact_phone FROM organization", "SELECT phone FROM venue",
                      "SELECT phone FROM reviewer"):
            values.update(row[0] for row in con.execute(query) if row[0])
    finally:
        con.close()
    assert len(values) > 300
    assert leaked(path, values)  # in clear, before
    return values


@pytest.mark.sqlite_only
def test_an_upgrade_leaves_no_clear_copy_and_the_old_passwords_still_open_it(tmp_path):
    path = tmp_path / "office" / "jinguo.db"
    values = v11_register(path)
    folder = backups_folder()
    old_daily = automatic_backup(path, path, "daily", folder, dt.datetime(2026, 11, 2, 8, 30))
    old_import = automatic_backup(path, path, "import", folder, dt.datetime(2026, 11, 5, 14, 0))
    assert leaked(old_daily, values)

    db = open_database(path)
    try:
        assert schema_version(db) == SCHEMA_VERSION
        notice = str(db.upgrade_notice)
        assert "已加密" in notice and "2 个" in notice, notice
        assert not path.with_name("jinguo.v11.bak.db").exists()  # the clear copy: checked, removed
        assert not old_daily.exists() and not old_import.exists()
        (fresh,) = list_backups(folder, path)
        assert fresh.reason == "upgrade"
        leftovers = [p for p in path.parent.iterdir() if p.name not in ("jinguo.db", "jinguo.db-wal",
                                                                        "jinguo.db-shm")]
        assert leftovers == []
        for file in [*database_files(path), fresh.path]:  # open: the file and its log
            assert leaked(file, values) == [], file.name
        for username, password in V11_PASSWORDS.items():  # each operator with their old password
            auth.authenticate(username, password)
            assert sensitive_values() == values
    finally:
        db.close()
    for file in [*database_files(path), *(b.path for b in list_backups(folder, path))]:
        assert leaked(file, values) == [], file.name
    again = open_database(path)  # the next start has nothing more to say
    try:
        assert again.upgrade_notice is None
    finally:
        again.close()


@pytest.mark.sqlite_only
def test_an_upgrade_that_does_not_check_keeps_the_copy_and_says_so(tmp_path, monkeypatch):
    path = tmp_path / "jinguo.db"
    values = v11_register(path)
    encrypt = MIGRATIONS[12]

    def careless(db) -> None:  # encrypts, then a phone is put back in clear
        encrypt(db)
        db.execute_sql("UPDATE person SET phone = '13900000000' WHERE id = (SELECT min(id) FROM person)")

    monkeypatch.setitem(MIGRATIONS, 12, careless)
    old_daily = automatic_backup(path, path, "daily", backups_folder(), dt.datetime(2026, 11, 2, 8, 30))
    db = open_database(path)
    try:
        copy = path.with_name("jinguo.v11.bak.db")
        assert copy.exists() and leaked(copy, values)  # kept, as it was
        notice = str(db.upgrade_notice)
        assert str(copy) in notice and "没有通过" in notice and "未加密的值：person.phone" in notice, notice
        assert old_daily.exists()  # nothing removed on an upgrade that did not check
        assert schema_version(db) == SCHEMA_VERSION  # and the program works on
        auth.authenticate("admin", "admin-2025")
        assert Person.select().count() == 200
    finally:
        db.close()


@pytest.mark.sqlite_only
def test_the_office_signing_key_is_encrypted_by_the_upgrade_and_still_signs(tmp_path):
    import sqlite3

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from models import units

    path = tmp_path / "jinguo.db"
    v11_register(path)
    private = Ed25519PrivateKey.generate()
    raw = serialization.Encoding.Raw
    secret = private.private_bytes(raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()).hex()
    public = private.public_key().public_bytes(raw, serialization.PublicFormat.Raw).hex()
    with sqlite3.connect(path) as con:
        con.execute("INSERT INTO unit_key (public_key, private_key, created_at) VALUES (?, ?, '2026-01-01')",
                    (public, secret))
    con.close()
    db = open_database(path)
    try:
        auth.authenticate("admin", "admin-2025")
        key = units.signing_key()
        assert key.public_key == public
        assert units.signature_valid(b"report", units.sign(b"report", key), public)
        fresh = units.make_key()  # and a key made now is stored encrypted as well
        secrets = {secret, units.UnitKey.get_by_id(fresh.id).private_key}
    finally:
        db.close()
    for file in database_files(path):
        assert leaked(file, secrets) == [], file.name


# -- on a server ------------------------------------------------------------------------------
def clear_on_server(db) -> list[str]:
    """Stored values of the sensitive columns that are neither empty nor ciphertext."""
    found = []
    tables = set(db.get_tables())
    for table, names in ENCRYPTED_COLUMNS:
        if table not in tables:
            continue
        for name in names:
            rows = db.execute_sql(f'SELECT "{name}"::text FROM "{table}" WHERE "{name}" IS NOT NULL '
                                  f"AND \"{name}\"::text <> ''").fetchall()
            found += [f"{table}.{name}" for (value,) in rows
                      if not value.startswith("e1:") and value != "{}"]  # {}: a refused login's line
    return found


def test_a_demo_on_a_server_stores_no_clear_value_and_copies_back_encrypted(server, run_as, tmp_path,
                                                                           register):
    values = demo_values(register)
    url = server.empty()
    code, _out, err = run_as("admin", "db", "copy", "--from", register, "--to", url)
    assert code == 0, err
    db = open_database(url)
    try:
        assert clear_on_server(db) == []
        dump = db.execute_sql("SELECT string_agg(t::text, ',') FROM person t").fetchone()[0]
        assert [v for v in values if v in dump] == []
    finally:
        db.close()
    code, _out, err = run_as("admin", "db", "copy", "--from", url, "--to", tmp_path / "回到本机.db")
    assert code == 0, err
    assert leaked(tmp_path / "回到本机.db", values) == []


def server_files(db) -> list[Path]:
    """The files of the encrypted tables on the server, when its data folder can be read from
    here (a server on this PC, written out by a checkpoint first); [] otherwise."""
    try:
        db.execute_sql("CHECKPOINT")
        (folder,) = db.execute_sql("SHOW data_directory").fetchone()
    except Exception:  # not a superuser: the files cannot be looked at
        return []
    files = []
    for table, _names in ENCRYPTED_COLUMNS:
        (relative,) = db.execute_sql("SELECT pg_relation_filepath(%s)", (table,)).fetchone()
        path = Path(folder) / relative
        try:
            path.read_bytes()
        except OSError:
            return []
        files.append(path)
    return files


def test_a_server_database_of_schema_11_is_encrypted_in_place_and_vacuumed(server):
    """A server database as schema 11 had it (ID numbers and phones in clear, the old password
    hashes) is migrated when the new program opens it: no clear value is stored afterwards, not
    even in dead row versions (in the tables' files, when the server is on this PC), and the
    administrator logs in with her old password and reads them."""
    from models.auth import _format, _scrypt
    from models.entities import AuditEntry, Region

    url = server.fresh()
    db = open_database(url)
    try:
        admin = auth.create_first_admin("admin", "管理员", "admin-2025", "admin-2025")
        town = audit.create(Region, admin, name="东关街道", level="township")
        for n in range(1, 41):
            audit.create(Person, admin, name=f"王{n}芳", id_number=resident_id(n), phone=mobile(n),
                         sex="F", region=town)
        audit.create(Organization, admin, name="阳光互助会", kind="grassroots", contact_phone=mobile(77))
        values = sensitive_values()
        assert clear_on_server(db) == [] and len(values) == 81
        # back to schema 11: every value in clear, no keys, no keyed hashes, the old hash form
        clear = {
            "person": [(p.id, (p.id_number, p.phone)) for p in Person.select()],
            "organization": [(o.id, (o.contact_phone,)) for o in Organization.select()],
            "audit_entry": [(a.id, (a.changes,)) for a in AuditEntry.select()],
        }
        for table, names in ENCRYPTED_COLUMNS:
            for row_id, row in clear.get(table, []):
                sets = ", ".join(f'"{name}" = %s' for name in names)
                db.execute_sql(f'UPDATE "{table}" SET {sets} WHERE id = %s', (*row, row_id))
        db.execute_sql('DROP TABLE "key_wrap"')
        db.execute_sql('ALTER TABLE "person" DROP COLUMN "id_hash", DROP COLUMN "phone_hash"')
        db.execute_sql('CREATE UNIQUE INDEX "person_id_number" ON "person" ("id_number")')
        salt = b"0123456789abcdef"
        legacy = _format("scrypt", 2**10, 8, 1, salt, _scrypt("admin-2025", salt, 2**10, 8, 1))
        db.execute_sql('UPDATE "user" SET password_hash = %s WHERE username = %s', (legacy, "admin"))
        db.execute_sql("UPDATE jinguo_schema SET version = 11")
        assert sorted(set(clear_on_server(db))) == ["audit_entry.changes", "organization.contact_phone",
                                               "person.id_number", "person.phone"]
        files = server_files(db)
        assert not files or any(leaked(path, values) for path in files)  # in clear, before
    finally:
        db.close()

    db = open_database(url)  # the new program opens it: migrated, checked, vacuumed
    try:
        assert schema_version(db) == SCHEMA_VERSION
        assert clear_on_server(db) == []
        for path in server_files(db):
            assert leaked(path, values) == [], path
        auth.authenticate("admin", "admin-2025")
        assert sensitive_values() == values
    finally:
        db.close()
