"""Fixtures of the console tests: a real console on the test database, and a logged-in admin."""
import pytest

from tests.unit.bot.staff.console_helpers import admin_client, running_console


@pytest.fixture()
def console(sessions, database_url):
    with running_console(sessions, database_url) as server:
        yield server


@pytest.fixture()
def admin(console, sessions):
    return admin_client(console.url, sessions)
