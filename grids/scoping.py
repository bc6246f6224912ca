"""Who may see what: the one place that answers it.

``user_scope(user)`` reads the user's active roles and returns the organisation
units they open (a grid worker: their grid; community staff: their community;
subdistrict staff: their subdistrict; district staff: their district; a superuser:
everything). ``scope_queryset(qs, user)`` narrows any queryset of a model that
declares ``scope_paths`` to those units. Every selector, every admin
``get_queryset`` and every API view goes through it, so a row outside the user's
units is absent, and "not yours" answers the same 404 as "does not exist".
"""

from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, Q, QuerySet

LEVELS = ("district", "subdistrict", "community", "grid")


@dataclass(frozen=True)
class Scope:
    """The organisation units a user may see, by level."""

    is_all: bool = False
    units: dict[str, frozenset[int]] = field(default_factory=dict)
    #: The units held per role kind (e.g. which grids as grid worker), for rules
    #: finer than visibility, such as who handles a case.
    by_kind: dict[str, frozenset[int]] = field(default_factory=dict)
    #: The signed-in staff member's person, if any.
    person_id: int | None = None

    @property
    def is_empty(self) -> bool:
        return not self.is_all and not any(self.units.values())

    def ids(self, level: str) -> frozenset[int]:
        return self.units.get(level, frozenset())


NOTHING = Scope()
EVERYTHING = Scope(is_all=True)


def user_scope(user) -> Scope:
    """Return the scope of ``user``, computed once per user object (one query)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    cached = getattr(user, "_grids_scope", None)
    if cached is not None:
        return cached
    scope = EVERYTHING if user.is_superuser else _scope_from_roles(user)
    user._grids_scope = scope
    return scope


def _scope_from_roles(user) -> Scope:
    from .models import Role

    if not user.is_staff:
        return NOTHING
    rows = (
        Role.objects.active()
        .filter(person__user=user, kind__in=list(Role.SCOPE_LEVEL))
        .values_list(
            "kind",
            "person_id",
            "district_id",
            "subdistrict_id",
            "community_id",
            "grid_id",
        )
    )
    units: dict[str, set[int]] = {level: set() for level in LEVELS}
    by_kind: dict[str, set[int]] = {}
    person_id = None
    for kind, role_person_id, *unit_ids in rows:
        person_id = role_person_id
        level = Role.SCOPE_LEVEL[kind]
        unit_id = dict(zip(LEVELS, unit_ids, strict=True))[level]
        units[level].add(unit_id)
        by_kind.setdefault(kind, set()).add(unit_id)
    return Scope(
        units={level: frozenset(ids) for level, ids in units.items()},
        by_kind={kind: frozenset(ids) for kind, ids in by_kind.items()},
        person_id=person_id,
    )


def scope_q(model: type[Model], scope: Scope) -> Q:
    """Return the condition that keeps the rows of ``model`` inside ``scope``."""
    if scope.is_all:
        return Q()
    paths = getattr(model, "scope_paths", None)
    if paths is None:
        raise TypeError(f"{model.__name__} declares no scope_paths")
    condition = Q(pk__in=[])
    for level in LEVELS:
        ids = scope.ids(level)
        if not ids:
            continue
        for path in paths.get(level, ()):
            condition |= _path_q(model, path, ids)
    return condition


def _path_q(model: type[Model], path: str, ids) -> Q:
    lookup = "pk__in" if path == "id" else f"{path}__in"
    if not _crosses_many(model, path):
        return Q(**{lookup: sorted(ids)})
    # A reverse or many-to-many path would repeat rows in a join; a subquery on
    # the primary key keeps each row once without DISTINCT.
    return Q(pk__in=model._default_manager.filter(**{lookup: sorted(ids)}).values("pk"))


def _crosses_many(model: type[Model], path: str) -> bool:
    current = model
    for part in path.split("__"):
        try:
            field = current._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        if field.many_to_many or field.one_to_many:
            return True
        if not field.is_relation:
            return False
        current = field.related_model
    return False


def scope_queryset(queryset: QuerySet, user) -> QuerySet:
    """Narrow ``queryset`` to the rows ``user`` may see."""
    scope = user_scope(user)
    if scope.is_all:
        return queryset
    if scope.is_empty:
        return queryset.none()
    return queryset.filter(scope_q(queryset.model, scope))


def user_can_see(user, obj: Model) -> bool:
    """Return whether ``obj`` lies inside the scope of ``user``."""
    if obj is None or obj.pk is None:
        return False
    return scope_queryset(type(obj)._default_manager.filter(pk=obj.pk), user).exists()


def instance_in_scope(user, instance: Model) -> bool:
    """Return whether ``instance``, saved or not, would lie inside the user's
    scope, by following its foreign keys in memory (forms check before saving)."""
    scope = user_scope(user)
    if scope.is_all:
        return True
    paths = getattr(type(instance), "scope_paths", {})
    for level in LEVELS:
        ids = scope.ids(level)
        if not ids:
            continue
        for path in paths.get(level, ()):
            value = _follow(instance, path)
            if value is not None and value in ids:
                return True
    return False


def _follow(instance: Model, path: str):
    """Return the primary key at the end of ``path`` from ``instance``, or None
    where the path is empty or crosses a to-many relation."""
    if path == "id":
        return instance.pk
    current = instance
    parts = path.split("__")
    for index, part in enumerate(parts):
        try:
            field = current._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        if field.many_to_many or field.one_to_many or not field.is_relation:
            return None
        if index == len(parts) - 1:
            return getattr(current, field.attname)
        current = getattr(current, part, None)
        if current is None:
            return None
    return None
