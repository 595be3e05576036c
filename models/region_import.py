"""Bringing an office's area in from the official division table, as Region rows with their codes.

The table itself is read by desktop.divisions (a bundled file); this module only receives its rows
and writes them, audited (new ones in bulk, codes filled in through ``save_region``), merging with
what the office already has: a region found by its code, or else by its name under the same
parent, is kept as it is (its missing code filled in), so running the import again adds only what
is new and never renames or moves a region the office has edited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from . import audit
from .choices import REGION_LEVELS
from .db import IdSource, database
from .entities import Region, User
from .errors import ValidationFailed
from .i18n import msg
from .sortkey import name_columns
from .vocabularies import RegionData, save_region


@dataclass(frozen=True)
class OfficialRegion:
    code: str
    name: str
    level: str  # county / township / village
    parent_code: str | None  # None for the county
    sort_order: int = 0


@dataclass
class RegionImportResult:
    created: int = 0
    coded: int = 0  # already there without a code: the official code was filled in
    kept: int = 0  # already there with its code: left as it is
    region_ids: dict[str, int] = field(default_factory=dict)  # official code -> its Region's id


CODE_LENGTHS = {"county": 6, "township": 9, "village": 12}


def _matching(row: OfficialRegion, parent_id: int | None, by_code: dict[tuple[str, str], Region],
              by_name: dict[tuple[int | None, str], Region]) -> Region | None:
    found = by_code.get((row.level, row.code))
    if found is not None:
        return found
    found = by_name.get((parent_id, row.name))
    if found is not None and found.level != row.level:  # the unique (parent, name) is taken
        raise ValidationFailed({"name": msg(
            "已有名为“{name}”的{level}，与要导入的{wanted}同名。请先在 行政区划 页把它改名，再导入。",
            name=row.name, level=REGION_LEVELS.label(found.level), wanted=REGION_LEVELS.label(row.level))})
    return found


def import_official_regions(rows: Sequence[OfficialRegion], user: User | None) -> RegionImportResult:
    """Write ``rows`` (parents before their children) as Region rows, all or none.

    A county brings a few hundred rows (浦东新区 1,569): the new ones are written in bulk, each
    with its audit line (models.audit.create_many); a region already there that lacks its code
    gets it through ``save_region``."""
    result = RegionImportResult()
    ids: dict[str, int] = {}  # official code -> Region id, of the rows met so far
    new_rows: list[dict] = []
    with database.atomic():
        existing = list(Region.select())
        by_code = {(r.level, r.code): r for r in existing if r.code}
        by_name = {(r.parent_id, r.name): r for r in existing}
        id_source = IdSource(Region)
        for row in rows:
            if len(row.code) != CODE_LENGTHS.get(row.level) or not row.code.isdigit() or not row.name:
                raise ValueError(f"not an official region: {row}")
            parent_id = ids.get(row.parent_code) if row.parent_code else None
            if row.parent_code and parent_id is None:
                raise ValueError(f"{row.code}: its parent {row.parent_code} comes after it or is missing")
            region = _matching(row, parent_id, by_code, by_name)
            if region is None:
                ids[row.code] = id_source.next()
                new_rows.append({"id": ids[row.code], "name": row.name, **name_columns(row.name),
                                 "level": row.level, "parent": parent_id, "code": row.code,
                                 "sort_order": row.sort_order})
                continue
            if not region.code:
                region = save_region(RegionData(name=region.name, level=region.level,
                                                parent_id=region.parent_id, code=row.code,
                                                sort_order=region.sort_order), user, region)
                result.coded += 1
            else:
                result.kept += 1
            ids[row.code] = region.id
        audit.create_many(Region, user, new_rows, [r["name"] for r in new_rows])
        result.created = len(new_rows)
    result.region_ids = ids
    return result
