"""Every spreadsheet download neutralises formulas and control characters:
values led by =, +, -, @, a tab or a carriage return in every exported text
field come out as text (a leading apostrophe), in CSV and in Excel."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from core.exports import FORMULA_STARTS, neutralise_cell
from grids.models import (
    Building,
    Community,
    Compound,
    Household,
    PartyMember,
    Person,
    Unit,
)
from stats.models import FeeCollection
from tests.core.exporting import admin_export, cells
from tests.grids import factories as f

PREFIXES = ["=", "+", "-", "@", "\t", "\r"]


def _evil(prefix: str, n: int) -> str:
    return f'{prefix}HYPERLINK("http://evil.example/{n}","点我")'


def _places(world, prefix):
    """Give every place name of grid G1 a formula-led value."""
    household = world.households["G1"][0]
    unit = household.unit
    Community.objects.filter(pk=world.c1.pk).update(name=_evil(prefix, 1))
    Compound.objects.filter(pk=unit.building.compound_id).update(name=_evil(prefix, 2))
    Building.objects.filter(pk=unit.building_id).update(number=_evil(prefix, 3)[:20])
    Unit.objects.filter(pk=unit.pk).update(number=_evil(prefix, 4)[:20])
    Household.objects.filter(pk=household.pk).update(room=_evil(prefix, 5)[:20])
    return household


def _assert_all_neutral(rows):
    dangerous = []
    for row in rows[1:]:
        for cell in row:
            if (
                isinstance(cell, str)
                and cell.startswith(FORMULA_STARTS)
                and not cell.lstrip("+-").replace(".", "").isdigit()
            ):
                dangerous.append(cell)
    assert not dangerous
    texts = [c for row in rows[1:] for c in row if isinstance(c, str)]
    assert any(c.startswith("'") and "HYPERLINK" in c for c in texts)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("prefix", PREFIXES)
def test_export_people_neutralises_every_text_field(client, world, prefix, fmt):
    """Residents' export: names and every place column."""
    household = _places(world, prefix)
    Person.objects.filter(household=household).update(name=_evil(prefix, 6))
    client.force_login(world.users["community"])
    response = admin_export(client, reverse("admin:grids_person_export"), fmt)
    assert response.status_code == 200
    _assert_all_neutral(cells(response, fmt))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("prefix", PREFIXES)
def test_export_households_neutralises_every_text_field(client, world, prefix, fmt):
    """Households' export: every place column."""
    _places(world, prefix)
    client.force_login(world.users["community"])
    response = admin_export(client, reverse("admin:grids_household_export"), fmt)
    assert response.status_code == 200
    _assert_all_neutral(cells(response, fmt))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("prefix", PREFIXES)
def test_export_party_members_neutralises_every_text_field(client, world, prefix, fmt):
    """Party members' export: a 双报到 name like "=HYPERLINK(…)" stays text,
    as do the work unit, its party organisation and the one here."""
    person = world.people["G1"][0]
    org = f.PartyOrganizationFactory(community=world.c1, name=_evil(prefix, 7))
    PartyMember.objects.create(
        person=person,
        community=world.c1,
        kind=PartyMember.Kind.IN_SERVICE,
        party_org=org,
        work_unit=_evil(prefix, 8),
        work_unit_party_org=_evil(prefix, 9),
    )
    Person.objects.filter(pk=person.pk).update(name=_evil(prefix, 10))
    Community.objects.filter(pk=world.c1.pk).update(name=_evil(prefix, 11))
    client.force_login(world.users["community"])
    response = admin_export(client, reverse("admin:grids_partymember_export"), fmt)
    assert response.status_code == 200
    _assert_all_neutral(cells(response, fmt))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("prefix", PREFIXES)
def test_export_fee_collection_neutralises_every_text_field(client, world, prefix, fmt):
    """Fee collection's export: the note and the place names."""
    household = _places(world, prefix)
    FeeCollection.objects.create(
        compound=household.unit.building.compound,
        month=datetime.date(2026, 10, 1),
        households_billed=10,
        households_paid=9,
        amount_due=Decimal("1000"),
        amount_collected=Decimal("900"),
        note=_evil(prefix, 12),
    )
    client.force_login(world.users["community"])
    response = admin_export(client, reverse("admin:stats_feecollection_export"), fmt)
    assert response.status_code == 200
    _assert_all_neutral(cells(response, fmt))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+86 139", "'+86 139"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("铃\x07声", "铃声"),
        ("-5", "-5"),
        ("+3.5", "+3.5"),
        ("王大妈", "王大妈"),
        (42, 42),
        (None, None),
    ],
)
def test_neutralise_cell(value, expected):
    """Formula-led text gets an apostrophe, control characters go, numbers and
    plain text stay as they are."""
    assert neutralise_cell(value) == expected
