"""One interface for telling people things: ``notify``.

Backends are listed in ``settings.NOTIFICATION_BACKENDS``: the console (log) and
e-mail by default; an SMS gateway (``core.sms.TencentSmsBackend``) and WeChat
template messages (``core.wechat.WechatTemplateBackend``) plug in as more
classes with ``send``. Messages to residents go through
``core.messages.notify_resident``, which gives each a kind and the template's
positional parameters and asks ``resident_opted_out`` first.
"""

import datetime
import json
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Notification
from .phones import mask_mobile

logger = logging.getLogger("notifications")

#: Functions ``checker(phone) -> bool`` saying that a resident stopped
#: messages (退订). The resident side appends its own (``OPT_OUT_CHECKERS``).
OPT_OUT_CHECKERS: list[Callable[[str], bool]] = []


def resident_opted_out(phone: str) -> bool:
    """Return True when any registered checker says ``phone`` stopped messages."""
    return any(checker(phone) for checker in OPT_OUT_CHECKERS)


class ConsoleBackend:
    """Write the message to the log: the embedded default."""

    def send(self, notification: Notification) -> None:
        logger.info(
            "NOTIFY %s %s: %s",
            notification.user or mask_mobile(notification.phone),
            notification.subject,
            notification.body,
        )


class EmailBackend:
    """E-mail the message to a recipient account that has an address."""

    def send(self, notification: Notification) -> None:
        email = getattr(notification.user, "email", "")
        if email:
            send_mail(notification.subject, notification.body, None, [email])


class SmsBackend:
    """An SMS gateway's base: sends messages that have a phone number through
    ``send_sms`` (``core.sms.TencentSmsBackend`` is the real one)."""

    def send(self, notification: Notification) -> None:
        if notification.phone:
            self.send_sms(notification)

    def send_sms(self, notification: Notification) -> None:
        raise NotImplementedError("Configure an SMS gateway to send text messages.")


class JsonLinesBackend:
    """Append each message as one JSON line to ``NOTIFICATION_FILE``: for demos
    and fault runs that count what was sent (one line per message sent)."""

    def send(self, notification: Notification) -> None:
        line = json.dumps(
            {
                "key": notification.dedupe_key,
                "user": notification.user_id,
                "subject": notification.subject,
                "at": timezone.now().isoformat(),
            },
            ensure_ascii=False,
        )
        # One write of one line to a file opened for appending: lines from
        # several processes never interleave.
        with open(settings.NOTIFICATION_FILE, "a", encoding="utf-8") as out:
            out.write(line + "\n")


def notify(
    *,
    dedupe_key: str,
    subject: str,
    body: str,
    user=None,
    phone: str = "",
    kind: str = "",
    params=(),
):
    """Send one message unless a message with ``dedupe_key`` was already sent.

    ``kind`` and ``params`` name a gateway template and its positional values
    (``core.messages``); messages to staff accounts go without.

    Return the new Notification, or None when it is a repeat; a task that runs
    twice therefore sends nothing twice. A run claims the message before it
    sends it; a claim older than ``NOTIFICATION_CLAIM_TIMEOUT`` (its process
    died between claim and send) may be taken over, so a message is not lost
    with a killed worker either.
    """
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                dedupe_key=dedupe_key[:150],
                user=user,
                phone=phone,
                subject=subject[:200],
                body=body,
                kind=kind,
                params=list(params),
            )
    except IntegrityError:
        notification = Notification.objects.get(dedupe_key=dedupe_key[:150])
    # Claim the message: of two runs, only the one whose update wins sends it.
    now = timezone.now()
    stale = now - datetime.timedelta(seconds=settings.NOTIFICATION_CLAIM_TIMEOUT)
    claimed = (
        Notification.objects.filter(pk=notification.pk, sent_at__isnull=True)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .update(claimed_at=now)
    )
    if not claimed:
        return None
    try:
        for path in settings.NOTIFICATION_BACKENDS:
            import_string(path)().send(notification)
    except Exception:
        # Not sent: release the claim so that the task's retry sends it.
        Notification.objects.filter(pk=notification.pk).update(claimed_at=None)
        raise
    Notification.objects.filter(pk=notification.pk).update(sent_at=timezone.now())
    return notification
