"""Archiving any register record needs a reason and is audited."""

import datetime as dt

import pytest

from models.archiving import archive_record, restore_record
from models.entities import AuditEntry, Training
from models.errors import ValidationFailed
from models.trainings import TrainingData, save_training


def test_archive_and_restore_need_a_reason(user):
    training = save_training(TrainingData(topic="督导", held_on=dt.date(2025, 1, 1)), user)
    with pytest.raises(ValidationFailed) as caught:
        archive_record(training, user, " ")
    assert str(caught.value.errors["reason"]) == "请填写归档原因"
    assert not Training.get_by_id(training.id).archived
    archive_record(training, user, "录入错误")
    stored = Training.get_by_id(training.id)
    assert stored.archived and stored.archived_reason == "录入错误"
    with pytest.raises(ValidationFailed):
        archive_record(stored, user, "再次")
    restore_record(stored, user, "恢复")
    assert not Training.get_by_id(training.id).archived
    actions = [e.action for e in AuditEntry.select().where(AuditEntry.entity == "training")
               .order_by(AuditEntry.id)]
    assert actions[-2:] == ["archive", "restore"]
