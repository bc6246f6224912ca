"""The Celery application of the platform.

Broker and behaviour come from Django settings (``CELERY_*`` names): Redis
with ``REDIS_URL``, otherwise a folder under ``var/broker`` (kombu's
filesystem transport), so that a real worker and its beat run with nothing but
Python installed. Every task is an ``OutboxTask``: work handed on from
``core.OutboxMessage`` is marked finished by the task that did it.
"""

import os
from pathlib import Path

from celery import Celery, Task
from celery.signals import beat_init, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")


class OutboxTask(Task):
    """A task that finishes (or fails) the outbox row it was handed on for.

    The relay sends the row's id in the message headers; a task started for a
    row that is already finished does nothing, so a message delivered twice
    runs once. Tasks started otherwise (beat, by hand) run as usual.
    """

    def __call__(self, *args, **kwargs):
        from core.outbox import outbox_id_of, outbox_run

        outbox_id = outbox_id_of(self.request)
        if outbox_id is None:
            return super().__call__(*args, **kwargs)
        return outbox_run(
            outbox_id, lambda: super(OutboxTask, self).__call__(*args, **kwargs)
        )


app = Celery("config", task_cls=OutboxTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def broker_reset() -> None:
    """Drop every pooled broker connection: the next publish connects anew
    (after a broker error, or when the broker settings changed)."""
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


def broker_folders_create() -> None:
    """Create the folders of the filesystem broker (it does not make them)."""
    if not str(app.conf.broker_url).startswith("filesystem://"):
        return
    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


@worker_init.connect
@beat_init.connect
def _broker_folders(**kwargs) -> None:
    broker_folders_create()
