"""Rate limits for anonymous writes: per client address, per phone, per key.

Counters live in Django's cache (Redis in a deployment, a file cache shared by
the processes of the embedded default), in fixed windows: ``"10/m"`` allows ten
hits in each calendar minute. Limits are named groups in
``settings.RATE_LIMITS``::

    RATE_LIMITS = {"report": {"ip": ["10/m", "60/h"], "phone": ["5/h"]}}

Each hit counts against every limit of its group, refused ones included, so a
flood stays refused until its window ends. Views use the decorator::

    @ratelimit("report")
    def post(request, ...): ...

which answers a refused POST with a Chinese 429 page (JSON for API clients)
and ``Retry-After``. Code that is not a view (an SMS code request, an Open311
key) calls ``ratelimit_hit(request, "group", phone=..., key=...)`` and gets
``None`` or a ``RateLimited`` with the seconds to wait.
"""

import functools
import hashlib
import ipaddress
import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from .phones import normalize_mobile

logger = logging.getLogger("django.security.ratelimit")

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
#: Form fields that carry the resident's phone, in the order they are looked for.
PHONE_FIELDS = ("phone", "reporter_phone", "wisher_phone", "claimer_phone")


@dataclass(frozen=True)
class RateLimited:
    """A refused hit: which group and limit, and how long until it may retry."""

    group: str
    scope: str
    rate: str
    retry_after: int


def parse_rate(rate: str) -> tuple[int, int]:
    """Return ``"10/m"`` as ``(10, 60)``; ``"5/15m"`` as ``(5, 900)``."""
    count, _slash, period = rate.partition("/")
    unit = period[-1:]
    multiple = int(period[:-1] or 1)
    if unit not in PERIODS or not count.isdigit():
        raise ValueError(f"Not a rate: {rate!r} (write e.g. '10/m', '5/h', '3/d')")
    return int(count), multiple * PERIODS[unit]


def client_ip(request: HttpRequest) -> str:
    """Return the client's address: ``REMOTE_ADDR``, or the header the proxy in
    front sets (``settings.CLIENT_IP_HEADER``, e.g. ``HTTP_X_REAL_IP``).

    Only trust a header that the proxy overwrites: a client can send any
    ``X-Forwarded-For`` it likes.
    """
    return valid_client_ip(request) or "unknown"


def valid_client_ip(request: HttpRequest) -> str | None:
    """Return the client's address as ``client_ip`` does, or None when there
    is no valid one (django-axes stores it in an address column)."""
    header = getattr(settings, "CLIENT_IP_HEADER", "")
    value = request.META.get(header, "") if header else ""
    # X-Forwarded-For: the last address was added by our own proxy.
    value = value.split(",")[-1].strip() or request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


#: Functions that tell the phone a request acts with when its form posts none
#: (the resident side registers the phone its device proved: forms behind a
#: verified phone post no number, and their per-phone limits must count).
REQUEST_PHONE_READERS: list = []


def request_phone(request: HttpRequest) -> str:
    """Return the normalised mobile number a form posts, else the phone the
    request acts with (``REQUEST_PHONE_READERS``), or empty text."""
    for name in PHONE_FIELDS:
        value = request.POST.get(name, "")
        if value:
            return normalize_mobile(value)[:20]
    for reader in REQUEST_PHONE_READERS:
        if phone := reader(request):
            return phone
    return ""


def _digest(value: str) -> str:
    # Cache keys hold no address or number in the clear.
    return hashlib.sha256(value.encode()).hexdigest()[:24]


def ratelimit_hit(
    request: HttpRequest | None,
    group: str,
    *,
    ip: str | None = None,
    phone: str | None = None,
    key: str | None = None,
) -> RateLimited | None:
    """Count one hit of ``group`` and return ``RateLimited`` if any of its limits
    is now exceeded, else None.

    ``ip`` defaults to the request's client address and ``phone`` to the phone
    the request posts; ``key`` is whatever else the group is limited by (an
    Open311 key, a tracking token). A scope without a value is not counted.
    """
    limits = settings.RATE_LIMITS.get(group)
    if limits is None:
        raise KeyError(f"No rate limits for {group!r} in settings.RATE_LIMITS")
    if not getattr(settings, "RATE_LIMITS_ENABLED", True):
        return None
    values = {
        "ip": ip if ip is not None else (client_ip(request) if request else ""),
        "phone": phone if phone is not None else (request_phone(request) or ""),
        "key": key or "",
    }
    cache = caches[getattr(settings, "RATE_LIMIT_CACHE", "default")]
    now = time.time()
    refused = None
    for scope, rates in limits.items():
        value = values.get(scope)
        if not value:
            continue
        for rate in [rates] if isinstance(rates, str) else rates:
            count, period = parse_rate(rate)
            window = int(now // period)
            cache_key = f"rl:{group}:{scope}:{_digest(value)}:{period}:{window}"
            cache.add(cache_key, 0, timeout=period + 1)
            try:
                hits = cache.incr(cache_key)
            except ValueError:  # expired between add and incr: a new window
                cache.set(cache_key, 1, timeout=period + 1)
                hits = 1
            if hits > count:
                retry_after = max(1, math.ceil((window + 1) * period - now))
                if refused is None or retry_after > refused.retry_after:
                    refused = RateLimited(group, scope, rate, retry_after)
    if refused is not None:
        logger.warning(
            "Rate limit %s %s %s exceeded (retry in %ss)",
            refused.group,
            refused.scope,
            refused.rate,
            refused.retry_after,
        )
    return refused


def wants_json(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return request.path.startswith(("/api/", "/open311/")) or (
        "application/json" in accept and "text/html" not in accept
    )


def ratelimited_response(request: HttpRequest, refused: RateLimited) -> HttpResponse:
    """The 429 answer: a plain Chinese page, or JSON for API clients, both with
    ``Retry-After``."""
    minutes = max(1, math.ceil(refused.retry_after / 60))
    message = _(
        "Too many requests from here. Please try again in %(minutes)s minute(s)."
    ) % {"minutes": minutes}
    if wants_json(request):
        response = JsonResponse(
            {
                "code": "throttled",
                "message": message,
                "details": {"retry_after": refused.retry_after},
            },
            status=429,
        )
    else:
        response = HttpResponse(
            render_to_string(
                "429.html", {"message": message, "minutes": minutes}, request=request
            ),
            status=429,
        )
    response["Retry-After"] = str(refused.retry_after)
    return response


def ratelimit(group: str, *, methods=("POST",), key=None):
    """Decorate a view (function or method) so that hits with one of
    ``methods`` count against ``group`` and are answered 429 once over a limit.

    ``key``, if given, is called with the view's keyword arguments and returns
    the per-key value (a tracking token, a meeting's sign-in code).
    """

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            request = next(a for a in args if isinstance(a, HttpRequest))
            if request.method in methods:
                refused = ratelimit_hit(
                    request, group, key=key(**kwargs) if key else None
                )
                if refused is not None:
                    return ratelimited_response(request, refused)
            return view(*args, **kwargs)

        return wrapper

    return decorate
