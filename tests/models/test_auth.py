"""Passwords, lockout, first administrator, user administration and the role table."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from models import audit, auth, crypto
from models.entities import AuditEntry, Region, Setting, User
from models.errors import ValidationFailed
from models.permissions import PERMISSIONS, PermissionDenied, can
from models.settings import set_setting

T0 = dt.datetime(2025, 3, 1, 9, 0, 0)


@pytest.fixture
def admin(ctx):
    return auth.create_first_admin("wangfang", "王芳", "秘密口令12345", "秘密口令12345")


@pytest.fixture
def people(admin):
    return {
        role: auth.create_user(admin, role, f"{role} 用户", role, f"{role}-password-1")
        for role in ("clerk", "viewer")
    }


def test_hash_is_salted_slow_and_carries_its_parameters():
    first, second = auth.hash_password("同一个密码"), auth.hash_password("同一个密码")
    assert first != second  # random salt per hash
    scheme, n, r, p, _salt, _digest = first.split("$")
    assert (scheme, int(n), int(r), int(p)) == ("scrypt2", auth.SCRYPT_N, auth.SCRYPT_R, auth.SCRYPT_P)
    assert "同一个密码" not in first
    assert auth.verify_password("同一个密码", first) and not auth.verify_password("同一个密码 ", first)
    assert not auth.verify_password("", "") and not auth.verify_password("x", "garbage")


def test_a_cheaper_old_hash_still_works_and_is_raised_at_login(admin):
    cheap, secret = auth.new_password_hash("秘密口令12345", n=auth.SCRYPT_N // 4)
    assert auth.verify_password("秘密口令12345", cheap) and auth.needs_rehash(cheap)
    User.update(password_hash=cheap).where(User.id == admin.id).execute()
    crypto.wrap_for_user(admin.id, secret)  # as stored with that hash: the data key wrapped by it
    crypto.lock()
    auth.authenticate("wangfang", "秘密口令12345", T0)
    stored = User.get_by_id(admin.id).password_hash
    assert stored != cheap and not auth.needs_rehash(stored)
    crypto.lock()  # the raised hash re-wrapped the key: the same password still unlocks it
    auth.authenticate("wangfang", "秘密口令12345", T0)
    assert crypto.is_unlocked()


def test_a_new_database_needs_its_first_admin_who_takes_over_the_builtin_one(ctx):
    assert auth.needs_first_admin()
    with pytest.raises(ValidationFailed) as info:
        auth.create_first_admin("wangfang", "王芳", "short", "short")
    assert "至少需要 8 个字符" in str(info.value.errors["password"])
    with pytest.raises(ValidationFailed) as info:
        auth.create_first_admin("wangfang", "王芳", "秘密口令12345", "秘密口令12346")
    assert "不一致" in str(info.value.errors["repeat"])
    assert auth.needs_first_admin()

    admin = auth.create_first_admin(" wangfang ", " 王芳 ", "秘密口令12345", "秘密口令12345")
    assert (admin.username, admin.display_name, admin.role) == ("wangfang", "王芳", "admin")
    assert User.select().count() == 1  # the built-in passwordless admin became this one
    assert not auth.needs_first_admin()
    with pytest.raises(ValidationFailed):
        auth.create_first_admin("other", "", "秘密口令12345", "秘密口令12345")


@pytest.mark.sqlite_only  # reads the SQLite file's bytes (after a WAL checkpoint)
def test_the_database_file_holds_no_password_in_clear(ctx, people):
    auth.set_password(User.get(User.username == "wangfang"), people["clerk"], "换一个新密码-42")
    ctx.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    data = ctx.db_path.read_bytes()
    for secret in ("秘密口令12345", "clerk-password-1", "viewer-password-1", "换一个新密码-42"):
        assert secret.encode("utf-8") not in data
        assert secret.encode("utf-16-le") not in data


def test_no_password_or_hash_enters_the_audit_trail(ctx, people):
    auth.set_password(User.get(User.username == "wangfang"), people["clerk"], "换一个新密码-42")
    for entry in AuditEntry.select():
        assert "password" not in json.loads(entry.changes)
        assert "password_hash" not in json.loads(entry.changes)
    stored = User.get(User.username == "clerk").password_hash
    assert stored.startswith("scrypt2$")
    raw = [row[0] for row in ctx.db.execute_sql("SELECT changes FROM audit_entry").fetchall()]
    assert raw and all(crypto.is_encrypted(value) or value in ("", "{}") for value in raw)
    assert any(crypto.is_encrypted(value) for value in raw)
    assert not any(stored in crypto.unseal(value, "audit_entry.changes") for value in raw if value)


def test_five_wrong_passwords_lock_the_account_until_the_time_is_up(people):
    for i in range(1, 6):
        with pytest.raises(auth.AuthError) as info:
            auth.authenticate("clerk", "wrong", T0 + dt.timedelta(seconds=i))
        assert info.value.message == auth.refused_message()  # says that accounts get locked
        assert "锁定" in str(info.value.message) and "15 分钟" in str(info.value.message)
    locked_at = T0 + dt.timedelta(seconds=5)
    assert User.get(User.username == "clerk").locked_until == locked_at + dt.timedelta(minutes=15)

    with pytest.raises(auth.AuthError) as info:  # even the right password, while locked
        auth.authenticate("clerk", "clerk-password-1", locked_at + dt.timedelta(minutes=14))
    assert info.value.message == auth.refused_message()

    user = auth.authenticate("clerk", "clerk-password-1", locked_at + dt.timedelta(minutes=15, seconds=1))
    assert user.username == "clerk" and user.failed_logins == 0 and user.locked_until is None
    actions = [e.action for e in AuditEntry.select().where(AuditEntry.username == "clerk")
               .order_by(AuditEntry.id)]
    assert actions[-7:] == ["login_failed"] * 4 + ["lock", "login"]


def test_a_right_password_resets_the_count_and_an_admin_reset_unlocks(admin, people):
    for _ in range(4):
        with pytest.raises(auth.AuthError):
            auth.authenticate("viewer", "wrong", T0)
    auth.authenticate("viewer", "viewer-password-1", T0)
    assert User.get(User.username == "viewer").failed_logins == 0
    for _ in range(5):
        with pytest.raises(auth.AuthError):
            auth.authenticate("viewer", "wrong", T0)
    auth.set_password(admin, people["viewer"], "reset-by-admin")
    assert auth.authenticate("viewer", "reset-by-admin", T0 + dt.timedelta(seconds=1)).username == "viewer"


def test_unknown_inactive_and_passwordless_users_get_the_same_answer(admin, people):
    auth.update_user(admin, people["viewer"], active=False)
    answers = set()
    for name, password in (("nobody", "whatever1"), ("viewer", "viewer-password-1")):
        with pytest.raises(auth.AuthError) as info:
            auth.authenticate(name, password, T0)
        answers.add(str(info.value.message))
    assert answers == {str(auth.refused_message())}


def test_a_wrong_password_and_a_locked_account_answer_like_an_unknown_user(people):
    """The answer must not tell whoever tries names that a user exists: no "N tries left" for
    real users, no "locked until" for them either, while the lockout still works and is audited."""
    answers = []
    for i in range(7):  # wrong passwords, then locked: for a real user and for a made-up name
        for name in ("clerk", "no-such-clerk"):
            with pytest.raises(auth.AuthError) as info:
                auth.authenticate(name, f"wrong-{i}", T0 + dt.timedelta(seconds=i))
            answers.append((name, str(info.value.message)))
    with pytest.raises(auth.AuthError) as info:
        auth.authenticate("clerk", "clerk-password-1", T0 + dt.timedelta(seconds=9))
    answers.append(("clerk", str(info.value.message)))
    assert {text for _name, text in answers} == {str(auth.refused_message())}
    assert "再错" not in answers[0][1]
    assert User.get(User.username == "clerk").locked_until == T0 + dt.timedelta(seconds=4, minutes=15)
    actions = [e.action for e in AuditEntry.select().where(AuditEntry.username == "clerk")
               .order_by(AuditEntry.id)]
    assert actions[-5:] == ["login_failed"] * 4 + ["lock"]


def test_users_are_managed_by_admins_only_and_audited(admin, people):
    clerk = people["clerk"]
    with pytest.raises(PermissionDenied) as info:
        auth.create_user(clerk, "x", "", "viewer", "password-x")
    assert "录入员" in str(info.value.errors["permission"])
    with pytest.raises(PermissionDenied):
        auth.set_password(clerk, people["viewer"], "new-password")
    with pytest.raises(PermissionDenied):
        auth.update_user(clerk, clerk, role="admin")
    assert User.get_by_id(clerk.id).role == "clerk"

    with pytest.raises(ValidationFailed) as info:
        auth.create_user(admin, "CLERK", "", "viewer", "password-x")
    assert "已被使用" in str(info.value.errors["username"])

    auth.update_user(admin, clerk, role="viewer", display_name="李娜")
    entry = AuditEntry.select().where(AuditEntry.entity == "user").order_by(AuditEntry.id.desc()).first()
    assert entry.username == "wangfang"
    assert json.loads(entry.changes) == {"role": ["clerk", "viewer"], "display_name": ["clerk 用户", "李娜"]}


def test_a_user_changes_their_own_password_with_the_old_one(people):
    clerk = people["clerk"]
    with pytest.raises(ValidationFailed) as info:
        auth.set_password(clerk, clerk, "newpassword1", "newpassword1", old_password="wrong")
    assert "原密码" in str(info.value.errors["old_password"])
    auth.set_password(clerk, clerk, "newpassword1", "newpassword1", old_password="clerk-password-1")
    assert auth.authenticate("clerk", "newpassword1", T0).id == clerk.id


def test_the_last_admin_cannot_be_demoted_or_deactivated(admin, people):
    for change in ({"role": "clerk"}, {"active": False}):
        with pytest.raises(ValidationFailed) as info:
            auth.update_user(admin, admin, **change)
        assert "唯一" in str(next(iter(info.value.errors.values())))
    second = auth.create_user(admin, "zhao", "赵敏", "admin", "password-z")
    auth.update_user(second, admin, role="clerk")
    assert User.get_by_id(admin.id).role == "clerk"


def test_role_table():
    assert {a for a in PERMISSIONS if can(_role("viewer"), a)} == {"view", "print"}
    assert {a for a in PERMISSIONS if can(_role("clerk"), a)} == {
        "view", "print", "edit", "import", "export", "backup", "merge"}
    assert all(can(_role("admin"), a) for a in PERMISSIONS)
    assert not can(User(username="x", role="admin", active=False), "view")
    with pytest.raises(KeyError):
        can(_role("admin"), "fly")


def _role(role: str) -> User:
    return User(username=role, role=role, active=True)


def test_the_write_path_refuses_a_viewer_and_keeps_nothing(people, admin):
    viewer, clerk = people["viewer"], people["clerk"]
    before = AuditEntry.select().count()
    with pytest.raises(PermissionDenied) as info:
        audit.create(Region, viewer, name="青禾县", level="county")
    assert "查看员" in str(info.value.errors["permission"])
    county = audit.create(Region, clerk, name="青禾县", level="county")
    with pytest.raises(PermissionDenied):
        audit.update(county, viewer, name="改名")
    with pytest.raises(PermissionDenied):
        audit.archive(county, viewer, "不用了")
    assert Region.get_by_id(county.id).name == "青禾县"
    assert AuditEntry.select().count() == before + 1

    with pytest.raises(PermissionDenied):
        set_setting("office.name", "青禾县妇联", clerk)
    assert not Setting.select().where(Setting.key == "office.name").exists()
    set_setting("import.mapping.people.abc", "{}", clerk)  # the importer's memory, not a setting
    set_setting("office.name", "青禾县妇联", admin)
    audit.record(viewer, "export", None, entity="person", summary="打印花名册")  # reading is fine
