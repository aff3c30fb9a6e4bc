"""The custom NLU components on real Rasa messages."""
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.components import ChineseTextNormalizer, SafetyNet


def _classified(text: str, intent: str, confidence: float = 0.9) -> Message:
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": intent, "confidence": confidence})
    message.set("intent_ranking", [{"name": intent, "confidence": confidence},
                                   {"name": "emergency", "confidence": 0.01}])
    return message


def test_emergency_words_override_a_confident_classifier() -> None:
    message = _classified("我 摔 倒 了", "book_meal", 0.99)
    SafetyNet({"max_chars": 300}).process([message])
    assert message.get(INTENT)["name"] == "emergency"
    assert message.get(INTENT)["confidence"] == 1.0
    assert message.get("intent_ranking")[0]["name"] == "emergency"
    assert [r["name"] for r in message.get("intent_ranking")].count("emergency") == 1
    assert message.get("safety_net") == "emergency:fall"


def test_emergency_wins_even_inside_a_long_message() -> None:
    message = _classified("我跟你说" * 100 + "救命", "nlu_fallback", 0.3)
    SafetyNet({"max_chars": 300}).process([message])
    assert message.get(INTENT)["name"] == "emergency"


def test_unusable_input_becomes_fallback() -> None:
    for text, reason in [("😀😀", "input:empty"), ("好" * 400, "input:too_long"), ("hello", "input:not_chinese")]:
        message = _classified(text, "greet", 0.95)
        SafetyNet({"max_chars": 300}).process([message])
        assert message.get(INTENT)["name"] == "nlu_fallback", text
        assert message.get("safety_net") == reason


def test_ordinary_text_keeps_the_classifier_answer() -> None:
    message = _classified("明天中午吃什么", "ask_menu", 0.8)
    SafetyNet({"max_chars": 300}).process([message])
    assert message.get(INTENT) == {"name": "ask_menu", "confidence": 0.8}
    assert message.get("safety_net") is None


def test_button_payloads_are_left_alone() -> None:
    message = _classified("/affirm", "affirm", 1.0)
    SafetyNet({"max_chars": 300}).process([message])
    assert message.get(INTENT)["name"] == "affirm"


def test_normalizer_rewrites_training_and_live_text_alike() -> None:
    normalizer = ChineseTextNormalizer()
    data = TrainingData([Message(data={TEXT: "我 要 订 午 饭", INTENT: "book_meal"})])
    normalizer.process_training_data(data)
    live = Message(data={TEXT: "我 要 订 午 饭"})
    normalizer.process([live])
    assert data.training_examples[0].get(TEXT) == live.get(TEXT) == "我要订午饭"


def test_input_without_words_still_reaches_the_classifier_with_text() -> None:
    normalizer = ChineseTextNormalizer()
    for text in ["", "   ", "😀😀", "\x00\x01"]:
        message = Message(data={TEXT: text})
        normalizer.process([message])
        assert message.get(TEXT) == "。"
    decided = SafetyNet({"max_chars": 300}).decide("。")
    assert decided == ("nlu_fallback", "input:empty")
