"""API filters take plain ids: an id outside the caller's units then filters to
nothing, exactly like an id that does not exist (no "invalid choice" hint)."""

import django_filters

from core.api.filters import IdFilter


class CommunityFilter(django_filters.FilterSet):
    subdistrict = IdFilter(field_name="subdistrict")


class GridFilter(django_filters.FilterSet):
    community = IdFilter(field_name="community")


class CompoundFilter(django_filters.FilterSet):
    community = IdFilter(field_name="community")
    property_company = IdFilter(field_name="property_company")
    grade = django_filters.CharFilter(field_name="grade")


class BuildingFilter(django_filters.FilterSet):
    compound = IdFilter(field_name="compound")
    grid = IdFilter(field_name="grid")


class HouseholdFilter(django_filters.FilterSet):
    community = IdFilter(field_name="unit__building__compound__community")
    compound = IdFilter(field_name="unit__building__compound")
    building = IdFilter(field_name="unit__building")
    grid = IdFilter(field_name="unit__building__grid")


class PartyOrganizationFilter(django_filters.FilterSet):
    kind = django_filters.CharFilter(field_name="kind")
    community = IdFilter(field_name="community")
    parent = IdFilter(field_name="parent")
