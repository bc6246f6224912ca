"""The record of who saw personal data (``grids.PersonalDataAccess``).

Call ``personal_data_record`` wherever residents' personal data leaves the
platform or is shown unmasked: exports, imports, a case or register page with
the full phone number, an API answer with full numbers. The row names the unit
the data belongs to (a record's community) or, for lists and files, the unit
the reader holds, so that the staff of that unit can read it.
"""

from django.db import models

from core.ratelimit import valid_client_ip

from .models import PersonalDataAccess
from .scoping import user_scope


def _units_of_reader(user) -> dict:
    """The one unit a reader holds, if exactly one at their highest level; a
    grid worker's is the community of their grids, whose staff read it."""
    scope = user_scope(user)
    if scope.is_all:
        return {}
    for level in ("district", "subdistrict", "community"):
        ids = scope.ids(level)
        if len(ids) == 1:
            return {f"{level}_id": next(iter(ids))}
        if ids:
            return {}
    from .models import Grid

    communities = set(
        Grid.objects.filter(pk__in=scope.ids("grid")).values_list(
            "community_id", flat=True
        )
    )
    return {"community_id": communities.pop()} if len(communities) == 1 else {}


def _units_of(obj: models.Model | None) -> dict:
    community_id = getattr(obj, "community_id", None) if obj is not None else None
    return {"community_id": community_id} if community_id else {}


def personal_data_record(
    *,
    request,
    action: str,
    subject: str,
    rows: int = 1,
    obj: models.Model | None = None,
    fields: tuple[str, ...] = (),
) -> PersonalDataAccess:
    """Append one row: ``request.user`` did ``action`` (export, import, view)
    on ``rows`` records of ``subject`` (e.g. "grids.person"), or on ``obj``."""
    user = getattr(request, "user", None)
    actor = user if getattr(user, "pk", None) else None
    units = _units_of(obj) or (_units_of_reader(user) if actor else {})
    return PersonalDataAccess.objects.create(
        actor=actor,
        actor_label=str(getattr(user, "username", "") or user or "")[:150],
        action=action,
        subject=subject[:100],
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        fields=",".join(fields)[:200],
        row_count=rows,
        ip_address=valid_client_ip(request) or "",
        path=request.path[:200],
        **units,
    )


def subject_of(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"
