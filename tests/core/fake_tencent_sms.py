"""A local fake of Tencent Cloud SMS (API 2021-01-11) for the tests.

It speaks the real API as far as the platform uses it: one POST of a JSON body
signed with TC3-HMAC-SHA256 (the signature is recomputed with the test's
SecretKey and compared), the action ``SendSms`` in ``X-TC-Action``, numbers in
``+86`` form, and Tencent's answers: a ``SendStatusSet`` per number, or an
``Error`` with a code. ``fail_next`` makes the next answers errors, as a
gateway under trouble does.
"""

import hashlib
import hmac
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

SECRET_ID = "AKIDfaketestsecretid0000000000000000"
SECRET_KEY = "fake-test-secret-key-0000000000000"
SDK_APP_ID = "1400000001"


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def tc3_signature(*, secret_key, headers, body: bytes, date: str, service="sms"):
    """Recompute the TC3-HMAC-SHA256 signature of a POST to ``/``."""
    canonical = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:{headers['Content-Type']}\nhost:{headers['Host']}\n",
            "content-type;host",
            hashlib.sha256(body).hexdigest(),
        ]
    )
    to_sign = "\n".join(
        [
            "TC3-HMAC-SHA256",
            headers["X-TC-Timestamp"],
            f"{date}/{service}/tc3_request",
            hashlib.sha256(canonical.encode()).hexdigest(),
        ]
    )
    key = _hmac(("TC3" + secret_key).encode(), date)
    key = _hmac(_hmac(key, service), "tc3_request")
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


class FakeTencentSms:
    """The server, what it received (``sent``) and the errors it will give."""

    def __init__(self):
        self.sent: list[dict] = []
        self.refused: list[str] = []
        self.fail_codes: list[str] = []
        self.templates: dict[str, str] = {}
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.server.server_address[1]}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def fail_next(self, *codes: str) -> None:
        """Answer the next requests with these error codes, in order."""
        self.fail_codes.extend(codes)

    def settings(self, settings, **templates) -> None:
        """Point a Django ``settings`` fixture's SMS backend at this fake."""
        settings.TENCENT_SMS_SECRET_ID = SECRET_ID
        settings.TENCENT_SMS_SECRET_KEY = SECRET_KEY
        settings.TENCENT_SMS_SDK_APP_ID = SDK_APP_ID
        settings.TENCENT_SMS_ENDPOINT = self.endpoint
        settings.TENCENT_SMS_SCHEME = "http"
        settings.TENCENT_SMS_TEMPLATES = self.templates = templates

    def env(self, **templates) -> dict:
        """The same for a process started with an environment."""
        return {
            "TENCENT_SMS_SECRET_ID": SECRET_ID,
            "TENCENT_SMS_SECRET_KEY": SECRET_KEY,
            "TENCENT_SMS_SDK_APP_ID": SDK_APP_ID,
            "TENCENT_SMS_ENDPOINT": self.endpoint,
            "TENCENT_SMS_SCHEME": "http",
            "TENCENT_SMS_TEMPLATES": ",".join(f"{k}={v}" for k, v in templates.items()),
        }

    # --- the API ----------------------------------------------------------

    def answer(self, headers, body: bytes) -> dict:
        """Return Tencent's ``Response`` object for one request."""
        problem = self.check(headers, body)
        if problem:
            self.refused.append(problem[1])
            return {"Error": {"Code": problem[0], "Message": problem[1]}}
        with self.lock:
            if self.fail_codes:
                code = self.fail_codes.pop(0)
                return {"Error": {"Code": code, "Message": "fake failure"}}
        request = json.loads(body)
        statuses = []
        for phone in request["PhoneNumberSet"]:
            with self.lock:
                self.sent.append({**request, "PhoneNumber": phone})
            statuses.append(
                {
                    "SerialNo": uuid.uuid4().hex,
                    "PhoneNumber": phone,
                    "Fee": 1,
                    "SessionContext": request.get("SessionContext", ""),
                    "Code": "Ok",
                    "Message": "send success",
                    "IsoCode": "CN",
                }
            )
        return {"SendStatusSet": statuses}

    def check(self, headers, body: bytes) -> tuple[str, str] | None:
        """Return (code, message) of what is wrong with a request, or None."""
        auth = headers.get("Authorization", "")
        if not auth.startswith("TC3-HMAC-SHA256 Credential="):
            return "AuthFailure.SignatureFailure", "not TC3-HMAC-SHA256"
        credential, _, rest = auth.removeprefix(
            "TC3-HMAC-SHA256 Credential="
        ).partition(", ")
        secret_id, date, service, _ = credential.split("/")
        expected = tc3_signature(
            secret_key=SECRET_KEY, headers=headers, body=body, date=date
        )
        if secret_id != SECRET_ID or service != "sms":
            return "AuthFailure.SecretIdNotFound", "unknown SecretId"
        if not hmac.compare_digest(rest.rpartition("Signature=")[2], expected):
            return "AuthFailure.SignatureFailure", "signature does not match"
        if headers.get("X-TC-Action") != "SendSms":
            return "InvalidAction", headers.get("X-TC-Action", "")
        if headers.get("X-TC-Version") != "2021-01-11":
            return "InvalidParameter", "version"
        request = json.loads(body)
        if request.get("SmsSdkAppId") != SDK_APP_ID:
            return "InvalidParameterValue.SdkAppIdNotExist", "SmsSdkAppId"
        if not request.get("TemplateId") or not request.get("SignName"):
            return "MissingParameter", "TemplateId or SignName"
        for phone in request.get("PhoneNumberSet") or [None]:
            if not (phone and phone.startswith("+861") and len(phone) == 14):
                return "InvalidParameterValue.IncorrectPhoneNumber", str(phone)
        return None

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                response = fake.answer(self.headers, body)
                response["RequestId"] = str(uuid.uuid4())
                data = json.dumps({"Response": response}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        return Handler


@pytest.fixture
def fake_sms(settings):
    """A running fake gateway, with the SMS backend pointed at it and a
    template id for every resident message kind."""
    from core.messages import RESIDENT_MESSAGES

    fake = FakeTencentSms().start()
    settings.NOTIFICATION_BACKENDS = ["core.sms.TencentSmsBackend"]
    fake.settings(
        settings, **{kind: str(2000000 + i) for i, kind in enumerate(RESIDENT_MESSAGES)}
    )
    yield fake
    fake.stop()
