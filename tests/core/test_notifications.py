"""``notify`` sends each message once, even when a worker dies mid-send."""

import datetime
import json
from unittest import mock

import pytest
from django.utils import timezone

from core.models import Notification
from core.notifications import notify


def test_notify_sends_a_message_once(db, settings, tmp_path):
    """Two runs with one key send one message."""
    settings.NOTIFICATION_BACKENDS = ["core.notifications.JsonLinesBackend"]
    settings.NOTIFICATION_FILE = str(tmp_path / "sent.jsonl")
    assert notify(dedupe_key="k", subject="s", body="b") is not None
    assert notify(dedupe_key="k", subject="s", body="b") is None
    lines = (tmp_path / "sent.jsonl").read_text().splitlines()
    assert [json.loads(line)["key"] for line in lines] == ["k"]


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


def test_notify_takes_over_a_claim_whose_worker_died(db, settings, pinned_clock):
    """A message claimed by a run that died before sending is not lost: once
    the claim is older than NOTIFICATION_CLAIM_TIMEOUT, the next run sends it;
    a fresh claim (a run still sending) is left alone."""
    settings.NOTIFICATION_CLAIM_TIMEOUT = 120
    Notification.objects.create(
        dedupe_key="k", subject="s", body="b", claimed_at=timezone.now()
    )
    assert notify(dedupe_key="k", subject="s", body="b") is None
    pinned_clock.shift(datetime.timedelta(seconds=121))
    sent = notify(dedupe_key="k", subject="s", body="b")
    assert sent is not None
    assert Notification.objects.get(dedupe_key="k").sent_at is not None
