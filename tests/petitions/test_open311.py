"""Open311 GeoReport v2 at /open311/v2/: services, filing, queries and errors."""

import datetime
import io
import xml.etree.ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from core.models import OutboxMessage
from core.phones import mask_mobiles_in
from petitions.models import Category, CategoryQuestion, Petition
from petitions.services import petition_transition
from tests.petitions.factories import CategoryFactory, Open311ClientFactory

BASE = "/open311/v2"
C1_CODE = "371502010001"
PERSONAL = ("王大妈", "13912345678", "1单元 301")
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


@pytest.fixture
def c1(world):
    world.c1.division_code = C1_CODE
    world.c1.save()
    return world.c1


@pytest.fixture
def open311_client(world):
    """A client bound to every community of the test world."""
    return Open311ClientFactory(
        api_key="k" * 32, communities=[world.c1, world.c2, world.c3]
    )


@pytest.fixture
def survey_category(db):
    """A category with one question of each kind."""
    category = CategoryFactory(
        code="stairs-light", name="楼道灯不亮", description="楼道照明故障"
    )
    questions = [
        ("floor", "在几楼？", CategoryQuestion.Kind.NUMBER, "", True),
        ("since", "从哪天开始？", CategoryQuestion.Kind.DATE, "", False),
        ("kind", "灯的种类", CategoryQuestion.Kind.SINGLE, "声控灯\n感应灯", True),
        ("when", "什么时候不亮", CategoryQuestion.Kind.MULTIPLE, "白天\n夜间", False),
        ("note", "补充说明", CategoryQuestion.Kind.TEXT, "", False),
    ]
    for position, (code, label, kind, choices, required) in enumerate(questions):
        CategoryQuestion.objects.create(
            category=category,
            code=code,
            label=label,
            kind=kind,
            choices=choices,
            is_required=required,
            position=10 - position if code == "floor" else 20 + position,
        )
    return category


def _post(client, fmt="json", **data):
    return client.post(f"{BASE}/requests.{fmt}", data)


def _filing(open311_client, category, building=None, **overrides):
    data = {
        "api_key": open311_client.api_key,
        "service_code": category.code,
        "address_id": str(building.pk) if building else None,
        "description": "楼道水管漏水",
        "first_name": "大妈",
        "last_name": "王",
        "phone": "13912345678",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="JPEG")
    return SimpleUploadedFile("leak.jpg", buffer.getvalue(), "image/jpeg")


def _xml(response):
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)  # noqa: S314 - our own output, in tests


# --- services -------------------------------------------------------------------


