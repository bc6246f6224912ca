import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from core.keys import key_hash
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
    """A client whose plain key stays on the object as ``api_key`` (tests only:
    the database keeps the hash). ``communities`` lists where it may file."""

    class Meta:
        model = models.Open311Client
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"client{n}")
    api_key = factory.Sequence(lambda n: f"key-{n:08d}")
    key_hash = factory.LazyAttribute(lambda o: key_hash(o.api_key))
    prefix = factory.LazyAttribute(lambda o: o.api_key[:8])

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        api_key = kwargs.pop("api_key")
        client = super()._create(model_class, *args, **kwargs)
        client.api_key = api_key
        return client

    @factory.post_generation
    def communities(self, create, extracted, **kwargs):
        if extracted is not None:
            self.communities.set(extracted)


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
