"""Schema version and migrations, run when a database is opened.

SQLite: the version lives in ``PRAGMA user_version``; a new file gets the current schema at once,
an older one is backed up next to itself and brought forward one step at a time, each step in its
own transaction.

PostgreSQL: the version lives in the table ``jinguo_schema`` (with the program version that wrote
it, to name in messages). Creating and migrating run under a server-side advisory lock, in one
transaction, and read the version again once they hold it: two PCs starting a new version at once
migrate once. The server's own backups (pg_dump) are the IT staff's; no copy is made here.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable, Mapping
from pathlib import Path

from peewee import Database, PostgresqlDatabase

from .db import execute_many, insert_rows
from .entities import (
    ALL_MODELS,
    BOOKING_HOLDER_CHECK,
    AuditEntry,
    Booking,
    Certificate,
    ImportBatch,
    ImportBatchItem,
    Organization,
    Person,
    Project,
    Region,
    ServiceArea,
    Team,
    User,
    Venue,
)
from .i18n import Message, msg
from .sortkey import name_forms

log = logging.getLogger(__name__)

SCHEMA_VERSION = 12

# Tables every version of the schema has: a file without them is not ours.
CORE_TABLES = frozenset({"organization", "person", "audit_entry"})

# MIGRATIONS[n] brings a database from version n - 1 to version n.
Migration = Callable[[Database], None]


# The People list's index as versions 4 to 6 had it (version 7 adds the search forms): earlier
# steps make the index of their own time, for the columns of their time.
_PERSON_LIST_V4 = ('CREATE INDEX IF NOT EXISTS "person_list" ON "person" ("archived", "name_key", "id", '
                   '"name", "id_number", "phone", "is_cadre", "is_social_worker", "is_volunteer", '
                   '"region_id")')


def _v2_certificates_imports(db: Database) -> None:
    """The certificate register, import batches (for undo), and the People list's index."""
    db.create_tables([Certificate, ImportBatch, ImportBatchItem])
    db.execute_sql(_PERSON_LIST_V4)


def _v3_login_lockout(db: Database) -> None:
    """Logins: wrong-password count, lockout end and last login of each user.

    Plain ALTER TABLE: peewee's migrator would rebuild the user table for a NOT NULL
    column, and the audit log's foreign keys point at it.
    """
    db.execute_sql('ALTER TABLE "user" ADD COLUMN "failed_logins" INTEGER NOT NULL DEFAULT 0')
    db.execute_sql('ALTER TABLE "user" ADD COLUMN "locked_until" DATETIME')
    db.execute_sql('ALTER TABLE "user" ADD COLUMN "last_login_at" DATETIME')


def _v4_people_list_index(db: Database) -> None:
    """The People list's index also covers what its search and filters read (see Person)."""
    db.execute_sql("DROP INDEX IF EXISTS person_archived_name_key")
    db.execute_sql(_PERSON_LIST_V4)


def _v5_audit_operator_index(db: Database) -> None:
    """The audit trail's operator and action filters, and their lists of choices, read an index."""
    AuditEntry._schema.create_indexes(safe=True)


def _v6_record_versions(db: Database) -> None:
    """Every editable record carries a version, raised on each change (see models.audit.update)."""
    existing = set(db.get_tables())
    for model in ALL_MODELS:
        table = model._meta.table_name
        # Tables made by an earlier step of this same migration (create_tables) already have it;
        # tables of later versions (venture rounds, 11) are made with it when their step comes.
        if table not in existing:
            continue
        if "version" in model._meta.fields and "version" not in {c.name for c in db.get_columns(table)}:
            db.execute_sql(f'ALTER TABLE "{table}" '
                           'ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1')


NAMED_MODELS = (Region, Organization, Person, Team, Venue, Project)


