"""The periodic summary (统计报表) of a period and an area, computed with SQL aggregates.

Every figure comes from a GROUP BY query keyed by township and category; Python only
adds up those few aggregated rows (never one row per record), so the number of queries
and the Python work do not grow with the register. The same rows give the sections and,
for the county, the breakdown by township, so the township rows add up to the total.

How records are counted (printed as notes under the table):

- Area. A record belongs to the township of its region: a village counts in its
  township (Region tree: village.parent = township). Records with no region, or placed
  at county level, form the row 县级或未填写镇（街道） of the county's breakdown, so the
  township rows still add up to the county total; a township's summary leaves them out.
  Organizations, teams, venues and people have a region; a project is placed by its
  organization (or else its team); an activity by its venue; a training by its own region
  or else its venue's; volunteers and their service hours by the volunteer's region.
- Stock figures are taken at the end of the period (or today, for a period still
  running): organizations founded by then (or with no founding date), teams founded by
  then, venues and volunteers; a record archived on or before that day is no longer
  counted, one archived later still is. An organization's stage is the last stage it had
  entered by then (from its stage history).
- Events in the period (stages entered, activities, service hours, trainings) count
  whatever later happened to the record: archiving keeps history for past reports.
- Projects: those undertaken (立项、实施中、结项、终止; not 申报 or 未中标) whose span
  overlaps the period. The span is start–end date; a missing start is 1 January of the
  project year, a missing end is 31 December of it (or the start, if later). A project
  running over several quarters counts in each of them.
- Teams: complete when at least one cadre, one social worker and one volunteer are
  assigned on the day the stock is taken (models/rules.py, in SQL via models/teams.py).
  Members are counted per team: a person on two teams counts in both.
- A stored code outside its vocabulary (an old import, say) is counted in a catch-all row
  (其他, 未填写…), shown only when it holds something, so the rows always add up.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from peewee import JOIN, AsIs, Case, Value, fn

from .choices import (
    INCUBATION_STAGES,
    LEGAL_FORMS,
    ORG_KINDS,
    PERSON_ROLES,
    PROJECT_SOURCES,
    PROJECT_STATUSES,
    ROUND_SOURCES,
    SEXES,
    TRAINING_KINDS,
    VENUE_KINDS,
    VENUE_LEVELS,
)
from .db import day_of_year, greatest, grouping_key
from .entities import (
    Activity,
    Organization,
    OrganizationServiceArea,
    OrganizationStage,
    Person,
    Project,
    Region,
    ServiceArea,
    ServiceRecord,
    Team,
    TeamAssignment,
    Training,
    TrainingAttendance,
    Venue,
)
from .errors import ValidationFailed
from .i18n import msg
from .periods import Period
from .rules import INCUBATION_LIMIT_MONTHS, add_months
from .teams import complete_condition, role_count

UNASSIGNED_LABEL = "县级或未填写镇（街道）"
UNDERTAKEN = ("approved", "in_progress", "closed", "terminated")
INCUBATING = ("sprouting", "startup", "developing")
MEASURE = "个、人、人次、元、小时"

CENTS = Decimal("0.01")
TENTHS = Decimal("0.1")


@dataclass(frozen=True)
class Column:
    """A column of a section or list: ``kind`` is text | int | money | hours | date;
    ``width`` is a hint in characters for the printed forms. A section's figure column names
    its ``indicator`` (models/indicators.py) and any breakdown the column itself stands for
    (``where``: dimension, label pairs, e.g. a venue kind), added to its row's."""

    title: str
    kind: str = "int"
    width: float = 12
    indicator: str = ""
    where: tuple[tuple[str, str], ...] = ()


def figure(title: str, indicator: str, kind: str = "int", width: float = 12, **where: str) -> Column:
    """A figure column of a section (see Column)."""
    return Column(title, kind, width, indicator, tuple(where.items()))


@dataclass
class Section:
    """One table of the summary: the first column holds the row labels. ``keys`` holds, for
    each row, the breakdown its figures are of (dimension → label, see models/indicators.py);
    the total row is of the whole."""

    key: str
    title: str
    columns: list[Column]
    rows: list[tuple] = field(default_factory=list)
    total: tuple | None = None
    note: str = ""
    keys: list[dict[str, str]] = field(default_factory=list)


@dataclass
class SummaryData:
    period: Period
    township_id: int | None
    area_name: str
    as_of: dt.date  # the day stock figures are taken
    sections: list[Section]

    @property
    def title(self) -> str:
        return f"{self.area_name}妇女社会组织和巾帼阵地工作统计报表"

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    @property
    def notes(self) -> list[str]:
        return [s.note for s in self.sections if s.note]


# --- where a record is -------------------------------------------------------------------


