"""The Organizations page, driven as a user would: typing, clicking, keyboard."""

import datetime as dt
import json
import logging

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from models.entities import AuditEntry, Organization, OrganizationStage
from models.organization_listing import OrganizationFilter, OrganizationListing
from views.archiving import ArchiveRecordDialog
from views.pages.organization_dialogs import StageDialog
from views.pages.organization_form import OrganizationForm
from views.pages.organizations import OrganizationsPage
from views.table_model import ListingModel

from .conftest import column_values, credit_code, save, show_page, type_text


@pytest.fixture
def page(qtbot, ctx, orgs):
    return show_page(qtbot, OrganizationsPage(ctx))


def shown_names(page):
    return column_values(page)


def wait_filtered(qtbot, page):
    """Wait until the debounced search has applied what is in the search box."""
    qtbot.waitUntil(lambda: page.model.current_filter.text == page.search.text(), timeout=2000)



def select_name(page, name):
    row = shown_names(page).index(name)
    page.table.selectRow(row)
    return row


def test_table_model_reads_blocks_as_rows_are_shown(ctx, orgs):
    model = ListingModel(OrganizationListing(), OrganizationFilter(), batch=3)
    assert model.total == 4 and model.rowCount() == 4  # every row has its place at once
    assert model.rows_fetched == 3  # but only the first block was read
    assert model.index(3, 0).data() == "阳光家庭教育服务中心"  # the last block, read from the end
    assert model.rows_fetched == 4
    assert [model.index(r, 0).data() for r in range(4)] == [
        "爱心助老协会", "巾帼志愿服务队", "柳树村妇女微家互助会", "阳光家庭教育服务中心"]
    assert model.rows_fetched == 4


def test_table_model_passes_qt_model_tester(qtmodeltester, ctx, orgs):
    model = ListingModel(OrganizationListing(), OrganizationFilter(), batch=2)
    qtmodeltester.check(model, force_py=True)  # reads the second block itself
    assert model.rowCount() == 4
    # The tester stays connected and checks the reset signals.
    model.set_filter(OrganizationFilter(text="会"))
    model.sort(0, Qt.SortOrder.DescendingOrder)
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == [
        "柳树村妇女微家互助会", "爱心助老协会"]


def test_lists_in_pinyin_order_with_chinese_labels(page):
    assert shown_names(page) == [
        "爱心助老协会", "巾帼志愿服务队", "柳树村妇女微家互助会", "阳光家庭教育服务中心"]
    headers = [page.model.headerData(i, Qt.Orientation.Horizontal) for i in range(page.model.columnCount())]
    assert headers[:5] == ["组织名称", "简称", "类型", "统一社会信用代码", "孵化阶段"]
    row = shown_names(page).index("柳树村妇女微家互助会")
    values = [page.model.index(row, c).data() for c in range(page.model.columnCount())]
    assert "草根组织（备案）" in values and "萌芽期" in values and "西湖镇" in values
    # incubating for 500 days: flagged with a tooltip
    assert "12 个月" in page.model.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert page.status.text() == "共 4 条"


def test_typing_in_search_filters_after_a_pause(qtbot, page):
    type_text(page.search, "巾帼")
    assert page.model.total == 4  # not yet: the search waits for a pause in typing
    wait_filtered(qtbot, page)
    assert shown_names(page) == ["巾帼志愿服务队"]
    page.search.clear()
    type_text(page.search, "巾帼队")  # the short name
    wait_filtered(qtbot, page)
    assert shown_names(page) == ["巾帼志愿服务队"]
    page.search.clear()
    type_text(page.search, credit_code(2)[:17].lower())  # credit code prefix, any case
    wait_filtered(qtbot, page)
    assert shown_names(page) == ["爱心助老协会"]


