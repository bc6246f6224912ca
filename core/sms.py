"""Text messages through Tencent Cloud SMS, with its official SDK.

``TencentSmsBackend`` is a notification backend (``NOTIFICATION_BACKENDS``):
``core.notifications.notify`` calls it once per claimed message, inside the
outbox task, so a gateway error raises, the claim is released and the outbox
retries the task later; the message's dedupe key keeps a retry from sending
twice what was sent. Each message kind (``core.messages``) has one approved
template at Tencent whose id is in ``TENCENT_SMS_TEMPLATES``; its positional
parameters are the message's ``params``.
"""

import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
    TencentCloudSDKException,
)
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models, sms_client

from .models import Notification
from .notifications import SmsBackend

logger = logging.getLogger("notifications")


class SmsGatewayError(Exception):
    """The gateway refused or failed a message: the outbox tries again."""


def sms_client_make() -> sms_client.SmsClient:
    """Return an SDK client configured from the settings."""
    if not (settings.TENCENT_SMS_SECRET_ID and settings.TENCENT_SMS_SECRET_KEY):
        raise ImproperlyConfigured(
            "Set TENCENT_SMS_SECRET_ID and TENCENT_SMS_SECRET_KEY to send SMS."
        )
    http = HttpProfile(
        protocol=settings.TENCENT_SMS_SCHEME,
        endpoint=settings.TENCENT_SMS_ENDPOINT or None,
        reqTimeout=settings.TENCENT_SMS_TIMEOUT,
    )
    return sms_client.SmsClient(
        credential.Credential(
            settings.TENCENT_SMS_SECRET_ID, settings.TENCENT_SMS_SECRET_KEY
        ),
        settings.TENCENT_SMS_REGION,
        ClientProfile(httpProfile=http),
    )


def template_id_of(kind: str) -> str:
    """Return the Tencent template id of message ``kind``, or fail loudly: a
    message without its template is a configuration error, kept in the outbox
    (and shown there) until it is fixed."""
    template = settings.TENCENT_SMS_TEMPLATES.get(kind)
    if not template:
        raise ImproperlyConfigured(
            f"No Tencent SMS template for message kind {kind!r} "
            "(TENCENT_SMS_TEMPLATES)."
        )
    return str(template)


class TencentSmsBackend(SmsBackend):
    """Send a resident message as one SendSms call to Tencent Cloud SMS."""

    def send_sms(self, notification: Notification) -> None:
        if not notification.kind:
            # Staff notices carry no template; they go by the other backends.
            return
        request = models.SendSmsRequest()
        request.SmsSdkAppId = settings.TENCENT_SMS_SDK_APP_ID
        request.SignName = settings.TENCENT_SMS_SIGN_NAME
        request.TemplateId = template_id_of(notification.kind)
        request.TemplateParamSet = [str(p) for p in notification.params]
        request.PhoneNumberSet = [f"+86{notification.phone}"]
        # Tencent returns it with the status: the message's key, for tracing.
        request.SessionContext = notification.dedupe_key
        try:
            response = sms_client_make().SendSms(request)
        except TencentCloudSDKException as exc:
            raise SmsGatewayError(
                f"{exc.get_code()}: {exc.get_message()} ({exc.get_request_id()})"
            ) from exc
        status = response.SendStatusSet[0] if response.SendStatusSet else None
        if status is None or status.Code != "Ok":
            raise SmsGatewayError(
                f"{getattr(status, 'Code', 'NoStatus')}: "
                f"{getattr(status, 'Message', '')} ({response.RequestId})"
            )
        logger.info(
            "SMS %s sent to %s****%s: %s",
            notification.kind,
            notification.phone[:3],
            notification.phone[-4:],
            status.SerialNo,
        )
