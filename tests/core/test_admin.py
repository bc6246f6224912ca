"""Operational tables (audit trail, outbox, notifications) are for superusers."""

import pytest


@pytest.mark.parametrize(
    "path",
    [
        "/admin/core/auditevent/",
        "/admin/core/outboxmessage/",
        "/admin/core/notification/",
    ],
)
def test_operational_tables_are_superuser_only(client, world, path):
    """Community staff cannot open them; a superuser can, read-only."""
    client.force_login(world.users["community"])
    assert client.get(path).status_code == 403
    client.force_login(world.users["superuser"])
    response = client.get(path)
    assert response.status_code == 200
    assert not response.context["has_add_permission"]
