"""Every read of cases, scoped to the asking user."""

import re

from django.db.models import Case, Exists, F, OuterRef, Prefetch, Q, QuerySet, When
from django.utils import timezone

from core.phones import normalize_mobile
from grids.models import Person, Role
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


def petition_work_q(user) -> Q:
    """The cases that wait on ``user``: open ones given to them, and new ones
    not yet given to anyone in the grids they take on (grid workers) or, for
    cases without a grid, in their community (community staff)."""
    scope = user_scope(user)
    takers = set().union(*(scope.by_kind.get(kind, ()) for kind in GRID_TAKERS))
    staff_of = scope.by_kind.get(Role.Kind.COMMUNITY_STAFF, ())
    new = Q(status=Petition.Status.SUBMITTED, handler__isnull=True)
    mine = Q(handler_id=scope.person_id, status__in=Petition.OPEN_STATUSES)
    if scope.person_id is None:
        mine = Q(pk__in=[])
    return (
        mine
        | (new & Q(grid_id__in=takers))
        | (new & Q(grid__isnull=True, community_id__in=staff_of))
    )


def petition_due_at():
    """The deadline a case is working against now: acceptance while it is new,
    resolution after (the admin sorts and shows this one)."""
    return Case(
        When(status=Petition.Status.SUBMITTED, then=F("accept_due_at")),
        default=F("resolve_due_at"),
    )


def petition_work_list(*, user) -> QuerySet[Petition]:
    """Return the cases that wait on ``user`` (``petition_work_q``), nearest
    deadline first (overdue ones top the list)."""
    return (
        petition_list(user=user)
        .filter(petition_work_q(user))
        .annotate(due=petition_due_at())
        .order_by("due", "id")
    )


#: Who takes a new case at the grid level, by the category's handler, in the
#: order tried: a grid without a property steward falls back to its grid
#: worker, and a grid without either to the community's staff.
GRID_ROUTES = {
    Category.Handler.PROPERTY: (Role.Kind.PROPERTY_STEWARD, Role.Kind.GRID_WORKER),
    Category.Handler.GRID: (Role.Kind.GRID_WORKER,),
    Category.Handler.COMMUNITY: (Role.Kind.GRID_WORKER,),
}


def _route(petition: Petition, ignore_handler: bool):
    """Yield the role querysets to try, in order, for ``petition``."""
    roles = Role.objects.active().filter(
        person__user__isnull=False, person__user__is_active=True
    )
    if petition.handler_id and not ignore_handler:
        yield roles.filter(person_id=petition.handler_id)
    level = petition.escalation_level
    if level == Petition.Level.GRID and petition.grid_id:
        for kind in GRID_ROUTES[petition.category.default_handler]:
            yield roles.filter(kind=kind, grid_id=petition.grid_id)
    if level <= Petition.Level.COMMUNITY:
        yield roles.filter(
            kind=Role.Kind.COMMUNITY_STAFF, community_id=petition.community_id
        )
    yield roles.filter(
        kind=Role.Kind.SUBDISTRICT_STAFF,
        subdistrict_id=petition.community.subdistrict_id,
    )
    yield roles.filter(
        kind=Role.Kind.DISTRICT_STAFF,
        district_id=petition.community.subdistrict.district_id,
    )


def petition_recipients(*, petition: Petition, ignore_handler: bool = False) -> list:
    """Return the staff accounts a case belongs to now: its handler, else the
    role its category and level call for, falling back (property steward →
    grid worker → community staff → subdistrict → district) so that no case
    reaches nobody. ``ignore_handler`` asks for the level's people only."""
    for roles in _route(petition, ignore_handler):
        users = {
            role.person.user_id: role.person.user
            for role in roles.select_related("person__user").order_by("pk")
        }
        if users:
            return list(users.values())
    return []


def petition_detail(*, user, pk) -> Petition:
    """Return one visible case with its timeline and photos (404 if not visible)."""
    from django.shortcuts import get_object_or_404

    queryset = petition_list(user=user).prefetch_related(
        Prefetch("events", queryset=PetitionEvent.objects.select_related("actor")),
        "photos",
        "voice_notes",
    )
    return get_object_or_404(queryset, pk=pk)


def petition_voice_note(*, user, petition_id: int, pk: int):
    """Return a voice note of a case ``user`` may see (404 if not visible)."""
    from django.shortcuts import get_object_or_404

    from .models import PetitionVoiceNote

    return get_object_or_404(
        PetitionVoiceNote.objects.select_related("petition"),
        petition__in=petition_list(user=user),
        petition_id=petition_id,
        pk=pk,
    )


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


# --- who handles a case: the one place for the rule ----------------------------
#
# A case is handled by whoever it was given to; without being given it, by the
# grid worker of its grid and the staff of its community. It may be given to
# anyone serving its grid (grid worker, property steward, repair worker) or to
# the community's staff. New cases reach people by ``GRID_ROUTES`` below.

#: Roles that take on any case of their grid without being given it.
GRID_TAKERS = (Role.Kind.GRID_WORKER,)
#: Roles a case of their grid may be given to.
GRID_ASSIGNABLE = (
    Role.Kind.GRID_WORKER,
    Role.Kind.PROPERTY_STEWARD,
    Role.Kind.REPAIR_WORKER,
)