def test_service_list_json_lists_active_categories(client, category, survey_category):
    """services.json lists every active category with the spec's fields."""
    CategoryFactory(code="retired", name="旧类别", is_active=False)
    response = client.get(f"{BASE}/services.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    services = {s["service_code"]: s for s in response.json()}
    assert set(services) == {"leak", "stairs-light"}
    assert services["stairs-light"] == {
        "service_code": "stairs-light",
        "service_name": "楼道灯不亮",
        "description": "楼道照明故障",
        "metadata": True,
        "type": "realtime",
        "keywords": "",
        "group": str(Category.Group.REPAIR.label),
    }
    assert services["leak"]["metadata"] is False


def test_service_list_xml_has_spec_elements(client, category, survey_category):
    """services.xml is <services><service>…</service></services> with true/false."""
    root = _xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    by_code = {s.findtext("service_code"): s for s in root.findall("service")}
    assert set(by_code) == {"leak", "stairs-light"}
    assert by_code["stairs-light"].findtext("metadata") == "true"
    assert by_code["leak"].findtext("metadata") == "false"
    assert by_code["leak"].findtext("type") == "realtime"


def test_service_list_unknown_jurisdiction_is_404(client, c1, category):
    """An unknown jurisdiction_id is a 404 error; the known one lists services."""
    response = client.get(f"{BASE}/services.json", {"jurisdiction_id": "999999999999"})
    assert response.status_code == 404
    assert response.json()[0]["code"] == 404
    ok = client.get(f"{BASE}/services.json", {"jurisdiction_id": C1_CODE})
    assert ok.status_code == 200 and ok.json()[0]["service_code"] == "leak"


def test_service_definition_lists_questions_as_attributes(client, survey_category):
    """services/<code>.json lists the questions in order with datatypes and values."""
    response = client.get(f"{BASE}/services/stairs-light.json")
    assert response.status_code == 200
    body = response.json()
    assert body["service_code"] == "stairs-light"
    attributes = body["attributes"]
    assert [a["code"] for a in attributes] == ["floor", "since", "kind", "when", "note"]
    assert [a["order"] for a in attributes] == [1, 2, 3, 4, 5]
    assert [a["datatype"] for a in attributes] == [
        "number",
        "datetime",
        "singlevaluelist",
        "multivaluelist",
        "text",
    ]
    floor, _since, kind, *_rest = attributes
    assert floor["variable"] is True and floor["required"] is True
    assert floor["description"] == "在几楼？"
    assert kind["values"] == [
        {"key": "声控灯", "name": "声控灯"},
        {"key": "感应灯", "name": "感应灯"},
    ]


def test_service_definition_xml_nests_attributes_and_values(client, survey_category):
    """The XML definition nests <attributes><attribute><values><value>."""
    root = _xml(client.get(f"{BASE}/services/stairs-light.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "stairs-light"
    kind = root.findall("attributes/attribute")[2]
    assert kind.findtext("code") == "kind"
    assert kind.findtext("required") == "true"
    assert [v.findtext("key") for v in kind.findall("values/value")] == [
        "声控灯",
        "感应灯",
    ]


@pytest.mark.parametrize("code", ["nope", "retired", "a%20b", "x" * 300])
def test_service_definition_unknown_or_inactive_code_is_404(client, db, code):
    """An unknown, inactive or malformed service_code answers a spec 404."""
    CategoryFactory(code="retired", is_active=False)
    response = client.get(f"{BASE}/services/{code}.xml")
    assert response.status_code == 404
    assert _xml(response).findtext("error/code") == "404"


# --- POST requests ---------------------------------------------------------------


def test_request_create_files_case_for_the_client(
    client, open311_client, category, building, world
):
    """A POST with a valid key files an Open311 case at the building."""
    response = _post(client, **_filing(open311_client, category, building))
    assert response.status_code == 200
    [answer] = response.json()
    petition = Petition.objects.get()
    assert petition.open311_token != petition.tracking_token
    assert answer == {
        "service_request_id": petition.number,
        "token": petition.open311_token,
        "service_notice": "",
        "account_id": None,
    }
    assert petition.channel == Petition.Channel.OPEN311
    assert petition.open311_client == open311_client
    assert petition.building == building and petition.grid == world.grids["G1"]
    assert (petition.reporter_name, petition.reporter_phone) == (
        "王大妈",
        "13912345678",
    )
    assert not petition.is_anonymous
    assert petition.events.get().action == "submit"


def test_request_create_xml_answer(client, open311_client, category, building):
    """The XML answer is <service_requests><request> with an empty <account_id/>."""
    response = _post(client, "xml", **_filing(open311_client, category, building))
    root = _xml(response)
    assert root.tag == "service_requests"
    assert root.findtext("request/service_request_id") == Petition.objects.get().number
    assert root.find("request/account_id").text is None


def test_request_create_attributes_become_answers(
    client, open311_client, survey_category, building
):
    """attribute[code] and attribute[code][] fill the category's answers."""
    data = _filing(open311_client, survey_category, building)
    data.update(
        {
            "attribute[floor]": "5",
            "attribute[since]": "2024-05-01T23:30:00Z",
            "attribute[kind]": "声控灯",
            "attribute[when][]": ["白天", "夜间"],
        }
    )
    response = _post(client, **data)
    assert response.status_code == 200, response.content
    assert Petition.objects.get().answers == {
        "floor": "5",
        "since": "2024-05-02",
        "kind": "声控灯",
        "when": ["白天", "夜间"],
    }


def test_request_create_by_address_string_files_with_the_community(
    client, open311_client, category, c1
):
    """Without a building, jurisdiction_id and address_string file at the community."""
    data = _filing(
        open311_client,
        category,
        jurisdiction_id=C1_CODE,
        address_string="小区东门外",
        lat="36.456789123",
        long="115.98765",
    )
    response = _post(client, **data)
    assert response.status_code == 200, response.content
    petition = Petition.objects.get()
    assert petition.community == c1 and petition.building is None
    assert petition.place_detail == "小区东门外"
    assert str(petition.latitude) == "36.456789"


@pytest.mark.parametrize("api_key", [None, "", "wrong-key", "inactive-key"])
def test_request_create_without_valid_api_key_is_403_and_writes_nothing(
    client, open311_client, category, building, api_key
):
    """A missing, wrong or deactivated key is refused with 403; nothing is written."""
    Open311ClientFactory(api_key="inactive-key", is_active=False)
    data = _filing(open311_client, category, building, api_key=api_key)
    response = _post(client, **data)
    assert response.status_code == 403
    assert response.json()[0]["code"] == 403
    assert not Petition.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_request_create_unknown_service_code_is_404(
    client, open311_client, category, building
):
    """An unknown service_code is a 404; a missing one a 400."""
    data = _filing(open311_client, category, building, service_code="nope")
    assert _post(client, **data).status_code == 404
    data = _filing(open311_client, category, building, service_code="")
    assert _post(client, **data).status_code == 400
    assert not Petition.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"phone": "12345"},
        {"phone": ""},
        {"description": ""},
        {"attribute[floor]": "五楼"},
        {"attribute[kind]": "路灯"},
        {"attribute[kind]": ""},
        {"attribute[since]": "2024-13-45"},
    ],
)
def test_request_create_bad_input_is_400_and_writes_nothing(
    client, open311_client, survey_category, building, overrides
):
    """A bad phone, description or answer is a 400 with the reason; no case."""
    data = _filing(open311_client, survey_category, building)
    data.update({"attribute[floor]": "5", "attribute[kind]": "声控灯"})
    data.update(overrides)
    response = _post(client, **data)
    assert response.status_code == 400
    [error] = response.json()
    assert error["code"] == 400 and error["description"]
    assert not Petition.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"address_id": None},
        {"address_id": None, "lat": "36.4", "long": "115.9"},
        {"address_id": "99999999"},
        {"address_id": "9" * 40},
        {"address_id": "-1"},
        {"lat": "91", "long": "115.9"},
        {"lat": "NaN", "long": "115.9"},
        {"lat": "36.4"},
    ],
)
def test_request_create_without_a_usable_location_is_400(
    client, open311_client, category, building, overrides
):
    """No building and no jurisdiction to file at, or bad coordinates: 400."""
    data = _filing(open311_client, category, building, **overrides)
    response = _post(client, **data)
    assert response.status_code == 400, response.content
    assert not Petition.objects.exists()


