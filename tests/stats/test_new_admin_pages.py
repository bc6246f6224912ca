"""The admin pages of issue 17's records open for the staff who keep them,
and their lists run a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

PAGES = [
    ("district", "/admin/stats/assessmentitem/"),
    ("district", "/admin/stats/assessmentitem/add/"),
    ("district", "/admin/stats/assessmentscore/"),
    ("district", "/admin/stats/assessmentscore/add/"),
    ("district", "/admin/stats/companyevaluation/"),
    ("district", "/admin/stats/honourlist/"),
    ("district", "/admin/stats/honourlist/add/"),
    ("community", "/admin/stats/casemixmonthly/"),
    ("community", "/admin/stats/companyevaluation/"),
    ("community", "/admin/grids/notice/"),
    ("community", "/admin/grids/notice/add/"),
    ("community", "/admin/grids/servicecentre/"),
    ("community", "/admin/grids/servicecentre/add/"),
    ("community", "/admin/grids/dutyshift/"),
    ("community", "/admin/grids/dutyshift/add/"),
    ("community", "/admin/deliberation/disclosureentry/"),
    ("community", "/admin/deliberation/disclosureentry/add/"),
]


@pytest.mark.parametrize(("username", "path"), PAGES)
def test_new_admin_pages_open_for_their_staff(client, world, username, path):
    """Each page answers 200 to the staff who keep its records."""
    client.force_login(world.users[username])
    assert client.get(path).status_code == 200


def test_evaluation_list_runs_a_fixed_number_of_queries(client, world):
    """The evaluations list costs the same with rows as without."""
    from decimal import Decimal

    from core import calendar
    from stats.models import CompanyEvaluation

    client.force_login(world.users["district"])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/admin/stats/companyevaluation/").status_code == 200
        return len(queries)

    empty = count()
    quarter = calendar.quarter_start(calendar.today())
    for level, community in (("district", None), ("community", world.c1)):
        CompanyEvaluation.objects.create(
            quarter=quarter,
            level=level,
            property_company=world.company,
            district=world.district,
            community=community,
            cases=12,
            score=Decimal("80"),
        )
    assert count() == empty == 11
