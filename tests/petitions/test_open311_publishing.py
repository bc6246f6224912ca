"""Open311 publishes only what is public: no private category, no photo staff
did not mark, no coordinates finer than a compound, no personal numbers."""

import decimal
import io

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.models import AuditEvent
from petitions.admin import PetitionPhotoAdmin
from petitions.models import Category, PetitionPhoto
from petitions.open311.views import _coarse
from petitions.services import petition_photo_set_public
from tests.petitions.factories import CategoryFactory

BASE = "/open311/v2"


def _jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="JPEG")
    return SimpleUploadedFile("leak.jpg", buffer.getvalue(), "image/jpeg")


def _listed(client) -> list[str]:
    return [r["service_request_id"] for r in client.get(f"{BASE}/requests.json").json()]


@pytest.mark.parametrize("group", [Category.Group.COMPLAINT, Category.Group.DISPUTE])
def test_open311_private_groups_are_never_published(client, submit, group):
    """Complaints about property service and disputes: absent from the list,
    and their request/<id> answers 404 like a case that does not exist."""
    private = CategoryFactory(code=f"c-{group}", name="投诉", group=group)
    hidden = submit(category=private)
    shown = submit()
    assert _listed(client) == [shown.number]
    response = client.get(f"{BASE}/requests/{hidden.number}.json")
    absent = client.get(f"{BASE}/requests/999999-999999.json")
    assert response.status_code == absent.status_code == 404
    assert (
        client.get(
            f"{BASE}/requests.json", {"service_request_id": hidden.number}
        ).json()
        == []
    )


def test_open311_category_flagged_private_for_all_or_one_community(
    client, submit, category, world
):
    """A category flagged private is not published; one a community marked
    private is not published for that community only."""
    case = submit()
    category.private_in.add(world.c1)
    assert _listed(client) == []
    category.private_in.clear()
    assert _listed(client) == [case.number]
    Category.objects.filter(pk=category.pk).update(is_private=True)
    assert _listed(client) == []


def test_open311_coordinates_are_coarsened(client, submit):
    """The case's exact coordinates never leave: the centre of a 0.01° cell."""
    submit(
        latitude=decimal.Decimal("36.456789"), longitude=decimal.Decimal("115.987654")
    )
    [shown] = client.get(f"{BASE}/requests.json").json()
    assert (shown["lat"], shown["long"]) == (36.455, 115.985)
    assert _coarse(decimal.Decimal("-0.001")) == -0.005
    assert _coarse(None) is None


def test_open311_description_is_scrubbed_of_every_number_form(client, submit):
    """Phones in every written form, an ID number and a bank card are masked."""
    text = (
        "王大妈 +8613912345674 0086 139 1234 5674 139.1234.5674 "
        "１３９１２３４５６７４ 身份证371502199001011234 卡号6222021234567890123"
    )
    submit(description=text)
    [shown] = client.get(f"{BASE}/requests.json").json()
    for secret in (
        "12345674",
        "1234.5674",
        "1234 5674",
        "４５６７４",
        "19900101",
        "567890",
    ):
        assert secret not in shown["description"], secret


def test_photo_is_published_only_after_staff_mark_it(client, submit, world):
    """Staff of the community mark a photo public through the admin action
    (a service with an audit row); a property steward may not."""
    petition = submit(photos=[_jpeg()])
    photo = petition.photos.get()
    assert photo.is_public is False
    with pytest.raises(PermissionDenied):
        petition_photo_set_public(
            photo=photo, is_public=True, actor=world.users["steward"]
        )
    staff = world.users["community"]
    client.force_login(staff)
    response = client.post(
        "/admin/petitions/petitionphoto/",
        {"action": "publish_selected", "_selected_action": [photo.pk]},
    )
    assert response.status_code == 302
    photo.refresh_from_db()
    assert photo.is_public is True
    assert AuditEvent.objects.filter(action="petitionphoto.publish").count() == 1
    client.logout()
    [shown] = client.get(f"{BASE}/requests.json").json()
    assert shown["media_url"].endswith(".jpg")


def test_photo_admin_list_query_count(
    client, submit, world, django_assert_max_num_queries
):
    """The photo list costs the same for two photos or six."""
    assert isinstance(site._registry[PetitionPhoto], PetitionPhotoAdmin)
    client.force_login(world.users["community"])
    submit(photos=[_jpeg(), _jpeg()])
    client.get("/admin/petitions/petitionphoto/")
    with django_assert_max_num_queries(12) as first:
        client.get("/admin/petitions/petitionphoto/")
    submit(photos=[_jpeg(), _jpeg(), _jpeg()])
    submit(photos=[_jpeg()])
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get("/admin/petitions/petitionphoto/").status_code == 200


def test_community_staff_keep_a_category_unpublished_in_their_community(
    client, submit, category, world
):
    """Community staff, who only view categories, mark one private for their
    own community through the admin action (audited), and publish it again."""
    case = submit()
    client.force_login(world.users["community"])
    url = "/admin/petitions/category/"
    for action, expected in [
        ("keep_private_here", []),
        ("publish_here", [case.number]),
    ]:
        response = client.post(
            url, {"action": action, "_selected_action": [category.pk]}
        )
        assert response.status_code == 302
        assert list(category.private_in.all()) == ([world.c1] if not expected else [])
        assert _listed(client) == expected
    assert AuditEvent.objects.filter(action__startswith="category.").count() == 2
