"""Staff commands for visits and the outbox."""

import pytest
from sqlalchemy import select

from actions.db.models import ServiceBooking
from bot.ops import cli
from tests.unit.actions.services.conftest import TUESDAY, book

pytestmark = pytest.mark.both_databases


def test_list_confirm_done(sessions, catalogue, capsys) -> None:
    visit = book(sessions, catalogue, "bathing", TUESDAY, "上午", resident_id=2, note="要男护工").booking_id
    assert cli.main(["services", "list", "--date", TUESDAY.isoformat()]) == 0
    listed = capsys.readouterr().out
    assert f"#{visit} 上午 助浴 王建国" in listed and "[requested] 未派人 要男护工" in listed
    assert cli.main(["services", "confirm", str(visit), "--helper", "赵护工"]) == 0
    assert cli.main(["services", "done", str(visit)]) == 0
    with sessions() as session:
        booking = session.get(ServiceBooking, visit)
        assert (booking.status, booking.helper_name) == ("done", "赵护工")


def test_refusals_and_missing_arguments(sessions, catalogue, capsys) -> None:
    visit = book(sessions, catalogue, "bathing", TUESDAY, "上午").booking_id
    assert cli.main(["services", "cancel", str(visit)]) == 2
    assert "--reason" in capsys.readouterr().err
    assert cli.main(["services", "done", str(visit)]) == 1
    assert "requested cannot become done" in capsys.readouterr().err
    with sessions() as session:
        assert session.scalar(select(ServiceBooking.status)) == "requested"


def test_outbox_command_delivers_and_reports_what_waits(sessions, catalogue, capsys) -> None:
    book(sessions, catalogue, "bathing", TUESDAY, "上午", resident_id=1, booked_by="staff:1")
    assert cli.main(["outbox"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("delivered 1; waiting: family:1 1")
