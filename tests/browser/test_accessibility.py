"""Accessibility of every resident page, in the normal version and the 长辈版
(issue 18), in headless Chromium at 375 × 667: axe-core finds nothing, every
control is at least 44 × 44 CSS px, phone fields open the number keypad, text
is large enough, nothing scrolls sideways at 200 % zoom (a viewport 187 px
wide), errors come one per field in text with the focus on the first, and the
voice-note report reaches the staff, who can play it.

axe-core 4.14.1 (npm package ``axe-core``, MPL-2.0) is vendored in
``tests/browser/vendor/axe.min.js`` with its licence: CI has no npm step.
"""

import datetime
import io
import os
import wave
from pathlib import Path

import pytest
from django.urls import reverse

from core.rotating import rotating_code
from deliberation.views import SIGN_IN_CODE
from petitions.models import Petition
from petitions.services import petition_submit, petition_transition
from tests.conftest import PASSWORD
from tests.deliberation.factories import BodyFactory, MeetingFactory, ProposalFactory
from tests.grids.factories import resident_verify
from tests.petitions.factories import CategoryFactory
from tests.volunteers.factories import ActivityFactory, ServiceItemFactory, WishFactory
from volunteers.models import ServiceItem, Wish
from volunteers.views import CHECK_IN_CODE

pytestmark = pytest.mark.browser

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
PHONE = {"width": 375, "height": 667}
#: 200 % zoom of a 375 px phone: CSS sees a viewport half as wide.
ZOOMED = {"width": 187, "height": 333}
TARGET = 44
SHOTS = Path(os.environ["SCREENSHOT_DIR"]) if os.environ.get("SCREENSHOT_DIR") else None
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

#: Visible controls smaller than TARGET; a radio button or checkbox counts by
#: the label around it (the whole row is what a finger taps).
SMALL_TARGETS_JS = """(target) => {
  const out = [];
  const seen = new Set();
  for (const el of document.querySelectorAll(
      "a[href], button, input:not([type=hidden]), select, textarea")) {
    const box = el.matches("input[type=radio], input[type=checkbox]")
      ? (el.closest("label") || el) : el;
    if (seen.has(box)) continue;
    seen.add(box);
    const r = box.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;  // hidden
    if (r.width < target - 0.5 || r.height < target - 0.5) {
      const label = (box.textContent || box.name || "").trim().slice(0, 20);
      out.push(`${box.tagName} ${label} ${r.width | 0}x${r.height | 0}`);
    }
  }
  return out;
}"""

#: Visible text set smaller than ``minimum`` px.
SMALL_TEXT_JS = """(minimum) => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.trim();
    if (!text) continue;
    const el = node.parentElement;
    if (!el.getClientRects().length) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < minimum) out.push(`${text.slice(0, 20)} ${size}px`);
  }
  return out;
}"""

#: Phone fields that would not open the number keypad.
PHONE_FIELDS_JS = """() => [...document.querySelectorAll(
    "input[name*=phone], input[autocomplete=tel], input[type=tel]")]
  .filter((el) => el.type !== "tel" || el.inputMode !== "numeric"
    || el.getAttribute("autocomplete") !== "tel")
  .map((el) => el.name)"""


def _case(world, category, **overrides) -> Petition:
    fields = {
        "category": category,
        "description": "楼道灯不亮，晚上看不见台阶",
        "building": world.households["G1"][0].unit.building,
        "place_detail": "1单元",
        "reporter_name": "王大妈",
        "reporter_phone": "13912345678",
        **overrides,
    }
    petition, _created = petition_submit(**fields)
    return petition


def _activities(world):
    """A meeting that began ten minutes ago and an activity tomorrow."""
    meeting = MeetingFactory(
        body=BodyFactory(community=world.c1),
        starts_in=-datetime.timedelta(minutes=10),
        place="议事厅",
    )
    activity = ActivityFactory(
        community=world.c1,
        title="重阳敬老",
        starts_in=datetime.timedelta(days=1),
        capacity=5,
    )
    return meeting, activity


