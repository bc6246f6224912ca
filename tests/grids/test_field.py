"""The grid's field work: patrols and findings, household tags, care plans
and home visits, and what a finding or a visit's need turns into."""

import datetime

import pytest
import tablib
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from PIL import Image

from core import calendar
from core.lifecycle import TransitionNotAllowed
from core.models import AuditEvent, Notification
from grids import selectors, services, tasks
from grids.models import HouseholdTag, Patrol, PatrolFinding, Visit
from grids.resources import HouseholdTagResource
from petitions.models import Petition, PetitionPhoto
from tests.grids import factories as gf
from tests.grids.conftest import jpeg
from tests.petitions.factories import CategoryFactory
from volunteers.models import Wish


def _building(world, grid="G1"):
    return world.households[grid][0].unit.building


# --- patrols ------------------------------------------------------------------


def test_patrol_start_is_one_round_at_a_time(world, worker):
    """A second tap on "start" returns the round under way; the timeline says
    it started once."""
    user, person = worker
    first = services.patrol_start(actor=user, grid=world.grids["G1"])
    again = services.patrol_start(actor=user, grid=world.grids["G1"])
    assert first == again
    assert (first.person, first.status) == (person, Patrol.Status.ONGOING)
    assert list(first.events.values_list("action", flat=True)) == ["start"]


def test_patrol_start_only_in_a_grid_of_ones_own(world, worker):
    """A grid worker patrols their own grid, not the next one; a property
    steward does not patrol on the platform."""
    user, _person = worker
    with pytest.raises(PermissionDenied):
        services.patrol_start(actor=user, grid=world.grids["G2"])
    with pytest.raises(PermissionDenied):
        services.patrol_start(actor=world.users["steward"], grid=world.grids["G1"])
    assert not Patrol.objects.exists()


def test_finding_log_cleans_the_photo_and_keeps_to_the_grid(world, worker):
    """A finding's photo is stored re-encoded without its GPS position; a
    building of another grid and an ended round are refused."""
    user, _person = worker
    patrol = services.patrol_start(actor=user, grid=world.grids["G1"])
    finding = services.finding_log(
        actor=user,
        patrol=patrol,
        building=_building(world),
        kind=PatrolFinding.Kind.FIRE_LANE,
        description="3单元门口电动车飞线充电",
        photo=jpeg(),
    )
    with finding.photo.open("rb") as stored:
        image = Image.open(stored)
        assert not image.getexif()
    assert finding.photo.name.startswith("patrols/")
    assert "finding" not in finding.photo.name
    with pytest.raises(ValidationError):
        services.finding_log(
            actor=user,
            patrol=patrol,
            building=_building(world, "G2"),
            kind="other",
            description="别的网格",
        )
    services.patrol_end(actor=user, patrol=patrol, note="巡查完毕")
    with pytest.raises(ValidationError):
        services.finding_log(
            actor=user,
            patrol=patrol,
            building=_building(world),
            kind="other",
            description="结束以后",
        )
    assert PatrolFinding.objects.count() == 1


def test_patrol_end_writes_the_timeline(world, worker):
    """Ending a round stamps its end and summary and adds a timeline row;
    it cannot end twice."""
    user, _person = worker
    patrol = services.patrol_start(actor=user, grid=world.grids["G1"])
    ended = services.patrol_end(actor=user, patrol=patrol, note="一切正常")
    assert (ended.status, ended.note) == ("ended", "一切正常")
    assert ended.ended_at >= ended.started_at
    assert list(ended.events.values_list("action", flat=True)) == ["start", "end"]
    with pytest.raises(TransitionNotAllowed) as refused:
        services.patrol_end(actor=user, patrol=ended)
    assert "巡查" in str(refused.value.message)


def test_patrol_left_open_ends_at_its_last_finding(world, worker, pinned_clock):
    """A round left open past the limit is ended by the hourly task at its
    last finding; a second run finds nothing to end."""
    user, _person = worker
    patrol = services.patrol_start(actor=user, grid=world.grids["G1"])
    pinned_clock.shift(datetime.timedelta(minutes=40))
    finding = services.finding_log(
        actor=user,
        patrol=patrol,
        building=_building(world),
        kind="environment",
        description="垃圾桶满溢",
    )
    pinned_clock.shift(datetime.timedelta(hours=13))
    assert tasks.end_patrols_left_open_task() == 1
    assert tasks.end_patrols_left_open_task() == 0
    patrol.refresh_from_db()
    assert (patrol.status, patrol.ended_at) == ("ended", finding.created_at)
    assert patrol.events.last().action == "auto_end"


# --- findings and visits turned into cases and wishes ------------------------------


