"""What a person said about a home-service visit: which service, which day, morning or afternoon,
a time, and any special request ("带上梯子", "要女护工")."""
from __future__ import annotations

import re
from typing import Any, Dict, Optional

from actions.forms.read_back import corrected_part
from actions.lang.dates import parse_date
from actions.lang.meals import TimeMention, parse_time
from actions.lang.numbers import clean
from actions.services.catalogue import HALF_DAYS, Catalogue

NOTE_MARKERS = ("带上", "带着", "带个", "带把", "要带", "女护工", "男护工", "女的", "男的", "女师傅", "男师傅",
                "女同志", "男同志", "需要", "麻烦", "记得", "最好", "轻一点", "轻点", "慢一点", "敲门", "打电话",
                "钥匙", "梯子", "工具", "别", "不要", "先")
_PLEASANTRY = re.compile(r"^(那就)?(麻烦|辛苦|谢谢|多谢)(你|您|你们)?(了|啦|啊)?$")
_CLAUSES = re.compile(r"[，,。.；;！!？?、]")


def say_time(time: TimeMention) -> str:
    """TimeMention → "下午3点" / "上午10点半"; empty without an hour."""
    if time.hour is None:
        return ""
    hour = time.hour if time.hour <= 12 else time.hour - 12
    minutes = "" if time.minute == 0 else "半" if time.minute == 30 else f"{time.minute}分"
    return f"{time.half_day}{hour}点{minutes}"


def special_request(text: str, catalogue: Catalogue) -> str:
    """The clause that asks for something particular, if any (the request itself is not one)."""
    notes = []
    for clause in filter(None, _CLAUSES.split(text)):
        if _PLEASANTRY.match(clause):
            continue  # "对，麻烦了": thanks, not a request for the helper
        if any(marker in clause for marker in NOTE_MARKERS) and not clause.startswith(("不约", "不用约", "别约")):
            notes.append(clause)
    return "，".join(notes)[:200]


def service_values(message: Dict[str, Any], catalogue: Catalogue, today: Any,
                   requested: Optional[str] = None) -> Dict[str, Any]:
    """Slot values for the service form found in the latest message (empty when it says none)."""
    text = message.get("text") or ""
    values: Dict[str, Any] = {}
    if text.startswith("/"):
        entities = {e.get("entity"): e.get("value") for e in message.get("entities") or []}
        if entities.get("service_type"):
            service = catalogue.by_name(str(entities["service_type"])) or catalogue.recognise(str(entities["service_type"]))
            if service:
                values["service_code"] = service.code
        if entities.get("date"):
            mention = parse_date(str(entities["date"]), today)
            if mention:
                values["service_date"] = mention.day.isoformat()
        if entities.get("time_of_day") in HALF_DAYS:
            values["service_half_day"] = entities["time_of_day"]
        return values
    spoken = clean(text)
    wanted = corrected_part(spoken)
    service = catalogue.recognise(wanted)
    if service:
        values["service_code"] = service.code
    mention = parse_date(wanted, today)
    if mention:
        values["service_date"] = mention.day.isoformat()
    time = parse_time(wanted)
    if time:
        values["service_half_day"] = time.half_day
        if time.hour is not None:
            values["service_time"] = say_time(time)
    note = special_request(text, catalogue)
    if note:
        values["service_note"] = note
    return values
