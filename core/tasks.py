from celery import shared_task

from .models import Heartbeat
from .outbox import heartbeat_record, outbox_purge


@shared_task(name="core.ping")
def ping_task(value: str = "pong") -> str:
    """Echo ``value``: proves that a worker takes and runs tasks."""
    return value


@shared_task(name="core.heartbeat")
def heartbeat_task() -> None:
    """Record that the schedule ran (every minute; ``/healthz`` reads it)."""
    heartbeat_record(Heartbeat.Name.SCHEDULER)


@shared_task(name="core.outbox_purge")
def outbox_purge_task() -> int:
    """Delete outbox rows done long ago (nightly)."""
    return outbox_purge()