def test_finding_becomes_one_case_from_the_patrol(world, worker):
    """ "File as a case" makes a case of the finding (channel: patrol) with its
    photo, reported by the patroller; a second tap returns the same case."""
    user, person = worker
    category = CategoryFactory(code="fire-lane", name="消防通道堵塞", group="safety")
    patrol = services.patrol_start(actor=user, grid=world.grids["G1"])
    finding = services.finding_log(
        actor=user,
        patrol=patrol,
        building=_building(world),
        kind=PatrolFinding.Kind.FIRE_LANE,
        description="消防通道被私家车堵住",
        photo=jpeg(),
    )
    case = services.finding_follow_up(
        actor=user, finding=finding, kind="case", category=category
    )
    again = services.finding_follow_up(
        actor=user, finding=finding, kind="case", category=category
    )
    assert case == again and Petition.objects.count() == 1
    assert (case.channel, case.patrol_finding, case.building) == (
        "patrol",
        finding,
        finding.building,
    )
    assert (case.reporter_name, case.reporter_phone) == (person.name, person.mobile)
    assert case.filed_by == user
    assert case.photos.filter(stage=PetitionPhoto.Stage.REPORT).count() == 1
    assert finding.case == case


def test_visit_need_becomes_a_case_in_the_same_step(world, worker, cared):
    """A visit that found a need files it as a case for the household's
    resident (channel: visit) in the same step."""
    user, _person = worker
    household, _other = cared
    category = CategoryFactory()
    visit = services.visit_record(
        actor=user,
        household=household,
        findings="老人独自在家，精神尚可",
        need="卫生间水管漏水",
        follow_up="case",
        follow_up_data={"category": category},
    )
    case = Petition.objects.get()
    resident = world.people["G1"][0]
    assert (case.visit, case.channel, case.description) == (
        visit,
        "visit",
        "卫生间水管漏水",
    )
    assert (case.reporter_name, case.reporter_phone) == (resident.name, resident.mobile)
    assert case.place_detail == f"{household.unit.number} {household.room}"


def test_visit_need_becomes_a_wish_for_review(world, worker, cared):
    """A need posted as a micro-wish waits for the community's review, named
    after the household's resident and pointing at the visit."""
    user, _person = worker
    household, _other = cared
    visit = services.visit_record(
        actor=user,
        household=household,
        findings="老人想学用智能手机",
        need="想学用智能手机视频通话",
        follow_up="wish",
        follow_up_data={"beneficiary_kind": "elderly"},
    )
    wish = Wish.objects.get()
    assert (wish.visit, wish.status, wish.beneficiary_kind) == (
        visit,
        "submitted",
        "elderly",
    )
    assert wish.wisher_name == world.people["G1"][0].name
    assert wish.community == world.c1


def test_visit_follow_up_needs_a_need_and_writes_nothing_without(world, worker, cared):
    """Asking for a case without saying the need is refused, and no visit is
    left half recorded."""
    user, _person = worker
    household, _other = cared
    with pytest.raises(ValidationError):
        services.visit_record(
            actor=user,
            household=household,
            findings="正常",
            follow_up="case",
            follow_up_data={"category": CategoryFactory()},
        )
    assert not Visit.objects.exists() and not Petition.objects.exists()


def test_visit_only_in_ones_own_units_and_not_in_the_future(world, worker, cared):
    """Visits of another grid's household and visits dated ahead are refused."""
    user, _person = worker
    with pytest.raises(PermissionDenied):
        services.visit_record(
            actor=user, household=world.households["G2"][0], findings="x"
        )
    with pytest.raises(ValidationError):
        services.visit_record(
            actor=user,
            household=world.households["G1"][0],
            findings="x",
            visited_at=calendar.now() + datetime.timedelta(days=1),
        )


# --- care plans: when a visit is due --------------------------------------------------


def test_care_schedule_due_from_the_tag_then_every_days_after_a_visit(
    world, worker, cared, pinned_clock
):
    """A household never visited is due from the day it came under the plan;
    after a visit it is next due the plan's days later; the shortest plan of
    its tags sets the rhythm; plans out of force and other communities'
    plans do not count."""
    user, _person = worker
    alone, welfare = cared
    today = calendar.today()
    rows = {
        r.household_id: r
        for r in selectors.care_due_list(user=world.users["community"])
    }
    assert set(rows) == {alone.pk, welfare.pk}
    assert (rows[alone.pk].due, rows[alone.pk].every_days, rows[alone.pk].is_due) == (
        today,
        7,
        True,
    )
    assert rows[welfare.pk].every_days == 30

    services.visit_record(actor=user, household=alone, findings="一切安好")
    after = selectors.care_next_due(household=alone)
    assert after.due == today + datetime.timedelta(days=7)
    assert not after.is_due and after.days_left == 7

    # 低保 on the first household too: its 30-day plan does not slow the 7 days.
    gf.HouseholdTagFactory(household=alone, tag=gf.TagFactory(name="低保"))
    assert selectors.care_next_due(household=alone).every_days == 7
    # The 独居老人 plan goes out of force: the household follows 低保's 30 days.
    alone_plan = alone.household_tags.get(tag__name="独居老人").tag.care_plans.get()
    alone_plan.is_active = False
    alone_plan.save()
    assert selectors.care_next_due(household=alone).every_days == 30
    # Another community's plan for the same tag changes nothing here.
    gf.CarePlanFactory(community=world.c2, tag=gf.TagFactory(name="低保"), every_days=1)
    assert selectors.care_next_due(household=alone).every_days == 30


