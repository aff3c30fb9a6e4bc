"""The custom NLU components on real Rasa messages."""
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.core.nlu_components import ChineseTextNormalizer, SafetyNet


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


def _ranked(text: str, ranking: list) -> Message:
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": ranking[0][0], "confidence": ranking[0][1]})
    message.set("intent_ranking", [{"name": name, "confidence": confidence} for name, confidence in ranking])
    return message


def test_a_fraud_guessed_in_a_request_for_help_at_home_is_no_fraud() -> None:
    """The classifier learnt frauds from long stories and heard one in a long request (the held-out failure)."""
    message = _ranked("外头风大雨大的，我这腿脚出去怕摔着，晚饭给送两份过来行不",
                      [("scam_warning", 0.56), ("book_meal", 0.44), ("share_feelings", 0.0)])
    SafetyNet({"max_chars": 300}).process([message])
    assert message.get(INTENT)["name"] == "book_meal"
    assert "scam_warning" not in [r["name"] for r in message.get("intent_ranking")]
    weak = _ranked("这屋子埋汰得不行了，弯不下腰，擦不了地", [("scam_warning", 0.8), ("share_feelings", 0.1)])
    SafetyNet({"max_chars": 300}).process([weak])
    assert weak.get(INTENT)["name"] == "nlu_fallback"


def test_a_fraud_story_keeps_its_warning() -> None:
    for text in ("电话里那人说我孙子开车撞了人，让我赶紧打钱过去", "有个人说是派出所的，让我配合调查",
                 "上门推销的说这个保健品能降血压"):
        message = _ranked(text, [("scam_warning", 0.7), ("ask_family_call", 0.2)])
        SafetyNet({"max_chars": 300}).process([message])
        assert message.get(INTENT)["name"] == "scam_warning", text


def test_danger_told_about_is_checked_first_and_real_danger_still_alarms() -> None:
    net = SafetyNet({"max_chars": 300})
    for text in ("楼下老李昨天摔了一跤", "电视里说有个老太太做饭睡着了，家里着火了，吓我一跳",
                 "孙子在屋里玩游戏呢，一个劲儿喊救命救命，吵死了"):
        intent, reason = net.decide(text)
        assert intent == "report_danger" and reason.startswith("reported:")
    for text in ("救命", "我摔倒了", "老伴在厕所滑倒了", "我昨天摔了一跤，现在起不来", "孙子在玩，我摔倒了起不来，快来",
                 "电视里说着火了，我家也冒烟了，快来人"):
        assert net.decide(text)[0] == "emergency", text
