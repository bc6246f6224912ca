"""Resident pages of volunteer service: activities to sign up for, check-in by
an activity's QR code, micro-wishes to post and claim, and the honour list."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.ratelimit import ratelimit
from grids.models import Building, Community, Household

from . import selectors, services
from .forms import PhoneForm, RegistrationForm, SignUpForm, WishForm
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
        },
    )


@require_POST
@ratelimit("activity")
def sign_up(request, activity_id: int):
    activity = get_object_or_404(Activity, pk=activity_id)
    form = SignUpForm(request.POST)
    if form.is_valid():
        try:
            signup = services.activity_sign_up(
                activity=activity,
                name=form.cleaned_data["name"],
                phone=form.cleaned_data["phone"],
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
        messages.error(request, _("Leave your name and a valid mobile number."))
    return redirect("volunteers:community", community_id=activity.community_id)


@ratelimit("activity")
def check_in(request, token: str):
    """The page an activity's QR code opens: check in, and later out."""
    if "\x00" in token or len(token) > 32:
        raise Http404
    activity = get_object_or_404(Activity, check_in_token=token)
    form = PhoneForm(request.POST or None)
    signup = None
    if request.method == "POST" and form.is_valid():
        try:
            signup = services.activity_check(
                activity=activity, phone=form.cleaned_data["phone"]
            )
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
    return render(
        request,
        "volunteers/check_in.html",
        {"activity": activity, "form": form, "signup": signup},
        status=400 if request.method == "POST" and signup is None else 200,
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
def wish_claim(request, wish_id: int):
    wish = get_object_or_404(Wish, pk=wish_id)
    form = SignUpForm(request.POST)
    if form.is_valid():
        try:
            services.wish_claim(
                wish=wish,
                name=form.cleaned_data["name"],
                phone=form.cleaned_data["phone"],
            )
        except (ValidationError, ApplicationError) as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("Thank you: the wish is yours to fulfil."))
    else:
        messages.error(request, _("Leave your name and a valid mobile number."))
    return redirect("volunteers:community", community_id=wish.community_id)


@require_POST
@ratelimit("wish")
def service_item_claim(request, item_id: int):
    """The other side takes up an entry of the two-way lists (双向认领)."""
    item = get_object_or_404(ServiceItem, pk=item_id)
    claimed_by = request.POST.get("claimed_by", "").replace("\x00", "").strip()
    if not claimed_by:
        messages.error(request, _("Say who takes it up."))
    else:
        try:
            services.service_item_claim(item=item, claimed_by=claimed_by)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Thank you: it is yours."))
    return redirect("volunteers:community", community_id=item.community_id)


@require_POST
@ratelimit("activity")
def sign_up_cancel(request, activity_id: int):
    """A volunteer gives up their place with the phone they signed up with."""
    activity = get_object_or_404(Activity, pk=activity_id)
    form = PhoneForm(request.POST)
    signup = None
    if form.is_valid():
        signup = activity.signups.filter(
            phone=form.cleaned_data["phone"], status__in=["confirmed", "waiting"]
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
def wish_fulfil(request, wish_id: int):
    """The volunteer who claimed a wish reports it done, with a photo."""
    wish = get_object_or_404(Wish, pk=wish_id)
    form = PhoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Leave your name and a valid mobile number."))
    else:
        try:
            services.wish_fulfil(
                wish=wish,
                phone=form.cleaned_data["phone"],
                photo=request.FILES.get("photo"),
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
def register(request, community_id: int):
    """An in-service party member reports to the community where they live."""
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
                    phone=data["phone"],
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
