"""Demo step: build the roll-ups of the demo cases so the district summary has
figures at once. Rebuilding is idempotent, so it reports nothing as created."""

import datetime

from django.utils import timezone

from .services import stats_rebuild


def demo_seed() -> dict:
    today = timezone.localdate()
    rows = stats_rebuild(first=today - datetime.timedelta(days=365), last=today)
    return {
        "notes": [f"Statistics roll-ups rebuilt for the last 12 months ({rows} rows)."]
    }
