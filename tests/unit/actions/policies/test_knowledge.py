"""The staff-edited policy knowledge base: the demo content and the loader's checks."""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import threading
from pathlib import Path

import pytest
import yaml

from actions.policies.knowledge import DETAIL_KEYS, EligibilityRule, KnowledgeBase, KnowledgeError, load_knowledge, parse_item
from bot.kernel.settings import PROJECT_ROOT

FOLDER = PROJECT_ROOT / "data" / "policies"

# The 25 topics of the first brief, then the 8 added later.
TOPICS = ("gaoling_jintie", "yanglao_fuwu_butie", "zhucan_butie", "dibao", "dibao_bianyuan", "tekun_gongyang",
          "linshi_jiuzhu", "dibao_daxuesheng", "canji_liangxiang", "changhu_xian", "shilaohua_gaizao",
          "fuju_zulin", "fuju_zuzhuanshou", "fuju_huigou", "fuju_tuanzu", "jiating_yisheng", "hulianwang_huli",
          "youdai_zheng", "rijian_zhaoliao", "shijian_yinhang", "yibao_fuwuzhan", "rexian_12345", "fangpian",
          "zhineng_shouji", "ertong_zhijia")
ADDED = ("kunjing_ertong", "shineng_huli_butie", "duju_guanai", "jiating_chuangwei", "gongjiao_mianfei",
         "yijian_hujiao", "laonian_daxue", "mianfei_tijian")
WITH_RULES = ("gaoling_jintie", "yanglao_fuwu_butie", "zhucan_butie", "dibao", "tekun_gongyang", "canji_liangxiang",
              "changhu_xian", "shineng_huli_butie", "duju_guanai", "youdai_zheng", "gongjiao_mianfei",
              "mianfei_tijian", "jiating_chuangwei", "shilaohua_gaizao", "yijian_hujiao")


@pytest.fixture()
def kb() -> KnowledgeBase:
    return load_knowledge(FOLDER)


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    """A private copy of the demo folder that a test may change."""
    copy = tmp_path / "policies"
    shutil.copytree(FOLDER, copy)
    return copy


def raw_item(name: str = "gaoling_jintie") -> dict:
    return yaml.safe_load((FOLDER / f"{name}.yml").read_text(encoding="utf-8"))


def test_the_demo_folder_has_every_topic(kb) -> None:
    assert len(kb) == 33 == len(TOPICS + ADDED)
    assert {item.id for item in kb} == set(TOPICS + ADDED)
    assert kb.by_id("gaoling_jintie").title == "高龄津贴"
    assert kb.by_id("rexian_12345").details["phone"] == "12345"
    assert [item.id for item in kb] == sorted(item.id for item in kb)


def test_unknown_id_names_the_known_ones(kb) -> None:
    with pytest.raises(KeyError, match="gaoling_jintie"):
        kb.by_id("nothing")


def test_every_item_is_fit_to_be_read_aloud(kb) -> None:
    for item in kb:
        assert len(re.findall(r"[。！？]+", item.summary)) <= 3, item.id
        assert item.summary.endswith(("。", "！", "？")), item.id
        assert "示例" not in item.summary and not re.search(r"\d+\s*元", item.summary), item.id
        assert 6 <= len(item.aliases) <= 15, item.id
        assert set(item.details) == set(DETAIL_KEYS), item.id
        assert item.sample_values and "示例" in item.source and isinstance(item.updated, dt.date)
        if re.search(r"\d+\s*元", item.details["amount"]):
            assert "（示例标准）" in item.details["amount"], item.id
        assert item.details["phone"] == ("12345" if item.id == "rexian_12345" else "010-6688-1234")


def test_no_name_belongs_to_two_items(kb) -> None:
    owners = {}
    for item in kb:
        for name in {item.title, *item.aliases}:
            assert owners.setdefault(name, item.id) == item.id, name
    assert sum(len(item.aliases) for item in kb) >= 33 * 6


def test_computable_items_have_rules(kb) -> None:
    for item_id in WITH_RULES:
        assert kb.by_id(item_id).eligibility, item_id
    for item_id in ("rexian_12345", "fangpian", "shijian_yinhang"):
        assert not kb.by_id(item_id).eligibility


@pytest.mark.parametrize("age,label,amount", [
    (79, None, None), (80, "80到89岁", 100), (85, "80到89岁", 100), (90, "90到99岁", 500),
    (99, "90到99岁", 500), (100, "100岁及以上", 800), (None, None, None)])
def test_gaoling_jintie_by_age(kb, age, label, amount) -> None:
    rule = kb.by_id("gaoling_jintie").rule_for(age, [])
    assert (rule.label if rule else None, rule.amount if rule else None) == (label, amount)
    if rule:
        assert rule.unit == "元/月"


@pytest.mark.parametrize("flags,amount", [
    (["失能"], 600), (["半失能"], 300), ("独居,半失能", 300), (["独居"], None), ([], None)])
def test_shineng_huli_butie_by_flag(kb, flags, amount) -> None:
    rule = kb.by_id("shineng_huli_butie").rule_for(72, flags)
    assert (rule.amount if rule else None) == amount


