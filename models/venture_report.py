"""The figures of a round (its report, and the 公示 list): applications by service area and by
township, amounts requested and granted, people to be served; each table's rows add up to its
total line."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from .choices import APPLICATION_STATUSES, ROUND_SOURCES
from .entities import Organization, Region, ServiceArea
from .venture import WINNERS
from .venture_entities import VentureApplication, VentureRound
from .venture_review import criteria_of, ranking, reviewers_of

UNSPECIFIED = "（未填）"


@dataclass
class ReportLine:
    label: str
    applications: int = 0
    requested: Decimal = Decimal(0)
    people_planned: int = 0
    winners: int = 0
    granted: Decimal = Decimal(0)
    winners_people: int = 0

    def add(self, requested: Decimal, people: int, winner: bool, granted: Decimal) -> None:
        self.applications += 1
        self.requested += requested
        self.people_planned += people
        if winner:
            self.winners += 1
            self.granted += granted
            self.winners_people += people

    def values(self) -> tuple:
        return (self.label, self.applications, self.requested, self.people_planned, self.winners,
                self.granted, self.winners_people)


REPORT_COLUMNS = ("", "申报数", "申请金额（元）", "计划服务人次", "入选数", "资助金额（元）",
                  "入选项目计划服务人次")
REPORT_KINDS = ("text", "int", "money", "int", "int", "money", "int")


@dataclass
class RoundReport:
    round_name: str
    source: str
    year: int
    organiser: str
    budget: Decimal
    project_cap: Decimal | None
    criteria: list[tuple[str, int]]
    reviewers: int
    by_status: list[tuple[str, int]]
    by_area: list[ReportLine]
    by_township: list[ReportLine]
    total: ReportLine
    key_dates: list[tuple[str, dt.date]] = field(default_factory=list)


def _township_of(region_ids: set[int]) -> dict[int, tuple[int, str]]:
    """Region id → (township id, name): a village counts in its township."""
    regions = {r.id: r for r in Region.select(Region.id, Region.name, Region.level, Region.parent)}
    found = {}
    for rid in region_ids:
        r = regions.get(rid)
        while r is not None and r.level == "village" and r.parent_id in regions:
            r = regions[r.parent_id]
        if r is not None:
            found[rid] = (r.id, r.name)
    return found


def round_report(rnd: VentureRound) -> RoundReport:
    from .venture import KEY_DATE_LABELS, KEY_DATES

    apps = list(VentureApplication.select(VentureApplication, Organization.region)
                .join(Organization).where(VentureApplication.round == rnd).order_by(VentureApplication.id))
    areas = dict(ServiceArea.select(ServiceArea.id, ServiceArea.name).tuples())
    area_order = {a.id: i for i, a in enumerate(ServiceArea.select(ServiceArea.id)
                                                .order_by(ServiceArea.sort_order, ServiceArea.id))}
    places = {a.region_id or a.organization.region_id for a in apps} - {None}
    townships = _township_of(places)
    by_area: dict[int | None, ReportLine] = {}
    by_township: dict[int | None, ReportLine] = {}
    statuses: dict[str, int] = defaultdict(int)
    total = ReportLine("合计")
    for a in apps:
        winner = a.status in WINNERS
        granted = Decimal(a.amount_granted or 0)
        requested = Decimal(a.amount_requested)
        statuses[a.status] += 1
        area = by_area.setdefault(a.service_area_id, ReportLine(areas.get(a.service_area_id, UNSPECIFIED)))
        town_id, town = townships.get(a.region_id or a.organization.region_id, (None, UNSPECIFIED))
        place = by_township.setdefault(town_id, ReportLine(town))
        for line in (area, place, total):
            line.add(requested, a.people_planned, winner, granted)
    area_lines = sorted(by_area.items(), key=lambda kv: (kv[0] is None, area_order.get(kv[0], 0)))
    town_lines = sorted(by_township.items(), key=lambda kv: (kv[0] is None, kv[1].label))
    return RoundReport(
        rnd.name, ROUND_SOURCES.label(rnd.source), rnd.year, rnd.organiser, Decimal(rnd.budget),
        Decimal(rnd.project_cap) if rnd.project_cap is not None else None,
        [(c.name, c.weight) for c in criteria_of(rnd)], len(reviewers_of(rnd)),
        [(APPLICATION_STATUSES.label(code), statuses[code]) for code in APPLICATION_STATUSES.codes()
         if statuses[code]],
        [line for _, line in area_lines], [line for _, line in town_lines], total,
        [(label, getattr(rnd, key)) for key, label in zip(KEY_DATES, KEY_DATE_LABELS, strict=True)
         if getattr(rnd, key)],
    )


@dataclass(frozen=True)
class PublicityRow:
    number: int
    organization: str
    title: str
    service_area: str
    score: Decimal | None
    amount: Decimal


def publicity_rows(rnd: VentureRound) -> list[PublicityRow]:
    """The 公示 list: the selected (and established) applications in ranking order, with their
    score and the amount granted."""
    scores = {r.application_id: (r.rank, r.score) for r in ranking(rnd)}
    apps = list(VentureApplication.select(VentureApplication, Organization.name)
                .join(Organization).where((VentureApplication.round == rnd)
                                          & VentureApplication.status.in_(WINNERS)))
    areas = dict(ServiceArea.select(ServiceArea.id, ServiceArea.name).tuples())
    apps.sort(key=lambda a: (scores.get(a.id, (None, None))[0] or 10**6, a.id))
    return [PublicityRow(i, a.organization.name, a.title, areas.get(a.service_area_id, ""),
                         scores.get(a.id, (None, None))[1], Decimal(a.amount_granted or 0))
            for i, a in enumerate(apps, start=1)]


@dataclass(frozen=True)
class LetterRow:
    """One applicant's result (结果通知书): ``amount`` is the grant of a winner, None otherwise."""

    application_id: int
    organization: str
    title: str
    selected: bool
    amount: Decimal | None


def letter_rows(rnd: VentureRound) -> list[LetterRow]:
    """The decided applications of the round (入选, 立项 or 未入选), in the order they were
    registered; the undecided ones get no letter yet."""
    apps = (VentureApplication.select(VentureApplication, Organization.name).join(Organization)
            .where((VentureApplication.round == rnd)
                   & VentureApplication.status.in_((*WINNERS, "not_selected")))
            .order_by(VentureApplication.id))
    return [LetterRow(a.id, a.organization.name, a.title, a.status in WINNERS,
                      Decimal(a.amount_granted) if a.status in WINNERS else None) for a in apps]
