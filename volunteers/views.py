"""Resident pages of volunteer service: activities to sign up for, check-in by
an activity's QR code, micro-wishes to post and claim, and the honour list."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.phones import mask_mobile
from core.ratelimit import ratelimit
from core.rotating import rotating_check, rotating_code
from grids.models import Building, Community, Household
from grids.residents.identity import (
    require_verified_phone,
    verified_phone,
    verify_url,
)

from . import selectors, services
from .forms import RegistrationForm, SignUpForm, WishForm
from .models import Activity, ServiceItem, Wish


def _errors(exc) -> str:
    return exc.message if isinstance(exc, ApplicationError) else " ".join(exc.messages)


def community_page(request, community_id: int):
    """Coming activities, published wishes, the two-way lists, and the honour
    lists of this month and last month."""
    community = get_object_or_404(Community, pk=community_id)
    return render(
        request,
        "volunteers/community.html",
        {
            "community": community,
            **selectors.community_page_data(community=community),
            "sign_up_form": SignUpForm(),
            "wish_form": WishForm(),
            "resident_phone": mask_mobile(verified_phone(request) or ""),
        },
    )


@require_POST
@ratelimit("activity")
@require_verified_phone
def sign_up(request, activity_id: int):
    """Take a place with the phone this device proved: one place per phone."""
    activity = get_object_or_404(Activity, pk=activity_id)
    form = SignUpForm(request.POST)
    if form.is_valid():
        try:
            signup = services.activity_sign_up(
                activity=activity,
                name=form.cleaned_data["name"],
                phone=verified_phone(request),
            )
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(
                request,
                _("You are signed up.")
                if signup.status == "confirmed"
                else _("The activity is full: you are on the waiting list."),
            )
    else:
        messages.error(request, _("Write your name."))
    return redirect("volunteers:community", community_id=activity.community_id)


#: The kind of rotating code an activity's projected QR code carries.
CHECK_IN_CODE = "activity-check-in"


def check_in_url(activity: Activity) -> str:
    """The check-in address with the code of this moment (``core.rotating``)."""
    code = rotating_code(CHECK_IN_CODE, activity.pk)
    path = reverse("volunteers:check-in", args=[activity.check_in_token])
    return f"{path}?k={code}"


@ratelimit("activity")
def check_in(request, token: str):
    """The page an activity's QR code opens: check in, and later out, with the
    code shown on site now and the phone this device proved."""
    if "\x00" in token or len(token) > 32:
        raise Http404
    activity = get_object_or_404(Activity, check_in_token=token)
    code = request.POST.get("k") or request.GET.get("k", "")
    context = {"activity": activity, "code": code, "signup": None}
    if not rotating_check(CHECK_IN_CODE, activity.pk, code):
        context["stale"] = True
        return render(request, "volunteers/check_in.html", context, status=403)
    phone = verified_phone(request)
    if phone is None:
        return redirect(verify_url(request))
    context["masked_phone"] = mask_mobile(phone)
    if request.method == "POST":
        try:
            context["signup"] = services.activity_check(activity=activity, phone=phone)
        except ValidationError as exc:
            context["error"] = _errors(exc)
    return render(
        request,
        "volunteers/check_in.html",
        context,
        status=400 if request.method == "POST" and not context["signup"] else 200,
    )


@require_POST
@ratelimit("wish")
def wish_post(request, community_id: int):
    community = get_object_or_404(Community, pk=community_id)
    form = WishForm(request.POST)
    if form.is_valid():
        services.wish_post(community=community, **form.cleaned_data)
        messages.success(request, _("Thank you: staff will publish your wish soon."))
    else:
        messages.error(request, _("Write your wish and your name."))
    return redirect("volunteers:community", community_id=community.pk)


@require_POST
@ratelimit("wish")
@require_verified_phone
def wish_claim(request, wish_id: int):
    """Claim a wish with the phone this device proved."""
    wish = get_object_or_404(Wish, pk=wish_id)
    form = SignUpForm(request.POST)
    if form.is_valid():
        try:
            services.wish_claim(
                wish=wish,
                name=form.cleaned_data["name"],
                phone=verified_phone(request),
            )
        except (ValidationError, ApplicationError) as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("Thank you: the wish is yours to fulfil."))
    else:
        messages.error(request, _("Write your name."))
    return redirect("volunteers:community", community_id=wish.community_id)


@require_POST
@ratelimit("wish")
@require_verified_phone
def service_item_claim(request, item_id: int):
    """The other side takes up an entry of the two-way lists (双向认领), with
    the phone this device proved."""
    item = get_object_or_404(ServiceItem, pk=item_id)
    claimed_by = request.POST.get("claimed_by", "").replace("\x00", "").strip()
    if not claimed_by:
        messages.error(request, _("Say who takes it up."))
    else:
        try:
            services.service_item_claim(
                item=item, claimed_by=claimed_by, phone=verified_phone(request)
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Thank you: it is yours."))
    return redirect("volunteers:community", community_id=item.community_id)


@require_POST
@ratelimit("activity")
@require_verified_phone
def sign_up_cancel(request, activity_id: int):
    """A volunteer gives up their place: the sign-up of the phone this device
    proved, nobody else's."""
    activity = get_object_or_404(Activity, pk=activity_id)
    signup = activity.signups.filter(
        phone=verified_phone(request), status__in=["confirmed", "waiting"]
    ).first()
    if signup is None:
        messages.error(request, _("No sign-up with this number."))
    else:
        try:
            services.activity_cancel(signup=signup)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("Your sign-up is cancelled."))
    return redirect("volunteers:community", community_id=activity.community_id)


@require_POST
@ratelimit("wish")
@require_verified_phone
def wish_fulfil(request, wish_id: int):
    """The volunteer who claimed a wish (their proved phone) reports it done,
    with a photo."""
    wish = get_object_or_404(Wish, pk=wish_id)
    try:
        services.wish_fulfil(
            wish=wish, phone=verified_phone(request), photo=request.FILES.get("photo")
        )
    except (ValidationError, ApplicationError, PermissionDenied) as exc:
        messages.error(
            request, str(exc) if isinstance(exc, PermissionDenied) else _errors(exc)
        )
    else:
        messages.success(
            request, _("Thank you: staff will confirm it with the wisher.")
        )
    return redirect("volunteers:community", community_id=wish.community_id)


@ratelimit("registration")
@require_verified_phone
def register(request, community_id: int):
    """An in-service party member reports to the community where they live,
    with the phone this device proved."""
    community = get_object_or_404(Community, pk=community_id)
    buildings = (
        Building.objects.filter(compound__community=community)
        .select_related("compound")
        .order_by("compound__name", "pk")
    )
    form = RegistrationForm(request.POST or None, buildings=buildings)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        household = Household.objects.filter(
            unit__building_id=data["building"],
            unit__number=data["unit"].strip(),
            room=data["room"].strip(),
        ).first()
        if household is None:
            form.add_error(
                "room", _("No such household on the register: check the unit and room.")
            )
        else:
            try:
                services.registration_submit(
                    community=community,
                    household=household,
                    name=data["name"],
                    phone=verified_phone(request),
                    work_unit=data["work_unit"],
                    work_unit_party_org=data["work_unit_party_org"],
                )
            except ValidationError as exc:
                form.add_error(None, _errors(exc))
            else:
                messages.success(
                    request,
                    _("Thank you: community staff will confirm your registration."),
                )
                return redirect("volunteers:community", community_id=community.pk)
    return render(
        request,
        "volunteers/register.html",
        {"community": community, "form": form},
        status=400 if request.method == "POST" else 200,
    )
