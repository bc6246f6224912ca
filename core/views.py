from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db import connection
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView


def _database_state() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down" to a probe
        return {"ok": False, "vendor": connection.vendor, "error": type(exc).__name__}
    return {"ok": True, "vendor": connection.vendor}


def _broker_state() -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"ok": True, "mode": "in-process"}
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # a broker that cannot be reached is "down"
        return {"ok": False, "mode": "redis", "error": type(exc).__name__}
    return {"ok": True, "mode": "redis"}


@never_cache
@require_GET
def healthz(request):
    """Return the state of the database and the task broker as JSON (503 if down)."""
    database = _database_state()
    broker = _broker_state()
    ok = database["ok"] and broker["ok"]
    return JsonResponse(
        {"status": "ok" if ok else "degraded", "database": database, "broker": broker},
        status=200 if ok else 503,
    )


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
