"""What each role may do in deliberation (gathered by
``grids.permissions.role_permissions``): community staff keep bodies, meetings
and major matters; grid workers and supervisors read them."""

import functools

from grids.models import Role
from grids.permissions import merge, perms

K = Role.Kind
_deliberation = functools.partial(perms, app="deliberation")

ROLE_PERMISSIONS = merge(
    {
        K.COMMUNITY_STAFF: _deliberation(
            ["view", "add", "change"],
            ["deliberationbody", "meeting", "majormatter", "actionitem", "proposal"],
        )
    },
    {
        kind: _deliberation(["view"], ["deliberationbody", "meeting", "majormatter"])
        for kind in (K.GRID_WORKER, K.SUBDISTRICT_STAFF, K.DISTRICT_STAFF)
    },
)

# Disclosure (公示): community staff record the compounds' accounts; the staff
# above them read them.
ROLE_PERMISSIONS = merge(
    ROLE_PERMISSIONS,
    {K.COMMUNITY_STAFF: _deliberation(["view", "add"], ["disclosureentry"])},
    {
        kind: _deliberation(["view"], ["disclosureentry"])
        for kind in (K.SUBDISTRICT_STAFF, K.DISTRICT_STAFF)
    },
)
