"""Operational tables (audit trail, outbox, notifications) are for superusers."""

import datetime

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


def test_audit_list_filters_the_recent_past_by_the_calendar(client, world):
    """The audit list offers today, the last seven days, this month and last
    month; "last month" holds a row of its last evening and none of this one."""
    from django.contrib.contenttypes.models import ContentType
    from django.urls import reverse

    from core import calendar
    from core.models import AuditEvent

    def row(at):
        event = AuditEvent.objects.create(
            action="probe",
            target_type=ContentType.objects.get_for_model(AuditEvent),
            target_id="1",
            target_repr=f"{at}",
        )
        AuditEvent.objects.filter(pk=event.pk).update(created_at=at)
        return event.pk

    last_month = calendar.previous_month(calendar.today())
    evening = calendar.local_datetime(
        calendar.month_end(last_month), datetime.time(23, 30)
    )
    old = row(evening)
    new = row(calendar.now())
    client.force_login(world.users["superuser"])
    url = reverse("admin:core_auditevent_changelist")

    def listed(value):
        rows = client.get(url, {"recent": value, "action": "probe"}).context["cl"]
        return {e.pk for e in rows.result_list}

    assert listed("last_month") == {old}
    assert listed("month") == {new}
    assert listed("today") == {new}
