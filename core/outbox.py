"""The transactional outbox: work recorded with a change, done after it.

A service calls ``outbox_enqueue`` inside its transaction; the row commits or
rolls back with the change. The relay (``manage.py outbox_relay``) hands due
rows to Celery, outside any transaction, and the task marks its row done when
it has done the work (``config.celery.OutboxTask`` calls ``outbox_run``).

A row that was handed on and is not done within ``OUTBOX_VISIBILITY_TIMEOUT``
is handed on again: the broker lost it (Redis restarted without persistence)
or the worker died. A task that fails is retried with growing delays; a row
still failing ``OUTBOX_GIVE_UP_AFTER`` after its first failure is dead, shown
in the admin with its error, and the district staff are told. Every task is
idempotent (notifications carry keys), so a second run changes nothing.
"""

import datetime
import logging

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Heartbeat, OutboxMessage

logger = logging.getLogger(__name__)

#: The message header that carries the row's id to the task.
OUTBOX_HEADER = "outbox_id"


def outbox_enqueue(
    task_name: str, *, dedupe_key: str | None = None, **kwargs
) -> OutboxMessage:
    """Record ``task_name(**kwargs)`` to run once the current transaction commits.

    With ``dedupe_key``, work with the same key is recorded once: a second call
    returns the first row. With in-process tasks (the test settings) the relay
    runs right after the commit; otherwise the relay process picks the row up,
    so the request never waits on the broker.
    """
    if dedupe_key:
        try:
            with transaction.atomic():
                message = OutboxMessage.objects.create(
                    task_name=task_name, kwargs=kwargs, dedupe_key=dedupe_key[:150]
                )
        except IntegrityError:
            return OutboxMessage.objects.get(dedupe_key=dedupe_key[:150])
    else:
        message = OutboxMessage.objects.create(task_name=task_name, kwargs=kwargs)
    if settings.CELERY_TASK_ALWAYS_EAGER:
        transaction.on_commit(outbox_relay)
    return message


def outbox_relay(*, limit: int = 100) -> int:
    """Hand due messages to Celery, oldest first; return how many went.

    Rows are claimed in a short transaction (with SKIP LOCKED where the
    database has it, so several relays never take the same row) and sent after
    it committed: a slow or frozen broker holds no lock and no transaction. A
    row the broker refused is due again at once; a row whose task is unknown
    fails like a task that raised.
    """
    from config.celery import app, broker_reset

    # Outside a worker the tasks modules are not imported yet: load them.
    app.loader.import_default_modules()
    eager = settings.CELERY_TASK_ALWAYS_EAGER
    claimed = _claim(limit=limit)
    sent = 0
    for index, message in enumerate(claimed):
        task = app.tasks.get(message.task_name)
        if task is None:
            outbox_fail(message.pk, LookupError(f"no task {message.task_name!r}"))
            continue
        headers = {OUTBOX_HEADER: message.pk}
        if eager:
            # The task records its own success or failure (OutboxTask).
            task.apply(kwargs=message.kwargs, headers=headers, throw=False)
            sent += 1
            continue
        try:
            task.apply_async(kwargs=message.kwargs, headers=headers, retry=False)
        except Exception as exc:  # the broker is down or frozen
            logger.warning("outbox: broker refused message %s: %r", message.pk, exc)
            _release([m.pk for m in claimed[index:]], error=repr(exc))
            broker_reset()  # the next round connects anew
            break  # the rest would fail the same way
        sent += 1
    return sent


