"""Fixtures for home services: the demo catalogue and a way to book quickly."""
from __future__ import annotations

import datetime as dt

import pytest

from actions.services.booking import ServiceRequest, book_service
from actions.services.catalogue import Catalogue, load_catalogue
from actions.services.slots import ServiceChoice
from bot.kernel.settings import PROJECT_ROOT
from tests.conftest import NOW


@pytest.fixture()
def catalogue() -> Catalogue:
    return load_catalogue(PROJECT_ROOT / "data" / "services.yml")


def book(sessions, catalogue, code, day, half, resident_id=1, booked_by=None, message_id=None, note=""):
    request = ServiceRequest(resident_id, ServiceChoice(code, day, half), booked_by or f"resident:{resident_id}",
                             "test", note=note, message_id=message_id)
    return book_service(sessions, catalogue, request, NOW)


TUESDAY = dt.date(2026, 11, 24)
SUNDAY = dt.date(2026, 11, 29)
