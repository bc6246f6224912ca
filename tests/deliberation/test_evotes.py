"""Owners' e-votes on major matters: a verified phone the register keeps in a
household of the compound votes once per household in the open window; paper
ballots and online votes merge, the first recorded counting."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.errors import ApplicationError
from deliberation.models import MajorMatterEvent, OwnerVote
from deliberation.services import (
    major_matter_decide,
    major_matter_party_review,
    major_matter_voting_open,
    owner_evote_cast,
    owner_vote_record,
)
from tests.deliberation.factories import MajorMatterFactory
from tests.grids.factories import resident_verify

HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def voting(world):
    """An elevator for compound K1 (four households), passed by the party
    organisation, e-voting open from an hour ago for a week."""
    staff = world.users["community"]
    matter = MajorMatterFactory(
        compound=world.households["G1"][0].unit.building.compound,
        kind="elevator",
        title="1号楼加装电梯",
    )
    major_matter_party_review(matter=matter, actor=staff, passed=True, opinion="同意")
    now = timezone.now()
    return major_matter_voting_open(
        matter=matter,
        opens_at=now - HOUR,
        closes_at=now + datetime.timedelta(days=7),
        actor=staff,
    )


def _owner(world, grid="G1", n=0):
    person = world.people[grid][n]
    return person.household, person.mobile


def test_evote_counts_once_per_household_and_writes_an_event(world, voting):
    """An owner's phone votes for their household; a second try is refused;
    the timeline says the household voted, not how."""
    household, phone = _owner(world)
    vote = owner_evote_cast(
        matter=voting, household=household, phone=phone, choice="disagree"
    )
    assert vote.channel == "online" and vote.phone == phone
    with pytest.raises(ValidationError, match="已经在线投票"):
        owner_evote_cast(
            matter=voting, household=household, phone=phone, choice="agree"
        )
    assert OwnerVote.objects.get().choice == "disagree"
    event = MajorMatterEvent.objects.filter(matter=voting, action="cast_evote").get()
    assert phone not in event.actor_label and "反对" not in event.note


def test_evote_only_in_the_open_window(world, voting, pinned_clock):
    """Before the window opens and after it closes, the vote is refused."""
    household, phone = _owner(world)
    early = voting.voting_opens_at - HOUR
    with pytest.raises(ValidationError, match="未开放"):
        owner_evote_cast(
            matter=voting, household=household, phone=phone, choice="agree", now=early
        )
    pinned_clock.shift(datetime.timedelta(days=8))
    with pytest.raises(ValidationError, match="未开放"):
        owner_evote_cast(
            matter=voting, household=household, phone=phone, choice="agree"
        )
    assert not OwnerVote.objects.exists()


def test_evote_from_a_phone_not_on_the_households_register_is_refused(world, voting):
    """A phone of another household, or of no one, cannot vote for it."""
    household, _phone = _owner(world, "G1", 0)
    _other, other_phone = _owner(world, "G2", 0)
    for phone in (other_phone, "13900000000"):
        with pytest.raises(ValidationError, match="不在本小区住户的登记中"):
            owner_evote_cast(
                matter=voting, household=household, phone=phone, choice="agree"
            )
    outsider, outsider_phone = _owner(world, "G3", 0)
    with pytest.raises(ValidationError):
        owner_evote_cast(
            matter=voting, household=outsider, phone=outsider_phone, choice="agree"
        )
    assert not OwnerVote.objects.exists()


def test_paper_and_online_votes_merge_the_first_counting(world, voting):
    """A paper ballot after an online vote is refused with when it was cast;
    an online vote after a paper ballot likewise; the count takes each
    household once and says how many voted which way."""
    staff = world.users["community"]
    online, phone = _owner(world, "G1", 0)
    owner_evote_cast(matter=voting, household=online, phone=phone, choice="agree")
    with pytest.raises(ValidationError, match="已经在线投票"):
        owner_vote_record(
            matter=voting, household=online, choice="disagree", actor=staff
        )
    paper, paper_phone = _owner(world, "G1", 1)
    owner_vote_record(matter=voting, household=paper, choice="agree", actor=staff)
    with pytest.raises(ValidationError, match="已经投过票"):
        owner_evote_cast(
            matter=voting, household=paper, phone=paper_phone, choice="disagree"
        )
    for person in world.people["G2"]:
        owner_evote_cast(
            matter=voting,
            household=person.household,
            phone=person.mobile,
            choice="agree",
        )
    with pytest.raises(ApplicationError, match="之后再计票"):
        major_matter_decide(matter=voting, actor=staff)
    decided = major_matter_decide(
        matter=voting, actor=staff, now=voting.voting_closes_at + HOUR
    )
    assert decided.status == "owners_passed"
    assert decided.outcome["voted_owners"] == 4
    assert (decided.outcome["online_owners"], decided.outcome["paper_owners"]) == (3, 1)


def test_voting_window_must_close_after_it_opens_and_ahead(world, voting):
    """A window that closes before it opens, or in the past, is refused."""
    now = timezone.now()
    for opens, closes in ((now, now - HOUR), (now - 3 * HOUR, now - HOUR)):
        with pytest.raises(ValidationError):
            major_matter_voting_open(
                matter=voting,
                opens_at=opens,
                closes_at=closes,
                actor=world.users["community"],
            )


# --- the resident page -------------------------------------------------------------


def _url(world, matter, community=None):
    community = community or world.c1
    return reverse("deliberation:vote", args=[community.pk, matter.pk])


def test_vote_page_shows_the_tally_and_sends_an_unverified_device_to_verify(
    client, world, voting
):
    """Anyone reads the totals; voting needs a verified phone."""
    page = client.get(_url(world, voting)).content.decode()
    assert 'id="tally"' in page and "/me/verify/" in page
    response = client.post(
        _url(world, voting), {"household": world.households["G1"][0].pk}
    )
    assert response.status_code == 302 and "/me/verify/" in response["Location"]
    assert not OwnerVote.objects.exists()


def test_vote_page_verified_owner_votes_and_the_tally_moves(client, world, voting):
    """A verified owner votes on the page; the totals show it, and 我的 and
    the community's deliberation page link to the matter."""
    household, phone = _owner(world)
    resident_verify(client, phone)
    response = client.post(
        _url(world, voting), {"household": household.pk, "choice": "agree"}
    )
    assert response.status_code == 302
    page = client.get(_url(world, voting)).content.decode()
    assert "4 户中已有 1 户投票" in page and "您已投票" in page
    assert _url(world, voting) in client.get("/me/").content.decode()
    community = reverse("deliberation:community", args=[world.c1.pk])
    assert _url(world, voting) in client.get(community).content.decode()