def test_request_create_building_of_another_jurisdiction_is_400(
    client, open311_client, category, world, c1
):
    """address_id must lie in the jurisdiction named; unknown jurisdiction is 404."""
    other_building = world.households["G3"][0].unit.building
    data = _filing(open311_client, category, other_building, jurisdiction_id=C1_CODE)
    assert _post(client, **data).status_code == 400
    data["jurisdiction_id"] = "371502010099"
    assert _post(client, **data).status_code == 404
    assert not Petition.objects.exists()


def test_request_create_anonymous_only_where_the_category_allows(
    client, open311_client, category, building
):
    """Without a phone a case is anonymous if the category allows it, else refused."""
    data = _filing(open311_client, category, building, phone=None)
    assert _post(client, **data).status_code == 400
    category.allows_anonymous = True
    category.save()
    assert _post(client, **data).status_code == 200
    petition = Petition.objects.get()
    assert petition.is_anonymous and petition.reporter_name == ""


def test_request_create_refuses_nul_and_writes_nothing(
    client, open311_client, category, building
):
    """NUL anywhere in the request is a 400; nothing is written."""
    data = _filing(open311_client, category, building, description="漏\x00水")
    response = _post(client, **data)
    assert response.status_code == 400
    assert not Petition.objects.exists()


# --- GET requests -----------------------------------------------------------------


