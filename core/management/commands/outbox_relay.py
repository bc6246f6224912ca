import time

from django.core.management.base import BaseCommand

from core.outbox import outbox_relay


class Command(BaseCommand):
    help = (
        "Hand queued work (core.OutboxMessage) to Celery. Run one per deployment "
        "beside the workers; rows wait safely while the broker is down."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Relay once and stop.")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between rounds."
        )

    def handle(self, *args, once=False, interval=1.0, **options):
        while True:
            sent = outbox_relay()
            if sent:
                self.stdout.write(f"handed on {sent}")
            if once:
                return
            time.sleep(interval)
