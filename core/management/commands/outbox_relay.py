import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

from core.models import Heartbeat
from core.outbox import heartbeat_record, outbox_relay

logger = logging.getLogger("core.outbox")

#: Seconds between two heartbeats of a relay that has nothing else to write.
HEARTBEAT_EVERY = 10.0
#: Longest pause after failed rounds (the pause doubles from ``--interval``).
MAX_PAUSE = 30.0


class Command(BaseCommand):
    help = (
        "Hand queued work (core.OutboxMessage) to Celery, round after round. "
        "Run one or more per deployment beside the workers. A round that fails "
        "(database restarted, broker down) is logged and the next round starts "
        "on a fresh connection: the relay never stops by itself."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Relay once and stop.")
        parser.add_argument(
            "--rounds", type=int, default=0, help="Stop after this many rounds."
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between rounds."
        )

    def handle(self, *args, once=False, interval=1.0, rounds=0, **options):
        from config.celery import broker_folders_create

        broker_folders_create()
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        last_beat = 0.0
        failures = 0
        done = 0
        while not stopping and not (rounds and done >= rounds):
            done += 1
            try:
                # A connection the database dropped (restart, terminated
                # backend) is noticed here and replaced.
                close_old_connections()
                sent = outbox_relay()
                if time.monotonic() - last_beat >= HEARTBEAT_EVERY or once:
                    heartbeat_record(Heartbeat.Name.RELAY)
                    last_beat = time.monotonic()
            except Exception:
                failures += 1
                logger.exception("outbox relay: round failed (%s in a row)", failures)
                try:
                    connection.close()
                except Exception:
                    logger.debug("outbox relay: closing the connection failed")
                if once:
                    raise
                time.sleep(min(interval * 2**failures, MAX_PAUSE))
                continue
            failures = 0
            if sent:
                self.stdout.write(f"handed on {sent}")
            if once:
                return
            # A full batch means more are waiting: go on at once.
            if sent < 100:
                time.sleep(interval)
