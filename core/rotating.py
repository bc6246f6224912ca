"""Codes that change with time: what a QR code projected at a meeting or an
activity carries, so that a photo of it is useless a few minutes later.

``rotating_code(kind, object_id)`` is an HMAC (keyed with the site's secret)
of the kind, the object's id and the current time window of
``settings.ROTATING_CODE_WINDOW`` seconds; ``rotating_check`` accepts the code
of the current window and of the one before (a resident who scanned just
before the change is not turned away).
"""

import time

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

#: Characters of the HMAC kept: short enough for a QR code, far too many to guess.
CODE_LENGTH = 10


def _window_seconds() -> int:
    return max(10, int(settings.ROTATING_CODE_WINDOW))


def _window(at: float | None) -> int:
    return int((time.time() if at is None else at) // _window_seconds())


def _code(kind: str, object_id: int, window: int) -> str:
    value = f"{kind}:{object_id}:{window}"
    return salted_hmac("core.rotating", value).hexdigest()[:CODE_LENGTH]


def rotating_code(kind: str, object_id: int, *, at: float | None = None) -> str:
    """Return the code of ``kind`` and ``object_id`` for the window of ``at``
    (a Unix time; now by default)."""
    return _code(kind, object_id, _window(at))


def rotating_check(
    kind: str, object_id: int, code: str, *, at: float | None = None
) -> bool:
    """Return whether ``code`` is the current or the previous window's code."""
    if not code or len(code) != CODE_LENGTH or not code.isascii():
        return False
    window = _window(at)
    return any(
        constant_time_compare(code, _code(kind, object_id, w))
        for w in (window, window - 1)
    )


def rotating_seconds_left(*, at: float | None = None) -> int:
    """Return the seconds until the code changes (for a page to refresh)."""
    now = time.time() if at is None else at
    period = _window_seconds()
    return max(1, int(period - now % period))


def rotating_qr_page(request, *, title: str, subtitle: str, path: str):
    """The page staff project at a meeting or an activity: the QR code of
    ``path`` (which carries the current code), reloading itself when the code
    changes."""
    import qrcode
    import qrcode.image.svg
    from django.shortcuts import render
    from django.utils.safestring import mark_safe

    url = request.build_absolute_uri(path)
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=14)
    return render(
        request,
        "core/rotating_qr.html",
        {
            "title": title,
            "subtitle": subtitle,
            # Our own SVG of our own address, not user input.
            "qr": mark_safe(image.to_string(encoding="unicode")),  # noqa: S308
            "url": url,
            "refresh": rotating_seconds_left() + 1,
            "window": _window_seconds(),
        },
    )
