"""The periodic summary as JSON: a header saying whose figures these are, and one row per figure.

``{"header": {…}, "values": [{"indicator": "org.count", "disaggregation": {"stage": "初创期"},
"value": 12}, …]}``. Indicator codes and dimension keys are those of ``models/indicators.py``
(listed in docs/indicators.md); counts are JSON integers, money and hours exact decimals as
strings. The same rows are what a report package sent upward will carry, so the header names
the office, the area (with its division code), the period and the program and format versions.
A summary holds no personal data; the export is still written to the audit trail, as every
export is.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from models.entities import Region
from models.indicators import indicator, summary_figures
from models.schema import program_version
from models.settings import get_setting
from models.summary import SummaryData

SCHEMA = "jinguo-hub.summary"
SCHEMA_VERSION = 1


def value_json(code: str, value: int | Decimal) -> int | str:
    """Counts as integers; money (to the fen) and hours (to a tenth) as decimal text."""
    kind = indicator(code).kind
    if kind == "money":
        return f"{Decimal(value):.2f}"
    if kind == "hours":
        return f"{Decimal(value):.1f}"
    return int(value)


def _area(data: SummaryData) -> dict[str, Any]:
    """The area's name, level and administrative division code (empty when not recorded)."""
    if data.township_id is not None:
        region = Region.get_or_none(Region.id == data.township_id)
    else:
        counties = list(Region.select().where(Region.level == "county").limit(2))
        region = counties[0] if len(counties) == 1 else None
    return {"name": data.area_name, "level": "township" if data.township_id is not None else "county",
            "code": region.code if region is not None else ""}


def summary_header(data: SummaryData, generated_at: dt.datetime | None = None) -> dict[str, Any]:
    period = data.period
    stamp = (generated_at or dt.datetime.now()).astimezone().replace(microsecond=0)
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "program": "jinguo-hub",
        "program_version": program_version(),
        "generated_at": stamp.isoformat(),
        "title": data.title,
        "office": get_setting("office.name"),
        "table_no": get_setting("report.table_no"),
        "issuer": get_setting("report.issuer"),
        "area": _area(data),
        "period": {"code": period.code, "kind": period.kind, "label": period.label,
                   "start": period.start.isoformat(), "end": period.end.isoformat()},
        "as_of": data.as_of.isoformat(),
    }


def summary_document(data: SummaryData, generated_at: dt.datetime | None = None) -> dict[str, Any]:
    values = [
        {"indicator": f.indicator, "disaggregation": dict(f.disaggregation) or None,
         "value": value_json(f.indicator, f.value)}
        for f in summary_figures(data.sections)
    ]
    return {"header": summary_header(data, generated_at), "values": values}


def summary_json_text(document: dict[str, Any]) -> str:
    """UTF-8 JSON with one line per figure, so that two exports compare line by line (diff)."""
    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    values = ",\n".join(f"  {dump(row)}" for row in document["values"])
    return (f'{{\n "header": {dump(document["header"])},\n "values": [\n{values}\n ]\n}}\n')


def write_summary_json(path: Path, data: SummaryData) -> None:
    Path(path).write_text(summary_json_text(summary_document(data)), encoding="utf-8")
