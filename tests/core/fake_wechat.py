"""A local fake of the WeChat Official Account API for the tests: the access
token (``cgi-bin/token``), web authorisation (``sns/oauth2/access_token``) and
template messages (``cgi-bin/message/template/send``), answering as WeChat
does, errors (``errcode``) included."""

import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

APP_ID = "wx0000000000fake01"
APP_SECRET = "fake-wechat-app-secret-000000000"


class FakeWechat:
    """The server, the codes it knows (code → openid) and what it received."""

    def __init__(self):
        self.codes: dict[str, str] = {}
        self.templates_sent: list[dict] = []
        self.tokens: set[str] = set()
        self.token_fetches = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def get(self, path: str, query: dict) -> dict:
        if path == "/cgi-bin/token":
            if (query.get("appid"), query.get("secret")) != (APP_ID, APP_SECRET):
                return {"errcode": 40001, "errmsg": "invalid credential"}
            token = secrets.token_hex(16)
            self.tokens.add(token)
            self.token_fetches += 1
            return {"access_token": token, "expires_in": 7200}
        if path == "/sns/oauth2/access_token":
            openid = self.codes.pop(query.get("code", ""), None)
            if openid is None or query.get("secret") != APP_SECRET:
                return {"errcode": 40029, "errmsg": "invalid code"}
            return {
                "access_token": secrets.token_hex(16),
                "expires_in": 7200,
                "refresh_token": secrets.token_hex(16),
                "openid": openid,
                "scope": "snsapi_base",
            }
        return {"errcode": 40066, "errmsg": "invalid url"}

    def post(self, path: str, query: dict, body: dict) -> dict:
        if path != "/cgi-bin/message/template/send":
            return {"errcode": 40066, "errmsg": "invalid url"}
        if query.get("access_token") not in self.tokens:
            return {"errcode": 40014, "errmsg": "invalid access_token"}
        if not body.get("touser") or not body.get("template_id"):
            return {"errcode": 40003, "errmsg": "invalid openid"}
        self.templates_sent.append(body)
        return {"errcode": 0, "errmsg": "ok", "msgid": len(self.templates_sent)}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, data: dict):
                payload = json.dumps(data).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _where(self):
                url = urlparse(self.path)
                return url.path, {k: v[0] for k, v in parse_qs(url.query).items()}

            def do_GET(self):
                self._answer(fake.get(*self._where()))

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                self._answer(fake.post(*self._where(), body))

            def log_message(self, *args):
                pass

        return Handler


@pytest.fixture
def fake_wechat(settings):
    """A running fake WeChat API with the platform configured for it."""
    fake = FakeWechat()
    settings.WECHAT_APP_ID = APP_ID
    settings.WECHAT_APP_SECRET = APP_SECRET
    settings.WECHAT_API_BASE_URL = fake.base_url
    yield fake
    fake.stop()