def fill_name_columns(db: Database, model: type) -> int:
    """Write every row's ``name_key``, ``name_pinyin`` and ``name_initials`` from its name (each
    distinct name worked out once). SQLite: one prepared UPDATE per row; PostgreSQL: the forms
    COPied into a temporary table and set in one UPDATE … FROM. Returns the rows written."""
    table = model._meta.table_name
    person = model is Person
    forms: dict[str, tuple[str, str, str]] = {}
    rows = db.execute_sql(f'SELECT id, name FROM "{table}"').fetchall()
    for _id, name in rows:
        if name not in forms:
            forms[name] = name_forms(name, person)
    if not _on_server(db):
        execute_many(f'UPDATE "{table}" SET name_key = ?, name_pinyin = ?, name_initials = ? '
                     "WHERE id = ?", (( *forms[name], row_id) for row_id, name in rows))
        return len(rows)
    with db.atomic():
        db.execute_sql("CREATE TEMPORARY TABLE name_forms (name TEXT PRIMARY KEY, name_key TEXT, "
                       "name_pinyin TEXT, name_initials TEXT)")
        insert_rows("name_forms", ("name", "name_key", "name_pinyin", "name_initials"),
                    ((name, *f) for name, f in forms.items()))
        db.execute_sql(f'UPDATE "{table}" AS t SET name_key = f.name_key, name_pinyin = f.name_pinyin, '
                       "name_initials = f.name_initials FROM name_forms AS f WHERE f.name = t.name")
        db.execute_sql("DROP TABLE name_forms")
    return len(rows)


def _v7_name_search(db: Database) -> None:
    """Names found by full pinyin and initials (拼音首字母), and people sorted by the reading of
    their surname (曾 zēng): two stored search forms per name, every name's forms and key
    worked out again, and the indexes that read them."""
    for model in NAMED_MODELS:
        table = model._meta.table_name
        present = {c.name for c in db.get_columns(table)}
        for column in ("name_pinyin", "name_initials"):
            if column not in present:  # a table made by an earlier step (create_tables) has it
                db.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN "{column}" '
                               "VARCHAR(255) NOT NULL DEFAULT ''")
        fill_name_columns(db, model)
    db.execute_sql("DROP INDEX IF EXISTS person_list")
    Person._schema.create_indexes(safe=True)


def _v8_report_exchange(db: Database) -> None:
    """Upward reporting: the unit's signing key, its lower units, the packages they sent, reviews."""
    from .exchange_entities import EXCHANGE_MODELS

    db.create_tables(EXCHANGE_MODELS)


def _v9_booking_holders(db: Database) -> None:
    """A booking may be for a named person or for the office itself: two columns, and the check
    that a booking has a holder names them too. SQLite cannot change a table's CHECK: the table
    is made again and its rows copied (nothing refers to bookings)."""
    if _on_server(db):
        db.execute_sql('ALTER TABLE "booking" ADD COLUMN "person_id" INTEGER '
                       'REFERENCES "person" ("id") ON DELETE RESTRICT')
        db.execute_sql('ALTER TABLE "booking" ADD COLUMN "for_office" BOOLEAN NOT NULL DEFAULT false')
        checks = db.execute_sql(
            "SELECT conname FROM pg_constraint WHERE conrelid = 'booking'::regclass AND contype = 'c' "
            "AND position('team_id' in pg_get_constraintdef(oid)) > 0").fetchall()
        for (name,) in checks:
            db.execute_sql(f'ALTER TABLE "booking" DROP CONSTRAINT "{name}"')
        db.execute_sql(f'ALTER TABLE "booking" ADD CONSTRAINT "booking_holder" '
                       f'CHECK ({BOOKING_HOLDER_CHECK})')
        Booking._schema.create_indexes(safe=True)
        return
    names = [c.name for c in db.get_columns("booking") if c.name not in ("person_id", "for_office")]
    columns = ", ".join(f'"{name}"' for name in names)
    for index in db.get_indexes("booking"):
        db.execute_sql(f'DROP INDEX "{index.name}"')
    db.execute_sql('ALTER TABLE "booking" RENAME TO "booking_before_v9"')
    db.create_tables([Booking])
    db.execute_sql(f'INSERT INTO "booking" ({columns}, "for_office") '
                   f'SELECT {columns}, 0 FROM "booking_before_v9"')
    db.execute_sql('DROP TABLE "booking_before_v9"')


