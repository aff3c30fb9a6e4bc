"""Load for the concurrency, memory and soak benchmarks: simulated home kiosks talking over HTTP.

Each simulated kiosk belongs to its own resident and runs short conversations back to back
(greeting and menu, a policy question, a meal booking that is then cancelled, a home service
begun and dropped, small talk), each turn sent the moment the previous answer arrived (no
thinking time: the worst case for the servers). A kiosk keeps its conversation (sender id)
for about `turns_per_sender` turns, then starts a new one, as session expiry does at a real
kiosk. Turns go over HTTP with aiohttp, in the wire format of `bot.kernel.core_client.CoreClient`,
but without its retry, so that every timeout and non-200 answer is counted.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import statistics
import time
import uuid
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence

import aiohttp

from bench.common import percentile
from bot.kernel.contract import SECRET_HEADER, WEBHOOK_PATH, ChannelMetadata
from bot.kernel.core_client import parse_turn

FROZEN_NOW = "2026-11-23T08:00"  # a Monday morning: every meal asked for can still be booked


@dataclass(frozen=True)
class Step:
    """One thing a resident says, and a piece of the answer that shows the assistant understood."""

    text: str
    expect: str = ""


BOOKING_DAYS = ("明天", "后天", "大后天")
BOOKING_MEALS = ("午饭", "晚饭")


def conversation(kind: int, slot: int) -> List[Step]:
    """The steps of conversation `kind` (0-4); `slot` spreads bookings over days and meals."""
    day = BOOKING_DAYS[slot % len(BOOKING_DAYS)]
    meal = BOOKING_MEALS[(slot // len(BOOKING_DAYS)) % len(BOOKING_MEALS)]
    kinds = [
        [Step("你好", "小暖"), Step("明天中午吃什么", "午饭有"), Step("谢谢你", "不客气")],
        [Step("高龄津贴怎么领", "高龄津贴"), Step("要"), Step("再说一遍")],
        [Step(f"帮我订{day}的{meal}一份去食堂吃", "我念一下"), Step("对", "订好了"), Step("我订了什么", "预订"),
         Step(f"{day}的{meal}不要了", "要取消"), Step("对", "已经取消")],
        [Step("约个助浴", "哪天"), Step("算了", "没有约"), Step("你能做什么")],
        [Step("今天有鱼吗"), Step("明天会下雨吗"), Step("再见", "再见")],
    ]
    return kinds[kind % len(kinds)]


CONVERSATION_KINDS = 5


@dataclass
class TurnResult:
    """One turn as the client saw it; `error` is empty when the core answered 200."""

    kiosk: int
    text: str
    started: float
    latency_ms: float
    error: str = ""
    unexpected: bool = False
    measured: bool = True
    answer: str = ""
    position: int = 1  # the turn's number in its conversation (sender id)


@dataclass
class Summary:
    """The figures of a set of turns: latency of the answered ones, errors by kind, throughput."""

    turns: int
    answered: int
    errors: Dict[str, int]
    unexpected: int
    p50: float
    p95: float
    p99: float
    mean: float
    maximum: float
    seconds: float
    throughput: float

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def errors_text(self) -> str:
        return ", ".join(f"{count} {kind}" for kind, count in sorted(self.errors.items())) or "0"


def summarise(results: Sequence[TurnResult], seconds: Optional[float] = None) -> Summary:
    """Figures of the measured turns; `seconds` defaults to first send to last answer."""
    measured = [r for r in results if r.measured]
    answered = [r.latency_ms for r in measured if not r.error]
    errors: Dict[str, int] = {}
    for result in measured:
        if result.error:
            errors[result.error] = errors.get(result.error, 0) + 1
    if seconds is None:
        seconds = (max(r.started + r.latency_ms / 1000 for r in measured) - min(r.started for r in measured)
                   if measured else 0.0)
    nan = float("nan")
    return Summary(
        turns=len(measured), answered=len(answered), errors=errors,
        unexpected=sum(r.unexpected for r in measured if not r.error),
        p50=percentile(answered, 0.5), p95=percentile(answered, 0.95), p99=percentile(answered, 0.99),
        mean=statistics.mean(answered) if answered else nan, maximum=max(answered) if answered else nan,
        seconds=seconds, throughput=len(answered) / seconds if seconds > 0 else nan,
    )


def by_position(results: Sequence[TurnResult], bucket: int) -> List[tuple]:
    """(first position, last position, summary) of the measured turns grouped by their number in the conversation:
    how latency grows as the tracker Rasa replays on every turn gets longer."""
    groups: Dict[int, List[TurnResult]] = {}
    for result in results:
        if result.measured:
            groups.setdefault((result.position - 1) // bucket, []).append(result)
    return [(key * bucket + 1, (key + 1) * bucket, summarise(groups[key], seconds=0.0)) for key in sorted(groups)]


def error_kind(exc: BaseException) -> str:
    if isinstance(exc, asyncio.TimeoutError):
        return "timeout"
    return f"connection ({type(exc).__name__})"


@dataclass
class LoadPlan:
    """What to send: `kiosks` at once, until `budget` turns are measured (then each finishes its
    conversation, unmeasured, so no booking is left behind)."""

    base_url: str
    secret: str
    residents: Sequence[int]
    budget: int
    timeout_s: float = 120.0
    turns_per_sender: int = 50
    label: str = "bench"
    on_turn: Optional[Callable[[TurnResult, int], None]] = None  # called with each measured turn and the count
    other_urls: Sequence[str] = ()  # more Rasa servers: each turn goes to the next server in turn


_SENT = itertools.count()  # turns sent, to spread them over several Rasa servers


@dataclass
class _Counter:
    measured: int = 0  # turns sent as measured
    answered: int = 0  # measured turns finished
    results: List[TurnResult] = field(default_factory=list)


async def _post(http: aiohttp.ClientSession, plan: LoadPlan, sender: str, text: str,
                metadata: ChannelMetadata) -> tuple:
    """(error kind or "", answer text)."""
    body = {"sender": sender, "message": text, "metadata": metadata.as_dict(), "message_id": uuid.uuid4().hex}
    try:
        urls = (plan.base_url, *plan.other_urls)
        async with http.post(urls[next(_SENT) % len(urls)] + WEBHOOK_PATH, json=body, headers={SECRET_HEADER: plan.secret}) as answer:
            payload = await answer.read()
            if answer.status != 200:
                return f"HTTP {answer.status}", payload[:200].decode("utf-8", "replace")
            return "", parse_turn(json.loads(payload)).text
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        return error_kind(exc), ""


async def _kiosk(http: aiohttp.ClientSession, plan: LoadPlan, index: int, counter: _Counter) -> None:
    resident = plan.residents[index % len(plan.residents)]
    metadata = ChannelMetadata(channel="kiosk", role="resident", resident_id=resident, kiosk_mode="home")
    conversation_number, sent_here, number = 0, 0, 0
    sender = f"{plan.label}-{index}-0"
    while counter.measured < plan.budget:
        if sent_here >= plan.turns_per_sender:
            conversation_number += 1
            sender, sent_here = f"{plan.label}-{index}-{conversation_number}", 0
        steps = conversation(index + number, slot=index + number // CONVERSATION_KINDS)
        number += 1
        for step in steps:
            measured = counter.measured < plan.budget
            if measured:
                counter.measured += 1
            started = time.monotonic()
            error, answer = await _post(http, plan, sender, step.text, metadata)
            sent_here += 1
            result = TurnResult(index, step.text, started, (time.monotonic() - started) * 1000, error,
                                unexpected=bool(not error and step.expect and step.expect not in answer),
                                measured=measured, answer=answer, position=sent_here)
            counter.results.append(result)
            if measured:
                counter.answered += 1
                if plan.on_turn is not None:
                    plan.on_turn(result, counter.answered)
            if error and step.expect:
                break  # the rest of this conversation depends on the answer that did not come


async def run_load(plan: LoadPlan, kiosks: int) -> List[TurnResult]:
    """All turns of `kiosks` simulated kiosks (measured and draining)."""
    counter = _Counter()
    # One pooled connection per kiosk: the client must never queue turns the servers could take.
    connector = aiohttp.TCPConnector(limit=max(kiosks, 1) + 10, limit_per_host=0)
    timeout = aiohttp.ClientTimeout(total=plan.timeout_s)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        await asyncio.gather(*(_kiosk(http, plan, index, counter) for index in range(kiosks)))
    return counter.results


def add_residents(database_url: str, count: int) -> List[int]:
    """`count` extra residents of the demo district, so each simulated kiosk has its own; returns their ids."""
    from sqlalchemy import select

    from actions.db.models import Canteen, Resident
    from actions.db.session import sessions_for

    surnames = "张王李刘陈杨黄赵周吴徐孙马朱胡郭何高林罗"
    given = ["桂兰", "建华", "秀英", "德福", "玉珍", "志强", "淑芬", "国庆", "凤英", "宝山"]
    sessions = sessions_for(database_url)
    with sessions.begin() as session:
        canteens = list(session.scalars(select(Canteen.id).order_by(Canteen.id)))
        rows = [Resident(name=surnames[n % len(surnames)] + given[(n // len(surnames)) % len(given)],
                         gender="女" if n % 2 else "男", birth_date=dt.date(1936 + n % 27, 1 + n % 12, 1 + n % 28),
                         phone=f"1390000{n:04d}", address=f"幸福里小区{1 + n % 9}号楼", home_canteen_id=canteens[n % 2],
                         dietary_notes=("", "低盐", "软烂", "低糖")[n % 4], flags="")
                for n in range(count)]
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]


def leftover_bookings(database_url: str, residents: Sequence[int]) -> tuple:
    """(meal bookings still booked, cancelled) of these residents: every booking conversation cancels."""
    from sqlalchemy import func, select

    from actions.db.models import MealBooking
    from actions.db.session import sessions_for

    with sessions_for(database_url)() as session:
        counts = dict(session.execute(select(MealBooking.status, func.count(MealBooking.id))
                                      .where(MealBooking.resident_id.in_(list(residents)))
                                      .group_by(MealBooking.status)).all())
    return counts.get("booked", 0), counts.get("cancelled", 0)
