"""The tables of upward reporting (issue 17): this unit's signing key, the lower units that report
to it, the packages they sent, and the upper unit's review of each unit's period.

Plain peewee models with no rules (those are in models/units.py and models/exchange.py); they are
part of ``ALL_MODELS`` so that backups, copies to a server and the integrity check carry them.
"""

from __future__ import annotations

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from .crypto import EncryptedField
from .db import BaseModel, now


class UnitKey(BaseModel):
    """This unit's Ed25519 signing keys; the newest one not retired signs. Kept in the database so
    that a restored backup still signs as the same unit (a reinstalled PC without it is a new key,
    which the upper unit must confirm)."""

    public_key = CharField()  # 32 bytes, hex
    # 32 bytes, hex: never exported, never shown, never in the audit trail; encrypted (schema 12)
    private_key = EncryptedField()
    created_at = DateTimeField(default=now)
    retired_at = DateTimeField(null=True)


class LowerUnit(BaseModel):
    """下级单位: a unit that reports to this one, with the key its packages must be signed with."""

    code = CharField(unique=True)  # its division code
    name = CharField()
    level = CharField()  # UNIT_LEVELS
    public_key = CharField()  # hex
    fingerprint = CharField()
    created_at = DateTimeField(default=now)
    first_package_at = DateTimeField(null=True)
    last_package_at = DateTimeField(null=True)


class ReportPackage(BaseModel):
    """One package received; the unit's period has at most one ``current`` package. An older one
    replaced stays as ``replaced`` (history); one that came after 已审核 waits as ``waiting``."""

    unit = ForeignKeyField(LowerUnit, backref="packages", on_delete="RESTRICT")
    period = CharField()  # Period.code: 2025, 2025Q3, 2025-03
    made_at = CharField()  # ISO time the sender made it (its clock, with offset)
    sha256 = CharField()  # of the whole file
    state = CharField(index=True)  # current | replaced | waiting
    received_at = DateTimeField(default=now)
    file_name = CharField(default="")
    manifest = TextField()  # manifest.json as received (signed)
    figures = TextField()  # the "values" rows, JSON
    register = TextField(default="")  # register of organizations, JSON list, or ""
    signature = CharField()

    class Meta:
        indexes = ((("unit", "period", "state"), False), (("unit", "sha256"), False))


class ReportReview(BaseModel):
    """The upper unit's word on a unit's period: ``accepted`` (已审核) or ``returned`` (退回)."""

    unit = ForeignKeyField(LowerUnit, backref="reviews", on_delete="RESTRICT")
    period = CharField()
    state = CharField()  # accepted | returned
    note = TextField(default="")
    package = ForeignKeyField(ReportPackage, null=True, on_delete="RESTRICT")
    reviewed_at = DateTimeField(default=now)
    reviewed_by = IntegerField(null=True)  # user id (a plain number: users are never deleted)

    class Meta:
        indexes = ((("unit", "period"), True),)


class ReceivedReceipt(BaseModel):
    """A receipt the upper unit sent back (收到 / 已审核 / 退回), as the lower unit imported it."""

    period = CharField()
    state = CharField()  # received | accepted | returned
    note = TextField(default="")
    package_sha256 = CharField(default="")
    made_at = CharField()
    sender_code = CharField()
    sender_name = CharField()
    received_at = DateTimeField(default=now)


EXCHANGE_MODELS: tuple[type[BaseModel], ...] = (UnitKey, LowerUnit, ReportPackage, ReportReview,
                                                  ReceivedReceipt)