@pytest.fixture
def pages(world):
    """Every resident page, each with something to show: a case waiting for
    the resident's rating, a meeting and an activity with their codes, a
    proposal, open and claimed wishes and both two-way lists."""
    category = CategoryFactory(allows_anonymous=True)
    petition = _case(world, category)
    staff = world.users["grid"]
    petition_transition(petition=petition, action="accept", actor=staff)
    petition_transition(
        petition=petition, action="resolve", actor=staff, note="已换灯泡"
    )
    meeting, activity = _activities(world)
    ProposalFactory(community=world.c1)
    WishFactory(community=world.c1, status=Wish.Status.PUBLISHED, text="想学用智能手机")
    WishFactory(community=world.c1, status=Wish.Status.CLAIMED, claimer_name="李**")
    ServiceItemFactory(community=world.c1)
    ServiceItemFactory(community=world.c1, side=ServiceItem.Side.RESOURCE, title="理发")
    c1 = world.c1.pk
    building = world.households["G1"][0].unit.building.pk
    sign_in = rotating_code(SIGN_IN_CODE, meeting.pk)
    check_in = rotating_code(CHECK_IN_CODE, activity.pk)
    return {
        "home": "/",
        "categories": f"/report/c/{c1}/",
        "report": f"/report/b/{building}/?category={category.code}",
        "report-community": f"/report/c/{c1}/?category={category.code}",
        "track": f"/track/{petition.tracking_token}/",
        "deliberation": f"/c/{c1}/deliberation/",
        "sign-in": f"/meetings/{meeting.sign_in_token}/sign-in/?k={sign_in}",
        "volunteers": f"/c/{c1}/volunteers/",
        "check-in": f"/activities/{activity.check_in_token}/check-in/?k={check_in}",
        "register": f"/c/{c1}/register/",
        "mine": "/me/",
        "verify": "/me/verify/",
        "notices": f"/c/{c1}/notices/",
        "meetings": f"/c/{c1}/meetings/",
        "disclosures": f"/c/{c1}/disclosures/",
        "centres": f"/c/{c1}/centres/",
        "companies": f"/c/{c1}/companies/",
        "vote": f"/c/{c1}/matters/{_voting_matter(world).pk}/",
    }


def _voting_matter(world):
    """An elevator the owners vote on now; the verified phone is the register's
    phone of a household of the compound, so the page shows its form."""
    from grids.models import Person
    from tests.browser.test_evotes import _voting_matter as voting

    owner = world.people["G1"][0]
    Person.objects.filter(pk=owner.pk).update(mobile="13912345678")
    return voting(world)


@pytest.fixture
def verified(world):
    """The cookie of a device that proved the reporter's phone: the pages that
    need a verified phone show themselves, not the way to verify."""
    from django.conf import settings
    from django.test import Client

    name = settings.RESIDENT_COOKIE_NAME
    return {
        "name": name,
        "value": resident_verify(Client(), "13912345678").cookies[name].value,
    }


def _page(
    chromium, live_server, *, elder: bool, viewport=PHONE, verified=None, **options
):
    context = chromium.new_context(viewport=viewport, locale="zh-CN", **options)
    if elder:
        context.add_cookies([{"name": "elder", "value": "1", "url": live_server.url}])
    if verified:
        context.add_cookies([{**verified, "url": live_server.url}])
    return context.new_page()


