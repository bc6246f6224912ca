"""Tencent Cloud SMS through its official SDK, against a local fake gateway
that checks the TC3 signature, the action, the number and the template."""

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured

from core.messages import notify_resident
from core.models import Notification, OutboxMessage
from core.notifications import notify
from core.sms import SmsGatewayError
from tests.core.fake_tencent_sms import SDK_APP_ID

PHONE = "13912345678"


def test_sms_backend_sends_one_signed_sendsms(db, fake_sms):
    """A resident message goes to the gateway once: signed, as SendSms, to the
    +86 number, with the kind's template id and the message's values."""
    sent = notify_resident(
        kind="accepted", dedupe_key="k", phone=PHONE, number="261118-7", link="L"
    )
    assert sent is not None
    assert fake_sms.refused == []
    [request] = fake_sms.sent
    assert request["PhoneNumberSet"] == ["+8613912345678"]
    assert request["TemplateId"] == fake_sms.templates["accepted"]
    assert request["TemplateParamSet"] == ["261118-7", "L"]
    assert request["SmsSdkAppId"] == SDK_APP_ID
    assert request["SignName"] == "红色物业"
    assert (
        notify_resident(
            kind="accepted", dedupe_key="k", phone=PHONE, number="261118-7", link="L"
        )
        is None
    )
    assert len(fake_sms.sent) == 1


def test_sms_backend_signature_is_checked_by_the_gateway(
    db,
    fake_sms,
    settings,
):
    """A wrong SecretKey makes a signature the gateway refuses: the send fails
    (and the message stays unsent for a retry)."""
    settings.TENCENT_SMS_SECRET_KEY = "not-the-key"
    with pytest.raises(SmsGatewayError, match=r"AuthFailure\.SignatureFailure"):
        notify_resident(kind="closed", dedupe_key="k", phone=PHONE, number="1")
    assert fake_sms.sent == []
    assert fake_sms.refused == ["signature does not match"]
    assert Notification.objects.get(dedupe_key="k").sent_at is None


def test_sms_gateway_error_is_retried_by_the_outbox(
    world,
    fake_sms,
    submit,
    relay,
    pinned_clock,
):
    """Tencent answers an error code: the outbox row fails and is retried
    after its backoff; the retry sends the message, once."""
    fake_sms.fail_next("LimitExceeded.PhoneNumberThirtySecondLimit")
    petition = submit()
    relay()
    row = OutboxMessage.objects.get(task_name="petitions.notify_new")
    assert row.done_at is None and "PhoneNumberThirtySecondLimit" in row.last_error
    assert fake_sms.sent == []
    pinned_clock.shift(datetime.timedelta(minutes=5))
    relay()
    relay()
    assert [r["TemplateParamSet"][0] for r in fake_sms.sent] == [petition.number]
    row.refresh_from_db()
    assert row.done_at is not None


def test_sms_backend_needs_a_template_for_the_kind(
    db,
    fake_sms,
    settings,
):
    """A kind without a template id is a configuration error, not a silent loss."""
    settings.TENCENT_SMS_TEMPLATES = {}
    with pytest.raises(ImproperlyConfigured, match="reopened"):
        notify_resident(
            kind="reopened", dedupe_key="k", phone=PHONE, number="1", link="L"
        )


def test_sms_backend_leaves_staff_notices_to_the_other_backends(
    db,
    fake_sms,
):
    """A notice without a message kind (to staff) does not reach the gateway."""
    assert notify(dedupe_key="k", subject="s", body="b", phone=PHONE)
    assert fake_sms.sent == []
