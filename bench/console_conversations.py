"""Staff console, conversation list with many conversations.

Writes a throwaway database with N conversations (default 10,000) in Rasa's `events` table: a few
through Rasa's own SQLTrackerStore, the rest bulk-inserted as the very rows SQLTrackerStore.save
writes (same columns, `data` = the event's `as_dict()` JSON). Starts the console, logs in, and times
`/conversations`: the first load (which reads every event into the summaries), warm loads, filtered
pages, and a load after more conversations arrived. Prints a markdown table and appends it to
docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List, Tuple
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import append_section, percentile  # noqa: E402

FROZEN_NOW = "2026-11-23T08:00"
ZONE = ZoneInfo("Asia/Shanghai")
DAYS = 30
THROUGH_TRACKER_STORE = 20
PASSWORD = "bench-password-2026"
SAID = [("明天中午吃什么", "ask_menu", 0.93, "action_answer_menu", "明天午餐有红烧肉、清炒菠菜。"),
        ("我要订明天的午饭", "book_meal", 0.88, "meal_form", "好的，您要几份？"),
        ("帮我约个助洁", "book_service", 0.9, "service_form", "好的，哪一天？"),
        ("谢谢你", "thank", 0.97, "utter_thank", "不客气！"),
        ("你好", "greet", 0.91, "utter_greet", "您好，我是小暖。")]
NOT_UNDERSTOOD = ["帮我把那个东西弄一下", "那个啥来着", "我想学跳舞", "我孙子的电话多少"]


def conversation_events(rng: random.Random, number: int, start: float) -> List:  # type: ignore[type-arg]
    """The events of one conversation session, as the core records them."""
    from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered

    channel = rng.choice(["kiosk", "kiosk", "telegram", "rest"])
    resident = rng.randint(1, 6) if channel != "rest" else None
    metadata = {"channel": channel, "role": "resident" if resident else "anonymous"}
    if resident:
        metadata["resident_id"] = resident
    events = [ActionExecuted("action_session_start", timestamp=start), SessionStarted(timestamp=start),
              SlotSet("channel", channel, timestamp=start)]
    if resident:
        events.append(SlotSet("resident_id", str(resident), timestamp=start))
    events.append(ActionExecuted("action_listen", timestamp=start))
    for turn in range(rng.randint(1, 3)):
        at = start + 1 + turn * 20
        if rng.random() < 0.1:
            words, intent, confidence = rng.choice(NOT_UNDERSTOOD), "nlu_fallback", 0.3
            ranking = [{"name": "nlu_fallback", "confidence": 0.3}, {"name": "book_service", "confidence": 0.2}]
            action, reply = "action_fallback", "对不起，我没听懂。您可以说：订餐、上门服务，或者问政策。"
        else:
            words, intent, confidence, action, reply = rng.choice(SAID)
            ranking = [{"name": intent, "confidence": confidence}]
        events += [UserUttered(words, intent={"name": intent, "confidence": confidence}, entities=[],
                               parse_data={"intent_ranking": ranking}, timestamp=at, input_channel="secure_rest",
                               message_id=f"m{number}-{turn}", metadata=metadata),
                   ActionExecuted(action, policy="RulePolicy", confidence=1.0, timestamp=at + 0.5),
                   BotUttered(reply, data={}, timestamp=at + 0.6),
                   ActionExecuted("action_listen", policy="RulePolicy", confidence=1.0, timestamp=at + 0.7)]
    return events


def sql_row(sender_id: str, event) -> Dict:  # type: ignore[no-untyped-def]
    """The row SQLTrackerStore.save writes for an event (rasa/core/tracker_store.py)."""
    data = event.as_dict()
    return {"sender_id": sender_id, "type_name": event.type_name, "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get("name"),
            "action_name": data.get("name"), "data": json.dumps(data)}


def write_conversations(database_url: str, count: int, first: int, now: dt.datetime, seed: int) -> int:
    """`count` conversations spread over the DAYS before `now`; returns the number of events written."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    rng = random.Random(seed)
    end = now.replace(tzinfo=ZONE).timestamp()
    domain = Domain.load("domain")
    store = SQLTrackerStore(domain=domain, dialect="sqlite", host=database_url)
    starts = sorted(end - rng.random() * DAYS * 86400 for _ in range(count))
    written, bulk = 0, []
    for index, start in enumerate(starts):
        number = first + index
        events = conversation_events(rng, number, start)
        written += len(events)
        sender = f"bench-{number:05d}"
        if index < THROUGH_TRACKER_STORE:
            asyncio.run(store.save(DialogueStateTracker.from_events(sender, events, slots=domain.slots)))
        else:
            bulk += [sql_row(sender, event) for event in events]
    table = SQLTrackerStore.SQLEvent.__table__
    with store.engine.begin() as connection:
        for start in range(0, len(bulk), 20_000):
            connection.execute(table.insert(), bulk[start:start + 20_000])
    store.engine.dispose()
    return written


