"""Importing the office's existing sheets: people and organizations from .xlsx, .xls, .et, .ods and .csv.

No Qt here: the window, the CLI and the tests call the same functions. The steps:

``read_sheet(path, kind, sheet=None, header_row=None, job=None) -> SheetData``
    ``kind`` is ``"people"`` or ``"orgs"``. Reads .xlsx (streamed: xlsx.py, sheetxml.py),
    .xls, WPS .et and .ods (python-calamine in a child process, after a walk of the file:
    calamine_reader.py) or .csv/.txt (UTF-8 with or without BOM, GB18030/GBK,
    UTF-16/UTF-32: delimited.py), within the limits of limits.py (stated in the README).
    .numbers, .xlsb, encrypted workbooks, a WPS .et of another layout, damaged or renamed
    files, empty files, files over a limit: ``SheetError`` whose
    ``message`` (a models.i18n Message) says what to do, naming the limit, sheet, row
    and column where it applies. ``SheetData`` has ``sheet_names`` (offer them; pass
    ``sheet=`` to switch; a hidden sheet is read only when named), ``sheet``, ``rows``
    (only rows with a value, with their numbers; ``row(n)``, ``last_row``),
    ``header_row`` (found below any title rows; pass ``header_row=`` to override),
    ``header`` (the titles), ``mapping`` (``{field: column index}``, 0-based),
    ``mapping_remembered`` (the mapping came from an earlier import of a sheet with the
    same header) and ``notices`` (Messages to show: hidden sheets skipped, the encoding).
    A cell holding an Excel error or a formula saved without its result is a
    ``values.BadCell``: the plan rejects its row, naming the column.

``fields_of(kind) -> tuple[Field, ...]``
    The importable fields (``key``, Chinese ``label``, ``required``) for the mapping
    dialog; ``detect_mapping(kind, header)`` gives the automatic mapping again.

``plan_import(sheet, mapping=None, options=None, job=None) -> ImportPlan``
    The preview; writes nothing. ``ImportOptions(update_existing=True,
    create_orgs=False, hours_on=None)``. The plan has ``rows`` (data rows; blank,
    合计/总计 and signature rows are skipped), ``new``, ``updates``, ``unchanged``,
    ``skipped`` (existing records left alone when ``update_existing`` is off),
    ``rejected`` (``Rejection``: ``row`` number in the sheet, ``column`` title,
    ``reason`` Message, ``code`` such as ``id_checksum``, all ``problems`` of the row,
    ``reason_text()``; at most four problems are kept per row), ``new_organizations``
    and ``created`` / ``updated`` counts; ``summary()`` is the CLI's JSON object
    (``rows``, ``created``, ``updated``, ``rejected``, ``notices``).

``apply_import(plan, user, job=None) -> ImportBatch``
    Writes the plan's valid rows in ONE transaction (all or nothing; an error or
    ``Job.cancel()`` leaves the database as it was), records the ``ImportBatch`` and an
    ``ImportBatchItem`` per created or changed record, audits every record, and
    remembers the mapping for this header. If the data changed since the plan was
    made, the rows are checked again first. Rejected rows are not imported: to refuse
    the whole file when any row is rejected, check ``plan.rejected`` before calling.

``undo_batch(batch_id, user) -> ImportBatch``
    Deletes what the batch created (service records, memberships, team roles first)
    and restores what it changed; refuses with ``UndoRefused`` (a ``SheetError``)
    when a created or changed record was edited or referenced since. Audited.

``list_batches(limit=None) -> list[BatchRow]``: the import history, newest first.
``save_rejected(plan, path)``: the rejected rows with a reason column, as .xlsx.
``save_template(kind, path)``: a blank .xlsx with text-formatted ID/phone/code columns.

``job`` is a desktop.reports.output.Job: progress ``(done, total)`` and cancel.

Matching: people by ID number; a masked ID (as exports show it) by the name and the masked number;
without an ID by the same name and phone, else the same name with a birth date, township or
organization that agrees and nothing that disagrees. Where only the name agrees the row is a
``PossibleDuplicate`` (``plan.possible_duplicates``), held until ``options.duplicates`` says who she
is (``{row: person id, or 0 for new}``) or ``create_possible_duplicates``. Organizations by credit
code, else by exact name. A second row for the same person or organization in one file is
rejected, naming the first. A blank cell of an existing record keeps what is stored. An update
that changes a name (a person's sex or birth date) is held in ``plan.renames`` unless
``options.allow_renames`` (True, or the rows allowed); ``describe_changes(planned)`` lists what an
update changes, old → new. ``plan.ignored`` names every column not imported, ``sheet.guessed``
the ones mapped by a guess from a title that contains a known one; ``plan.roster`` tells an
organization, team or venue roster by its title (its 职务/分工 column is then the role there).

What a people row may carry besides the person (decisions, see DOMAIN.md):
- 所属组织 → a membership (role 负责人/骨干/成员 from the 角色 cell, default 成员;
  from 加入时间). An unknown organization rejects the row, or with ``create_orgs`` is
  registered as a grassroots group (undone with the batch).
- 角色 妇工/社工/义工 (and 志愿者, 妇联干部 …) set the person's federation roles; with
  a 所属团队 (an existing 三工联动 team) they become team roles.
- 累计服务时长 is a running total: only what the recorded hours lack is recorded.
- 服务时长: a service record needs an activity, and a legacy sheet names none. Each
  batch gets one activity "导入的志愿服务时长（file）" per organization (and one for
  people without one), dated ``hours_on`` (default: the day of the import); the
  same file's hours are not recorded twice for a person.
- 性别 and 出生日期 come from the ID; the columns are used only for people without one.
- 是否公益联盟成员 without a join date is accepted (legacy sheets do not have it);
  a 孵化阶段 without a date is recorded as entered on the day of the import.
"""

from __future__ import annotations

import importlib
from typing import Any

# Loaded on first use (PEP 562), so that ``jinguo --help`` and the window's start-up,
# which only register the ``import`` command, do not load openpyxl and the importer.
_EXPORTS = {
    "BatchRow": "apply", "UndoRefused": "apply", "apply_import": "apply", "list_batches": "apply",
    "undo_batch": "apply",
    "KINDS": "columns", "KIND_LABELS": "columns", "Field": "columns", "detect_mapping": "columns",
    "fields_of": "columns",
    "SheetError": "errors",
    "save_rejected": "files", "save_template": "files",
    "ImportOptions": "plan", "ImportPlan": "plan", "Problem": "plan", "Rejection": "plan",
    "plan_import": "plan", "describe_changes": "plan", "candidate_text": "plan", "region_names": "plan",
    "SheetData": "reading", "read_sheet": "reading",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
