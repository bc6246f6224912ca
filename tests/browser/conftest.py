import pytest
from django.db import connection


@pytest.fixture(scope="session")
def live_server_connections_released(django_db_setup, django_db_blocker):
    """After the browser tests, end the live server's leftover database sessions.

    The live server answers Chromium on threads of its own; one may still hold a
    PostgreSQL session when the run ends, which would keep the test database
    from being dropped. This fixture is set up after the database, so it is torn
    down before it.
    """
    yield
    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
