"""A report is stored even when Redis is stopped or frozen, and handed on once."""

import os
import shutil
import signal
import socket
import subprocess
import time
import uuid

import pytest
import redis
from django.urls import reverse

from core.models import OutboxMessage
from core.outbox import outbox_relay
from petitions.models import Petition

pytestmark = pytest.mark.redis


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    """A real redis-server of our own, so the test may stop and freeze it."""

    def __init__(self):
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed")
        self.binary = binary
        self.port = _free_port()
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603 - our own arguments
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        pytest.fail("private redis-server did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGCONT)
            self.process.terminate()
            self.process.wait(timeout=10)

    def freeze(self):
        os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self):
        os.kill(self.process.pid, signal.SIGCONT)

    def queued(self) -> int:
        return redis.Redis.from_url(self.url).llen("celery")


@pytest.fixture
def broker(settings):
    """Point Celery at a private Redis, out of in-process mode."""
    from config.celery import app

    server = PrivateRedis()
    server.start()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    saved = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url = server.url
    app.conf.task_always_eager = False
    app.close()
    try:
        yield server
    finally:
        server.stop()
        app.conf.broker_url, app.conf.task_always_eager = saved
        app.close()


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


def test_report_is_stored_while_redis_is_frozen_or_stopped(
    client, broker, building, category
):
    """With Redis frozen (SIGSTOP) and then stopped, reports are stored at once
    and wait in the outbox; when Redis is back the relay hands each on exactly
    once (one message in the queue per report, none twice)."""
    from config.celery import app

    broker.freeze()
    try:
        response = _report(client, building, category)
    finally:
        broker.thaw()
    assert response.status_code == 302
    assert Petition.objects.count() == 1
    assert OutboxMessage.objects.filter(dispatched_at__isnull=True).count() == 1
    assert outbox_relay() == 1
    assert outbox_relay() == 0
    assert broker.queued() == 1

    broker.stop()
    response = _report(client, building, category)
    assert response.status_code == 302
    assert Petition.objects.count() == 2
    assert outbox_relay() == 0
    message = OutboxMessage.objects.get(dispatched_at__isnull=True)
    assert message.attempts == 1 and message.last_error
    broker.start()
    app.close()
    # The relay process runs round after round; the first round after the
    # restart may still meet a stale connection, a later one gets through.
    assert sum(outbox_relay() for _ in range(3)) == 1
    assert outbox_relay() == 0
    assert broker.queued() == 1  # a fresh server: only the second report's work
