"""Exports → import: what the program writes out (with full ID numbers, as an administrator may) comes
back in unchanged.

For every list and roster that holds people or organizations, and for every way the file can come
back to the office (as written; re-saved as .xlsx by LibreOffice; retyped in a spreadsheet
program; saved as CSV in UTF-8 and in GB18030, by hand-made copies and by LibreOffice):

- imported into a fresh database, it reproduces the records the export shows, field by field,
  and invents nothing it does not show;
- imported back into the database it came from, it changes nothing: every row is unchanged.

The fresh database is what an office has before it imports people: its townships and villages,
its service areas, and the organizations, teams and venues registered (an office registers its
organizations first, and a team or venue cannot be imported at all). ``create_orgs`` is not used:
it would register every organization as a grassroots group without its credit code, which is
not what the export shows.

Lists of other records (teams, venues, projects, activities, trainings) are refused when
imported as people or organizations, with a message, rather than read into made-up records.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from openpyxl import load_workbook

from desktop.auth import may_see_full_ids
from desktop.cli_export import TABLE_TITLES, TABLES
from desktop.context import AppContext, build_context
from desktop.demo import fill_demo
from desktop.importing import ImportPlan, SheetError, apply_import, plan_import, read_sheet
from desktop.importing.columns import not_imported_reason
from desktop.reports.roster import export_roster
from desktop.reports.table_export import export_listing
from models.entities import Organization, Person, Region, ServiceArea, Team, User, Venue
from models.settings import set_setting

from .resave import CHINESE_SHORT_DATE, csv_copy, displayed_text, retyped_copy, soffice_convert
from .round_trip_data import (
    CENTER,
    HOURS_ACTIVITY,
    TEAM,
    VENUE,
    ExportTable,
    add_office_cases,
    differences,
    expected_orgs,
    expected_people,
    org_records,
    people_records,
    read_export,
)

DEMO_DAY = dt.date(2026, 11, 1)  # the demo's rows are the same on every run
LISTS = {"people_list": "people", "organization_list": "organizations", "team_list": "teams",
         "venue_list": "venues", "project_list": "projects", "activity_list": "activities",
         "training_list": "trainings"}
ROSTERS = {"organization_roster": ("organization", CENTER), "team_roster": ("team", TEAM),
           "venue_roster": ("venue", VENUE), "volunteers_roster": ("volunteers", "")}
PEOPLE_EXPORTS = ("people_list", "organization_roster", "team_roster", "venue_roster", "volunteers_roster")
HOLDERS = (*PEOPLE_EXPORTS, "organization_list")
OTHER_LISTS = ("team_list", "venue_list", "project_list", "activity_list", "training_list")
VARIANTS = ("as_written", "soffice_xlsx", "retyped_xlsx", "csv_utf8", "csv_gb18030", "soffice_csv_utf8",
            "soffice_csv_gb18030")
# An export's columns that carry nothing to import: the row number, and when the source last changed
# the record (an import cannot set that).
NOT_IMPORTED = frozenset({"序号", "更新时间"})
FIRST_ROW = 4  # of the data, in every export: two heading lines and the header
EXAMPLES = 3  # shown per kind of problem


@dataclass
class Export:
    path: Path
    kind: str | None  # people | orgs | None: what it holds
    target: str  # a roster's organization, team or venue
    table: ExportTable


@dataclass
class World:
    source: Path  # the office's database the exports came from (closed)
    fresh: Path  # a new database: regions and service areas only
    registered: Path  # fresh, with the organizations, teams and venues registered
    exports: dict[str, Export]
    variants: dict[tuple[str, str], Path] = field(default_factory=dict)
    soffice_missing: str = ""  # why the LibreOffice variants are skipped


def _export_all(folder: Path, user: User) -> dict[str, Export]:
    folder.mkdir()
    full_ids = may_see_full_ids(user)
    made: dict[str, tuple[Path, str]] = {}
    for key, entity in LISTS.items():
        module, listing_name, filter_name = TABLES[entity]
        loaded = importlib.import_module(module)
        listing = getattr(loaded, listing_name)()
        path = folder / f"{key}.xlsx"
        export_listing(path, listing, getattr(loaded, filter_name)(), listing.default_sort,
                       listing.default_descending, user=user, title=TABLE_TITLES[entity], full_ids=full_ids)
        made[key] = (path, "")
    targets = {"organization": Organization, "team": Team, "venue": Venue}
    for key, (kind, name) in ROSTERS.items():
        target_id = targets[kind].get(targets[kind].name == name).id if kind in targets else None
        path = folder / f"{key}.xlsx"
        export_roster(path, kind, target_id, "xlsx", full_ids=full_ids, user=user)
        made[key] = (path, name)
    kinds = {**dict.fromkeys(PEOPLE_EXPORTS, "people"), "organization_list": "orgs"}
    exports = {key: Export(path, kinds.get(key), target, read_export(path))
               for key, (path, target) in made.items()}
    for key in PEOPLE_EXPORTS:  # each row is one person the comparison can find
        export = exports[key]
        assert len(expected_people(key, export.table, export.target)) == len(export.table.rows), key
    return exports


def _prerequisites() -> dict[str, list[dict]]:
    """What an office registers before importing (read from the source database)."""
    return {
        "regions": list(Region.select(Region.id, Region.name, Region.level, Region.parent, Region.code,
                                      Region.sort_order).order_by(Region.id).dicts()),
        "areas": list(ServiceArea.select(ServiceArea.name).order_by(ServiceArea.id).dicts()),
        "organizations": list(Organization.select(Organization.name, Organization.kind,
                                                  Organization.legal_form, Organization.credit_code,
                                                  Organization.region).dicts()),
        "teams": list(Team.select(Team.name, Team.region).dicts()),
        "venues": list(Venue.select(Venue.name, Venue.level, Venue.kind, Venue.region).dicts()),
    }


def _new_database(path: Path, prerequisites: dict[str, list[dict]], register: bool) -> Path:
    ctx = build_context(path)
    try:
        with ctx.db.atomic():
            for region in prerequisites["regions"]:  # parents first: they have the smaller ids
                Region.create(**region)
            known = {n for (n,) in ServiceArea.select(ServiceArea.name).tuples()}
            for area in prerequisites["areas"]:
                if area["name"] not in known:
                    ServiceArea.create(**area)
            if register:
                for model, key in ((Organization, "organizations"), (Team, "teams"), (Venue, "venues")):
                    for values in prerequisites[key]:
                        model.create(**values)
    finally:
        ctx.close()
    return _closed(path)


def _closed(path: Path) -> Path:
    assert not path.with_name(path.name + "-wal").exists(), "the database was left open"
    return path


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> World:
    root = tmp_path_factory.mktemp("round_trip")
    with pytest.MonkeyPatch.context() as env:  # the per-test private folders do not exist yet
        env.setenv("HOME", str(root / "home"))
        env.setenv("JINGUO_DATA_DIR", str(root / "data"))
        for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
            env.setenv(var, str(root / "home" / var.lower()))
        source = root / "source.db"
        ctx = build_context(source)
        try:
            today = dt.date.today()
            fill_demo(200, seed=2025, today=min(DEMO_DAY, today))
            add_office_cases(ctx.user, today)
            set_setting("privacy.print_full_id", "1", ctx.user)
            exports = _export_all(root / "exports", ctx.user)
            prerequisites = _prerequisites()
        finally:
            ctx.close()
        made = World(_closed(source), _new_database(root / "fresh.db", prerequisites, register=False),
                     _new_database(root / "registered.db", prerequisites, register=True), exports)
    folder = root / "variants"
    folder.mkdir()
    for key, export in exports.items():
        made.variants[key, "as_written"] = export.path
        made.variants[key, "csv_utf8"] = csv_copy(export.path, folder / f"{key}-utf8.csv", "utf-8-sig")
        if export.kind is not None:
            made.variants[key, "retyped_xlsx"] = retyped_copy(export.path, folder / f"{key}-retyped.xlsx")
            made.variants[key, "csv_gb18030"] = csv_copy(export.path, folder / f"{key}-gb18030.csv",
                                                         "gb18030", dates=CHINESE_SHORT_DATE)
    converted, made.soffice_missing = soffice_convert([exports[k].path for k in HOLDERS], root / "soffice")
    for variant, files in converted.items():
        for key in HOLDERS:
            made.variants[key, variant] = files[exports[key].path]
    return made


@contextmanager
def opened_copy(template: Path, tmp_path: Path) -> Iterator[AppContext]:
    path = tmp_path / "office.db"
    shutil.copyfile(template, path)
    ctx = build_context(path)
    try:
        yield ctx
    finally:
        ctx.close()


def variant_file(world: World, export: str, variant: str) -> Path:
    if variant.startswith("soffice") and world.soffice_missing:
        pytest.skip(world.soffice_missing)
    return world.variants[export, variant]


def report(what: str, problems: list[tuple[str, str]]) -> str:
    """The problems grouped by kind, each kind with how many and a few examples."""
    grouped: dict[str, list[str]] = {}
    for kind, example in problems:
        grouped.setdefault(kind, []).append(example)
    lines = [f"{what}: {len(problems)} problems"]
    for kind, examples in grouped.items():
        shown = "\n      ".join(examples[:EXAMPLES])
        more = f"\n      … {len(examples) - EXAMPLES} more" if len(examples) > EXAMPLES else ""
        lines.append(f"  {kind} ({len(examples)}):\n      {shown}{more}")
    return "\n".join(lines)


def rejections(plan: ImportPlan) -> list[tuple[str, str]]:
    return [(f"rejected ({r.code})", f"row {r.row}: {r.reason_text()}") for r in plan.rejected]


def row_count(plan: ImportPlan, export: Export) -> list[tuple[str, str]]:
    if plan.rows == len(export.table.rows):
        return []
    return [("rows read", f"{plan.rows} data rows read; the export has {len(export.table.rows)}")]


def changes(plan: ImportPlan) -> list[tuple[str, str]]:
    """What importing the plan would do to the database, by kind of change."""
    found = [("would be new", f"row {p.row}: {p.values.get('name')}") for p in plan.new]
    found += [("would register an organization", name) for name in plan.new_organizations]
    for p in plan.updates:
        fields = [k for k, v in p.values.items() if p.before.get(k) != v]
        what = [f"{k} {p.before.get(k)!r} → {p.values[k]!r}" for k in fields]
        if p.new_membership:
            fields.append("membership")
            what.append(f"new membership in {p.organization} as {p.membership_role}")
        if p.team_roles:
            fields.append("team roles")
            what.append(f"team roles {p.team_roles} in {p.team}")
        if p.hours:
            fields.append("service hours")
            what.append(f"{p.hours} more service hours")
        if p.service_area_ids is not None:
            fields.append("service areas")
            what.append(f"service areas → {p.service_area_ids}")
        if p.stage:
            fields.append("stage")
            what.append(f"stage entered {p.stage}")
        example = f"row {p.row} {p.values.get('name')}: {'; '.join(what)}"
        found.append((f"would change {', '.join(fields)}", example))
    found += [("skipped", f"row {row}") for row in plan.skipped]
    return found


# -- people and organizations come back as they went out ------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("export", HOLDERS)
def test_import_into_a_fresh_database_reproduces_what_the_export_shows(world, export, variant, tmp_path):
    path = variant_file(world, export, variant)
    made = world.exports[export]
    with opened_copy(world.fresh if made.kind == "orgs" else world.registered, tmp_path) as ctx:
        plan = plan_import(read_sheet(path, made.kind))
        problems = rejections(plan) + row_count(plan, made)
        apply_import(plan, ctx.user)
        if made.kind == "orgs":
            problems += differences(expected_orgs(made.table), org_records())
        else:
            problems += differences(expected_people(export, made.table, made.target),
                                    people_records(dt.date.today()))
    assert not problems, report(f"{export} ({variant}) into a fresh database", problems)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("export", HOLDERS)
def test_import_back_into_the_source_changes_nothing(world, export, variant, tmp_path):
    path = variant_file(world, export, variant)
    made = world.exports[export]
    with opened_copy(world.source, tmp_path):
        plan = plan_import(read_sheet(path, made.kind))
    problems = rejections(plan) + row_count(plan, made) + changes(plan)
    if not problems and len(plan.unchanged) != plan.rows:
        problems.append(("rows unchanged", f"only {len(plan.unchanged)} of {plan.rows}"))
    assert not problems, report(f"{export} ({variant}) back into its own database", problems)


@pytest.mark.parametrize("export", HOLDERS)
def test_every_column_an_export_writes_is_taken_back(world, export, tmp_path):
    made = world.exports[export]
    with opened_copy(world.source, tmp_path):
        sheet = read_sheet(made.path, made.kind)
        plan = plan_import(sheet)
    mapped = set(plan.mapping.values())
    # a column is taken back, or named as not imported for a reason (a window figure, a timestamp)
    deliberate = {c.title for c in plan.ignored if not_imported_reason(c.title) is not None}
    left = [title for col, title in enumerate(sheet.header)
            if col not in mapped and title not in NOT_IMPORTED and title not in deliberate]
    assert not left, f"columns of the {export} the importer does not take: {left}"


@pytest.mark.parametrize("export", ["venue_roster", "volunteers_roster"])
def test_roster_hours_mapped_by_hand_are_not_recorded_again(world, export, tmp_path):
    """The user maps a roster's hours column in the mapping dialog as the running total it is
    (累计服务时长); the hours the roster shows are those the database holds, and importing them
    must not add them a second time (a 12-month figure is at most the total: nothing to add)."""
    made = world.exports[export]
    hours_title = made.table.header[-1]
    with_hours = {FIRST_ROW + i for i, row in enumerate(made.table.rows) if row[hours_title]}
    with opened_copy(world.source, tmp_path):
        sheet = read_sheet(made.path, made.kind)
        plan = plan_import(sheet, {**sheet.mapping, "hours_total": sheet.header.index(hours_title)})
    problems = [("hours recorded again", f"row {p.row} {p.values['name']}: +{p.hours}")
                for p in plan.new + plan.updates if p.hours]
    problems += [(f"rejected, its hours not checked ({r.code})", f"row {r.row}: {r.reason_text()}")
                 for r in plan.rejected if r.row in with_hours]
    assert not problems, report(f"{export}: {hours_title} imported back", problems)


@pytest.mark.parametrize("export", PEOPLE_EXPORTS)
def test_id_numbers_that_became_numbers_are_refused_not_damaged(world, export, tmp_path):
    made = world.exports[export]
    path = retyped_copy(made.path, tmp_path / f"{export}-ids-as-numbers.xlsx", ids_as_numbers=True)
    damaged = {FIRST_ROW + i for i, row in enumerate(made.table.rows) if str(row["身份证号"] or "").isdigit()}
    assert damaged, "the export has no ID number a spreadsheet turns into a number"
    with opened_copy(world.registered, tmp_path) as ctx:
        plan = plan_import(read_sheet(path, "people"))
        codes = {r.row: {p.code for p in r.problems} for r in plan.rejected}
        not_refused = sorted(row for row in damaged if "id_stored_as_number" not in codes.get(row, ()))
        wrongly = sorted(row for row, c in codes.items() if "id_stored_as_number" in c and row not in damaged)
        apply_import(plan, ctx.user)
        shown = {str(row["身份证号"]) for row in made.table.rows if row["身份证号"]}
        numbers = Person.select(Person.id_number).where(Person.id_number.is_null(False))
        stored = {n for (n,) in numbers.tuples()}
    assert not not_refused, f"rows whose ID became a number were not refused as such: {not_refused}"
    assert not wrongly, f"rows refused for a number ID they do not have: {wrongly}"
    assert stored <= shown, f"ID numbers stored that the export does not show: {sorted(stored - shown)}"


# -- lists of other records -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["people", "orgs"])
@pytest.mark.parametrize("variant", ["as_written", "csv_utf8"])
@pytest.mark.parametrize("export", OTHER_LISTS)
def test_lists_of_other_records_are_refused_with_a_message(world, export, variant, kind, tmp_path):
    path = world.variants[export, variant]
    with opened_copy(world.registered, tmp_path):
        try:
            plan = plan_import(read_sheet(path, kind))
        except SheetError as e:
            message = e.message.render()
        else:
            pytest.fail(f"{path.name} read as {kind}: {plan.rows} rows, {len(plan.new)} new, "
                        f"{len(plan.updates)} updates, {len(plan.rejected)} rejected, mapping {plan.mapping}")
    assert re.search(r"[\u4e00-\u9fff]", message), message


# -- figures keep their decimals (defect #9) -----------------------------------------------------------


def test_activity_hours_keep_their_decimal_in_the_exported_list(world):
    wb = load_workbook(world.exports["activity_list"].path)
    try:
        ws = wb.worksheets[0]
        header = [c.value for c in ws[3]]
        title, hours = header.index("活动名称"), header.index("志愿时长合计")
        cells = {row[title].value: row[hours] for row in ws.iter_rows(min_row=4)}
    finally:
        wb.close()
    shown = {name: displayed_text(cells[name].value, cells[name].number_format) for name in
             (HOURS_ACTIVITY, "巾帼同心助老服务")}
    assert cells[HOURS_ACTIVITY].value == 27.5
    assert shown == {HOURS_ACTIVITY: "27.5", "巾帼同心助老服务": "15.0"}, (
        f"number format {cells[HOURS_ACTIVITY].number_format!r}: an hours total shows one decimal")