def township_of(region):
    """The township a Region (alias) row belongs to: itself, or a village's parent; else NULL
    (a grouping key: the queries select it and group by it)."""
    return grouping_key(Case(region.level, [("township", region.id), ("village", region.parent)], None))


def existing_on(model, day: dt.date):
    """Not archived by ``day`` (archived later still counts for that day); a record merged into
    another (models.merge) never counts: it was the same person or organization all along."""
    alive = (model.archived == False) | (model.archived_on > day)  # noqa: E712
    merged = getattr(model, "merged_into", None)
    return alive if merged is None else alive & merged.is_null()


def scaled_sum(field, factor: int):
    """SUM of a decimal column as an exact integer (cents, tenths): SQLite keeps decimals as
    floating point, and adding many of them as floats drifts."""
    return fn.SUM(fn.ROUND(field * AsIs(factor)).cast("INTEGER"))


def money_of(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENTS)


def hours_of(tenths: int) -> Decimal:
    return (Decimal(tenths) / 10).quantize(TENTHS)


class _Tally:
    """Aggregated rows keyed by (township, category), each a list of figures."""

    def __init__(self, width: int):
        self.width = width
        self.cells: dict[tuple[Any, Any], list[int]] = defaultdict(lambda: [0] * width)

    def add(self, township: Any, category: Any, values: Sequence[Any]) -> None:
        cell = self.cells[(township, category)]
        for i, value in enumerate(values):
            cell[i] += int(value or 0)

    def total(self, *, township: Any = ..., category: Callable[[Any], bool] | Any = ...) -> list[int]:
        out = [0] * self.width
        for (t, c), values in self.cells.items():
            if township is not ... and t != township:
                continue
            if category is not ... and not (category(c) if callable(category) else c == category):
                continue
            for i, value in enumerate(values):
                out[i] += value
        return out


class Scope:
    """The period, the area and the day stock is taken, with the area filter for a query."""

    def __init__(self, period: Period, township_id: int | None, as_of: dt.date):
        self.period = period
        self.township_id = township_id
        self.as_of = as_of
        self.start, self.end = period.start, period.end

    def in_area(self, query, township):
        return query if self.township_id is None else query.where(township == self.township_id)

    def in_period(self, day_field):
        return day_field.between(self.start, self.end)


def _known(code: str | None, choices, fallback: str | None = None) -> str | None:
    """A stored code as counted: one outside the vocabulary (from an old import, say) falls
    into ``fallback``, so every record lands in some row and the rows add up to the total."""
    return code if code in choices else fallback


def _org_key(kind: str | None, legal_form: str | None) -> tuple[str | None, str | None]:
    return (kind, _known(legal_form, LEGAL_FORMS) if kind == "registered" else None)


def stage_at(org_id_field, day: dt.date):
    """Correlated subquery: the stage the organization had entered by ``day``."""
    step = OrganizationStage.alias("stage_at")
    return (
        step.select(step.stage)
        .where((step.organization == org_id_field) & (step.entered_on <= day))
        .order_by(step.entered_on.desc(), step.id.desc())
        .limit(1)
    )


def _org_stock(q: Scope) -> _Tally:
    """Per (township, (kind, form, stage)): organizations, alliance members, new alliance
    members, group members, incubating longer than the limit."""
    first = OrganizationStage.alias("first_stage")
    first_on = (
        first.select(fn.MIN(first.entered_on))
        .where((first.organization == Organization.id) & (first.entered_on <= q.as_of))
    )
    region = Region.alias("org_region")
    township = township_of(region)
    joined = Organization.alliance_joined_on
    alliance = Organization.alliance_member & (joined.is_null() | (joined <= q.as_of))
    since = Organization.group_member_since
    per_org = (
        Organization.select(
            township.alias("township"),
            Organization.kind,
            Organization.legal_form,
            stage_at(Organization.id, q.as_of).alias("stage"),
            first_on.alias("first_on"),
            Case(None, [(alliance, 1)], 0).alias("alliance"),
            Case(None, [(alliance & (joined >= q.start), 1)], 0).alias("alliance_new"),
            Case(None, [(Organization.group_member & (since.is_null() | (since <= q.as_of)), 1)],
                 0).alias("group_member"),
        )
        .join(region, JOIN.LEFT_OUTER, on=(Organization.region == region.id))
        .where((Organization.founded_on.is_null() | (Organization.founded_on <= q.as_of))
               & existing_on(Organization, q.as_of))
    )
    per_org = q.in_area(per_org, township).alias("per_org")
    limit_day = add_months(q.as_of, -INCUBATION_LIMIT_MONTHS)
    overdue = per_org.c.stage.in_(INCUBATING) & (per_org.c.first_on < limit_day)
    query = per_org.select_from(
        per_org.c.township, per_org.c.kind, per_org.c.legal_form, per_org.c.stage,
        fn.COUNT(Value(1)), fn.SUM(per_org.c.alliance), fn.SUM(per_org.c.alliance_new),
        fn.SUM(per_org.c.group_member), fn.SUM(Case(None, [(overdue, 1)], 0)),
    ).group_by(per_org.c.township, per_org.c.kind, per_org.c.legal_form, per_org.c.stage)
    tally = _Tally(5)
    for township_id, kind, form, stage, *values in query.tuples():
        tally.add(township_id, (*_org_key(kind, form), _known(stage, INCUBATION_STAGES)), values)
    return tally


