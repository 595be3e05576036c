"""The data key's other ways in at the command line: key files for unattended commands, the
recovery key when every password is lost, a full check, and a backup restored on a new PC."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.context import build_context
from models import auth, crypto
from models.entities import AuditEntry, Person, Region, User

ID_NUMBER = "11010519491231002X"


def make_office(location) -> None:
    """A database with an administrator, a clerk and one person with an ID number and a phone."""
    if isinstance(location, Path):
        location.parent.mkdir(parents=True, exist_ok=True)
    ctx = build_context(location)
    admin = auth.create_first_admin("admin", "管理员", "admin-pass-1", "admin-pass-1")
    auth.create_user(admin, "luru", "录入员", "clerk", "luru-pass-1")
    region = Region.create(name="东关街道", level="township")
    Person.create(name="王秀英", id_number=ID_NUMBER, phone="13800138000", region=region)
    ctx.close()
    crypto.lock()


@pytest.fixture
def office(database_location):
    make_office(database_location)
    return database_location


@pytest.fixture
def jinguo(monkeypatch, capsys):
    """``jinguo …`` with only the given environment of its own: (exit code, stdout, stderr)."""
    def run(*args, **env) -> tuple[int, str, str]:
        for name in ("JINGUO_USER", "JINGUO_PASSWORD", "JINGUO_KEY_FILE", "JINGUO_RECOVERY_KEY",
                     "JINGUO_NEW_PASSWORD"):
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(f"JINGUO_{name.upper()}", value)
        crypto.lock()  # each command is a new process: nothing stays unlocked
        code = main([str(a) for a in args])
        out = capsys.readouterr()
        crypto.lock()
        return code, out.out, out.err

    return run


def _as_admin(location):
    ctx = build_context(location)
    auth.authenticate("admin", "admin-pass-1")
    return ctx


def test_a_key_file_opens_the_database_for_a_check_as_the_administrator_who_made_it(office, jinguo, tmp_path):
    key = tmp_path / "keys" / "nightly.key"
    key.parent.mkdir()
    code, out, err = jinguo("key", "file", "create", key, "--label", "nightly", "--db", office,
                            user="admin", password="admin-pass-1")
    assert code == 0, err
    assert "nightly" in out and key.is_file()
    if os.name == "posix":
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert not [p for p in key.parent.iterdir() if p != key]  # no temporary left beside it

    before = key.read_bytes()
    code, _out, err = jinguo("key", "file", "create", key, "--db", office, user="admin",
                             password="admin-pass-1")
    assert code == 2 and "已存在" in err and key.read_bytes() == before

    code, out, err = jinguo("check", "--db", office, "--key-file", key)
    assert code == 0, err
    assert "加密的个人信息都能解开" in out
    code, out, err = jinguo("check", "--db", office, key_file=str(key))  # or from the environment
    assert code == 0 and "都能解开" in out, err

    ctx = _as_admin(office)
    try:
        logins = [e.summary for e in AuditEntry.select().where(AuditEntry.action == "login")
                  .order_by(AuditEntry.id) if "密钥文件" in e.summary]
        assert logins == ["用密钥文件“nightly”登录（无人值守）"] * 2
        assert AuditEntry.select().where(AuditEntry.summary.contains("nightly")).first().username == "admin"
    finally:
        ctx.close()

    code, out, err = jinguo("key", "file", "list", "--db", office, user="admin", password="admin-pass-1")
    assert code == 0 and "nightly" in out and "admin" in out, err


def test_a_clerk_cannot_make_key_files_or_recovery_keys(office, jinguo, tmp_path):
    key = tmp_path / "clerk.key"
    code, _out, err = jinguo("key", "file", "create", key, "--db", office, user="luru",
                             password="luru-pass-1")
    assert code == 2 and "不能管理操作员" in err and not key.exists()
    code, out, err = jinguo("key", "recovery", "--db", office, user="luru", password="luru-pass-1")
    assert code == 2 and "-" not in out


def test_a_revoked_missing_foreign_or_orphaned_key_file_is_refused_in_plain_words(office, jinguo, tmp_path):
    key = tmp_path / "nightly.key"
    assert jinguo("key", "file", "create", key, "--db", office, user="admin", password="admin-pass-1")[0] == 0

    code, _out, err = jinguo("check", "--db", office, "--key-file", tmp_path / "missing.key")
    assert code == 2 and "找不到密钥文件" in err
    (tmp_path / "junk.key").write_text("not a key", encoding="utf-8")
    code, _out, err = jinguo("check", "--db", office, "--key-file", tmp_path / "junk.key")
    assert code == 2 and "不是巾帼枢纽的密钥文件" in err

    other = tmp_path / "other" / "other.db"
    make_office(other)
    code, _out, err = jinguo("check", "--db", other, "--key-file", key)
    assert code == 2 and "属于另一个数据库" in err

    code, out, err = jinguo("key", "file", "revoke", "nightly", "--db", office, user="admin",
                            password="admin-pass-1")
    assert code == 0 and "已作废" in out, err
    code, _out, err = jinguo("check", "--db", office, "--key-file", key)
    assert code == 2 and "已被管理员作废" in err
    for text in (err,):
        assert "Traceback" not in text and "损坏的数据库" not in text


def test_a_key_file_stops_working_when_its_administrator_is_deactivated(office, jinguo, tmp_path):
    ctx = _as_admin(office)
    admin = User.get(User.username == "admin")
    second = auth.create_user(admin, "zhang", "张主任", "admin", "zhang-pass-1")
    ctx.close()
    key = tmp_path / "zhang.key"
    assert jinguo("key", "file", "create", key, "--db", office, user="zhang", password="zhang-pass-1")[0] == 0
    ctx = _as_admin(office)
    auth.update_user(User.get(User.username == "admin"), second, active=False)
    ctx.close()
    code, _out, err = jinguo("check", "--db", office, "--key-file", key)
    assert code == 2 and "创建者已被停用" in err


def test_check_without_a_login_checks_the_file_and_says_what_it_could_not(office, jinguo):
    code, out, err = jinguo("check", "--db", office)
    assert code == 0, err
    assert "数据库完好" in out and "完整检查需要登录" in out


def test_check_with_a_login_names_a_value_that_does_not_decrypt_not_file_damage(office, jinguo):
    ctx = build_context(office)
    person_id = Person.select(Person.id).where(Person.name == "王秀英").scalar()
    ctx.db.execute_sql(f'UPDATE person SET phone = {"%s" if not isinstance(office, Path) else "?"} '
                       f'WHERE id = {person_id}', ("e1:" + "A" * 40,))
    ctx.close()
    code, _out, err = jinguo("check", "--db", office, user="admin", password="admin-pass-1")
    assert code == 1
    assert "1 项加密的个人信息无法解开" in err and f"第 {person_id} 行的 phone" in err
    assert "数据库文件本身完好" in err and "jinguo restore" not in err


def test_the_recovery_key_resets_an_administrators_password_when_all_are_lost(office, jinguo):
    code, out, err = jinguo("key", "recovery", "--db", office, user="admin", password="admin-pass-1")
    assert code == 0, err
    recovery = next(line.strip() for line in out.splitlines() if line.strip().count("-") == 7)

    code, _out, err = jinguo("user", "password", "admin", "--recovery-key", "--db", office,
                             recovery_key="AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH",
                             new_password="new-admin-pass")
    assert code == 2 and "恢复密钥不正确" in err
    code, _out, err = jinguo("user", "password", "admin", "--recovery-key", "--db", office,
                             recovery_key="too short", new_password="new-admin-pass")
    assert code == 2 and "格式不对" in err
    code, _out, err = jinguo("user", "password", "luru", "--recovery-key", "--db", office,
                             recovery_key=recovery, new_password="new-admin-pass")
    assert code == 2 and "管理员" in err  # only an administrator is reset this way

    code, out, err = jinguo("user", "password", "admin", "--recovery-key", "--db", office,
                            recovery_key=recovery.lower().replace("-", " "), new_password="new-admin-pass")
    assert code == 0 and "已用恢复密钥重设" in out, err
    code, out, err = jinguo("check", "--db", office, user="admin", password="new-admin-pass")
    assert code == 0 and "都能解开" in out, err
    code, _out, err = jinguo("check", "--db", office, user="admin", password="admin-pass-1")
    assert code == 2 and "用户名或密码不正确" in err


def test_an_administrator_resets_a_clerks_password_at_the_command_line(office, jinguo):
    code, out, err = jinguo("user", "password", "luru", "--db", office, user="admin", password="admin-pass-1",
                            new_password="luru-new-pass")
    assert code == 0, err
    code, out, err = jinguo("check", "--db", office, user="luru", password="luru-new-pass")
    assert code == 0 and "都能解开" in out, err


@pytest.mark.sqlite_only  # a backup file restored into a new data folder
def test_a_backup_restored_on_a_new_pc_opens_with_a_password_or_the_recovery_key(
        tmp_path, jinguo, monkeypatch):
    office = tmp_path / "old-pc" / "jinguo.db"
    make_office(office)
    code, out, err = jinguo("key", "recovery", "--db", office, user="admin", password="admin-pass-1")
    recovery = next(line.strip() for line in out.splitlines() if line.strip().count("-") == 7)
    backup = tmp_path / "usb" / "jinguo-backup.db"
    backup.parent.mkdir()
    code, _out, err = jinguo("backup", "--db", office, "-o", backup, user="admin", password="admin-pass-1")
    assert code == 0, err
    assert ID_NUMBER.encode() not in backup.read_bytes()  # the copy is encrypted too

    for way in ("password", "recovery"):
        new_pc = tmp_path / f"new-pc-{way}"
        monkeypatch.setenv("JINGUO_DATA_DIR", str(new_pc))
        target = new_pc / "jinguo.db"
        if way == "password":
            code, _out, err = jinguo("restore", backup, "--db", target, user="admin", password="admin-pass-1")
        else:  # nobody remembers a password: restored as the person at this PC decides
            code, _out, err = jinguo("restore", backup, "--db", target, "--force")
        assert code == 0, err
        if way == "recovery":  # every password lost: the recovery key sets a new one
            code, _out, err = jinguo("check", "--db", target, user="admin", password="forgotten")
            assert code == 2 and "用户名或密码不正确" in err
            code, _out, err = jinguo("user", "password", "admin", "--recovery-key", "--db", target,
                                     recovery_key=recovery, new_password="brand-new-pass")
            assert code == 0, err
        password = "admin-pass-1" if way == "password" else "brand-new-pass"
        code, out, err = jinguo("check", "--db", target, user="admin", password=password)
        assert code == 0 and "都能解开" in out, err
        exported = new_pc / "people.xlsx"
        code, _out, err = jinguo("export", "table", "people", "--db", target, "-o", exported,
                                 user="admin", password=password)
        assert code == 0, err
        from openpyxl import load_workbook

        cells = [c for row in load_workbook(exported).worksheets[0].iter_rows(values_only=True) for c in row]
        assert "王秀英" in cells and any(isinstance(c, str) and c.startswith("110105") for c in cells)


def test_a_command_that_meets_locked_data_says_so_and_exits_2(office, jinguo, monkeypatch):
    """Whatever command reads encrypted data without the key ends with the Chinese message."""
    import desktop.cli_export

    def reads_locked(_args):
        ctx = build_context(office)
        try:
            return len(list(Person.select()))  # decrypts: the key is not unlocked without a login
        finally:
            ctx.close()

    monkeypatch.setattr(desktop.cli_export, "run_export", reads_locked)
    code, _out, err = jinguo("export", "table", "people", "--db", office, "-o", "x.xlsx")
    assert code == 2
    assert "个人信息已加密，需要先登录" in err and "Traceback" not in err and "损坏" not in err