def _v10_duplicates(db: Database) -> None:
    """Duplicates found and merged (models.duplicates, models.merge): who a merged person or
    organization now is (``merged_into``), the pairs declared "不是重复", the merges with what
    they changed (for undo), and the index that pairs people by birth date and pinyin name."""
    from .entities import DuplicateDismissal, MergeRecord

    for table in ("person", "organization"):
        if "merged_into_id" not in {c.name for c in db.get_columns(table)}:
            db.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN "merged_into_id" INTEGER '
                           f'REFERENCES "{table}" ("id") ON DELETE RESTRICT')
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{table}_merged_into_id" ON "{table}" ("merged_into_id")')
    db.create_tables([DuplicateDismissal, MergeRecord])
    db.execute_sql('CREATE INDEX IF NOT EXISTS "person_birth_pinyin" ON "person" '
                   '("birth_date", "name_pinyin", "archived")')


def _v11_venture_rounds(db: Database) -> None:
    """公益创投 / 微创投 rounds: rounds and their documents, applications with their venues (of
    the register) and their steps, the expert review (criteria, reviewers, scores), and the
    supervision of funded projects (milestones, visits, payments, closing evaluations). New
    tables only."""
    from .venture_entities import VENTURE_MODELS

    db.create_tables(VENTURE_MODELS)


# Sensitive columns encrypted at schema 12 (models.crypto): (table, key column, encrypted columns).
ENCRYPTION_VERSION = 12  # the schema from which personal data is encrypted (models.crypto)
ENCRYPTED_COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("person", ("id_number", "phone")),
    ("organization", ("contact_phone",)),
    ("reviewer", ("phone",)),
    ("venue", ("phone",)),  # the phone of its manager, a person, mostly
    ("audit_entry", ("changes",)),
    ("import_batch_item", ("before",)),
    ("merge_record", ("details",)),
    ("unit_key", ("private_key",)),  # the office's signing key: whoever holds it signs as the office
)


def _v12_encryption(db: Database) -> None:
    """Personal data encrypted at rest (models.crypto): a data key for the database, wrapped for
    every active operator with a password (their stored scrypt output unwraps it; the stored hash
    becomes a verifier of it, so nobody has to set a new password), the sensitive columns
    encrypted and the ID numbers and phones found by keyed hashes from now on."""
    from . import crypto
    from .auth import upgrade_legacy_hash
    from .db import placeholders
    from .entities import KeyWrap

    db.create_tables([KeyWrap])
    columns = {c.name for c in db.get_columns("person")}
    for column in ("id_hash", "phone_hash"):
        if column not in columns:
            db.execute_sql(f'ALTER TABLE "person" ADD COLUMN "{column}" VARCHAR(255)')
    # Indexes on ciphertext find nothing: the keyed hashes take their place.
    db.execute_sql('DROP INDEX IF EXISTS "person_id_number"')
    db.execute_sql('DROP INDEX IF EXISTS "person_phone"')
    if _on_server(db):  # a UNIQUE column's constraint on PostgreSQL
        db.execute_sql('ALTER TABLE "person" DROP CONSTRAINT IF EXISTS "person_id_number_key"')
    db.execute_sql('CREATE UNIQUE INDEX IF NOT EXISTS "person_id_hash" ON "person" ("id_hash")')
    db.execute_sql('CREATE INDEX IF NOT EXISTS "person_phone_hash" ON "person" ("phone_hash")')
    if KeyWrap.select().exists():
        # Encrypted already (a file of this schema whose version number says older): a second
        # data key would leave its values under a key nobody holds.
        log.warning("schema 12 step: the database already has its data key; nothing to encrypt")
        return

    crypto.new_data_key(open_wrap=False)
    wrapped = False
    for user_id, stored, active in User.select(User.id, User.password_hash, User.active).tuples():
        upgraded = upgrade_legacy_hash(stored)
        if upgraded is None:
            continue
        User.update(password_hash=upgraded[0]).where(User.id == user_id).execute()
        if active:
            crypto.wrap_for_user(user_id, upgraded[1])
            wrapped = True
    if not wrapped:  # nobody can log in yet: the key stays open until the first password
        crypto.keep_open()

    param = placeholders(1)
    for table, names in ENCRYPTED_COLUMNS:
        if table not in db.get_tables():
            continue
        selected = ", ".join(f'"{n}"' for n in names)
        rows = db.execute_sql(f'SELECT "id", {selected} FROM "{table}"').fetchall()
        sets = [f'"{n}" = {param}' for n in names]
        values_of = []
        for row in rows:
            values = [crypto.seal(value, f"{table}.{name}") for name, value in zip(names, row[1:])]
            if table == "person":
                values += [crypto.id_hash(row[1]), crypto.phone_hash(row[2])]
            values_of.append((*values, row[0]))
        if table == "person":
            sets += [f'"id_hash" = {param}', f'"phone_hash" = {param}']
        if values_of:
            execute_many(f'UPDATE "{table}" SET {", ".join(sets)} WHERE "id" = {param}', values_of)


