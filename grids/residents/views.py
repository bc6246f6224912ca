"""Resident pages of verified phones: prove a phone with a code, 我的 (what
the resident did under that phone), stop messages, sign the device out."""

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core import wechat
from core.errors import ApplicationError
from core.phones import mask_mobile
from core.ratelimit import client_ip, ratelimit, ratelimit_hit, ratelimited_response
from grids.extensions import resident_sections

from . import selectors, services
from .forms import PhoneCodeRequestForm, PhoneCodeVerifyForm
from .identity import (
    device_cookie_delete,
    device_cookie_set,
    require_verified_phone,
    resident_device,
    safe_next,
    verified_phone,
)


@require_verified_phone
def me(request):
    """我的: every case, sign-up, wish, proposal and registration under the
    verified phone, with links; stop or resume messages; sign out."""
    phone = verified_phone(request)
    contact = selectors.resident_contact(phone=phone)
    sections = [(s.title, s.rows(phone=phone)) for s in resident_sections()]
    return render(
        request,
        "grids/residents/me.html",
        {
            "masked_phone": mask_mobile(phone),
            "sections": sections,
            "wants_messages": contact is None or contact.wants_messages,
            "wechat": wechat.wechat_enabled(),
            "wechat_bound": wechat.wechat_enabled()
            and wechat.wechat_binding_exists(phone=phone),
        },
    )


_WECHAT_STATE_SALT = "residents.wechat-bind"


@require_GET
@require_verified_phone
def wechat_bind(request):
    """Send the resident (inside WeChat) to the Official Account's web
    authorisation, to bind their WeChat to the verified phone."""
    if not wechat.wechat_enabled():
        raise Http404
    state = signing.dumps(verified_phone(request), salt=_WECHAT_STATE_SALT)
    back = request.build_absolute_uri(reverse("residents:wechat-done"))
    return redirect(wechat.wechat_oauth(redirect_uri=back, state=state).authorize_url)


@require_GET
@require_verified_phone
def wechat_done(request):
    """WeChat sent the resident back with a code: bind the openid it names to
    the verified phone that started the binding (checked by the signed state)."""
    if not wechat.wechat_enabled():
        raise Http404
    phone = verified_phone(request)
    try:
        started_by = signing.loads(
            request.GET.get("state", ""), salt=_WECHAT_STATE_SALT, max_age=600
        )
        back = request.build_absolute_uri(reverse("residents:wechat-done"))
        openid = wechat.wechat_openid_for_code(
            code=request.GET.get("code", ""), redirect_uri=back
        )
    except (signing.BadSignature, wechat.WeChatException):
        started_by, openid = None, None
    if started_by != phone or not openid:
        messages.error(request, _("WeChat could not be bound. Please try again."))
        return redirect("residents:me")
    wechat.wechat_binding_bind(openid=openid, phone=phone)
    messages.success(request, _("WeChat messages will reach you here."))
    return redirect("residents:me")


def _send_code(request, form):
    try:
        services.phone_code_request(
            phone=form.cleaned_data["phone"], ip=client_ip(request)
        )
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return 429 if exc.status_code == 429 else 400
    messages.success(
        request,
        _("We sent a code by text message. It is valid for %(minutes)s minutes.")
        % {"minutes": max(1, settings.PHONE_CODE_LIFETIME // 60)},
    )
    return 200


def _check_code(request, form, back):
    try:
        _device, token = services.phone_code_verify(
            phone=form.cleaned_data["phone"],
            digits=form.cleaned_data["code"],
            user_agent=request.headers.get("User-Agent", ""),
        )
    except ValidationError as exc:
        form.add_error("code", " ".join(exc.messages))
        return None
    messages.success(request, _("Your phone is verified on this device."))
    response = redirect(back)
    device_cookie_set(response, token)
    return response


def verify(request):
    """Prove a phone: ask for a code (limited in ``phone_code_request``), then
    type it (guesses limited per address and phone); back to ``?next=``."""
    back = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    step, status = "send", 200
    form = PhoneCodeRequestForm()
    if request.method == "POST" and request.POST.get("step") == "check":
        refused = ratelimit_hit(request, "phone_verify")
        if refused is not None:
            return ratelimited_response(request, refused)
        form, step = PhoneCodeVerifyForm(request.POST), "check"
        if form.is_valid():
            response = _check_code(request, form, back)
            if response is not None:
                return response
        status = 400
    elif request.method == "POST":
        form = PhoneCodeRequestForm(request.POST)
        status = _send_code(request, form) if form.is_valid() else 400
        if status == 200:
            step = "check"
            form = PhoneCodeVerifyForm(initial={"phone": form.cleaned_data["phone"]})
    return render(
        request,
        "grids/residents/verify.html",
        {"form": form, "step": step, "next": back},
        status=status,
    )


@require_POST
@ratelimit("resident")
@require_verified_phone
def messages_set(request):
    """Stop (退订) or resume the messages sent to the verified phone."""
    wanted = request.POST.get("wanted") == "1"
    services.resident_messages_set(phone=verified_phone(request), wanted=wanted)
    messages.success(
        request,
        _("Messages will be sent to you again.")
        if wanted
        else _("You will receive no more messages (退订)."),
    )
    return redirect("residents:me")


@require_POST
@ratelimit("resident")
def logout(request):
    """Sign this device out: the phone must be proved again here."""
    device = resident_device(request)
    if device is not None:
        services.device_forget(device=device)
    messages.success(request, _("This device no longer remembers your phone."))
    response = redirect("site:home")
    device_cookie_delete(response)
    return response
