"""The grid's field work on the phone workbench (/staff/): patrols and their
findings, home visits due under the care plans, household files (一户一档)
and who serves each grid (一格多员). Server-rendered, no JavaScript needed,
scoped and permitted as the admin; every write goes through a service.

What a finding or a visit's need becomes (a case, a wish) and what other apps
keep about a household come through ``grids.extensions``."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.ordering import natural_key
from core.phones import mask_mobile

from . import extensions, selectors, services
from .access import staff_page
from .forms import (
    FindingForm,
    PatrolEndForm,
    PatrolStartForm,
    TagAddForm,
    VisitForm,
    follow_up_form,
)
from .models import Grid, HouseholdTag, Patrol
from .scoping import scope_queryset, user_scope

#: The visits page lists at most this many households per group.
VISITS_LISTED = 100


def _error_text(exc) -> str:
    if isinstance(exc, ApplicationError):
        return exc.message
    return " ".join(exc.messages)


def _need(user, permission: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied


# --- patrols ----------------------------------------------------------------


def _patrol_grids(user):
    return scope_queryset(Grid.objects.select_related("community"), user).order_by("pk")


@staff_page
def patrol(request):
    """Start a round of my grid, or go on with the one under way."""
    user = request.user
    _need(user, "grids.add_patrol")
    ongoing = selectors.patrol_ongoing(user=user)
    if ongoing is not None:
        return redirect("field:patrol-detail", pk=ongoing.pk)
    context = {
        "tab": "patrol",
        "grids": list(_patrol_grids(user)),
        "recent": selectors.patrol_list(user=user)[:10],
    }
    return render(request, "grids/field/patrol.html", context)


@staff_page
@require_POST
def patrol_start(request):
    user = request.user
    _need(user, "grids.add_patrol")
    form = PatrolStartForm(request.POST, grids=_patrol_grids(user))
    if not form.is_valid():
        messages.error(request, _("Choose the grid to patrol."))
        return redirect("field:patrol")
    try:
        started = services.patrol_start(actor=user, grid=form.cleaned_data["grid"])
    except (ApplicationError, ValidationError) as exc:
        messages.error(request, _error_text(exc))
        return redirect("field:patrol")
    return redirect("field:patrol-detail", pk=started.pk)


def _finding_rows(user, patrol_obj):
    """Each finding with what it became and the follow-ups still open to it."""
    hooks = [f for f in extensions.follow_ups(extensions.FINDING) if f.may(user)]
    memo: dict = {}
    rows = []
    for finding in patrol_obj.findings.all():
        made = [
            f.describe(record)
            for f in extensions.follow_ups(extensions.FINDING)
            for record in f.made(finding)
        ]
        offers = (
            []
            if made or finding.is_handled
            else [
                {"hook": hook, "form": follow_up_form(hook, finding, memo=memo)}
                for hook in hooks
            ]
        )
        rows.append({"finding": finding, "made": made, "offers": offers})
    return rows


def _patrol_page(request, patrol_obj, finding_form=None, status=200):
    user = request.user
    may_log = patrol_obj.status == Patrol.Status.ONGOING and user.has_perm(
        "grids.change_patrol"
    )
    context = {
        "tab": "patrol",
        "patrol": patrol_obj,
        "findings": _finding_rows(user, patrol_obj),
        "finding_form": (
            finding_form
            or FindingForm(buildings=selectors.grid_buildings(grid=patrol_obj.grid))
        )
        if may_log
        else None,
        "end_form": PatrolEndForm() if may_log else None,
    }
    return render(request, "grids/field/patrol_detail.html", context, status=status)


@staff_page
def patrol_detail(request, pk: int):
    """A round: what it found, each finding's case, and the form to log more."""
    return _patrol_page(request, selectors.patrol_detail(user=request.user, pk=pk))


