"""API tokens: made with a key shown once, revoked, and checked on each use."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.calendar import add_months, local_datetime, today
from core.keys import key_hash, key_new, key_prefix
from core.services import audit_record

from .models import ApiToken

#: How often the last use of a token is written: not on every request.
LAST_USED_STEP = datetime.timedelta(minutes=5)


def api_token_default_expiry() -> datetime.datetime:
    """Midnight (Shanghai) at the start of the day ``API_TOKEN_LIFETIME_MONTHS``
    months from today."""
    return local_datetime(add_months(today(), settings.API_TOKEN_LIFETIME_MONTHS))


@transaction.atomic
def api_token_create(
    *, user, name: str, expires_at: datetime.datetime | None = None, actor=None
) -> tuple[ApiToken, str]:
    """Make a token for ``user`` and return it with its key, which is shown
    once and never stored."""
    if not user.is_active or not user.is_staff:
        raise ValidationError({"user": _("API tokens are for active staff accounts.")})
    expires_at = expires_at or api_token_default_expiry()
    if expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("Choose a moment in the future.")})
    key = key_new()
    token = ApiToken(
        user=user,
        name=name,
        key_hash=key_hash(key),
        prefix=key_prefix(key),
        created_by=actor,
        expires_at=expires_at,
    )
    token.full_clean(exclude=["key_hash", "prefix"])
    token.save()
    audit_record(
        actor=actor,
        action="apitoken.create",
        target=token,
        changes={
            "user": user.pk,
            "prefix": token.prefix,
            "expires_at": expires_at.isoformat(),
        },
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor=None) -> ApiToken:
    """Stop ``token`` working at once; revoking twice changes nothing."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="apitoken.revoke", target=token)
    return token


def api_token_authenticate(key: str) -> ApiToken | None:
    """Return the usable token whose key is ``key`` (its user joined), noting
    its use at most every few minutes; None for any other key."""
    if not key or len(key) > 100:
        return None
    token = (
        ApiToken.objects.usable()
        .select_related("user")
        .filter(key_hash=key_hash(key))
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_STEP:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
