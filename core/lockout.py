"""What a locked-out login sees (django-axes), and the lockout of API tokens.

Axes counts wrong passwords per username and address; after
``AXES_FAILURE_LIMIT`` the pair is refused for ``AXES_COOLOFF_TIME``. API tokens
have no username, so every wrong token from one address counts against the
pseudo-username ``TOKEN_USERNAME``: five wrong tokens lock that address out of
token authentication too. Staff unlock either in the admin.
"""

import math

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

#: The username under which wrong API tokens are counted, per address.
TOKEN_USERNAME = "(api token)"  # noqa: S105 - a label, not a secret


def cooloff_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def _message() -> str:
    return _(
        "Too many failed sign-in attempts: this account is locked from this "
        "address for %(minutes)s minutes. Ask your administrator to unlock it "
        "sooner."
    ) % {"minutes": math.ceil(cooloff_seconds() / 60)}


def lockout_response(
    request: HttpRequest, original_response=None, credentials=None
) -> HttpResponse:
    """Answer a locked-out login: 429, a Chinese page (JSON for the API), and
    ``Retry-After`` with the cool-off time."""
    if request.path.startswith("/api/") or request.headers.get("X-Requested-With") == (
        "XMLHttpRequest"
    ):
        response = JsonResponse(
            {"code": "locked_out", "message": _message(), "details": {}}, status=429
        )
    else:
        response = HttpResponse(
            render_to_string(
                "core/locked_out.html", {"message": _message()}, request=request
            ),
            status=429,
        )
    response["Retry-After"] = str(cooloff_seconds())
    return response


def _credentials() -> dict:
    return {"username": TOKEN_USERNAME}


def token_locked(request: HttpRequest) -> bool:
    """Return whether the request's address is locked out of token sign-in."""
    from axes.handlers.proxy import AxesProxyHandler

    return AxesProxyHandler.is_locked(request, _credentials())


def token_failed(request: HttpRequest) -> None:
    """Count a wrong or unusable token against the request's address."""
    user_login_failed.send(sender=__name__, credentials=_credentials(), request=request)
