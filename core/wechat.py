"""WeChat Official Account, with wechatpy: optional, off while
``WECHAT_APP_ID`` is empty.

- Web authorisation (OAuth2, scope ``snsapi_base``): ``wechat_oauth`` makes
  the address to send a resident to and ``wechat_openid_for_code`` turns the
  code WeChat sends back into the resident's openid.
- ``wechat_binding_bind`` binds that openid to a phone the resident verified
  (the resident side calls it once the phone is verified; no phone is ever
  taken from WeChat).
- ``WechatTemplateBackend`` is a notification backend: a resident message
  (``core.messages``) to a phone with a binding goes to each bound openid as
  a template message, the same events as SMS.

``WECHAT_API_BASE_URL`` points the client at another server (the tests' fake
WeChat API): wechatpy builds every address from its base URL except the
access token's, which ``PlatformWeChatClient`` builds from it as well.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from wechatpy import WeChatClient, WeChatOAuth
from wechatpy.exceptions import WeChatException
from wechatpy.session import SessionStorage

from .messages import RESIDENT_MESSAGES
from .models import Notification, WechatBinding
from .phones import normalize_mobile
from .services import audit_record

logger = logging.getLogger("notifications")

WECHAT_API = "https://api.weixin.qq.com/"


class CacheStorage(SessionStorage):
    """Keep the access token in Django's cache (Redis in a deployment), shared
    by every worker: WeChat limits how often a token may be fetched."""

    def get(self, key, default=None):
        return cache.get(f"wechat:{key}", default)

    def set(self, key, value, ttl=None):
        cache.set(f"wechat:{key}", value, ttl)

    def delete(self, key):
        cache.delete(f"wechat:{key}")


def _api_base() -> str:
    return settings.WECHAT_API_BASE_URL or WECHAT_API


class PlatformWeChatClient(WeChatClient):
    """wechatpy's client whose every address, the token's too, starts at
    ``WECHAT_API_BASE_URL``."""

    def __init__(self):
        super().__init__(
            settings.WECHAT_APP_ID,
            settings.WECHAT_APP_SECRET,
            session=CacheStorage(),
            timeout=10,
        )
        self.API_BASE_URL = f"{_api_base()}cgi-bin/"

    def fetch_access_token(self):
        return self._fetch_access_token(
            url=f"{self.API_BASE_URL}token",
            params={
                "grant_type": "client_credential",
                "appid": self.appid,
                "secret": self.secret,
            },
        )


def wechat_enabled() -> bool:
    return bool(settings.WECHAT_APP_ID and settings.WECHAT_APP_SECRET)


def wechat_oauth(*, redirect_uri: str, state: str = "") -> WeChatOAuth:
    """Return the OAuth2 client; ``.authorize_url`` is where to send the
    resident (inside WeChat), ``redirect_uri`` where WeChat sends them back."""
    oauth = WeChatOAuth(
        settings.WECHAT_APP_ID,
        settings.WECHAT_APP_SECRET,
        redirect_uri,
        scope="snsapi_base",
        state=state,
    )
    oauth.API_BASE_URL = _api_base()
    return oauth


def wechat_openid_for_code(*, code: str, redirect_uri: str) -> str:
    """Return the openid of the resident WeChat sent back with ``code``;
    raise ``WeChatException`` for a code WeChat does not know."""
    return wechat_oauth(redirect_uri=redirect_uri).fetch_access_token(code)["openid"]


@transaction.atomic
def wechat_binding_bind(*, openid: str, phone: str) -> WechatBinding:
    """Bind ``openid`` to the verified ``phone`` (a later binding of the same
    openid moves it to the new phone) and return the binding."""
    phone = normalize_mobile(phone)
    binding = WechatBinding.objects.filter(openid=openid).first() or WechatBinding(
        openid=openid
    )
    binding.phone = phone
    binding.full_clean()
    binding.save()
    audit_record(
        actor=None,
        action="wechat.bind",
        target=binding,
        changes={"phone": f"{phone[:3]}****{phone[-4:]}"},
    )
    return binding


def wechat_binding_exists(*, phone: str) -> bool:
    """Return whether a WeChat account is bound to ``phone``."""
    return WechatBinding.objects.filter(phone=normalize_mobile(phone)).exists()


@transaction.atomic
def wechat_binding_remove(*, phone: str) -> int:
    """Remove every binding of ``phone`` (the resident stopped WeChat
    messages); return how many there were."""
    bindings = list(WechatBinding.objects.filter(phone=normalize_mobile(phone)))
    for binding in bindings:
        audit_record(actor=None, action="wechat.unbind", target=binding)
        binding.delete()
    return len(bindings)


def template_data(notification: Notification) -> tuple[dict, str | None]:
    """Return the template's data (``first``: the whole text, ``keyword1``…:
    the values in order) and the link to open, if the message has one."""
    names = RESIDENT_MESSAGES[notification.kind].params
    data = {"first": {"value": notification.body}}
    for position, value in enumerate(notification.params, start=1):
        data[f"keyword{position}"] = {"value": value}
    values = dict(zip(names, notification.params, strict=False))
    return data, values.get("link")


class WechatTemplateBackend:
    """Send a resident message to the WeChat openids bound to its phone.

    WeChat is a second channel beside SMS: a failure is logged, not raised,
    so that the outbox's retry of the whole message does not text the
    resident twice. Kinds without a template in ``WECHAT_TEMPLATES`` go by
    SMS only.
    """

    def send(self, notification: Notification) -> None:
        template = settings.WECHAT_TEMPLATES.get(notification.kind)
        if not (wechat_enabled() and template and notification.phone):
            return
        openids = WechatBinding.objects.filter(phone=notification.phone).values_list(
            "openid", flat=True
        )
        if not openids:
            return
        data, link = template_data(notification)
        client = PlatformWeChatClient()
        for openid in openids:
            try:
                client.message.send_template(openid, template, data, url=link)
            except (WeChatException, OSError) as exc:
                logger.warning(
                    "WeChat %s to %s… not sent: %r", notification.kind, openid[:8], exc
                )
