"""Resident mobile pages: report a problem, follow it, confirm and rate it.

Server-rendered, no JavaScript needed, no external requests. The tracking page
lives at an unguessable address; it is the resident's only key to the case.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.phones import normalize_mobile
from core.ratelimit import ratelimit
from grids.models import Building, Community
from grids.residents.identity import require_verified_phone, verified_phone
from grids.selectors import grid_contacts

from . import selectors, services
from .forms import ConfirmForm, ReopenForm, ReportForm
from .models import Petition


def _buildings(community):
    return Building.objects.filter(compound__community=community).select_related(
        "compound"
    )


class ReportView(View):
    """Pick a category, then fill in the report; a building QR link fixes the place."""

    template_categories = "petitions/report_categories.html"
    template_form = "petitions/report_form.html"

    def _place(self, community_id=None, building_id=None):
        if building_id is not None:
            building = get_object_or_404(
                Building.objects.select_related("compound__community", "grid"),
                pk=building_id,
            )
            return building.compound.community, building
        return get_object_or_404(Community, pk=community_id), None

    def _form(self, request, category, community, building, data=None, files=None):
        return ReportForm(
            data,
            files,
            category=category,
            buildings=_buildings(community),
            fixed_building=building,
        )

    def get(self, request, community_id=None, building_id=None):
        community, building = self._place(community_id, building_id)
        category = (
            selectors.category_list().filter(code=_category_code(request)).first()
        )
        if category is None:
            return render(
                request,
                self.template_categories,
                {
                    "community": community,
                    "building": building,
                    "categories": selectors.category_list(),
                },
            )
        form = self._form(request, category, community, building)
        # A device that proved a phone reports with it, already filled in.
        form.initial.setdefault("reporter_phone", verified_phone(request) or "")
        return self._render_form(request, form, community, building)

    def _render_form(self, request, form, community, building, status=200):
        context = {
            "form": form,
            "category": form.category,
            "community": community,
            "building": building,
        }
        return render(request, self.template_form, context, status=status)

    @method_decorator(ratelimit("report"))
    def post(self, request, community_id=None, building_id=None):
        community, building = self._place(community_id, building_id)
        category = get_object_or_404(
            selectors.category_list(), code=_category_code(request)
        )
        form = self._form(
            request, category, community, building, request.POST, request.FILES
        )
        if form.is_valid():
            data = form.cleaned_data
            chosen = building or get_object_or_404(
                _buildings(community), pk=data["building"]
            )
            try:
                petition, _created = services.petition_submit(
                    category=category,
                    description=data["description"],
                    building=chosen,
                    place_detail=data["place_detail"],
                    reporter_name=data["reporter_name"],
                    reporter_phone=data["reporter_phone"],
                    is_anonymous=data.get("is_anonymous", False),
                    answers=form.answers(),
                    photos=data["photos"],
                    voice_note=data.get("voice_note"),
                    channel=Petition.Channel.QR if building else Petition.Channel.WEB,
                    idempotency_key=data["idempotency_key"],
                    phone_verified=_proved(request, data["reporter_phone"]),
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                return redirect("petitions:track", token=petition.tracking_token)
        return self._render_form(request, form, community, building, status=400)


def _proved(request, phone: str) -> bool:
    """Whether this device proved ``phone`` with a code (no code is asked for
    a report: an unproved one is marked for staff)."""
    proved = verified_phone(request)
    return bool(phone) and proved == normalize_mobile(phone)


def _category_code(request) -> str:
    # Codes are slugs: anything else (a NUL byte, a novel) matches nothing.
    code = request.GET.get("category", "")
    return code if code.isascii() and code.replace("-", "").isalnum() else ""


def _add_errors(form, exc: ValidationError) -> None:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    for field, messages_ in errors.items():
        field = field if field in form.fields else None
        for message in messages_:
            form.add_error(field, message)


def _token(token: str, **kwargs) -> str:
    return token


def track(request, token: str):
    """The resident's page of one case: its state, public timeline and answer,
    and the grid worker to call (the number shown masked, the call link whole:
    a work number, for the resident to reach the grid)."""
    petition = selectors.petition_by_token(token=token)
    return _render_track(request, petition)


def _render_track(request, petition, *, confirm_form=None, reopen_form=None):
    """The case page; a form that failed comes back with its error beside it."""
    awaiting = petition.status == Petition.Status.AWAITING_RESIDENT
    return render(
        request,
        "petitions/track.html",
        {
            "petition": petition,
            "confirm_form": (confirm_form or ConfirmForm()) if awaiting else None,
            "reopen_form": (reopen_form or ReopenForm()) if awaiting else None,
            "grid_contacts": grid_contacts(grid_id=petition.grid_id),
            "verify_url": (
                reverse("petitions:track-verify", args=[petition.tracking_token])
                if petition.is_phone_unverified
                else ""
            ),
        },
        status=400 if confirm_form or reopen_form else 200,
    )


@ratelimit("track", methods=("GET", "POST"), key=_token)
@require_verified_phone
def track_verify(request, token: str):
    """The reporter proved a phone on this device (``require_verified_phone``
    sent them through the code): mark the case verified if it is its number."""
    petition = selectors.petition_by_token(token=token)
    try:
        services.petition_phone_verify(petition=petition, phone=verified_phone(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your report is verified. Thank you."))
    return redirect("petitions:track", token=token)


@require_POST
@ratelimit("track", key=_token)
def track_confirm(request, token: str):
    """The resident confirms the fix and rates it."""
    petition = selectors.petition_by_token(token=token)
    form = ConfirmForm(request.POST)
    if form.is_valid():
        try:
            services.petition_transition(
                petition=petition,
                action="confirm",
                rating=form.cleaned_data["rating"],
                note=form.cleaned_data["comment"],
            )
        except (ApplicationError, ValidationError) as exc:
            messages.error(request, _message(exc))
        else:
            messages.success(request, _("Thank you for your rating."))
    else:
        return _render_track(request, petition, confirm_form=form)
    return redirect("petitions:track", token=token)


@require_POST
@ratelimit("track", key=_token)
def track_reopen(request, token: str):
    """The resident says it is not fixed: the case goes back to work."""
    petition = selectors.petition_by_token(token=token)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            services.petition_transition(
                petition=petition, action="reopen", note=form.cleaned_data["note"]
            )
        except (ApplicationError, ValidationError) as exc:
            messages.error(request, _message(exc))
        else:
            messages.success(request, _("We have sent your case back to be handled."))
    else:
        return _render_track(request, petition, reopen_form=form)
    return redirect("petitions:track", token=token)


def _message(exc) -> str:
    if isinstance(exc, ApplicationError):
        return exc.message
    return " ".join(exc.messages)
