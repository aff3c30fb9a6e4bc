"""Task cues: the request inside a long story, a yes in any register, and danger never read as a task."""
from __future__ import annotations

import pytest

from bot.kernel.settings import PROJECT_ROOT
from bot.kernel.words.task_cues import TaskCues, load_service_words, yes_inside


@pytest.fixture(scope="module")
def cues() -> TaskCues:
    return TaskCues(load_service_words(PROJECT_ROOT / "data" / "services.yml"))


@pytest.mark.parametrize("text, intent, expected", [
    ("我都八十好几了，老伴走了好些年了，一个人做饭也不值当，你看明天中午能不能给我送一份热乎饭来",
     "share_feelings", "book_meal"),
    ("我这右手没劲儿，家里卫生搞不动了，高处落的灰也够不着", "share_feelings", "book_service"),
    ("家里水表不用水也一直转，也不知道哪儿漏了", "share_feelings", "book_service"),
    ("那你给我找个人来陪我唠唠吧", "share_feelings", "book_service"),
    ("老伴住院花了好多钱，家里一下子过不去了，有啥救助没", "share_feelings", "ask_policy"),
    ("厨房里一股臭鸡蛋味，是不是漏气了", "share_feelings", "emergency"),
    ("平时连个说话的人都没有", "share_feelings", None),  # loneliness stays a feeling: no booking pushed
    ("老伴走了以后，饭桌上总空着一副碗筷", "share_feelings", None),
    ("明天的饭不要了", "share_feelings", None),  # a cancellation is never read as a booking
    ("帮我订明天的午饭", "book_meal", None),  # another task is never changed
    ("燃气灶这两天咋也打不着火，找个人来给看看", "ask_policy", "book_service"),  # a visit, not a fire or a policy
    ("燃气灶打不着火了，心里发愁", "share_feelings", "book_service"),
    ("熬汤把锅碰翻了，脚上烫了一大片，都起泡了", "nlu_fallback", "emergency"),
    ("家里卫生间想装个扶手，找人来看看", "ask_policy", None),  # a policy named: stays a policy question
    ("我摔倒了", "emergency", None),
])
def test_soft_intents_hiding_a_request(cues, text, intent, expected) -> None:
    assert cues.task_in(text, intent) == expected


def test_help_with_the_cost_of_care_is_a_policy_question(cues) -> None:
    assert cues.task_in("我瘫在床上好几年了，护理的钱太贵了，有没有啥能报销的", "book_service") == "ask_policy"
    assert cues.task_in("护工太贵了，能不能补贴点", "book_service") == "ask_policy"
    assert cues.task_in("孩子请保姆换了好几个，护理的钱太贵了，有没有啥能报销的", "share_feelings") == "ask_policy"
    assert cues.task_in("帮我约个上门护理，有补贴吗", "book_service") is None  # a booking asked for
    assert cues.task_in("找人来给我洗个澡", "book_service") is None


def test_a_bare_policy_name_is_no_yes(cues) -> None:
    assert cues.task_in("底保", "affirm", ["policy_topic"]) == "ask_policy"
    assert cues.task_in("对，低保", "affirm", ["policy_topic"]) is None
    assert cues.task_in("好的", "affirm") is None


def test_a_meal_said_in_one_breath_is_a_booking(cues) -> None:
    assert cues.task_in("明天中午一份，送家里", "inform", ["date"]) == "book_meal"
    assert cues.task_in("明天", "inform", ["date"]) is None


def test_an_emergency_the_classifier_doubted_is_not_read_as_a_feeling(cues) -> None:
    assert cues.task_in("我心里发慌", "share_feelings", ranking=[("share_feelings", 0.4), ("emergency", 0.3)]) \
        == "emergency"


@pytest.mark.parametrize("text, intent, yes", [
    ("中，麻烦你了", "thank", True), ("对对对，就是这么个事儿，你给我订上吧", "book_meal", True),
    ("好嘞", "inform", True), ("好的，帮我订明天的午饭", "book_meal", False), ("不对不对", "thank", False),
    ("中，不要送了", "thank", False), ("好，改成两份", "inform", False),
])
def test_a_yes_in_any_register(text, intent, yes) -> None:
    assert yes_inside(text, intent) is yes


def test_danger_read_as_a_policy_question_is_the_danger(cues) -> None:
    """Danger words and no policy named: never answered "这个我没有找到"."""
    assert cues.task_in("刚才洗澡滑了一下，坐在地上半天起不来，这可咋整", "ask_policy") == "emergency"
    assert cues.task_in("我摔过一跤以后走路不稳，能租个轮椅吗", "ask_policy") is None  # a policy named
    assert cues.task_in("老伴瘫在床上起不来，护理的钱能报销吗", "ask_policy") is None  # help with a cost


@pytest.mark.parametrize("intent", ["cancel_activity", "check_bookings", "ask_menu", "goodbye"])
def test_danger_read_as_an_errand_is_the_danger(cues, intent) -> None:
    assert cues.task_in("哎哟，我上厕所跌地上了，动不了", intent) == "emergency"


def test_danger_words_in_a_booking_or_a_retraction_keep_their_intent(cues) -> None:
    assert cues.task_in("我没事，没摔着，不用来了", "retract_alert") is None
    assert cues.task_in("帮我约个人陪我去医院，腿摔了走不了远路", "book_service") is None


def test_danger_told_of_in_the_past_is_asked_about(cues) -> None:
    assert cues.task_in("我妈前几天在家摔了，现在出院了，社区有没有人能上门看看她", "ask_help") == "report_danger"
