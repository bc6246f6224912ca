"""Factories of volunteer service: teams, activities, sign-ups, wishes, 双报到
registrations, the two-way list and emergency stations, each valid on its own."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from tests.grids import factories as gf
from volunteers import models


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = models.Team

    community = factory.SubFactory(gf.CommunityFactory)
    name = factory.Sequence(lambda n: f"志愿服务队{n}")


class ActivityFactory(DjangoModelFactory):
    """An activity ``starts_in`` from now (it began an hour ago unless given),
    lasting ``hours``."""

    class Meta:
        model = models.Activity

    class Params:
        starts_in = -datetime.timedelta(hours=1)
        hours = 2

    community = factory.SubFactory(gf.CommunityFactory)
    title = "爱心义剪"
    kind = models.Activity.Kind.HAIRCUT
    place = "社区党群服务中心"
    starts_at = factory.LazyAttribute(lambda o: timezone.now() + o.starts_in)
    ends_at = factory.LazyAttribute(
        lambda o: o.starts_at + datetime.timedelta(hours=o.hours)
    )
    capacity = 10


class SignUpFactory(DjangoModelFactory):
    class Meta:
        model = models.SignUp

    activity = factory.SubFactory(ActivityFactory)
    name = factory.Sequence(lambda n: f"志愿者{n}")
    phone = factory.Sequence(lambda n: f"137{n:08d}")
    status = models.SignUp.Status.CONFIRMED


class WishFactory(DjangoModelFactory):
    class Meta:
        model = models.Wish

    community = factory.SubFactory(gf.CommunityFactory)
    title = factory.Sequence(lambda n: f"心愿{n}")
    wisher_name = "陈奶奶"
    beneficiary_kind = models.Wish.Beneficiary.ELDERLY


class RegistrationFactory(DjangoModelFactory):
    class Meta:
        model = models.Registration

    household = factory.SubFactory(gf.HouseholdFactory)
    community = factory.LazyAttribute(
        lambda o: o.household.unit.building.compound.community
    )
    name = factory.Sequence(lambda n: f"在职党员{n}")
    phone = factory.Sequence(lambda n: f"136{n:08d}")
    work_unit = "区税务局"
    work_unit_party_org = "区税务局党委"


class ServiceItemFactory(DjangoModelFactory):
    """A need on the community's two-way list (双向清单)."""

    class Meta:
        model = models.ServiceItem

    community = factory.SubFactory(gf.CommunityFactory)
    side = models.ServiceItem.Side.NEED
    title = factory.Sequence(lambda n: f"需求{n}")
    listed_by = "第一网格"


class StationFactory(DjangoModelFactory):
    """An emergency service station (应急服务站)."""

    class Meta:
        model = models.Station

    community = factory.SubFactory(gf.CommunityFactory)
    name = "应急服务站"
    key_holders = "物业、社区"


class StockItemFactory(DjangoModelFactory):
    """Supplies kept at a station."""

    class Meta:
        model = models.StockItem

    station = factory.SubFactory(StationFactory)
    kind = models.StockItem.Kind.SUPPLY
    item_class = "照明"
    name = "手电筒"
    quantity = 10
