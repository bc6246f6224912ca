"""The outbox: work recorded with a change is finished by its task, handed on
again when lost, retried with growing delays, and never given up silently."""

import datetime

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from core import outbox
from core.models import Heartbeat, Notification, OutboxMessage
from core.outbox import outbox_enqueue, outbox_relay
from core.tasks import ping_task
from tests.core.services import celery_broker


@pytest.fixture
def failing_ping(monkeypatch):
    """Make ``core.ping`` raise until ``calls["fail"]`` is set to False."""
    calls = {"runs": 0, "fail": True}

    def run(value="pong"):
        calls["runs"] += 1
        if calls["fail"]:
            raise RuntimeError("the SMS gateway said no")
        return value

    monkeypatch.setattr(ping_task, "run", run)
    return calls


@pytest.fixture
def broker_out_of_process(settings):
    """Hand rows to an in-memory broker that no worker reads (a lost message)."""
    with celery_broker(settings, "memory://") as app:
        yield app


def _worker_runs(message: OutboxMessage):
    """Run a row's task as a worker does when the message reaches it."""
    from config.celery import app

    return app.tasks[message.task_name].apply(
        kwargs=message.kwargs, headers={"outbox_id": message.pk}, throw=False
    )


def test_outbox_enqueue_commits_and_rolls_back_with_the_change(db):
    """Work is recorded in the caller's transaction: a rollback leaves none."""
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox_enqueue("core.ping", value="rolled back")
        raise RuntimeError
    assert not OutboxMessage.objects.exists()
    outbox_enqueue("core.ping", value="kept")
    assert OutboxMessage.objects.get().kwargs == {"value": "kept"}


def test_outbox_enqueue_with_a_dedupe_key_records_the_work_once(db):
    """The same key twice is one row: the work is recorded, and done, once."""
    first = outbox_enqueue("core.ping", dedupe_key="ping:1", value="a")
    second = outbox_enqueue("core.ping", dedupe_key="ping:1", value="a")
    assert first.pk == second.pk
    assert OutboxMessage.objects.count() == 1


def test_outbox_row_is_done_when_its_task_has_run(db):
    """The relay hands the row on; the task, not the broker, marks it done."""
    message = outbox_enqueue("core.ping", value="x")
    assert outbox_relay() == 1
    message.refresh_from_db()
    assert message.done_at is not None and message.attempts == 1
    assert message.state == OutboxMessage.State.DONE
    assert outbox_relay() == 0


def test_outbox_message_delivered_twice_runs_once(db, failing_ping):
    """A second delivery of a finished row (the broker gave it twice) does
    nothing: the task sees that its row is done."""
    failing_ping["fail"] = False
    message = outbox_enqueue("core.ping", value="x")
    outbox_relay()
    assert failing_ping["runs"] == 1
    _worker_runs(message)
    assert failing_ping["runs"] == 1


def test_outbox_lost_message_is_handed_on_again_after_the_window(
    db, broker_out_of_process, pinned_clock, settings
):
    """A message the broker lost (Redis restarted without persistence) is
    handed on again once the visibility window has passed, and is then done
    exactly once."""
    settings.OUTBOX_VISIBILITY_TIMEOUT = 300
    message = outbox_enqueue("core.ping", value="x")
    assert outbox_relay() == 1
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.HANDED_ON
    pinned_clock.shift(datetime.timedelta(seconds=299))
    assert outbox_relay() == 0
    pinned_clock.shift(datetime.timedelta(seconds=2))
    assert outbox_relay() == 1
    message.refresh_from_db()
    assert message.attempts == 2
    assert "300" in message.last_error  # not finished within the window
    _worker_runs(message)
    _worker_runs(message)
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.DONE
    pinned_clock.shift(datetime.timedelta(seconds=301))
    assert outbox_relay() == 0


