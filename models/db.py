"""The deferred database every model binds to; desktop/ initialises it at start-up."""

from __future__ import annotations

import datetime as dt

from peewee import DatabaseProxy, DateTimeField, Model

database = DatabaseProxy()


def now() -> dt.datetime:
    """Local wall-clock time, to the second (what office staff read in lists and logs)."""
    return dt.datetime.now().replace(microsecond=0)


def excluding(query, existing: Model | None):
    """``query`` without the record being edited (for "is this name taken?" checks)."""
    return query if existing is None else query.where(query.model.id != existing.id)


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class TimestampedModel(BaseModel):
    created_at = DateTimeField(default=now)
    updated_at = DateTimeField(default=now)