def _org_events(q: Scope) -> _Tally:
    """Per (township, (kind, form, stage)): organizations entering ``stage`` in the period."""
    region = Region.alias("org_region")
    township = township_of(region)
    query = (
        OrganizationStage.select(township, Organization.kind, Organization.legal_form,
                                 OrganizationStage.stage, fn.COUNT(OrganizationStage.id))
        .join(Organization)
        .join(region, JOIN.LEFT_OUTER, on=(Organization.region == region.id))
        .where(q.in_period(OrganizationStage.entered_on))
        .group_by(township, Organization.kind, Organization.legal_form, OrganizationStage.stage)
    )
    tally = _Tally(1)
    for township_id, kind, form, stage, count in q.in_area(query, township).tuples():
        tally.add(township_id, (*_org_key(kind, form), _known(stage, INCUBATION_STAGES)), (count,))
    return tally


def _new_incubations(q: Scope) -> _Tally:
    """Per (township, (kind, form)): organizations whose first incubating stage (萌芽期,
    初创期 or 发展期) was entered in the period."""
    first = (
        OrganizationStage.select(OrganizationStage.organization,
                                 fn.MIN(OrganizationStage.entered_on).alias("first_on"))
        .where(OrganizationStage.stage.in_(INCUBATING))
        .group_by(OrganizationStage.organization)
        .alias("first_incubation")
    )
    region = Region.alias("org_region")
    township = township_of(region)
    query = (
        Organization.select(township, Organization.kind, Organization.legal_form,
                            fn.COUNT(Organization.id))
        .join(first, on=(first.c.organization_id == Organization.id))
        .join_from(Organization, region, JOIN.LEFT_OUTER, on=(Organization.region == region.id))
        .where(first.c.first_on.between(q.start, q.end))
        .group_by(township, Organization.kind, Organization.legal_form)
    )
    tally = _Tally(1)
    for township_id, kind, form, count in q.in_area(query, township).tuples():
        tally.add(township_id, _org_key(kind, form), (count,))
    return tally


def _org_service_areas(q: Scope) -> _Tally:
    """Per (township, service area id or None): organizations (stock) in that area."""
    region = Region.alias("org_region")
    township = township_of(region)
    link = OrganizationServiceArea
    query = (
        Organization.select(township, link.service_area, fn.COUNT(Organization.id))
        .join(link, JOIN.LEFT_OUTER, on=(link.organization == Organization.id))
        .join_from(Organization, region, JOIN.LEFT_OUTER, on=(Organization.region == region.id))
        .where((Organization.founded_on.is_null() | (Organization.founded_on <= q.as_of))
               & existing_on(Organization, q.as_of))
        .group_by(township, link.service_area)
    )
    tally = _Tally(1)
    for township_id, area_id, count in q.in_area(query, township).tuples():
        tally.add(township_id, area_id, (count,))
    return tally


def project_span_overlaps(start: dt.date, end: dt.date):
    """SQL condition: the project's span (see the module notes) overlaps start..end."""
    year_start = day_of_year(Project.year, 1, 1)
    year_end = day_of_year(Project.year, 12, 31)
    span_start = fn.COALESCE(Project.start_on, year_start)
    span_end = fn.COALESCE(Project.end_on, greatest(fn.COALESCE(Project.start_on, year_end), year_end))
    return (span_start <= end) & (span_end >= start)


def project_region(region):
    return region.id == fn.COALESCE(Organization.region, Team.region)


def _projects(q: Scope) -> _Tally:
    """Per (township, source): projects, granted cents, people served."""
    region = Region.alias("project_region")
    township = township_of(region)
    query = (
        Project.select(township, Project.source, fn.COUNT(Project.id),
                       scaled_sum(Project.amount_granted, 100),
                       fn.SUM(Project.actual_served))
        .join(Organization, JOIN.LEFT_OUTER, on=(Project.organization == Organization.id))
        .join_from(Project, Team, JOIN.LEFT_OUTER, on=(Project.team == Team.id))
        .join_from(Project, region, JOIN.LEFT_OUTER, on=project_region(region))
        .where(Project.status.in_(UNDERTAKEN) & project_span_overlaps(q.start, q.end))
        .group_by(township, Project.source)
    )
    tally = _Tally(3)
    for township_id, source, *values in q.in_area(query, township).tuples():
        tally.add(township_id, _known(source, PROJECT_SOURCES, "other"), values)
    return tally


