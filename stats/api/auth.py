"""Dashboard tokens: a screen in a district office reads the figures of the one
unit its token is bound to, and nothing else.

``Authorization: Bearer <key>``. The principal a token signs in as is not a
user: it holds the read right of the statistics only, and its scope is the
token's unit, so every selector narrows it like a staff member of that unit.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from grids.scoping import Scope

from ..models import DashboardToken

#: The only rights a dashboard token carries.
TOKEN_PERMISSIONS = frozenset(
    {"stats.view_petitionmonthly", "stats.view_companyevaluation"}
)


class DashboardPrincipal:
    """Who a request with a dashboard token is."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = True
    is_superuser = False
    pk = id = None

    def __init__(self, token: DashboardToken):
        self.token = token
        self.username = f"dashboard:{token.prefix}"
        unit_id = token.district_id or token.subdistrict_id or token.community_id
        self._grids_scope = Scope(units={token.level: frozenset({unit_id})})

    def has_perm(self, perm, obj=None) -> bool:
        return perm in TOKEN_PERMISSIONS

    def has_perms(self, perms, obj=None) -> bool:
        return all(self.has_perm(p) for p in perms)

    def __str__(self):
        return self.username


class DashboardTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        try:
            key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        token = (
            DashboardToken.objects.usable()
            .filter(key_hash=DashboardToken.hash_key(key))
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        now = timezone.now()
        if token.last_used_at is None or token.last_used_at < now - datetime.timedelta(
            minutes=5
        ):
            DashboardToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return DashboardPrincipal(token), token

    def authenticate_header(self, request):
        return self.keyword


class DashboardTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema names a dashboard token."""

    target_class = DashboardTokenAuthentication
    name = "dashboardToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A dashboard token, bound to one district, subdistrict "
            "or community; it reads the statistics of that unit only.",
        }
