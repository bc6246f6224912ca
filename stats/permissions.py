"""What each role may do with statistics (gathered by
``grids.permissions.role_permissions``): everyone who reads cases reads their
roll-ups; fee collection is entered by the community and checked above it;
targets are the district's; dashboard screens are set up by the district and
the subdistricts for their own units."""

from grids.models import Role
from grids.permissions import merge

K = Role.Kind
_READERS = (K.COMMUNITY_STAFF, K.SUBDISTRICT_STAFF, K.DISTRICT_STAFF)

ROLE_PERMISSIONS = merge(
    {
        kind: {
            "stats.view_petitionmonthly",
            "stats.view_casemixmonthly",
            "stats.view_companyevaluation",
            "stats.view_honourlist",
            "stats.view_assessmentitem",
            "stats.view_assessmentscore",
            "stats.view_communitymonthly",
            "stats.view_gridmonthly",
            "stats.view_target",
            "stats.view_feecollection",
            "stats.add_feecollection",
            "stats.change_feecollection",
        }
        for kind in _READERS
    },
    # A property company's staff read their own company's evaluation.
    {
        kind: {"stats.view_companyevaluation"}
        for kind in (K.PROPERTY_STEWARD, K.REPAIR_WORKER)
    },
    {
        K.DISTRICT_STAFF: {
            "stats.add_assessmentitem",
            "stats.change_assessmentitem",
            "stats.add_assessmentscore",
            "stats.change_assessmentscore",
            "stats.add_honourlist",
            "stats.change_honourlist",
            "stats.add_target",
            "stats.change_target",
            "stats.delete_target",
        }
    },
    {
        kind: {
            "stats.view_dashboardtoken",
            "stats.add_dashboardtoken",
            "stats.change_dashboardtoken",
        }
        for kind in (K.SUBDISTRICT_STAFF, K.DISTRICT_STAFF)
    },
)
