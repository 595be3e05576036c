"""A round's detail: its applications and their steps, the reviewers and their sheets, the
ranking and the selection, 立项, the documents kept with it, and its papers (公示, report)."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QHBoxLayout, QMessageBox, QTableWidget

from models.choices import APPLICATION_STATUSES, ROUND_SOURCES
from models.errors import ValidationFailed
from models.projects import format_money
from models.venture import (
    KEY_DATE_LABELS,
    KEY_DATES,
    add_attachment,
    attachment_content,
    attachment_size_problem,
    attachments_of,
    granted_total,
    steps_of,
)
from models.venture_entities import VentureApplication, VentureRound
from models.venture_review import criteria_of, establish_selected, ranking, reviewers_of

from ..file_dialogs import ask_folder, ask_open_file, ask_open_files, ask_save_file
from ..i18n import tr_label, tr_msg
from ..record_detail import RecordDetail
from ..tasks import ask_save_path, file_stem, offer_to_open, run_task
from .venture_dialogs import (
    ApplicationForm,
    ApplicationImportDialog,
    CriteriaDialog,
    ReviewerForm,
    SelectionDialog,
    StatusDialog,
)

if TYPE_CHECKING:
    from ..list_page import ListPage

FOLDER_KEY = "venture/folder"


def _documents() -> str:
    return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)


class RoundDetail(RecordDetail):
    def __init__(self, page: ListPage, rnd: VentureRound):
        super().__init__(page, rnd, self.tr("创投轮次：{name}").format(name=rnd.name))
        self.publicity_button = self.add_button(self.tr("公示名单…"), self.export_publicity,
                                                permission="export")
        self.report_button = self.add_button(self.tr("轮次报告…"), self.export_report,
                                             permission="export")
        self.letters_button = self.add_button(self.tr("结果通知书…"), self.export_letters,
                                              permission="export")
        self.print_letters_button = self.add_button(self.tr("打印通知书…"), self.print_letters,
                                                    permission="export")
        self.application_ids: list[int] = []
        self.reviewer_ids: list[int] = []
        self.attachment_ids: list[int] = []
        self.applications_table = self.add_table(
            self.tr("申报"), [self.tr("编号"), self.tr("申报组织"), self.tr("项目名称"), self.tr("服务领域"),
                             self.tr("申请金额（元）"), self.tr("计划服务人次"), self.tr("状态"),
                             self.tr("资助金额（元）")], [])
        row = self._buttons_above(self.applications_table)
        self.new_application_button = self.add_button(self.tr("新建申报…"), self.new_application, row, "edit")
        self.edit_application_button = self.add_button(self.tr("编辑申报…"), self.edit_application, row,
                                                       "edit")
        self.status_button = self.add_button(self.tr("改状态…"), self.change_status, row, "edit")
        self.steps_button = self.add_button(self.tr("申报进程"), self.show_steps, row)
        self.template_button = self.add_button(self.tr("导出申报表模板…"), self.export_template, row,
                                               "export")
        self.sheet_import_button = self.add_button(self.tr("从申报表导入…"), self.import_applications,
                                                   row, "import")
        row.addStretch(1)
        self.reviewers_table = self.add_table(
            self.tr("评审专家"),
            [self.tr("姓名"), self.tr("工作单位"), self.tr("本库人员"), self.tr("已评申报")], [])
        row = self._buttons_above(self.reviewers_table)
        self.criteria_button = self.add_button(self.tr("评分项…"), self.edit_criteria, row, "edit")
        self.reviewer_button = self.add_button(self.tr("添加专家…"), self.add_reviewer, row, "edit")
        self.sheets_button = self.add_button(self.tr("导出评分表…"), self.export_sheets, row, "export")
        self.import_button = self.add_button(self.tr("导入评分表…"), self.import_sheets, row, "edit")
        row.addStretch(1)
        self.ranking_table = self.add_table(
            self.tr("评分排名"), [self.tr("排名"), self.tr("得分"), self.tr("项目名称"), self.tr("申报组织"),
                                 self.tr("申请金额（元）"), self.tr("状态"), self.tr("提示")], [])
        row = self._buttons_above(self.ranking_table)
        self.select_button = self.add_button(self.tr("确定入选名单…"), self.decide, row, "edit")
        self.establish_button = self.add_button(self.tr("立项"), self.establish, row, "edit")
        row.addStretch(1)
        self.attachments_table = self.add_table(
            self.tr("附件"), [self.tr("文件名"), self.tr("大小（KB）"), self.tr("添加时间")], [])
        row = self._buttons_above(self.attachments_table)
        self.attach_button = self.add_button(self.tr("添加附件…"), self.attach, row, "edit")
        self.save_attachment_button = self.add_button(self.tr("另存附件…"), self.save_attachment, row)
        row.addStretch(1)
        self.resize(940, 600)
        self.finish()

    @staticmethod
    def _buttons_above(table: QTableWidget) -> QHBoxLayout:
        row = QHBoxLayout()
        table.parentWidget().layout().insertLayout(0, row)
        return row

    @property
    def round(self) -> VentureRound:
        return self.record

    # -- what it shows ----------------------------------------------------------------
    def header_parts(self) -> list[str]:
        r = self.round
        granted = granted_total(r)
        return [escape(tr_label(ROUND_SOURCES.label(r.source))), str(r.year),
                escape(self.tr("预算 {budget} 元，已资助 {granted} 元").format(
                    budget=format_money(r.budget), granted=format_money(granted)))]

    def extra_info(self) -> list[tuple[str, str]]:
        criteria = "、".join(f"{c.name}（{c.weight}）" for c in criteria_of(self.round))
        return [(self.tr("评分项（权重）"), criteria or self.tr("未设"))]

    def fill_table(self, table: QTableWidget, headers, rows) -> None:
        """Filled again after a change, the row chosen stays chosen."""
        chosen = table.currentRow()
        super().fill_table(table, headers, rows)
        if 0 <= chosen < table.rowCount():
            table.selectRow(chosen)

    def refresh_related(self) -> None:
        r = self.round
        apps = list(VentureApplication.select().where(VentureApplication.round == r)
                    .order_by(VentureApplication.id))
        self.application_ids = [a.id for a in apps]
        self.fill_table(self.applications_table, self._headers(self.applications_table), [
            (a.id, a.organization.name, a.title, a.service_area.name if a.service_area_id else "",
             a.amount_requested, a.people_planned, tr_label(APPLICATION_STATUSES.label(a.status)),
             a.amount_granted) for a in apps])
        reviewers = reviewers_of(r)
        self.reviewer_ids = [x.id for x in reviewers]
        scored = {}
        for row in ranking(r):
            for reviewer_id in row.totals:
                scored[reviewer_id] = scored.get(reviewer_id, 0) + 1
        self.fill_table(self.reviewers_table, self._headers(self.reviewers_table), [
            (x.name, x.affiliation, x.person.name if x.person_id else "", scored.get(x.id, 0))
            for x in reviewers])
        rows = []
        for row in ranking(r):
            notes = []
            if row.tie:
                notes.append(self.tr("并列"))
            if row.conflicts:
                notes.append(self.tr("利益关联：{names}").format(names="、".join(row.conflicts)))
            if row.missing:
                notes.append(self.tr("未评完：{names}").format(names="、".join(row.missing)))
            if row.trimmed:
                notes.append(self.tr("去掉最高分和最低分"))
            rows.append((row.rank, row.score, row.title, row.organization, row.amount_requested,
                         tr_label(APPLICATION_STATUSES.label(row.status)), "；".join(notes)))
        self.fill_table(self.ranking_table, self._headers(self.ranking_table), rows)
        attachments = attachments_of(r)
        self.attachment_ids = [a[0] for a in attachments]
        self.fill_table(self.attachments_table, self._headers(self.attachments_table),
                        [(name, round(size / 1024, 1), at) for _id, name, size, at in attachments])
        dates = [(label, getattr(r, key)) for key, label in zip(KEY_DATES, KEY_DATE_LABELS, strict=True)]
        self.setToolTip("　".join(f"{label} {day:%Y-%m-%d}" for label, day in dates if day))

    def _selected(self, table: QTableWidget, ids: list[int]) -> int | None:
        """The row chosen in ``table`` (else its first), as the record id; None when empty."""
        if not ids:
            return None
        return ids[min(max(table.currentRow(), 0), len(ids) - 1)]

    def _selected_application(self) -> VentureApplication | None:
        app_id = self._selected(self.applications_table, self.application_ids)
        return VentureApplication.get_or_none(VentureApplication.id == app_id) if app_id else None

    def _warn(self, title: str, text: str) -> None:
        QMessageBox.warning(self, title, text)

    # -- applications -------------------------------------------------------------------
    def new_application(self) -> None:
        self.open_dialog(ApplicationForm(self.ctx, self.round, parent=self))

    def edit_application(self) -> None:
        app = self._selected_application()
        if app is not None:
            self.open_dialog(ApplicationForm(self.ctx, self.round, app, parent=self))

    def change_status(self) -> None:
        app = self._selected_application()
        if app is not None:
            self.open_dialog(StatusDialog(self.ctx, app, parent=self))

    def show_steps(self) -> None:
        app = self._selected_application()
        if app is not None:
            lines = [f"{day:%Y-%m-%d}　{tr_label(label)}　{note}".rstrip()
                     for day, label, note in steps_of(app)]
            QMessageBox.information(self, self.tr("申报进程：{title}").format(title=app.title),
                                    "\n".join(lines))

    def export_template(self) -> None:
        from desktop.venture.application_sheet import template_file_name, write_template

        title = self.tr("申报表模板")
        path = ask_save_path(self, self.page.settings, title, Path(template_file_name(self.round)).stem,
                             ".xlsx")
        if path is None:
            return
        rnd, user = self.round, self.ctx.user
        self.task = run_task(self, title, self.tr("正在生成{title}…").format(title=title),
                             lambda _job: write_template(path, rnd, user),
                             lambda _result: offer_to_open(self, path, title))

    def import_applications(self) -> None:
        path = ask_open_file(self, self.tr("选择填好的申报表"),
                             self.page.settings.value(FOLDER_KEY) or _documents(),
                             self.tr("Excel 工作簿 (*.xlsx)"))
        if path is not None:
            self.preview_application_sheet(Path(path))

    def preview_application_sheet(self, path: Path) -> None:
        """Read and check the sheet, then show what it would give; 导入 creates the rows."""
        from desktop.venture.application_sheet import ApplicationSheetRefused, read_application_sheet
        from models.venture_import import plan_applications

        try:
            plan = plan_applications(self.round, read_application_sheet(path))
        except ApplicationSheetRefused as e:
            self._warn(self.tr("从申报表导入"), tr_msg(e.message))
            return
        if not plan.rows:
            self._warn(self.tr("从申报表导入"), self.tr("{file} 里没有申报。").format(file=path.name))
            return
        self.open_dialog(ApplicationImportDialog(self.ctx, self.round, path.name, plan, parent=self))

    # -- the review ---------------------------------------------------------------------
    def edit_criteria(self) -> None:
        self.open_dialog(CriteriaDialog(self.ctx, self.round, parent=self))

    def add_reviewer(self) -> None:
        self.open_dialog(ReviewerForm(self.ctx, self.round, parent=self))

    def export_sheets(self) -> None:
        from desktop.venture.sheets import write_all_sheets

        folder = ask_folder(self, self.tr("把评分表保存到哪个文件夹"),
                            self.page.settings.value(FOLDER_KEY) or _documents())
        if folder is None:
            return
        self.page.settings.setValue(FOLDER_KEY, str(folder))
        rnd, user = self.round, self.ctx.user
        self.task = run_task(self, self.tr("导出评分表"), self.tr("正在生成各位专家的评分表…"),
                             lambda _job: write_all_sheets(folder, rnd, user),
                             lambda paths: offer_to_open(self, paths[0], self.tr("评分表")))

    def import_sheets(self) -> None:
        paths = ask_open_files(self, self.tr("选择专家填好的评分表（可多选）"),
                               self.page.settings.value(FOLDER_KEY) or _documents(),
                               self.tr("Excel 工作簿 (*.xlsx)"))
        if paths:
            self.import_sheet_files(paths)

    def import_sheet_files(self, paths: list[Path]) -> None:
        """All the sheets, or none of them: every problem of every sheet is listed."""
        from desktop.venture.sheets import SheetRefused, import_reviewer_sheets

        title = self.tr("导入评分表")
        try:
            done = import_reviewer_sheets(paths, self.round, self.ctx.user)
        except SheetRefused as e:
            self._warn(title, self.tr("没有导入任何评分：\n{problems}").format(
                problems="\n".join(tr_msg(p) for p in e.problems[:20])))
            return
        except ValidationFailed as e:
            self._warn(title, "\n".join(tr_msg(m) for m in e.errors.values()))
            return
        blank = self.tr("；{n} 处未填分").format(n=done.blank) if done.blank else ""
        QMessageBox.information(self, title, self.tr(
            "已导入 {reviewers} 位专家的评分表，{scores} 个分数有更新{blank}。").format(
            reviewers=done.reviewers, scores=done.scores, blank=blank))
        self._after_change()

    # -- selection and 立项 ---------------------------------------------------------------
    def decide(self) -> None:
        self.open_dialog(SelectionDialog(self.ctx, self.round, parent=self))

    def establish(self) -> None:
        selected = VentureApplication.select().where((VentureApplication.round == self.round)
                                                     & (VentureApplication.status == "selected")).count()
        title = self.tr("立项")
        if not selected:
            self._warn(title, self.tr("没有待立项的入选申报。请先确定入选名单。"))
            return
        answer = QMessageBox.question(self, title, self.tr(
            "为 {n} 个入选申报立项？每个申报将建成一个项目（来源、年度随本轮，批次为轮次名称）。"
        ).format(n=selected))
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            projects = establish_selected(self.round, self.ctx.user)
        except ValidationFailed as e:
            self._warn(title, "\n".join(tr_msg(m) for m in e.errors.values()))
            return
        QMessageBox.information(self, title, self.tr("已立项 {n} 个项目，可在“项目”页督导和拨款。").format(
            n=len(projects)))
        self._after_change()

    # -- documents -------------------------------------------------------------------------
    def attach(self) -> None:
        path = ask_open_file(self, self.tr("选择要附上的文件（规则、通知等）"), _documents())
        if path is None:
            return
        title = self.tr("添加附件")
        try:
            too_big = attachment_size_problem(path.name, path.stat().st_size)
            content = b"" if too_big else path.read_bytes()  # not read when over the limit
        except OSError as e:
            self._warn(title, self.tr("无法读取 {name}：{reason}").format(name=path.name,
                                                                      reason=e.strerror or e))
            return
        if too_big is not None:
            self._warn(title, tr_msg(too_big))
            return
        try:
            add_attachment(self.round, path.name, content, self.ctx.user)
        except ValidationFailed as e:
            self._warn(title, "\n".join(tr_msg(m) for m in e.errors.values()))
            return
        self._after_change()

    def save_attachment(self) -> None:
        attachment_id = self._selected(self.attachments_table, self.attachment_ids)
        if attachment_id is None:
            return
        name, content = attachment_content(attachment_id)
        path = ask_save_file(self, self.tr("另存附件"), Path(_documents()) / name)
        if path is None:
            return
        try:
            path.write_bytes(content)
        except OSError as e:
            self._warn(self.tr("另存附件"), self.tr("无法写入 {path}：{reason}").format(
                path=path, reason=e.strerror or e))

    # -- papers ------------------------------------------------------------------------------
    def _export(self, kind: str, title: str) -> None:
        from desktop.venture.outputs import export_publicity, export_round_report

        path = ask_save_path(self, self.page.settings, title, file_stem(f"{self.round.name}{title}"),
                             ".pdf")
        if path is None:
            return
        fmt = "xlsx" if path.suffix.lower() == ".xlsx" else "pdf"
        produce = export_publicity if kind == "publicity" else export_round_report
        rid, user = self.round.id, self.ctx.user
        self.task = run_task(self, title, self.tr("正在生成{title}…").format(title=title),
                             lambda _job: produce(path, rid, fmt, user),
                             lambda _result: offer_to_open(self, path, title))

    def export_publicity(self) -> None:
        self._export("publicity", self.tr("公示名单"))

    def export_report(self) -> None:
        self._export("report", self.tr("轮次报告"))

    def export_letters(self) -> None:
        """One PDF, a letter per decided application (入选 with its amount, or 未入选)."""
        from desktop.venture.letters import export_letters

        title = self.tr("结果通知书")
        path = ask_save_path(self, self.page.settings, title, file_stem(f"{self.round.name}{title}"),
                             ".pdf")
        if path is None:
            return
        if path.suffix.lower() != ".pdf":
            path = path.with_suffix(".pdf")
        rid, user = self.round.id, self.ctx.user
        self.task = run_task(self, title, self.tr("正在生成{title}…").format(title=title),
                             lambda _job: export_letters(path, rid, user),
                             lambda _result: offer_to_open(self, path, title))

    def print_letters(self) -> None:
        """The same letters in the program's print preview."""
        from desktop.venture.letters import export_letters

        from ..printing import print_preview

        rid, user = self.round.id, self.ctx.user
        self.task = print_preview(self, self.tr("结果通知书"),
                                  lambda path, _job: export_letters(path, rid, user))
