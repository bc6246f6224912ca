"""Disclosure (公示) per compound: public income and the maintenance fund,
entry by entry with receipts, and major matters with their outcome."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import calendar
from core.models import AuditEvent
from deliberation.disclosures.selectors import compound_disclosure
from deliberation.disclosures.services import disclosure_entry_record
from tests.deliberation.factories import MajorMatterFactory
from tests.grids.test_notices import _jpeg_with_gps


def _record(world, compound, **fields):
    values = {
        "kind": "public_income",
        "direction": "in",
        "title": "电梯广告位租金",
        "amount": Decimal("3600.00"),
        "occurred_on": calendar.today() - datetime.timedelta(days=10),
    }
    values.update(fields)
    return disclosure_entry_record(
        actor=world.users["community"], compound=compound, **values
    )


@pytest.fixture
def compound(world):
    return world.households["G1"][0].unit.building.compound


def test_disclosure_adds_up_each_account(world, compound):
    """Received, spent and the balance of each account, entries newest
    first; each entry is audited."""
    _record(world, compound)
    _record(
        world,
        compound,
        direction="out",
        title="公共区域照明维修",
        amount=Decimal("800.50"),
        occurred_on=calendar.today(),
    )
    _record(
        world,
        compound,
        kind="maintenance_fund",
        direction="out",
        title="屋面防水维修",
        amount=Decimal("12000"),
    )
    income, fund = compound_disclosure(compound=compound)["accounts"]
    assert (income["received"], income["spent"], income["balance"]) == (
        Decimal("3600.00"),
        Decimal("800.50"),
        Decimal("2799.50"),
    )
    assert [e.title for e in income["entries"]] == [
        "公共区域照明维修",
        "电梯广告位租金",
    ]
    assert fund["balance"] == Decimal("-12000")
    assert AuditEvent.objects.filter(action="disclosure.record").count() == 3


def test_disclosure_entries_are_checked_and_scoped(world, compound):
    """A date in the future is refused; another community's staff and a grid
    worker may not record the compound's accounts."""
    with pytest.raises(ValidationError):
        _record(world, compound, occurred_on=calendar.today() + datetime.timedelta(1))
    for username in ("grid", "steward"):
        with pytest.raises(PermissionDenied):
            disclosure_entry_record(
                actor=world.users[username],
                compound=compound,
                kind="public_income",
                direction="in",
                title="x",
                amount=Decimal(1),
                occurred_on=calendar.today(),
            )


def test_residents_read_the_disclosure_with_receipts_and_matters(
    client, world, compound
):
    """The page shows the accounts with receipts and the major matters with
    their vote, in a pinned number of queries."""
    for n in range(3):
        _record(world, compound, title=f"停车费{n}", receipts=[_jpeg_with_gps()])
    MajorMatterFactory(
        compound=compound,
        title="3号楼加装电梯",
        status="owners_passed",
        outcome={
            "passed": True,
            "failed": [],
            "agree_owners": 14,
            "voted_owners": 16,
            "total_owners": 18,
            "agree_area": "1260.00",
            "voted_area": "1440.00",
            "total_area": "1620.00",
        },
    )
    MajorMatterFactory(compound=compound, title="还在酝酿", status="raised")
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"/c/{world.c1.pk}/disclosures/", {"compound": compound.pk})
    assert page.status_code == 200
    assert len(queries) == 6
    text = page.content.decode()
    assert "停车费2" in text and text.count("<img") == 3
    assert "3号楼加装电梯" in text and "还在酝酿" not in text
    assert "14" in text and "1260.00" in text
    assert client.get("/c/999999/disclosures/").status_code == 404
