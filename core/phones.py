"""Mainland China mobile numbers: normalise, validate, mask."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_SEPARATORS_RE = re.compile(r"[\s\-()（）]")


def normalize_mobile(value: str) -> str:
    """Return ``value`` without spaces, dashes and a leading +86 / 0086 / 86."""
    digits = _SEPARATORS_RE.sub("", str(value or "").strip())
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            return digits[len(prefix) :]
    return digits


def validate_mobile(value: str) -> None:
    """Raise ValidationError unless ``value`` is an 11-digit mainland mobile number."""
    if not _MOBILE_RE.match(value or ""):
        raise ValidationError(
            _(
                "“%(value)s” is not a valid mainland mobile number "
                "(11 digits starting with 13–19)."
            ),
            code="invalid_mobile",
            params={"value": str(value)[:20]},
        )


def mask_mobile(value: str) -> str:
    """Return ``13812341234`` as ``138****1234``; empty stays empty."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return f"{value[:3]}****{value[-4:]}"


def mask_mobiles_in(text: str) -> str:
    """Return ``text`` with every personal number in it masked (``core.scrub``)."""
    from .scrub import scrub

    return scrub(text)


def mask_name(value: str) -> str:
    """Return a Chinese name with all but its first character hidden (张**)."""
    if not value:
        return ""
    return value[0] + "*" * max(len(value) - 1, 1)
