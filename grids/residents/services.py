"""Writes of residents' verified phones: send a code, check it, remember the
device, forget it, stop or resume messages (退订)."""

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.outbox import outbox_enqueue
from core.phones import normalize_mobile, validate_mobile
from core.ratelimit import RateLimited, ratelimit_hit
from core.services import audit_record
from grids.models import PhoneCode, RememberedDevice, ResidentContact

from . import selectors


class CodeThrottled(ApplicationError):
    """Too many codes asked for one phone or from one address."""

    status_code = 429

    def __init__(self, refused: RateLimited):
        minutes = max(1, -(-refused.retry_after // 60))
        super().__init__(
            _("Too many codes asked for. Please try again in %(minutes)s minute(s).")
            % {"minutes": minutes},
            code="throttled",
            extra={"retry_after": refused.retry_after},
        )
        self.refused = refused


def _phone(value: str) -> str:
    phone = normalize_mobile(value)
    validate_mobile(phone)
    return phone


def phone_code_text(code: PhoneCode) -> str:
    """Return the six digits of ``code``.

    The digits are derived from the row's random salt with the site's secret
    rather than stored: the outbox row and the code row then hold nothing a
    copy of the database could read, and the task that sends the SMS can
    recompute them. (With the secret, six digits are found by trying all of
    them whatever is stored, so a stored hash adds nothing beyond this.)
    """
    digest = salted_hmac("grids.residents.code", code.salt).hexdigest()
    return f"{int(digest[:12], 16) % 1_000_000:06d}"


def _code_hash(salt: str, digits: str) -> str:
    return salted_hmac("grids.residents.code-hash", f"{salt}:{digits}").hexdigest()


@transaction.atomic
def phone_code_request(*, phone: str, ip: str) -> PhoneCode:
    """Send a one-time code to ``phone`` (through the outbox); refuse with
    ``CodeThrottled`` beyond the limits per phone and per address
    (``RATE_LIMITS["phone_code"]``)."""
    phone = _phone(phone)
    refused = ratelimit_hit(None, "phone_code", ip=ip, phone=phone)
    if refused is not None:
        raise CodeThrottled(refused)
    now = timezone.now()
    code = PhoneCode(
        phone=phone,
        salt=secrets.token_hex(16),
        created_at=now,
        expires_at=now + datetime.timedelta(seconds=settings.PHONE_CODE_LIFETIME),
    )
    code.code_hash = _code_hash(code.salt, phone_code_text(code))
    code.full_clean()
    code.save()
    outbox_enqueue(
        "grids.send_phone_code",
        dedupe_key=f"phone-code:{code.pk}",
        phone_code_id=code.pk,
    )
    return code


def _take_try(code: PhoneCode) -> None:
    """Count this try before checking it, in one UPDATE that refuses a code
    out of tries: two guesses at once cannot both use the last try. (Its own
    statement, committed even though a wrong try then raises.)"""
    taken = PhoneCode.objects.filter(
        pk=code.pk, attempts__lt=settings.PHONE_CODE_MAX_TRIES
    ).update(attempts=F("attempts") + 1)
    if not taken:
        raise ValidationError(_("Too many wrong tries: ask for a new code."))


def _refuse_try(code: PhoneCode) -> None:
    left = settings.PHONE_CODE_MAX_TRIES - code.attempts - 1
    if left <= 0:
        raise ValidationError(_("Too many wrong tries: ask for a new code."))
    raise ValidationError(
        _("The code is not right: %(left)s tries left.") % {"left": left}
    )


def phone_code_verify(
    *, phone: str, digits: str, user_agent: str = ""
) -> tuple[RememberedDevice, str]:
    """Check ``digits`` against the newest live code of ``phone``; on success
    use the code up and remember the device: return ``(device, token)``, the
    token going into the device's cookie. A wrong try is counted; after
    ``PHONE_CODE_MAX_TRIES`` the code is dead."""
    phone = _phone(phone)
    digits = "".join(ch for ch in str(digits) if ch.isdigit())[:6]
    code = selectors.phone_code_live(phone=phone)
    if code is None:
        raise ValidationError(_("No valid code for this number: ask for a new one."))
    _take_try(code)
    if len(digits) != 6 or not constant_time_compare(
        code.code_hash, _code_hash(code.salt, digits)
    ):
        _refuse_try(code)
    return _device_remember(code=code, user_agent=user_agent)


@transaction.atomic
def _device_remember(*, code: PhoneCode, user_agent: str):
    used = PhoneCode.objects.filter(pk=code.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if not used:  # a double tap used it a moment ago
        raise ValidationError(_("No valid code for this number: ask for a new one."))
    now = timezone.now()
    token = secrets.token_urlsafe(32)
    device = RememberedDevice.objects.create(
        phone=code.phone,
        token_hash=selectors.token_digest(token),
        created_at=now,
        expires_at=now + datetime.timedelta(days=settings.RESIDENT_DEVICE_DAYS),
        user_agent=user_agent[:200],
    )
    contact, _created = ResidentContact.objects.get_or_create(phone=code.phone)
    ResidentContact.objects.filter(pk=contact.pk).update(verified_at=now)
    audit_record(actor=None, action="resident.phone_verified", target=device)
    return device, token


@transaction.atomic
def device_forget(*, device: RememberedDevice) -> RememberedDevice:
    """Sign a device out: its cookie no longer proves the phone."""
    RememberedDevice.objects.filter(pk=device.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    audit_record(actor=None, action="resident.device_forgotten", target=device)
    device.refresh_from_db()
    return device


@transaction.atomic
def resident_messages_set(*, phone: str, wanted: bool) -> ResidentContact:
    """Stop (退订) or resume the messages sent to ``phone``."""
    phone = _phone(phone)
    contact, _created = ResidentContact.objects.get_or_create(phone=phone)
    contact.messages_stopped_at = None if wanted else timezone.now()
    contact.full_clean()
    contact.save(update_fields=["messages_stopped_at", "updated_at"])
    audit_record(
        actor=None,
        action="resident.messages_resumed" if wanted else "resident.messages_stopped",
        target=contact,
    )
    return contact
