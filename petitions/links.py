"""Short links to a case's tracking page, for text messages.

A tracking address (``/track/<24 characters>/``) does not fit into one SMS
with the text around it. ``/t/<code>`` does: the case's id in base 36 and an
8-character HMAC of its tracking token (letters and digits, about 47 bits,
under the site's secret key; no "-" or "_" for a phone's link detection to
stop at),
so the short link opens only the case it was made for and cannot be guessed
from a case number. It redirects to the tracking page.
"""

import hmac

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.crypto import salted_hmac

from .models import Petition

_SALT = "petitions.links.short"
_SIGNATURE_LENGTH = 8
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _digits(number: int, base: int, width: int = 1) -> str:
    text = ""
    while number or len(text) < width:
        number, digit = divmod(number, base)
        text = _DIGITS[digit] + text
    return text


def _base36(number: int) -> str:
    return _digits(number, 36)


def _signature(petition: Petition) -> str:
    digest = salted_hmac(_SALT, petition.tracking_token, algorithm="sha256").digest()
    number = int.from_bytes(digest[:8]) % 62**_SIGNATURE_LENGTH
    return _digits(number, 62, _SIGNATURE_LENGTH)


def petition_short_link(petition: Petition) -> str:
    """Return the absolute short link to ``petition``'s tracking page."""
    code = _base36(petition.pk) + _signature(petition)
    return f"{settings.SITE_URL}{reverse('short-link', args=[code])}"


def short_link_view(request, code: str):
    """Redirect a short link to its case's tracking page; 404 for any other code."""
    pk_part, signature = code[:-_SIGNATURE_LENGTH], code[-_SIGNATURE_LENGTH:]
    try:
        pk = int(pk_part, 36)
    except ValueError:
        raise Http404 from None
    petition = Petition.objects.filter(pk=pk).only("pk", "tracking_token").first()
    if petition is None or not hmac.compare_digest(_signature(petition), signature):
        raise Http404
    return redirect("petitions:track", token=petition.tracking_token)