def _shot(page, name: str) -> None:
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _axe(page) -> list[str]:
    page.evaluate(AXE)
    result = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    assert len(result["passes"]) > 10  # axe ran and checked the page
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
def test_resident_pages_pass_axe_targets_keypad_and_type_size(
    chromium, live_server, pages, verified, elder
):
    """Every resident page, in both versions: 0 axe-core violations (WCAG 2.2
    AA and best practice), every control at least 44 × 44 px, every phone
    field a number keypad, body text 18 px (22 px in the 长辈版) and no text
    under 16 px (19 px in the 长辈版). The resident has a verified phone, so
    the gated pages (sign-in, check-in, 我的) show themselves."""
    page = _page(chromium, live_server, elder=elder, verified=verified)
    problems = {}
    for name, path in pages.items():
        page.goto(live_server.url + path)
        body = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        found = {
            "axe": _axe(page),
            "targets": page.evaluate(SMALL_TARGETS_JS, TARGET),
            "keypad": page.evaluate(PHONE_FIELDS_JS),
            "text": page.evaluate(SMALL_TEXT_JS, 19 if elder else 16),
            "body": [] if body >= (22 if elder else 18) else [body],
            "class": []
            if ("elder" in (page.get_attribute("body", "class") or "")) == elder
            else ["body class"],
        }
        _shot(page, f"{name}-{'elder' if elder else 'standard'}")
        problems.update({f"{name} {k}": v for k, v in found.items() if v})
    assert problems == {}


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
def test_resident_pages_fit_at_200_percent_zoom(
    chromium, live_server, pages, verified, elder
):
    """At 200 % zoom (a 187 px wide viewport) no resident page scrolls sideways,
    in either version (the report form's photo control used to)."""
    page = _page(chromium, live_server, elder=elder, viewport=ZOOMED, verified=verified)
    wide = {}
    for name, path in pages.items():
        page.goto(live_server.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > ZOOMED["width"]:
            wide[name] = width
        _shot(page, f"{name}-{'elder' if elder else 'standard'}-200pc")
    assert wide == {}


def test_report_form_errors_one_per_field_in_text_with_focus(
    chromium, live_server, pages
):
    """ "12345" as the phone gives exactly one error beside the field, in text;
    the focus lands on the first field with an error; required fields say so in
    words; the form leaves checking to the server (novalidate); axe finds
    nothing on the page with its errors."""
    page = _page(chromium, live_server, elder=False)
    page.goto(live_server.url + pages["report-community"])
    assert page.get_attribute("form.stack", "novalidate") is not None
    assert "必填" in page.inner_text("label[for=id_building]")
    page.fill("#id_description", "楼道灯不亮")
    page.fill("#id_reporter_phone", "12345")
    page.click("button.primary")
    page.wait_for_load_state()
    errors = page.locator(".field:has(#id_reporter_phone) .error")
    assert errors.count() == 1
    assert "不是有效的大陆手机号" in errors.inner_text()
    assert page.get_attribute("#id_reporter_phone", "aria-invalid") == "true"
    assert page.evaluate("document.activeElement.id") == "id_building"
    assert _axe(page) == []
    _shot(page, "report-errors")


@pytest.mark.parametrize("name", ["sign-in", "verify"])
def test_empty_submit_shows_server_errors_not_bubbles(
    chromium, live_server, pages, verified, name
):
    """An empty submit on the meeting sign-in and the code page reaches the
    server and comes back with errors in text, focus on the first. (Activity
    check-in asks for nothing now: the verified phone and the QR code's
    rotating code are all it takes.)"""
    page = _page(chromium, live_server, elder=True, verified=verified)
    page.goto(live_server.url + pages[name])
    page.click("button.primary")
    page.wait_for_load_state()
    assert page.locator(".error").count() >= 1
    assert page.evaluate("document.activeElement.getAttribute('aria-invalid')") == (
        "true"
    )


def test_elder_switch_works_without_javascript_and_is_remembered(
    chromium, live_server, pages
):
    """With scripts off, the 长辈版 link turns the large version on, it stays
    on from page to page, and the same place then turns it off."""
    page = _page(chromium, live_server, elder=False, java_script_enabled=False)
    page.goto(live_server.url + pages["track"])
    _shot(page, "switch-before")
    page.click("header a.mode")
    page.wait_for_load_state()
    assert page.url.endswith(pages["track"])
    assert "elder" in page.get_attribute("body", "class")
    assert page.evaluate("getComputedStyle(document.body).fontSize") == "22px"
    page.goto(live_server.url + pages["volunteers"])
    assert "elder" in page.get_attribute("body", "class")
    page.click("header a.mode")
    page.wait_for_load_state()
    assert page.get_attribute("body", "class") is None


def test_read_aloud_speaks_the_main_text_and_hides_without_speech(
    chromium, live_server, pages
):
    """ "读给我听" reads the page's main text with the browser's own speech, and
    stays hidden in a browser that has none."""
    page = _page(chromium, live_server, elder=True)
    page.add_init_script(
        "window.speechSynthesis.speak = (u) => { window.__spoken = u.text; };"
    )
    page.goto(live_server.url + pages["track"])
    page.click("[data-speak]")
    spoken = page.evaluate("window.__spoken")
    assert page.inner_text("h1") in spoken and "已换灯泡" in spoken
    silent = _page(chromium, live_server, elder=True)
    silent.add_init_script("delete window.speechSynthesis;")
    silent.goto(live_server.url + pages["track"])
    assert silent.locator("[data-speak]").is_hidden()


def _wav_bytes(seconds: int = 2) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as clip:
        clip.setnchannels(1)
        clip.setsampwidth(2)
        clip.setframerate(8000)
        clip.writeframes(b"\x10\x00\xf0\xff" * 4000 * seconds)
    return buffer.getvalue()


def _playable_duration(page) -> float:
    return page.evaluate(
        """() => new Promise((done) => {
          const audio = document.querySelector("audio");
          if (audio.readyState >= 1) return done(audio.duration);
          audio.addEventListener("loadedmetadata", () => done(audio.duration));
          audio.addEventListener("error", () => done(-1));
          audio.load();
        })"""
    )


def test_voice_note_report_reaches_the_admin_and_plays(
    chromium, live_server, pages, world
):
    """A resident reports by voice note (no typed description); the case's
    admin page and the workbench page play it (the browser reads its length)."""
    page = _page(chromium, live_server, elder=True)
    page.goto(live_server.url + pages["report"])
    page.set_input_files(
        "#id_voice_note",
        files=[{"name": "录音.wav", "mimeType": "audio/wav", "buffer": _wav_bytes()}],
    )
    page.fill("#id_reporter_phone", "13912345678")
    page.click("button.primary")
    page.wait_for_url("**/track/**")
    petition = Petition.objects.exclude(status="awaiting_resident").latest("pk")
    assert petition.voice_notes.count() == 1
    staff = _page(chromium, live_server, elder=False)
    staff.goto(f"{live_server.url}/admin/login/")
    staff.fill("#id_username", "community")
    staff.fill("#id_password", PASSWORD)
    staff.click("input[type=submit]")
    staff.goto(
        live_server.url + reverse("admin:petitions_petition_change", args=[petition.pk])
    )
    assert _playable_duration(staff) == pytest.approx(2, abs=0.1)
    _shot(staff, "admin-voice-note")
    staff.goto(live_server.url + reverse("workbench:case", args=[petition.pk]))
    assert _playable_duration(staff) == pytest.approx(2, abs=0.1)
