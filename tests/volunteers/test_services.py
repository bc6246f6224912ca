"""Volunteer service: activities to verified hours and the honour list, wishes
from post to confirmation, and the rules that keep the figures honest."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from core import calendar
from grids.models import PartyMember
from tests.volunteers.factories import ActivityFactory, StockItemFactory, TeamFactory
from volunteers.models import SignUp, Wish
from volunteers.selectors import honour_list
from volunteers.services import (
    Conflict,
    activity_cancel,
    activity_check,
    activity_sign_up,
    registration_confirm,
    registration_submit,
    signup_verify,
    stock_adjust,
    wish_claim,
    wish_confirm,
    wish_fulfil,
    wish_post,
    wish_review,
)


def test_activity_path_to_verified_hours_and_honour_list(world, pinned_clock):
    """Sign-up → waiting list → a place frees up → check-in/out → the organiser
    verifies → the volunteer and the team are on the month's honour list."""
    # On to a 15th, so that the activities of the next hours are this month's
    # (forward only: the staff's roles begin today).
    today = calendar.today()
    fifteenth = calendar.add_months(today.replace(day=15), int(today.day >= 15))
    pinned_clock.move_to(calendar.local_datetime(fifteenth, datetime.time(10)))
    staff = world.users["community"]
    team = TeamFactory(community=world.c1, name="红领管家")
    a1 = ActivityFactory(
        community=world.c1, team=team, capacity=1, starts_in=datetime.timedelta(hours=1)
    )
    first = activity_sign_up(activity=a1, name="张三", phone="13900000001")
    second = activity_sign_up(activity=a1, name="李四", phone="13900000002")
    assert (first.status, second.status) == ("confirmed", "waiting")
    activity_cancel(signup=first)
    second.refresh_from_db()
    assert second.status == "confirmed"
    during = a1.starts_at + datetime.timedelta(minutes=5)
    activity_check(activity=a1, phone="13900000002", now=during)
    activity_check(activity=a1, phone="13900000002", now=a1.ends_at)
    verified = signup_verify(signup=second, actor=staff)
    assert verified.verified_hours == Decimal("1.92")  # from 5 minutes past the start
    a2 = ActivityFactory(
        community=world.c1, team=team, capacity=5, starts_in=datetime.timedelta(hours=3)
    )
    s2 = activity_sign_up(activity=a2, name="李四", phone="13900000002")
    signup_verify(signup=s2, actor=staff, hours=Decimal("1.5"))
    ranking = honour_list(community=world.c1, month=calendar.today())
    assert [(r.name, r.hours) for r in ranking["volunteers"]] == [
        ("李四", Decimal("3.42"))
    ]
    assert [r.name for r in ranking["teams"]] == ["红领管家"]


def test_unverified_hours_never_count(world):
    """Checked in and out but not verified: nobody is on the honour list."""
    for hours in (1, 4):
        activity = ActivityFactory(
            community=world.c1, starts_in=datetime.timedelta(hours=hours)
        )
        activity_sign_up(activity=activity, name="王五", phone="13900000003")
        activity_check(activity=activity, phone="13900000003", now=activity.starts_at)
        activity_check(activity=activity, phone="13900000003", now=activity.ends_at)
    assert (
        honour_list(community=world.c1, month=timezone.localdate())["volunteers"] == []
    )


def test_check_in_outside_the_window_is_refused(world):
    """A check-in two hours after the end is refused."""
    activity = ActivityFactory(
        community=world.c1, starts_in=datetime.timedelta(hours=1)
    )
    activity_sign_up(activity=activity, name="赵六", phone="13900000004")
    with pytest.raises(ValidationError, match="只能在活动时间前后"):
        activity_check(
            activity=activity,
            phone="13900000004",
            now=activity.ends_at + datetime.timedelta(hours=2),
        )


def test_hours_longer_than_the_activity_are_refused(world):
    """An organiser cannot verify 5 hours for a 2-hour activity."""
    activity = ActivityFactory(
        community=world.c1, starts_in=datetime.timedelta(hours=1)
    )
    signup = activity_sign_up(activity=activity, name="赵六", phone="13900000004")
    with pytest.raises(ValidationError):
        signup_verify(signup=signup, actor=world.users["community"], hours=Decimal(5))
    signup.refresh_from_db()
    assert signup.verified_hours is None


