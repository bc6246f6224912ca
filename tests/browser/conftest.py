import os
import shutil

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


@pytest.fixture
def chromium(live_server_connections_released, transactional_db, live_server):
    """Debian's Chromium (or ``CHROMIUM_PATH``), headless, through Playwright,
    beside the live server; closed after the test."""
    # Playwright's sync API runs an event loop in this thread; the ORM calls of
    # the fixtures are still synchronous, which Django must be told is intended.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def browser(chromium):
    """The same browser, by the name most tests use."""
    return chromium
