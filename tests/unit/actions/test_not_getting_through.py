"""Turns that do not get through are counted in a row, whatever the classifier thought of them."""
from actions.tracker_utils import consecutive_fallbacks
from tests.conftest import make_tracker, user_event


def _action(name: str) -> dict:
    return {"event": "action", "name": name}


def test_a_detail_with_no_question_asked_counts_as_not_getting_through() -> None:
    """"嗯……那个……啥来着", "哎呀就是那个", "呃呃 那个谁": a person after the third."""
    events = [user_event("嗯……那个……啥来着", "nlu_fallback", 0.3), _action("action_fallback"),
              user_event("哎呀就是那个，那个嘛", "inform", 0.6), _action("utter_ask_what_task"),
              user_event("呃呃 嗯 那个谁", "out_of_scope", 0.7)]
    assert consecutive_fallbacks(make_tracker(events)) == 3


def test_a_turn_that_got_through_ends_the_run() -> None:
    events = [user_event("嗯……那个", "nlu_fallback", 0.3), _action("action_fallback"),
              user_event("明天中午吃什么", "ask_menu", 0.9), _action("action_answer_menu"),
              user_event("明天", "inform", 0.9), _action("utter_ask_what_task"),
              user_event("呃呃", "out_of_scope", 0.7)]
    assert consecutive_fallbacks(make_tracker(events)) == 2


def test_words_the_emergency_conversation_took_got_through() -> None:
    events = [user_event("哎哟我摔了一跤", "emergency", 1.0), _action("action_emergency"), _action("emergency_form"),
              user_event("腰疼", "nlu_fallback", 0.3), _action("emergency_form"),
              user_event("能动，就是疼", "inform", 0.4), _action("emergency_form"), _action("action_alert_settled"),
              user_event("我闺女一会儿就到", "nlu_fallback", 0.3)]
    assert consecutive_fallbacks(make_tracker(events)) == 1
