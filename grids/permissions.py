"""Which admin permissions each role brings.

Permissions follow roles, like scope does: a person who stops being a grid
worker loses both on the day the term ends, with no group to clean up. Each
app declares the permissions its models give each role in its own
``<app>/permissions.py`` (``ROLE_PERMISSIONS``); ``role_permissions`` gathers
them, and ``grids.backends.RolePermissionBackend`` reads that.
"""

import functools
from importlib import import_module

from django.apps import apps
from django.utils.module_loading import module_has_submodule

from .models import Role

_TERRITORY = [
    "district",
    "subdistrict",
    "community",
    "grid",
    "compound",
    "building",
    "unit",
]
_REGISTER = ["household", "person", "partymember", "role", "ownerscommittee"]


def perms(actions, models, app="grids") -> set[str]:
    """Return ``app.action_model`` for every action and model given."""
    return {f"{app}.{action}_{model}" for action in actions for model in models}


_perms = perms

#: The grid's field work: household files, care plans, patrols and visits. They
#: hold who is old and alone, disabled or on welfare: the government side
#: keeps them, the property company does not see them.
_FIELD = ["tag", "householdtag", "careplan", "patrol", "patrolfinding", "visit"]
_FIELD_WORK = _perms(["add", "change"], ["patrol", "patrolfinding", "visit"]) | _perms(
    ["add", "change", "delete"], ["householdtag"]
)


_VIEW_ALL = _perms(
    ["view"], [*_TERRITORY, *_REGISTER, *_FIELD, "partyorganization", "propertycompany"]
)

ROLE_PERMISSIONS: dict[str, set[str]] = {
    # The record of who saw personal data: read by the staff of each unit
    # above the grid for their units (append-only: nobody changes it).
    Role.Kind.DISTRICT_STAFF: _VIEW_ALL
    | _perms(["add", "change"], ["subdistrict", "community", "propertycompany"])
    | _perms(["add", "change"], ["tag"])
    | {"grids.view_personaldataaccess"},
    Role.Kind.SUBDISTRICT_STAFF: _VIEW_ALL
    | {"grids.view_personaldataaccess"}
    | _perms(["add", "change"], ["community", "grid", "compound", "partyorganization"])
    | _perms(["add", "change"], _REGISTER),
    Role.Kind.COMMUNITY_STAFF: _VIEW_ALL
    | _perms(["add", "change", "delete"], ["grid", "compound", "building", "unit"])
    | _perms(["add", "change", "delete"], _REGISTER)
    | _perms(["add", "change"], ["partyorganization"])
    | _perms(["add", "change", "delete"], ["careplan"])
    | _perms(["add"], ["tag"])
    | _FIELD_WORK
    | {"grids.view_contact", "grids.view_personaldataaccess"},
    Role.Kind.GRID_WORKER: _VIEW_ALL
    | _perms(["add", "change"], ["household", "person"])
    | _FIELD_WORK
    | {"grids.view_contact"},
    Role.Kind.PROPERTY_STEWARD: _perms(
        ["view"],
        [
            "community",
            "grid",
            "compound",
            "building",
            "unit",
            "household",
            "person",
            "propertycompany",
        ],
    ),
    Role.Kind.REPAIR_WORKER: _perms(
        ["view"], ["community", "grid", "compound", "building", "unit", "household"]
    ),
}


def merge(*tables: dict[str, set[str]]) -> dict[str, set[str]]:
    """Return the union, role by role, of permission tables."""
    merged: dict[str, set[str]] = {}
    for table in tables:
        for kind, granted in table.items():
            merged.setdefault(kind, set()).update(granted)
    return merged


@functools.cache
def role_permissions() -> dict[str, frozenset[str]]:
    """Return every installed app's permissions of each role, gathered once."""
    tables = []
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, "permissions"):
            module = import_module(f"{config.name}.permissions")
            tables.append(getattr(module, "ROLE_PERMISSIONS", {}))
    return {kind: frozenset(granted) for kind, granted in merge(*tables).items()}


# Notices (通知公告): community staff write, publish and withdraw them; the
# staff above read them.
ROLE_PERMISSIONS = merge(
    ROLE_PERMISSIONS,
    {
        Role.Kind.COMMUNITY_STAFF: _perms(["view", "add", "change"], ["notice"]),
        Role.Kind.SUBDISTRICT_STAFF: _perms(["view"], ["notice"]),
        Role.Kind.DISTRICT_STAFF: _perms(["view"], ["notice"]),
    },
)

# Service centres and their duty rota: kept by community staff, read above.
ROLE_PERMISSIONS = merge(
    ROLE_PERMISSIONS,
    {
        Role.Kind.COMMUNITY_STAFF: _perms(
            ["view", "add", "change", "delete"], ["servicecentre", "dutyshift"]
        ),
        Role.Kind.SUBDISTRICT_STAFF: _perms(["view"], ["servicecentre", "dutyshift"]),
        Role.Kind.DISTRICT_STAFF: _perms(["view"], ["servicecentre", "dutyshift"]),
    },
)
