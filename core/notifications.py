"""One interface for telling people things: ``notify``.

Backends are listed in ``settings.NOTIFICATION_BACKENDS``: the console (log) and
e-mail by default; an SMS gateway plugs in as one more class with ``send``.
"""

import datetime
import json
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Notification
from .phones import mask_mobile

logger = logging.getLogger("notifications")


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
    """The slot for an SMS gateway: subclass and implement ``send_sms``."""

    def send(self, notification: Notification) -> None:
        if notification.phone:
            self.send_sms(notification.phone, notification.body)

    def send_sms(self, phone: str, text: str) -> None:
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


def notify(*, dedupe_key: str, subject: str, body: str, user=None, phone: str = ""):
    """Send one message unless a message with ``dedupe_key`` was already sent.

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
