"""Read-only reference data of the organisation, scoped to the caller.

These are plain reference lists, so each is a read-only viewset (ARCHITECTURE.md
allows it); the querysets come from ``grids.selectors``.
"""

from rest_framework import viewsets

from grids import selectors

from . import filters, serializers


class _ScopedReadOnly(viewsets.ReadOnlyModelViewSet):
    selector = None

    def get_queryset(self):
        return type(self).selector(user=self.request.user)


class SubdistrictViewSet(_ScopedReadOnly):
    selector = staticmethod(selectors.subdistrict_list)
    serializer_class = serializers.SubdistrictOutputSerializer


class CommunityViewSet(_ScopedReadOnly):
    selector = staticmethod(selectors.community_list)
    serializer_class = serializers.CommunityOutputSerializer
    filterset_class = filters.CommunityFilter


class GridViewSet(_ScopedReadOnly):
    selector = staticmethod(selectors.grid_list)
    serializer_class = serializers.GridOutputSerializer
    filterset_class = filters.GridFilter


class PropertyCompanyViewSet(_ScopedReadOnly):
    selector = staticmethod(selectors.property_company_list)
    serializer_class = serializers.PropertyCompanyOutputSerializer


class CompoundViewSet(_ScopedReadOnly):
    selector = staticmethod(selectors.compound_list)
    serializer_class = serializers.CompoundOutputSerializer
    filterset_class = filters.CompoundFilter


class BuildingViewSet(_ScopedReadOnly):
    selector = staticmethod(selectors.building_list)
    serializer_class = serializers.BuildingOutputSerializer
    filterset_class = filters.BuildingFilter


class HouseholdViewSet(_ScopedReadOnly):
    selector = staticmethod(selectors.household_list)
    serializer_class = serializers.HouseholdOutputSerializer
    filterset_class = filters.HouseholdFilter


class PartyOrganizationViewSet(_ScopedReadOnly):
    selector = staticmethod(selectors.party_organization_list)
    serializer_class = serializers.PartyOrganizationOutputSerializer
    filterset_class = filters.PartyOrganizationFilter
