"""Fault injection on a deployment's processes (deploy/Procfile) against
PostgreSQL and a private Redis: whatever breaks, every case's notification
arrives exactly once and the relay and worker carry on by themselves.

"Exactly once" is counted where messages leave the platform: the backend
writes one line per message it sends. A worker that is killed is started
again, as systemd's ``Restart=always`` does; nothing else is touched by hand.
"""

import collections
import json
import signal

import psycopg2
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import RequestFactory

from core.models import Heartbeat, Notification, OutboxMessage
from petitions.services import petition_submit
from tests.core.fake_tencent_sms import FakeTencentSms
from tests.core.services import (
    PrivateRedis,
    Process,
    celery_broker,
    database_url_for_tests,
    platform_env,
    procfile_command,
    wait_for,
)

pytestmark = pytest.mark.faults

#: Short windows so that a test waits seconds where a deployment waits minutes.
VISIBILITY = 4


class Stack:
    """A private Redis, a relay and a worker of the deployment, and the file
    where messages are counted."""

    def __init__(self, tmp_path):
        if connection.vendor != "postgresql":
            pytest.fail("the fault tests run on PostgreSQL (set DATABASE_URL)")
        self.tmp_path = tmp_path
        self.redis = PrivateRedis()
        self.sent_file = tmp_path / "sent.jsonl"
        self.processes: list[Process] = []
        self.env = platform_env(
            DATABASE_URL=database_url_for_tests(),
            DJANGO_CONN_MAX_AGE=60,
            REDIS_URL=self.redis.url,
            WORKER_CONCURRENCY=2,
            OUTBOX_VISIBILITY_TIMEOUT=VISIBILITY,
            OUTBOX_RETRY_BASE=1,
            NOTIFICATION_CLAIM_TIMEOUT=VISIBILITY - 2,
            NOTIFICATION_BACKENDS="tests.core.backends.SlowJsonLinesBackend",
            NOTIFICATION_FILE=self.sent_file,
            NOTIFICATION_DELAY=0.05,
        )

    def start(self, name: str) -> Process:
        env = dict(self.env)
        # The relay's connection can be told apart in pg_stat_activity.
        env["DATABASE_URL"] += f"?application_name=faults_{name}"
        process = Process(
            procfile_command("deploy/Procfile", name, env),
            env,
            self.tmp_path / f"{name}.log",
        ).start()
        self.processes.append(process)
        return process

    def stop(self):
        for process in self.processes:
            process.stop()
        self.redis.stop()

    def sent(self) -> collections.Counter:
        if not self.sent_file.exists():
            return collections.Counter()
        lines = self.sent_file.read_text().splitlines()
        return collections.Counter(json.loads(line)["key"] for line in lines)

    def log(self, name: str) -> str:
        path = self.tmp_path / f"{name}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


@pytest.fixture
def stack(transactional_db, tmp_path, settings, wall_clock):
    """The stack, with this test process as its web process (no in-process
    tasks: reports only write their outbox rows)."""
    stack = Stack(tmp_path)
    stack.redis.start()
    with celery_broker(settings, stack.redis.url):
        yield stack
    stack.stop()


def _cases(world, building, category, n: int) -> list[str]:
    """File ``n`` reports; return the keys of the notifications they owe."""
    grid_worker = world.users["grid"].pk
    keys = []
    for i in range(n):
        petition, _ = petition_submit(
            category=category,
            description=f"故障演练 {i}",
            building=building,
            reporter_phone="13912345678",
        )
        keys.append(f"petition:{petition.pk}:new:{grid_worker}")
    return keys


def _all_done(stack: Stack, keys: list[str], timeout: float = 90):
    wait_for(
        lambda: (
            not OutboxMessage.objects.filter(done_at__isnull=True).exists()
            and set(stack.sent()) >= set(keys)
        ),
        timeout=timeout,
        what=f"all work done\nrelay:\n{stack.log('relay')}\nworker:\n"
        f"{stack.log('worker')}",
    )


def _exactly_once(stack: Stack, keys: list[str]):
    sent = stack.sent()
    assert {key: sent[key] for key in keys} == dict.fromkeys(keys, 1)
    assert Notification.objects.filter(dedupe_key__in=keys).count() == len(keys)


def test_faults_worker_killed_mid_batch(stack, world, building, category):
    """SIGKILL the worker (and its pool) halfway through 40 cases, start it
    again: every notification is sent exactly once."""
    relay = stack.start("relay")
    worker = stack.start("worker")
    keys = _cases(world, building, category, 40)
    wait_for(lambda: len(stack.sent()) >= 8, timeout=60, what="the batch started")
    worker.kill(signal.SIGKILL)
    assert len(stack.sent()) < 40, "the batch ended before the kill"
    stack.start("worker")
    _all_done(stack, keys)
    _exactly_once(stack, keys)
    assert relay.alive()


