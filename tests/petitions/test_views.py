"""The resident pages: report from a phone, follow, confirm and rate."""

import io
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from PIL import Image

from petitions.models import Petition
from petitions.photos import clean_photo
from petitions.services import petition_transition
from tests.petitions.factories import CategoryFactory


def _jpeg_with_gps() -> io.BytesIO:
    image = Image.new("RGB", (64, 48), "red")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (36.0, 27.0, 0.0), 3: "E", 4: (115.0, 58.0, 0.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    out.seek(0)
    out.name = "IMG_0001 家里.jpg"
    return out


def _post(client, building, category, **overrides):
    data = {
        "description": "卫生间天花板漏水",
        "place_detail": "1单元 302",
        "reporter_name": "刘阿姨",
        "reporter_phone": "139 1234 5678",
        "idempotency_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    url = reverse("petitions:report-building", args=[building.pk])
    return client.post(f"{url}?category={category.code}", data)


def test_report_from_building_qr_lands_on_tracking_page(client, building, category):
    """A QR link fixes the building; the resident gets a tracking page and number."""
    url = reverse("petitions:report-building", args=[building.pk])
    page = client.get(url)
    assert category.name in page.content.decode()
    response = _post(client, building, category)
    petition = Petition.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("petitions:track", args=[petition.tracking_token])
    assert (petition.building, petition.channel) == (building, "qr")
    assert petition.reporter_phone == "13912345678"
    tracking = client.get(response.url).content.decode()
    assert petition.number in tracking


def test_report_double_submit_makes_one_case(client, building, category):
    """Tapping send twice with the same form makes one case."""
    key = str(uuid.uuid4())
    _post(client, building, category, idempotency_key=key)
    _post(client, building, category, idempotency_key=key)
    assert Petition.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"reporter_phone": "12345"}, "不是有效的大陆手机号"),
        ({"reporter_phone": ""}, "请留下手机号"),
        ({"description": "x" * 10000}, "2000"),
        ({"description": ""}, "请描述问题，或者录一段语音"),
    ],
)
def test_report_bad_input_shows_form_errors(
    client, building, category, overrides, message
):
    """Bad input re-shows the form with a Chinese message and stores nothing."""
    response = _post(client, building, category, **overrides)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Petition.objects.exists()


def test_report_html_is_escaped_on_the_tracking_page(client, building, category):
    """Script in a description is shown as text, never run."""
    _post(client, building, category, description="<script>alert(1)</script>")
    petition = Petition.objects.get()
    body = client.get(
        reverse("petitions:track", args=[petition.tracking_token])
    ).content
    assert b"<script>alert(1)</script>" not in body
    assert b"&lt;script&gt;" in body


def test_report_photo_is_stripped_of_gps_and_renamed(client, building, category):
    """Uploaded photos lose their metadata and get a server-chosen name."""
    _post(client, building, category, photos=[_jpeg_with_gps()])
    photo = Petition.objects.get().photos.get()
    assert "IMG_0001" not in photo.image.name and photo.image.name.endswith(".jpg")
    with photo.image.open("rb") as stored:
        assert not Image.open(stored).getexif()


def test_report_refuses_files_that_are_not_photos(client, building, category):
    """A text file posing as a photo is refused with a message."""
    fake = io.BytesIO(b"not an image at all")
    fake.name = "evil.jpg"
    response = _post(client, building, category, photos=[fake])
    assert response.status_code == 400
    assert "不是可识别的照片" in response.content.decode()
    assert not Petition.objects.exists()


def test_photo_loses_comments_as_well_as_exif(db):
    """Text hidden in a JPEG comment does not survive the upload."""
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(out, format="JPEG", comment=b"home 1-301")
    out.seek(0)
    out.size = len(out.getvalue())
    cleaned = clean_photo(out)
    assert b"home 1-301" not in cleaned.read()


def test_photo_with_too_many_pixels_is_refused(db):
    """A tiny file that decodes to a huge image is refused before decoding."""
    out = io.BytesIO()
    Image.new("1", (9000, 9000)).save(out, format="PNG")
    out.seek(0)
    out.size = len(out.getvalue())
    with pytest.raises(ValidationError):
        clean_photo(out)