def _ventures(q: Scope) -> _Tally:
    """Per (township, round source): applications, requested cents, winners, granted cents of the
    rounds called in the period (models/venture.py)."""
    from .venture import WINNERS
    from .venture_entities import VentureApplication, VentureRound

    region = Region.alias("venture_region")
    township = township_of(region)
    called = fn.COALESCE(VentureRound.call_on, day_of_year(VentureRound.year, 1, 1))
    query = (
        VentureApplication.select(township, VentureRound.source, VentureApplication.status,
                                  fn.COUNT(VentureApplication.id),
                                  scaled_sum(VentureApplication.amount_requested, 100),
                                  scaled_sum(VentureApplication.amount_granted, 100))
        .join(VentureRound)
        .join_from(VentureApplication, Organization, on=(VentureApplication.organization == Organization.id))
        .join_from(VentureApplication, region, JOIN.LEFT_OUTER,
                   on=(region.id == fn.COALESCE(VentureApplication.region, Organization.region)))
        .where(called.between(q.start, q.end))
        .group_by(township, VentureRound.source, VentureApplication.status)
    )
    tally = _Tally(4)
    for township_id, source, status, count, requested, granted in q.in_area(query, township).tuples():
        won = status in WINNERS
        tally.add(township_id, _known(source, ROUND_SOURCES, "other"),
                  (count, requested, count if won else 0, granted if won else 0))
    return tally


def _teams(q: Scope) -> _Tally:
    """Per (township, complete 0/1): teams, cadres, social workers, volunteers, teams with
    a social worker, all on the stock day."""
    region = Region.alias("team_region")
    township = township_of(region)
    day = q.as_of
    per_team = (
        Team.select(
            township.alias("township"),
            Case(None, [(complete_condition(day), 1)], 0).alias("complete"),
            *(role_count(role, day).alias(role) for role in PERSON_ROLES.codes()),
        )
        .join(TeamAssignment, JOIN.LEFT_OUTER)
        .join_from(Team, region, JOIN.LEFT_OUTER, on=(Team.region == region.id))
        .where((Team.founded_on.is_null() | (Team.founded_on <= day)) & existing_on(Team, day))
        .group_by(Team.id, region.id)
    )
    per_team = q.in_area(per_team, township).alias("per_team")
    query = per_team.select_from(
        per_team.c.township, per_team.c.complete, fn.COUNT(Value(1)),
        *(fn.SUM(getattr(per_team.c, role)) for role in PERSON_ROLES.codes()),
        fn.SUM(Case(None, [(per_team.c.social_worker > 0, 1)], 0)),
    ).group_by(per_team.c.township, per_team.c.complete)
    tally = _Tally(5)
    for township_id, complete, *values in query.tuples():
        tally.add(township_id, bool(complete), values)
    return tally


def _venues(q: Scope) -> _Tally:
    """Per (township, (level, kind)): venues on the stock day."""
    region = Region.alias("venue_region")
    township = township_of(region)
    query = (
        Venue.select(township, Venue.level, Venue.kind, fn.COUNT(Venue.id))
        .join(region, JOIN.LEFT_OUTER, on=(Venue.region == region.id))
        .where(existing_on(Venue, q.as_of))
        .group_by(township, Venue.level, Venue.kind)
    )
    tally = _Tally(1)
    for township_id, level, kind, count in q.in_area(query, township).tuples():
        tally.add(township_id, (_known(level, VENUE_LEVELS), _known(kind, VENUE_KINDS, "other")),
                  (count,))
    return tally


def _venue_activities(q: Scope) -> _Tally:
    """Per (township, venue level): activities held at venues in the period, people served."""
    region = Region.alias("venue_region")
    township = township_of(region)
    query = (
        Activity.select(township, Venue.level, fn.COUNT(Activity.id), fn.SUM(Activity.people_served))
        .join(Venue, on=(Activity.venue == Venue.id))
        .join(region, JOIN.LEFT_OUTER, on=(Venue.region == region.id))
        .where(q.in_period(Activity.held_on))
        .group_by(township, Venue.level)
    )
    tally = _Tally(2)
    for township_id, level, *values in q.in_area(query, township).tuples():
        tally.add(township_id, _known(level, VENUE_LEVELS), values)
    return tally


