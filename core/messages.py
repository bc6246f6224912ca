"""The messages residents receive, one kind per step that matters.

Every kind has one short text, rendered in ``RESIDENT_MESSAGE_LANGUAGE``
(Chinese): the same text is registered as a template at the SMS gateway and
at the WeChat Official Account, where its placeholders are positional
(``{1}``, ``{2}`` … in ``RESIDENT_MESSAGES[kind].params`` order). A rendered
message with the gateway's sign fits in one SMS (70 characters;
``tests/core/test_messages.py``). Free-text values (a title, a place) are cut
to ``PARAM_MAX`` characters, as gateways cap a template variable.

``notify_resident`` is the one way to send one: it asks
``core.notifications.resident_opted_out`` first.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .notifications import notify, resident_opted_out

#: Gateways cap a template variable; free-text values are cut to this.
PARAM_MAX = 12
#: Values that are never cut: numbers, links and times are short already.
UNCUT = frozenset({"number", "link", "when", "code", "minutes"})


@dataclass(frozen=True)
class ResidentMessage:
    kind: str
    subject: str | Promise
    text: str | Promise
    #: The placeholders of ``text``, in the gateway template's order.
    params: tuple[str, ...]


RESIDENT_MESSAGES = {
    m.kind: m
    for m in [
        ResidentMessage(
            "phone_code",
            _("Verification code"),
            _(
                "Your verification code is %(code)s, valid for %(minutes)s "
                "minutes. Do not tell it to anyone."
            ),
            ("code", "minutes"),
        ),
        ResidentMessage(
            "report_received",
            _("Report received"),
            _("We received your report %(number)s; follow it at %(link)s"),
            ("number", "link"),
        ),
        ResidentMessage(
            "accepted",
            _("Report accepted"),
            _("Your report %(number)s was accepted; progress: %(link)s"),
            ("number", "link"),
        ),
        ResidentMessage(
            "resolved",
            _("Report resolved"),
            _("Your report %(number)s is resolved; please confirm: %(link)s"),
            ("number", "link"),
        ),
        ResidentMessage(
            "closed",
            _("Report closed"),
            _("Your report %(number)s is closed. Thank you for telling us."),
            ("number",),
        ),
        ResidentMessage(
            "rejected",
            _("Report not taken"),
            _("Your report %(number)s was not taken; the reason: %(link)s"),
            ("number", "link"),
        ),
        ResidentMessage(
            "reopened",
            _("Report reopened"),
            _("Your report %(number)s is being handled again: %(link)s"),
            ("number", "link"),
        ),
        ResidentMessage(
            "merged",
            _("Report merged"),
            _("Your report %(number)s is handled with the same problem's: %(link)s"),
            ("number", "link"),
        ),
        ResidentMessage(
            "meeting_tomorrow",
            _("Meeting reminder"),
            _("Reminder: %(title)s meets at %(when)s in %(place)s."),
            ("title", "when", "place"),
        ),
        ResidentMessage(
            "activity_tomorrow",
            _("Activity reminder"),
            _("Reminder: %(title)s starts at %(when)s in %(place)s."),
            ("title", "when", "place"),
        ),
        ResidentMessage(
            "wish_claimed",
            _("Wish claimed"),
            _("Your wish %(title)s was claimed; a volunteer will contact you."),
            ("title",),
        ),
        ResidentMessage(
            "wish_fulfilled",
            _("Wish fulfilled"),
            _("Your wish %(title)s is fulfilled. Thank you for your trust."),
            ("title",),
        ),
    ]
}


def message_values(kind: str, values: dict) -> list[str]:
    """Return the positional template parameters of ``kind`` for ``values``,
    free text cut to ``PARAM_MAX`` characters."""
    message = RESIDENT_MESSAGES[kind]
    return [
        str(values[name]) if name in UNCUT else str(values[name])[:PARAM_MAX]
        for name in message.params
    ]


def message_render(kind: str, values: dict) -> tuple[str, str, list[str]]:
    """Return ``(subject, text, params)`` of a message ``kind`` in the
    residents' language."""
    message = RESIDENT_MESSAGES[kind]
    params = message_values(kind, values)
    with translation.override(settings.RESIDENT_MESSAGE_LANGUAGE):
        text = str(message.text) % dict(zip(message.params, params, strict=True))
        subject = str(message.subject)
    return subject, text, params


def notify_resident(*, kind: str, dedupe_key: str, phone: str, **values):
    """Send message ``kind`` to a resident's ``phone`` once (``dedupe_key``).

    Return the Notification, or None when it is a repeat, there is no phone,
    or the resident stopped messages (退订).
    """
    if not phone or resident_opted_out(phone):
        return None
    subject, text, params = message_render(kind, values)
    return notify(
        dedupe_key=dedupe_key,
        phone=phone,
        subject=subject,
        body=text,
        kind=kind,
        params=params,
    )
