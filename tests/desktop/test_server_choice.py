"""The server chosen in the window, remembered per user without its password; the password in the
system's keyring; which password a connection uses; what a connection test finds."""

from __future__ import annotations

import pytest

from desktop import paths, server_passwords
from desktop.database import DatabaseOpenError, check_server, open_database
from tests.password_gate import SERVER_PASSWORD as PASSWORD

pytest.importorskip("psycopg")
keyring = pytest.importorskip("keyring")

URL = "postgresql://jinguo@10.1.2.3:5432/jinguo"


def test_the_chosen_server_is_remembered_without_a_password_and_comes_after_jinguo_db(monkeypatch):
    monkeypatch.delenv("JINGUO_DB", raising=False)
    assert paths.default_database() == paths.default_db_path()
    paths.remember_server(URL)
    assert paths.remembered_server() == URL
    assert paths.default_database() == URL  # the next start opens it
    text = paths.choice_path().read_text(encoding="utf-8")
    assert URL in text and "password" not in text.lower()
    assert paths.choice_path().parent == paths.data_dir()  # the user's own data folder
    monkeypatch.setenv("JINGUO_DB", "postgresql://other@10.9.9.9:5432/other")
    assert paths.default_database() == "postgresql://other@10.9.9.9:5432/other"
    monkeypatch.delenv("JINGUO_DB")
    paths.remember_server(None)  # 改用本机数据库文件
    assert paths.remembered_server() is None and paths.default_database() == paths.default_db_path()


def test_a_password_is_never_written_to_the_settings():
    for url in ("postgresql://jinguo:secret@10.1.2.3:5432/jinguo",
                "postgresql://jinguo@10.1.2.3:5432/jinguo?password=secret"):
        with pytest.raises(ValueError):
            paths.remember_server(url)
    assert not paths.choice_path().exists()


def test_a_damaged_choice_file_falls_back_to_the_file_in_the_data_folder(monkeypatch):
    monkeypatch.delenv("JINGUO_DB", raising=False)
    paths.choice_path().write_bytes(b"\xff\xfe not ini [[[")
    assert paths.default_database() == paths.default_db_path()


def test_the_keyring_keeps_a_password_per_account(memory_keyring):
    assert server_passwords.keyring_usable()
    assert server_passwords.store_password(URL, PASSWORD)
    assert memory_keyring.passwords == {("JinguoHub", "jinguo@10.1.2.3:5432/jinguo"): PASSWORD}
    assert server_passwords.stored_password(URL) == PASSWORD
    assert server_passwords.stored_password("postgresql://jinguo@10.1.2.3:5432/other") is None
    server_passwords.forget_password(URL)
    assert memory_keyring.passwords == {}


def test_without_a_usable_keyring_nothing_is_remembered(monkeypatch):
    from keyring.backends import chainer, fail

    keyring.set_keyring(fail.Keyring())  # a Linux PC without a keyring service
    assert not server_passwords.keyring_usable()
    assert not server_passwords.store_password(URL, PASSWORD)
    assert server_passwords.stored_password(URL) is None
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [])
    keyring.set_keyring(chainer.ChainerBackend())  # a chain of no backends
    assert not server_passwords.keyring_usable()


def test_a_typed_password_comes_before_pgpassword_which_comes_before_the_keyring(monkeypatch):
    server_passwords.store_password(URL, "from-keyring")
    assert server_passwords.password_for(URL) == "from-keyring"
    monkeypatch.setenv("PGPASSWORD", "from-environment")
    assert server_passwords.password_for(URL) is None  # libpq uses PGPASSWORD itself
    server_passwords.use_for_this_run(URL, "typed")
    assert server_passwords.password_for(URL) == "typed"


def test_a_server_wanting_a_password_is_opened_with_the_keyrings(gate, server, monkeypatch):
    monkeypatch.delenv("PGPASSWORD", raising=False)
    url = gate.url("postgres", server.fresh().rsplit("/", 1)[-1])
    with pytest.raises(DatabaseOpenError) as none:
        open_database(url)
    assert none.value.kind == "no-password" and "要求输入密码" in str(none.value.message)
    server_passwords.store_password(url, "wrong")
    with pytest.raises(DatabaseOpenError) as wrong:
        open_database(url)
    assert wrong.value.kind == "password" and "用户名或密码不正确" in str(wrong.value.message)
    server_passwords.store_password(url, PASSWORD)
    db = open_database(url)
    assert db.location == url  # shown and logged without the password
    db.close()


def test_a_connection_test_says_what_is_there(server):
    assert "已有巾帼枢纽的数据" in str(check_server(server.fresh()))
    assert "还是空的" in str(check_server(server.empty()))
    with pytest.raises(DatabaseOpenError) as missing:
        check_server(server.url("jt_no_such_database"))
    assert missing.value.kind == "missing-database" and "没有这个数据库" in str(missing.value.message)


def test_a_connection_test_of_a_closed_port_says_the_server_cannot_be_reached():
    with pytest.raises(DatabaseOpenError) as closed:
        check_server("postgresql://jinguo@127.0.0.1:1/jinguo")
    assert closed.value.kind == "unreachable" and "无法连接数据库服务器" in str(closed.value.message)