def _volunteers(q: Scope) -> _Tally:
    """Per (township, sex): registered volunteers on the stock day."""
    region = Region.alias("person_region")
    township = township_of(region)
    query = (
        Person.select(township, Person.sex, fn.COUNT(Person.id))
        .join(region, JOIN.LEFT_OUTER, on=(Person.region == region.id))
        .where((Person.is_volunteer == True) & existing_on(Person, q.as_of))  # noqa: E712
        .group_by(township, Person.sex)
    )
    tally = _Tally(1)
    for township_id, sex, count in q.in_area(query, township).tuples():
        tally.add(township_id, _known(sex, SEXES), (count,))
    return tally


def _service(q: Scope) -> _Tally:
    """Per (township, sex): people who served in the period, service records, tenths of hours."""
    region = Region.alias("person_region")
    township = township_of(region)
    query = (
        ServiceRecord.select(township, Person.sex, fn.COUNT(fn.DISTINCT(ServiceRecord.person)),
                             fn.COUNT(ServiceRecord.id),
                             scaled_sum(ServiceRecord.hours, 10))
        .join(Activity)
        .join_from(ServiceRecord, Person)
        .join(region, JOIN.LEFT_OUTER, on=(Person.region == region.id))
        .where(q.in_period(Activity.held_on))
        .group_by(township, Person.sex)
    )
    tally = _Tally(3)
    for township_id, sex, *values in q.in_area(query, township).tuples():
        tally.add(township_id, _known(sex, SEXES), values)
    return tally


def training_region(region):
    return region.id == fn.COALESCE(Training.region, Venue.region)


def _trainings(q: Scope) -> _Tally:
    """Per (township, kind): trainings held in the period, attendances, tenths of hours."""
    region = Region.alias("training_region")
    township = township_of(region)
    attendance = (
        TrainingAttendance.select(fn.COUNT(TrainingAttendance.id))
        .where(TrainingAttendance.training == Training.id)
    )
    query = (
        Training.select(township, Training.kind, fn.COUNT(Training.id), fn.SUM(attendance),
                        scaled_sum(Training.hours, 10))
        .join(Venue, JOIN.LEFT_OUTER, on=(Training.venue == Venue.id))
        .join_from(Training, region, JOIN.LEFT_OUTER, on=training_region(region))
        .where(q.in_period(Training.held_on))
        .group_by(township, Training.kind)
    )
    tally = _Tally(3)
    for township_id, kind, *values in q.in_area(query, township).tuples():
        tally.add(township_id, _known(kind, TRAINING_KINDS), values)
    return tally


# --- the summary -------------------------------------------------------------------------


@dataclass(frozen=True)
class Township:
    id: int | None  # None: the unassigned row
    name: str


def area_townships(township_id: int | None) -> tuple[str, list[Township]]:
    """The area's name and its townships in the office's order (one query)."""
    regions = list(
        Region.select(Region.id, Region.name, Region.level)
        .where(Region.level.in_(("county", "township")))
        .order_by(Region.sort_order, Region.name_key, Region.id)
        .tuples()
    )
    townships = [Township(rid, name) for rid, name, level in regions if level == "township"]
    if township_id is not None:
        match = [t for t in townships if t.id == township_id]
        if not match:
            raise ValidationFailed({"township_id": msg("所选的镇（街道）不存在，请重新选择")})
        return match[0].name, match
    counties = [name for _rid, name, level in regions if level == "county"]
    return (counties[0] if len(counties) == 1 else "全县"), townships


NO_LEGAL_FORM = "未填写登记形式"
GRADUATED = INCUBATION_STAGES.label("graduated")
COMPLETE, INCOMPLETE = "齐全", "不齐全"


def _org_categories() -> list[tuple[tuple[str, str | None], str, dict[str, str]]]:
    """The (kind, legal form) rows: their key in the tallies, label and breakdown."""
    registered, grassroots = ORG_KINDS.label("registered"), ORG_KINDS.label("grassroots")
    return [
        *((("registered", code), f"{registered}：{label}", {"org_kind": registered, "legal_form": label})
          for code, label in LEGAL_FORMS),
        (("registered", None), f"{registered}：{NO_LEGAL_FORM}",
         {"org_kind": registered, "legal_form": NO_LEGAL_FORM}),
        (("grassroots", None), grassroots, {"org_kind": grassroots}),
    ]


def _keep(rows: list[tuple], keys: list[dict[str, str]],
          always: Callable[[tuple], bool]) -> tuple[list[tuple], list[dict[str, str]]]:
    """Rows worth printing, with their breakdowns: the fixed categories, plus any odd category
    that has figures."""
    kept = [(row, key) for row, key in zip(rows, keys, strict=True)
            if always(row) or any(v for v in row[1:])]
    return [row for row, _key in kept], [key for _row, key in kept]


