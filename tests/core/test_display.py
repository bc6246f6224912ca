"""The 长辈版 switch and the shared rendering of resident form fields
(issue 18): a cookie set by a plain form, one error per field in text, the
first error focused, required fields marked in words, the number keypad on
every phone field."""

import uuid

import pytest
from django.urls import reverse

from core.display import ELDER_COOKIE
from deliberation.forms import ProposalForm
from grids.residents.forms import PhoneCodeRequestForm, PhoneCodeVerifyForm
from petitions.forms import ReportForm
from tests.petitions.factories import CategoryFactory


def test_elder_mode_switch_sets_and_clears_the_cookie(client):
    """Switching on keeps a year-long cookie and goes back to the page it came
    from; switching off removes it."""
    url = reverse("elder-mode")
    response = client.get(url, {"elder": "1", "next": "/c/1/volunteers/?a=1"})
    assert response.status_code == 302
    assert response["Location"] == "/c/1/volunteers/?a=1"
    cookie = response.cookies[ELDER_COOKIE]
    assert cookie.value == "1" and cookie["max-age"] == 365 * 24 * 3600
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    response = client.get(url, {"elder": "0", "next": "/"})
    assert response.cookies[ELDER_COOKIE].value == ""


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", ""])
def test_elder_mode_switch_goes_home_instead_of_elsewhere(client, target):
    """A ``next`` that leaves the site (or none) leads to the home page."""
    response = client.get(reverse("elder-mode"), {"elder": "1", "next": target})
    assert response["Location"] == "/"


def test_elder_mode_switch_is_a_link_not_a_second_submit_button(client, world):
    """The switch is a plain link that comes back to the same page (with its
    query), so a page's own form stays the only one with a submit button; the
    answer is never cached."""
    url = reverse("petitions:report", args=[world.c1.pk]) + "?category=leak"
    body = client.get(url).content.decode()
    assert 'href="/display/elder/?elder=1&amp;next=%2Freport%2Fc%2F' in body
    assert "%3Fcategory%3Dleak" in body
    assert body.count('type="submit"') == 2  # the report and the language form
    response = client.get(reverse("elder-mode"), {"elder": "1", "next": "/"})
    assert "no-store" in response["Cache-Control"]


def test_resident_page_carries_the_switch_and_the_elder_class(client, world):
    """Every page on base_mobile.html has the switch; with the cookie the body
    has the class ``elder`` and the switch offers the standard version."""
    url = reverse("volunteers:community", args=[world.c1.pk])
    body = client.get(url).content.decode()
    assert 'href="/display/elder/?elder=1' in body and "<body>" in body
    assert "长辈版" in body
    client.cookies[ELDER_COOKIE] = "1"
    body = client.get(url).content.decode()
    assert '<body class="elder">' in body and "标准版" in body
    assert "读给我听" in body  # shown by the script where speech exists


@pytest.mark.parametrize(
    "form",
    [
        lambda: ProposalForm(),
        lambda: PhoneCodeRequestForm(),
        lambda: PhoneCodeVerifyForm(),
        lambda: ReportForm(category=CategoryFactory(), buildings=[]),
    ],
    ids=["proposal", "code-ask", "code-check", "report"],
)
@pytest.mark.django_db
def test_every_resident_phone_field_opens_the_number_keypad(form):
    """Every phone field renders type=tel inputmode=numeric autocomplete=tel."""
    bound = form()
    name = "reporter_phone" if "reporter_phone" in bound.fields else "phone"
    html = str(bound[name])
    assert 'type="tel"' in html
    assert 'inputmode="numeric"' in html and 'autocomplete="tel"' in html


def _post_report(client, building, **data):
    category = CategoryFactory(allows_anonymous=True)
    url = reverse("petitions:report", args=[building.compound.community_id])
    fields = {"description": "楼道灯不亮", "idempotency_key": str(uuid.uuid4()), **data}
    return client.post(f"{url}?category={category.code}", fields)


def test_report_phone_12345_gives_one_error_and_focus(client, world):
    """ "12345" shows one error beside the phone field (not two), in text; the
    first field with an error (the building) gets autofocus and every field
    with an error names its message."""
    building = world.households["G1"][0].unit.building
    body = _post_report(client, building, reporter_phone="12345").content.decode()
    assert body.count('class="error"') == 2  # the building and the phone
    phone_errors = body.split('id="id_reporter_phone_error"')
    assert len(phone_errors) == 2 and "请留下手机号" not in body
    assert "错误：" in phone_errors[1][:20]
    assert 'aria-describedby="id_reporter_phone_hint id_reporter_phone_error"' in body
    assert body.count("autofocus") == 1
    assert '<select name="building" aria-invalid="true"' in body
    assert "autofocus" in body.split('name="building"')[1].split(">")[0]


def test_report_form_marks_required_fields_in_words(client, world):
    """Required fields say （必填） in their label; the phone says when it is
    needed; the form is ``novalidate`` (the server's errors, no bubbles)."""
    url = reverse("petitions:report", args=[world.c1.pk])
    category = CategoryFactory(allows_anonymous=True)
    body = client.get(f"{url}?category={category.code}").content.decode()
    assert "novalidate" in body
    assert body.count("（必填）") == 1  # the building
    assert "必须填写，选择匿名反映的除外。" in body
    strict = CategoryFactory(code="fire-lane", allows_anonymous=False)
    body = client.get(f"{url}?category={strict.code}").content.decode()
    assert body.count("（必填）") == 2  # the building and the phone
