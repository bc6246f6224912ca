"""What each role may do with resident reports (gathered by
``grids.permissions.role_permissions``)."""

import functools

from grids.models import Role
from grids.permissions import merge, perms

K = Role.Kind
_petitions = functools.partial(perms, app="petitions")
_REFERENCE = ["category", "categoryquestion", "department", "replytemplate"]
#: The people who handle cases may view and move them ("change" is the right
#: to take the next step); supervisors view them.
_HANDLERS = (K.COMMUNITY_STAFF, K.GRID_WORKER, K.PROPERTY_STEWARD, K.REPAIR_WORKER)

ROLE_PERMISSIONS = merge(
    {kind: _petitions(["view", "change"], ["petition"]) for kind in _HANDLERS},
    {
        kind: _petitions(["view"], ["petition"])
        for kind in (K.SUBDISTRICT_STAFF, K.DISTRICT_STAFF)
    },
    # Community staff decide which photos Open311 publishes.
    {K.COMMUNITY_STAFF: _petitions(["view", "change"], ["petitionphoto"])},
    {
        K.COMMUNITY_STAFF: _petitions(["view"], _REFERENCE),
        K.DISTRICT_STAFF: _petitions(
            ["view", "add", "change"], [*_REFERENCE, "open311client"]
        ),
    },
)