MIGRATIONS: Mapping[int, Migration] = {
    2: _v2_certificates_imports, 3: _v3_login_lockout, 4: _v4_people_list_index,
    5: _v5_audit_operator_index, 6: _v6_record_versions, 7: _v7_name_search,
    8: _v8_report_exchange, 9: _v9_booking_holders, 10: _v10_duplicates, 11: _v11_venture_rounds,
    12: _v12_encryption,
}

DEFAULT_SERVICE_AREAS = (
    "青少年服务",
    "家庭教育",
    "爱心助困",
    "助老服务",
    "心理健康",
    "妇女维权",
    "婚姻家庭",
    "就业创业",
)


class SchemaError(RuntimeError):
    def __init__(self, message: Message):
        super().__init__(str(message))
        self.message = message


def program_version() -> str:
    """This program's version (pyproject.toml), named when a server database is newer."""
    import importlib.metadata  # 10-15 ms of every start otherwise

    try:
        return importlib.metadata.version("jinguo-hub")
    except importlib.metadata.PackageNotFoundError:  # a copy run from its folder, not installed
        return "（开发版）"


VERSION_TABLE = "jinguo_schema"
# pg_advisory_xact_lock key of schema changes ("JGSC"): one PC at a time creates or migrates.
SCHEMA_LOCK = 0x4A475343


def _on_server(db: Database) -> bool:
    return isinstance(db, PostgresqlDatabase)


def schema_version(db: Database) -> int:
    if _on_server(db):
        if VERSION_TABLE not in db.get_tables():
            return 0
        row = db.execute_sql(f"SELECT version FROM {VERSION_TABLE}").fetchone()
        return row[0] if row else 0
    return db.execute_sql("PRAGMA user_version").fetchone()[0]


def written_by(db: Database) -> str | None:
    """The program version that last created or migrated a server database (None on SQLite)."""
    if not _on_server(db) or VERSION_TABLE not in db.get_tables():
        return None
    row = db.execute_sql(f"SELECT program FROM {VERSION_TABLE}").fetchone()
    return row[0] if row else None


def _set_version(db: Database, version: int) -> None:
    if _on_server(db):
        db.execute_sql(f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} (version INTEGER NOT NULL, "
                       "program TEXT NOT NULL)")
        db.execute_sql(f"DELETE FROM {VERSION_TABLE}")
        db.execute_sql(f"INSERT INTO {VERSION_TABLE} (version, program) VALUES (%s, %s)",
                       (int(version), program_version()))
        return
    db.execute_sql(f"PRAGMA user_version = {int(version)}")


def _is_empty(db: Database) -> bool:
    return not db.get_tables()


def _schema_lock(db: Database) -> None:
    """Inside a transaction on the server: wait for any other PC creating or migrating."""
    if _on_server(db):
        db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))


