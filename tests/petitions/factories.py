import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from petitions import models


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = models.Category
        django_get_or_create = ("code",)

    code = "leak"
    name = "漏水"
    group = models.Category.Group.REPAIR
    default_handler = models.Category.Handler.GRID
    accept_hours = 2
    resolve_hours = 48
    repair_kind = models.Category.RepairKind.PUBLIC


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = models.Department
        django_get_or_create = ("name",)

    name = "城管"


class Open311ClientFactory(DjangoModelFactory):
    class Meta:
        model = models.Open311Client

    name = factory.Sequence(lambda n: f"client{n}")
    api_key = factory.Sequence(lambda n: f"key-{n:08d}")


class PetitionFactory(DjangoModelFactory):
    """A case as stored, in any state (tests that need the services' path use
    ``petition_submit`` instead)."""

    class Meta:
        model = models.Petition

    number = factory.Sequence(lambda n: f"F-{n}")
    category = factory.SubFactory(CategoryFactory)
    description = "楼道水管漏水"
    reporter_name = "王大妈"
    reporter_phone = factory.Sequence(lambda n: f"139{n:08d}")
    building = None
    community = factory.LazyAttribute(
        lambda o: o.building.compound.community if o.building else None
    )
    grid = factory.LazyAttribute(lambda o: o.building.grid if o.building else None)
    compound = factory.LazyAttribute(
        lambda o: o.building.compound if o.building else None
    )
    accept_due_at = factory.LazyFunction(
        lambda: timezone.now() + datetime.timedelta(hours=2)
    )
    resolve_due_at = factory.LazyFunction(
        lambda: timezone.now() + datetime.timedelta(hours=48)
    )
