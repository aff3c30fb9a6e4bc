"""The evening word to the family, end to end: a relative picks the hour with /daily on the real Telegram
process (Bot API stand-in), the care round queues the summary at that hour on the frozen clock, the outbox
delivers it once; /daily off stops it."""
from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import select

from actions.daily_word import daily_word_round
from actions.db.models import DailyWordPlan, FamilyMember
from tests.conftest import NOW
from tests.e2e.test_telegram_http import link, new_chat, say, telegram, text_of  # noqa: F401 (the fixture)

pytestmark = pytest.mark.e2e
OFFSET = dt.timedelta(hours=8)


def test_the_evening_word_at_the_hour_picked_and_switched_off(telegram, db) -> None:  # noqa: F811
    api, chat = telegram.api, new_chat()
    link(api, db, chat, 2, name="强")
    assert "/daily 20" in text_of(say(api, chat, "/daily 晚上", "/daily"))
    assert "每天20点把王建国当天的情况发给您" in text_of(say(api, chat, "/daily 20", "每天20点"))
    with db() as session:
        member_id = session.scalar(select(FamilyMember.id).where(FamilyMember.telegram_chat_id == str(chat)))
        plan = session.scalars(select(DailyWordPlan).where(DailyWordPlan.family_member_id == member_id)).one()
    assert (plan.resident_id, plan.hour, plan.enabled) == (2, 20, True)
    since = time.monotonic()
    assert daily_word_round(db, NOW.replace(hour=20, minute=1), OFFSET) >= 1
    word = api.wait_for(lambda c: c.method == "sendMessage" and str(c.chat_id) == str(chat) and c.at >= since
                        and "王建国今天（11月23日）" in (c.text or ""), 30)
    assert word.text.startswith("王建国今天（11月23日）：")
    assert daily_word_round(db, NOW.replace(hour=20, minute=2), OFFSET) == 0, "once a day"
    assert "不再每天发王建国的情况" in text_of(say(api, chat, "/daily off", "不再"))
    with db() as session:
        assert session.get(DailyWordPlan, plan.id).enabled is False
