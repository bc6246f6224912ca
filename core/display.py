"""The 长辈版 (large-text version) of the resident pages.

A resident switches it on or off with a plain link (no JavaScript; a link, not
a form, so that no page gains a second submit button); the choice is kept in a
cookie on the device, and every page that extends
``base_mobile.html`` reads it through the ``elder_mode`` context processor and
gives the body the class ``elder``.
"""

from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

#: The cookie that remembers the choice on the device.
ELDER_COOKIE = "elder"
#: A year, in seconds: a display preference, not a month of the calendar.
ELDER_COOKIE_AGE = 365 * 24 * 3600


def is_elder_mode(request) -> bool:
    """Return whether ``request`` comes from a device with the 长辈版 on."""
    return request.COOKIES.get(ELDER_COOKIE) == "1"


def elder_mode(request) -> dict:
    """Context processor: ``elder_mode`` for the resident pages."""
    return {"elder_mode": is_elder_mode(request)}


def _safe_next(request) -> str:
    target = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@never_cache
@require_GET
def elder_mode_set(request):
    """Switch the 长辈版 on (``elder=1``) or off, and go back to the page.

    A display preference only: a link that someone else makes a resident
    follow changes nothing but the size of the text.
    """
    response = HttpResponseRedirect(_safe_next(request))
    if request.GET.get("elder") == "1":
        response.set_cookie(
            ELDER_COOKIE,
            "1",
            max_age=ELDER_COOKIE_AGE,
            samesite="Lax",
            httponly=True,
            secure=request.is_secure(),
        )
    else:
        response.delete_cookie(ELDER_COOKIE, samesite="Lax")
    return response
