"""Every entity of the domain (see the glossary in DOMAIN.md) as a peewee model."""

from __future__ import annotations

from peewee import (
    BooleanField,
    CharField,
    Check,
    DateField,
    DateTimeField,
    DecimalField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from .crypto import EncryptedField, EncryptedTextField
from .db import BaseModel, TimestampedModel, now
from .exchange_entities import EXCHANGE_MODELS
from .sortkey import name_forms


class Archivable(TimestampedModel):
    """Nothing a past report needs is hard-deleted: it is archived with a reason."""

    archived = BooleanField(default=False, index=True)
    archived_on = DateField(null=True)
    archived_reason = TextField(default="")


class NamedMixin:
    """Keeps ``name_key`` (pinyin sort key) and the search forms ``name_pinyin`` (full pinyin)
    and ``name_initials`` (拼音首字母) in step with ``name`` on every save."""

    person_name = False  # people's names: the surname read as a surname (models.sortkey)

    def save(self, *args, **kwargs):
        self.name_key, self.name_pinyin, self.name_initials = name_forms(self.name, self.person_name)
        return super().save(*args, **kwargs)


class User(TimestampedModel):
    username = CharField(unique=True)
    display_name = CharField(default="")
    role = CharField(default="clerk")  # USER_ROLES
    password_hash = CharField(default="")  # models.auth: "scrypt$n$r$p$salt$hash", never the password
    active = BooleanField(default=True)
    failed_logins = IntegerField(default=0)  # wrong passwords in a row (schema v3)
    locked_until = DateTimeField(null=True)  # too many wrong passwords: no login before this
    last_login_at = DateTimeField(null=True)

    @property
    def shown_name(self) -> str:
        """The name people know the operator by: the display name, else the login name."""
        return self.display_name or self.username


class KeyWrap(BaseModel):
    """The database's data key wrapped for one way of unlocking it (models.crypto, schema 12):
    an operator's password, the recovery key, a key file, or "open" before any password."""

    kind = CharField()  # user | recovery | keyfile | open
    user = ForeignKeyField(User, null=True, backref="key_wraps", on_delete="CASCADE")
    label = CharField(null=True)  # a key file's name
    salt = CharField(null=True)  # base64, recovery key and key files
    wrapped = TextField()  # base64(nonce + AES-GCM(data key)); for "open" the key itself
    created_at = DateTimeField(default=now)

    class Meta:
        indexes = ((("kind", "user"), False),)


class Setting(BaseModel):
    """Office settings kept with the data (report headers, printing rules)."""

    key = CharField(primary_key=True)
    value = TextField(default="")


class Region(NamedMixin, TimestampedModel):
    name = CharField()
    name_key = CharField(default="")
    name_pinyin = CharField(default="")  # schema v7: full pinyin, for finding by it
    name_initials = CharField(default="")  # schema v7: pinyin initials (bcy for 白彩月)
    level = CharField()  # REGION_LEVELS
    parent = ForeignKeyField("self", null=True, backref="children", on_delete="RESTRICT")
    code = CharField(default="")  # administrative division code, when known
    sort_order = IntegerField(default=0)

    class Meta:
        indexes = ((("parent", "name"), True),)


class ServiceArea(TimestampedModel):
    name = CharField(unique=True)
    sort_order = IntegerField(default=0)
    active = BooleanField(default=True)


class Organization(NamedMixin, Archivable):
    name = CharField(unique=True)
    name_key = CharField(default="", index=True)
    name_pinyin = CharField(default="")  # schema v7: full pinyin, for finding by it
    name_initials = CharField(default="")  # schema v7: pinyin initials (bcy for 白彩月)
    short_name = CharField(default="")
    kind = CharField(index=True)  # ORG_KINDS
    legal_form = CharField(null=True)  # LEGAL_FORMS, registered only
    credit_code = CharField(null=True, unique=True)
    supervisor = CharField(default="")
    region = ForeignKeyField(Region, null=True, backref="organizations", on_delete="RESTRICT")
    address = CharField(default="")
    contact_person = CharField(default="")
    contact_phone = EncryptedField(default="")  # schema 12: encrypted (models.crypto)
    founded_on = DateField(null=True)
    registered_on = DateField(null=True)
    incubation_stage = CharField(null=True, index=True)  # INCUBATION_STAGES
    stage_since = DateField(null=True)
    alliance_member = BooleanField(default=False, index=True)
    alliance_joined_on = DateField(null=True)
    group_member = BooleanField(default=False)
    group_member_since = DateField(null=True)
    notes = TextField(default="")
    # Schema 10: merged into another organization (models.merge); archived, never deleted.
    merged_into = ForeignKeyField("self", null=True, backref="merged_from", on_delete="RESTRICT")

    class Meta:
        constraints = [
            Check("kind IN ('registered', 'grassroots')"),
            Check("kind = 'registered' OR credit_code IS NULL"),
        ]


class OrganizationStage(BaseModel):
    """One step of an organization's incubation, with the day it was entered."""

    organization = ForeignKeyField(Organization, backref="stage_history", on_delete="CASCADE")
    stage = CharField()
    entered_on = DateField()
    note = TextField(default="")
    recorded_at = DateTimeField(default=now)

    class Meta:
        indexes = ((("organization", "entered_on"), False),)


class OrganizationServiceArea(BaseModel):
    organization = ForeignKeyField(Organization, backref="area_links", on_delete="CASCADE")
    service_area = ForeignKeyField(ServiceArea, backref="org_links", on_delete="RESTRICT")

    class Meta:
        indexes = ((("organization", "service_area"), True),)


class Person(NamedMixin, Archivable):
    person_name = True
    name = CharField()
    name_key = CharField(default="", index=True)
    name_pinyin = CharField(default="")  # schema v7: full pinyin, for finding by it
    name_initials = CharField(default="")  # schema v7: pinyin initials (bcy for 白彩月)
    # Schema 12: ID number and phone encrypted (models.crypto); found by their keyed hashes.
    id_number = EncryptedField(null=True)
    id_hash = CharField(null=True, unique=True)
    birth_date = DateField(null=True)
    sex = CharField(null=True)  # SEXES
    phone = EncryptedField(default="")
    phone_hash = CharField(null=True, index=True)
    region = ForeignKeyField(Region, null=True, backref="people", on_delete="RESTRICT")
    is_cadre = BooleanField(default=False, index=True)
    is_social_worker = BooleanField(default=False, index=True)
    is_volunteer = BooleanField(default=False, index=True)
    social_worker_level = CharField(null=True)  # SOCIAL_WORKER_LEVELS
    cadre_title = CharField(default="")  # e.g. 妇联执委
    workplace = CharField(default="")
    notes = TextField(default="")
    # Schema 10: merged into another person (models.merge); archived, never deleted.
    merged_into = ForeignKeyField("self", null=True, backref="merged_from", on_delete="RESTRICT")

    @staticmethod
    def id_number_is(number: str):
        """The condition "her ID number is ``number``": ID numbers are stored encrypted and
        found by their keyed hash (models.crypto), never compared in SQL."""
        from .crypto import id_hash

        return Person.id_hash == id_hash(number)

    def save(self, *args, **kwargs):
        from .crypto import id_hash, phone_hash

        self.id_hash, self.phone_hash = id_hash(self.id_number), phone_hash(self.phone)
        return super().save(*args, **kwargs)



# The People list (not archived, in pinyin order) reads its pages straight off this index
# instead of sorting 100k rows, and its search and role filters are checked on the index
# entries (name, ID, phone, roles, region) before any row is read: "王" among 100k people
# went from 94 ms to 14 ms for the first page.
# The search forms (schema v7) are in it too, so a search by pinyin or initials is also checked
# on the index entries.
Person.add_index(Person.index(
    Person.archived, Person.name_key, Person.id, Person.name, Person.id_number, Person.phone,
    Person.is_cadre, Person.is_social_worker, Person.is_volunteer, Person.region,
    Person.name_pinyin, Person.name_initials, name="person_list",
))
# Pickers and the global search look a prefix of the initials or of the full pinyin up directly.
Person.add_index(Person.index(Person.name_initials, Person.name_key, name="person_initials"))
Person.add_index(Person.index(Person.name_pinyin, Person.name_key, name="person_pinyin"))
# Finding duplicates (models.duplicates, schema 10) pairs people by birth date and pinyin name.
Person.add_index(Person.index(Person.birth_date, Person.name_pinyin, Person.archived,
                              name="person_birth_pinyin"))


class Membership(TimestampedModel):
    person = ForeignKeyField(Person, backref="memberships", on_delete="RESTRICT")
    organization = ForeignKeyField(Organization, backref="memberships", on_delete="RESTRICT")
    role = CharField(default="member")  # MEMBERSHIP_ROLES
    start_on = DateField(null=True)
    end_on = DateField(null=True)

    class Meta:
        indexes = ((("organization", "person"), False),)


class Team(NamedMixin, Archivable):
    name = CharField(unique=True)
    name_key = CharField(default="")
    name_pinyin = CharField(default="")  # schema v7: full pinyin, for finding by it
    name_initials = CharField(default="")  # schema v7: pinyin initials (bcy for 白彩月)
    region = ForeignKeyField(Region, null=True, backref="teams", on_delete="RESTRICT")
    founded_on = DateField(null=True)
    description = TextField(default="")


class TeamAssignment(TimestampedModel):
    team = ForeignKeyField(Team, backref="assignments", on_delete="RESTRICT")
    person = ForeignKeyField(Person, backref="team_assignments", on_delete="RESTRICT")
    role = CharField()  # PERSON_ROLES
    start_on = DateField(null=True)
    end_on = DateField(null=True)

    class Meta:
        indexes = ((("team", "role"), False),)


class Venue(NamedMixin, Archivable):
    name = CharField()
    name_key = CharField(default="")
    name_pinyin = CharField(default="")  # schema v7: full pinyin, for finding by it
    name_initials = CharField(default="")  # schema v7: pinyin initials (bcy for 白彩月)
    level = CharField()  # VENUE_LEVELS
    kind = CharField()  # VENUE_KINDS
    region = ForeignKeyField(Region, null=True, backref="venues", on_delete="RESTRICT")
    address = CharField(default="")
    capacity = IntegerField(null=True)
    manager = ForeignKeyField(Person, null=True, backref="managed_venues", on_delete="RESTRICT")
    phone = EncryptedField(default="")  # schema 12: encrypted (its manager's mobile, mostly)

    class Meta:
        indexes = ((("region", "name"), True),)


# Who a booking is for: an organization, a team, a person or the office (models.bookings).
BOOKING_HOLDER_CHECK = ("organization_id IS NOT NULL OR team_id IS NOT NULL OR person_id IS NOT NULL"
                        " OR for_office")


class Booking(TimestampedModel):
    venue = ForeignKeyField(Venue, backref="bookings", on_delete="RESTRICT")
    organization = ForeignKeyField(Organization, null=True, backref="bookings", on_delete="RESTRICT")
    team = ForeignKeyField(Team, null=True, backref="bookings", on_delete="RESTRICT")
    starts_at = DateTimeField()
    ends_at = DateTimeField()
    purpose = CharField(default="")
    cancelled = BooleanField(default=False)
    # Since schema 7 a booking may be for a named person, or for the office itself.
    person = ForeignKeyField(Person, null=True, backref="bookings", on_delete="RESTRICT")
    for_office = BooleanField(default=False)

    class Meta:
        indexes = ((("venue", "starts_at"), False),)
        constraints = [
            Check("ends_at > starts_at"),
            Check(BOOKING_HOLDER_CHECK),
        ]


class Project(NamedMixin, Archivable):
    name = CharField()
    name_key = CharField(default="")
    name_pinyin = CharField(default="")  # schema v7: full pinyin, for finding by it
    name_initials = CharField(default="")  # schema v7: pinyin initials (bcy for 白彩月)
    source = CharField(index=True)  # PROJECT_SOURCES
    year = IntegerField(index=True)
    batch = CharField(default="")
    organization = ForeignKeyField(Organization, null=True, backref="projects", on_delete="RESTRICT")
    team = ForeignKeyField(Team, null=True, backref="projects", on_delete="RESTRICT")
    status = CharField(default="applied")  # PROJECT_STATUSES
    amount_applied = DecimalField(max_digits=14, decimal_places=2, auto_round=True, null=True)
    amount_granted = DecimalField(max_digits=14, decimal_places=2, auto_round=True, null=True)
    planned_served = IntegerField(null=True)
    actual_served = IntegerField(null=True)
    start_on = DateField(null=True)
    end_on = DateField(null=True)
    description = TextField(default="")

    class Meta:
        constraints = [
            Check("amount_applied IS NULL OR amount_applied >= 0"),
            Check("amount_granted IS NULL OR amount_granted >= 0"),
        ]


class ProjectVenue(BaseModel):
    project = ForeignKeyField(Project, backref="venue_links", on_delete="CASCADE")
    venue = ForeignKeyField(Venue, backref="project_links", on_delete="RESTRICT")

    class Meta:
        indexes = ((("project", "venue"), True),)


class Activity(Archivable):
    title = CharField()
    held_on = DateField(index=True)
    venue = ForeignKeyField(Venue, null=True, backref="activities", on_delete="RESTRICT")
    organization = ForeignKeyField(Organization, null=True, backref="activities", on_delete="RESTRICT")
    team = ForeignKeyField(Team, null=True, backref="activities", on_delete="RESTRICT")
    project = ForeignKeyField(Project, null=True, backref="activities", on_delete="RESTRICT")
    participants = IntegerField(default=0)
    people_served = IntegerField(default=0)
    description = TextField(default="")

    class Meta:
        constraints = [Check("participants >= 0"), Check("people_served >= 0")]


class ServiceRecord(TimestampedModel):
    person = ForeignKeyField(Person, backref="service_records", on_delete="RESTRICT")
    activity = ForeignKeyField(Activity, backref="service_records", on_delete="RESTRICT")
    hours = DecimalField(max_digits=6, decimal_places=1, auto_round=True)
    content = CharField(default="")

    class Meta:
        indexes = ((("person", "activity"), True),)
        constraints = [Check("hours >= 0")]


class Training(Archivable):
    topic = CharField()
    held_on = DateField(index=True)
    kind = CharField(default="training")  # TRAINING_KINDS
    trainer = CharField(default="")
    venue = ForeignKeyField(Venue, null=True, backref="trainings", on_delete="RESTRICT")
    region = ForeignKeyField(Region, null=True, backref="trainings", on_delete="RESTRICT")
    hours = DecimalField(max_digits=5, decimal_places=1, auto_round=True, null=True)


class TrainingAttendance(BaseModel):
    training = ForeignKeyField(Training, backref="attendance", on_delete="CASCADE")
    person = ForeignKeyField(Person, backref="trainings_attended", on_delete="RESTRICT")
    organization = ForeignKeyField(
        Organization, null=True, backref="training_attendance", on_delete="RESTRICT"
    )

    class Meta:
        indexes = ((("training", "person"), True),)


class AuditEntry(BaseModel):
    """Who changed what, when: the old and new value of each changed field (JSON)."""

    at = DateTimeField(default=now, index=True)
    user = ForeignKeyField(User, null=True, backref="audit_entries", on_delete="SET NULL")
    username = CharField(default="")
    action = CharField()  # AUDIT_ACTIONS
    entity = CharField()
    entity_id = IntegerField(null=True)
    summary = CharField(default="")
    changes = EncryptedTextField(default="{}")  # schema 12: encrypted, it holds old and new values

    class Meta:
        # (username, at) and (action, at): the audit page's filters and their lists of choices.
        indexes = ((("entity", "entity_id"), False), (("username", "at"), False), (("action", "at"), False))


class Certificate(TimestampedModel):
    """The register of issued volunteer service certificates (志愿服务记录证明): one number each."""

    number = CharField(unique=True)
    year = IntegerField()
    serial = IntegerField()  # per year, from 1
    person = ForeignKeyField(Person, backref="certificates", on_delete="RESTRICT")
    period_start = DateField()
    period_end = DateField()
    hours = DecimalField(max_digits=8, decimal_places=1, auto_round=True)
    issued_on = DateField()
    issued_by = ForeignKeyField(User, null=True, backref="certificates", on_delete="SET NULL")

    class Meta:
        indexes = ((("year", "serial"), True),)


class ImportBatch(TimestampedModel):
    """One spreadsheet import: what came in, by whom, and whether it was undone."""

    kind = CharField()  # people | orgs
    file_name = CharField()
    sheet = CharField(default="")
    user = ForeignKeyField(User, null=True, backref="import_batches", on_delete="SET NULL")
    rows = IntegerField(default=0)
    created = IntegerField(default=0)
    updated = IntegerField(default=0)
    rejected = IntegerField(default=0)
    undone_at = DateTimeField(null=True)
    undone_by = ForeignKeyField(User, null=True, backref="undone_batches", on_delete="SET NULL")


class ImportBatchItem(BaseModel):
    """A record an import created or changed, with its state before (JSON), so it can be undone."""

    batch = ForeignKeyField(ImportBatch, backref="items", on_delete="CASCADE")
    entity = CharField()  # table name
    record_id = IntegerField()
    action = CharField()  # create | update
    before = EncryptedTextField(default="")  # schema 12: encrypted

    class Meta:
        indexes = ((("batch", "entity"), False),)


class DuplicateDismissal(BaseModel):
    """Two records a clerk declared "不是重复" (schema 10): the pair is never offered again."""

    kind = CharField()  # people | orgs
    first = IntegerField()  # the smaller id
    second = IntegerField()
    at = DateTimeField(default=now)
    user = ForeignKeyField(User, null=True, backref="dismissals", on_delete="SET NULL")

    class Meta:
        indexes = ((("kind", "first", "second"), True),)


class MergeRecord(BaseModel):
    """One merge of two people or organizations (schema 10), with what it changed, so that it can
    be undone exactly: ``details`` (JSON) holds every row it touched as before and after."""

    kind = CharField()  # people | orgs
    kept_id = IntegerField()
    dropped_id = IntegerField()
    at = DateTimeField(default=now, index=True)
    user = ForeignKeyField(User, null=True, backref="merges", on_delete="SET NULL")
    username = CharField(default="")
    summary = CharField(default="")
    details = EncryptedTextField(default="{}")  # schema 12: encrypted, it holds whole records
    undone_at = DateTimeField(null=True)
    undone_by = ForeignKeyField(User, null=True, backref="merges_undone", on_delete="SET NULL")


ALL_MODELS: tuple[type[BaseModel], ...] = (
    User,
    KeyWrap,
    Setting,
    Region,
    ServiceArea,
    Organization,
    OrganizationStage,
    OrganizationServiceArea,
    Person,
    Membership,
    Team,
    TeamAssignment,
    Venue,
    Booking,
    Project,
    ProjectVenue,
    Activity,
    ServiceRecord,
    Training,
    TrainingAttendance,
    AuditEntry,
    Certificate,
    ImportBatch,
    ImportBatchItem,
    *EXCHANGE_MODELS,  # after every table they could point at (schema version 8)
    DuplicateDismissal,  # schema version 10
    MergeRecord,
)

# The venture rounds' tables point at the ones above, so their module imports this one: they join
# ALL_MODELS once every class they need exists (schema version 11).
from .venture_entities import VENTURE_MODELS  # noqa: E402

ALL_MODELS += VENTURE_MODELS
