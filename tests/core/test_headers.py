"""Security headers, inline script, where a login lands, and who reads the
API's schema and docs."""

import re

import pytest

from tests.conftest import PASSWORD

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>")
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


@pytest.fixture
def resident_paths(world):
    c1 = world.c1.pk
    building = world.households["G1"][0].unit.building.pk
    return [
        "/",
        f"/report/c/{c1}/",
        f"/report/b/{building}/",
        f"/c/{c1}/deliberation/",
        f"/c/{c1}/volunteers/",
        f"/c/{c1}/register/",
    ]


def test_headers_policy_on_every_page(client, resident_paths):
    """Every page carries a Content-Security-Policy that allows scripts only
    from the site, and a Permissions-Policy switching unused features off."""
    for path in [*resident_paths, "/admin/login/", "/healthz"]:
        response = client.get(path)
        policy = response["Content-Security-Policy"]
        assert (
            "script-src 'self'" in policy
            and "unsafe-inline" not in (policy.split("script-src")[1].split(";")[0])
        )
        assert "object-src 'none'" in policy
        assert "frame-ancestors 'none'" in policy
        assert "camera=()" in response["Permissions-Policy"]
        assert "geolocation=()" in response["Permissions-Policy"]


def test_headers_resident_pages_have_no_inline_script(client, resident_paths):
    """No resident page has an inline script or event handler attribute."""
    for path in resident_paths:
        body = client.get(path).content.decode()
        assert not INLINE_SCRIPT.search(body), path
        assert not INLINE_HANDLER.search(body), path


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/x", "/accounts/profile/"]
)
def test_login_never_lands_on_a_404(client, world, next_url):
    """A login whose "next" is off-site lands on the admin's front page."""
    response = client.post(
        "/admin/login/",
        {"username": "community", "password": PASSWORD, "next": next_url},
    )
    assert response.status_code == 302
    if next_url.startswith("/accounts"):
        assert response.url == next_url  # on-site: honoured as asked
        return
    assert response.url == "/admin/"
    assert client.get(response.url).status_code == 200


def test_api_docs_are_for_staff_when_not_public(client, world, settings):
    """With API_DOCS_PUBLIC off (production), the schema answers 403 and the
    docs send anonymous readers to the login; staff read both."""
    settings.API_DOCS_PUBLIC = False
    assert client.get("/api/schema/").status_code == 403
    docs = client.get("/api/docs/")
    assert docs.status_code == 302 and docs.url.startswith("/admin/login/")
    client.force_login(world.users["community"])
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200


def test_api_docs_production_setting_is_off(monkeypatch):
    """The production settings keep the docs for staff."""
    import importlib

    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 50)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "example.org")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/9")  # never connected
    production = importlib.import_module("config.settings.production")
    assert production.API_DOCS_PUBLIC is False
