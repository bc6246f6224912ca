"""API throttles: per account for signed-in callers, per address otherwise.

DRF's own identification trusts ``X-Forwarded-For`` unless told how many
proxies there are; these use ``core.ratelimit.client_ip`` like every other
limit, so one setting (``CLIENT_IP_HEADER``) decides for all of them.
"""

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from core.ratelimit import client_ip


class AnonThrottle(AnonRateThrottle):
    def get_ident(self, request):
        return client_ip(request)


class UserThrottle(UserRateThrottle):
    def get_ident(self, request):
        return client_ip(request)

    def get_cache_key(self, request, view):
        user = request.user
        if user and user.is_authenticated and user.pk is not None:
            ident = user.pk
        elif user and user.is_authenticated:
            # A dashboard token: limited per token, not per address.
            ident = f"principal:{user}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