def _total(label: str, rows: Iterable[tuple]) -> tuple:
    rows = list(rows)
    width = len(rows[0]) if rows else 0
    return (label, *(sum(row[i] for row in rows) for i in range(1, width)))


TOTAL = "合计"


class _Builder:
    def __init__(self, q: Scope):
        self.q = q
        self.org_stock = _org_stock(q)
        self.org_events = _org_events(q)
        self.new_incubations = _new_incubations(q)
        self.org_areas = _org_service_areas(q)
        self.projects = _projects(q)
        self.ventures = _ventures(q)
        self.teams = _teams(q)
        self.venues = _venues(q)
        self.venue_activities = _venue_activities(q)
        self.volunteers = _volunteers(q)
        self.service = _service(q)
        self.trainings = _trainings(q)

    # figures for one category (and optionally one township) ------------------------------

    def org_figures(self, key: tuple, township: Any = ...) -> tuple:
        def same(c):
            return c[:2] == key

        def incubating(c):
            return c[:2] == key and c[2] in INCUBATING

        orgs, alliance, alliance_new, group, overdue = self.org_stock.total(township=township,
                                                                            category=same)
        in_incubation = self.org_stock.total(township=township, category=incubating)[0]
        new = self.new_incubations.total(township=township, category=key)[0]
        graduated = self.org_events.total(
            township=township, category=lambda c: c[:2] == key and c[2] == "graduated")[0]
        return orgs, in_incubation, overdue, new, graduated, alliance, alliance_new, group

    def organizations_by_kind(self) -> Section:
        columns = [Column("类别", "text", 26), figure("期末组织数", "org.count"),
                   figure("其中：在孵", "org.incubating.count"),
                   figure("在孵超过12个月", "org.incubating_overdue.count"),
                   figure("本期新入孵", "org.incubation_started.count"),
                   figure("本期出壳", "org.stage_entered.count", stage=GRADUATED),
                   figure("公益联盟成员", "org.alliance_member.count"),
                   figure("其中：本期新入盟", "org.alliance_joined.count"),
                   figure("团体会员", "org.group_member.count")]
        categories = _org_categories()
        rows = [(label, *self.org_figures(key)) for key, label, _where in categories]
        rows, keys = _keep(rows, [where for *_, where in categories],
                           lambda row: row[0] != categories[-2][1])
        return Section("org_kinds", "社会组织（按类别）", columns, rows, _total(TOTAL, rows),
                       "在孵指处于萌芽期、初创期或发展期；本期新入孵指本期首次进入孵化阶段。", keys)

    def organizations_by_stage(self) -> Section:
        columns = [Column("孵化阶段", "text", 26), figure("期末组织数", "org.count"),
                   figure("本期进入该阶段", "org.stage_entered.count")]
        rows = []
        for code, label in [*INCUBATION_STAGES, (None, "未纳入孵化")]:
            stock = self.org_stock.total(category=lambda c, s=code: c[2] == s)[0]
            entered = self.org_events.total(category=lambda c, s=code: c[2] == s)[0] if code else 0
            rows.append((label, stock, entered))
        return Section("org_stages", "社会组织（按孵化阶段）", columns, rows, _total(TOTAL, rows),
                       "期末阶段按各组织截至期末最后进入的孵化阶段统计。",
                       [{"stage": row[0]} for row in rows])

    def organizations_by_area(self, areas: list[tuple[int, str, bool]]) -> Section:
        """Rows for the active service areas, and for retired ones still in use."""
        columns = [Column("服务领域", "text", 26), figure("期末组织数", "org.count")]
        rows = [(name, self.org_areas.total(category=aid)[0]) for aid, name, _active in areas]
        rows.append(("未填写服务领域", self.org_areas.total(category=None)[0]))
        active = {name for _aid, name, is_active in areas if is_active}
        rows, keys = _keep(rows, [{"service_area": row[0]} for row in rows],
                           lambda row: row[0] in active)
        total = ("合计（不重复计数）", self.org_stock.total()[0])
        return Section("org_areas", "社会组织（按服务领域）", columns, rows, total,
                       "一个组织可有多个服务领域，在每个领域各计一次；合计为不重复的组织数。", keys)

    def project_figures(self, township: Any = ..., source: Any = ...) -> tuple:
        count, cents, served = self.projects.total(township=township, category=source)
        return count, money_of(cents), served

    def projects_by_source(self) -> Section:
        columns = [Column("项目来源", "text", 26), figure("项目数", "project.count"),
                   figure("立项金额（元）", "project.amount_granted", "money", 16),
                   figure("服务人次", "project.people_served")]
        rows = [(label, *self.project_figures(source=code)) for code, label in PROJECT_SOURCES]
        statuses = "、".join(PROJECT_STATUSES.label(s) for s in UNDERTAKEN)
        return Section("projects", "项目（按来源）", columns, rows, _total(TOTAL, rows),
                       f"项目指本期内在实施的项目（状态为{statuses}）；跨期项目在所跨各期均计入。",
                       [{"source": row[0]} for row in rows])

    def ventures_by_source(self) -> Section:
        columns = [Column("轮次类型", "text", 26), figure("申报数", "venture.application.count"),
                   figure("申请金额（元）", "venture.application.amount_requested", "money", 16),
                   figure("入选数", "venture.winner.count"),
                   figure("资助金额（元）", "venture.winner.amount_granted", "money", 16)]
        rows = []
        for code, label in ROUND_SOURCES:
            count, requested, won, granted = self.ventures.total(category=code)
            rows.append((label, count, money_of(requested), won, money_of(granted)))
        return Section("ventures", "公益创投和微创投（按轮次类型）", columns, rows, _total(TOTAL, rows),
                       "计入征集日期在本期的轮次的全部申报；入选含已立项的。",
                       [{"source": row[0]} for row in rows])

    def teams_by_completeness(self) -> Section:
        roles = [PERSON_ROLES.label(r) for r in PERSON_ROLES.codes()]
        columns = [Column("团队", "text", 26), figure("团队数", "team.count"),
                   *(figure(f"在岗{role}", "team.member.count", role=role) for role in roles),
                   figure("其中有社工的团队", "team.with_social_worker.count")]
        rows = [(label, *self.teams.total(category=flag))
                for flag, label in ((True, f"{COMPLETE}团队"), (False, f"{INCOMPLETE}团队"))]
        return Section("teams", "三工联动团队", columns, rows, _total(TOTAL, rows),
                       "齐全指期末同时有在岗的妇工、社工和义工；成员按团队计，一人在两个团队各计一次。",
                       [{"completeness": COMPLETE}, {"completeness": INCOMPLETE}])

    def venues_by_level(self) -> Section:
        columns = [Column("阵地级别", "text", 16),
                   *(figure(label, "venue.count", venue_kind=label) for _c, label in VENUE_KINDS),
                   figure("阵地合计", "venue.count"), figure("本期活动次数", "activity.at_venue.count"),
                   figure("本期服务人次", "activity.at_venue.people_served")]
        rows = []
        for level, label in [*VENUE_LEVELS, (None, "未填写级别")]:
            kinds = [self.venues.total(category=(level, kind))[0] for kind in VENUE_KINDS.codes()]
            activities = self.venue_activities.total(category=level)
            rows.append((label, *kinds, sum(kinds), *activities))
        rows, keys = _keep(rows, [{"venue_level": row[0]} for row in rows],
                           lambda row: row[0] != "未填写级别")
        return Section("venues", "活动阵地（按级别和类型）", columns, rows, _total(TOTAL, rows),
                       "活动次数和服务人次只计在登记的活动阵地举办的活动。", keys)

    def volunteers_by_sex(self) -> Section:
        columns = [Column("性别", "text", 16), figure("注册志愿者", "person.volunteer.count"),
                   figure("本期参与服务人数", "activity.volunteer.count"),
                   figure("服务人次", "activity.service_record.count"),
                   figure("服务时长（小时）", "activity.volunteer_hours", "hours", 14)]
        rows = []
        for code, label in [*SEXES, (None, "未填写")]:
            served = self.service.total(category=code)
            rows.append((label, self.volunteers.total(category=code)[0], served[0], served[1],
                         hours_of(served[2])))
        rows, keys = _keep(rows, [{"sex": row[0]} for row in rows], lambda row: row[0] != "未填写")
        return Section("volunteers", "志愿者和志愿服务", columns, rows, _total(TOTAL, rows),
                       "志愿服务按活动日期计入报告期，按服务者所在地区计入镇（街道）。", keys)

    def trainings_by_kind(self) -> Section:
        columns = [Column("类型", "text", 16), figure("场次", "training.count"),
                   figure("参训人次", "training.attendance.count"),
                   figure("时长（小时）", "training.hours", "hours", 14)]
        rows = []
        for code, label in [*TRAINING_KINDS, (None, "其他")]:
            count, attendance, tenths = self.trainings.total(category=code)
            rows.append((label, count, attendance, hours_of(tenths)))
        rows, keys = _keep(rows, [{"training_kind": row[0]} for row in rows],
                           lambda row: row[0] != "其他")
        return Section("trainings", "培训与督导", columns, rows, _total(TOTAL, rows), keys=keys)

    # the county's breakdown by township ----------------------------------------------------

    def township_rows(self, townships: list[Township], figures: Callable[[Any], tuple]) -> list[tuple]:
        rows = [(t.name, *figures(t.id)) for t in townships]
        unassigned = (UNASSIGNED_LABEL, *figures(None))
        if any(unassigned[1:]):
            rows.append(unassigned)
        return rows

    def breakdown_orgs(self, townships: list[Township]) -> Section:
        columns = [Column("镇（街道）", "text", 20), figure("社会组织", "org.count"),
                   figure("其中：登记注册", "org.count", org_kind=ORG_KINDS.label("registered")),
                   figure("在孵", "org.incubating.count"),
                   figure("本期新入孵", "org.incubation_started.count"),
                   figure("本期出壳", "org.stage_entered.count", stage=GRADUATED),
                   figure("公益联盟成员", "org.alliance_member.count"), figure("项目数", "project.count"),
                   figure("立项金额（元）", "project.amount_granted", "money", 16),
                   figure("项目服务人次", "project.people_served")]

        def figures(township):
            orgs, alliance, *_others = self.org_stock.total(township=township)
            registered = self.org_stock.total(township=township,
                                              category=lambda c: c[0] == "registered")[0]
            incubating = self.org_stock.total(township=township,
                                              category=lambda c: c[2] in INCUBATING)[0]
            new = self.new_incubations.total(township=township)[0]
            graduated = self.org_events.total(township=township,
                                              category=lambda c: c[2] == "graduated")[0]
            return (orgs, registered, incubating, new, graduated, alliance,
                    *self.project_figures(township=township))

        rows = self.township_rows(townships, figures)
        return Section("townships_orgs", "分镇（街道）情况（一）：社会组织和项目", columns, rows,
                       _total(TOTAL, rows) if rows else None,  # no townships (a city's own records)
                       f"未填写地区或登记在县级的记录列入“{UNASSIGNED_LABEL}”，各行相加等于合计。",
                       [{"township": row[0]} for row in rows])

    def breakdown_services(self, townships: list[Township]) -> Section:
        columns = [Column("镇（街道）", "text", 20), figure("团队数", "team.count"),
                   figure("其中：齐全", "team.count", completeness=COMPLETE),
                   figure("阵地数", "venue.count"), figure("阵地活动次数", "activity.at_venue.count"),
                   figure("活动服务人次", "activity.at_venue.people_served"),
                   figure("注册志愿者", "person.volunteer.count"),
                   figure("志愿服务时长（小时）", "activity.volunteer_hours", "hours", 14),
                   figure("培训场次", "training.count"), figure("参训人次", "training.attendance.count")]

        def figures(township):
            teams = self.teams.total(township=township)[0]
            complete = self.teams.total(township=township, category=True)[0]
            venues = self.venues.total(township=township)[0]
            activities, served = self.venue_activities.total(township=township)
            volunteers = self.volunteers.total(township=township)[0]
            tenths = self.service.total(township=township)[2]
            trainings, attendance, _ = self.trainings.total(township=township)
            return (teams, complete, venues, activities, served, volunteers, hours_of(tenths),
                    trainings, attendance)

        rows = self.township_rows(townships, figures)
        return Section("townships_services", "分镇（街道）情况（二）：团队、阵地、志愿服务和培训",
                       columns, rows, _total(TOTAL, rows) if rows else None,
                       keys=[{"township": row[0]} for row in rows])