def test_outbox_failed_task_is_retried_with_growing_delays(
    db, failing_ping, pinned_clock
):
    """A task that raises is retried after 10 s, 20 s, 40 s … at most an hour
    apart, and is done once it succeeds."""
    message = outbox_enqueue("core.ping", value="x")
    delays = []
    for _ in range(11):
        outbox_relay()
        message.refresh_from_db()
        assert message.state == OutboxMessage.State.RETRYING
        assert "the SMS gateway said no" in message.last_error
        delays.append((message.available_at - timezone.now()).total_seconds())
        assert outbox_relay() == 0  # not due yet
        pinned_clock.move_to(message.available_at + datetime.timedelta(seconds=1))
    assert [round(d / 10) * 10 for d in delays[:4]] == [10, 20, 40, 80]
    assert round(delays[-1]) == 3600  # capped at an hour
    failing_ping["fail"] = False
    outbox_relay()
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.DONE
    assert message.attempts == 12


def test_outbox_gives_up_after_a_day_and_tells_the_district(
    world, failing_ping, pinned_clock
):
    """A row still failing a day after its first failure is dead: it stays
    in the table with its error, the district staff are told once, and the
    relay leaves it alone."""
    message = outbox_enqueue("core.ping", value="x")
    outbox_relay()
    pinned_clock.shift(datetime.timedelta(hours=23, minutes=59, seconds=50))
    outbox_relay()
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.RETRYING
    pinned_clock.move_to(message.available_at + datetime.timedelta(seconds=1))
    outbox_relay()
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.DEAD
    assert "the SMS gateway said no" in message.last_error
    alerts = Notification.objects.filter(dedupe_key__startswith=f"outbox:{message.pk}")
    assert [n.user for n in alerts] == [world.users["district"]]
    assert "core.ping" in alerts.get().subject
    pinned_clock.shift(datetime.timedelta(days=3))
    runs = failing_ping["runs"]
    assert outbox_relay() == 0
    assert failing_ping["runs"] == runs


def test_outbox_dead_row_is_retried_from_the_admin(
    world, client, failing_ping, pinned_clock
):
    """District staff see the dead row with its error and hand it on again;
    it is then done."""
    message = outbox_enqueue("core.ping", value="x")
    message.failing_since = timezone.now() - datetime.timedelta(days=2)
    message.save()
    outbox_relay()
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.DEAD
    client.force_login(world.users["district"])
    page = client.get("/admin/core/outboxmessage/?state=dead")
    assert page.status_code == 200
    assert "the SMS gateway said no" in page.content.decode()
    failing_ping["fail"] = False
    response = client.post(
        "/admin/core/outboxmessage/",
        {"action": "retry", "_selected_action": [message.pk]},
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.WAITING
    assert outbox_relay() == 1
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.DONE


def test_outbox_admin_is_closed_to_community_staff(world, client):
    """Only the district staff (and superusers) see the outbox."""
    client.force_login(world.users["community"])
    assert client.get("/admin/core/outboxmessage/").status_code == 403


def test_outbox_unknown_task_fails_without_blocking_the_others(db):
    """A row naming no task fails like a task that raised; the rows after it
    are still handed on."""
    broken = outbox_enqueue("no.such.task")
    outbox_enqueue("core.ping", value="x")
    assert outbox_relay() == 1
    broken.refresh_from_db()
    assert broken.state == OutboxMessage.State.RETRYING
    assert "no.such.task" in broken.last_error


def test_outbox_broken_message_does_not_block_the_queue(db):
    """A message that cannot run is skipped; the ones after it still go."""
    OutboxMessage.objects.create(task_name="no.such.task", kwargs={})
    OutboxMessage.objects.create(task_name="core.ping", kwargs={"value": "x"})
    assert outbox_relay() == 1
    broken = OutboxMessage.objects.get(task_name="no.such.task")
    assert broken.dispatched_at is None and broken.attempts == 1


def test_outbox_relay_talks_to_the_broker_outside_its_transaction(
    db, broker_out_of_process, monkeypatch
):
    """Rows are claimed and committed before the broker is called: a slow or
    frozen broker holds no transaction and no row lock."""
    from celery.app.task import Task

    depth = len(connection.atomic_blocks)  # the test's own transaction
    seen = []
    original = Task.apply_async

    def apply_async(self, *args, **kwargs):
        seen.append(len(connection.atomic_blocks))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Task, "apply_async", apply_async)
    outbox_enqueue("core.ping", value="x")
    outbox_enqueue("core.ping", value="y")
    assert outbox_relay() == 2
    assert seen == [depth, depth]


