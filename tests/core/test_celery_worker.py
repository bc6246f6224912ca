"""Real workers, beat and relay, started from the Procfiles, do the work after
a report: the embedded default (a folder as the broker, SQLite or the test's
PostgreSQL) and a deployment's worker through a real Redis."""

import contextlib
import json
import os
import uuid

import pytest
from django.urls import reverse

from core.models import Heartbeat, Notification, OutboxMessage
from petitions.models import Petition
from tests.core.services import (
    Process,
    celery_broker,
    database_url_for_tests,
    platform_env,
    procfile_command,
    wait_for,
)


@pytest.fixture
def started(tmp_path):
    """Start processes; stop every one of them after the test."""
    processes = []

    def start(procfile: str, name: str, env: dict) -> Process:
        process = Process(
            procfile_command(procfile, name, env), env, tmp_path / f"{name}.log"
        ).start()
        processes.append(process)
        return process

    yield start
    for process in processes:
        process.stop()


@pytest.fixture
def out_of_process(settings):
    """Make this process a web process of the stack: no in-process tasks, the
    same broker as the started processes."""
    with contextlib.ExitStack() as stack:
        yield lambda url, **options: stack.enter_context(
            celery_broker(settings, url, **options)
        )


def _report(client, building, category):
    url = reverse("petitions:report-building", args=[building.pk])
    response = client.post(
        f"{url}?category={category.code}",
        {
            "description": "楼道灯坏了",
            "reporter_phone": "13912345678",
            "idempotency_key": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 302
    return Petition.objects.latest("id")


def _sent(path) -> list[str]:
    if not path.exists():
        return []
    return [json.loads(line)["key"] for line in path.read_text().splitlines()]


def test_embedded_default_does_the_work_after_a_report(
    wall_clock,
    client,
    transactional_db,
    world,
    building,
    category,
    started,
    out_of_process,
    tmp_path,
):
    """serve.sh's worker (with its beat) and relay, on a folder broker: a
    report's notification is sent once, its outbox row is done, the schedule
    runs, and /healthz answers 200 with every part well."""
    broker = tmp_path / "broker"
    sent_file = tmp_path / "sent.jsonl"
    env = platform_env(
        DATABASE_URL=database_url_for_tests(),
        CELERY_BROKER_DIR=broker,
        SCHEDULER_HEARTBEAT_SECONDS=1,
        NOTIFICATION_BACKENDS="core.notifications.JsonLinesBackend",
        NOTIFICATION_FILE=sent_file,
    )
    queue = str(broker / "queue")
    out_of_process(
        "filesystem://localhost/", data_folder_in=queue, data_folder_out=queue
    )
    started("Procfile", "relay", env)
    started("Procfile", "worker", env)

    petition = _report(client, building, category)
    key = f"petition:{petition.pk}:new:{world.users['grid'].pk}"
    resident_key = f"petition:{petition.pk}:resident:received"
    wait_for(
        lambda: Notification.objects.filter(
            dedupe_key=key, sent_at__isnull=False
        ).exists(),
        timeout=60,
        what="the grid worker's notification",
    )
    wait_for(
        lambda: not OutboxMessage.objects.filter(done_at__isnull=True).exists(),
        timeout=30,
        what="every outbox row done",
    )
    wait_for(
        lambda: Heartbeat.objects.count() == 2,
        timeout=60,
        what="the relay's and the schedule's heartbeats",
    )
    assert sorted(_sent(sent_file)) == sorted([key, resident_key])
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["broker"] == {"ok": True, "transport": "filesystem"}


@pytest.mark.redis
def test_deployment_worker_does_the_work_through_redis(
    wall_clock,
    client,
    transactional_db,
    world,
    building,
    category,
    started,
    out_of_process,
    tmp_path,
):
    """A deployment's worker and relay (deploy/Procfile) through the real
    Redis at REDIS_URL: the report's notification is sent once and its outbox
    row is done."""
    redis_url = os.environ["REDIS_URL"]  # CI sets it; a KeyError here is loud
    sent_file = tmp_path / "sent.jsonl"
    env = platform_env(
        DATABASE_URL=database_url_for_tests(),
        REDIS_URL=redis_url,
        WORKER_CONCURRENCY=2,
        NOTIFICATION_BACKENDS="core.notifications.JsonLinesBackend",
        NOTIFICATION_FILE=sent_file,
    )
    out_of_process(redis_url, socket_timeout=2, socket_connect_timeout=1)
    started("deploy/Procfile", "relay", env)
    started("deploy/Procfile", "worker", env)

    petition = _report(client, building, category)
    key = f"petition:{petition.pk}:new:{world.users['grid'].pk}"
    resident_key = f"petition:{petition.pk}:resident:received"
    wait_for(
        lambda: not OutboxMessage.objects.filter(done_at__isnull=True).exists(),
        timeout=60,
        what="every outbox row done",
    )
    assert sorted(_sent(sent_file)) == sorted([key, resident_key])
