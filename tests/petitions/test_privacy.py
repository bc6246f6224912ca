"""Numbers residents type into free text: masked on the public pages, in
Open311 and for staff who may not see the reporter's contact."""

import pytest
from django.urls import reverse

from petitions.services import petition_transition

TYPED = (
    "漏水严重，请打 +86 139.1234.5674 或 １３８００００１１１１，"
    "身份证37150219800101123X"
)
SCRUBBED_PARTS = ("139****5674", "138****1111", "371***********123X")
RAW_PARTS = ("139.1234.5674", "１３８００００１１１１", "37150219800101123X")


@pytest.fixture
def typed_case(submit, world):
    petition = submit(description=TYPED)
    return petition_transition(
        petition=petition,
        action="accept",
        actor=world.users["community"],
        note="已联系 13912345674",
    )


def _assert_scrubbed(body: str):
    for raw in RAW_PARTS:
        assert raw not in body
    for masked in SCRUBBED_PARTS:
        assert masked in body


@pytest.mark.parametrize("username", ["district", "street", "steward"])
def test_petition_api_scrubs_free_text_without_the_contact_right(
    client, world, typed_case, username
):
    """Staff who may not see the reporter's contact read the description and
    the timeline notes with every personal number masked."""
    client.force_login(world.users[username])
    detail = client.get(f"/api/v1/petitions/{typed_case.pk}/").json()
    _assert_scrubbed(detail["description"])
    assert "13912345674" not in str(detail["timeline"])
    listed = client.get("/api/v1/petitions/").json()["results"]
    _assert_scrubbed(listed[0]["description"])


def test_petition_api_shows_free_text_to_who_handles_the_case(
    client, world, typed_case
):
    """Community staff of the case's community read the text as typed."""
    client.force_login(world.users["community"])
    detail = client.get(f"/api/v1/petitions/{typed_case.pk}/").json()
    assert detail["description"] == TYPED
    assert "13912345674" in str(detail["timeline"])


def test_petition_admin_scrubs_free_text_without_the_contact_right(
    client, world, typed_case
):
    """On the case page district staff see the description and notes masked;
    community staff see them whole."""
    url = reverse("admin:petitions_petition_change", args=[typed_case.pk])
    client.force_login(world.users["district"])
    body = client.get(url).content.decode()
    _assert_scrubbed(body)
    assert "13912345674" not in body
    client.force_login(world.users["community"])
    body = client.get(url).content.decode()
    assert "139.1234.5674" in body and "13912345674" in body


def test_track_page_scrubs_free_text(client, typed_case):
    """The tracking page is public to whoever holds the link: numbers masked."""
    body = client.get(
        reverse("petitions:track", args=[typed_case.tracking_token])
    ).content.decode()
    _assert_scrubbed(body)
    assert "13912345674" not in body


def test_open311_output_scrubs_free_text(client, typed_case):
    """Open311 descriptions carry no personal number, in JSON or XML."""
    for fmt in ("json", "xml"):
        body = client.get(f"/open311/v2/requests.{fmt}").content.decode()
        assert typed_case.number in body
        _assert_scrubbed(body)