def test_outbox_broker_failure_leaves_the_rows_due_without_blame(
    db, broker_out_of_process, monkeypatch
):
    """When the broker refuses, the round stops, the rows are due again at
    once and count no failure against them."""
    from celery.app.task import Task
    from kombu.exceptions import OperationalError as BrokerError

    def refuse(self, *args, **kwargs):
        raise BrokerError("Error 111 connecting to 127.0.0.1:6379")

    monkeypatch.setattr(Task, "apply_async", refuse)
    first = outbox_enqueue("core.ping", value="x")
    outbox_enqueue("core.ping", value="y")
    assert outbox_relay() == 0
    rows = list(OutboxMessage.objects.all())
    assert all(r.state == OutboxMessage.State.WAITING for r in rows)
    assert all(r.available_at <= timezone.now() for r in rows)
    first.refresh_from_db()
    assert "Error 111" in first.last_error


def test_outbox_relay_command_survives_failed_rounds(db, monkeypatch):
    """A round that fails (the database restarted) is logged and the relay
    goes on with the next round on a fresh connection; it records that it
    is alive."""
    from core.management.commands import outbox_relay as command

    rounds = iter([OperationalError("terminating connection"), 0, 0])

    def relay_round():
        outcome = next(rounds)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    closed = []
    monkeypatch.setattr(command, "outbox_relay", relay_round)
    monkeypatch.setattr(command, "close_old_connections", lambda: None)
    monkeypatch.setattr(command.connection, "close", lambda: closed.append(True))
    monkeypatch.setattr(command.time, "sleep", lambda seconds: None)
    call_command("outbox_relay", rounds=3)
    assert closed == [True]
    assert Heartbeat.objects.get(name="relay").at is not None


def test_outbox_backoff_doubles_up_to_the_cap(settings):
    """10 s, 20 s, 40 s … never more than an hour."""
    settings.OUTBOX_RETRY_BASE, settings.OUTBOX_RETRY_MAX = 10, 3600
    waits = [outbox.outbox_backoff(n).total_seconds() for n in range(1, 12)]
    assert waits[:5] == [10, 20, 40, 80, 160]
    assert waits[-1] == 3600


def test_outbox_admin_list_reads_as_many_queries_for_many_rows(world, client):
    """The outbox list costs the same number of queries for 2 rows as for 40."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.users["district"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/admin/core/outboxmessage/").status_code == 200
        return len(captured)

    for _ in range(2):
        outbox_enqueue("core.ping", value="x")
    few = queries()
    for _ in range(38):
        outbox_enqueue("core.ping", value="x")
    assert queries() == few


def test_outbox_purge_deletes_only_rows_done_long_ago(db, settings):
    """Rows done over 30 days ago go; recent, unfinished and dead rows stay."""
    settings.OUTBOX_KEEP_DONE_DAYS = 30
    now = timezone.now()
    old = OutboxMessage.objects.create(
        task_name="core.ping", done_at=now - datetime.timedelta(days=31)
    )
    kept = [
        OutboxMessage.objects.create(
            task_name="core.ping", done_at=now - datetime.timedelta(days=29)
        ),
        OutboxMessage.objects.create(task_name="core.ping"),
        OutboxMessage.objects.create(
            task_name="core.ping", dead_at=now - datetime.timedelta(days=90)
        ),
    ]
    assert outbox.outbox_purge() == 1
    assert not OutboxMessage.objects.filter(pk=old.pk).exists()
    assert OutboxMessage.objects.count() == len(kept)
