"""What volunteer service adds to the grid's field work (gathered by
``grids.extensions``): a visit's need posted as a micro-wish, and a
household's wishes and 双报到 registrations on its file."""

from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from grids.extensions import VISIT, FollowUp, HouseholdSection, Made, ResidentSection
from grids.scoping import scope_queryset

from . import selectors, services
from .models import Registration, Wish


def _wish_fields(visit, memo: dict) -> dict:
    return {
        "beneficiary_kind": forms.ChoiceField(
            label=_("The wish is for"),
            choices=Wish.Beneficiary.choices,
            initial=Wish.Beneficiary.ELDERLY,
        )
    }


def _wish_from_visit(*, actor, source, beneficiary_kind):
    """Post the visit's need as a wish of the household's resident; staff
    review it before volunteers see it."""
    household = source.household
    resident = household.residents.exclude(mobile="").order_by("pk").first()
    resident = resident or household.residents.order_by("pk").first()
    return services.wish_post(
        community=household.unit.building.compound.community,
        title=source.need.splitlines()[0][:100],
        text=source.need,
        wisher_name=resident.name if resident else str(household),
        wisher_phone=resident.mobile if resident else "",
        beneficiary_kind=beneficiary_kind,
        actor=actor,
        visit=source,
    )


def _describe_wish(wish) -> Made:
    return Made(
        label=_("Wish: %(title)s") % {"title": wish.title},
        state=wish.get_status_display(),
        url=reverse("admin:volunteers_wish_change", args=[wish.pk]),
        when=wish.created_at,
    )


FOLLOW_UPS = [
    FollowUp(
        kind="wish",
        label=_("a micro-wish"),
        source=VISIT,
        accessor="wishes",
        fields=_wish_fields,
        create=_wish_from_visit,
        describe=_describe_wish,
        may=lambda user: user.has_perm("volunteers.add_wish"),
    )
]


def _household_wishes(*, user, household) -> list[Made]:
    phones = [p.mobile for p in household.residents.all() if p.mobile]
    wishes = (
        scope_queryset(Wish.objects.all(), user)
        .filter(Q(visit__in=household.visits.values("pk")) | Q(wisher_phone__in=phones))
        .order_by("-created_at", "-id")[:20]
    )
    return [_describe_wish(wish) for wish in wishes]


def _household_registrations(*, user, household) -> list[Made]:
    registrations = scope_queryset(
        Registration.objects.filter(household=household), user
    ).order_by("-created_at", "-id")[:20]
    return [
        Made(
            label=_("%(name)s, %(unit)s") % {"name": r.name, "unit": r.work_unit},
            state=r.get_status_display(),
            url=reverse("admin:volunteers_registration_change", args=[r.pk]),
            when=r.created_at,
        )
        for r in registrations
    ]


HOUSEHOLD_SECTIONS = [
    HouseholdSection(
        key="wishes",
        title=_("Micro-wishes"),
        rows=_household_wishes,
        may=lambda user: user.has_perm("volunteers.view_wish"),
    ),
    HouseholdSection(
        key="registrations",
        title=_("双报到 registrations"),
        rows=_household_registrations,
        may=lambda user: user.has_perm("volunteers.view_registration"),
    ),
]


def _community_url(community_id: int) -> str:
    return reverse("volunteers:community", args=[community_id])


def _resident_signups(*, phone: str) -> list[Made]:
    return [
        Made(
            label=signup.activity.title,
            state=signup.get_status_display(),
            url=_community_url(signup.activity.community_id),
            when=signup.activity.starts_at,
        )
        for signup in selectors.signups_for_phone(phone=phone)
    ]


def _resident_wishes(*, phone: str) -> list[Made]:
    return [
        Made(
            label=wish.title,
            state=wish.get_status_display(),
            url=_community_url(wish.community_id),
            when=wish.claimed_at,
        )
        for wish in selectors.wishes_claimed_for_phone(phone=phone)
    ]


def _resident_registrations(*, phone: str) -> list[Made]:
    return [
        Made(
            label=_("双报到 at %(community)s") % {"community": r.community.name},
            state=r.get_status_display(),
            url=_community_url(r.community_id),
            when=r.created_at,
        )
        for r in selectors.registrations_for_phone(phone=phone)
    ]


RESIDENT_SECTIONS = [
    ResidentSection(key="signups", title=_("My sign-ups"), rows=_resident_signups),
    ResidentSection(key="wishes", title=_("Wishes I claimed"), rows=_resident_wishes),
    ResidentSection(
        key="registrations",
        title=_("My 双报到 registrations"),
        rows=_resident_registrations,
    ),
]
