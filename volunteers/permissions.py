"""What each role may do in volunteer service (gathered by
``grids.permissions.role_permissions``): community staff run it; grid workers
and supervisors read it, and grid workers post wishes for the residents they
visit (staff review them before they are published)."""

import functools

from grids.models import Role
from grids.permissions import merge, perms

K = Role.Kind
_volunteers = functools.partial(perms, app="volunteers")
_MODELS = [
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

ROLE_PERMISSIONS = merge(
    {K.COMMUNITY_STAFF: _volunteers(["view", "add", "change"], _MODELS)},
    {
        kind: _volunteers(["view"], _MODELS)
        for kind in (K.GRID_WORKER, K.SUBDISTRICT_STAFF, K.DISTRICT_STAFF)
    },
    {K.GRID_WORKER: _volunteers(["add"], ["wish"])},
)
