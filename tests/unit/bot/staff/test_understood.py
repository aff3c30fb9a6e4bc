"""The "not understood" queue: turns from Rasa's events, labelling, skipping, export as Rasa NLU YAML."""
from __future__ import annotations

import re

import pytest
import yaml
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
from sqlalchemy import select

from actions.db.models import AuditLog, NotUnderstoodTurn
from bot.staff.rasa_events import project_intents
from bot.staff.training_export import build_nlu_yaml, clean_example
from tests.unit.bot.staff.console_helpers import admin_client, running_console, staff_actor
from tests.unit.bot.staff.test_conversations import HELLO, Core, Turn, fallback, local

pytestmark = pytest.mark.both_databases

MESSY = "- [急]我要: 订饭\n明天 #中午\u2028 两份\t\x07"


@pytest.fixture()
def core(sessions, database_url) -> Core:
    core = Core(database_url)
    core.talk("kiosk-wang", local(23, 7), [fallback("帮我把那个东西弄一下", "book_service", 0.22), HELLO,
                                          fallback("我想学跳舞", "ask_help", 0.18)], resident_id=2)
    core.talk("tg-liu", local(23, 7, 30), [Turn(MESSY, "book_meal", 0.21, "utter_ask_meal", "您想订哪一天的饭？"),
                                          fallback("嗯嗯那个", "affirm", 0.2)], channel="telegram", resident_id=4)
    return core


@pytest.fixture()
def admin(core, sessions, database_url):
    with running_console(sessions, database_url) as server:
        yield admin_client(server.url, sessions)


def _turn_ids(sessions) -> dict:
    with sessions() as session:
        return {turn.text: turn.event_id for turn in session.scalars(select(NotUnderstoodTurn))}


def _counts(html: str) -> dict:
    return {name: int(value) for name, value in re.findall(r'id="count-(\w+)">(\d+)<', html)}


def test_the_queue_lists_fallback_and_low_confidence_turns(admin, sessions) -> None:
    page = admin.get("/not-understood")
    assert page.status_code == 200
    ids = _turn_ids(sessions)
    assert set(ids) == {"帮我把那个东西弄一下", "我想学跳舞", MESSY, "嗯嗯那个"}, "the confident 你好 is not queued"
    assert _counts(page.text) == {"waiting": 4, "labelled": 0, "exported": 0, "skipped": 0}
    assert "<code>book_service</code>（置信度 0.22）" in page.text and "<code>book_meal</code>（置信度 0.21）" in page.text
    assert f'href="/conversations/kiosk-wang#e{ids["帮我把那个东西弄一下"]}"' in page.text
    first_form = page.text.split('action="/not-understood/')[2].split("</select>")[0]
    options = re.findall(r'<option value="([^"]*)"', first_form)
    assert options == ["", *project_intents(), "new_topic"] and "新话题（暂无合适的意图）" in page.text
    assert "nlu_fallback" not in options