def test_care_due_list_is_scoped(world, cared):
    """A grid worker sees the households under care of their own grid only."""
    rows = selectors.care_due_list(user=world.users["grid"])
    assert [r.household_id for r in rows] == [cared[0].pk]
    assert selectors.care_due_list(user=world.users["steward"]) == []


def test_remind_visits_due_once_a_day_to_the_grid_worker(world, cared, pinned_clock):
    """Each morning the grid worker hears which households are due, once; the
    next day again while they still are."""
    assert tasks.remind_visits_due_task() == 1
    assert tasks.remind_visits_due_task() == 0
    message = Notification.objects.get(user=world.users["grid"])
    assert "独居老人" in message.body and str(cared[0]) in message.body
    pinned_clock.shift(datetime.timedelta(days=1))
    assert tasks.remind_visits_due_task() == 1


def test_alert_overdue_visits_tells_the_community_after_the_grace_days(
    world, cared, pinned_clock, settings
):
    """Community staff hear of a household only once its visit is more than
    the grace days overdue, once a day."""
    settings.GRIDS_VISIT_GRACE_DAYS = 3
    assert tasks.alert_overdue_visits_task() == 0
    pinned_clock.shift(datetime.timedelta(days=4))
    assert tasks.alert_overdue_visits_task() == 1
    assert tasks.alert_overdue_visits_task() == 0
    message = Notification.objects.get(user=world.users["community"])
    assert str(cared[0]) in message.body
    assert str(cared[1]) in message.body


# --- household tags -------------------------------------------------------------------


def test_household_tag_add_and_remove_are_audited_and_scoped(world, worker):
    """Grid workers tag the households of their grid (tagging twice keeps one
    tag); a steward may not; every change leaves an audit row."""
    user, _person = worker
    household = world.households["G1"][1]
    tag = gf.TagFactory(name="空巢")
    first = services.household_tag_add(actor=user, household=household, tag=tag)
    again = services.household_tag_add(
        actor=user, household=household, tag=tag, note="子女在外地"
    )
    assert first.pk == again.pk and again.note == "子女在外地"
    with pytest.raises(PermissionDenied):
        services.household_tag_add(
            actor=world.users["steward"], household=household, tag=tag
        )
    with pytest.raises(PermissionDenied):
        services.household_tag_add(
            actor=user, household=world.households["G2"][0], tag=tag
        )
    services.household_tag_remove(actor=user, household_tag=again)
    assert not HouseholdTag.objects.exists()
    actions = AuditEvent.objects.filter(action__startswith="householdtag.")
    assert sorted(actions.values_list("action", flat=True)) == [
        "householdtag.create",
        "householdtag.delete",
        "householdtag.update",
    ]


def _tag_rows(rows):
    headers = ["社区", "小区", "楼栋", "单元", "房号", "标签", "备注"]
    return tablib.Dataset(*rows, headers=headers)


def test_household_tags_import_from_a_spreadsheet(world):
    """Tags import like the register: places named as people name them; an
    unknown tag is reported on its row and a file with a bad row writes
    nothing; a clean file tags its households."""
    gf.TagFactory(name="独居老人")
    gf.TagFactory(name="低保")
    household = world.households["G1"][0]
    unit = household.unit
    place = ["端庄社区", unit.building.compound.name, unit.building.number, unit.number]
    with translation.override("zh-hans"):
        bad = HouseholdTagResource(user=world.users["community"]).import_data(
            _tag_rows(
                [
                    (*place, household.room, "独居老人", "85岁"),
                    (*place, household.room, "孤寡", ""),
                ]
            ),
            dry_run=True,
        )
        assert bad.has_validation_errors()
        assert "孤寡" in str(bad.invalid_rows[0].error_dict)
        assert not HouseholdTag.objects.exists()
        good = HouseholdTagResource(user=world.users["community"]).import_data(
            _tag_rows(
                [
                    (*place, household.room, "独居老人", "85岁"),
                    (*place, household.room, "低保", ""),
                ]
            )
        )
    assert not good.has_errors() and not good.has_validation_errors()
    assert sorted(household.tags.values_list("name", flat=True)) == ["低保", "独居老人"]
    assert household.household_tags.get(tag__name="独居老人").note == "85岁"
