"""Which admin permissions each role brings.

Permissions follow roles, like scope does: a person who stops being a grid
worker loses both on the day the term ends, with no group to clean up.
``accounts.backends.RolePermissionBackend`` reads this table. Later apps add the
permissions of their own models to the same table.
"""

import functools

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


def _perms(actions, models, app="grids"):
    return {f"{app}.{action}_{model}" for action in actions for model in models}


_VIEW_ALL = _perms(
    ["view"], [*_TERRITORY, *_REGISTER, "partyorganization", "propertycompany"]
)

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.Kind.DISTRICT_STAFF: _VIEW_ALL
    | _perms(["add", "change"], ["subdistrict", "community", "propertycompany"]),
    Role.Kind.SUBDISTRICT_STAFF: _VIEW_ALL
    | _perms(["add", "change"], ["community", "grid", "compound", "partyorganization"])
    | _perms(["add", "change"], _REGISTER),
    Role.Kind.COMMUNITY_STAFF: _VIEW_ALL
    | _perms(["add", "change", "delete"], ["grid", "compound", "building", "unit"])
    | _perms(["add", "change", "delete"], _REGISTER)
    | _perms(["add", "change"], ["partyorganization"])
    | {"grids.view_contact"},
    Role.Kind.GRID_WORKER: _perms(
        ["view"], [*_TERRITORY, *_REGISTER, "partyorganization", "propertycompany"]
    )
    | _perms(["add", "change"], ["household", "person"])
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


_petitions = functools.partial(_perms, app="petitions")


_REFERENCE = ["category", "categoryquestion", "department", "replytemplate"]
# Resident reports: the people who handle cases may view and move them
# ("change" is the right to take the next step); supervisors view them.
for _kind in (
    Role.Kind.COMMUNITY_STAFF,
    Role.Kind.GRID_WORKER,
    Role.Kind.PROPERTY_STEWARD,
    Role.Kind.REPAIR_WORKER,
):
    ROLE_PERMISSIONS[_kind] |= _petitions(["view", "change"], ["petition"])
for _kind in (Role.Kind.SUBDISTRICT_STAFF, Role.Kind.DISTRICT_STAFF):
    ROLE_PERMISSIONS[_kind] |= _petitions(["view"], ["petition"])
ROLE_PERMISSIONS[Role.Kind.COMMUNITY_STAFF] |= _petitions(["view"], _REFERENCE)
ROLE_PERMISSIONS[Role.Kind.DISTRICT_STAFF] |= _petitions(
    ["view", "add", "change"], [*_REFERENCE, "open311client"]
)


_deliberation = functools.partial(_perms, app="deliberation")


# Deliberation (first slice): community staff keep bodies, meetings and major
# matters; grid workers and supervisors read them.
ROLE_PERMISSIONS[Role.Kind.COMMUNITY_STAFF] |= _deliberation(
    ["view", "add", "change"],
    ["deliberationbody", "meeting", "majormatter", "actionitem", "proposal"],
)
for _kind in (
    Role.Kind.GRID_WORKER,
    Role.Kind.SUBDISTRICT_STAFF,
    Role.Kind.DISTRICT_STAFF,
):
    ROLE_PERMISSIONS[_kind] |= _deliberation(
        ["view"], ["deliberationbody", "meeting", "majormatter"]
    )


_volunteers = functools.partial(_perms, app="volunteers")


_VOLUNTEER_MODELS = [
    "team",
    "registration",
    "activity",
    "signup",
    "wish",
    "serviceitem",
    "station",
    "stockitem",
    "rescueteammember",
    "training",
]
# Volunteer service: community staff run it; grid workers and supervisors read it.
ROLE_PERMISSIONS[Role.Kind.COMMUNITY_STAFF] |= _volunteers(
    ["view", "add", "change"], _VOLUNTEER_MODELS
)
for _kind in (
    Role.Kind.GRID_WORKER,
    Role.Kind.SUBDISTRICT_STAFF,
    Role.Kind.DISTRICT_STAFF,
):
    ROLE_PERMISSIONS[_kind] |= _volunteers(["view"], _VOLUNTEER_MODELS)

# Statistics: everyone who reads cases reads their roll-ups.
for _kind in (
    Role.Kind.COMMUNITY_STAFF,
    Role.Kind.SUBDISTRICT_STAFF,
    Role.Kind.DISTRICT_STAFF,
):
    ROLE_PERMISSIONS[_kind] |= {
        "stats.view_petitionmonthly",
        "stats.view_communitymonthly",
        "stats.view_target",
        # Fee collection is entered by the community and checked above it.
        "stats.view_feecollection",
        "stats.add_feecollection",
        "stats.change_feecollection",
    }
# The record of who saw personal data: read by the staff of each unit above
# the grid for their units (core.PersonalDataAccess is append-only).
for _kind in (
    Role.Kind.COMMUNITY_STAFF,
    Role.Kind.SUBDISTRICT_STAFF,
    Role.Kind.DISTRICT_STAFF,
):
    ROLE_PERMISSIONS[_kind] |= {"core.view_personaldataaccess"}
# Targets are the district's; dashboard screens are set up by the district and
# the subdistricts for their own units.
ROLE_PERMISSIONS[Role.Kind.DISTRICT_STAFF] |= {
    "stats.add_target",
    "stats.change_target",
    "stats.delete_target",
}
for _kind in (Role.Kind.SUBDISTRICT_STAFF, Role.Kind.DISTRICT_STAFF):
    ROLE_PERMISSIONS[_kind] |= {
        "stats.view_dashboardtoken",
        "stats.add_dashboardtoken",
        "stats.change_dashboardtoken",
    }
