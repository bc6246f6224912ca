"""What cases add to the grid's field work (gathered by ``grids.extensions``):
a patrol finding or a visit's need filed as a case, a household's cases on
its file, and the photo cleaning field photos go through."""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from grids.extensions import (
    FINDING,
    VISIT,
    FollowUp,
    HouseholdSection,
    Made,
    ResidentSection,
)
from grids.models import PatrolFinding

from . import selectors, services
from .models import Category, Petition
from .photos import clean_photo

PHOTO_CLEANER = clean_photo

#: The report category a patrol finding of each kind most likely is: the
#: first active category of that group is offered first.
FINDING_GROUPS = {
    PatrolFinding.Kind.FIRE_LANE: Category.Group.SAFETY,
    PatrolFinding.Kind.ENVIRONMENT: Category.Group.ENVIRONMENT,
    PatrolFinding.Kind.FACILITIES: Category.Group.FACILITIES,
    PatrolFinding.Kind.REPAIR: Category.Group.REPAIR,
    PatrolFinding.Kind.PARKING: Category.Group.PARKING,
    PatrolFinding.Kind.SAFETY: Category.Group.SAFETY,
    PatrolFinding.Kind.DISPUTE: Category.Group.DISPUTE,
}


def _may_file(user) -> bool:
    return user.has_perm("petitions.change_petition")


def _category_field(
    memo: dict, group: str | None = None, label=None
) -> forms.ModelChoiceField:
    """A choice of the active categories, the first of ``group`` chosen; the
    categories are read once per page (``memo``)."""
    if "categories" not in memo:
        memo["categories"] = list(Category.objects.filter(is_active=True))
    categories = memo["categories"]
    guess = next((c for c in categories if group and c.group == group), None)
    field = forms.ModelChoiceField(
        label=label or _("Category"),
        queryset=Category.objects.filter(is_active=True),
        initial=guess.pk if guess else None,
    )
    field.choices = [("", "---------"), *((c.pk, c.name) for c in categories)]
    return field


def _finding_fields(finding, memo: dict) -> dict:
    return {"category": _category_field(memo, FINDING_GROUPS.get(finding.kind))}


def describe(petition) -> Made:
    return Made(
        label=_("Case %(number)s") % {"number": petition.number},
        state=petition.get_status_display(),
        url=reverse("workbench:case", args=[petition.pk]),
        when=petition.created_at,
    )


FOLLOW_UPS = [
    FollowUp(
        kind="case",
        label=_("File as a case"),
        source=FINDING,
        accessor="case",
        fields=_finding_fields,
        create=lambda *, actor, source, category: services.petition_from_finding(
            actor=actor, finding=source, category=category
        ),
        describe=describe,
        may=_may_file,
    ),
    FollowUp(
        kind="case",
        label=_("a case"),
        source=VISIT,
        accessor="cases",
        fields=lambda visit, memo: {
            "category": _category_field(memo, label=_("Category of the case"))
        },
        create=lambda *, actor, source, category: services.petition_from_visit(
            actor=actor, visit=source, category=category
        ),
        describe=describe,
        may=_may_file,
    ),
]


def _household_cases(*, user, household) -> list[Made]:
    """The household's cases: raised on its visits, or reported from its
    residents' numbers; newest first."""
    phones = [p.mobile for p in household.residents.all() if p.mobile]
    # A union of two indexed lookups: written as one OR, PostgreSQL walks the
    # whole community's cases newest first to find a household's few.
    own = Petition.objects.filter(visit__household=household).order_by().values("pk")
    if phones:
        by_phone = Petition.objects.filter(reporter_phone__in=phones).order_by()
        own = own.union(by_phone.values("pk"))
    cases = (
        selectors.petition_list(user=user)
        .filter(pk__in=own)
        .order_by("-created_at", "-id")[:20]
    )
    return [describe(petition) for petition in cases]


HOUSEHOLD_SECTIONS = [
    HouseholdSection(
        key="cases",
        title=_("Cases"),
        rows=_household_cases,
        may=lambda user: user.has_perm("petitions.view_petition"),
    )
]


def _resident_cases(*, phone: str) -> list[Made]:
    """The cases filed with the resident's phone, each linking to its
    tracking page (the resident's key to it)."""
    return [
        Made(
            label=_("Case %(number)s · %(category)s")
            % {"number": petition.number, "category": petition.category.name},
            state=petition.get_status_display(),
            url=reverse("petitions:track", args=[petition.tracking_token]),
            when=petition.created_at,
        )
        for petition in selectors.petition_list_for_phone(phone=phone)
    ]


RESIDENT_SECTIONS = [
    ResidentSection(key="cases", title=_("My reports"), rows=_resident_cases)
]
