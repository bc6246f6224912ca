"""With ``DATABASE_REPLICA_URL`` the statistics read their roll-ups from the
replica; tested with the same database configured as both (the test
settings' ``replica`` is a mirror of the test database)."""

import pytest
from django.db import connections, router, transaction
from django.test.utils import CaptureQueriesContext

from core.db_routers import REPLICA
from stats.models import CommunityMonthly, FeeCollection, PetitionMonthly
from tests.stats.conftest import built, cases, records  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", REPLICA])

ROLLUP_TABLES = ("stats_petitionmonthly", "stats_communitymonthly")


def _summary(client, world, params) -> dict:
    client.force_login(world.users["community"])
    response = client.get(
        "/api/v1/stats/summary/", {**params, "community": world.c1.pk}
    )
    assert response.status_code == 200
    return response.json()


def test_stats_api_reads_its_rollups_from_the_replica(
    client,
    world,
    built,  # noqa: F811
    settings,
):
    """The summary answers the same with a replica; its roll-up queries went
    to the replica and none of them to the primary."""
    without = _summary(client, world, built)
    settings.DATABASE_REPLICA_URL = "postgres://replica.example/red_property"
    with (
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        answer = _summary(client, world, built)
    assert answer == without
    assert any(t in q["sql"] for q in on_replica for t in ROLLUP_TABLES)
    assert not any(t in q["sql"] for q in on_primary for t in ROLLUP_TABLES)


def test_rollups_read_in_a_transaction_and_other_models_stay_on_the_primary(
    settings,
):
    """A rebuild reads the rows it replaces inside its transaction: there the
    primary answers. Fees, targets and everything staff edit stay on the
    primary. Nothing migrates the replica."""
    assert router.db_for_read(PetitionMonthly) == "default"  # no replica set
    settings.DATABASE_REPLICA_URL = "postgres://replica.example/red_property"
    assert router.db_for_read(PetitionMonthly) == REPLICA
    assert router.db_for_read(CommunityMonthly) == REPLICA
    assert router.db_for_read(FeeCollection) == "default"
    assert router.db_for_write(PetitionMonthly) == "default"
    with transaction.atomic():
        assert router.db_for_read(PetitionMonthly) == "default"
    assert not router.allow_migrate(REPLICA, "stats")
    assert router.allow_migrate("default", "stats")
