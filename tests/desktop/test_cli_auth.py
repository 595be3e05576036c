"""The command line acts as a named, logged-in user and obeys the same roles as the window."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from openpyxl import load_workbook

from desktop.auth import LoginRefused, cli_user
from desktop.cli import main
from desktop.context import build_context
from desktop.demo import DEMO_USERS, fill_demo
from models.auth import authenticate
from models.entities import AuditEntry, Person, User
from models.settings import set_setting

TODAY = dt.date(2026, 11, 23)
MASKED = re.compile(r"^\d{6}\*{8}\d{3}[\dX]$")
FULL = re.compile(r"^\d{17}[\dX]$")


@pytest.fixture
def demo_db(tmp_path, capsys):
    path = tmp_path / "demo.db"
    assert main(["demo", "--db", str(path), "--people", "200", "--seed", "7"]) == 0
    out = capsys.readouterr().out
    for name, _shown, _role, password in DEMO_USERS:
        assert f"{name} / " in out and f" / {password}" in out
    ctx = build_context(path)
    admin = authenticate("admin", "admin-2025")  # the audit line of the setting is encrypted: log in first
    set_setting("privacy.print_full_id", "1", admin)  # the office allows full IDs for admins
    ctx.close()
    return path


@pytest.fixture
def jinguo(demo_db, monkeypatch, capsys):
    def run(user: str | None, password: str | None, *args) -> tuple[int, str, str]:
        monkeypatch.delenv("JINGUO_USER", raising=False)
        if password is None:
            monkeypatch.delenv("JINGUO_PASSWORD", raising=False)
        else:
            monkeypatch.setenv("JINGUO_PASSWORD", password)
        argv = (["--user", user] if user else []) + [str(a) for a in args]
        code = main(argv)
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def test_demo_users_can_log_in_with_the_printed_passwords(demo_db):
    ctx = build_context(demo_db)
    try:
        for name, _shown, role, password in DEMO_USERS:
            assert authenticate(name, password).role == role
    finally:
        ctx.close()


def id_cells(path) -> list[str]:
    wb = load_workbook(path, read_only=True)
    try:
        values = [c for row in wb.worksheets[0].iter_rows(values_only=True) for c in row
                  if isinstance(c, str) and (MASKED.match(c) or FULL.match(c))]
    finally:
        wb.close()
    assert values
    return values


def test_a_clerks_roster_shows_masked_ids_an_admins_full_ones(jinguo, demo_db, tmp_path):
    clerk_file, admin_file = tmp_path / "clerk.xlsx", tmp_path / "admin.xlsx"
    code, _out, err = jinguo("luru", "luru-2025", "export", "roster", "--volunteers",
                            "--db", demo_db, "-o", clerk_file)
    assert code == 0, err
    assert all(MASKED.match(v) for v in id_cells(clerk_file))
    code, _out, err = jinguo("admin", "admin-2025", "export", "roster", "--volunteers",
                            "--db", demo_db, "-o", admin_file)
    assert code == 0, err
    assert all(FULL.match(v) for v in id_cells(admin_file))

    code, _out, err = jinguo("luru", "luru-2025", "export", "table", "people", "--db", demo_db,
                             "-o", tmp_path / "people.xlsx")
    assert code == 0, err
    assert all(MASKED.match(v) for v in id_cells(tmp_path / "people.xlsx"))
    code, _out, err = jinguo("admin", "admin-2025", "export", "table", "people", "--db", demo_db,
                             "-o", tmp_path / "people-admin.xlsx")
    assert code == 0, err
    assert all(FULL.match(v) for v in id_cells(tmp_path / "people-admin.xlsx"))


def test_a_viewer_cannot_import_export_back_up_or_restore(jinguo, demo_db, tmp_path):
    sheet = tmp_path / "people.csv"
    sheet.write_text("姓名,身份证号\n王芳,11010519491231002X\n", encoding="utf-8")
    people = _count(demo_db, Person)
    before = _changes(demo_db)
    for args in (("import", "people", sheet, "--db", demo_db),
                 ("export", "table", "people", "--db", demo_db, "-o", tmp_path / "out.xlsx"),
                 ("backup", "--db", demo_db, "-o", tmp_path / "copy.db"),
                 ("restore", "--db", demo_db, tmp_path / "copy.db")):
        code, _out, err = jinguo("chakan", "chakan-2025", *args)
        assert code == 2, args
        assert "“查看员”角色不能" in err, err
    assert not (tmp_path / "out.xlsx").exists() and not (tmp_path / "copy.db").exists()
    assert _count(demo_db, Person) == people
    # Nothing but the viewer's logins was written (a login line may grow the file by a page, so
    # the file's header is no measure of it).
    assert _changes(demo_db) == before

    code, _out, err = jinguo("luru", "luru-2025", "import", "people", sheet, "--db", demo_db)
    assert code == 0, err
    assert _count(demo_db, Person) == people + 1


def test_no_user_or_a_wrong_password_is_refused(jinguo, demo_db, tmp_path):
    target = tmp_path / "people.xlsx"
    code, _out, err = jinguo(None, None, "export", "table", "people", "--db", demo_db, "-o", target)
    assert code == 2 and "--user" in err and "JINGUO_USER" in err
    code, _out, err = jinguo("luru", "wrong-password", "export", "table", "people", "--db", demo_db,
                             "-o", target)
    assert code == 2 and "用户名或密码不正确" in err
    code, _out, err = jinguo("luru", None, "export", "table", "people", "--db", demo_db, "-o", target)
    assert code == 2 and "JINGUO_PASSWORD" in err  # no terminal to prompt on
    assert not target.exists()
    code, _out, err = jinguo(None, "luru-2025", "export", "table", "people", "--db", demo_db,
                             "-o", target, "--user", "luru")  # --user after the command works too
    assert code == 0, err


def test_the_user_comes_from_the_environment_and_the_password_from_a_prompt(demo_db, monkeypatch):
    ctx = build_context(demo_db)
    try:
        monkeypatch.setenv("JINGUO_USER", "luru")
        asked = []
        user = cli_user(None, ask=lambda name: asked.append(name) or "luru-2025")
        assert user.username == "luru" and asked == ["luru"]
        with pytest.raises(LoginRefused):
            cli_user("luru", env={}, ask=lambda name: "wrong")
        assert AuditEntry.select().where(AuditEntry.action == "login_failed").count() == 1
    finally:
        ctx.close()


def test_a_database_without_passwords_is_worked_on_as_its_administrator(tmp_path, capsys):
    path = tmp_path / "fresh.db"
    ctx = build_context(path)
    fill_demo(people=200, seed=3, today=TODAY)
    ctx.close()
    code = main(["export", "table", "people", "--db", str(path), "-o", str(tmp_path / "p.xlsx")])
    assert code == 0, capsys.readouterr().err
    ctx = build_context(path)
    try:
        entry = AuditEntry.select().where(AuditEntry.action == "export").get()
        assert entry.username == "admin"
        assert not User.select().where(User.password_hash != "").exists()
    finally:
        ctx.close()


def _changes(path) -> list[tuple]:
    """The audit trail but its logins: every change of the database has its line there."""
    ctx = build_context(path)
    try:
        return list(AuditEntry.select(AuditEntry.id, AuditEntry.action, AuditEntry.entity)
                    .where(AuditEntry.action != "login").order_by(AuditEntry.id).tuples())
    finally:
        ctx.close()


def _count(path, model) -> int:
    ctx = build_context(path)
    try:
        return model.select().count()
    finally:
        ctx.close()


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(jinguo, demo_db, tmp_path):
    """Before, only real users were told "再错 N 次", which told whoever tries names who exists."""
    target = tmp_path / "people.xlsx"
    known = jinguo("luru", "wrong-password", "export", "table", "people", "--db", demo_db, "-o", target)
    unknown = jinguo("no-such-user", "wrong-password", "export", "table", "people", "--db", demo_db,
                     "-o", target)
    assert known == unknown
    assert known[0] == 2 and "用户名或密码不正确" in known[2]
    ctx = build_context(demo_db)
    try:
        assert User.get(User.username == "luru").failed_logins == 1  # still counted for the lockout
    finally:
        ctx.close()