def create_schema(db: Database, version: int = SCHEMA_VERSION) -> None:
    with db.atomic():
        _schema_lock(db)
        if _on_server(db) and not _is_empty(db):
            return  # another PC created it while this one waited for the lock
        db.create_tables(ALL_MODELS)
        if version >= 12:
            from . import crypto

            crypto.new_data_key()
        ServiceArea.insert_many(
            [{"name": name, "sort_order": i} for i, name in enumerate(DEFAULT_SERVICE_AREAS)]
        ).execute()
        User.create(username="admin", display_name="管理员", role="admin")
        _set_version(db, version)


def backup_file(db: Database, path: Path, from_version: int) -> Path:
    """Copy the live database (consistently, through SQLite's backup API) before changing it."""
    target = path.with_name(f"{path.stem}.v{from_version}.bak{path.suffix}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.stem}.v{from_version}.bak{n}{path.suffix}")
    # Written under a hidden name carrying this process's id (the convention of
    # desktop/temporaries.py, which removes such files left by a killed process) and renamed
    # when complete: a kill midway never leaves a broken copy where the README sends users.
    partial = target.with_name(f".{target.name}.~{os.getpid()}.tmp")
    dest = sqlite3.connect(partial)
    try:
        db.connection().backup(dest)
        dest.execute("PRAGMA journal_mode=DELETE")
    except BaseException:
        dest.close()
        partial.unlink(missing_ok=True)
        raise
    dest.close()
    with partial.open("rb+") as f:
        os.fsync(f.fileno())
    os.replace(partial, target)
    return target


def ensure_schema(
    db: Database,
    path: Path | None,
    migrations: Mapping[int, Migration] = MIGRATIONS,
    target: int = SCHEMA_VERSION,
) -> Path | None:
    """Create or migrate; returns the backup made before migrating, if any."""
    if _is_empty(db):
        create_schema(db, target)
        if not _on_server(db):
            return None
    version = schema_version(db)
    if version > target:
        program = written_by(db)
        needed = f"请安装巾帼枢纽 {program} 或更新的版本后再打开。" if program else "请升级程序后再打开。"
        raise SchemaError(
            msg(
                "这个数据库由较新版本的巾帼枢纽创建（结构版本 {found}，本程序支持到 {supported}）。{needed}",
                found=version,
                supported=target,
                needed=needed,
            )
        )
    if version == 0 or not CORE_TABLES <= set(db.get_tables()):
        raise SchemaError(msg("这个文件不是巾帼枢纽的数据库，请选择正确的数据文件。"))
    if version == target:
        return None
    if _on_server(db):
        with db.atomic():
            _schema_lock(db)
            version = schema_version(db)  # another PC may have migrated while this one waited
            log.info("migrating the server's schema %s -> %s", version, target)
            for step in range(version + 1, target + 1):
                migrations[step](db)
                _set_version(db, step)
        if version < ENCRYPTION_VERSION <= target:
            _vacuum_encrypted_tables(db)
        return None
    backup = backup_file(db, path, version) if path else None
    log.info("migrating schema %s -> %s (backup: %s)", version, target, backup)
    for step in range(version + 1, target + 1):
        with db.atomic():
            migrations[step](db)
            _set_version(db, step)
    if version < ENCRYPTION_VERSION <= target:
        return _after_encrypting(db, backup)
    return backup


# The schema version that encrypts the sensitive columns (models.crypto).
ENCRYPTION_VERSION = 12


class UpgradeUnchecked(Exception):
    """The database was migrated across the encryption (and is usable) but did not check
    afterwards: the clear copy made before migrating is kept (``backup``); the message says so
    and what to do. Raised by ensure_schema once the migration is committed."""

    def __init__(self, message: Message, backup: Path | None):
        super().__init__(str(message))
        self.message = message
        self.backup = backup


def clear_values(db: Database) -> list[str]:
    """The sensitive columns (``ENCRYPTED_COLUMNS``) that still hold a value in clear, as
    "table.column": an encrypted database has none (empty text and an empty JSON object, which
    tell nothing, stay as they are)."""
    from .crypto import EMPTY_OBJECT, PREFIX

    found = []
    tables = set(db.get_tables())
    for table, names in ENCRYPTED_COLUMNS:
        if table not in tables:
            continue
        for name in names:
            row = db.execute_sql(
                f'SELECT 1 FROM "{table}" WHERE "{name}" IS NOT NULL AND "{name}" <> \'\' '
                f'AND "{name}" <> \'{EMPTY_OBJECT}\' '
                f'AND substr("{name}", 1, {len(PREFIX)}) <> \'{PREFIX}\' LIMIT 1').fetchone()
            if row is not None:
                found.append(f"{table}.{name}")
    return found


