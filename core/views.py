"""``/healthz``: is the platform doing its work, answered within a second.

It reports the database, the broker, the outbox relay (its last round), the
schedule (its last periodic run) and the oldest unfinished outbox row, and
answers 503 when any of them is down or past its limit. Each check runs in a
thread of its own and counts as failed when it has not answered within
``HEALTH_CHECK_TIMEOUT``, so a frozen Redis or database never holds the probe.
"""

import sys
import threading
import time

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db import InterfaceError, OperationalError, connection
from django.db.models import Min
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from .models import Heartbeat, OutboxMessage


def _start(check) -> tuple[threading.Thread, dict]:
    """Run ``check`` in a daemon thread; return the thread and its answer."""
    answer: dict = {}

    def run():
        try:
            answer.update(check())
        except Exception as exc:  # any error means "down" to a probe
            answer.update({"ok": False, "error": type(exc).__name__})
        finally:
            connection.close()  # this thread's own connection, if it made one

    thread = threading.Thread(target=run, daemon=True, name=f"healthz-{check.__name__}")
    thread.start()
    return thread, answer


def _collect(started: tuple[threading.Thread, dict], deadline: float) -> dict:
    """Wait for a check until ``deadline``; one still running has timed out
    (it is left to finish alone)."""
    thread, answer = started
    thread.join(max(0.0, deadline - time.monotonic()))
    if thread.is_alive():
        return {"ok": False, "error": "timeout"}
    return dict(answer)


def _age(moment, now) -> float | None:
    return None if moment is None else round((now - moment).total_seconds(), 1)


def _database_state() -> dict:
    """The database answers; and what the relay, the schedule and the outbox
    recorded in it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SET statement_timeout = %s",
                [int(settings.HEALTH_CHECK_TIMEOUT * 1000)],
            )
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    now = timezone.now()
    beats = dict(Heartbeat.objects.values_list("name", "at"))
    unfinished = OutboxMessage.objects.filter(
        done_at__isnull=True, dead_at__isnull=True
    )
    oldest = unfinished.aggregate(oldest=Min("created_at"))["oldest"]
    return {
        "ok": True,
        "vendor": connection.vendor,
        "relay": _limit_state(
            beats.get(Heartbeat.Name.RELAY), now, settings.HEALTH_RELAY_MAX_AGE
        ),
        "scheduler": _limit_state(
            beats.get(Heartbeat.Name.SCHEDULER),
            now,
            settings.HEALTH_SCHEDULER_MAX_AGE,
        ),
        "outbox": {
            **_limit_state(oldest, now, settings.HEALTH_OUTBOX_MAX_AGE, empty_ok=True),
            "unfinished": unfinished.count(),
            "dead": OutboxMessage.objects.filter(dead_at__isnull=False).count(),
        },
    }


def _limit_state(moment, now, limit: int, *, empty_ok: bool = False) -> dict:
    """``moment`` must be less than ``limit`` seconds ago (or absent, when
    ``empty_ok``: no unfinished row at all is fine)."""
    age = _age(moment, now)
    ok = (age is None and empty_ok) or (age is not None and age <= limit)
    return {
        "ok": ok,
        "at": moment.isoformat() if moment else None,
        "age_seconds": age,
        "limit_seconds": limit,
    }


def _broker_state() -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"ok": True, "transport": "in-process"}
    from config.celery import app, broker_folders_create

    transport = str(app.conf.broker_url).split("://", 1)[0]
    broker_folders_create()
    with app.connection_for_write() as conn:
        conn.ensure_connection(
            max_retries=1, timeout=settings.HEALTH_CHECK_TIMEOUT, interval_start=0
        )
        if transport.startswith("redis"):
            conn.default_channel.client.ping()
    return {"ok": True, "transport": transport}


@never_cache
@require_GET
def healthz(request):
    """Return the state of the platform's parts as JSON (503 if one is down)."""
    deadline = time.monotonic() + settings.HEALTH_CHECK_TIMEOUT
    database_check = _start(_database_state)
    broker_check = _start(_broker_state)
    database = _collect(database_check, deadline)
    broker = _collect(broker_check, deadline)
    unknown = {"ok": False, "error": "database unavailable"}
    relay = database.pop("relay", unknown)
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # In-process tasks (the test settings): the relay runs after each commit.
        relay = {"ok": True, "mode": "in-process"}
    parts = {
        "database": database,
        "broker": broker,
        "relay": relay,
        "scheduler": database.pop("scheduler", unknown),
        "outbox": database.pop("outbox", unknown),
    }
    ok = all(part["ok"] for part in parts.values())
    return JsonResponse(
        {"status": "ok" if ok else "degraded", **parts},
        status=200 if ok else 503,
    )


def server_error(request):
    """Answer 503 and "try again" when the database could not be reached (a
    restart or a failover is a pause, not a fault of the server); anything
    else is Django's plain 500. Reads nothing from the database."""
    if not isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return defaults.server_error(request)
    message = _("The service is briefly unavailable. Please try again in a minute.")
    if request.path.startswith(("/api/", "/open311/")):
        response = JsonResponse(
            {"code": "unavailable", "message": message, "details": {}}, status=503
        )
    else:
        response = HttpResponse(
            '<!doctype html><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>503</title><p>{escape(message)}</p>",
            status=503,
        )
    response["Retry-After"] = "10"
    return response


_schema = SpectacularAPIView.as_view()
# Swagger UI's own script is served as a file (the split view), not inline,
# so the Content-Security-Policy needs no exception for it.
_docs = SpectacularSwaggerSplitView.as_view(url_name="api-schema")


def _is_staff(request) -> bool:
    user = request.user
    return user.is_authenticated and user.is_active and user.is_staff


def api_schema_view(request, *args, **kwargs):
    """The OpenAPI schema: public unless ``API_DOCS_PUBLIC`` is off (production),
    then for signed-in staff only."""
    if not settings.API_DOCS_PUBLIC and not _is_staff(request):
        return JsonResponse(
            {
                "code": "not_authenticated",
                "message": _("Sign in as staff to read the API schema."),
                "details": {},
            },
            status=403,
        )
    return _schema(request, *args, **kwargs)


def api_docs_view(request, *args, **kwargs):
    """Swagger UI, under the same rule; others are sent to the staff login."""
    if not settings.API_DOCS_PUBLIC and not _is_staff(request):
        return redirect_to_login(request.get_full_path())
    return _docs(request, *args, **kwargs)


def not_found(request, exception=None):
    """The 404 page; JSON for the API, whose clients read JSON errors."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "not_found", "message": _("Not found."), "details": {}},
            status=404,
        )
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)
