"""``/healthz`` reports the database, broker, relay, schedule and outbox, fast.

The checks run in threads with connections of their own, so these tests use
committed data (``transactional_db``).
"""

import contextlib
import datetime
import os
import signal
import time

import pytest
from django.utils import timezone

from core import views
from core.models import Heartbeat, OutboxMessage
from tests.core.services import PrivateRedis, celery_broker, redis_server_binary


@pytest.fixture
def alive(transactional_db):
    """The relay and the schedule have just run."""
    for name in Heartbeat.Name.values:
        Heartbeat.objects.create(name=name, at=timezone.now())


@pytest.fixture
def broker_at(settings):
    """Point Celery at another broker URL, out of in-process mode."""
    with contextlib.ExitStack() as stack:
        yield lambda url, **options: stack.enter_context(
            celery_broker(settings, url, **options)
        )


def test_healthz_reports_every_part_when_all_is_well(client, alive):
    """With in-process tasks, a fresh schedule and no waiting work: 200, and
    each part says what it checked."""
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"] == {"ok": True, "transport": "in-process"}
    assert body["relay"] == {"ok": True, "mode": "in-process"}
    assert body["scheduler"]["ok"] is True
    assert body["scheduler"]["limit_seconds"] == 15 * 60
    assert body["outbox"]["ok"] is True
    assert body["outbox"]["unfinished"] == 0


def test_healthz_answers_503_when_the_schedule_stopped(client, alive, pinned_clock):
    """Fifteen minutes without a periodic run turn the check to 503."""
    pinned_clock.shift(datetime.timedelta(minutes=14))
    assert client.get("/healthz").status_code == 200
    pinned_clock.shift(datetime.timedelta(minutes=2))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["scheduler"]["ok"] is False
    assert response.json()["scheduler"]["age_seconds"] >= 16 * 60


def test_healthz_answers_503_when_the_schedule_never_ran(client, transactional_db):
    """A deployment whose beat never ran is not healthy."""
    Heartbeat.objects.create(name=Heartbeat.Name.RELAY, at=timezone.now())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["scheduler"] == {
        "ok": False,
        "at": None,
        "age_seconds": None,
        "limit_seconds": 15 * 60,
    }


def test_healthz_answers_503_when_old_work_is_unfinished(client, alive, pinned_clock):
    """An outbox row unfinished for longer than the limit turns it to 503;
    dead rows are counted but left to the admin and the alert."""
    OutboxMessage.objects.create(task_name="core.ping", dead_at=timezone.now())
    OutboxMessage.objects.create(task_name="core.ping")
    pinned_clock.shift(datetime.timedelta(minutes=10))
    Heartbeat.objects.update(at=timezone.now())
    body = client.get("/healthz").json()
    assert body["outbox"]["ok"] is True
    assert body["outbox"]["unfinished"] == 1 and body["outbox"]["dead"] == 1
    pinned_clock.shift(datetime.timedelta(minutes=6))
    Heartbeat.objects.update(at=timezone.now())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["outbox"]["ok"] is False


def test_healthz_answers_503_when_the_relay_stopped(
    client, alive, broker_at, tmp_path, pinned_clock
):
    """Out of in-process mode, a relay silent for over a minute turns it to 503."""
    folder = str(tmp_path / "queue")
    broker_at("filesystem://", data_folder_in=folder, data_folder_out=folder)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["broker"] == {"ok": True, "transport": "filesystem"}
    assert response.json()["relay"]["ok"] is True
    pinned_clock.shift(datetime.timedelta(seconds=61))
    Heartbeat.objects.filter(name=Heartbeat.Name.SCHEDULER).update(at=timezone.now())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["relay"]["ok"] is False


def test_healthz_answers_503_when_the_broker_is_down(client, alive, broker_at):
    """A Redis that cannot be reached turns the check to 503 with the reason."""
    # Port 9 (discard) on loopback: nothing listens there.
    broker_at("redis://127.0.0.1:9/0", socket_connect_timeout=0.5)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False
    assert response.json()["status"] == "degraded"


@pytest.mark.skipif(
    redis_server_binary() is None and not os.environ.get("CI"),
    reason="SKIPPED: redis-server is not installed",
)
def test_healthz_answers_within_a_second_when_redis_is_frozen(client, alive, broker_at):
    """A Redis that accepts connections but never answers (SIGSTOP) costs the
    probe at most about a second, and reads as down."""
    with PrivateRedis() as redis_server:
        broker_at(redis_server.url, socket_timeout=5, socket_connect_timeout=5)
        assert client.get("/healthz").status_code == 200
        os.kill(redis_server.pid, signal.SIGSTOP)
        try:
            started = time.monotonic()
            response = client.get("/healthz")
            took = time.monotonic() - started
        finally:
            os.kill(redis_server.pid, signal.SIGCONT)
    assert response.status_code == 503
    assert response.json()["broker"] == {"ok": False, "error": "timeout"}
    assert took < 1.5


def test_healthz_answers_503_when_the_database_fails(client, alive, monkeypatch):
    """A database error reads as down, and so do the parts recorded in it."""
    from django.db import OperationalError

    def failing():
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(views, "_database_state", failing)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == {"ok": False, "error": "OperationalError"}
    assert body["scheduler"]["ok"] is False and body["outbox"]["ok"] is False


def test_healthz_answers_within_a_second_when_the_database_hangs(
    client, alive, monkeypatch
):
    """A database that does not answer costs the probe about a second."""

    def hanging():
        time.sleep(3)
        return {"ok": True}

    monkeypatch.setattr(views, "_database_state", hanging)
    started = time.monotonic()
    response = client.get("/healthz")
    assert time.monotonic() - started < 1.5
    assert response.status_code == 503
    assert response.json()["database"] == {"ok": False, "error": "timeout"}


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_healthz_accepts_only_get(client, db, method):
    """Probes read; anything else is refused."""
    assert getattr(client, method)("/healthz").status_code == 405


def test_api_root_lists_the_entry_points(client, db):
    """/api/v1/ answers with the API's addresses instead of a 404."""
    response = client.get("/api/v1/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["endpoints"]["petitions"].endswith("/api/v1/petitions/")
    assert body["endpoints"]["stats/summary"].endswith("/api/v1/stats/summary/")
    assert body["schema"].endswith("/api/schema/")
    for url in body["endpoints"].values():
        assert "<" not in url


def test_database_unavailable_answers_503_not_500(client, world, monkeypatch):
    """A page or API call that meets a database that cannot be reached (a
    restart, a failover) answers 503 with Retry-After, not a server error."""
    from django.db import OperationalError

    def unreachable(**kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr("petitions.selectors.petition_by_token", unreachable)
    monkeypatch.setattr("petitions.open311.views.category_list", unreachable)
    client.raise_request_exception = False
    page = client.get("/track/abcdefghijklmnopqrstuvwxyz/")
    assert page.status_code == 503 and page["Retry-After"] == "10"
    api = client.get("/open311/v2/services.json")
    assert api.status_code == 503
    assert api.json()["code"] == "unavailable"


def test_other_errors_stay_server_errors(client, world, monkeypatch):
    """Only an unreachable database is a 503; a bug is still a 500."""

    def broken(**kwargs):
        raise ZeroDivisionError

    monkeypatch.setattr("petitions.selectors.petition_by_token", broken)
    client.raise_request_exception = False
    assert client.get("/track/abcdefghijklmnopqrstuvwxyz/").status_code == 500
