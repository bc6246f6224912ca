from celery import shared_task

from .services import stats_rebuild_recent, stats_refresh_current


@shared_task(name="stats.refresh_current")
def refresh_current_task() -> int:
    """Refresh this month's roll-ups and those of recently changed cases
    (every five minutes)."""
    return stats_refresh_current()


@shared_task(name="stats.rebuild_recent")
def rebuild_recent_task() -> int:
    """Rebuild the last thirteen months' roll-ups (nightly)."""
    return stats_rebuild_recent()
