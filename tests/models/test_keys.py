"""Who can unlock the data key: every operator with their own password, after a change or a
reset, never a deactivated one; the recovery key; key files; and what a wrong key is told."""

from __future__ import annotations

import pytest

from models import auth, crypto, keys
from models.entities import AuditEntry, KeyWrap, Person, Region, User
from models.errors import ValidationFailed

PASSWORDS = {"wangfang": "admin-pass-1", "lina": "clerk-pass-1", "zhao": "viewer-pass-1"}


@pytest.fixture
def admin(ctx):
    first = auth.create_first_admin("wangfang", "王芳", PASSWORDS["wangfang"], PASSWORDS["wangfang"])
    auth.create_user(first, "lina", "李娜", "clerk", PASSWORDS["lina"])
    auth.create_user(first, "zhao", "赵敏", "viewer", PASSWORDS["zhao"])
    Person.create(name="王秀英", id_number="11010519491231002X", region=Region.create(name="东关街道",
                                                                                   level="township"))
    crypto.lock()
    return User.get_by_id(first.id)


def reads_the_id() -> str:
    return Person.get(Person.name == "王秀英").id_number


def test_each_operator_unlocks_with_their_own_password(admin):
    assert not crypto.has_open_wrap()
    with pytest.raises(crypto.Locked):
        reads_the_id()
    for name, password in PASSWORDS.items():
        crypto.lock()
        auth.authenticate(name, password)
        assert reads_the_id() == "11010519491231002X"


def test_a_changed_or_reset_password_unlocks_and_the_old_one_does_not(admin):
    lina = User.get(User.username == "lina")
    auth.authenticate("lina", PASSWORDS["lina"])
    auth.set_password(lina, lina, "lina-new-pass", old_password=PASSWORDS["lina"])
    auth.set_password(admin, User.get(User.username == "zhao"), "zhao-reset-pass")
    for name, old, new in (("lina", PASSWORDS["lina"], "lina-new-pass"),
                           ("zhao", PASSWORDS["zhao"], "zhao-reset-pass")):
        crypto.lock()
        with pytest.raises(auth.AuthError):
            auth.authenticate(name, old)
        assert not crypto.is_unlocked()
        auth.authenticate(name, new)
        assert reads_the_id() == "11010519491231002X"


def test_a_deactivated_operator_is_refused_and_loses_their_key(admin):
    auth.authenticate("wangfang", PASSWORDS["wangfang"])
    auth.update_user(admin, User.get(User.username == "lina"), active=False)
    assert not KeyWrap.select().where((KeyWrap.kind == "user") & (KeyWrap.user == User.get(
        User.username == "lina").id)).exists()
    crypto.lock()
    with pytest.raises(auth.AuthError):
        auth.authenticate("lina", PASSWORDS["lina"])
    assert not crypto.is_unlocked()


def test_the_recovery_key_unlocks_and_resets_an_administrators_password(admin):
    auth.authenticate("wangfang", PASSWORDS["wangfang"])
    recovery = auth.create_recovery_key(admin)
    crypto.lock()
    with pytest.raises(auth.AuthError) as info:
        keys.reset_with_recovery_key("ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567", "wangfang", "new-admin-pass")
    assert "恢复密钥不正确" in str(info.value.message) and not crypto.is_unlocked()
    with pytest.raises(ValidationFailed):  # a clerk is not reset this way
        keys.reset_with_recovery_key(recovery, "lina", "new-admin-pass")
    assert not crypto.is_unlocked()
    keys.reset_with_recovery_key(recovery.replace("-", " ").lower(), "wangfang", "new-admin-pass")
    crypto.lock()
    auth.authenticate("wangfang", "new-admin-pass")
    assert reads_the_id() == "11010519491231002X"
    assert AuditEntry.select().where(AuditEntry.summary.contains("用恢复密钥重设")).exists()


def test_a_key_file_acts_as_its_administrator_until_revoked(admin):
    auth.authenticate("wangfang", PASSWORDS["wangfang"])
    text = keys.create_key_file(admin, "nightly")
    with pytest.raises(ValidationFailed):  # never silently replaced
        keys.create_key_file(admin, "nightly")
    with pytest.raises(ValidationFailed):
        keys.create_key_file(User.get(User.username == "lina"), "clerks")
    assert [(f.label, f.creator) for f in keys.list_key_files()] == [("nightly", "wangfang")]
    crypto.lock()
    assert keys.authenticate_key_file(text).username == "wangfang"
    assert reads_the_id() == "11010519491231002X"
    keys.revoke_key_file(admin, "nightly")
    crypto.lock()
    with pytest.raises(auth.AuthError) as info:
        keys.authenticate_key_file(text)
    assert "已被管理员作废" in str(info.value.message)


def test_a_damaged_key_record_is_said_as_such_not_as_a_damaged_database(admin):
    lina = User.get(User.username == "lina")
    KeyWrap.update(wrapped="AAAA" + "B" * 60).where(
        (KeyWrap.kind == "user") & (KeyWrap.user == lina.id)).execute()
    with pytest.raises(auth.AuthError) as info:
        auth.authenticate("lina", PASSWORDS["lina"])
    text = str(info.value.message)
    assert "密钥记录已损坏" in text and "重设这个操作员的密码" in text and "数据库文件" not in text
    assert not crypto.is_unlocked()