def stock_day(period: Period, today: dt.date | None = None) -> dt.date:
    """The day stock figures are taken: the period's end, or today while it is running."""
    return min(period.end, today or dt.date.today())


def check_period(period: Period, today: dt.date | None = None) -> None:
    if period.start > (today or dt.date.today()):
        raise ValidationFailed({"period": msg("报告期{label}尚未开始，请选择已开始的报告期",
                                              label=period.label)})


def compute_summary(period: Period, township_id: int | None = None,
                    today: dt.date | None = None) -> SummaryData:
    """The summary of ``period`` for one township, or the county (``None``) with its breakdown."""
    check_period(period, today)
    area_name, townships = area_townships(township_id)
    q = Scope(period, township_id, stock_day(period, today))
    b = _Builder(q)
    areas = list(ServiceArea.select(ServiceArea.id, ServiceArea.name, ServiceArea.active)
                 .order_by(ServiceArea.sort_order, ServiceArea.id).tuples())
    sections = [
        b.organizations_by_kind(),
        b.organizations_by_stage(),
        b.organizations_by_area(areas),
        b.projects_by_source(),
        b.ventures_by_source(),
        b.teams_by_completeness(),
        b.venues_by_level(),
        b.volunteers_by_sex(),
        b.trainings_by_kind(),
    ]
    if township_id is None:
        sections += [b.breakdown_orgs(townships), b.breakdown_services(townships)]
    return SummaryData(period, township_id, area_name, q.as_of, sections)