def test_report_refuses_too_many_photos(client, building, category):
    """Four photos are one too many."""
    photos = [_jpeg_with_gps() for _ in range(4)]
    response = _post(client, building, category, photos=photos)
    assert response.status_code == 400
    assert not Petition.objects.exists()


def test_report_extra_questions_are_asked_and_checked(client, building, db):
    """A category's required question must be answered, and its answer is kept."""
    from petitions.models import CategoryQuestion

    category = CategoryFactory(code="lift", name="电梯故障")
    CategoryQuestion.objects.create(
        category=category,
        code="floor",
        label="停在几楼",
        kind="number",
        is_required=True,
    )
    response = _post(client, building, category)
    assert response.status_code == 400
    _post(client, building, category, q_floor="7")
    assert Petition.objects.get().answers == {"floor": "7"}


def test_community_link_asks_for_the_building(client, world, category):
    """Without a QR code the resident picks the building of their community."""
    building = world.households["G2"][0].unit.building
    url = reverse("petitions:report", args=[world.c1.pk])
    page = client.get(url, {"category": category.code}).content.decode()
    assert building.number in page
    foreign = world.households["G4"][0].unit.building
    assert foreign.number not in page or foreign.compound.name not in page
    response = client.post(
        f"{url}?category={category.code}",
        {
            "description": "路灯坏了",
            "building": building.pk,
            "reporter_phone": "13812345678",
            "idempotency_key": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 302
    assert Petition.objects.get().grid == world.grids["G2"]


def test_resident_confirms_and_rates_on_the_tracking_page(client, world, submit):
    """When the case is resolved the resident confirms it and rates it."""
    petition = submit()
    staff = world.users["community"]
    petition_transition(petition=petition, action="accept", actor=staff)
    petition_transition(petition=petition, action="resolve", actor=staff, note="已修复")
    url = reverse("petitions:track", args=[petition.tracking_token])
    page = client.get(url).content.decode()
    assert "已修复" in page and "满意" in page
    client.post(
        reverse("petitions:track-confirm", args=[petition.tracking_token]),
        {"rating": "fairly", "comment": "还行"},
    )
    petition.refresh_from_db()
    assert (petition.status, petition.rating) == ("closed", "fairly")


def test_resident_reopens_on_the_tracking_page(client, world, submit):
    """ "Not fixed" sends the case back."""
    petition = submit()
    staff = world.users["community"]
    petition_transition(petition=petition, action="accept", actor=staff)
    petition_transition(petition=petition, action="resolve", actor=staff, note="已修复")
    client.post(
        reverse("petitions:track-reopen", args=[petition.tracking_token]),
        {"note": "还在漏"},
    )
    petition.refresh_from_db()
    assert petition.status == "accepted" and petition.reopen_count == 1


def test_tracking_page_hides_internal_notes(client, world, submit):
    """Internal notes never reach the resident's page."""
    petition = submit()
    petition_transition(
        petition=petition,
        action="hold",
        actor=world.users["community"],
        note="内部：等物业报价",
        is_public=False,
    )
    body = client.get(reverse("petitions:track", args=[petition.tracking_token]))
    assert "等物业报价" not in body.content.decode()


def test_unknown_tracking_token_is_404(client, db):
    """A made-up address finds nothing."""
    assert client.get(reverse("petitions:track", args=["nope"])).status_code == 404


def test_report_post_runs_at_most_fifteen_queries(client, world):
    """A resident's report is stored with its timeline row and its outbox row
    in a handful of queries (the place, the category, the insert, the number,
    the event, the outbox): at most fifteen."""
    import uuid

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from petitions.models import Petition
    from tests.petitions.factories import CategoryFactory

    category = CategoryFactory()
    building = world.households["G1"][0].unit.building
    url = f"/report/b/{building.pk}/?category={category.code}"
    data = {
        "description": "楼道漏水",
        "place_detail": "1单元 301",
        "reporter_name": "王大妈",
        "reporter_phone": "13912345678",
        "idempotency_key": str(uuid.uuid4()),
    }
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data)
    assert response.status_code == 302
    petition = Petition.objects.get()
    assert petition.events.filter(action="submit").exists()
    assert len(queries) <= 15, [q["sql"][:80] for q in queries]
