"""Residents' volunteer pages, the staff admin actions, the API and reminders."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core import calendar
from core.models import Notification
from tests.grids.factories import resident_verify
from tests.volunteers.factories import (
    ActivityFactory,
    RegistrationFactory,
    ServiceItemFactory,
    SignUpFactory,
    StockItemFactory,
    WishFactory,
)
from volunteers.models import Activity, Registration, SignUp, Wish
from volunteers.services import wish_post
from volunteers.tasks import (
    alert_stock_task,
    alert_unclaimed_wishes_task,
    remind_activities_task,
)
from volunteers.views import check_in_url


@pytest.fixture
def activity(world):
    """Tomorrow's 重阳敬老 of community C1, with one place."""
    return ActivityFactory(
        community=world.c1,
        title="重阳敬老",
        kind="elderly",
        starts_in=datetime.timedelta(hours=20),
        capacity=1,
    )


def test_resident_signs_up_and_the_second_waits(client, world, activity):
    """On a phone: the first sign-up gets the place, the second is told it waits."""
    url = reverse("volunteers:sign-up", args=[activity.pk])
    resident_verify(client, "13900000001")
    first = client.post(url, {"name": "甲"}, follow=True)
    assert "报名成功" in first.content.decode()
    resident_verify(client, "13900000002")
    second = client.post(url, {"name": "乙"}, follow=True)
    assert "候补" in second.content.decode()
    assert list(activity.signups.values_list("status", flat=True)) == [
        "confirmed",
        "waiting",
    ]


def test_resident_sign_up_needs_a_verified_phone(client, world, activity):
    """Filling an activity with made-up numbers does not work: a sign-up
    without a verified phone goes to the code page and takes no place."""
    url = reverse("volunteers:sign-up", args=[activity.pk])
    for n in range(5):
        response = client.post(url, {"name": f"假{n}", "phone": f"1390000100{n}"})
        assert response["Location"].startswith(reverse("residents:verify"))
    assert not activity.signups.exists()


def test_check_in_page_by_qr_code(client, world, activity):
    """The activity's QR page (with the code shown on site now) checks a
    confirmed volunteer in, by their verified phone, during the window."""
    resident_verify(client, "13900000001")
    client.post(reverse("volunteers:sign-up", args=[activity.pk]), {"name": "甲"})
    url = check_in_url(activity)
    early = client.post(url)
    assert early.status_code == 400  # the activity starts tomorrow
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=timezone.now() - datetime.timedelta(minutes=5),
        ends_at=timezone.now() + datetime.timedelta(hours=2),
    )
    stale = client.post(reverse("volunteers:check-in", args=[activity.check_in_token]))
    assert stale.status_code == 403 and "请扫描活动现场" in stale.content.decode()
    response = client.post(url)
    assert response.status_code == 200 and "已签到" in response.content.decode()
    assert SignUp.objects.get().check_in_at is not None


def test_resident_posts_and_claims_a_wish(client, world):
    """A wish posted on the page waits for review; a published one is claimed."""
    client.post(
        reverse("volunteers:wish-post", args=[world.c1.pk]),
        {"title": "想要老花镜", "wisher_name": "陈奶奶", "beneficiary_kind": "elderly"},
    )
    wish = Wish.objects.get()
    assert wish.status == "submitted"
    client.force_login(world.users["community"])
    client.post(
        reverse("admin:volunteers_wish_changelist"),
        {"action": "publish_selected", "_selected_action": [wish.pk]},
    )
    client.logout()
    resident_verify(client, "13900000003")
    client.post(reverse("volunteers:wish-claim", args=[wish.pk]), {"name": "小王"})
    wish.refresh_from_db()
    assert (wish.status, wish.claimer_name) == ("claimed", "小王")
    page = client.get(
        reverse("volunteers:community", args=[world.c1.pk])
    ).content.decode()
    assert "13900000003" not in page


def test_admin_verify_action_counts_hours_only_then(client, world, activity):
    """The organiser's verify action turns check-ins into counted hours."""
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=3),
        ends_at=timezone.now() - datetime.timedelta(hours=1),
    )
    signup = SignUpFactory(
        activity=activity,
        check_in_at=timezone.now() - datetime.timedelta(hours=3),
        check_out_at=timezone.now() - datetime.timedelta(hours=1),
    )
    client.force_login(world.users["community"])
    client.post(
        reverse("admin:volunteers_signup_changelist"),
        {"action": "verify_selected", "_selected_action": [signup.pk]},
    )
    signup.refresh_from_db()
    assert str(signup.verified_hours) == "2.00"


