"""The block-reading table model: any order of reading blocks gives the list one query gives."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from models.entities import Person, Region
from models.person_listing import PersonFilter, PersonListing
from views.table_model import ListingModel

BATCH = 5


@pytest.fixture
def people(ctx):
    """57 people: duplicate names, missing birth dates and townships (NULLs sort first)."""
    town = Region.create(name="东关街道", level="township")
    rng = random.Random(7)
    rows = []
    for i in range(57):
        born = None if i % 6 == 0 else dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(15000))
        rows.append({"name": f"人{i % 9}", "name_key": f"ren {i % 9}", "birth_date": born,
                     "region": town.id if i % 4 else None, "is_volunteer": True})
    Person.insert_many(rows).execute()
    return rows


def expected(listing: PersonListing, key: str, descending: bool) -> list[int]:
    return [row.id for row in listing.fetch(PersonFilter(), key, descending, 0, 10_000)]


@pytest.mark.parametrize("key", ["name", "birth_date", "township"])
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("order", ["forward", "backward", "shuffled"])
def test_reading_blocks_in_any_order_gives_the_one_query_order(people, key, descending, order):
    listing = PersonListing()
    model = ListingModel(listing, PersonFilter(), batch=BATCH, max_blocks=2)
    model.sort([c.key for c in model.columns].index(key), _qt_order(descending))
    rows = list(range(model.rowCount()))
    if order == "backward":
        rows.reverse()
    elif order == "shuffled":
        random.Random(3).shuffle(rows)
    ids = {row: model.row_at(row).id for row in rows}
    assert [ids[r] for r in range(len(rows))] == expected(listing, key, descending)
    assert model.rows_in_memory <= 2 * BATCH  # only the blocks seen last are kept


def test_the_row_of_a_record_not_in_memory_is_found_by_its_position(people):
    listing = PersonListing()
    model = ListingModel(listing, PersonFilter(), batch=BATCH, max_blocks=2)
    order = expected(listing, "name", False)
    target = order[41]
    fetched = model.rows_fetched
    assert model.row_of_id(target) == 41
    assert model.rows_fetched == fetched  # counted in SQL, no rows read
    assert model.row_at(41).id == target
    assert model.row_of_id(10**9) is None


def test_rows_deleted_behind_the_count_are_not_shown_and_the_model_reloads(qtbot, people):
    model = ListingModel(PersonListing(), PersonFilter(), batch=BATCH)
    assert model.rowCount() == 57
    Person.delete().where(Person.id > 37).execute()
    with qtbot.waitSignal(model.modelReset, timeout=2000):
        shown = [model.index(r, 0).data() for r in range(57)]  # scrolling down, block by block
    assert shown[:37].count(None) == 0 and shown[37:] == [None] * 20
    assert model.rowCount() == 37


def _qt_order(descending: bool):
    from PySide6.QtCore import Qt

    return Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
