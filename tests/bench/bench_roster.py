"""A 10,000-member roster to PDF, against reportlab setting the same strings as plain tables.

Run: python tests/bench/bench_roster.py [--members 10000]
The floor is reportlab building the roster's very strings (the rows the export prints) as
page-sized plain tables with a repeated header, in the same embedded font, with nothing
else (no title, no page numbers, no wrapping). Target: the export within 1.5x the floor.
Also prints the xlsx export and the stroke-order sort on their own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from peewee import chunked
from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

from desktop.context import build_context
from desktop.reports import pdf
from desktop.reports.roster import _columns, _values, export_roster
from models.db import database
from models.entities import Membership, Organization, Person
from models.rosters import build_roster, sort_rows
from models.sortkey import pinyin_key
from models.validators import id_check_char

TARGET_RATIO = 1.5
PAGE_ROWS = 45  # what fits on an A4 page at this row height
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
            "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武")
GIVEN = "秀英桂兰玉凤珍芳娜敏静丽艳华红梅霞燕琳雪婷慧颖晶"


def populate(members: int) -> int:
    """One organization with ``members`` members, each with a valid, unique ID number."""
    org = Organization.create(name="青禾县巾帼志愿者协会", kind="grassroots")
    people = []
    for i in range(members):
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[i % len(GIVEN)] + GIVEN[(i * 7) % len(GIVEN)]
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=i // 1000 * 400)
        first17 = f"320102{birth:%Y%m%d}{i % 1000:03d}"
        people.append({"name": name, "name_key": pinyin_key(name), "sex": "F", "birth_date": birth,
                       "id_number": first17 + id_check_char(first17), "phone": f"138{i:08d}"})
    with database.atomic():
        for batch in chunked(people, 500):
            Person.insert_many(batch).execute()
        ids = [pid for (pid,) in Person.select(Person.id).tuples()]
        for batch in chunked([{"person": pid, "organization": org.id} for pid in ids], 500):
            Membership.insert_many(batch).execute()
    return org.id


def plain_tables(path: Path, header: list[str], rows: list[list[str]], widths: list[float], pagesize) -> None:
    pdf.register_fonts()
    style = TableStyle([("FONTNAME", (0, 0), (-1, -1), pdf.SANS), ("FONTSIZE", (0, 0), (-1, -1), 9)])
    story = []
    for start in range(0, len(rows), PAGE_ROWS):
        table = Table([header, *rows[start:start + PAGE_ROWS]], colWidths=widths, repeatRows=1)
        table.setStyle(pdf.GRID)  # the same grid, padding and header shading as the export
        table.setStyle(style)
        story.append(table)
    SimpleDocTemplate(str(path), pagesize=pagesize, initialFontName=pdf.SANS).build(story)


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        ctx = build_context(out / "bench.db")
        org_id = populate(args.members)
        roster = build_roster("organization", org_id)
        rows = [["" if v is None else str(v) for v in values] for values in _values(roster)]
        columns = _columns(roster)
        pagesize = pdf.page_size(len(columns))
        width = pdf.content_width(pagesize)
        widths = [width * c[2] / sum(c[2] for c in columns) for c in columns]
        pdf.register_fonts()
        header = [c[0] for c in columns]
        floor = timed(lambda: plain_tables(out / "floor.pdf", header, rows, widths, pagesize))
        export = timed(lambda: export_roster(out / "roster.pdf", "organization", org_id, "pdf"))
        xlsx = timed(lambda: export_roster(out / "roster.xlsx", "organization", org_id, "xlsx"))
        sort = timed(lambda: sort_rows(list(roster.rows), "strokes"))
        ctx.close()
    ratio = export / floor
    print(f"roster PDF, {args.members} members: {export:.2f} s; plain reportlab tables {floor:.2f} s; "
          f"ratio {ratio:.2f} (target <= {TARGET_RATIO})")
    print(f"roster xlsx: {xlsx:.2f} s; stroke-order sort alone: {sort * 1000:.0f} ms")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