def test_vote_page_refuses_an_unmatched_phone_and_hides_others_votes(
    client, world, voting
):
    """A verified phone not on the register gets no form; a forged household
    is refused; the page never shows how another household voted."""
    household, phone = _owner(world, "G2", 0)
    owner_evote_cast(matter=voting, household=household, phone=phone, choice="abstain")
    resident_verify(client, "13900000000")
    page = client.get(_url(world, voting)).content.decode()
    assert "vote-form" not in page and str(household) not in page
    response = client.post(
        _url(world, voting), {"household": household.pk, "choice": "agree"}
    )
    assert response.status_code == 400
    assert OwnerVote.objects.get().choice == "abstain"


def test_vote_page_limits_tries_per_verified_phone(client, world, voting, settings):
    """The form posts no phone: the limit per phone counts the verified one."""
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "owner_vote": {"ip": ["100/m"], "phone": ["2/h"]},
    }
    household, phone = _owner(world)
    resident_verify(client, phone)
    data = {"household": household.pk, "choice": "agree"}
    statuses = [client.post(_url(world, voting), data).status_code for _ in range(3)]
    assert statuses == [302, 400, 429]


def test_vote_page_of_another_communitys_matter_is_404(client, world, voting):
    """The matter under another community's address does not exist."""
    assert client.get(_url(world, voting, world.c2)).status_code == 404


def test_vote_page_query_count(client, world, voting, django_assert_num_queries):
    """The page of a verified owner costs a fixed number of queries however
    many have voted."""
    _household, phone = _owner(world)
    resident_verify(client, phone)
    staff = world.users["community"]
    owner_vote_record(
        matter=voting, household=world.households["G2"][0], choice="agree", actor=staff
    )
    with django_assert_num_queries(7):
        assert client.get(_url(world, voting)).status_code == 200
    owner_vote_record(
        matter=voting, household=world.households["G2"][1], choice="agree", actor=staff
    )
    with django_assert_num_queries(7):
        assert client.get(_url(world, voting)).status_code == 200


# --- the admin ----------------------------------------------------------------------


def test_admin_opens_e_voting_and_shows_the_live_tally(client, world, voting):
    """Staff set the window as a step (on the timeline), see the count so far,
    paper and online, and a paper ballot for a household that voted online is
    refused with a clear message."""
    household, phone = _owner(world)
    owner_evote_cast(matter=voting, household=household, phone=phone, choice="agree")
    client.force_login(world.users["community"])
    url = reverse("admin:deliberation_majormatter_step", args=[voting.pk])
    closes = timezone.localtime(timezone.now() + datetime.timedelta(days=10))
    client.post(
        url,
        {
            "action": "open_voting",
            "opens_at_0": closes.strftime("%Y-%m-%d"),
            "opens_at_1": "00:00:00",
            "closes_at_0": closes.strftime("%Y-%m-%d"),
            "closes_at_1": "23:00:00",
        },
    )
    voting.refresh_from_db()
    assert timezone.localtime(voting.voting_closes_at).date() == closes.date()
    assert voting.events.filter(action="open_voting").count() == 2
    refused = client.post(
        url,
        {"action": "record_vote", "household": household.pk, "choice": "disagree"},
        follow=True,
    ).content.decode()
    assert "已经在线投票" in refused
    page = reverse("admin:deliberation_majormatter_change", args=[voting.pk])
    shown = client.get(page).content.decode()
    assert "4 户中已有 1 户投票（网上 1 户，纸质 0 户）" in shown
    assert OwnerVote.objects.get().choice == "agree"
