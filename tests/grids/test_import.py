"""Spreadsheet import: per-row errors in a dry run, all or nothing for real."""

import io

import openpyxl
import pytest
import tablib
from django.urls import reverse
from django.utils import translation

from grids.models import Household, PartyMember, Person, Unit
from grids.resources import HouseholdResource, PartyMemberResource, PersonResource

HOUSEHOLD_HEADERS = ["社区", "小区", "楼栋", "单元", "房号", "建筑面积（㎡）"]
PERSON_HEADERS = ["姓名", "手机号", "社区", "小区", "楼栋", "单元", "房号", "入住日期"]


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def _dataset(headers, rows):
    return tablib.Dataset(*rows, headers=headers)


def _row_errors(result) -> dict[int, str]:
    return {
        row.number: " ".join(
            m for messages in row.error_dict.values() for m in messages
        )
        for row in result.invalid_rows
    }


def _building(world, grid="G1"):
    return world.households[grid][0].unit.building


def test_household_import_creates_households_and_units(world):
    """A clean file creates its households (and any new unit) in the user's area."""
    building = _building(world)
    data = _dataset(
        HOUSEHOLD_HEADERS,
        [
            (
                "端庄社区",
                building.compound.name,
                building.number,
                "2单元",
                "501",
                "96.5",
            ),
            ("端庄社区", building.compound.name, building.number, "2单元", "502", "88"),
        ],
    )
    result = HouseholdResource(user=world.users["community"]).import_data(data)
    assert not result.has_errors() and not result.has_validation_errors()
    unit = Unit.objects.get(building=building, number="2单元")
    assert set(unit.households.values_list("room", flat=True)) == {"501", "502"}


def test_household_import_with_one_bad_row_writes_nothing(world):
    """Unknown building, building of another compound and a duplicate row are each
    reported on their row, and none of the good rows is written."""
    building = _building(world)
    other_compound_building = _building(world, "G3")
    before = Household.objects.count()
    units_before = Unit.objects.count()
    compound = building.compound.name
    data = _dataset(
        HOUSEHOLD_HEADERS,
        [
            ("端庄社区", compound, building.number, "3单元", "101", "90"),
            ("端庄社区", compound, "99号楼", "1单元", "101", "90"),
            ("端庄社区", compound, building.number, "3单元", "101", "90"),
            ("柳园社区", compound, other_compound_building.number, "1单元", "1", "90"),
        ],
    )
    resource = HouseholdResource(user=world.users["street"])
    result = resource.import_data(data, dry_run=True)
    errors = _row_errors(result)
    assert set(errors) == {2, 3, 4}
    assert "没有楼栋“99号楼”" in errors[2]
    assert "与文件第 1 行重复" in errors[3]
    assert "不在小区" in errors[4]

    result = HouseholdResource(user=world.users["street"]).import_data(data)
    assert result.has_validation_errors()
    assert Household.objects.count() == before
    assert Unit.objects.count() == units_before


def test_household_import_cannot_reach_another_community(world):
    """A building of a community outside the user's scope is 'unknown'."""
    foreign = _building(world, "G4")
    data = _dataset(
        HOUSEHOLD_HEADERS,
        [("楼北社区", foreign.compound.name, foreign.number, "1单元", "808", "80")],
    )
    result = HouseholdResource(user=world.users["community"]).import_data(data)
    assert "未知社区“楼北社区”" in _row_errors(result)[1]
    assert not Household.objects.filter(room="808").exists()


def test_import_bad_area_says_so_in_words(world):
    """A floor area that is not a number gets a readable row error."""
    building = _building(world)
    data = _dataset(
        HOUSEHOLD_HEADERS,
        [("端庄社区", building.compound.name, building.number, "1单元", "701", "一百")],
    )
    result = HouseholdResource(user=world.users["community"]).import_data(data)
    errors = " ".join(
        str(e) for row in result.invalid_rows for e in row.error_dict.values()
    )
    assert "不是数字" in errors
    assert not Household.objects.filter(room="701").exists()


