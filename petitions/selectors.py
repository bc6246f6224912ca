"""Every read of cases, scoped to the asking user."""

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from grids.models import Role
from grids.scoping import scope_queryset, user_scope

from .models import Category, Petition, PetitionEvent

# Roles of the property company: they see their grid's cases, but not the
# complaints about property service, and act only on cases given to them.
COMPANY_KINDS = {Role.Kind.PROPERTY_STEWARD, Role.Kind.REPAIR_WORKER}


def _company_only(user) -> bool:
    scope = user_scope(user)
    return bool(scope.by_kind) and set(scope.by_kind) <= COMPANY_KINDS


def petition_list(*, user) -> QuerySet[Petition]:
    """Return the cases ``user`` may see, joined for lists."""
    queryset = scope_queryset(
        Petition.objects.select_related(
            "category", "community", "grid", "compound", "building", "handler"
        ),
        user,
    )
    if not user.is_superuser and _company_only(user):
        queryset = queryset.exclude(category__group=Category.Group.COMPLAINT)
    return queryset


def petition_can_act(*, user, petition: Petition) -> bool:
    """Whether ``user`` may take a staff step on the case: its handler, a grid
    worker of its grid or staff of its community, with the right to change
    cases. Supervisors above the community watch; the property company acts
    only on cases given to it."""
    if user is None or not user.has_perm("petitions.change_petition"):
        return False
    if user.is_superuser:
        return True
    return _handles(user, petition) and (
        petition_list(user=user).filter(pk=petition.pk).exists()
    )


def petition_work_list(*, user) -> QuerySet[Petition]:
    """Return the open cases handled by ``user``, overdue first."""
    person_id = user_scope(user).person_id
    return (
        petition_list(user=user)
        .filter(handler_id=person_id, status__in=Petition.OPEN_STATUSES)
        .order_by("resolve_due_at", "id")
    )


def petition_detail(*, user, pk) -> Petition:
    """Return one visible case with its timeline and photos (404 if not visible)."""
    from django.shortcuts import get_object_or_404

    queryset = petition_list(user=user).prefetch_related(
        Prefetch("events", queryset=PetitionEvent.objects.select_related("actor")),
        "photos",
    )
    return get_object_or_404(queryset, pk=pk)


def petition_by_token(*, token: str) -> Petition:
    """Return the case behind a resident's tracking address, with public events."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        Petition.objects.select_related(
            "category", "compound", "building"
        ).prefetch_related(
            Prefetch("events", queryset=PetitionEvent.objects.filter(is_public=True)),
            "photos",
        ),
        tracking_token=token,
    )


def petition_contact_visible(*, user, petition: Petition) -> bool:
    """Whether ``user`` handles the case and so may see the reporter's contact:
    its handler, a grid worker of its grid or staff of its community."""
    return user.is_superuser or _handles(user, petition)


def _handles(user, petition: Petition) -> bool:
    """Whether ``user`` is the case's handler, a grid worker of its grid or
    staff of its community (read from the scope already loaded: no query)."""
    scope = user_scope(user)
    return bool(
        (petition.handler_id and petition.handler_id == scope.person_id)
        or petition.grid_id in scope.by_kind.get(Role.Kind.GRID_WORKER, ())
        or petition.community_id in scope.by_kind.get(Role.Kind.COMMUNITY_STAFF, ())
    )


def category_list() -> QuerySet[Category]:
    """Return the categories residents can report in, with their questions."""
    return Category.objects.filter(is_active=True).prefetch_related("questions")


def petition_overdue_q():
    """Return the condition of an open case past its current deadline."""
    from django.db.models import Q

    now = timezone.now()
    return Q(status=Petition.Status.SUBMITTED, accept_due_at__lt=now) | (
        Q(status__in=Petition.OPEN_STATUSES, resolve_due_at__lt=now)
        & ~Q(status=Petition.Status.SUBMITTED)
    )


def petition_public_list(*, community=None) -> QuerySet[Petition]:
    """Return every case (of ``community``), newest first, joined for public
    output (Open311). Callers publish no personal data from these rows."""
    from .models import PetitionPhoto

    queryset = Petition.objects.select_related(
        "category", "community", "compound", "building", "merged_into"
    ).prefetch_related(
        Prefetch(
            "photos",
            queryset=PetitionPhoto.objects.filter(stage=PetitionPhoto.Stage.REPORT),
            to_attr="report_photos",
        )
    )
    if community is not None:
        queryset = queryset.filter(community=community)
    return queryset.order_by("-created_at", "-id")


def community_by_division_code(code: str):
    """Return the community with the 12-digit division ``code``, or None."""
    from grids.models import Community

    return Community.objects.filter(division_code=code).first()
