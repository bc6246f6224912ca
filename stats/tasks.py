import datetime

from celery import shared_task

from .services import (
    evaluation_rebuild,
    evaluation_rebuild_recent,
    stats_rebuild_recent,
    stats_refresh_current,
)


@shared_task(name="stats.refresh_current")
def refresh_current_task() -> int:
    """Refresh this month's roll-ups and those of recently changed cases
    (every five minutes)."""
    return stats_refresh_current()


@shared_task(name="stats.rebuild_recent")
def rebuild_recent_task() -> int:
    """Rebuild the last thirteen months' roll-ups (nightly)."""
    return stats_rebuild_recent()


@shared_task(name="stats.evaluate_companies")
def evaluate_companies_task(quarter: str | None = None) -> int:
    """Rebuild the evaluations of property companies: of one quarter
    (``YYYY-MM-DD``, any day of it: after an assessment score was entered),
    or of this quarter and the last (nightly)."""
    if quarter:
        return evaluation_rebuild(quarter=datetime.date.fromisoformat(quarter))
    return evaluation_rebuild_recent()
