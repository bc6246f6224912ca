from celery import shared_task


@shared_task(name="core.ping")
def ping_task(value: str = "pong") -> str:
    """Echo ``value``: proves that a worker takes and runs tasks."""
    return value