def _claim(*, limit: int) -> list[OutboxMessage]:
    """Mark up to ``limit`` due rows as handed on and return them.

    A row already handed on whose window has passed failed to finish: it
    counts as a failure (and may so become dead) before it goes again.
    """
    now = timezone.now()
    window = datetime.timedelta(seconds=settings.OUTBOX_VISIBILITY_TIMEOUT)
    give_up = datetime.timedelta(seconds=settings.OUTBOX_GIVE_UP_AFTER)
    died = []
    with transaction.atomic():
        due = OutboxMessage.objects.filter(
            done_at__isnull=True, dead_at__isnull=True, available_at__lte=now
        ).order_by("available_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        rows = list(due[:limit])
        handed = []
        for row in rows:
            if row.dispatched_at is not None:
                row.failing_since = row.failing_since or now
                row.last_error = _(
                    "Not finished within %(seconds)s s of being handed on at "
                    "%(at)s (lost by the broker or the worker)."
                ) % {
                    "seconds": settings.OUTBOX_VISIBILITY_TIMEOUT,
                    "at": timezone.localtime(row.dispatched_at).isoformat(),
                }
                if now - row.failing_since >= give_up:
                    row.dead_at, row.dispatched_at = now, None
                    died.append(row)
                    continue
            row.dispatched_at = now
            row.available_at = now + window
            row.attempts += 1
            handed.append(row)
        OutboxMessage.objects.bulk_update(
            rows,
            [
                "dispatched_at",
                "available_at",
                "attempts",
                "failing_since",
                "last_error",
                "dead_at",
            ],
        )
    for row in died:
        outbox_alert_dead(row)
    return handed


def _release(pks: list[int], *, error: str) -> None:
    """Make rows the broker did not take due again (not the rows' fault)."""
    OutboxMessage.objects.filter(pk__in=pks, done_at__isnull=True).update(
        dispatched_at=None, available_at=timezone.now(), last_error=error[:2000]
    )


def outbox_id_of(request) -> int | None:
    """Return the outbox row id a task was started for, if any."""
    headers = getattr(request, "headers", None) or {}
    value = headers.get(OUTBOX_HEADER) or getattr(request, OUTBOX_HEADER, None)
    return int(value) if value is not None else None


def outbox_run(outbox_id: int, call):
    """Run ``call`` for outbox row ``outbox_id`` unless the row is done; mark
    it done after, or record the failure and re-raise."""
    if OutboxMessage.objects.filter(pk=outbox_id, done_at__isnull=False).exists():
        logger.info("outbox: message %s is already done", outbox_id)
        return None
    try:
        result = call()
    except Exception as exc:
        outbox_fail(outbox_id, exc)
        raise
    _database_retry(
        lambda: OutboxMessage.objects.filter(pk=outbox_id, done_at__isnull=True).update(
            done_at=timezone.now(), dead_at=None, last_error=""
        )
    )
    return result


def outbox_fail(outbox_id: int, exc: BaseException) -> None:
    """Record that the work of row ``outbox_id`` failed: retry it later with a
    growing delay, or declare it dead after ``OUTBOX_GIVE_UP_AFTER``."""
    error = f"{type(exc).__name__}: {exc}"[:2000]
    logger.warning("outbox: message %s failed: %s", outbox_id, error)
    dead = _database_retry(lambda: _record_failure(outbox_id, error))
    if dead is not None:
        outbox_alert_dead(dead)


def _record_failure(outbox_id: int, error: str) -> OutboxMessage | None:
    now = timezone.now()
    with transaction.atomic():
        row = OutboxMessage.objects.select_for_update().filter(pk=outbox_id).first()
        if row is None or row.done_at or row.dead_at:
            return None
        row.failing_since = row.failing_since or now
        row.last_error = error
        row.dispatched_at = None
        giving_up = now - row.failing_since >= datetime.timedelta(
            seconds=settings.OUTBOX_GIVE_UP_AFTER
        )
        if giving_up:
            row.dead_at = now
        else:
            row.available_at = now + outbox_backoff(row.attempts)
        row.save(
            update_fields=[
                "failing_since",
                "last_error",
                "dispatched_at",
                "dead_at",
                "available_at",
            ]
        )
    return row if giving_up else None


def outbox_backoff(attempts: int) -> datetime.timedelta:
    """Return the wait before the next try after ``attempts`` tries:
    ``OUTBOX_RETRY_BASE`` doubled each time, at most ``OUTBOX_RETRY_MAX``."""
    seconds = settings.OUTBOX_RETRY_BASE * 2 ** max(attempts - 1, 0)
    return datetime.timedelta(seconds=min(seconds, settings.OUTBOX_RETRY_MAX))


def _database_retry(write):
    """Run ``write``; after a database error (a terminated connection) drop
    the connection and run it once more on a fresh one."""
    try:
        return write()
    except DatabaseError:
        if connection.in_atomic_block:
            raise
        logger.warning("outbox: database error, reconnecting", exc_info=True)
        connection.close()
        return write()


def outbox_retry(*, message: OutboxMessage) -> OutboxMessage:
    """Give a dead (or failing) row a fresh start: due now, a new day of tries."""
    OutboxMessage.objects.filter(pk=message.pk, done_at__isnull=True).update(
        dead_at=None,
        failing_since=None,
        dispatched_at=None,
        available_at=timezone.now(),
        attempts=0,
    )
    message.refresh_from_db()
    if settings.CELERY_TASK_ALWAYS_EAGER:
        transaction.on_commit(outbox_relay)
    return message


def outbox_alert_dead(message: OutboxMessage) -> int:
    """Tell every district staff account that a row is dead; return how many
    were told. A failing alert is logged, never raised: the row stays dead and
    visible in the admin either way."""
    from django.utils.module_loading import import_string

    from .notifications import notify

    logger.error(
        "outbox: message %s (%s) is dead: %s",
        message.pk,
        message.task_name,
        message.last_error,
    )
    # Who is told is the territory's business (settings), not the outbox's.
    users = {u.pk: u for u in import_string(settings.OUTBOX_DEAD_ALERT_RECIPIENTS)()}
    told = 0
    for user in users.values():
        try:
            told += bool(
                notify(
                    dedupe_key=(
                        f"outbox:{message.pk}:dead:{message.dead_at:%Y%m%d%H%M%S}:"
                        f"{user.pk}"
                    ),
                    user=user,
                    subject=_("Background work failed: %(task)s")
                    % {"task": message.task_name},
                    body=_(
                        "Outbox message %(id)s (%(task)s) failed for a day and "
                        "was given up: %(error)s. Retry it in the admin under "
                        "Platform › Outbox messages once the cause is fixed."
                    )
                    % {
                        "id": message.pk,
                        "task": message.task_name,
                        "error": message.last_error[:300],
                    },
                )
            )
        except Exception:
            logger.exception("outbox: could not alert %s of a dead message", user)
    return told


def outbox_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete rows done more than ``OUTBOX_KEEP_DONE_DAYS`` ago; return how many.
    Unfinished and dead rows stay."""
    now = now or timezone.now()
    limit = now - datetime.timedelta(days=settings.OUTBOX_KEEP_DONE_DAYS)
    deleted, _ = OutboxMessage.objects.filter(done_at__lt=limit).delete()
    return deleted


def heartbeat_record(name: str, *, detail: str = "") -> None:
    """Record that background process ``name`` is alive now."""
    Heartbeat.objects.update_or_create(
        name=name, defaults={"at": timezone.now(), "detail": detail[:200]}
    )
