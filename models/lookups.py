"""Small reference lists that forms and filters offer as choices."""

from __future__ import annotations

from .entities import Region, ServiceArea


def township_places(township_id: int):
    """The regions of a township, itself and its villages: a subquery for ``region IN (…)``,
    which the region index answers (records in a village count in its township)."""
    return Region.select(Region.id).where((Region.id == township_id) | (Region.parent == township_id))


def townships() -> list[tuple[int, str]]:
    query = (
        Region.select(Region.id, Region.name)
        .where(Region.level == "township")
        .order_by(Region.sort_order, Region.name_key)
    )
    return list(query.tuples())


def regions_for_organizations() -> list[tuple[int, str]]:
    """Townships, each followed by its villages, labelled ``镇 / 村``."""
    result: list[tuple[int, str]] = []
    villages: dict[int, list[tuple[int, str]]] = {}
    for vid, name, parent in (
        Region.select(Region.id, Region.name, Region.parent)
        .where(Region.level == "village")
        .order_by(Region.sort_order, Region.name_key)
        .tuples()
    ):
        villages.setdefault(parent, []).append((vid, name))
    for tid, tname in townships():
        result.append((tid, tname))
        result.extend((vid, f"{tname} / {vname}") for vid, vname in villages.get(tid, []))
    return result


def service_areas(active_only: bool = True) -> list[tuple[int, str]]:
    query = ServiceArea.select(ServiceArea.id, ServiceArea.name).order_by(
        ServiceArea.sort_order, ServiceArea.id
    )
    if active_only:
        query = query.where(ServiceArea.active == True)  # noqa: E712
    return list(query.tuples())