def test_admin_confirms_a_registration(client, world):
    """Confirming a 双报到 registration in the admin registers the member."""
    registration = RegistrationFactory(
        household=world.households["G1"][0], grid=world.grids["G1"]
    )
    client.force_login(world.users["community"])
    client.post(
        reverse("admin:volunteers_registration_changelist"),
        {"action": "confirm_selected", "_selected_action": [registration.pk]},
    )
    registration.refresh_from_db()
    assert (
        registration.status == "confirmed"
        and registration.person.party_member.kind == "in_service"
    )


@pytest.mark.parametrize("n", [1, 8])
def test_api_activities_query_count_and_scope(
    client, world, django_assert_num_queries, n
):
    """The activities list is scoped and costs the same queries for 1 or 8."""
    for i in range(n):
        ActivityFactory(
            community=world.c1, starts_in=-datetime.timedelta(days=i + 1), hours=1
        )
    ActivityFactory(community=world.c3, title="foreign", starts_at=timezone.now())
    client.force_login(world.users["community"])
    # session, user, permissions (user, group, role), scope, count, rows
    with django_assert_num_queries(8):
        rows = client.get("/api/v1/activities/").json()
    assert rows["count"] == n


def test_reminders_and_alerts_are_sent_once(world, activity):
    """Day-before reminders, unclaimed wishes and stock alerts: once each."""
    SignUpFactory(activity=activity)
    assert remind_activities_task() == 1
    assert remind_activities_task() == 0
    wish = wish_post(community=world.c1, title="w", text="", wisher_name="x")
    Wish.objects.filter(pk=wish.pk).update(
        status="published", published_at=timezone.now() - datetime.timedelta(days=8)
    )
    assert alert_unclaimed_wishes_task() == 1
    assert alert_unclaimed_wishes_task() == 0
    StockItemFactory(
        station__community=world.c1,
        item_class="药品",
        name="碘伏",
        quantity=0,
        min_quantity=5,
        expiry_date=timezone.localdate() + datetime.timedelta(days=3),
    )
    assert alert_stock_task() == 2
    assert alert_stock_task() == 0
    assert Notification.objects.count() == 4


def test_two_way_list_entry_is_taken_up_once(client, world):
    """A need taken up on the page is claimed; a second claim is refused."""
    item = ServiceItemFactory(community=world.c1, title="楼道照明维修")
    url = reverse("volunteers:list-claim", args=[item.pk])
    assert client.post(url, {"claimed_by": "路人"}).status_code == 302
    item.refresh_from_db()
    assert item.status == "open"  # no verified phone: nothing claimed
    resident_verify(client, "13900000008")
    client.post(url, {"claimed_by": "国网聊城供电公司"})
    second = client.post(url, {"claimed_by": "另一家"}, follow=True)
    assert "已被认领" in second.content.decode()
    item.refresh_from_db()
    assert (item.status, item.claimed_by, item.claimer_phone) == (
        "claimed",
        "国网聊城供电公司",
        "13900000008",
    )


def test_yearly_summary_for_the_work_unit(client, world):
    """The printable summary shows a member's verified hours only."""
    registration = RegistrationFactory(
        household=world.households["G1"][0],
        name="在职党员乙",
        phone="13900000005",
        work_unit="东昌府区税务局",
        status="confirmed",
    )
    # This year's summary: an activity of this year, already over.
    starts = calendar.local_datetime(calendar.today().replace(month=1, day=1))
    activity = ActivityFactory(
        community=world.c1, title="健康讲座", kind="health", starts_at=starts, hours=3
    )
    SignUpFactory(
        activity=activity,
        name="在职党员乙",
        phone="13900000005",
        verified_hours=2,
        verified_at=timezone.now(),
    )
    client.force_login(world.users["community"])
    body = client.get(
        reverse("admin:volunteers_registration_summary", args=[registration.pk])
    ).content.decode()
    assert "健康讲座" in body and "2.00" in body and "东昌府区税务局" in body


def test_stations_api_lists_stock(client, world):
    """The stations endpoint answers with the station's stock."""
    StockItemFactory(
        station__community=world.c1, item_class="药品", name="碘伏", quantity=3
    )
    client.force_login(world.users["community"])
    rows = client.get("/api/v1/stations/").json()["results"]
    assert rows[0]["stock"][0]["name"] == "碘伏" and rows[0]["rescuers"] == 0