def test_rules_combine_age_and_flags(kb) -> None:
    assert kb.by_id("zhucan_butie").rule_for(85, []).amount is None  # own portion free
    assert kb.by_id("zhucan_butie").rule_for(70, []).amount == 5
    assert kb.by_id("zhucan_butie").rule_for(55, []) is None
    duju = kb.by_id("duju_guanai")
    assert duju.rule_for(72, ["独居"]) and not duju.rule_for(65, ["独居"]) and not duju.rule_for(80, [])
    assert duju.rule_for(None, ["独居"]) is None  # an age condition needs a known age
    assert kb.by_id("canji_liangxiang").rule_for(None, ["重度残疾", "低保"]).amount == 350
    assert kb.by_id("dibao").rule_for(None, ["低保"]) is not None
    assert kb.by_id("yijian_hujiao").rule_for(61, ["失能"]) and not kb.by_id("yijian_hujiao").rule_for(61, [])


def test_rule_conditions() -> None:
    rule = EligibilityRule(label="x", min_age=60, flags_all=("独居",), flags_any=("失能", "半失能"))
    assert rule.applies(60, ["独居", "失能"]) and rule.applies(90, {"独居", "半失能", "低保"})
    assert not rule.applies(59, ["独居", "失能"]) and not rule.applies(70, ["失能"])
    assert not rule.applies(70, ["独居"]) and not rule.applies(None, ["独居", "失能"])
    assert EligibilityRule(label="y", flags_any=("低保",)).applies(None, "低保")


def change(**fields):
    def edit(raw: dict) -> None:
        raw.update(fields)
    return edit


@pytest.mark.parametrize("edit,field", [
    (lambda raw: raw.pop("summary"), "summary: missing field"),
    (change(summary="第一句。第二句。第三句。第四句。"), "summary: more than 3 sentences"),
    (change(summary="没有句号"), "summary: must end"),
    (change(aliases=[]), "aliases: expected a non-empty list"),
    (change(aliases=["高龄补贴", ""]), r"aliases\[1\]"),
    (lambda raw: raw["details"].update(office="x"), "details.office: unknown field"),
    (lambda raw: raw["details"].pop("how"), "details.how: missing field"),
    (lambda raw: raw["eligibility"][1].update(min_age=100), r"eligibility\[1\].min_age: 100 is greater"),
    (lambda raw: raw["eligibility"].append({"label": "所有人"}), r"eligibility\[3\]: a rule needs a condition"),
    (lambda raw: raw["eligibility"][0].update(flags_any=["低收入"]), r"eligibility\[0\].flags_any: unknown flag"),
    (lambda raw: raw["eligibility"][0].pop("unit"), r"eligibility\[0\].unit: required"),
    (lambda raw: raw["eligibility"][0].update(amount="八百"), r"eligibility\[0\].amount"),
    (change(updated="去年"), "updated: expected a date"),
    (change(sample_values="yes"), "sample_values"),
    (change(id="Gaoling Jintie"), "id:"),
    (change(colour="red"), "colour: unknown field"),
])
def test_mistakes_name_the_file_and_field(edit, field) -> None:
    raw = raw_item()
    edit(raw)
    with pytest.raises(KnowledgeError, match=f"gaoling_jintie.yml: {field}"):
        parse_item(raw, "gaoling_jintie.yml")


def test_a_good_item_parses_with_a_string_date() -> None:
    raw = raw_item()
    raw["updated"] = "2026-10-15"
    assert parse_item(raw, "gaoling_jintie.yml").updated == dt.date(2026, 10, 15)


def write(path: Path, raw: dict) -> None:
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_folder_mistakes_name_the_file(folder) -> None:
    write(folder / "xin_dibao.yml", raw_item("dibao"))
    with pytest.raises(KnowledgeError, match="xin_dibao.yml: id: 'dibao' does not match"):
        load_knowledge(folder)
    raw = raw_item("dibao")
    raw.update(id="xin_dibao", title="低保救助")
    write(folder / "xin_dibao.yml", raw)
    with pytest.raises(KnowledgeError, match="xin_dibao.yml: aliases: '低保' is already a name in dibao.yml"):
        load_knowledge(folder)
    (folder / "xin_dibao.yml").write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="xin_dibao.yml: cannot be read as YAML"):
        load_knowledge(folder)
    with pytest.raises(KnowledgeError, match="not found"):
        load_knowledge(folder / "missing")


def test_cached_until_a_file_changes(folder) -> None:
    first = load_knowledge(folder)
    assert load_knowledge(folder) is first
    path = folder / "gaoling_jintie.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("amount: 800", "amount: 900"), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))
    second = load_knowledge(folder)
    assert second is not first and second.by_id("gaoling_jintie").rule_for(101, []).amount == 900
    assert load_knowledge(folder) is second


def test_reread_when_a_file_is_added_or_removed(folder) -> None:
    assert len(load_knowledge(folder)) == 33
    raw = raw_item("laonian_daxue")
    raw.update(id="wenyi_huodong", title="社区文艺活动", aliases=["文艺活动", "广场舞", "合唱团", "社区演出", "文艺队", "唱歌跳舞"])
    raw["summary"] = "社区每周有合唱和广场舞，欢迎来参加。"
    write(folder / "wenyi_huodong.yml", raw)
    assert load_knowledge(folder).by_id("wenyi_huodong").title == "社区文艺活动"
    assert len(load_knowledge(folder)) == 34
    (folder / "wenyi_huodong.yml").unlink()
    assert len(load_knowledge(folder)) == 33


def test_loading_is_thread_safe(folder) -> None:
    results, errors = [], []

    def load() -> None:
        try:
            results.append(load_knowledge(folder))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=load) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len({id(result) for result in results}) == 1
