"""Reads of residents' verified phones."""

import hashlib

from django.utils import timezone

from grids.models import PhoneCode, RememberedDevice, ResidentContact


def token_digest(token: str) -> str:
    """Return the stored form of a device token (SHA-256: the token is random
    and long, so a plain hash is enough)."""
    return hashlib.sha256(token.encode()).hexdigest()


def device_by_token(*, token: str) -> RememberedDevice | None:
    """Return the live (not expired, not revoked) device of ``token``, or None."""
    if not token or len(token) > 100:
        return None
    return RememberedDevice.objects.filter(
        token_hash=token_digest(token),
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).first()


def phone_code_live(*, phone: str) -> PhoneCode | None:
    """Return the newest unused, unexpired code sent to ``phone``, or None."""
    return (
        PhoneCode.objects.filter(
            phone=phone, used_at__isnull=True, expires_at__gt=timezone.now()
        )
        .order_by("-created_at", "-id")
        .first()
    )


def resident_contact(*, phone: str) -> ResidentContact | None:
    """Return what the resident of ``phone`` chose about messages, or None."""
    return ResidentContact.objects.filter(phone=phone).first()


def resident_wants_messages(*, phone: str) -> bool:
    """Return whether messages may be sent to ``phone`` (not stopped, 退订)."""
    return not ResidentContact.objects.filter(
        phone=phone, messages_stopped_at__isnull=False
    ).exists()
