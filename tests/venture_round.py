"""A 微创投 round as the county ran it (48 proposals, 300,000 yuan, five reviewers), built through
the services, for the tests of the round's services, pages, command and sheets.

Scores are chosen so that the ranking can be worked out by hand: ``score_of`` gives each
reviewer's score of each application on each criterion; applications 1–3 have the hand-picked
scores the tests check.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from models import audit
from models.entities import Organization, Person, Region, ServiceArea, User, Venue
from models.memberships import add_membership
from models.venture import ApplicationData, RoundData, change_status, save_application, save_round
from models.venture_entities import VentureApplication, VentureRound
from models.venture_review import ReviewerData, save_reviewer, set_criteria

CRITERIA = [("需求", 20), ("设计", 30), ("能力", 20), ("预算", 15), ("可持续", 15)]
REVIEWERS = ["周专家", "吴专家", "郑专家", "王专家", "冯专家"]
APPLICATIONS = 48
BUDGET = Decimal("300000")
CAP = Decimal("30000")
CALL_ON = dt.date(2025, 3, 1)

# Hand-picked scores of the first three applications: reviewer → per-criterion scores.
# Application 1: totals 90, 80, 70 (100·20+50·30+100·20+60·15+40·15 = 7,000 ÷ 100), 95, 60
#   → 95 and 60 dropped → (90 + 80 + 70) ÷ 3 = 80.00
# Application 2: totals 88, 88, 88, 88, 88 → 88.00 (the highest of the round)
# Application 3: totals 85.5, 70, 99, 72, 81 → 99 and 70 dropped → (85.5 + 72 + 81) ÷ 3 = 79.50
HAND = {
    1: [[90] * 5, [80] * 5, [100, 50, 100, 60, 40], [95] * 5, [60] * 5],
    2: [[88] * 5] * 5,
    3: [[85.5] * 5, [70] * 5, [99] * 5, [72] * 5, [81] * 5],
}
EXPECTED = {1: Decimal("80.00"), 2: Decimal("88.00"), 3: Decimal("79.50")}


def score_of(app_number: int, reviewer: int, criterion: int) -> float:
    """Reviewer ``reviewer`` (0–4) on criterion ``criterion`` (0–4) of application ``app_number``."""
    if app_number in HAND:
        return HAND[app_number][reviewer][criterion]
    # Applications 4–48: a base that falls with the number, a reviewer's spread around it.
    # 4 and 5 get the same scores from everyone: a tie.
    base = 86 - (4 if app_number == 5 else app_number) * 0.5
    return round(base + (reviewer - 2) * 1.5 + (criterion % 2) * 0.5, 1)


def requested_of(app_number: int) -> Decimal:
    """25,000 yuan, except: no. 2 asks for the cap, no. 4 for 20,000 (twelve winners fit exactly)."""
    return {2: CAP, 4: Decimal("20000")}.get(app_number, Decimal("25000"))


@dataclass
class Round:
    round: VentureRound
    applications: list[VentureApplication]  # in number order (1 … 48)
    conflicted: Person  # the 冯专家, a member of application 3's organization


def build_round(user: User | None, townships: list[Region]) -> Round:
    areas = list(ServiceArea.select().order_by(ServiceArea.sort_order))
    rnd = save_round(RoundData(
        name="2025年度妇联微创投", source="micro_venture", year=2025, organiser="青禾县妇联",
        budget="300,000", project_cap="30000", call_on=CALL_ON, training_on=dt.date(2025, 3, 20),
        review_on=dt.date(2025, 4, 10), publicity_on=dt.date(2025, 4, 20), approval_on=dt.date(2025, 5, 1),
        midterm_on=dt.date(2025, 9, 1), closing_on=dt.date(2026, 3, 1)), user, today=dt.date(2025, 3, 1))
    set_criteria(rnd, CRITERIA, user)
    homes = {t.id: audit.create(Venue, user, name=f"{t.name}妇女儿童之家", level="town",
                                kind="women_children_home", region=t) for t in townships}
    apps = []
    for n in range(1, APPLICATIONS + 1):
        town = townships[n % len(townships)]
        org = audit.create(Organization, user, name=f"巾帼互助社{n:02d}", kind="grassroots", region=town)
        app = save_application(ApplicationData(
            round_id=rnd.id, organization_id=org.id, title=f"微心愿项目{n:02d}",
            service_area_id=areas[n % len(areas)].id, target_group="留守儿童", region_id=town.id,
            venue_ids=[homes[town.id].id], amount_requested=str(requested_of(n)),
            people_planned=100 + n), user, on=CALL_ON)
        for status, day in (("screened", dt.date(2025, 3, 10)), ("revising", dt.date(2025, 3, 20)),
                            ("reviewing", dt.date(2025, 4, 1))):
            app = change_status(app, status, user, day)
        apps.append(app)
    person = audit.create(Person, user, name="冯专家")
    add_membership(user, person, apps[2].organization, "member", dt.date(2024, 1, 1))
    for i, name in enumerate(REVIEWERS):
        save_reviewer(ReviewerData(round_id=rnd.id, name=name, affiliation="县社工协会",
                                   person_id=person.id if i == 4 else None), user)
    return Round(rnd, apps, person)


def fill_sheet(path: Path, reviewer: int, numbers: dict[int, int]) -> None:
    """Fill a printed sheet as reviewer ``reviewer`` would (``numbers``: application id → number)."""
    wb = load_workbook(path)
    ws = wb["评分表"]
    header = next(r for r in range(1, 10) if ws.cell(r, 1).value == "序号")
    for row in range(header + 1, ws.max_row + 1):
        app_id = ws.cell(row, 2).value
        if app_id is None:
            continue
        for c in range(5):
            ws.cell(row, 6 + c).value = score_of(numbers[int(app_id)], reviewer, c)
    wb.save(path)


def score_round(built: Round, user: User | None, folder: Path) -> None:
    """Print the five sheets into ``folder``, fill them in and import them."""
    from desktop.venture.sheets import import_reviewer_sheets, write_all_sheets

    numbers = {a.id: n for n, a in enumerate(built.applications, start=1)}
    folder.mkdir(parents=True, exist_ok=True)
    sheets = write_all_sheets(folder, built.round, user)
    for i, path in enumerate(sheets):
        fill_sheet(path, i, numbers)
    import_reviewer_sheets(sheets, built.round, user)


def decided_round(user: User | None, townships: list[Region], folder: Path) -> Round:
    """The round scored, the proposal taken as the decision, and the winners made projects."""
    from models.venture_review import decide_selection, establish_selected, propose_selection

    built = build_round(user, townships)
    score_round(built, user, folder)
    chosen = {p.application_id: p.amount for p in propose_selection(built.round) if p.proposed}
    decide_selection(built.round, chosen, user, dt.date(2025, 4, 15))
    establish_selected(built.round, user, dt.date(2025, 5, 1))
    return built
