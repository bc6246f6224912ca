"""``/healthz`` reports the database and the task broker."""

import pytest


def test_healthz_reports_database_and_in_process_broker(client, db):
    """With the embedded default the broker is in-process and all is well."""
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"] == {"ok": True, "mode": "in-process"}


def test_healthz_answers_503_when_the_broker_is_down(client, db, settings):
    """A Redis that cannot be reached turns the check to 503 with the reason."""
    from config.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    original = app.conf.broker_url
    # Port 9 (discard) on loopback: nothing listens there.
    app.conf.broker_url = "redis://127.0.0.1:9/0"
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False
    assert response.json()["status"] == "degraded"


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_healthz_accepts_only_get(client, db, method):
    """Probes read; anything else is refused."""
    assert getattr(client, method)("/healthz").status_code == 405


def test_api_root_lists_the_entry_points(client, db):
    """/api/v1/ answers with the API's addresses instead of a 404."""
    response = client.get("/api/v1/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["endpoints"]["petitions"].endswith("/api/v1/petitions/")
    assert body["endpoints"]["stats/summary"].endswith("/api/v1/stats/summary/")
    assert body["schema"].endswith("/api/schema/")
    for url in body["endpoints"].values():
        assert "<" not in url
