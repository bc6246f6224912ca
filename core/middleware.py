"""Staff sessions end after a time without requests and a time after login."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils.translation import gettext as _

LOGIN_AT = "_login_at"
SEEN_AT = "_seen_at"
#: Note the last request at most this often (seconds): fewer session writes.
SEEN_STEP = 60


@receiver(user_logged_in)
def _note_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[LOGIN_AT] = now
        request.session[SEEN_AT] = now


class SessionTimeoutMiddleware:
    """Log out a session idle for ``SESSION_IDLE_TIMEOUT`` seconds or older than
    ``SESSION_ABSOLUTE_TIMEOUT`` seconds since login; the next page then asks
    for the password again, and says why."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request):
        session = request.session
        now = int(time.time())
        login_at = session.get(LOGIN_AT)
        seen_at = session.get(SEEN_AT, login_at)
        if login_at is None:
            # A session from before this rule: start its clocks now.
            session[LOGIN_AT] = session[SEEN_AT] = now
            return
        idle = now - (seen_at or login_at) > settings.SESSION_IDLE_TIMEOUT
        too_old = now - login_at > settings.SESSION_ABSOLUTE_TIMEOUT
        if idle or too_old:
            logout(request)
            messages.info(
                request,
                _("You were signed out after %(minutes)s minutes without activity.")
                % {"minutes": settings.SESSION_IDLE_TIMEOUT // 60}
                if idle
                else _("You were signed out: a session lasts at most %(hours)s hours.")
                % {"hours": settings.SESSION_ABSOLUTE_TIMEOUT // 3600},
            )
            return
        if now - (seen_at or 0) >= SEEN_STEP:
            session[SEEN_AT] = now


class PermissionsPolicyMiddleware:
    """Send ``Permissions-Policy`` from ``settings.PERMISSIONS_POLICY``
    (feature → allowed origins; an empty list switches the feature off)."""

    def __init__(self, get_response):
        self.get_response = get_response
        policy = getattr(settings, "PERMISSIONS_POLICY", {})
        self.header = ", ".join(
            f"{feature}=({' '.join(origins)})" for feature, origins in policy.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response
