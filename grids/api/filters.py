"""API filters take plain ids: an id outside the caller's units then filters to
nothing, exactly like an id that does not exist (no "invalid choice" hint)."""

import django_filters


class CommunityFilter(django_filters.FilterSet):
    subdistrict = django_filters.NumberFilter(field_name="subdistrict")


class GridFilter(django_filters.FilterSet):
    community = django_filters.NumberFilter(field_name="community")


class CompoundFilter(django_filters.FilterSet):
    community = django_filters.NumberFilter(field_name="community")
    property_company = django_filters.NumberFilter(field_name="property_company")
    grade = django_filters.CharFilter(field_name="grade")


class BuildingFilter(django_filters.FilterSet):
    compound = django_filters.NumberFilter(field_name="compound")
    grid = django_filters.NumberFilter(field_name="grid")


class HouseholdFilter(django_filters.FilterSet):
    community = django_filters.NumberFilter(
        field_name="unit__building__compound__community"
    )
    compound = django_filters.NumberFilter(field_name="unit__building__compound")
    building = django_filters.NumberFilter(field_name="unit__building")
    grid = django_filters.NumberFilter(field_name="unit__building__grid")


class PartyOrganizationFilter(django_filters.FilterSet):
    kind = django_filters.CharFilter(field_name="kind")
    community = django_filters.NumberFilter(field_name="community")
    parent = django_filters.NumberFilter(field_name="parent")
