"""Chinese by default, English on request; Shanghai time."""

from django.conf import settings
from django.utils import timezone


def test_site_is_chinese_by_default_and_english_on_request(client, db):
    """The resident front page speaks Chinese unless the browser asks for English."""
    body = client.get("/").content.decode()
    assert "党建引领" in body
    assert 'lang="zh-hans"' in body
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "the party organisation leads" in english


def test_time_zone_is_shanghai():
    """Dates and times are those of Asia/Shanghai."""
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert str(timezone.get_current_timezone()) == "Asia/Shanghai"


def test_api_errors_are_json_with_a_stable_code(client, world):
    """A missing object answers JSON with a code, not an HTML page."""
    client.force_login(world.users["community"])
    response = client.get("/api/v1/households/999999/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_api_bad_filter_value_is_a_400_not_a_500(client, world):
    """A filter value of the wrong type is refused as bad input."""
    client.force_login(world.users["community"])
    response = client.get("/api/v1/households/", {"grid": "x\x00y"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_openapi_schema_lists_the_organisation_endpoints(client, db):
    """/api/schema/ documents the API."""
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert "/api/v1/households/" in response.content.decode()


def test_chinese_catalogue_is_complete_and_compiled():
    """Every string has its Chinese, and the committed .mo matches the .po."""
    from pathlib import Path

    import polib

    po_path = Path(settings.BASE_DIR) / "locale/zh_Hans/LC_MESSAGES/django.po"
    catalogue = polib.pofile(str(po_path))
    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []
    compiled = {
        e.msgid: e.msgstr for e in polib.mofile(str(po_path.with_suffix(".mo")))
    }
    assert {e.msgid: e.msgstr for e in catalogue if e.msgid} == {
        k: v for k, v in compiled.items() if k
    }


def test_openapi_schema_is_valid_and_has_no_warnings(tmp_path):
    """The schema district clients generate code from validates, with no
    unresolved authenticator or colliding enum name."""
    from django.core.management import call_command

    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--file",
        str(tmp_path / "schema.yml"),
    )
    assert "dashboardToken" in (tmp_path / "schema.yml").read_text()
