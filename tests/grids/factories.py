import datetime

import factory
from factory.django import DjangoModelFactory

from grids import models


class DistrictFactory(DjangoModelFactory):
    class Meta:
        model = models.District
        django_get_or_create = ("name",)

    name = "东昌府区"
    division_code = "371502000000"


class SubdistrictFactory(DjangoModelFactory):
    class Meta:
        model = models.Subdistrict

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"街道{n}")


class CommunityFactory(DjangoModelFactory):
    class Meta:
        model = models.Community

    subdistrict = factory.SubFactory(SubdistrictFactory)
    name = factory.Sequence(lambda n: f"社区{n}")


class GridFactory(DjangoModelFactory):
    class Meta:
        model = models.Grid

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"第{n}网格")


class PropertyCompanyFactory(DjangoModelFactory):
    class Meta:
        model = models.PropertyCompany

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"物业公司{n}")


class CompoundFactory(DjangoModelFactory):
    class Meta:
        model = models.Compound

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"小区{n}")


class BuildingFactory(DjangoModelFactory):
    class Meta:
        model = models.Building

    compound = factory.SubFactory(CompoundFactory)
    grid = factory.SubFactory(
        GridFactory, community=factory.SelfAttribute("..compound.community")
    )
    number = factory.Sequence(lambda n: f"{n}号楼")


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = models.Unit

    building = factory.SubFactory(BuildingFactory)
    number = "1单元"


class HouseholdFactory(DjangoModelFactory):
    class Meta:
        model = models.Household

    unit = factory.SubFactory(UnitFactory)
    room = factory.Sequence(lambda n: f"{100 + n}")
    floor_area = 89


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = models.Person

    household = factory.SubFactory(HouseholdFactory)
    community = factory.LazyAttribute(
        lambda o: (
            o.household.unit.building.compound.community
            if o.household
            else CommunityFactory()
        )
    )
    name = factory.Sequence(lambda n: f"居民{n}")
    mobile = factory.Sequence(lambda n: f"138{n:08d}")
    moved_in_date = datetime.date(2015, 5, 1)


class PartyOrganizationFactory(DjangoModelFactory):
    class Meta:
        model = models.PartyOrganization

    name = factory.Sequence(lambda n: f"党组织{n}")
    kind = models.PartyOrganization.Kind.COMMUNITY_COMMITTEE
    community = factory.SubFactory(CommunityFactory)
    subdistrict = factory.SelfAttribute("community.subdistrict")


class PartyMemberFactory(DjangoModelFactory):
    class Meta:
        model = models.PartyMember

    person = factory.SubFactory(PersonFactory)
    community = factory.SelfAttribute("person.community")
    kind = models.PartyMember.Kind.REGISTERED


class RoleFactory(DjangoModelFactory):
    class Meta:
        model = models.Role

    person = factory.SubFactory(PersonFactory, household=None)
    kind = models.Role.Kind.COMMUNITY_STAFF
    start_date = datetime.date(2020, 1, 1)


class TagFactory(DjangoModelFactory):
    class Meta:
        model = models.Tag
        django_get_or_create = ("name",)

    name = "独居老人"


class HouseholdTagFactory(DjangoModelFactory):
    class Meta:
        model = models.HouseholdTag

    household = factory.SubFactory(HouseholdFactory)
    tag = factory.SubFactory(TagFactory)


class CarePlanFactory(DjangoModelFactory):
    class Meta:
        model = models.CarePlan

    community = factory.SubFactory(CommunityFactory)
    tag = factory.SubFactory(TagFactory)
    every_days = 7


class PatrolFactory(DjangoModelFactory):
    class Meta:
        model = models.Patrol

    grid = factory.SubFactory(GridFactory)
    person = factory.SubFactory(PersonFactory, household=None)


class VisitFactory(DjangoModelFactory):
    class Meta:
        model = models.Visit

    household = factory.SubFactory(HouseholdFactory)
    visitor = factory.SubFactory(PersonFactory, household=None)
    findings = "老人身体尚好"


def resident_verify(client, phone: str = "13912345678"):
    """Give ``client`` a device that proved ``phone`` (as if the resident had
    typed the texted code): the signed cookie of a new remembered device."""
    import datetime

    from django.conf import settings
    from django.core.signing import get_cookie_signer
    from django.utils import timezone

    from grids.residents.identity import COOKIE_SALT
    from grids.residents.selectors import token_digest

    token = f"test-{phone}-{models.RememberedDevice.objects.count()}"
    models.RememberedDevice.objects.create(
        phone=phone,
        token_hash=token_digest(token),
        expires_at=timezone.now() + datetime.timedelta(days=30),
    )
    signer = get_cookie_signer(salt=settings.RESIDENT_COOKIE_NAME + COOKIE_SALT)
    client.cookies[settings.RESIDENT_COOKIE_NAME] = signer.sign(token)
    return client
