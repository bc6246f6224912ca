"""The OpenAPI schema says what the API does: pages as they are answered,
nullable fields marked, error answers documented; bad paging values are 400."""

import pytest


@pytest.fixture
def schema(client):
    return client.get("/api/schema/", {"format": "json"}).json()


def test_schema_case_list_is_a_cursor_page(schema):
    """The case list is documented as the cursor page it answers."""
    ok = schema["paths"]["/api/v1/petitions/"]["get"]["responses"]["200"]
    ref = ok["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    page = schema["components"]["schemas"][ref]
    assert {"next", "previous", "results"} <= set(page["properties"])
    params = {
        p["name"]: p for p in schema["paths"]["/api/v1/petitions/"]["get"]["parameters"]
    }
    assert params["page_size"]["schema"]["minimum"] == 1
    assert params["page_size"]["schema"]["maximum"] == 200
    assert "cursor" in params


def test_schema_marks_nullable_fields(schema):
    """Fields that can be empty say so."""
    components = schema["components"]["schemas"]
    assert components["PetitionOutput"]["properties"]["grid"]["nullable"]
    assert components["PetitionOutput"]["properties"]["handler"]["nullable"]
    assert components["CompoundOutput"]["properties"]["property_company"]["nullable"]
    assert components["TopicOutput"]["properties"]["petition_number"]["nullable"]


def test_schema_documents_error_answers(schema):
    """Every operation documents 400, 401, 403, 404 and 429; writes 409 too,
    each as the JSON error the API answers."""
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in ("get", "post"):
                continue
            codes = set(operation["responses"])
            assert {"400", "401", "403", "404", "429"} <= codes, (path, method)
            if method == "post":
                assert "409" in codes, path
    error = schema["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "message", "details"}


@pytest.mark.parametrize(
    "query",
    [
        {"page_size": "abc"},
        {"page_size": "0"},
        {"page_size": "-1"},
        {"page_size": "201"},
        {"page": "abc"},
        {"page": "0"},
        {"page": "-2"},
    ],
)
def test_paging_bad_values_are_400(client, world, query):
    """Bad paging values answer 400 naming the parameter, never a silent
    default."""
    client.force_login(world.users["community"])
    response = client.get("/api/v1/households/", query)
    assert response.status_code == 400
    assert set(query) <= set(response.json()["details"])


def test_paging_of_the_case_list_checks_page_size(client, world):
    """The cursor-paged case list checks page_size the same way."""
    client.force_login(world.users["community"])
    response = client.get("/api/v1/petitions/", {"page_size": "many"})
    assert response.status_code == 400
    assert "page_size" in response.json()["details"]
    assert client.get("/api/v1/petitions/", {"page_size": "5"}).status_code == 200


def test_paging_past_the_end_is_404(client, world):
    """A valid page number past the last page is 404, as documented."""
    client.force_login(world.users["community"])
    assert client.get("/api/v1/households/", {"page": "999"}).status_code == 404


def test_api_unknown_address_answers_json_404(client, world):
    """An address below /api/ that matches nothing answers the API's JSON 404."""
    client.force_login(world.users["community"])
    response = client.get("/api/v1/households/not-a-number/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    ("field", "value"), [("is_public", 0), ("note", 0), ("is_public", "yes")]
)
def test_api_step_input_has_the_documented_types(client, world, submit, field, value):
    """A step's input takes the JSON types its schema names, nothing looser."""
    petition = submit()
    client.force_login(world.users["community"])
    response = client.post(
        f"/api/v1/petitions/{petition.pk}/accept/",
        {"expected_version": 1, field: value},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert field in response.json()["details"]


def test_api_blank_query_values_are_refused(client, world):
    """``?created_before=``, ``?kind=`` and ``?start=`` are bad values, not
    defaults."""
    client.force_login(world.users["community"])
    assert client.get("/api/v1/activities/", {"kind": ""}).status_code == 400
    # A free-text filter may be empty, as its schema allows.
    assert client.get("/api/v1/compounds/", {"grade": ""}).status_code == 200
    assert client.get("/api/v1/petitions/", {"status": ""}).status_code == 400
    assert client.get("/api/v1/petitions/", {"created_before": ""}).status_code == 400
    assert client.get("/api/v1/stats/summary/", {"start": ""}).status_code == 400


def test_api_every_operation_refuses_callers_without_sign_in(client, schema, world):
    """Every operation of the schema answers 401 or 403 without a sign-in, and
    refuses a wrong token (what schemathesis' ignored_auth check would ask)."""
    asked = 0
    for path, operations in schema["paths"].items():
        url = path.replace("{id}", "1").replace("{petition_id}", "1")
        for method in ("get", "post"):
            if method not in operations:
                continue
            call = getattr(client, method)
            assert call(url).status_code in (401, 403), (method, url)
            wrong = call(url, HTTP_AUTHORIZATION="Token wrong")
            # After five wrong tokens the address is locked out: 429.
            assert wrong.status_code in (401, 403, 429), (method, url)
            asked += 1
            client.cookies.clear()
    assert asked == 51