def _handles(user, petition: Petition) -> bool:
    """Whether ``user`` is the case's handler, a grid worker of its grid or
    staff of its community (read from the scope already loaded: no query)."""
    scope = user_scope(user)
    takers = set().union(*(scope.by_kind.get(kind, ()) for kind in GRID_TAKERS))
    return bool(
        (petition.handler_id and petition.handler_id == scope.person_id)
        or petition.grid_id in takers
        or petition.community_id in scope.by_kind.get(Role.Kind.COMMUNITY_STAFF, ())
    )


def petition_handler_candidates(*, petition: Petition) -> QuerySet[Person]:
    """Return the people the case may be given to: whoever serves its grid and
    the staff of its community, by name."""
    roles = Role.objects.active().filter(
        Q(kind__in=GRID_ASSIGNABLE, grid_id=petition.grid_id)
        | Q(kind=Role.Kind.COMMUNITY_STAFF, community_id=petition.community_id)
    )
    return Person.objects.filter(pk__in=roles.values("person_id")).order_by("name")


def category_list() -> QuerySet[Category]:
    """Return the categories residents can report in, with their questions."""
    return Category.objects.filter(is_active=True).prefetch_related("questions")


#: A whole case number (261201-11) or its start (2612, 261201-1).
_CASE_NUMBER = re.compile(r"\d{6}-\d+")
_CASE_NUMBER_START = re.compile(r"\d{4,6}(-\d*)?")
#: Something typed as a phone number: digits, spaces, dashes, a leading +.
_PHONE = re.compile(r"\+?[\d\s\-]{7,}")


def petition_search(
    queryset: QuerySet[Petition], term: str, *, contact: bool
) -> QuerySet[Petition]:
    """Return the cases of ``queryset`` matching what staff typed.

    A case number matches exactly, its beginning as a prefix; a phone number
    (for staff who may see residents' contacts) as a prefix of the reporter's
    number; anything else is looked for in the description and the place. On
    PostgreSQL an index serves each: the number and phone prefixes by pattern
    indexes, the text by a trigram index (``contains``, so that the index
    serves it; Chinese text has no case). Without the contact right a number
    typed is looked for as text only, so masked numbers cannot be guessed.
    """
    term = (term or "").strip()[:100]
    if not term:
        return queryset
    if _CASE_NUMBER.fullmatch(term):
        return queryset.filter(number=term)
    if _CASE_NUMBER_START.fullmatch(term):
        return queryset.filter(number__startswith=term)
    if contact and _PHONE.fullmatch(term):
        digits = normalize_mobile(term)
        lookup = "reporter_phone" if len(digits) == 11 else "reporter_phone__startswith"
        return queryset.filter(**{lookup: digits})
    text = Q(description__contains=term) | Q(place_detail__contains=term)
    if contact:
        text |= Q(reporter_name=term)
    return queryset.filter(text)


def petition_overdue_q():
    """Return the condition of an open case past its current deadline."""
    now = timezone.now()
    return Q(status=Petition.Status.SUBMITTED, accept_due_at__lt=now) | (
        Q(status__in=Petition.OPEN_STATUSES, resolve_due_at__lt=now)
        & ~Q(status=Petition.Status.SUBMITTED)
    )


def petition_public_list(*, community=None) -> QuerySet[Petition]:
    """Return the cases that may be published (Open311) (of ``community``),
    newest first, joined for public output, with their public report photos.

    Cases of a private category (its flag, its group: complaints about
    property service and disputes, or a community that marked it private)
    are left out, as if they did not exist. Callers publish no personal data
    from these rows.
    """
    from .models import PetitionPhoto

    private_here = Category.private_in.through.objects.filter(
        category_id=OuterRef("category_id"), community_id=OuterRef("community_id")
    )
    queryset = (
        Petition.objects.select_related(
            "category", "community", "compound", "building", "merged_into"
        )
        .exclude(category__is_private=True)
        .exclude(category__group__in=Category.PRIVATE_GROUPS)
        .exclude(Exists(private_here))
        .prefetch_related(
            Prefetch(
                "photos",
                queryset=PetitionPhoto.objects.filter(
                    stage=PetitionPhoto.Stage.REPORT, is_public=True
                ),
                to_attr="report_photos",
            )
        )
    )
    if community is not None:
        queryset = queryset.filter(community=community)
    return queryset.order_by("-created_at", "-id")


def petition_photo_list(*, user) -> QuerySet:
    """Return the photos of the cases ``user`` may see, with their case."""
    from .models import PetitionPhoto

    return PetitionPhoto.objects.filter(
        petition__in=petition_list(user=user).values("pk")
    ).select_related("petition")


def community_by_division_code(code: str):
    """Return the community with the 12-digit division ``code``, or None."""
    from grids.models import Community

    return Community.objects.filter(division_code=code).first()


def petition_list_for_phone(*, phone: str, limit: int = 50):
    """Return the cases filed with ``phone`` (by the resident or by staff for
    them), newest first: what the resident who proved the phone sees on 我的."""
    if not phone:
        return Petition.objects.none()
    return (
        Petition.objects.filter(reporter_phone=phone)
        .select_related("category")
        .order_by("-created_at", "-id")[:limit]
    )
