"""Follow-ups answered with the one sentence of the item that says it."""

import pytest

from actions.policies.knowledge import load_knowledge
from actions.policies.sentences import best_sentence
from bot.kernel.settings import PROJECT_ROOT as ROOT


@pytest.fixture(scope="module")
def knowledge():
    return load_knowledge(ROOT / "data" / "policies")


@pytest.mark.parametrize("item_id, question, words", [
    ("yanglao_fuwu_butie", "钱打哪儿", "卡"),
    ("yanglao_fuwu_butie", "能取现金不", "不能取现金"),
    ("yibao_fuwuzhan", "礼拜天开门不", "工作日"),
    ("mianfei_tijian", "要空着肚子去不", "不要吃饭"),
    ("fuju_zulin", "能送到家不", "送货上门"),
    ("gongjiao_mianfei", "卡丢了咋整", "挂失"),
])
def test_the_sentence_that_answers(knowledge, item_id, question, words):
    found = best_sentence(knowledge.by_id(item_id), question, knowledge)
    assert found is not None and words in found[1]


@pytest.mark.parametrize("reply", ["好", "好的", "不用了", "知道了", "行啊，说吧", "今天天气好", "我回头跟他说"])
def test_a_reply_that_asks_nothing_finds_no_sentence(knowledge, reply):
    assert all(best_sentence(item, reply, knowledge) is None for item in knowledge)
