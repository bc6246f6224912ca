"""A report is stored whatever Redis does, and its work is handed on until done."""

import datetime
import time
import uuid

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from core.models import OutboxMessage
from core.outbox import outbox_relay
from petitions.models import Petition
from tests.core.services import PrivateRedis, celery_broker

pytestmark = pytest.mark.redis


@pytest.fixture
def broker(settings):
    """Point Celery at a private Redis (with the deployment's timeouts), out of
    in-process mode."""
    with (
        PrivateRedis() as server,
        celery_broker(settings, server.url, socket_timeout=2, socket_connect_timeout=1),
    ):
        yield server


def _report(client, building, category):
    url = reverse("petitions:report-building", args=[building.pk])
    return client.post(
        f"{url}?category={category.code}",
        {
            "description": "Redis 停了也要收到",
            "reporter_phone": "13912345678",
            "idempotency_key": str(uuid.uuid4()),
        },
    )


def _timed_relay() -> tuple[int, float]:
    started = time.monotonic()
    sent = outbox_relay()
    return sent, time.monotonic() - started


def test_report_is_stored_while_redis_is_frozen_and_handed_on_after(
    client, broker, building, category
):
    """With Redis frozen (SIGSTOP) a report is stored at once; a relay round
    gives up on the broker within about two seconds and blames no row; once
    Redis answers again the work goes, once."""
    broker.freeze()
    try:
        started = time.monotonic()
        response = _report(client, building, category)
        assert time.monotonic() - started < 1
        sent, took = _timed_relay()
    finally:
        broker.thaw()
    assert response.status_code == 302
    assert Petition.objects.count() == 1
    assert sent == 0 and took < 3.5
    message = OutboxMessage.objects.get()
    assert message.state == OutboxMessage.State.WAITING and message.last_error
    assert sum(outbox_relay() for _ in range(3)) == 1
    assert broker.queued() == 1


def test_report_is_stored_while_redis_is_stopped(client, broker, building, category):
    """With Redis stopped, reports are stored and wait; a fresh Redis gets
    each piece of work once."""
    broker.stop()
    assert _report(client, building, category).status_code == 302
    assert outbox_relay() == 0
    broker.start()
    assert sum(outbox_relay() for _ in range(3)) == 1
    assert broker.queued() == 1


def test_work_lost_with_a_redis_restart_is_handed_on_again(
    client, broker, building, category, pinned_clock
):
    """Work handed to a Redis that then restarts without persistence is gone
    from the queue; after the visibility window the relay hands it on again."""
    assert _report(client, building, category).status_code == 302
    assert outbox_relay() == 1
    assert broker.queued() == 1
    broker.restart()
    assert broker.queued() == 0
    pinned_clock.shift(
        datetime.timedelta(seconds=django_settings.OUTBOX_VISIBILITY_TIMEOUT + 1)
    )
    assert sum(outbox_relay() for _ in range(3)) == 1
    assert broker.queued() == 1
    assert OutboxMessage.objects.get().attempts == 2
