"""Shared fixtures: a small two-subdistrict world and one staff login per role.

World (all in one district):
  subdistrict S1 ── community C1 ── grids G1, G2 (compound K1, served by company P)
                 └─ community C2 ── grid G3
  subdistrict S2 ── community C3 ── grid G4
Each grid has one building, one unit and two households with one resident each.
"""

import datetime
import os
import pathlib
import shutil
from dataclasses import dataclass, field

import pytest
import time_machine
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from grids.models import Role
from grids.services import role_assign, staff_account_create
from tests.grids import factories as f

PASSWORD = "correct horse battery"

#: The instant every test starts at. ``TEST_NOW`` (ISO 8601 with an offset) moves
#: it for a whole run, e.g. ``TEST_NOW=2027-01-01T00:30:00+08:00``: the first
#: half hour of a year in Shanghai, still the day before in UTC.
TEST_NOW = datetime.datetime.fromisoformat(
    os.environ.get("TEST_NOW") or "2026-11-18T10:30:00+08:00"
)
if TEST_NOW.tzinfo is None:
    raise RuntimeError("TEST_NOW needs an offset, e.g. 2027-01-01T00:30:00+08:00")


@pytest.fixture(autouse=True)
def pinned_clock():
    """Pin the clock at ``TEST_NOW`` for every test (it ticks on from there, so
    later writes are later). Tests that need time to pass move this traveller:
    ``pinned_clock.shift(datetime.timedelta(hours=3))`` or ``.move_to(...)``."""
    with time_machine.travel(TEST_NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def empty_cache():
    """Start every test with no rate-limit counters (the cache is per process)."""
    from django.core.cache import cache

    cache.clear()
    yield


def pytest_collection_modifyitems(config, items):
    """Skip browser, Redis and fault tests where their service is missing,
    loudly, and fail them instead under CI, where a missing service is a broken
    machine (the fault tests then say what they miss)."""
    in_ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    redis_url = os.environ.get("REDIS_URL")
    postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql"))
    redis_server = shutil.which("redis-server")
    for item in items:
        if "browser" in item.keywords and not chromium and not in_ci:
            item.add_marker(pytest.mark.skip(reason="SKIPPED browser: no chromium"))
        if "redis" in item.keywords and not redis_url and not in_ci:
            item.add_marker(pytest.mark.skip(reason="SKIPPED redis: REDIS_URL unset"))
        if "faults" in item.keywords and not (postgres and redis_server) and not in_ci:
            item.add_marker(
                pytest.mark.skip(
                    reason="SKIPPED faults: need DATABASE_URL=postgres://… and "
                    "redis-server"
                )
            )


def pytest_unconfigure(config):
    """Remove what SQLite leaves beside the file test database (its WAL and
    shared-memory files outlive a connection a thread did not close)."""
    from django.conf import settings

    if not settings.configured:
        return
    database = settings.DATABASES["default"]
    name = database.get("TEST", {}).get("NAME")
    if name and database["ENGINE"].endswith("sqlite3"):
        for suffix in ("", "-wal", "-shm", "-journal"):
            pathlib.Path(f"{name}{suffix}").unlink(missing_ok=True)


@dataclass
class World:
    district: object = None
    s1: object = None
    s2: object = None
    c1: object = None
    c2: object = None
    c3: object = None
    grids: dict = field(default_factory=dict)
    company: object = None
    households: dict = field(default_factory=dict)
    people: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)

    def households_in(self, *grid_names):
        return {h.pk for g in grid_names for h in self.households[g]}

    def people_in(self, *grid_names):
        return {p.pk for g in grid_names for p in self.people[g]}


def _staff(world, username, home, kind, **targets):
    person = f.PersonFactory(household=None, community=home, name=username)
    role_assign(actor=None, person=person, kind=kind, **targets)
    user = staff_account_create(
        actor=None, person=person, username=username, password=PASSWORD
    )
    world.users[username] = user
    return user


@pytest.fixture
def world(db):
    w = World()
    w.district = f.DistrictFactory()
    w.s1 = f.SubdistrictFactory(
        district=w.district, name="湖西街道", division_code="371502010000"
    )
    w.s2 = f.SubdistrictFactory(district=w.district, name="古楼街道")
    w.c1 = f.CommunityFactory(subdistrict=w.s1, name="端庄社区")
    w.c2 = f.CommunityFactory(subdistrict=w.s1, name="柳园社区")
    w.c3 = f.CommunityFactory(subdistrict=w.s2, name="楼北社区")
    w.company = f.PropertyCompanyFactory(district=w.district, name="民晟物业")
    compound_c1 = f.CompoundFactory(
        community=w.c1, name="民生·壹号院", property_company=w.company
    )
    for name, community in [("G1", w.c1), ("G2", w.c1), ("G3", w.c2), ("G4", w.c3)]:
        grid = f.GridFactory(community=community, name=name)
        w.grids[name] = grid
        compound = (
            compound_c1 if community == w.c1 else f.CompoundFactory(community=community)
        )
        building = f.BuildingFactory(compound=compound, grid=grid)
        unit = f.UnitFactory(building=building)
        w.households[name] = [f.HouseholdFactory(unit=unit) for _ in range(2)]
        w.people[name] = [f.PersonFactory(household=h) for h in w.households[name]]

    K = Role.Kind
    _staff(w, "district", w.c1, K.DISTRICT_STAFF, district=w.district)
    _staff(w, "street", w.c1, K.SUBDISTRICT_STAFF, subdistrict=w.s1)
    _staff(w, "community", w.c1, K.COMMUNITY_STAFF, community=w.c1)
    _staff(w, "grid", w.c1, K.GRID_WORKER, grid=w.grids["G1"])
    _staff(
        w,
        "steward",
        w.c1,
        K.PROPERTY_STEWARD,
        grid=w.grids["G1"],
        property_company=w.company,
    )
    w.users["superuser"] = get_user_model().objects.create_superuser(
        "superuser", password=PASSWORD
    )
    return w


@pytest.fixture
def api_client():
    return APIClient()