def test_faults_redis_restarted_without_persistence_with_work_queued(
    stack, world, building, category
):
    """Work queued in Redis is lost with a restart without persistence: it is
    handed on again after the visibility window and done exactly once; the
    relay reconnects by itself."""
    relay = stack.start("relay")
    keys = _cases(world, building, category, 20)
    wait_for(lambda: stack.redis.queued() == 20, timeout=30, what="20 queued")
    stack.redis.restart()
    assert stack.redis.queued() == 0
    stack.start("worker")
    _all_done(stack, keys)
    _exactly_once(stack, keys)
    assert relay.alive()


def test_faults_database_connections_terminated(stack, world, building, category):
    """pg_terminate_backend the relay's and the worker's connections twice
    while work flows: both carry on by themselves and every notification is
    sent exactly once."""
    relay = stack.start("relay")
    worker = stack.start("worker")
    keys = _cases(world, building, category, 10)
    _all_done(stack, keys)
    for _ in range(2):
        killed = _terminate_backends(application_prefix="faults_")
        assert killed >= 1
        keys += _cases(world, building, category, 10)
        _all_done(stack, keys)
    _exactly_once(stack, keys)
    assert relay.alive() and worker.alive()
    beat = Heartbeat.objects.get(name=Heartbeat.Name.RELAY).at
    wait_for(
        lambda: Heartbeat.objects.get(name=Heartbeat.Name.RELAY).at > beat,
        timeout=30,
        what="a relay heartbeat after the terminations",
    )


def test_faults_requests_survive_terminated_connections(transactional_db):
    """A persistent connection (CONN_MAX_AGE) that PostgreSQL terminated, as
    in a restart, is noticed by the health check at the next request and
    replaced: no request fails. Requests go through Django's WSGI handler,
    as under gunicorn (the test client skips the connection handling)."""
    if connection.vendor != "postgresql":
        pytest.fail("the fault tests run on PostgreSQL (set DATABASE_URL)")
    handler = WSGIHandler()

    def get(path: str) -> int:
        status = []
        environ = RequestFactory().get(path).environ
        body = handler(environ, lambda code, headers: status.append(code))
        b"".join(body)
        body.close()
        return int(status[0].split()[0])

    saved = connection.settings_dict["CONN_MAX_AGE"]
    connection.settings_dict["CONN_MAX_AGE"] = 60
    connection.close()
    try:
        assert get("/open311/v2/services.json") == 200
        for _ in range(2):
            pid = _backend_pid()
            assert _terminate_backends(pid=pid) == 1
            assert get("/open311/v2/services.json") == 200
            assert _backend_pid() != pid
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = saved
        connection.close()


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _terminate_backends(*, application_prefix: str = "", pid: int = 0) -> int:
    """Terminate connections to the test database from another connection, as
    a PostgreSQL restart does; return how many were terminated."""
    config = connection.settings_dict
    admin = psycopg2.connect(
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
        user=config["USER"] or "postgres",
        password=config["PASSWORD"] or None,
        dbname=config["NAME"],
    )
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND ((%s <> '' AND application_name LIKE %s) OR pid = %s)",
                [application_prefix, f"{application_prefix}%", pid],
            )
            return cursor.fetchone()[0]
    finally:
        admin.close()


def test_faults_sms_once_per_event_with_redis_stopped_and_restarted(
    stack, world, building, category
):
    """The outbox goes through Redis to the Tencent SMS backend: with Redis
    stopped, 15 reports are stored; Redis starts again (empty) and the fake
    gateway receives exactly one SMS per report, to its reporter."""
    gateway = FakeTencentSms().start()
    try:
        stack.env.update(gateway.env(report_received="2000001"))
        stack.env["NOTIFICATION_BACKENDS"] = "core.sms.TencentSmsBackend"
        relay = stack.start("relay")
        stack.start("worker")
        stack.redis.stop()
        phones = [f"1390000{i:04d}" for i in range(15)]
        for phone in phones:
            petition_submit(
                category=category,
                description="故障演练：短信",
                building=building,
                reporter_phone=phone,
            )
        wait_for(
            lambda: "broker refused" in stack.log("relay"),
            timeout=30,
            what="the relay meeting the stopped Redis",
        )
        assert gateway.sent == []
        stack.redis.start()
        wait_for(
            lambda: (
                len(gateway.sent) >= len(phones)
                and not OutboxMessage.objects.filter(done_at__isnull=True).exists()
            ),
            timeout=90,
            what=f"every SMS sent\nrelay:\n{stack.log('relay')}\nworker:\n"
            f"{stack.log('worker')}",
        )
        sent = collections.Counter(r["PhoneNumber"] for r in gateway.sent)
        assert sent == collections.Counter(f"+86{p}" for p in phones)
        assert gateway.refused == []
        assert relay.alive()
    finally:
        gateway.stop()
