"""WeChat Official Account through wechatpy, against a local fake WeChat API:
web authorisation gives the openid, a binding ties it to a verified phone,
and resident messages go there as template messages."""

import pytest
from wechatpy.exceptions import WeChatException

from core.messages import notify_resident
from core.models import AuditEvent, WechatBinding
from core.wechat import (
    wechat_binding_bind,
    wechat_binding_remove,
    wechat_oauth,
    wechat_openid_for_code,
)
from tests.core.fake_wechat import APP_ID

PHONE = "13912345678"
BACK = "https://wy.example.cn/wechat/back/"


def test_wechat_oauth_gives_the_openid_of_a_code(db, fake_wechat):
    """The authorisation address asks for snsapi_base with our app id; the
    code WeChat sends back turns into the resident's openid, once."""
    url = wechat_oauth(redirect_uri=BACK, state="s1").authorize_url
    assert f"appid={APP_ID}" in url and "scope=snsapi_base" in url
    assert "state=s1" in url
    fake_wechat.codes["c0de"] = "oFAKEopenid0001"
    assert wechat_openid_for_code(code="c0de", redirect_uri=BACK) == "oFAKEopenid0001"
    with pytest.raises(WeChatException):
        wechat_openid_for_code(code="c0de", redirect_uri=BACK)


def test_wechat_binding_ties_an_openid_to_one_phone(db):
    """Binding twice moves the openid to the new phone; each change is audited;
    stopping removes every binding of the phone."""
    wechat_binding_bind(openid="o1", phone="139 1234 5678")
    wechat_binding_bind(openid="o1", phone="13900000001")
    assert list(WechatBinding.objects.values_list("openid", "phone")) == [
        ("o1", "13900000001")
    ]
    assert AuditEvent.objects.filter(action="wechat.bind").count() == 2
    assert wechat_binding_remove(phone="13900000001") == 1
    assert not WechatBinding.objects.exists()


def test_wechat_template_message_for_a_bound_phone(db, fake_wechat, settings):
    """A resident message to a bound phone goes to the openid as a template
    message with the text, the values and the link; one token serves two."""
    settings.NOTIFICATION_BACKENDS = ["core.wechat.WechatTemplateBackend"]
    settings.WECHAT_TEMPLATES = {"resolved": "TPL-resolved", "closed": "TPL-closed"}
    wechat_binding_bind(openid="oFAKE1", phone=PHONE)
    link = "https://wy.example.cn/t/1abcdefgh"
    notify_resident(
        kind="resolved", dedupe_key="k1", phone=PHONE, number="261118-7", link=link
    )
    notify_resident(kind="closed", dedupe_key="k2", phone=PHONE, number="261118-7")
    notify_resident(kind="closed", dedupe_key="k3", phone="13900000001", number="1")
    first, second = fake_wechat.templates_sent
    assert (first["touser"], first["template_id"], first["url"]) == (
        "oFAKE1",
        "TPL-resolved",
        link,
    )
    assert first["data"]["keyword1"] == {"value": "261118-7"}
    assert "261118-7" in first["data"]["first"]["value"]
    assert second["template_id"] == "TPL-closed" and "url" not in second
    assert fake_wechat.token_fetches == 1


def test_wechat_is_off_without_settings(db, settings):
    """Without WECHAT_APP_ID the backend sends nothing and needs no server."""
    settings.NOTIFICATION_BACKENDS = ["core.wechat.WechatTemplateBackend"]
    settings.WECHAT_TEMPLATES = {"closed": "TPL-closed"}
    wechat_binding_bind(openid="oFAKE1", phone=PHONE)
    assert notify_resident(kind="closed", dedupe_key="k", phone=PHONE, number="1")


def test_wechat_failure_is_logged_not_retried(db, fake_wechat, settings, caplog):
    """A WeChat error (a bad secret) is logged: the message stays sent, so the
    outbox does not text the resident again for WeChat's sake."""
    settings.NOTIFICATION_BACKENDS = ["core.wechat.WechatTemplateBackend"]
    settings.WECHAT_TEMPLATES = {"closed": "TPL-closed"}
    settings.WECHAT_APP_SECRET = "wrong"
    wechat_binding_bind(openid="oFAKE1", phone=PHONE)
    assert notify_resident(kind="closed", dedupe_key="k", phone=PHONE, number="1")
    assert fake_wechat.templates_sent == []
    assert "not sent" in caplog.text


def test_wechat_binding_pages_bind_the_verified_phone(client, db, fake_wechat):
    """From 我的 a resident with a verified phone goes to WeChat's authorisation
    and comes back bound; a state made for another phone or a code WeChat does
    not know binds nothing."""
    from urllib.parse import parse_qs, urlparse

    from tests.grids.factories import resident_verify

    resident_verify(client, PHONE)
    assert "/me/wechat/" in client.get("/me/").content.decode()
    away = client.get("/me/wechat/")
    state = parse_qs(urlparse(away["Location"]).query)["state"][0]
    assert f"appid={APP_ID}" in away["Location"]
    fake_wechat.codes["c1"] = "oFAKEopenid0002"
    assert (
        client.get("/me/wechat/done/", {"code": "c9", "state": state}).status_code
        == 302
    )
    assert not WechatBinding.objects.exists()
    client.get("/me/wechat/done/", {"code": "c1", "state": state})
    assert list(WechatBinding.objects.values_list("openid", "phone")) == [
        ("oFAKEopenid0002", PHONE)
    ]
    resident_verify(client, "13900000001")  # another phone on this device now
    fake_wechat.codes["c2"] = "oFAKEopenid0003"
    client.get("/me/wechat/done/", {"code": "c2", "state": state})
    assert not WechatBinding.objects.filter(openid="oFAKEopenid0003").exists()


def test_wechat_binding_pages_need_wechat_and_a_verified_phone(client, db, settings):
    """Without WeChat configured the pages do not exist; without a verified
    phone they send the resident to prove one first."""
    from tests.grids.factories import resident_verify

    settings.WECHAT_APP_ID = settings.WECHAT_APP_SECRET = ""
    assert client.get("/me/wechat/")["Location"].startswith("/me/verify/")
    resident_verify(client, PHONE)
    assert client.get("/me/wechat/").status_code == 404
    assert "/me/wechat/" not in client.get("/me/").content.decode()


def test_wechat_binding_pages_take_no_post(client, db, fake_wechat):
    """The binding pages are links WeChat follows: a POST is refused."""
    from tests.grids.factories import resident_verify

    resident_verify(client, PHONE)
    assert client.post("/me/wechat/").status_code == 405
    assert client.post("/me/wechat/done/").status_code == 405
