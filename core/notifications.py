"""One interface for telling people things: ``notify``.

Backends are listed in ``settings.NOTIFICATION_BACKENDS``: the console (log) and
e-mail by default; an SMS gateway plugs in as one more class with ``send``.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
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


def notify(*, dedupe_key: str, subject: str, body: str, user=None, phone: str = ""):
    """Send one message unless a message with ``dedupe_key`` was already made.

    Return the new Notification, or None when it is a repeat; a task that runs
    twice therefore sends nothing twice.
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
    claimed = Notification.objects.filter(
        pk=notification.pk, sent_at__isnull=True
    ).update(sent_at=timezone.now())
    if not claimed:
        return None
    try:
        for path in settings.NOTIFICATION_BACKENDS:
            import_string(path)().send(notification)
    except Exception:
        # Not sent: release the claim so that the task's retry sends it.
        Notification.objects.filter(pk=notification.pk).update(sent_at=None)
        raise
    return notification
