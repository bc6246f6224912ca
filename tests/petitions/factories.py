import factory
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
