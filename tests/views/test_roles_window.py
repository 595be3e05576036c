"""Roles in the window: a viewer reads and prints only, a clerk edits but has no settings or users."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox

from models.entities import Organization, Setting
from views.main_window import MainWindow
from views.pages.organizations import OrganizationsPage
from views.pages.settings import SettingsPage

from .conftest import type_text


def window_as(qtbot, ctx, user) -> MainWindow:
    ctx.user = user
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def titles(window) -> list[str]:
    return [window.nav.item(i).text() for i in range(window.nav.count())]


def test_a_viewer_can_read_but_not_save_import_export_or_restore(qtbot, ctx, operators, orgs):
    window = window_as(qtbot, ctx, operators["viewer"])
    assert not {"导入", "设置", "操作员"} & set(titles(window))
    assert not window.restore_action.isEnabled() and not window.backup_action.isEnabled()
    assert window.switch_user_action.isEnabled()

    page = window.open_page(OrganizationsPage)
    assert page.read_only
    assert page.new_button.isHidden() and page.archive_button.isHidden() and page.stage_button.isHidden()
    assert page.export_button.isHidden() and not page.open_button.isHidden()
    page.table.selectRow(0)
    org = page.selected_record()
    page.open_selected()
    detail = page.detail  # a viewer reads the record's detail: nothing there changes it
    assert detail.isVisible() and detail.tabs.tabText(0) == "基本信息"
    assert not detail.edit_button.isEnabled() and not detail.stage_button.isEnabled()
    assert not detail.roster_button.isEnabled() and detail.print_roster_button.isEnabled()
    detail.reject()
    page.show_dialog(page.make_form(org))  # were the form reached another way
    form = page.active_dialog
    save = form.buttons.button(QDialogButtonBox.StandardButton.Save)
    assert form.isVisible() and not save.isEnabled()  # the record is shown, not saved

    save.setEnabled(True)  # even if the button were there, the service refuses
    form.name.setText("改了名字的组织")
    save.click()
    assert form.isVisible() and "“查看员”角色不能" in form.banner.text()
    assert Organization.get_by_id(org.id).name == org.name

    page.create_new()  # the 新建 shortcut's slot: a form that cannot save
    assert not page.active_dialog.buttons.button(QDialogButtonBox.StandardButton.Save).isEnabled()

    window.nav.setCurrentRow(titles(window).index("报表"))
    reports = window.current_page()
    assert reports.export_button.isHidden() and not reports.preview_button.isHidden()


def test_a_clerk_edits_but_has_no_settings_or_users(qtbot, ctx, operators, orgs):
    window = window_as(qtbot, ctx, operators["clerk"])
    assert "导入" in titles(window) and not {"设置", "操作员"} & set(titles(window))
    assert not window.restore_action.isEnabled() and window.backup_action.isEnabled()
    page = window.open_page(OrganizationsPage)
    assert not page.read_only and not page.new_button.isHidden() and not page.export_button.isHidden()
    page.create_new()
    form = page.active_dialog
    type_text(form.name, "新成立的互助会")
    form.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert Organization.get(Organization.name == "新成立的互助会")


def test_an_admin_sets_the_idle_lock_time_and_has_every_page(qtbot, ctx, operators):
    window = window_as(qtbot, ctx, operators["admin"])
    assert {"导入", "设置", "操作员"} <= set(titles(window))
    page = SettingsPage(ctx)
    qtbot.addWidget(page)
    assert page.idle_minutes.value() == 15
    page.idle_minutes.setValue(5)
    assert page.save()
    assert Setting.get_by_id("security.idle_minutes").value == "5"


def test_a_clerk_edits_a_person_without_seeing_the_full_id_number(qtbot, ctx, operators):
    from models.people import PersonData, save_person
    from views.pages.person_form import PersonForm

    person = save_person(PersonData(name="王秀英", id_number="11010519491231002X"), operators["admin"])
    ctx.user = operators["clerk"]
    form = PersonForm(ctx, person)
    qtbot.addWidget(form)
    form.show()
    assert form.id_number.text() == "110105********002X"
    form.phone.setText("13812345678")
    form.id_number.setFocus()
    form.phone.setFocus()  # leaving the masked field is not an error
    assert form.error_text("id_number") == ""
    form.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    saved = type(person).get_by_id(person.id)
    assert (saved.id_number, saved.phone) == ("11010519491231002X", "13812345678")

    ctx.user = operators["admin"]
    admin_form = PersonForm(ctx, saved)
    qtbot.addWidget(admin_form)
    assert admin_form.id_number.text() == "11010519491231002X"


def test_a_viewer_sees_member_and_booking_buttons_disabled_in_details_and_team_form(
    qtbot, ctx, operators, orgs, county
):
    from models.entities import Venue
    from models.teams import TeamData, save_team
    from views.pages.organization_detail import OrganizationDetail
    from views.pages.teams import TeamForm
    from views.pages.venues import VenueDetail, VenuesPage

    team = save_team(TeamData(name="东关三工队", township_id=county["east"].id), operators["admin"])
    venue = Venue.create(name="东关妇女之家", level="town", kind="women_children_home", region=county["east"])
    dialogs = {}
    for role in ("viewer", "clerk"):
        ctx.user = operators[role]
        orgs_page, venues_page = OrganizationsPage(ctx), VenuesPage(ctx)
        qtbot.addWidget(orgs_page)
        qtbot.addWidget(venues_page)
        dialogs[role] = [OrganizationDetail(orgs_page, orgs[0]), TeamForm(ctx, team),
                         VenueDetail(venues_page, venue)]
        for dialog in dialogs[role]:
            qtbot.addWidget(dialog)
            dialog.show()
    org_detail, team_form, venue_detail = dialogs["viewer"]
    assert not any(b.isEnabled() for b in (
        org_detail.add_member_button, org_detail.end_member_button, team_form.add_member_button,
        team_form.end_member_button, venue_detail.book_button, venue_detail.cancel_button))
    org_detail, team_form, venue_detail = dialogs["clerk"]
    assert all(b.isEnabled() for b in (
        org_detail.add_member_button, team_form.add_member_button, venue_detail.book_button))
