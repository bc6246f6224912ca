"""Factories of volunteer service: teams, activities, sign-ups, wishes and 双报到
registrations, each valid on its own."""

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
    class Meta:
        model = models.Activity

    community = factory.SubFactory(gf.CommunityFactory)
    title = "爱心义剪"
    kind = models.Activity.Kind.HAIRCUT
    place = "社区党群服务中心"
    starts_at = factory.LazyFunction(
        lambda: timezone.now() - datetime.timedelta(hours=1)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=2))
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