def district_database(folder: Path, now: dt.datetime):  # type: ignore[no-untyped-def]
    """A throwaway SQLite database in `folder` with the demo district: (url, session factory)."""
    from actions.db.schema import create_schema
    from actions.db.seed import seed_demo_data
    from actions.db.session import make_engine, session_factory

    url = f"sqlite:///{folder / 'bench.db'}"
    engine = make_engine(url)
    create_schema(engine)
    sessions = session_factory(engine)
    seed_demo_data(sessions, now.date())
    return url, sessions


def log_in(base: str, sessions) -> "requests.Session":  # type: ignore[name-defined] # noqa: F821
    import requests

    from bot.staff import auth

    username, once = auth.ensure_first_admin(sessions)
    http = requests.Session()
    csrf = re.search(r'name="csrf" value="([^"]+)"', http.get(base + "/login").text).group(1)
    http.post(base + "/login", data={"username": username, "password": once, "csrf": csrf})
    csrf = re.search(r'name="csrf" value="([^"]+)"', http.get(base + "/password").text).group(1)
    done = http.post(base + "/password", data={"csrf": csrf, "password": PASSWORD, "again": PASSWORD})
    assert done.ok and done.url.endswith("/today"), done.status_code
    return http


def timed(fetch: Callable[[], "requests.Response"]) -> Tuple[float, str]:  # type: ignore[name-defined] # noqa: F821
    began = time.perf_counter()
    answer = fetch()
    elapsed = (time.perf_counter() - began) * 1000
    assert answer.status_code == 200, answer.status_code
    return elapsed, answer.text


def rows_on(page: str) -> int:
    return len(re.findall(r'<td><a href="/conversations/', page))


def main() -> None:
    from bot.kernel.settings import load_settings
    from bot.staff.app import ConsoleServer, build_console

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--warm", type=int, default=20)
    parser.add_argument("--no-append", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args()
    now = dt.datetime.fromisoformat(FROZEN_NOW)
    with tempfile.TemporaryDirectory() as tmp:
        url, sessions = district_database(Path(tmp), now)
        began = time.perf_counter()
        events = write_conversations(url, args.conversations, 0, now, seed=7)
        print(f"wrote {args.conversations} conversations ({events} events) in {time.perf_counter() - began:.1f} s")
        settings = load_settings().with_overrides(database_url=url, fixed_now=FROZEN_NOW)
        server = ConsoleServer(build_console(settings, sessions), "127.0.0.1", 0).start()
        try:
            http = log_in(server.url, sessions)
            base = server.url
            first, page = timed(lambda: http.get(base + "/conversations"))
            assert rows_on(page) == 50
            warm = [timed(lambda: http.get(base + "/conversations"))[0] for _ in range(args.warm)]
            day = (now - dt.timedelta(days=3)).date().isoformat()
            filters = {"day + channel + misunderstood": f"/conversations?day={day}&channel=kiosk&missed=1",
                       "resident by name": "/conversations?resident=%E7%8E%8B%E5%BB%BA%E5%9B%BD",
                       "page 100 (no filter)": "/conversations?page=100"}
            filtered: Dict[str, Tuple[List[float], int]] = {}
            for name, path in filters.items():
                times = [timed(lambda path=path: http.get(base + path)) for _ in range(args.warm)]
                filtered[name] = ([t for t, _ in times], rows_on(times[0][1]))
            more = write_conversations(url, 100, args.conversations, now, seed=8)
            after_new, _ = timed(lambda: http.get(base + "/conversations"))
            queue, _ = timed(lambda: http.get(base + "/not-understood"))
        finally:
            server.stop()
            sessions.kw["bind"].dispose()
    lines = [f"{args.conversations} conversations, {events} Rasa events (SQLite, WAL); console on loopback; "
             f"times are whole HTTP page loads in ms.", "",
             "| page | loads | p50 ms | p95 ms | rows shown |", "|---|---|---|---|---|",
             f"| `/conversations` first load (summaries built from all events) | 1 | {first:.0f} | {first:.0f} | 50 |",
             f"| `/conversations` warm | {len(warm)} | {percentile(warm, 0.5):.1f} "
             f"| {percentile(warm, 0.95):.1f} | 50 |"]
    for name, (times, shown) in filtered.items():
        lines.append(f"| `/conversations` {name} | {len(times)} | {percentile(times, 0.5):.1f} "
                     f"| {percentile(times, 0.95):.1f} | {shown} |")
    lines += [f"| `/conversations` after 100 new conversations ({more} new events read) | 1 | {after_new:.0f} "
              f"| {after_new:.0f} | 50 |",
              f"| `/not-understood` first load | 1 | {queue:.0f} | {queue:.0f} | |"]
    print("\n".join(lines))
    if not args.no_append:
        append_section(f"Staff console: conversation list ({args.conversations} conversations)", lines)


if __name__ == "__main__":
    main()
