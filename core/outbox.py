"""The transactional outbox: enqueue work with a change, hand it to Celery later."""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from .models import OutboxMessage

logger = logging.getLogger(__name__)
#: After this many failures a message stays in the table for people to look at.
MAX_ATTEMPTS = 20


def outbox_enqueue(task_name: str, **kwargs) -> OutboxMessage:
    """Record ``task_name(**kwargs)`` to run once the current transaction commits.

    With in-process tasks (no broker) the relay runs right after the commit;
    with a broker the separate relay process picks the row up, so the request
    never waits on Redis.
    """
    message = OutboxMessage.objects.create(task_name=task_name, kwargs=kwargs)
    if settings.CELERY_TASK_ALWAYS_EAGER:
        transaction.on_commit(outbox_relay)
    return message


def outbox_relay(*, limit: int = 100) -> int:
    """Hand pending messages to Celery, oldest first; return how many went.

    Rows are claimed with SKIP LOCKED where the database has it, so several
    relays never hand on the same row. A failure leaves the row pending.
    """
    from config.celery import app

    # Outside a worker the tasks modules are not imported yet: load them.
    app.loader.import_default_modules()
    sent = 0
    with transaction.atomic():
        pending = OutboxMessage.objects.filter(
            dispatched_at__isnull=True, attempts__lt=MAX_ATTEMPTS
        ).order_by("id")
        if transaction.get_connection().features.has_select_for_update_skip_locked:
            pending = pending.select_for_update(skip_locked=True)
        for message in pending[:limit]:
            message.attempts += 1
            try:
                task = app.tasks[message.task_name]
                if settings.CELERY_TASK_ALWAYS_EAGER:
                    task.apply(kwargs=message.kwargs, throw=True)
                else:
                    task.apply_async(kwargs=message.kwargs, retry=False)
            except Exception as exc:  # the broker or the task failed: keep the row
                logger.warning("outbox %s not handed on: %r", message.pk, exc)
                message.last_error = repr(exc)[:200]
                message.save(update_fields=["attempts", "last_error"])
                if isinstance(exc, BrokerError):
                    break  # the broker is down: the rest would fail the same way
                continue  # this message is at fault: do not hold up the others
            message.dispatched_at = timezone.now()
            message.save(update_fields=["attempts", "dispatched_at"])
            sent += 1
    return sent
