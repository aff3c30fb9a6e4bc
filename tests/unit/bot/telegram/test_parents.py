"""A relative with two linked parents: "我妈…" and "我爸…" select that parent, unclear words keep the active one."""
from __future__ import annotations

from sqlalchemy import select

from actions.db.models import FamilyLink, FamilyMember, Resident, TelegramChat
from bot.telegram.chats import ChatStore


def _two_parents(sessions) -> None:
    """陈晓, daughter of 张桂英 (her mother) and of 王建国 (her father), on chat "c1"."""
    with sessions.begin() as session:
        member = FamilyMember(name="陈晓", phone="13877770000", telegram_chat_id="c1")
        session.add(member)
        session.flush()
        for name in ("张桂英", "王建国"):
            rid = session.scalar(select(Resident.id).where(Resident.name == name))
            session.add(FamilyLink(family_member_id=member.id, resident_id=rid, relation="女儿"))
        session.add(TelegramChat(chat_id="c1", family_member_id=member.id))


def test_the_words_choose_the_parent(sessions) -> None:
    _two_parents(sessions)
    store = ChatStore(sessions)
    assert store.state("c1").active_name == "张桂英"
    assert store.state_for_words("c1", "我爸明天中午的饭帮他订一份").active_name == "王建国"
    assert store.state_for_words("c1", "帮我看看订了什么").active_name == "王建国", "no parent named: stays"
    assert store.state_for_words("c1", "我妈今年86了，她能领什么补贴").active_name == "张桂英"
    assert store.state_for_words("c1", "给王建国约个打扫").active_name == "王建国"
    assert store.state_for_words("c1", "我爸妈都要一份").active_name == "王建国", "both named: unclear, stays"


def test_one_parent_is_never_switched(sessions) -> None:
    store = ChatStore(sessions)
    with sessions.begin() as session:
        session.execute(FamilyMember.__table__.update().where(FamilyMember.name == "张丽").values(telegram_chat_id="c2"))
        member = session.scalar(select(FamilyMember.id).where(FamilyMember.name == "张丽"))
        session.add(TelegramChat(chat_id="c2", family_member_id=member))
    assert store.state_for_words("c2", "我爸怎么样了").active_name == "张桂英"