def test_wish_from_post_to_confirmation(world):
    """post → review → claim → fulfil → confirm, each step on the timeline."""
    staff = world.users["community"]
    wish = wish_post(
        community=world.c1,
        title="想要一副老花镜",
        text="看报纸",
        wisher_name="陈奶奶",
        beneficiary_kind="elderly",
    )
    wish = wish_review(wish=wish, actor=staff, publish=True)
    wish = wish_claim(wish=wish, name="志愿者小王", phone="13900000005")
    wish = wish_fulfil(wish=wish, phone="13900000005")
    wish = wish_confirm(wish=wish, rating="satisfied", actor=staff)
    assert wish.status == "confirmed"
    assert list(wish.events.values_list("action", flat=True)) == [
        "post",
        "publish",
        "claim",
        "fulfil",
        "confirm_for",  # staff confirmed for the wisher
    ]
    ranking = honour_list(community=world.c1, month=timezone.localdate())
    assert ranking["wishes"][0]["name"] == "志愿者小王"


def test_wish_claimed_twice_one_wins(world):
    """The second claim of the same wish is refused and changes nothing."""
    wish = wish_review(
        wish=wish_post(community=world.c1, title="补课", text="", wisher_name="小明"),
        actor=world.users["community"],
        publish=True,
    )
    wish_claim(wish=wish, name="甲", phone="13900000006")
    with pytest.raises(Conflict):
        wish_claim(wish=wish, name="乙", phone="13900000007")
    wish.refresh_from_db()
    assert wish.claimer_name == "甲"


@pytest.mark.django_db(transaction=True)
def test_wish_concurrent_claims_exactly_one_wins(world):
    """Two volunteers claiming at the same moment: exactly one succeeds."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers in-process; PostgreSQL runs this")
    wish = wish_review(
        wish=wish_post(
            community=world.c1, title="陪老人看病", text="", wisher_name="刘爷爷"
        ),
        actor=world.users["community"],
        publish=True,
    )
    results, barrier = [], threading.Barrier(2)

    def claim(name, phone):
        barrier.wait()
        try:
            wish_claim(wish=wish, name=name, phone=phone)
            results.append("won")
        except Conflict:
            results.append("lost")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=claim, args=("甲", "13900000008")),
        threading.Thread(target=claim, args=("乙", "13900000009")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["lost", "won"]
    assert Wish.objects.get(pk=wish.pk).status == "claimed"


def test_registration_for_a_household_of_another_community_is_refused(world):
    """双报到 at a household outside the community is refused."""
    with pytest.raises(ValidationError, match="不在"):
        registration_submit(
            community=world.c1,
            household=world.households["G4"][0],
            name="在职党员",
            phone="13900000010",
            work_unit="聊城大学",
            work_unit_party_org="聊城大学党委",
        )


def test_registration_confirmed_makes_an_in_service_party_member(world):
    """Confirming puts the member on the register as 双报到, in a grid."""
    registration = registration_submit(
        community=world.c1,
        household=world.households["G1"][0],
        name="在职党员",
        phone="13900000011",
        work_unit="东昌府区税务局",
        work_unit_party_org="税务局党委",
    )
    registration_confirm(
        registration=registration,
        actor=world.users["community"],
        grid=world.grids["G1"],
    )
    member = PartyMember.objects.get(person__name="在职党员")
    assert (member.kind, member.grid, member.work_unit) == (
        "in_service",
        world.grids["G1"],
        "东昌府区税务局",
    )


def test_stock_never_goes_negative(world):
    """Taking out more than there is is refused; the quantity stays."""
    item = StockItemFactory(station__community=world.c1, quantity=3)
    stock_adjust(item=item, delta=-2, actor=world.users["community"])
    with pytest.raises(ValidationError, match="库存不能为负数"):
        stock_adjust(item=item, delta=-2, actor=world.users["community"])
    item.refresh_from_db()
    assert item.quantity == 1


def test_sign_up_twice_with_one_phone_keeps_one_place(world):
    """A double tap keeps one sign-up."""
    activity = ActivityFactory(
        community=world.c1, starts_in=datetime.timedelta(hours=2)
    )
    activity_sign_up(activity=activity, name="甲", phone="13900000012")
    activity_sign_up(activity=activity, name="甲", phone="139 0000 0012")
    assert SignUp.objects.filter(activity=activity).count() == 1