def test_waiting_list_is_respected_when_capacity_grows(client, world, activity):
    """Raising capacity in the admin moves the waiting volunteer up, and a
    newcomer does not jump the queue."""
    from volunteers.services import activity_sign_up

    activity_sign_up(activity=activity, name="甲", phone="13900000001")
    waiting = activity_sign_up(activity=activity, name="乙", phone="13900000002")
    client.force_login(world.users["community"])
    url = reverse("admin:volunteers_activity_change", args=[activity.pk])
    local = timezone.localtime
    response = client.post(
        url,
        {
            "community": world.c1.pk,
            "title": activity.title,
            "kind": activity.kind,
            "place": activity.place,
            "starts_at_0": local(activity.starts_at).date().isoformat(),
            "starts_at_1": local(activity.starts_at).strftime("%H:%M:%S"),
            "ends_at_0": local(activity.ends_at).date().isoformat(),
            "ends_at_1": local(activity.ends_at).strftime("%H:%M:%S"),
            "capacity": 2,
            "beneficiaries": 0,
            "signups-TOTAL_FORMS": 0,
            "signups-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"
    third = activity_sign_up(activity=activity, name="丙", phone="13900000003")
    assert third.status == "waiting"


def test_staff_without_contact_right_see_no_phones(client, world):
    """Subdistrict staff neither see nor search volunteers' numbers."""
    registration = RegistrationFactory(
        household=world.households["G1"][0], phone="13900000006"
    )
    client.force_login(world.users["street"])
    page = client.get(
        reverse("admin:volunteers_registration_change", args=[registration.pk])
    )
    assert "13900000006" not in page.content.decode()
    response = client.get(
        reverse("admin:volunteers_registration_changelist"),
        {"phone__startswith": "139"},
    )
    assert response.status_code == 400


def test_admin_bad_hours_are_a_form_error(client, world, activity):
    """Verifying more hours than the activity lasts is a form error, not a 500."""
    signup = SignUpFactory(activity=activity)
    client.force_login(world.users["community"])
    response = client.post(
        reverse("admin:volunteers_signup_change", args=[signup.pk]),
        {"verified_hours": "9"},
    )
    assert response.status_code == 200
    signup.refresh_from_db()
    assert signup.verified_hours is None


def test_member_reports_at_home_on_the_phone(client, world):
    """双报到 from the resident page lands as a registration waiting for staff."""
    household = world.households["G1"][0]
    resident_verify(client, "13900000007")
    response = client.post(
        reverse("volunteers:register", args=[world.c1.pk]),
        {
            "name": "在职党员丁",
            "work_unit": "湖西中学",
            "work_unit_party_org": "湖西中学党支部",
            "building": household.unit.building.pk,
            "unit": household.unit.number,
            "room": household.room,
        },
    )
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert (registration.household, registration.status) == (household, "pending")
    assert registration.phone == "13900000007"


def test_volunteer_cancels_and_fulfils_on_the_page(client, world, activity):
    """Cancelling moves the waiting volunteer up; a claimed wish is reported done
    by its volunteer and confirmed by staff."""
    from volunteers.services import activity_sign_up, wish_claim, wish_review

    activity_sign_up(activity=activity, name="甲", phone="13900000001")
    waiting = activity_sign_up(activity=activity, name="乙", phone="13900000002")
    cancel = reverse("volunteers:sign-up-cancel", args=[activity.pk])
    client.post(cancel, {"phone": "13900000001"})  # knowing the number is not enough
    resident_verify(client, "13900000009")
    client.post(cancel, {"phone": "13900000001"})  # nor is another verified phone
    assert activity.signups.filter(status="confirmed").get().phone == "13900000001"
    resident_verify(client, "13900000001")
    client.post(cancel)
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"
    wish = wish_post(community=world.c1, title="想要台灯", text="", wisher_name="小红")
    wish = wish_review(wish=wish, actor=world.users["community"], publish=True)
    wish_claim(wish=wish, name="小王", phone="13900000003")
    fulfil = reverse("volunteers:wish-fulfil", args=[wish.pk])
    resident_verify(client, "13900000009")
    client.post(fulfil, {"phone": "13900000003"})
    wish.refresh_from_db()
    assert wish.status == "claimed"  # only the volunteer who claimed it
    resident_verify(client, "13900000003")
    client.post(fulfil)
    client.force_login(world.users["community"])
    client.post(
        reverse("admin:volunteers_wish_changelist"),
        {"action": "confirm_selected", "_selected_action": [wish.pk]},
    )
    wish.refresh_from_db()
    assert (wish.status, wish.rating) == ("confirmed", "satisfied")


def test_admin_registration_steps_confirm_or_reject_with_a_reason(client, world):
    """A pending registration offers confirm and reject; rejecting needs a
    reason, and each step is on the registration's timeline."""
    registration = RegistrationFactory(household=world.households["G1"][0])
    client.force_login(world.users["community"])
    page = reverse("admin:volunteers_registration_change", args=[registration.pk])
    form = client.get(page).context["step_form"]
    assert [s.action for s in form.steps] == ["confirm", "reject"]
    step = reverse("admin:volunteers_registration_step", args=[registration.pk])
    client.post(step, {"action": "reject", "note": ""})
    registration.refresh_from_db()
    assert registration.status == "pending"
    client.post(step, {"action": "reject", "note": "不在本社区居住"})
    registration.refresh_from_db()
    assert registration.status == "rejected"
    event = registration.events.get()
    assert (event.action, event.note) == ("reject", "不在本社区居住")
    assert event.actor == world.users["community"]
    assert client.get(page).context["step_form"].steps == []


def test_admin_station_stock_edit_adjusts_by_the_difference(client, world):
    """Editing a quantity takes out or puts back the difference: an edit made
    on a stale page keeps the take-out someone made meanwhile."""
    from volunteers.services import stock_adjust

    item = StockItemFactory(
        station__community=world.c1, station__key_holders="物业", quantity=10
    )
    station = item.station
    client.force_login(world.users["community"])
    url = reverse("admin:volunteers_station_change", args=[station.pk])
    page = client.get(url)
    assert 'name="initial-stock-0-quantity" value="10"' in page.content.decode()
    stock_adjust(item=item, delta=-3, actor=world.users["community"])  # meanwhile
    data = {
        "name": station.name,
        "community": world.c1.pk,
        "key_holders": "物业",
        "is_open_24h": "",
        "also_covers": "",
        "stock-TOTAL_FORMS": 1,
        "stock-INITIAL_FORMS": 1,
        "stock-0-id": item.pk,
        "stock-0-station": station.pk,
        "stock-0-kind": "supply",
        "stock-0-item_class": "照明",
        "stock-0-name": "手电筒",
        "stock-0-quantity": 8,  # the page said 10: two were taken out
        "initial-stock-0-quantity": 10,
        "stock-0-min_quantity": 0,
        "stock-0-place": "",
        "rescuers-TOTAL_FORMS": 0,
        "rescuers-INITIAL_FORMS": 0,
        "trainings-TOTAL_FORMS": 0,
        "trainings-INITIAL_FORMS": 0,
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    item.refresh_from_db()
    assert item.quantity == 5


def test_community_page_shows_last_months_honour_list(client, world):
    """Early in a month this month's 红榜 is still empty; the page also shows
    last month's, with the volunteers of two verified activities on it."""
    first = calendar.local_datetime(calendar.previous_month(calendar.today()))
    for day in (3, 10):
        starts = first + datetime.timedelta(days=day, hours=9)
        SignUpFactory(
            activity=ActivityFactory(community=world.c1, starts_at=starts),
            name="刘志愿",
            phone="13900000009",
            check_in_at=starts,
            check_out_at=starts + datetime.timedelta(hours=2),
            verified_hours="2.00",
            verified_at=starts + datetime.timedelta(hours=3),
        )
    page = client.get(reverse("volunteers:community", args=[world.c1.pk]))
    html = page.content.decode()
    this_month, last_month = html.split("本月红榜")[1].split("上月红榜")
    assert "刘志愿" not in this_month
    # Four verified hours (SQLite sums them as 4, PostgreSQL as 4.00).
    assert re.search(r"刘志愿 · 4(\.00)? 小时", last_month)


@pytest.mark.parametrize("extra", [0, 8])
def test_community_page_query_count_is_fixed(client, world, extra):
    """The residents' volunteer page costs the same queries for 1 or 9
    activities and wishes."""
    for _ in range(extra + 1):
        ActivityFactory(community=world.c1, starts_in=datetime.timedelta(days=1))
        WishFactory(community=world.c1, status="published")
    url = reverse("volunteers:community", args=[world.c1.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert len(queries) == COMMUNITY_PAGE_QUERIES


#: Community, activities, published and claimed wishes, both months' honour
#: lists (names, people, teams, wishes rated, wish names: 5 each), resources
#: and needs.
COMMUNITY_PAGE_QUERIES = 1 + 3 + 2 * 5 + 2


def test_admin_projects_the_rotating_check_in_qr_code(client, world, activity):
    """Staff project the activity's check-in QR code with its current code;
    another community's activity answers 404."""
    client.force_login(world.users["community"])
    url = reverse("admin:volunteers_activity_check_in_qr", args=[activity.pk])
    page = client.get(url).content.decode()
    assert "<svg" in page and 'http-equiv="refresh"' in page
    assert check_in_url(activity) in page
    change = client.get(reverse("admin:volunteers_activity_change", args=[activity.pk]))
    assert url in change.content.decode()
    other = ActivityFactory(community=world.c2)
    missing = reverse("admin:volunteers_activity_check_in_qr", args=[other.pk])
    assert client.get(missing).status_code == 404
