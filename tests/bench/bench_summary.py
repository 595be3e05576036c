"""The county's periodic summary on the 100k demo database, against the raw SQL it needs.

Run: python tests/bench/bench_summary.py [--db DEMO.db] [--period 2025] [--repeat 5]
Without --db a 100,000-person demo database is generated in a temporary folder first
(``jinguo demo --db DEMO.db --people 100000`` makes the same one to keep).

Floors, measured in the same run with sqlite3 on the same file:
- raw: hand-written aggregates giving the same kinds of figures (per region and category,
  no stage history, no township mapping), the least SQL a summary needs;
- replay: the very statements the summary runs, replayed with sqlite3 (no peewee, no Python
  assembling).
Targets: the county summary under 1 s, and within 3x of the raw floor.
Also prints the PDF and xlsx exports of the summary.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from desktop.context import build_context
from desktop.reports.summary import export_summary
from models.periods import Period, parse_period
from models.summary import compute_summary

TARGET_SECONDS = 1.0
TARGET_RATIO = 3.0

RAW = [
    ("select region_id, kind, legal_form, incubation_stage, sum(alliance_member), sum(group_member), "
     "count(*) from organization where archived = 0 or archived_on > :end "
     "group by region_id, kind, legal_form, incubation_stage"),
    ("select o.region_id, s.stage, count(*) from organization_stage s join organization o "
     "on o.id = s.organization_id where s.entered_on between :start and :end group by 1, 2"),
    ("select o.region_id, l.service_area_id, count(*) from organization o left join "
     "organization_service_area l on l.organization_id = o.id where o.archived = 0 group by 1, 2"),
    ("select coalesce(o.region_id, t.region_id), p.source, count(*), sum(p.amount_granted), "
     "sum(p.actual_served) from project p left join organization o on o.id = p.organization_id "
     "left join team t on t.id = p.team_id where p.year = :year group by 1, 2"),
    ("select t.region_id, a.role, count(*) from team t left join team_assignment a on a.team_id = t.id "
     "and (a.start_on is null or a.start_on <= :end) and (a.end_on is null or a.end_on >= :end) "
     "where t.archived = 0 group by 1, 2"),
    "select region_id, level, kind, count(*) from venue where archived = 0 group by 1, 2, 3",
    ("select v.region_id, v.level, count(*), sum(a.people_served) from activity a join venue v "
     "on v.id = a.venue_id where a.held_on between :start and :end group by 1, 2"),
    ("select region_id, sex, count(*) from person where is_volunteer = 1 "
     "and (archived = 0 or archived_on > :end) group by 1, 2"),
    ("select p.region_id, p.sex, count(distinct s.person_id), count(*), sum(s.hours) "
     "from service_record s join activity a on a.id = s.activity_id join person p on p.id = s.person_id "
     "where a.held_on between :start and :end group by 1, 2"),
    ("select coalesce(t.region_id, v.region_id), t.kind, count(distinct t.id), count(a.id), sum(t.hours) "
     "from training t left join venue v on v.id = t.venue_id left join training_attendance a "
     "on a.training_id = t.id where t.held_on between :start and :end group by 1, 2"),
]


def timed(run: Callable[[], object], repeat: int) -> float:
    """The median of ``repeat`` runs after one warm-up run, in seconds."""
    run()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def capture_statements(db, period: Period) -> list[tuple[str, tuple]]:
    statements: list[tuple[str, tuple]] = []
    original = db.execute_sql

    def recording(sql, params=None, *args, **kwargs):
        statements.append((sql, tuple(params or ())))
        return original(sql, params, *args, **kwargs)

    db.execute_sql = recording
    try:
        compute_summary(period)
    finally:
        db.execute_sql = original
    return statements


def sqlite_param(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--period", default=None, help="报告期（默认为上一个完整年度）")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db_path = args.db
        if db_path is None:
            from desktop.demo import fill_demo

            db_path = Path(folder) / "demo.db"
            print("generating a 100,000-person demo database…", flush=True)
            context = build_context(db_path)
            fill_demo(people=100_000)
            context.close()
        ctx = build_context(db_path)
        period = parse_period(args.period) if args.period else Period.for_year(time.localtime().tm_year - 1)
        summary = timed(lambda: compute_summary(period), args.repeat)

        con = sqlite3.connect(str(db_path))
        named = {"start": period.start.isoformat(), "end": period.end.isoformat(), "year": period.year}
        raw = timed(lambda: [con.execute(sql, named).fetchall() for sql in RAW], args.repeat)
        statements = [(sql, tuple(sqlite_param(p) for p in params))
                      for sql, params in capture_statements(ctx.db, period)]
        replay = timed(lambda: [con.execute(sql, params).fetchall() for sql, params in statements],
                       args.repeat)

        out = Path(folder)
        start = time.perf_counter()
        export_summary(out / "summary.pdf", period, None, "pdf")
        pdf_seconds = time.perf_counter() - start
        start = time.perf_counter()
        export_summary(out / "summary.xlsx", period, None, "xlsx")
        xlsx_seconds = time.perf_counter() - start
        ctx.close()
        con.close()

    ratio = summary / raw
    print(f"period {period.label}, {len(statements)} statements")
    print(f"county summary          {summary * 1000:8.1f} ms (target < {TARGET_SECONDS * 1000:.0f} ms)")
    print(f"raw SQL floor           {raw * 1000:8.1f} ms  -> ratio {ratio:.2f} (target <= {TARGET_RATIO})")
    print(f"its statements replayed {replay * 1000:8.1f} ms  -> ratio {summary / replay:.2f}")
    print(f"PDF export              {pdf_seconds * 1000:8.1f} ms")
    print(f"xlsx export (with lists){xlsx_seconds * 1000:8.1f} ms")
    ok = summary < TARGET_SECONDS and ratio <= TARGET_RATIO
    print("OK" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
