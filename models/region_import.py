"""Bringing an office's area in from the official division table, as Region rows with their codes.

The table itself is read by desktop.divisions (a bundled file); this module only receives its
rows and writes them through ``save_region`` (validated, audited), merging with what the office
already has: a region found by its code, or else by its name under the same parent, is kept
as it is (its missing code filled in), so running the import again adds only what is new and
never renames or moves a region the office has edited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .db import database
from .entities import Region, User
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
    regions: dict[str, Region] = field(default_factory=dict)  # official code -> the Region row


def _matching(row: OfficialRegion, parent: Region | None, by_code: dict[tuple[str, str], Region],
              by_name: dict[tuple[int | None, str], Region]) -> Region | None:
    found = by_code.get((row.level, row.code))
    if found is not None:
        return found
    found = by_name.get((parent.id if parent is not None else None, row.name))
    return found if found is not None and found.level == row.level else None


def import_official_regions(rows: Sequence[OfficialRegion], user: User | None) -> RegionImportResult:
    """Write ``rows`` (parents before their children) as Region rows, all or none."""
    result = RegionImportResult()
    with database.atomic():
        existing = list(Region.select())
        by_code = {(r.level, r.code): r for r in existing if r.code}
        by_name = {(r.parent_id, r.name): r for r in existing}
        for row in rows:
            parent = result.regions.get(row.parent_code) if row.parent_code else None
            if row.parent_code and parent is None:
                raise ValueError(f"{row.code}: its parent {row.parent_code} comes after it or is missing")
            region = _matching(row, parent, by_code, by_name)
            if region is None:
                region = save_region(RegionData(name=row.name, level=row.level,
                                                parent_id=parent.id if parent else None,
                                                code=row.code, sort_order=row.sort_order), user)
                by_name[(region.parent_id, region.name)] = region
                result.created += 1
            elif not region.code:
                region = save_region(RegionData(name=region.name, level=region.level,
                                                parent_id=region.parent_id, code=row.code,
                                                sort_order=region.sort_order), user, region)
                result.coded += 1
            else:
                result.kept += 1
            by_code[(row.level, row.code)] = region
            result.regions[row.code] = region
    return result
