"""Signing in: lockout after wrong passwords or tokens (django-axes), session
lifetimes, and hashed, expiring, revocable API tokens."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken
from accounts.services import api_token_create, api_token_revoke
from core.api.throttles import AnonThrottle, UserThrottle
from core.calendar import add_months, local_datetime, today
from core.keys import key_hash
from tests.conftest import PASSWORD

LOGIN = "/admin/login/"
LIMIT = settings.AXES_FAILURE_LIMIT


def _login(client, username, password, **extra):
    return client.post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"}, **extra
    )


def test_lockout_after_five_wrong_passwords(client, world):
    """Five wrong passwords for one account from one address lock it out with
    a Chinese 429 page and Retry-After; the right password is refused too."""
    statuses = [_login(client, "community", "wrong").status_code for _ in range(LIMIT)]
    assert statuses[: LIMIT - 1] == [200] * (LIMIT - 1)
    assert statuses[-1] == 429
    response = _login(client, "community", PASSWORD)
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 30 * 60
    assert "30 分钟" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_username_and_address(client, world):
    """A lockout holds one account at one address: another account from the
    same address and the same account from another address still sign in."""
    for _ in range(LIMIT):
        _login(client, "community", "wrong")
    assert _login(client, "grid", PASSWORD).status_code == 302
    client.logout()
    elsewhere = _login(client, "community", PASSWORD, REMOTE_ADDR="10.1.2.3")
    assert elsewhere.status_code == 302


def test_lockout_ends_after_thirty_minutes(client, world, pinned_clock):
    """Thirty minutes after the last failure the right password works again."""
    for _ in range(LIMIT):
        _login(client, "community", "wrong")
    pinned_clock.shift(datetime.timedelta(minutes=29))
    assert _login(client, "community", PASSWORD).status_code == 429
    pinned_clock.shift(datetime.timedelta(minutes=31))
    assert _login(client, "community", PASSWORD).status_code == 302


def test_lockout_is_lifted_in_the_admin(client, world):
    """A superuser unlocks an account by deleting its access attempt."""
    for _ in range(LIMIT):
        _login(client, "community", "wrong")
    attempt = AccessAttempt.objects.get(username="community")
    admin = client.__class__()
    admin.force_login(world.users["superuser"])
    url = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert admin.post(url, {"post": "yes"}).status_code == 302
    assert _login(client, "community", PASSWORD).status_code == 302


def test_lockout_of_wrong_api_tokens(client, world):
    """Five wrong tokens from one address lock it out of token sign-in for
    30 minutes (429 with Retry-After), a right token included."""
    _token, key = api_token_create(user=world.users["grid"], name="screen")
    for _ in range(LIMIT):
        wrong = client.get("/api/v1/households/", HTTP_AUTHORIZATION="Token nope")
        assert wrong.status_code in (401, 403, 429)
    response = client.get("/api/v1/households/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 30 * 60
    other = client.get(
        "/api/v1/households/",
        HTTP_AUTHORIZATION=f"Token {key}",
        REMOTE_ADDR="10.9.9.9",
    )
    assert other.status_code == 200


# --- sessions -----------------------------------------------------------------


def test_session_ends_after_30_idle_minutes(client, world, pinned_clock):
    """A staff session unused for more than 30 minutes is signed out."""
    assert _login(client, "community", PASSWORD).status_code == 302
    pinned_clock.shift(datetime.timedelta(minutes=29))
    assert client.get("/admin/").status_code == 200
    pinned_clock.shift(datetime.timedelta(minutes=29))
    assert client.get("/admin/").status_code == 200  # 29 minutes since the last
    pinned_clock.shift(datetime.timedelta(minutes=31))
    response = client.get("/admin/")
    assert response.status_code == 302 and response.url.startswith(LOGIN)


def test_session_ends_12_hours_after_login(client, world, pinned_clock):
    """However busy, a staff session ends 12 hours after sign-in."""
    assert _login(client, "community", PASSWORD).status_code == 302
    for _ in range(12 * 4 - 1):
        pinned_clock.shift(datetime.timedelta(minutes=15))
        assert client.get("/admin/").status_code == 200
    pinned_clock.shift(datetime.timedelta(minutes=16))
    response = client.get("/admin/")
    assert response.status_code == 302 and response.url.startswith(LOGIN)


# --- API tokens ---------------------------------------------------------------


def test_api_token_is_stored_hashed_and_expires(world):
    """Only the SHA-256 of a key is stored, and a token expires after the
    configured months."""
    token, key = api_token_create(user=world.users["grid"], name="screen")
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert key not in str(stored)
    assert stored["key_hash"] == key_hash(key)
    months = settings.API_TOKEN_LIFETIME_MONTHS
    assert token.expires_at == local_datetime(add_months(today(), months))


def test_api_token_stops_working_when_expired_or_revoked(client, world, pinned_clock):
    """An expired or revoked token answers 401/403; the admin shows last use."""
    token, key = api_token_create(user=world.users["grid"], name="screen")
    auth = {"HTTP_AUTHORIZATION": f"Token {key}"}
    assert client.get("/api/v1/households/", **auth).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    api_token_revoke(token=token)
    assert client.get("/api/v1/households/", **auth).status_code in (401, 403)

    _short, key2 = api_token_create(
        user=world.users["grid"],
        name="short",
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    auth2 = {"HTTP_AUTHORIZATION": f"Token {key2}"}
    assert client.get("/api/v1/households/", **auth2).status_code == 200
    pinned_clock.shift(datetime.timedelta(hours=2))
    assert client.get("/api/v1/households/", **auth2).status_code in (401, 403)


def test_api_token_admin_shows_the_key_once_and_last_use(client, world):
    """A superuser makes a token in the admin: its key is shown once; the list
    shows when it was last used."""
    import re

    client.force_login(world.users["superuser"])
    response = client.post(
        reverse("admin:accounts_apitoken_add"),
        {
            "user": world.users["grid"].pk,
            "name": "区大屏",
            "expires_at_0": "2030-01-01",
            "expires_at_1": "00:00:00",
        },
        follow=True,
    )
    messages = " ".join(str(m) for m in response.context["messages"])
    [key] = re.findall(r"[A-Za-z0-9_-]{43}", messages)
    token = ApiToken.objects.get()
    assert token.key_hash == key_hash(key)
    client.get("/api/v1/households/", HTTP_AUTHORIZATION=f"Token {key}")
    listing = client.get(reverse("admin:accounts_apitoken_changelist"))
    body = listing.content.decode()
    assert token.prefix in body and key not in body


def test_api_token_migration_moves_plain_keys(world):
    """DRF's plain-text tokens become hashed ApiTokens and their table goes."""
    from importlib import import_module

    from django.apps import apps

    move_tokens = import_module(
        "accounts.migrations.0003_api_tokens_from_authtoken"
    ).move_tokens
    user = world.users["grid"]
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
            "user_id integer NOT NULL, created timestamp)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token (key, user_id) VALUES (%s, %s)",
            ["0123456789abcdef0123456789abcdef01234567", user.pk],
        )

    class Editor:
        def __init__(self):
            self.connection = connection

        def execute(self, sql):
            with connection.cursor() as cursor:
                cursor.execute(sql)

    move_tokens(apps, Editor())
    token = ApiToken.objects.get(user=user)
    assert token.key_hash == key_hash("0123456789abcdef0123456789abcdef01234567")
    assert "authtoken_token" not in connection.introspection.table_names()


def test_api_throttle_rates_come_from_settings():
    """The API's user and anonymous rates are the ones in settings."""
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert UserThrottle().get_rate() == rates["user"]
    assert AnonThrottle().get_rate() == rates["anon"]


@pytest.mark.parametrize("url", ["/api/v1/households/"])
def test_api_throttle_answers_429_with_retry_after(client, world, url, monkeypatch):
    """Past the user rate an API caller gets 429 with Retry-After."""
    client.force_login(world.users["grid"])
    monkeypatch.setattr(UserThrottle, "THROTTLE_RATES", {"user": "3/min"})
    statuses = [client.get(url).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    response = client.get(url)
    assert int(response["Retry-After"]) >= 1
    assert response.json()["code"] == "throttled"
