"""Notices (通知公告): written as drafts, published for a window, pinned,
with photos cleaned like every upload, read by residents; and the residents'
calendar of meetings ahead."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from core.lifecycle import TransitionNotAllowed
from grids.models import Notice, NoticeEvent
from grids.notices.selectors import notices_for_residents
from grids.notices.services import (
    notice_attach,
    notice_create,
    notice_publish,
    notice_withdraw,
)
from tests.deliberation.factories import BodyFactory, MeetingFactory

HOUR = datetime.timedelta(hours=1)


def _notice(world, title="停水通知", **fields):
    return notice_create(
        actor=world.users["community"],
        community=world.c1,
        title=title,
        body="因管道维修，明日 9:00–17:00 停水。",
        **fields,
    )


def _jpeg_with_gps() -> io.BytesIO:
    image = Image.new("RGB", (800, 600), "white")
    exif = Image.Exif()
    exif[0x8825] = {2: (36.0, 27.0, 0.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    out.seek(0)
    out.size = len(out.getvalue())
    out.name = "停水.jpg"
    return out


def test_notice_is_shown_only_when_published_and_within_its_window(world):
    """A draft, a notice not yet due, one past its end and a withdrawn one are
    not shown; published ones are, pinned first; each step is on the
    timeline."""
    now = timezone.now()
    draft = _notice(world, "草稿")
    later = notice_publish(
        actor=world.users["community"],
        notice=_notice(world, "下周", publish_from=now + 24 * HOUR),
    )
    past = _notice(world, "过期", publish_from=now - 48 * HOUR)
    Notice.objects.filter(pk=past.pk).update(publish_until=now - HOUR)
    notice_publish(actor=world.users["community"], notice=past)
    shown = notice_publish(actor=world.users["community"], notice=_notice(world))
    notice_publish(
        actor=world.users["community"],
        notice=_notice(world, "置顶", is_pinned=True, publish_from=now - 72 * HOUR),
    )
    withdrawn = notice_publish(actor=world.users["community"], notice=_notice(world))
    notice_withdraw(actor=world.users["community"], notice=withdrawn, note="有误")
    titles = [n.title for n in notices_for_residents(community=world.c1)]
    assert titles == ["置顶", "停水通知"]
    assert draft.status == "draft" and later.status == "published"
    assert NoticeEvent.objects.filter(notice=withdrawn).count() == 2
    with pytest.raises(TransitionNotAllowed):
        notice_withdraw(actor=world.users["community"], notice=draft)
    assert shown.pk in {n.pk for n in notices_for_residents(community=world.c1)}


def test_notice_for_a_compound_and_its_place_are_checked(world):
    """A notice may be for one compound (or building) of the community: the
    compound filter keeps the community's own and that compound's; a compound
    of another community or a building without its compound is refused."""
    building = world.households["G1"][0].unit.building
    compound = building.compound
    other = world.households["G3"][0].unit.building.compound
    for_building = notice_publish(
        actor=world.users["community"],
        notice=_notice(world, "楼栋", compound=compound, building=building),
    )
    notice_publish(actor=world.users["community"], notice=_notice(world, "全社区"))
    kept = notices_for_residents(community=world.c1, compound_id=compound.pk)
    assert {n.title for n in kept} == {"楼栋", "全社区"}
    assert for_building.place == building
    with pytest.raises(ValidationError):
        _notice(world, "错", compound=other)
    with pytest.raises(ValidationError):
        _notice(world, "错", building=building)


def test_only_the_communitys_staff_write_its_notices(world):
    """A grid worker and another community's staff may not write one."""
    for username in ("grid", "steward"):
        with pytest.raises(PermissionDenied):
            notice_create(
                actor=world.users[username],
                community=world.c3,
                title="x",
                body="y",
            )


def test_notice_photos_are_cleaned_like_every_upload(world):
    """An attached photo is re-encoded as JPEG under a name of ours, without
    its GPS position; a file that is not a photo is refused."""
    notice = _notice(world)
    attachment = notice_attach(
        actor=world.users["community"],
        notice=notice,
        upload=_jpeg_with_gps(),
        caption="停水范围",
    )
    assert attachment.image.name.startswith("notices/")
    assert "停水" not in attachment.image.name
    with attachment.image.open("rb") as raw, Image.open(raw) as stored:
        assert stored.format == "JPEG"
        assert 0x8825 not in stored.getexif()
    text = io.BytesIO(b"not a photo at all")
    text.size = len(text.getvalue())
    with pytest.raises(ValidationError):
        notice_attach(actor=world.users["community"], notice=notice, upload=text)


def test_residents_read_notices_and_a_draft_is_404(client, world):
    """The list shows the published notices with a pinned query count; a
    published notice opens with its photo; a draft is a 404."""
    for n in range(3):
        notice = notice_publish(
            actor=world.users["community"], notice=_notice(world, f"通知{n}")
        )
        notice_attach(
            actor=world.users["community"], notice=notice, upload=_jpeg_with_gps()
        )
    draft = _notice(world, "草稿")
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"/c/{world.c1.pk}/notices/")
    assert page.status_code == 200
    assert len(queries) == 4
    text = page.content.decode()
    assert "通知0" in text and "草稿" not in text
    detail = client.get(f"/c/{world.c1.pk}/notices/{notice.pk}/")
    assert detail.status_code == 200 and "<img" in detail.content.decode()
    assert client.get(f"/c/{world.c1.pk}/notices/{draft.pk}/").status_code == 404
    assert client.get(f"/c/{world.c3.pk}/notices/{notice.pk}/").status_code == 404


def test_residents_see_the_meetings_ahead(client, world):
    """The calendar lists the community's planned meetings of the next two
    months, soonest first, not cancelled ones or other communities'."""
    body = BodyFactory(community=world.c1, name="逢四说事联席会议")
    MeetingFactory(body=body, starts_in=datetime.timedelta(days=3), place="议事厅")
    MeetingFactory(body=body, starts_in=datetime.timedelta(days=5), status="cancelled")
    MeetingFactory(
        body=BodyFactory(community=world.c3, name="别的社区"),
        starts_in=datetime.timedelta(days=2),
    )
    page = client.get(f"/c/{world.c1.pk}/meetings/")
    text = page.content.decode()
    assert text.count("逢四说事联席会议") == 1 and "议事厅" in text
    assert "别的社区" not in text


def test_community_staff_write_and_publish_a_notice_in_the_admin(client, world):
    """Community staff add a notice with a photo in the admin (a draft,
    written by them, the photo cleaned) and publish it with the action."""
    client.force_login(world.users["community"])
    now = timezone.localtime()
    response = client.post(
        "/admin/grids/notice/add/",
        {
            "community": world.c1.pk,
            "title": "电梯年检通知",
            "body": "本周五电梯年检，请走楼梯。",
            "publish_from_0": now.strftime("%Y-%m-%d"),
            "publish_from_1": now.strftime("%H:%M:%S"),
            "photo": _jpeg_with_gps(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    notice = Notice.objects.get(title="电梯年检通知")
    assert (notice.status, notice.created_by) == ("draft", world.users["community"])
    assert notice.attachments.count() == 1
    client.post(
        "/admin/grids/notice/",
        {"action": "publish", "_selected_action": [notice.pk]},
    )
    notice.refresh_from_db()
    assert notice.status == "published"