@staff_page
@require_POST
def finding_add(request, pk: int):
    user = request.user
    patrol_obj = selectors.patrol_detail(user=user, pk=pk)
    form = FindingForm(
        request.POST,
        request.FILES,
        buildings=selectors.grid_buildings(grid=patrol_obj.grid),
    )
    if form.is_valid():
        try:
            finding = services.finding_log(
                actor=user, patrol=patrol_obj, **form.cleaned_data
            )
        except (ApplicationError, ValidationError) as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("Finding logged."))
            url = reverse("field:patrol-detail", args=[patrol_obj.pk])
            return redirect(f"{url}#finding-{finding.pk}")
    return _patrol_page(request, patrol_obj, finding_form=form, status=400)


@staff_page
@require_POST
def finding_follow_up(request, pk: int, kind: str):
    """Turn a finding into a case (one tap: the category is filled in)."""
    user = request.user
    finding = selectors.finding_detail(user=user, pk=pk)
    hook = extensions.follow_up(extensions.FINDING, kind)
    if hook is None:
        raise PermissionDenied
    form = follow_up_form(hook, finding, request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the category."))
    else:
        try:
            record = services.finding_follow_up(
                actor=user, finding=finding, kind=kind, **form.cleaned_data
            )
        except (ApplicationError, ValidationError) as exc:
            messages.error(request, _error_text(exc))
        else:
            made = hook.describe(record)
            messages.success(request, _("Filed: %(what)s.") % {"what": made.label})
    return redirect("field:patrol-detail", pk=finding.patrol_id)


@staff_page
@require_POST
def patrol_end(request, pk: int):
    user = request.user
    patrol_obj = selectors.patrol_detail(user=user, pk=pk)
    form = PatrolEndForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.patrol_end(actor=user, patrol=patrol_obj, note=note)
    except (ApplicationError, ValidationError) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Patrol ended."))
    return redirect("field:patrol-detail", pk=patrol_obj.pk)


# --- home visits and household files -------------------------------------------


@staff_page
def visits(request):
    """The households under a care plan in my units, the soonest due first:
    overdue, due today, coming up."""
    user = request.user
    _need(user, "grids.view_visit")
    rows = selectors.care_due_list(user=user)
    groups = {
        "overdue": [r for r in rows if r.is_overdue],
        "today": [r for r in rows if r.days_left == 0],
        "coming": [r for r in rows if r.days_left > 0],
    }
    # A phone lists the soonest of each group; a district's thousands are for
    # the admin's lists.
    listed = {name: group[:VISITS_LISTED] for name, group in groups.items()}
    selectors.care_households([row for group in listed.values() for row in group])
    context = {
        "tab": "visits",
        "counts": {name: len(group) for name, group in groups.items()},
        **listed,
    }
    return render(request, "grids/field/visits.html", context)


def _members(user, household):
    visible = user.has_perm("grids.view_contact")
    return [
        {
            "person": person,
            "phone": person.mobile if visible else mask_mobile(person.mobile),
            "call": person.mobile if visible else "",
        }
        for person in household.residents.all()
    ]


def _visit_rows(household):
    hooks = extensions.follow_ups(extensions.VISIT)
    return [
        {
            "visit": visit,
            "made": [f.describe(record) for f in hooks for record in f.made(visit)],
        }
        for visit in household.visits.all()
    ]


def _household_page(request, household, visit_form=None, status=200):
    user = request.user
    sees_field = user.has_perm("grids.view_visit")
    context = {
        "tab": "visits",
        "household": household,
        "members": _members(user, household),
        "tags": list(household.household_tags.all()) if sees_field else None,
        "next_due": selectors.care_next_due(household=household)
        if sees_field
        else None,
        "visits": _visit_rows(household) if sees_field else [],
        "visit_form": (visit_form or VisitForm(user=user))
        if user.has_perm("grids.add_visit")
        else None,
        "tag_form": TagAddForm(household=household)
        if user.has_perm("grids.add_householdtag")
        else None,
        "sections": selectors.household_sections_for(user=user, household=household),
    }
    return render(request, "grids/field/household.html", context, status=status)


@staff_page
def household(request, pk: int):
    """A household's file (一户一档): residents, tags, visits, when the next
    visit is due, and its cases, wishes and 双报到 registrations."""
    return _household_page(request, selectors.household_file(user=request.user, pk=pk))


@staff_page
@require_POST
def visit_add(request, pk: int):
    """Record a visit; a need becomes a case or a wish in the same step."""
    user = request.user
    household_obj = selectors.household_file(user=user, pk=pk)
    form = VisitForm(request.POST, user=user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.visit_record(
                actor=user,
                household=household_obj,
                findings=data["findings"],
                met=data["met"],
                need=data["need"],
                visited_at=data["visited_at"],
                follow_up=data["follow_up"],
                follow_up_data=data.get("follow_up_data"),
            )
        except (ApplicationError, ValidationError) as exc:
            form.add_error(None, _error_text(exc))
        else:
            next_due = selectors.care_next_due(household=household_obj)
            messages.success(
                request,
                _("Visit recorded. Next visit due on %(date)s.")
                % {"date": next_due.due.strftime("%Y-%m-%d")}
                if next_due
                else _("Visit recorded."),
            )
            return redirect("field:household", pk=household_obj.pk)
    return _household_page(request, household_obj, visit_form=form, status=400)


@staff_page
@require_POST
def tag_add(request, pk: int):
    user = request.user
    household_obj = selectors.household_file(user=user, pk=pk)
    form = TagAddForm(request.POST, household=household_obj)
    if form.is_valid():
        try:
            services.household_tag_add(
                actor=user, household=household_obj, **form.cleaned_data
            )
        except (ApplicationError, ValidationError) as exc:
            messages.error(request, _error_text(exc))
    else:
        messages.error(request, _("Choose a tag."))
    return redirect("field:household", pk=household_obj.pk)


@staff_page
@require_POST
def tag_remove(request, pk: int):
    user = request.user
    household_tag = get_object_or_404(
        scope_queryset(HouseholdTag.objects.select_related("household"), user), pk=pk
    )
    services.household_tag_remove(actor=user, household_tag=household_tag)
    return redirect("field:household", pk=household_tag.household_id)


# --- grids, buildings: who serves, where people live ----------------------------


@staff_page
def grids(request):
    """My grids (one: straight to it)."""
    mine = list(selectors.grid_list(user=request.user).order_by("pk")[:200])
    if len(mine) == 1:
        return redirect("field:grid", pk=mine[0].pk)
    mine.sort(key=lambda grid: (grid.community.name, natural_key(grid.name)))
    return render(request, "grids/field/grids.html", {"tab": "grid", "grids": mine})


@staff_page
def grid(request, pk: int):
    """A grid's page: who serves it (一格多员) and its buildings."""
    user = request.user
    grid_obj = selectors.grid_detail(user=user, pk=pk)
    visible = user.has_perm("grids.view_contact")
    serving = selectors.grid_serving(grid=grid_obj)
    for roles in serving.values():
        for role in roles:
            mobile = role.person.mobile
            role.phone = mobile if visible else mask_mobile(mobile)
            role.call = mobile if visible else ""
    context = {
        "tab": "grid",
        "grid": grid_obj,
        "serving": serving,
        "buildings": selectors.grid_buildings(grid=grid_obj),
        "mine": user_scope(user).person_id,
    }
    return render(request, "grids/field/grid.html", context)


@staff_page
def building(request, pk: int):
    """A building's households, unit by unit, with their tags."""
    building_obj, households = selectors.building_households(
        user=request.user, building_pk=pk
    )
    context = {
        "tab": "grid",
        "building": building_obj,
        "households": households,
        "sees_tags": request.user.has_perm("grids.view_householdtag"),
    }
    return render(request, "grids/field/building.html", context)