@pytest.fixture
def cases(submit, world, survey_category, building):
    """Four cases: open leak, rejected leak, merged leak, and an old light case."""
    staff = world.users["community"]
    open_leak = submit()
    rejected = petition_transition(
        petition=submit(description="重复报修"), action="reject", actor=staff, note="x"
    )
    merged = petition_transition(
        petition=submit(description="又漏了"),
        action="merge",
        actor=staff,
        merge_into=open_leak,
    )
    old = submit(
        category=survey_category,
        description="楼道灯坏了",
        answers={"floor": "3", "kind": "感应灯"},
    )
    Petition.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=120)
    )
    old.refresh_from_db()
    return {"open": open_leak, "rejected": rejected, "merged": merged, "old": old}


def _numbers(response):
    assert response.status_code == 200, response.content
    return [r["service_request_id"] for r in response.json()]


def test_request_list_defaults_to_last_90_days_newest_first(client, cases):
    """Without arguments the list holds the last 90 days, newest first."""
    response = client.get(f"{BASE}/requests.json")
    assert _numbers(response) == [
        cases["merged"].number,
        cases["rejected"].number,
        cases["open"].number,
    ]
    assert list(response.json()[0]) == REQUEST_FIELDS


def test_request_list_filters_by_status(client, cases):
    """status=open / closed / open,closed filter by the spec's two states."""
    url = f"{BASE}/requests.json"
    assert _numbers(client.get(url, {"status": "open"})) == [cases["open"].number]
    assert _numbers(client.get(url, {"status": "closed"})) == [
        cases["merged"].number,
        cases["rejected"].number,
    ]
    assert len(_numbers(client.get(url, {"status": "open,closed"}))) == 3
    assert client.get(url, {"status": "pending"}).status_code == 400


def test_request_list_filters_by_service_code_and_dates(client, cases):
    """service_code and start_date/end_date narrow the list."""
    url = f"{BASE}/requests.json"
    old = cases["old"]
    start = (old.created_at - datetime.timedelta(days=130)).isoformat()
    end = (old.created_at + datetime.timedelta(days=1)).isoformat()
    assert _numbers(client.get(url, {"service_code": "stairs-light"})) == []
    ranged = {"service_code": "stairs-light,leak", "start_date": start, "end_date": end}
    assert _numbers(client.get(url, ranged)) == [old.number]
    since = timezone.now() - datetime.timedelta(hours=1)
    utc = since.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert len(_numbers(client.get(url, {"start_date": utc}))) == 3
    assert _numbers(client.get(url, {"end_date": utc})) == []


def test_request_list_by_service_request_id_overrides_other_filters(client, cases):
    """Comma-separated service_request_id ignores dates and status, as specified."""
    ids = f"{cases['old'].number}, {cases['rejected'].number}"
    response = client.get(
        f"{BASE}/requests.json", {"service_request_id": ids, "status": "open"}
    )
    assert _numbers(response) == [cases["rejected"].number, cases["old"].number]


def test_request_list_jurisdiction_narrows_to_the_community(client, cases, c1, world):
    """jurisdiction_id keeps the cases of its community only."""
    world.c2.division_code = "371502010002"
    world.c2.save()
    url = f"{BASE}/requests.json"
    assert len(_numbers(client.get(url, {"jurisdiction_id": C1_CODE}))) == 3
    assert _numbers(client.get(url, {"jurisdiction_id": "371502010002"})) == []


def test_request_list_shows_status_place_and_merge_without_personal_data(
    client, cases, building
):
    """Each case shows its state, place and deadline; a merged one names its case."""
    by_number = {
        r["service_request_id"]: r for r in client.get(f"{BASE}/requests.json").json()
    }
    shown = by_number[cases["open"].number]
    assert shown["status"] == "open"
    assert shown["status_notes"] == str(Petition.Status.SUBMITTED.label)
    assert shown["service_code"] == "leak" and shown["service_name"] == "漏水"
    assert shown["agency_responsible"] == "端庄社区"
    assert shown["address"] == f"民生·壹号院 {building.number}"
    assert shown["address_id"] == building.pk
    assert shown["expected_datetime"] == timezone.localtime(
        cases["open"].resolve_due_at
    ).isoformat(timespec="seconds")
    assert shown["requested_datetime"].endswith("+08:00")
    assert (shown["lat"], shown["media_url"]) == (None, "")
    merged = by_number[cases["merged"].number]
    assert merged["status"] == "closed"
    assert cases["open"].number in merged["status_notes"]
    assert by_number[cases["rejected"].number]["status"] == "closed"


