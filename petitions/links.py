"""Short links to a case's tracking page, for text messages.

A tracking address (``/track/<24 characters>/``) does not fit into one SMS
with the text around it. ``/t/<code>`` does: the case's id in base 36 and an
8-character HMAC of its tracking token (48 bits, under the site's secret key),
so the short link opens only the case it was made for and cannot be guessed
from a case number. It redirects to the tracking page.
"""

import base64
import hmac

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.crypto import salted_hmac

from .models import Petition

_SALT = "petitions.links.short"
_SIGNATURE_LENGTH = 8
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(number: int) -> str:
    text = ""
    while True:
        number, digit = divmod(number, 36)
        text = _DIGITS[digit] + text
        if not number:
            return text


def _signature(petition: Petition) -> str:
    digest = salted_hmac(_SALT, petition.tracking_token, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).decode()[:_SIGNATURE_LENGTH]


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