def test_ctrl_f_focuses_search(qtbot, page):
    page.table.setFocus()
    qtbot.keyClick(page, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.search.hasFocus()


def test_filters_narrow_the_list(qtbot, page, county):
    page.stage_filter.setValue("sprouting")
    assert shown_names(page) == ["柳树村妇女微家互助会"]
    page.stage_filter.setValue(None)
    page.township_filter.setValue(county["west"].id)  # includes its village
    assert sorted(shown_names(page)) == sorted(["巾帼志愿服务队", "柳树村妇女微家互助会"])
    page.township_filter.setValue(None)
    page.kind_filter.setValue("registered")
    page.alliance_filter.setValue(True)
    assert shown_names(page) == ["爱心助老协会"]


def test_clicking_a_header_sorts_in_sql(qtbot, page):
    stage_col = [c.key for c in page.model.columns].index("stage")
    page.table.horizontalHeader().setSortIndicator(stage_col, Qt.SortOrder.DescendingOrder)
    assert shown_names(page)[:2] == ["阳光家庭教育服务中心", "柳树村妇女微家互助会"]
    areas_col = [c.key for c in page.model.columns].index("areas")
    page.table.horizontalHeader().setSortIndicator(areas_col, Qt.SortOrder.AscendingOrder)
    assert page.table.horizontalHeader().sortIndicatorSection() == stage_col  # not sortable: kept


def test_ctrl_n_bad_input_shows_messages_and_saves_nothing(qtbot, page, ctx):
    before = Organization.select().count()
    qtbot.keyClick(page.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    form = page.active_dialog
    assert isinstance(form, OrganizationForm) and form.isVisible()
    form.kind.setValue("registered")
    type_text(form.credit_code, "52321088MJ0000019")  # 17 characters
    type_text(form.contact_phone, "1381234567")
    save(qtbot, form)
    assert form.isVisible()
    assert form.error_text("name") == "请填写组织名称"
    assert "18 位" in form.error_text("credit_code")
    assert "11 位" in form.error_text("contact_phone")
    assert form.error_text("legal_form") == "登记注册的组织须选择登记类型"
    assert Organization.select().count() == before
    assert AuditEntry.select().where(AuditEntry.action == "create").count() == before


def test_credit_code_is_checked_when_leaving_the_field(qtbot, page):
    page.create_new()
    form = page.active_dialog
    form.kind.setValue("registered")
    wrong = credit_code(7)[:-1] + ("0" if credit_code(7)[-1] != "0" else "1")
    type_text(form.credit_code, wrong)
    form.credit_code.editingFinished.emit()
    assert "校验位" in form.error_text("credit_code")


def test_duplicate_name_is_refused_naming_the_existing_organization(qtbot, page):
    page.create_new()
    form = page.active_dialog
    type_text(form.name, " 巾帼志愿服务队 ")
    save(qtbot, form)
    assert form.isVisible()
    assert "巾帼志愿服务队" in form.error_text("name") and "重复" in form.error_text("name")
    assert Organization.select().where(Organization.name == "巾帼志愿服务队").count() == 1


def test_new_organization_is_saved_audited_and_selected(qtbot, page, county, ctx):
    page.create_new()
    form = page.active_dialog
    type_text(form.name, "新桥社区妇女儿童之家志愿队")
    form.region.setValue(county["east"].id)
    type_text(form.contact_phone, "+86 138 1234 5678")
    form.areas.setValues([1])
    form.stage.setValue("sprouting")
    save(qtbot, form)
    assert not form.isVisible(), {k: form.error_text(k) for k in form._errors}
    org = Organization.get(Organization.name == "新桥社区妇女儿童之家志愿队")
    assert org.contact_phone == "13812345678" and org.incubation_stage == "sprouting"
    assert OrganizationStage.select().where(OrganizationStage.organization == org).count() == 1
    entry = AuditEntry.get((AuditEntry.entity == "organization") & (AuditEntry.entity_id == org.id)
                           & (AuditEntry.action == "create"))
    assert entry.username == "admin" and json.loads(entry.changes)["name"] == [None, org.name]
    assert page.selected_id() == org.id
    assert page.model.total == 5


def test_enter_opens_the_detail_whose_edit_opens_the_form(qtbot, page):
    select_name(page, "爱心助老协会")
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    detail = page.detail
    assert detail.tabs.tabText(0) == "基本信息" and detail.info_text("统一社会信用代码") == credit_code(2)
    qtbot.mouseClick(detail.edit_button, Qt.MouseButton.LeftButton)
    form = detail.active_dialog
    assert isinstance(form, OrganizationForm) and form.name.text() == "爱心助老协会"
    assert form.credit_code.text() == credit_code(2) and form.alliance.isChecked()
    form.contact_person.setText("王秀英")
    save(qtbot, form)
    org = Organization.get(Organization.name == "爱心助老协会")
    assert org.contact_person == "王秀英"
    assert detail.info_text("负责人") == "王秀英"  # the detail shows what was saved
    change = AuditEntry.select().where(AuditEntry.action == "update").order_by(AuditEntry.id.desc()).first()
    assert json.loads(change.changes) == {"contact_person": ["", "王秀英"]}


def test_escape_closes_an_untouched_form_at_once(qtbot, page, discard_questions):
    page.create_new()
    form = page.active_dialog
    qtbot.keyClick(form, Qt.Key.Key_Escape)
    assert not form.isVisible() and discard_questions.asked == []


def test_escape_asks_before_dropping_what_was_typed_and_saves_nothing(qtbot, page, discard_questions):
    page.create_new()
    form = page.active_dialog
    type_text(form.name, "不会保存的组织")
    asked = discard_questions.answer(False, True)
    qtbot.keyClick(form, Qt.Key.Key_Escape)  # 继续编辑: the typing is still there
    assert len(asked) == 1 and "尚未保存的修改" in asked[0]
    assert form.isVisible() and form.name.text() == "不会保存的组织"
    qtbot.mouseClick(form.buttons.button(QDialogButtonBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    assert len(asked) == 2 and not form.isVisible()  # 取消, then 放弃修改
    assert not Organization.select().where(Organization.name == "不会保存的组织").exists()


def test_double_click_opens_the_detail(qtbot, page):
    row = select_name(page, "巾帼志愿服务队")
    rect = page.table.visualRect(page.model.index(row, 0))
    # a real double click is press, release, double-click event, release
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert page.detail.isVisible() and page.detail.info_text("简称") == "巾帼队"


def test_advance_stage_only_forward_and_graduation_needs_a_note(qtbot, page):
    select_name(page, "阳光家庭教育服务中心")
    qtbot.mouseClick(page.stage_button, Qt.MouseButton.LeftButton)
    dialog = page.active_dialog
    assert isinstance(dialog, StageDialog)
    offered = [dialog.stage.itemData(i) for i in range(dialog.stage.count())]
    assert offered == ["developing", "graduated"]  # never backwards
    dialog.stage.setValue("graduated")
    save(qtbot, dialog)
    assert dialog.error_text("stage") == "出壳须填写出壳说明"
    org = Organization.get(Organization.name == "阳光家庭教育服务中心")
    assert org.incubation_stage == "startup"
    type_text(dialog.note, "已独立承接两个公益创投项目")
    save(qtbot, dialog)
    org = Organization.get_by_id(org.id)
    assert org.incubation_stage == "graduated" and org.stage_since == dt.date.today()
    history = [s.stage for s in org.stage_history.order_by(OrganizationStage.id)]
    assert history == ["startup", "graduated"]
    page.table.selectRow(shown_names(page).index("阳光家庭教育服务中心"))
    assert not page.stage_button.isEnabled()


def test_archive_needs_a_reason_then_hides_and_restores(qtbot, page):
    select_name(page, "巾帼志愿服务队")
    qtbot.mouseClick(page.archive_button, Qt.MouseButton.LeftButton)
    dialog = page.active_dialog
    assert isinstance(dialog, ArchiveRecordDialog)
    save(qtbot, dialog)
    assert dialog.error_text("reason") == "请填写归档原因"
    type_text(dialog.reason, "队伍已解散")
    save(qtbot, dialog)
    assert "巾帼志愿服务队" not in shown_names(page)
    org = Organization.get(Organization.name == "巾帼志愿服务队")
    assert org.archived and org.archived_reason == "队伍已解散"
    page.archived_filter.setValue(True)
    assert shown_names(page) == ["巾帼志愿服务队"]
    page.table.selectRow(0)
    assert page.archive_button.text() == "恢复…"
    page.archive_selected()
    restore = page.active_dialog
    type_text(restore.reason, "重新组建")
    save(qtbot, restore)
    assert not Organization.get_by_id(org.id).archived
    actions = [e.action for e in AuditEntry.select().where(AuditEntry.entity_id == org.id)
               .where(AuditEntry.entity == "organization").order_by(AuditEntry.id)]
    assert actions[-2:] == ["archive", "restore"]


def test_standard_buttons_speak_chinese(qtbot, page):
    page.create_new()
    buttons = page.active_dialog.buttons
    assert buttons.button(QDialogButtonBox.StandardButton.Save).text() == "保存"
    assert buttons.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"


def test_column_widths_are_remembered(qtbot, ctx, page):
    page.table.horizontalHeader().resizeSection(0, 333)
    page.save_header()
    again = OrganizationsPage(ctx)
    qtbot.addWidget(again)
    assert again.table.horizontalHeader().sectionSize(0) == 333


class QueryLog(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.queries = []

    def emit(self, record):
        self.queries.append(record.getMessage())


def test_filtering_a_large_register_loads_one_page_not_all_rows(qtbot, ctx, county):
    rows = [{"name": f"测试组织{i:05d}", "name_key": f"ce4 shi4 {i:05d}", "kind": "grassroots",
             "region": county["east"].id} for i in range(6000)]
    rows += [{"name": f"阳光互助会{i:03d}", "name_key": f"yang2 {i:03d}", "kind": "grassroots"}
             for i in range(300)]
    with ctx.db.atomic():
        for start in range(0, len(rows), 500):
            Organization.insert_many(rows[start:start + 500]).execute()
    page = OrganizationsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    batch = page.model.batch
    assert page.model.total == page.model.rowCount() == 6300 and page.model.rows_fetched == batch
    fetched_before = page.model.rows_fetched
    log = QueryLog()
    peewee_log = logging.getLogger("peewee")
    old_level = peewee_log.level
    peewee_log.setLevel(logging.DEBUG)
    peewee_log.addHandler(log)
    try:
        type_text(page.search, "阳光")
        qtbot.waitUntil(lambda: page.model.total == 300, timeout=3000)
    finally:
        peewee_log.removeHandler(log)
        peewee_log.setLevel(old_level)
    assert page.model.rows_fetched - fetched_before == batch  # one page, not 300 or 6300 rows
    selects = [q for q in log.queries if "SELECT" in q]
    assert len(selects) == 2  # the count and the first page: no query per row
    assert all("LIMIT" in q for q in selects if "COUNT" not in q)
    page.table.scrollToBottom()
    qtbot.waitUntil(lambda: page.model.rowCount() > batch, timeout=3000)
    assert page.model.rowCount() <= 300


def test_ctrl_c_copies_selected_rows_as_tab_separated_text(qtbot, page, qapp):
    page.table.selectRow(0)
    page.table.selectionModel().select(
        page.model.index(2, 0),
        page.table.selectionModel().SelectionFlag.Select | page.table.selectionModel().SelectionFlag.Rows,
    )
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    lines = qapp.clipboard().text().split("\r\n")
    assert len(lines) == 2
    first = lines[0].split("\t")
    assert first[0] == "爱心助老协会" and first[2] == "登记注册" and first[3] == credit_code(2)
    assert len(first) == page.model.columnCount()
    assert lines[1].split("\t")[0] == "柳树村妇女微家互助会"
    page.copy_selected(with_header=True)
    assert qapp.clipboard().text().split("\r\n")[0].startswith("组织名称\t简称\t类型")


def test_delete_key_asks_to_archive_the_selected_organization(qtbot, page):
    select_name(page, "巾帼志愿服务队")
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    dialog = page.active_dialog
    assert isinstance(dialog, ArchiveRecordDialog) and dialog.record.name == "巾帼志愿服务队"
    type_text(dialog.reason, "合并到其他组织")
    save(qtbot, dialog)
    assert Organization.get(Organization.name == "巾帼志愿服务队").archived


def test_opening_the_page_queries_the_list_once(qtbot, ctx, orgs):
    log = QueryLog()
    peewee_log = logging.getLogger("peewee")
    old_level = peewee_log.level
    peewee_log.setLevel(logging.DEBUG)
    peewee_log.addHandler(log)
    try:
        page = OrganizationsPage(ctx)
        qtbot.addWidget(page)
    finally:
        peewee_log.removeHandler(log)
        peewee_log.setLevel(old_level)
    page_queries = [q for q in log.queries if "OFFSET" in q and "COUNT" not in q]
    assert len(page_queries) == 1  # no extra reload while the header's sort is set up
