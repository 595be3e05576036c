"""操作员 page: an administrator adds an operator, changes the role, resets a password, deactivates."""

from __future__ import annotations

from models import auth
from models.entities import AuditEntry, User
from views.pages.users import UsersPage

from .conftest import save, show_page, type_text

PASSWORD = "管理员密码-2025"


def test_an_admin_manages_operators(qtbot, ctx):
    ctx.user = auth.create_first_admin("wangfang", "王芳", PASSWORD, PASSWORD)
    page = show_page(qtbot, UsersPage(ctx))
    assert page.table.rowCount() == 1 and not page.edit_button.isEnabled()

    page.new_button.click()
    form = page.active_dialog
    form.username.setText("lina")
    type_text(form.display_name, "李娜")
    form.role.setValue("viewer")
    form.password.setText("short")
    form.repeat.setText("short")
    save(qtbot, form)
    assert "至少需要 8 个字符" in form.error_text("password")
    form.password.setText("lina-pass-1")
    form.repeat.setText("lina-pass-1")
    save(qtbot, form)
    assert page.table.rowCount() == 2
    lina = User.get(User.username == "lina")
    assert (lina.display_name, lina.role) == ("李娜", "viewer")

    page.select_user("lina")
    page.edit_button.click()
    form = page.active_dialog
    form.role.setValue("clerk")
    save(qtbot, form)
    assert User.get_by_id(lina.id).role == "clerk"
    texts = [page.table.item(r, 2).text() for r in range(page.table.rowCount())]
    assert "录入员" in texts

    for _ in range(auth.MAX_FAILED):
        try:
            auth.authenticate("lina", "wrong")
        except auth.AuthError:
            pass
    page.refresh()
    page.select_user("lina")
    row = page.table.currentRow()
    assert page.table.item(row, 3).text().startswith("锁定到")
    page.password_button.click()
    form = page.active_dialog
    form.password.setText("new-pass-22")
    form.repeat.setText("new-pass-22")
    save(qtbot, form)
    assert auth.authenticate("lina", "new-pass-22").username == "lina"

    page.select_user("lina")
    page.edit_button.click()
    form = page.active_dialog
    form.active.setChecked(False)
    save(qtbot, form)
    assert not User.get_by_id(lina.id).active

    page.select_user("wangfang")
    page.edit_button.click()
    form = page.active_dialog
    form.role.setValue("viewer")
    save(qtbot, form)
    assert "唯一" in form.error_text("role") and form.isVisible()
    assert User.get(User.username == "wangfang").role == "admin"
    entries = AuditEntry.select().where(AuditEntry.entity == "user")
    assert all("password" not in e.changes for e in entries)
    assert {e.username for e in entries} == {"wangfang", "lina"}
