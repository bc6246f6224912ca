"""Major matters: the party organisation first, then Article 278 votes."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from deliberation.models import MajorMatter
from deliberation.services import (
    GateClosed,
    major_matter_decide,
    major_matter_party_review,
    owner_vote_record,
)
from deliberation.voting import owners_vote_outcome
from grids.models import Household
from tests.deliberation.factories import MajorMatterFactory

A = Decimal


def _outcome(votes, *, total_owners, total_area, special):
    return owners_vote_outcome(
        total_area=A(total_area),
        total_owners=total_owners,
        votes=votes,
        special=special,
    )


def _codes(outcome):
    return {code for code, _message in outcome.failed}


def test_participation_exactly_two_thirds_is_enough():
    """3 of 9 owners missing: exactly two thirds took part, by head and by area."""
    votes = [(A(100), "agree")] * 6
    assert _outcome(votes, total_owners=9, total_area=900, special=False).passed


def test_participation_just_below_two_thirds_fails_and_says_which():
    """5 of 8 owners (62.5%) is below two thirds; the area check passes."""
    votes = [(A(100), "agree")] * 4 + [(A(340), "agree")]
    outcome = _outcome(votes, total_owners=8, total_area=1080, special=False)
    assert not outcome.passed
    assert _codes(outcome) == {"participation_owners"}


def test_special_matter_needs_exactly_three_quarters():
    """Raising the fund: 3 of 4 participating owners and area agree: passed."""
    votes = [(A(100), "agree")] * 3 + [(A(100), "disagree")]
    assert _outcome(votes, total_owners=4, total_area=400, special=True).passed


def test_special_matter_just_below_three_quarters_fails():
    """74 of 100 agreeing owners (with equal areas) is not three quarters."""
    votes = [(A(1), "agree")] * 74 + [(A(1), "disagree")] * 26
    outcome = _outcome(votes, total_owners=100, total_area=100, special=True)
    assert _codes(outcome) == {"consent_area", "consent_owners"}


def test_other_matter_needs_more_than_half_not_exactly_half():
    """An elevator: exactly half agreeing fails; one more passes."""
    half = [(A(50), "agree")] * 5 + [(A(50), "disagree")] * 5
    assert _codes(_outcome(half, total_owners=10, total_area=500, special=False)) == {
        "consent_area",
        "consent_owners",
    }
    more = [(A(50), "agree")] * 6 + [(A(50), "disagree")] * 4
    assert _outcome(more, total_owners=10, total_area=500, special=False).passed


def test_area_and_headcount_are_counted_separately():
    """Most owners agree but they hold little area: the area threshold fails."""
    votes = [(A(30), "agree")] * 3 + [(A(200), "disagree")]
    outcome = _outcome(votes, total_owners=4, total_area=290, special=False)
    assert _codes(outcome) == {"consent_area"}


@pytest.fixture
def matter(world):
    """An elevator for building 3 of compound K1, raised with the community's
    party committee."""
    return MajorMatterFactory(
        compound=world.households["G1"][0].unit.building.compound,
        kind="elevator",
        title="3号楼加装电梯",
        party_org__kind="community_committee",
    )


def test_owners_cannot_decide_before_the_party_organisation(world, matter):
    """The gate: no owners' decision, by service or by database, before the
    party organisation has passed the matter."""
    with pytest.raises(GateClosed):
        major_matter_decide(matter=matter, actor=world.users["community"])
    matter.refresh_from_db()
    assert matter.status == "raised" and matter.owners_decided_at is None
    with pytest.raises(IntegrityError), transaction.atomic():
        MajorMatter.objects.filter(pk=matter.pk).update(
            owners_decided_at=timezone.now()
        )


def test_sent_back_matter_cannot_be_voted_on(world, matter):
    """A matter sent back with an opinion takes no votes."""
    major_matter_party_review(
        matter=matter,
        actor=world.users["community"],
        passed=False,
        opinion="补充业主意见",
    )
    household = world.households["G1"][0]
    with pytest.raises(GateClosed):
        owner_vote_record(
            matter=matter,
            household=household,
            choice="agree",
            actor=world.users["community"],
        )


def test_votes_only_from_the_compound_and_once(world, matter):
    """A household of another compound, or one voting twice, is refused."""
    staff = world.users["community"]
    major_matter_party_review(
        matter=matter, actor=staff, passed=True, opinion="同意提交业主表决"
    )
    household = world.households["G1"][0]
    owner_vote_record(matter=matter, household=household, choice="agree", actor=staff)
    with pytest.raises(ValidationError, match="已经投过票"):
        owner_vote_record(
            matter=matter, household=household, choice="agree", actor=staff
        )
    with pytest.raises(ValidationError, match="不是该小区的业主"):
        owner_vote_record(
            matter=matter,
            household=world.households["G3"][0],
            choice="agree",
            actor=staff,
        )


def test_decision_is_computed_from_recorded_votes(world, matter):
    """All four households of the compound agree: the elevator passes."""
    staff = world.users["community"]
    major_matter_party_review(matter=matter, actor=staff, passed=True, opinion="同意")
    for grid in ("G1", "G2"):
        for household in world.households[grid]:
            owner_vote_record(
                matter=matter, household=household, choice="agree", actor=staff
            )
    decided = major_matter_decide(matter=matter, actor=staff)
    assert decided.status == "owners_passed"
    assert decided.outcome["voted_owners"] == 4
    # Every step is on the timeline, each recorded vote too (who entered it).
    assert list(decided.events.values_list("action", flat=True)) == [
        "party_pass",
        *["record_vote"] * 4,
        "owners_decide",
    ]


def test_vote_count_uses_one_register_for_total_and_votes(world, passed_matter):
    """Areas changed after voting do not make the votes exceed the total."""
    staff = world.users["community"]
    households = world.households["G1"] + world.households["G2"]
    for household in households[:3]:
        owner_vote_record(
            matter=passed_matter, household=household, choice="agree", actor=staff
        )
    Household.objects.filter(pk__in=[h.pk for h in households]).update(
        floor_area=Decimal(1)
    )
    decided = major_matter_decide(matter=passed_matter, actor=staff)
    assert Decimal(decided.outcome["voted_area"]) <= Decimal(
        decided.outcome["total_area"]
    )
