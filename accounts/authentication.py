"""``Authorization: Token <key>`` for programs, against hashed, expiring,
revocable tokens (``accounts.ApiToken``), replacing DRF's plain-text authtoken.

The header is the one DRF's TokenAuthentication reads, so clients keep
working. Wrong tokens count towards the address's lockout (core.lockout).
"""

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from core.lockout import cooloff_seconds, token_failed, token_locked

from .services import api_token_authenticate


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        django_request = request._request
        if token_locked(django_request):
            raise exceptions.Throttled(
                wait=cooloff_seconds(),
                detail=_(
                    "Too many wrong tokens from this address: token sign-in is "
                    "locked for a while."
                ),
            )
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        try:
            key = header[1].decode()
        except UnicodeError:
            key = ""
        token = api_token_authenticate(key)
        if token is None:
            token_failed(django_request)
            raise exceptions.AuthenticationFailed(
                _("Invalid, expired or revoked token.")
            )
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema names an API token."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Token-based authentication with required prefix "
            '"Token": `Authorization: Token <key>`. Keys are made in the admin '
            "(API tokens), shown once, and expire.",
        }
