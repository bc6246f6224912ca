"""Factories of deliberation: bodies, meetings, topics, action items, major
matters and proposals, each valid on its own and placed in the given community."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from deliberation import models
from tests.grids import factories as gf


class BodyFactory(DjangoModelFactory):
    """The monthly 红色议事会 (seed 000); ``fengsi=True`` makes it the 逢四说事
    that meets on the 4th, 14th and 24th (seed 004)."""

    class Meta:
        model = models.DeliberationBody

    class Params:
        fengsi = factory.Trait(
            name="逢四说事", rule=models.DeliberationBody.Rule.FENGSI, day_of_month=None
        )

    community = factory.SubFactory(gf.CommunityFactory)
    name = "红色议事会"
    kind = models.DeliberationBody.Kind.HALL
    rule = models.DeliberationBody.Rule.MONTHLY_DAY
    day_of_month = 10


class MeetingFactory(DjangoModelFactory):
    """A planned meeting ``starts_in`` from now (two days unless given; negative
    for one that has begun), lasting ``hours``."""

    class Meta:
        model = models.Meeting

    class Params:
        starts_in = datetime.timedelta(days=2)
        hours = 2

    body = factory.SubFactory(BodyFactory)
    starts_at = factory.LazyAttribute(lambda o: timezone.now() + o.starts_in)
    ends_at = factory.LazyAttribute(
        lambda o: o.starts_at + datetime.timedelta(hours=o.hours)
    )
    place = "红色物业议事厅"


class TopicFactory(DjangoModelFactory):
    class Meta:
        model = models.AgendaTopic

    meeting = factory.SubFactory(MeetingFactory)
    title = factory.Sequence(lambda n: f"议题{n}")
    source = models.AgendaTopic.Source.STAFF


class ActionItemFactory(DjangoModelFactory):
    class Meta:
        model = models.ActionItem

    topic = factory.SubFactory(TopicFactory)
    title = factory.Sequence(lambda n: f"落实{n}")
    owner = factory.SubFactory(gf.PersonFactory, household=None)
    due_date = factory.LazyFunction(
        lambda: timezone.localdate() + datetime.timedelta(days=7)
    )


class MajorMatterFactory(DjangoModelFactory):
    class Meta:
        model = models.MajorMatter

    compound = factory.SubFactory(gf.CompoundFactory)
    kind = models.MajorMatter.Kind.ELEVATOR
    title = factory.Sequence(lambda n: f"{n}号楼加装电梯")
    party_org = factory.SubFactory(
        gf.PartyOrganizationFactory,
        community=factory.SelfAttribute("..compound.community"),
    )


class ProposalFactory(DjangoModelFactory):
    class Meta:
        model = models.Proposal

    community = factory.SubFactory(gf.CommunityFactory)
    title = factory.Sequence(lambda n: f"建议{n}")
    text = "增设休息座椅"
    proposer_name = "刘阿姨"
    proposer_phone = factory.Sequence(lambda n: f"139{n:08d}")
    support_count = 1
