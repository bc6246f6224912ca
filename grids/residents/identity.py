"""Which phone this device has proved: a signed, HttpOnly cookie carrying a
random token of a ``RememberedDevice`` (kept hashed), valid for
``RESIDENT_DEVICE_DAYS`` days unless the resident signs the device out."""

import functools
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from grids.models import RememberedDevice

from . import selectors

COOKIE_SALT = "grids.residents.device"


def _max_age() -> int:
    return settings.RESIDENT_DEVICE_DAYS * 86400


def resident_device(request: HttpRequest) -> RememberedDevice | None:
    """Return the live device the request's cookie names, or None (read once
    per request)."""
    if not hasattr(request, "_resident_device"):
        token = request.get_signed_cookie(
            settings.RESIDENT_COOKIE_NAME,
            default=None,
            salt=COOKIE_SALT,
            max_age=_max_age(),
        )
        request._resident_device = (
            selectors.device_by_token(token=token) if token else None
        )
    return request._resident_device


def verified_phone(request: HttpRequest) -> str | None:
    """Return the phone number this device proved with a code, or None."""
    device = resident_device(request)
    return device.phone if device is not None else None


def device_cookie_set(response: HttpResponse, token: str) -> None:
    """Remember the device: the token goes into a signed, HttpOnly cookie."""
    response.set_signed_cookie(
        settings.RESIDENT_COOKIE_NAME,
        token,
        salt=COOKIE_SALT,
        max_age=_max_age(),
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )


def device_cookie_delete(response: HttpResponse) -> None:
    response.delete_cookie(settings.RESIDENT_COOKIE_NAME, samesite="Lax")


def safe_next(request: HttpRequest, value: str | None, default: str = "") -> str:
    """Return ``value`` if it is an address of this site, else ``default``."""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return default or reverse("residents:me")


def verify_url(request: HttpRequest) -> str:
    """The verify page, coming back here afterwards: to this page for a GET,
    to the page the form was on (its Referer) for a POST."""
    if request.method == "GET":
        back = request.get_full_path()
    else:
        back = safe_next(request, request.headers.get("Referer"), default="/")
    return f"{reverse('residents:verify')}?{urlencode({'next': back})}"


def require_verified_phone(view):
    """Send a device that has not proved a phone to the verify page (with
    ``?next=`` back here); otherwise run the view."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if verified_phone(request) is None:
            return redirect(verify_url(request))
        return view(request, *args, **kwargs)

    return wrapper
