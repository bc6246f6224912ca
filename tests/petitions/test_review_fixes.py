"""Faults found in review of the reports, each pinned so it cannot come back."""

import io
import uuid
from unittest import mock

import pytest
from django.db.models.query import QuerySet
from PIL import Image

from core.models import Notification, OutboxMessage
from core.notifications import notify
from core.outbox import outbox_relay
from core.phones import mask_mobiles_in
from petitions.models import Petition
from petitions.photos import clean_photo
from petitions.services import petition_submit


def test_idempotency_race_returns_the_first_case(submit, category, building):
    """When a double tap's twin inserts the same key between check and insert,
    the second call returns the first case instead of failing."""
    key = uuid.uuid4()
    first = submit(idempotency_key=key)
    real_first = QuerySet.first
    calls = {"n": 0}

    def miss_once(self):
        calls["n"] += 1
        return None if calls["n"] == 1 else real_first(self)

    with mock.patch.object(QuerySet, "first", miss_once):
        again, created = petition_submit(
            category=category,
            description="双击",
            building=building,
            reporter_phone="13912345678",
            idempotency_key=key,
        )
    assert (again.pk, created) == (first.pk, False)
    assert Petition.objects.count() == 1


def test_outbox_broken_message_does_not_block_the_queue(db):
    """A message that cannot run is skipped; the ones after it still go."""
    OutboxMessage.objects.create(task_name="no.such.task", kwargs={})
    OutboxMessage.objects.create(task_name="core.ping", kwargs={"value": "x"})
    assert outbox_relay() == 1
    broken = OutboxMessage.objects.get(task_name="no.such.task")
    assert broken.dispatched_at is None and broken.attempts == 1


def test_notification_that_failed_is_sent_on_retry(db, settings):
    """A send that fails leaves the message unsent, and the retry sends it once."""
    with (
        mock.patch(
            "core.notifications.ConsoleBackend.send", side_effect=OSError("down")
        ),
        pytest.raises(OSError),
    ):
        notify(dedupe_key="k1", subject="s", body="b", phone="13912345678")
    assert Notification.objects.get(dedupe_key="k1").sent_at is None
    assert notify(dedupe_key="k1", subject="s", body="b") is not None
    assert notify(dedupe_key="k1", subject="s", body="b") is None
    assert Notification.objects.get(dedupe_key="k1").sent_at is not None


def test_photo_loses_comments_as_well_as_exif(db):
    """Text hidden in a JPEG comment does not survive the upload."""
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(out, format="JPEG", comment=b"home 1-301")
    out.seek(0)
    out.size = len(out.getvalue())
    cleaned = clean_photo(out)
    assert b"home 1-301" not in cleaned.read()


def test_photo_with_too_many_pixels_is_refused(db):
    """A tiny file that decodes to a huge image is refused before decoding."""
    from django.core.exceptions import ValidationError

    out = io.BytesIO()
    Image.new("1", (9000, 9000)).save(out, format="PNG")
    out.seek(0)
    out.size = len(out.getvalue())
    with pytest.raises(ValidationError):
        clean_photo(out)


def test_open311_masks_numbers_residents_typed_into_text():
    """A number in a description is masked in public output."""
    assert mask_mobiles_in("请打 139 1234 5678 找我") == "请打 139****5678 找我"
    assert mask_mobiles_in("编号 20231234567890") == "编号 20231234567890"