def test_request_list_never_shows_personal_data(
    client, cases, open311_client, category, building
):
    """No reporter name, phone, room or tracking token in JSON or XML output."""
    _post(client, **_filing(open311_client, category, building, address_string="3单元"))
    tokens = list(Petition.objects.values_list("tracking_token", flat=True))
    assert len(tokens) == 5
    ids = ",".join(Petition.objects.values_list("number", flat=True))
    for fmt in ("json", "xml"):
        for path in ("requests", f"requests/{cases['open'].number}"):
            body = client.get(
                f"{BASE}/{path}.{fmt}", {"service_request_id": ids}
            ).content.decode()
            assert cases["open"].number in body
            for secret in (*PERSONAL, "3单元", *tokens):
                assert secret not in body, (path, fmt, secret)


def test_open311_masks_numbers_residents_typed_into_text():
    """A number in a description is masked in public output."""
    assert mask_mobiles_in("请打 139 1234 5678 找我") == "请打 139****5678 找我"
    assert mask_mobiles_in("编号 20231234567890") == "编号 20231234567890"


def test_request_list_xml_parses_even_with_control_characters(client, submit):
    """XML output stays well-formed when a description holds a control character."""
    petition = submit(description="灯\x07坏了 <b>&amp;</b>")
    root = _xml(client.get(f"{BASE}/requests.xml"))
    [request] = root.findall("request")
    assert [child.tag for child in request] == REQUEST_FIELDS
    assert request.findtext("service_request_id") == petition.number
    assert request.findtext("description") == "灯坏了 <b>&amp;</b>"
    assert request.findtext("status") == "open"


def test_request_list_media_url_is_the_first_public_report_photo(client, submit):
    """media_url is empty until staff mark the report's photo public; then it
    is the photo's absolute address."""
    petition = submit(photos=[_jpeg()])
    [shown] = client.get(f"{BASE}/requests.json").json()
    assert shown["media_url"] == ""
    petition.photos.update(is_public=True)
    [shown] = client.get(f"{BASE}/requests.json").json()
    assert shown["media_url"].startswith("http://testserver/media/petitions/")
    assert shown["media_url"].endswith(".jpg")


def test_request_list_query_count_does_not_grow_with_results(
    client, submit, django_assert_num_queries
):
    """Two queries (cases, photos) whether there are two cases or eight."""
    for _ in range(2):
        submit(photos=[_jpeg()])
    with django_assert_num_queries(2):
        assert len(client.get(f"{BASE}/requests.json").json()) == 2
    for _ in range(6):
        submit(photos=[_jpeg()])
    with django_assert_num_queries(2):
        assert len(client.get(f"{BASE}/requests.xml").content) > 0
    with django_assert_num_queries(2):
        assert len(client.get(f"{BASE}/requests.json").json()) == 8


# --- one request, tokens, discovery ---------------------------------------------------


def test_request_detail_shows_one_case_or_404(client, cases, c1):
    """requests/<id> answers a list of one; an unknown id is a 404."""
    number = cases["old"].number
    [shown] = client.get(f"{BASE}/requests/{number}.json").json()
    assert shown["service_request_id"] == number
    assert shown["service_code"] == "stairs-light"
    root = _xml(client.get(f"{BASE}/requests/{number}.xml"))
    assert root.findtext("request/service_request_id") == number
    missing = client.get(f"{BASE}/requests/000000-999999999999999.json")
    assert missing.status_code == 404
    other = client.get(
        f"{BASE}/requests/{number}.json", {"jurisdiction_id": "371502010099"}
    )
    assert other.status_code == 404