def test_labelling_and_export(admin, sessions) -> None:
    admin.get("/not-understood")
    ids = _turn_ids(sessions)
    refused = admin.http.post(admin.base + f"/not-understood/{ids['我想学跳舞']}", data={"intent": "greet"}, timeout=30)
    assert refused.status_code == 403, "a form without the csrf token"
    assert admin.post(f"/not-understood/{ids['我想学跳舞']}", {"intent": "no_such_intent"}).status_code == 400

    for words, intent in (("帮我把那个东西弄一下", "book_service"), ("我想学跳舞", "new_topic"), (MESSY, "book_meal")):
        answer = admin.post(f"/not-understood/{ids[words]}", {"intent": intent, "do": "label"})
        assert answer.status_code == 200 and "已保存标注" in answer.text
    skipped = admin.post(f"/not-understood/{ids['嗯嗯那个']}", {"intent": "", "do": "skip"})
    assert "已跳过" in skipped.text
    assert _counts(skipped.text) == {"waiting": 0, "labelled": 3, "exported": 0, "skipped": 1}

    export = admin.post("/not-understood/export")
    assert export.status_code == 200
    assert export.headers["Content-Type"] == "text/yaml; charset=utf-8"
    assert export.headers["Content-Disposition"].startswith('attachment; filename="xiaonuan-nlu-')
    body = export.content.decode("utf-8")
    data = yaml.safe_load(body)
    assert data["version"] == "3.1"
    examples = {entry["intent"]: entry["examples"].splitlines() for entry in data["nlu"]}
    assert examples == {"book_meal": ["- ［急］我要: 订饭 明天 #中午 两份"], "book_service": ["- 帮我把那个东西弄一下"]}
    assert "#   - 我想学跳舞" in body.split('version: "3.1"')[0], "new topics only in the comment at the top"
    parsed = RasaYAMLReader().reads(body)  # what `rasa data validate` reads
    assert {(m.get("intent"), m.get("text")) for m in parsed.intent_examples} == {
        ("book_meal", "［急］我要: 订饭 明天 #中午 两份"), ("book_service", "帮我把那个东西弄一下")}
    assert not parsed.entity_examples, "brackets in what was said are not entity annotations"

    with sessions() as session:
        exported = {t.text: t.exported_at is not None for t in session.scalars(select(NotUnderstoodTurn))}
        audit = [(a.action, a.target, a.detail) for a in session.scalars(
            select(AuditLog).where(AuditLog.actor == staff_actor(sessions, "admin"),
                                   AuditLog.action.in_(["labelled_turn", "skipped_turn", "exported_training_data"]))
            .order_by(AuditLog.id))]
    assert exported == {"帮我把那个东西弄一下": True, "我想学跳舞": True, MESSY: True, "嗯嗯那个": False}
    assert audit == [("labelled_turn", f"turn:{ids['帮我把那个东西弄一下']}", "book_service"),
                     ("labelled_turn", f"turn:{ids['我想学跳舞']}", "new_topic"),
                     ("labelled_turn", f"turn:{ids[MESSY]}", "book_meal"),
                     ("skipped_turn", f"turn:{ids['嗯嗯那个']}", ""),
                     ("exported_training_data", "not_understood_turns", "3 rows: 2 examples, 1 new topics")]

    page = admin.get("/not-understood")
    assert _counts(page.text) == {"waiting": 0, "labelled": 0, "exported": 3, "skipped": 1}
    again = admin.post("/not-understood/export")
    assert "没有新的标注可以导出" in again.text and "Content-Disposition" not in again.headers
    late = admin.post(f"/not-understood/{ids['我想学跳舞']}", {"intent": "ask_help", "do": "label"})
    assert late.status_code == 409 and "已经导出" in late.text


@pytest.mark.parametrize("said, cleaned", [
    ("- - 我要订饭", "我要订饭"),
    ("  订饭\r\n\r\n明天  ", "订饭 明天"),
    ("订饭\x85明天\u2029后天\x0b\x1c", "订饭 明天 后天"),
    ("[红烧肉](dish) 来一份", "［红烧肉］(dish) 来一份"),
    ("\ufeff: {a: 1} | > &x *y !z %w @v `u", ": {a: 1} | > &x *y !z %w @v `u"),
    ("\n\t ", ""),
])
def test_exported_texts_are_single_safe_lines(said, cleaned) -> None:
    assert clean_example(said) == cleaned
    body, written, _ = build_nlu_yaml([("book_meal", said), ("new_topic", said)], "2026-11-23 08:00")
    loaded = yaml.safe_load(body)
    assert written == (1 if cleaned else 0)
    lines = [line[2:] for entry in loaded["nlu"] for line in entry["examples"].splitlines()]
    assert lines == ([cleaned] if cleaned else [])
    RasaYAMLReader().reads(body)


def test_answered_then_corrected_turns_are_queued(sessions, database_url) -> None:
    """Confident turns whose answers were then corrected ("不对" to an answer that asked nothing, the same
    words again, a person asked for) are real failures; a "不对" to a read-back question is not."""
    from bot.staff.summaries import refresh_summaries

    core = Core(database_url)
    core.talk("kiosk-fix", local(23, 8), [
        Turn("明天中午那顿饭我不去了", "book_service", 0.71, "utter_ask_service_date", "好的，约陪聊。"),
        Turn("不对，我说的是饭", "deny", 0.8, "utter_deny_idle", "好的，不办了。"),
        Turn("我想找人来剪剪头发", "book_service", 0.83, "utter_ask_service_date", "约助浴，哪天来？"),
        Turn("我想找人来剪剪头发", "book_service", 0.83, "utter_ask_service_date", "约助浴，哪天来？"),
        Turn("轮椅能借吗", "ask_policy", 0.66, "action_answer_policy", "这个我没有找到。"),
        Turn("转人工", "human_handoff", 0.97, "action_human_handoff", "好的，请工作人员联系您。"),
        Turn("帮我订明天午饭", "book_meal", 0.95, "utter_ask", "我念一下：订明天的午饭，一份。对吗？"),
        Turn("不对，是后天", "deny", 0.9, "utter_ask", "我念一下：订后天的午饭，一份。对吗？"),
    ], resident_id=5)
    refresh_summaries(sessions)
    queued = set(_turn_ids(sessions))
    assert queued == {"明天中午那顿饭我不去了", "我想找人来剪剪头发", "轮椅能借吗"}
