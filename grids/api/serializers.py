from rest_framework import serializers

from grids.models import (
    Building,
    Community,
    Compound,
    Grid,
    Household,
    PartyOrganization,
    PropertyCompany,
    Subdistrict,
)


class SubdistrictOutputSerializer(serializers.ModelSerializer):
    district = serializers.CharField(source="district.name")

    class Meta:
        model = Subdistrict
        fields = ["id", "name", "division_code", "district"]


class CommunityOutputSerializer(serializers.ModelSerializer):
    subdistrict = serializers.CharField(source="subdistrict.name")
    grid_count = serializers.IntegerField()
    compound_count = serializers.IntegerField()
    building_count = serializers.IntegerField()
    household_count = serializers.IntegerField()
    party_org_count = serializers.IntegerField()

    class Meta:
        model = Community
        fields = [
            "id",
            "name",
            "division_code",
            "subdistrict",
            "grid_count",
            "compound_count",
            "building_count",
            "household_count",
            "party_org_count",
        ]


class GridOutputSerializer(serializers.ModelSerializer):
    community = serializers.CharField(source="community.name")
    building_count = serializers.IntegerField()
    household_count = serializers.IntegerField()

    class Meta:
        model = Grid
        fields = ["id", "name", "community", "building_count", "household_count"]


class PropertyCompanyOutputSerializer(serializers.ModelSerializer):
    compound_count = serializers.IntegerField()

    class Meta:
        model = PropertyCompany
        fields = ["id", "name", "credit_code", "contact_phone", "compound_count"]


class CompoundOutputSerializer(serializers.ModelSerializer):
    community = serializers.CharField(source="community.name")
    property_company = serializers.CharField(
        source="property_company.name", default=None, allow_null=True
    )
    building_count = serializers.IntegerField()
    household_count = serializers.IntegerField()

    class Meta:
        model = Compound
        fields = [
            "id",
            "name",
            "community",
            "grade",
            "property_company",
            "building_count",
            "household_count",
        ]


class BuildingOutputSerializer(serializers.ModelSerializer):
    compound = serializers.CharField(source="compound.name")
    grid = serializers.CharField(source="grid.name")
    household_count = serializers.IntegerField()

    class Meta:
        model = Building
        fields = ["id", "number", "compound", "grid", "floors", "household_count"]


class HouseholdOutputSerializer(serializers.ModelSerializer):
    """A dwelling, without the names or numbers of the people in it."""

    community = serializers.CharField(source="unit.building.compound.community.name")
    compound = serializers.CharField(source="unit.building.compound.name")
    building = serializers.CharField(source="unit.building.number")
    grid = serializers.CharField(source="unit.building.grid.name")
    unit = serializers.CharField(source="unit.number")
    resident_count = serializers.IntegerField()

    class Meta:
        model = Household
        fields = [
            "id",
            "community",
            "compound",
            "building",
            "grid",
            "unit",
            "room",
            "floor_area",
            "resident_count",
        ]


class PartyOrganizationOutputSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display")
    community = serializers.CharField(
        source="community.name", default=None, allow_null=True
    )
    member_count = serializers.IntegerField()

    class Meta:
        model = PartyOrganization
        fields = [
            "id",
            "name",
            "kind",
            "kind_display",
            "parent_id",
            "community",
            "member_count",
        ]
