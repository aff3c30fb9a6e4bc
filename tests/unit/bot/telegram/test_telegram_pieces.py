"""Small pieces of the Telegram adapter: flood guard, buttons, long texts, who the core hears."""
from bot.kernel.core_client import Button
from bot.telegram.chats import ChatState
from bot.telegram.flood import FloodGuard
from bot.telegram.handlers import metadata_for, sender_id, split_text
from bot.telegram.keyboards import ButtonBook, people_markup


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_flood_guard_allows_n_a_minute_and_warns_once() -> None:
    clock = Clock()
    guard = FloodGuard(3, clock)
    assert [guard.check("1") for _ in range(5)] == [(True, False)] * 3 + [(False, True), (False, False)]
    assert guard.check("2") == (True, False)  # other chats are not affected
    clock.now = 61.0
    assert guard.check("1") == (True, False)


def test_short_payloads_travel_in_the_button_long_ones_by_token() -> None:
    book = ButtonBook(size=2)
    short = book.data_for('/affirm')
    assert short == "c:/affirm" and book.payload_of(short) == "/affirm"
    long_payload = '/book_meal{"date":"2026-11-24","meal_type":"午餐","delivery":"送餐上门"}'
    data = book.data_for(long_payload)
    assert data.startswith("t:") and len(data.encode()) <= 64 and book.payload_of(data) == long_payload
    book.data_for(long_payload + "1")
    book.data_for(long_payload + "2")
    assert book.payload_of(data) is None  # forgotten: the user is asked to type instead
    assert book.payload_of("junk") is None
    markup = book.markup([Button("明天", "/inform"), Button("后天", "/inform2")])
    assert [row[0].text for row in markup.inline_keyboard] == ["明天", "后天"]
    assert book.markup([]) is None


def test_people_markup_marks_the_current_parent() -> None:
    markup = people_markup("parent", [(1, "张桂英"), (4, "刘德明")], current=4)
    assert [(r[0].text, r[0].callback_data) for r in markup.inline_keyboard] == \
        [("张桂英", "parent:1"), ("✓ 刘德明", "parent:4")]


def test_long_answers_are_cut_for_telegram() -> None:
    text = "\n".join("第%d行" % i + "字" * 50 for i in range(200))
    parts = split_text(text, limit=1000)
    assert all(len(p) <= 1000 for p in parts) and "".join(parts) == text
    assert split_text("x" * 2500, limit=1000) == ["x" * 1000, "x" * 1000, "x" * 500]


def test_the_core_hears_the_family_member_and_the_parent() -> None:
    linked = ChatState("42", 7, "李明", ((1, "张桂英"), (3, "李秀兰")), 3, False)
    meta = metadata_for(linked)
    assert (meta.channel, meta.role, meta.resident_id, meta.family_member_id) == ("telegram", "family", 3, 7)
    assert sender_id(linked) == "telegram:42:r3"
    alone = ChatState("42", None, "", (), None, False)
    assert metadata_for(alone).role == "anonymous" and sender_id(alone) == "telegram:42"
    assert not alone.may_act_for(1) and linked.may_act_for(1) and not linked.may_act_for(2)
