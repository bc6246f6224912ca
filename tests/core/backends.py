"""A notification backend for the fault tests: slow like a real gateway, and
counting every message it sends (one JSON line each)."""

import os
import time

from core.notifications import JsonLinesBackend


class SlowJsonLinesBackend(JsonLinesBackend):
    """Take ``NOTIFICATION_DELAY`` seconds per message, then write its line."""

    def send(self, notification) -> None:
        time.sleep(float(os.environ.get("NOTIFICATION_DELAY", "0.05")))
        super().send(notification)
