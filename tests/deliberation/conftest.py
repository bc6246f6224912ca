"""Fixtures shared by the deliberation tests: the bodies of community C1 and a
major matter the party organisation has passed."""

import pytest

from deliberation.services import major_matter_party_review
from tests.deliberation.factories import BodyFactory, MajorMatterFactory
from tests.petitions.conftest import building, category, relay, submit  # noqa: F401


@pytest.fixture
def body(world):
    """Community C1's monthly 红色议事会."""
    return BodyFactory(community=world.c1)


@pytest.fixture
def fengsi_body(world):
    """Community C1's 逢四说事, meeting on the 4th, 14th and 24th."""
    return BodyFactory(community=world.c1, fengsi=True)


@pytest.fixture
def passed_matter(world):
    """A fund-raising matter of compound K1 that the party organisation passed."""
    matter = MajorMatterFactory(
        compound=world.households["G1"][0].unit.building.compound,
        kind="fund_raise",
        title="筹集维修资金",
    )
    return major_matter_party_review(
        matter=matter, actor=world.users["community"], passed=True, opinion="同意"
    )
