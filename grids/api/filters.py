import django_filters

from grids.models import Building, Compound, Grid, Household, PartyOrganization


class GridFilter(django_filters.FilterSet):
    class Meta:
        model = Grid
        fields = ["community"]


class CompoundFilter(django_filters.FilterSet):
    class Meta:
        model = Compound
        fields = ["community", "property_company", "grade"]


class BuildingFilter(django_filters.FilterSet):
    class Meta:
        model = Building
        fields = ["compound", "grid"]


class HouseholdFilter(django_filters.FilterSet):
    community = django_filters.NumberFilter(
        field_name="unit__building__compound__community"
    )
    compound = django_filters.NumberFilter(field_name="unit__building__compound")
    building = django_filters.NumberFilter(field_name="unit__building")
    grid = django_filters.NumberFilter(field_name="unit__building__grid")

    class Meta:
        model = Household
        fields = ["community", "compound", "building", "grid"]


class PartyOrganizationFilter(django_filters.FilterSet):
    class Meta:
        model = PartyOrganization
        fields = ["kind", "community", "parent"]
