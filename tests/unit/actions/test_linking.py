"""Family link codes: six digits, 24 hours, used once, five wrong tries an hour."""
import datetime as dt

import pytest
from sqlalchemy import func, select

from actions import linking
from actions.db.models import FamilyLink, FamilyMember, LinkCode, OutboxMessage, TelegramChat
from bot.kernel.clock import utcnow

pytestmark = pytest.mark.both_databases

NOW = dt.datetime(2026, 11, 23, 0, 0)


def _issue(sessions, resident_id=1, now=NOW):
    with sessions.begin() as session:
        return linking.issue_code(session, resident_id, "staff:1", now)


def _redeem(sessions, code, chat="555", now=NOW + dt.timedelta(minutes=5)):
    with sessions.begin() as session:
        return linking.redeem(session, chat, code, "李明", now)


@pytest.mark.parametrize("typed,expected", [("123456", "123456"), (" 123 456 ", "123456"), ("１２３４５６", "123456"),
                                            ("123-456", "123456"), ("12345", None), ("1234567", None),
                                            ("订餐", None), ("", None)])
def test_what_counts_as_a_code(typed, expected) -> None:
    assert linking.looks_like_code(typed) == expected


def test_a_code_links_a_new_family_member_and_tells_the_resident(sessions) -> None:
    code = _issue(sessions)
    assert len(code) == 6 and code.isdigit()
    result = _redeem(sessions, code)
    assert (result.status, result.resident_id, result.resident_name) == (linking.OK, 1, "张桂英")
    with sessions() as session:
        member = session.get(FamilyMember, result.family_member_id)
        assert (member.name, member.telegram_chat_id) == ("李明", "555")
        assert session.scalar(select(func.count(FamilyLink.id)).where(
            FamilyLink.family_member_id == member.id, FamilyLink.resident_id == 1)) == 1
        assert session.get(TelegramChat, "555").active_resident_id == 1
        told = session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "resident:1")).one()
        assert "李明" in told.text and "绑定" in told.text


def test_a_code_is_used_once(sessions) -> None:
    code = _issue(sessions)
    assert _redeem(sessions, code, chat="555").status == linking.OK
    second = _redeem(sessions, code, chat="777")
    assert second.status == linking.USED and second.tries_left == 4


def test_a_code_expires_after_24_hours(sessions) -> None:
    code = _issue(sessions)
    late = _redeem(sessions, code, now=NOW + dt.timedelta(hours=24, seconds=1))
    assert late.status == linking.EXPIRED
    assert _redeem(sessions, code, now=NOW + dt.timedelta(hours=23)).status == linking.OK


def test_five_wrong_tries_an_hour_then_even_the_right_code_waits(sessions) -> None:
    code = _issue(sessions)
    wrong = "000000" if code != "000000" else "111111"
    lefts = [_redeem(sessions, wrong, now=NOW + dt.timedelta(minutes=i)).tries_left for i in range(5)]
    assert lefts == [4, 3, 2, 1, 0]
    assert _redeem(sessions, code, now=NOW + dt.timedelta(minutes=10)).status == linking.TOO_MANY
    # Another chat is not affected, and an hour later this one may try again.
    assert _redeem(sessions, code, now=NOW + dt.timedelta(minutes=66)).status == linking.OK


def test_linking_the_same_parent_again_keeps_the_code(sessions) -> None:
    first, second = _issue(sessions), _issue(sessions)
    assert first != second
    assert _redeem(sessions, first).status == linking.OK
    again = _redeem(sessions, second)
    assert again.status == linking.ALREADY
    with sessions() as session:
        assert session.scalars(select(LinkCode).where(LinkCode.code == second)).one().used_at is None


def test_one_family_member_several_parents_and_unlinking(sessions) -> None:
    assert _redeem(sessions, _issue(sessions, 1)).status == linking.OK
    result = _redeem(sessions, _issue(sessions, 3))
    assert result.status == linking.OK
    with sessions.begin() as session:
        assert linking.linked_parents(session, result.family_member_id) == [(1, "张桂英"), (3, "李秀兰")]
        assert session.get(TelegramChat, "555").active_resident_id == 3
    with sessions.begin() as session:
        assert linking.unlink(session, result.family_member_id, 3)
        assert not linking.unlink(session, result.family_member_id, 3)
    with sessions() as session:
        assert session.get(TelegramChat, "555").active_resident_id == 1


def test_codes_for_unknown_residents_are_refused(sessions) -> None:
    with pytest.raises(LookupError), sessions.begin() as session:
        linking.issue_code(session, 999, "staff:1", utcnow())