def scrub_free_space(db: Database) -> None:
    """Rewrite a SQLite file without its free pages and empty its write-ahead log: values
    replaced or deleted (a migration's clear originals, a dropped index on them) otherwise stay
    readable in free pages and in the -wal until SQLite happens to reuse them."""
    db.execute_sql("VACUUM")
    busy, _, _ = db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    if busy:  # another connection reads: its snapshot keeps the log; closing checkpoints again
        log.warning("the write-ahead log could not be emptied now (another connection reads)")


def _vacuum_encrypted_tables(db: Database) -> None:
    """On the server, after the migration's transaction: the clear values it replaced stay in
    the tables' files as dead row versions until vacuumed. VACUUM FULL writes each table anew
    (and drops the old file), taking it for itself meanwhile (1.4 s for 100,000 people, 79 MB);
    a failure leaves the data correct and is logged, the server's own vacuum then reclaims the
    rows later (their bytes are overwritten only when reused: IT staff can VACUUM FULL)."""
    from peewee import DatabaseError

    tables = set(db.get_tables())
    names = [table for table, _ in ENCRYPTED_COLUMNS if table in tables] + ["key_wrap"]
    try:
        db.execute_sql("VACUUM FULL " + ", ".join(f'"{t}"' for t in names))
    except DatabaseError:
        log.warning("VACUUM FULL after encrypting failed; dead clear row versions remain until the "
                    "server vacuums", exc_info=True)
    else:
        log.info("vacuumed %s after encrypting", ", ".join(names))


def _after_encrypting(db: Database, backup: Path | None) -> Path | None:
    """After a SQLite file was migrated across the encryption: check it (integrity, and no
    sensitive value left in clear), scrub its free space and log, and remove the clear copy
    made before migrating. Returns None then; UpgradeUnchecked (the copy kept) when it does not
    check.

    Removed rather than encrypted: the copy exists to go back to the old program, which cannot
    read encrypted values, and the upgraded file (checked here) holds everything it holds."""
    from peewee import DatabaseError

    problem: str | None = None
    integrity = [row[0] for row in db.execute_sql("PRAGMA integrity_check").fetchall()]
    if integrity != ["ok"]:
        problem = "完整性检查：" + "；".join(integrity[:3])
    else:
        left = clear_values(db)
        if left:
            problem = "仍有未加密的值：" + "、".join(left)
    if problem is None:
        try:
            scrub_free_space(db)
        except DatabaseError as e:  # VACUUM needs as much free disk space as the file takes
            problem = f"整理数据库文件没有完成，文件的空闲空间中可能还留有未加密的旧数据（{e}）"
    if problem is not None:
        log.error("the upgraded database did not check (%s); the copy made before upgrading is kept: %s",
                  problem, backup)
        raise UpgradeUnchecked(msg(
            "数据库已升级，但升级后的检查没有通过（{problem}）。升级前的副本 {backup} 保留未删，"
            "其中的身份证号、电话等个人信息没有加密：请运行“检查数据库”，并联系技术支持；"
            "问题解决后请删除这个副本。", problem=problem, backup=backup or "（无）"), backup)
    if backup is not None:
        try:
            backup.unlink()
        except OSError as e:
            log.error("the clear copy made before upgrading could not be removed: %s (%s)", backup, e)
            raise UpgradeUnchecked(msg(
                "数据库已升级并加密，但升级前的未加密副本 {backup} 无法删除（{reason}）："
                "请关闭占用它的程序后手动删除。", backup=backup, reason=e.strerror or e), backup) from e
        log.info("upgraded and encrypted; the clear copy made before upgrading (%s) is removed", backup)
    return None