def test_token_resolves_to_the_service_request_id(
    client, open311_client, category, building, submit
):
    """tokens/<token> turns a POST's token into its case number; others are 404."""
    [answer] = _post(client, **_filing(open311_client, category, building)).json()
    response = client.get(f"{BASE}/tokens/{answer['token']}.json")
    assert response.json() == [
        {"service_request_id": answer["service_request_id"], "token": answer["token"]}
    ]
    root = _xml(client.get(f"{BASE}/tokens/{answer['token']}.xml"))
    assert root.findtext("request/token") == answer["token"]
    web_case = submit()
    assert client.get(f"{BASE}/tokens/{web_case.tracking_token}.json").status_code == (
        404
    )
    filed = Petition.objects.get(number=answer["service_request_id"])
    # The resident's key to confirm and rate is never an Open311 token.
    assert client.get(f"{BASE}/tokens/{filed.tracking_token}.json").status_code == 404
    assert client.get(f"{BASE}/tokens/unknown.json").status_code == 404


def test_discovery_names_the_endpoint_and_formats(client, category):
    """discovery.json and .xml describe this GeoReport v2 endpoint."""
    body = client.get(f"{BASE}/discovery.json").json()
    [endpoint] = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    root = _xml(client.get(f"{BASE}/discovery.xml"))
    assert root.findtext("endpoints/endpoint/formats/format") == "text/xml"


# --- bad input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("requests.json", {"start_date": "yesterday"}, 400),
        ("requests.json", {"start_date": "2024-02-30T00:00:00Z"}, 400),
        ("requests.json", {"end_date": "0001-01-02T00:00:00Z"}, 400),
        ("requests.json", {"start_date": "2024-01-01T00:00:00+99:00"}, 400),
        ("requests.json", {"start_date": "2024-05-02", "end_date": "2024-05-01"}, 400),
        ("requests.json", {"service_code": "leak\x00"}, 400),
        ("requests.json", {"service_request_id": "1" * 30}, 400),
        ("requests.json", {"service_request_id": "x'--"}, 400),
        ("requests.json", {"jurisdiction_id": "\x00"}, 400),
        ("requests.json", {"jurisdiction_id": "9" * 40}, 404),
        ("requests/99999999999999999999999999.json", {}, 404),
        ("requests/1.json", {"x": "\x00"}, 400),
        ("tokens/" + "a" * 100 + ".json", {}, 404),
        ("services.html", {}, 404),
        ("services.", {}, 404),
        ("nowhere.json", {}, 404),
        ("services/leak/extra.json", {}, 404),
    ],
)
def test_bad_input_is_a_spec_error_never_a_500(client, db, path, params, status):
    """Bad dates, NUL bytes, huge ids and unknown formats answer spec errors."""
    response = client.get(f"{BASE}/{path}", params)
    assert response.status_code == status, response.content
    [error] = response.json()
    assert error["code"] == status and error["description"]


def test_bad_input_answers_in_the_requested_format(client, db):
    """An error on an .xml address comes back as <errors><error>."""
    response = client.get(f"{BASE}/requests.xml", {"status": "done"})
    assert response.status_code == 400
    root = _xml(response)
    assert root.tag == "errors" and root.findtext("error/code") == "400"
    assert _xml(client.get(f"{BASE}/nowhere.xml")).findtext("error/code") == "404"


def test_offset_sent_unencoded_is_still_understood(client, cases):
    """A '+08:00' that arrives as ' 08:00' (unencoded '+') still parses."""
    since = timezone.localtime() - datetime.timedelta(hours=1)
    raw = since.strftime("%Y-%m-%dT%H:%M:%S+08:00").replace("+", "%2B")
    unencoded = raw.replace("%2B", "+")
    assert len(_numbers(client.get(f"{BASE}/requests.json?start_date={raw}"))) == 3
    assert (
        len(_numbers(client.get(f"{BASE}/requests.json?start_date={unencoded}"))) == 3
    )


def test_wrong_method_is_a_405_spec_error(client, db):
    """POST to a read-only resource is refused with 405 and an Allow header."""
    response = client.post(f"{BASE}/services.json")
    assert response.status_code == 405
    assert "GET" in response["Allow"]
    assert response.json()[0]["code"] == 405
