"""The tables of 公益创投 / 微创投 rounds (issue 19): the round and its rules, the applications,
the expert review (criteria, reviewers, scores) and the supervision of the funded projects.

Plain peewee models (the rules are in models/venture.py and models/venture_supervision.py); part
of ``ALL_MODELS`` so that backups, copies to a server and the integrity check carry them. Imported
at the end of models/entities.py, whose tables they point at.
"""

from __future__ import annotations

from peewee import (
    BlobField,
    CharField,
    Check,
    DateField,
    DateTimeField,
    DecimalField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from .crypto import EncryptedField
from .db import BaseModel, TimestampedModel, now
from .entities import Organization, Person, Project, Region, ServiceArea, Team, User, Venue


def _money(null: bool = True) -> DecimalField:
    return DecimalField(max_digits=14, decimal_places=2, auto_round=True, null=null)


class VentureRound(TimestampedModel):
    """创投轮次: a call for proposals with its budget, per-project cap and key dates."""

    name = CharField(unique=True)
    source = CharField()  # ROUND_SOURCES (the codes of PROJECT_SOURCES its projects get)
    year = IntegerField(index=True)
    organiser = CharField(default="")
    budget = _money(null=False)
    project_cap = _money()
    call_on = DateField(null=True)  # 征集
    training_on = DateField(null=True)  # 培训
    review_on = DateField(null=True)  # 评审
    publicity_on = DateField(null=True)  # 公示
    approval_on = DateField(null=True)  # 立项
    midterm_on = DateField(null=True)  # 中期
    closing_on = DateField(null=True)  # 结项
    notes = TextField(default="")

    class Meta:
        constraints = [Check("budget >= 0"), Check("project_cap IS NULL OR project_cap > 0")]


class RoundAttachment(BaseModel):
    """A document of the round (its rules, the call) kept with the database, so a backup or a
    copy to a server carries it; size-limited (models.venture.MAX_ATTACHMENT_BYTES)."""

    round = ForeignKeyField(VentureRound, backref="attachments", on_delete="CASCADE")
    file_name = CharField()
    size = IntegerField()
    content = BlobField()
    added_at = DateTimeField(default=now)
    added_by = ForeignKeyField(User, null=True, backref="round_attachments", on_delete="SET NULL")


class VentureApplication(TimestampedModel):
    """An organization's proposal in a round; 立项 makes it a Project (``project``)."""

    round = ForeignKeyField(VentureRound, backref="applications", on_delete="RESTRICT")
    organization = ForeignKeyField(Organization, backref="venture_applications", on_delete="RESTRICT")
    title = CharField()
    service_area = ForeignKeyField(ServiceArea, null=True, backref="venture_applications",
                                   on_delete="RESTRICT")
    target_group = CharField(default="")
    region = ForeignKeyField(Region, null=True, backref="venture_applications", on_delete="RESTRICT")
    amount_requested = _money(null=False)
    people_planned = IntegerField(default=0)
    team = ForeignKeyField(Team, null=True, backref="venture_applications", on_delete="RESTRICT")
    status = CharField(default="collected", index=True)  # APPLICATION_STATUSES
    status_on = DateField(null=True)
    amount_granted = _money()
    project = ForeignKeyField(Project, null=True, unique=True, backref="venture_application",
                              on_delete="RESTRICT")
    notes = TextField(default="")

    class Meta:
        indexes = ((("round", "organization", "title"), True),)
        constraints = [Check("amount_requested >= 0"), Check("people_planned >= 0"),
                       Check("amount_granted IS NULL OR amount_granted >= 0")]


class ApplicationVenue(BaseModel):
    """A venue (场地/阵地) of the register the proposal is to be delivered at; 立项 copies them to
    the project's venues (ProjectVenue)."""

    application = ForeignKeyField(VentureApplication, backref="venue_links", on_delete="CASCADE")
    venue = ForeignKeyField(Venue, backref="venture_application_links", on_delete="RESTRICT")

    class Meta:
        indexes = ((("application", "venue"), True),)


class ApplicationStep(BaseModel):
    """One status an application entered, with its date and note (征集 → … → 立项)."""

    application = ForeignKeyField(VentureApplication, backref="steps", on_delete="CASCADE")
    status = CharField()
    entered_on = DateField()
    note = TextField(default="")
    recorded_at = DateTimeField(default=now)


class ReviewCriterion(TimestampedModel):
    """评分项 of a round: each scored 0–100, weighed by ``weight`` in a reviewer's total."""

    round = ForeignKeyField(VentureRound, backref="criteria", on_delete="CASCADE")
    name = CharField()
    weight = IntegerField()
    sort_order = IntegerField(default=0)

    class Meta:
        indexes = ((("round", "name"), True),)
        constraints = [Check("weight > 0")]


class Reviewer(TimestampedModel):
    """评审专家: a person of the register or an outside expert (no login)."""

    round = ForeignKeyField(VentureRound, backref="reviewers", on_delete="CASCADE")
    name = CharField()
    person = ForeignKeyField(Person, null=True, backref="reviews", on_delete="RESTRICT")
    affiliation = CharField(default="")
    phone = EncryptedField(default="")  # schema 12: encrypted (models.crypto)
    sort_order = IntegerField(default=0)

    class Meta:
        indexes = ((("round", "name"), True),)


class ReviewScore(BaseModel):
    reviewer = ForeignKeyField(Reviewer, backref="scores", on_delete="CASCADE")
    application = ForeignKeyField(VentureApplication, backref="scores", on_delete="CASCADE")
    criterion = ForeignKeyField(ReviewCriterion, backref="scores", on_delete="CASCADE")
    score = DecimalField(max_digits=5, decimal_places=1, auto_round=True)

    class Meta:
        indexes = ((("reviewer", "application", "criterion"), True),)
        constraints = [Check("score >= 0 AND score <= 100")]


class ProjectMilestone(TimestampedModel):
    """A step the funded project promised, with when it is due and when it was done."""

    project = ForeignKeyField(Project, backref="milestones", on_delete="RESTRICT")
    title = CharField()
    due_on = DateField()
    done_on = DateField(null=True)
    note = TextField(default="")


class SupervisionVisit(TimestampedModel):
    """督导: a visit to a funded project, who went, what they found, and a score (0–100)."""

    project = ForeignKeyField(Project, backref="supervision_visits", on_delete="RESTRICT")
    visited_on = DateField()
    visitors = CharField()
    findings = TextField(default="")
    score = DecimalField(max_digits=5, decimal_places=1, auto_round=True, null=True)

    class Meta:
        constraints = [Check("score IS NULL OR (score >= 0 AND score <= 100)")]


class ProjectPayment(TimestampedModel):
    """A payment to the project (拨付), in instalments up to the amount granted."""

    project = ForeignKeyField(Project, backref="payments", on_delete="RESTRICT")
    paid_on = DateField()
    amount = _money(null=False)
    note = CharField(default="")

    class Meta:
        constraints = [Check("amount > 0")]


class ClosingEvaluation(TimestampedModel):
    """结项评估: the evaluation that closes a funded project."""

    project = ForeignKeyField(Project, unique=True, backref="closing_evaluation", on_delete="RESTRICT")
    evaluated_on = DateField()
    evaluators = CharField(default="")
    score = DecimalField(max_digits=5, decimal_places=1, auto_round=True)
    conclusion = TextField(default="")

    class Meta:
        constraints = [Check("score >= 0 AND score <= 100")]


VENTURE_MODELS: tuple[type[BaseModel], ...] = (
    VentureRound, RoundAttachment, VentureApplication, ApplicationVenue, ApplicationStep, ReviewCriterion,
    Reviewer, ReviewScore, ProjectMilestone, SupervisionVisit, ProjectPayment, ClosingEvaluation,
)