def test_person_import_refuses_bad_phone_and_writes_nothing(world):
    """A bad phone number fails its row; the good row before it is not kept."""
    household = world.households["G1"][0]
    building = household.unit.building
    place = ("端庄社区", building.compound.name, building.number, household.unit.number)
    data = _dataset(
        PERSON_HEADERS,
        [
            ("新居民", "139 1234 5678", *place, household.room, "2020-05-01"),
            ("错号码", "12345", *place, household.room, "2020-05-01"),
        ],
    )
    result = PersonResource(user=world.users["community"]).import_data(data)
    errors = _row_errors(result)
    assert list(errors) == [2]
    assert "不是有效的大陆手机号" in errors[2]
    assert not Person.objects.filter(name__in=["新居民", "错号码"]).exists()


def test_person_import_updates_existing_resident_by_household_and_name(world):
    """Re-importing a resident updates the record instead of adding a second one."""
    person = world.people["G1"][0]
    household = person.household
    building = household.unit.building
    data = _dataset(
        PERSON_HEADERS,
        [
            (
                person.name,
                "13900001111",
                "端庄社区",
                building.compound.name,
                building.number,
                household.unit.number,
                household.room,
                "2019-09-09",
            )
        ],
    )
    result = PersonResource(user=world.users["community"]).import_data(data)
    assert not result.has_validation_errors()
    person.refresh_from_db()
    assert person.mobile == "13900001111"
    assert Person.objects.filter(name=person.name).count() == 1


def test_party_member_import_needs_the_person_on_the_register(world):
    """A party member is matched to the register by name and mobile."""
    person = world.people["G1"][0]
    headers = ["姓名", "手机号", "社区", "类型", "所在党组织", "工作单位"]
    good = (
        person.name,
        person.mobile,
        "端庄社区",
        "在职党员（双报到）",
        "",
        "聊城大学",
    )
    unknown = ("查无此人", "13700000000", "端庄社区", "社区登记党员", "", "")
    data = _dataset(headers, [good, unknown])
    result = PartyMemberResource(user=world.users["community"]).import_data(data)
    assert "请先导入居民" in _row_errors(result)[2]
    assert not PartyMember.objects.exists()

    result = PartyMemberResource(user=world.users["community"]).import_data(
        _dataset(headers, [good])
    )
    assert not result.has_validation_errors()
    member = PartyMember.objects.get()
    assert (member.kind, member.work_unit) == ("in_service", "聊城大学")


def test_admin_import_dry_run_shows_row_errors_and_no_confirm(client, world):
    """The admin's import page lists the bad rows and offers no confirm button."""
    building = _building(world)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HOUSEHOLD_HEADERS)
    sheet.append(["端庄社区", building.compound.name, "99号楼", "1单元", "101", 90])
    buffer = io.BytesIO()
    book.save(buffer)
    upload = io.BytesIO(buffer.getvalue())
    upload.name = "households.xlsx"
    client.force_login(world.users["community"])
    url = reverse("admin:grids_household_import")
    formats = client.get(url).context["form"].fields["format"].choices
    xlsx = next(value for value, label in formats if str(label).lower() == "xlsx")
    response = client.post(url, {"import_file": upload, "format": xlsx, "resource": 0})
    assert response.status_code == 200
    body = response.content.decode()
    assert "没有楼栋“99号楼”" in body
    assert (
        "confirm_form" not in response.context or not response.context["confirm_form"]
    )
    assert not Household.objects.filter(room="101", unit__building__number="99号楼")


@pytest.mark.parametrize("username", ["steward", "district"])
def test_import_needs_add_and_change_rights(client, world, username):
    """Roles that may only view households cannot import them."""
    client.force_login(world.users[username])
    assert client.get(reverse("admin:grids_household_import")).status_code == 403


def test_admin_export_masks_phones_without_contact_permission(client, world):
    """Exports carry full numbers only for staff allowed to see them."""
    person = world.people["G1"][0]
    client.force_login(world.users["steward"])
    resource = PersonResource(user=world.users["steward"])
    exported = resource.export(Person.objects.filter(pk=person.pk))
    assert exported.dict[0]["手机号"] == person.mobile[:3] + "****" + person.mobile[-4:]
    resource = PersonResource(user=world.users["community"])
    exported = resource.export(Person.objects.filter(pk=person.pk))
    assert exported.dict[0]["手机号"] == person.mobile
