from celery import shared_task

from .services import stats_refresh_current


@shared_task(name="stats.refresh_current")
def refresh_current_task() -> int:
    """Refresh the current month's roll-ups (every five minutes)."""
    return stats_refresh_current()
