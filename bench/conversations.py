"""The conversation evaluation: scripted real-life conversations against the real servers.

Starts the action server and the Rasa server on a throwaway demo district (frozen clock, Monday
2026-11-23 08:00), plays every conversation of tests/conversations/ turn by turn over HTTP as its
channel would (home kiosk, community kiosk, a relative on Telegram) and checks each turn against
its expectations: the answer's words and questions, the intent and actions in Rasa's tracker
store, the slots, and the rows written. Prints pass rates per part and kind.

    python bench/conversations.py [--gate 0.9] [--record] [--show-failures tuned] [--only ID]

`--gate` fails (exit 1) when the tuned part's turn pass rate is below it; the held-out part is
reported, never gated. `--record` appends the table to docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import append_section  # noqa: E402
from bench.dialogues import (  # noqa: E402
    CONVERSATIONS,
    PARTS,
    Conversation,
    Observed,
    check,
    load_all,
    resident_of,
    summarise,
)

FROZEN_NOW = "2026-11-23T08:00:00"
SECRET = "conversation-eval-secret"
# The relative with two parents that the evaluation adds to the demo district (docs/conversation-eval.md).
TWO_PARENTS = ("陈晓", "13877770000", [("张桂英", "女儿"), ("王建国", "女儿")])


class District:
    """The evaluation's database: residents by name, a clean start per conversation, rows counted."""

    def __init__(self, database_url: str) -> None:
        from actions.db.session import make_engine, session_factory

        self.engine = make_engine(database_url)
        self.sessions = session_factory(self.engine)
        self.residents = self._residents()
        self._add_two_parent_relative()

    def _residents(self) -> Dict[str, int]:
        from sqlalchemy import select

        from actions.db.models import Resident

        with self.sessions() as session:
            return {name: rid for rid, name in session.execute(select(Resident.id, Resident.name))}

    def _add_two_parent_relative(self) -> None:
        from actions.db.models import FamilyLink, FamilyMember

        name, phone, links = TWO_PARENTS
        with self.sessions.begin() as session:
            member = FamilyMember(name=name, phone=phone)
            session.add(member)
            session.flush()
            for resident, relation in links:
                session.add(FamilyLink(family_member_id=member.id, resident_id=self.residents[resident],
                                       relation=relation))

    def family_member(self, name: str) -> int:
        from sqlalchemy import select

        from actions.db.models import FamilyMember

        with self.sessions() as session:
            member = session.scalar(select(FamilyMember.id).where(FamilyMember.name == name))
        if member is None:
            raise SystemExit(f"no relative called {name} in the demo district")
        return member

    def clean(self) -> None:
        """Remove what earlier conversations wrote, so each starts in the seeded district."""
        from sqlalchemy import delete, update

        from actions.db import models as m

        with self.sessions.begin() as session:
            for table in (m.ServiceBookingChange, m.ServiceBooking, m.MealBooking, m.AlertResponse, m.Alert,
                          m.HandoffRequest, m.OutboxMessage, m.ResidentMessage, m.ChannelDelivery,
                          m.NotUnderstoodTurn, m.TelegramChat, m.ReminderOccurrence, m.ReminderFollower, m.Reminder,
                          m.FamilyNote, m.ActivitySignup):
                session.execute(delete(table))
            for table in (m.MealSitting, m.DeliveryDay, m.ServiceSlot, m.Activity):
                session.execute(update(table).values(booked=0))
            session.execute(update(m.FamilyMember).values(telegram_chat_id=None))

    def rows(self, senders: Sequence[str]) -> Dict[str, int]:
        """Per resident name and kind, as "name:kind", everything written since `clean`."""
        from sqlalchemy import func, select

        from actions.db import models as m

        names = {rid: name for name, rid in self.residents.items()}
        counts: Dict[str, int] = {}

        def tally(kind: str, query) -> None:  # type: ignore[no-untyped-def]
            for rid, count in session.execute(query):
                if rid in names:
                    counts[f"{names[rid]}:{kind}"] = counts.get(f"{names[rid]}:{kind}", 0) + count

        with self.sessions() as session:
            for model in (m.MealBooking, m.ServiceBooking):
                kind = "meal_bookings" if model is m.MealBooking else "service_bookings"
                tally(kind, select(model.resident_id, func.count()).where(model.status != "cancelled")
                      .group_by(model.resident_id))
                tally("cancelled", select(model.resident_id, func.count()).where(model.status == "cancelled")
                      .group_by(model.resident_id))
            # An alert is an emergency raised; a scam warning's record on the staff desk (kind "scam",
            # actions/safety/scam.py) is no alarm and is counted on its own.
            tally("alerts", select(m.Alert.resident_id, func.count()).where(m.Alert.kind != "scam")
                  .group_by(m.Alert.resident_id))
            tally("scam_warnings", select(m.Alert.resident_id, func.count()).where(m.Alert.kind == "scam")
                  .group_by(m.Alert.resident_id))
            tally("activity_signups", select(m.ActivitySignup.resident_id, func.count())
                  .where(m.ActivitySignup.status == "booked").group_by(m.ActivitySignup.resident_id))
            tally("handoffs", select(m.HandoffRequest.resident_id, func.count())
                  .group_by(m.HandoffRequest.resident_id))
            tally("reminders", select(m.Reminder.resident_id, func.count()).where(m.Reminder.active.is_(True))
                  .group_by(m.Reminder.resident_id))  # active reminders
            tally("family_notes", select(m.FamilyNote.resident_id, func.count()).group_by(m.FamilyNote.resident_id))
            queued = session.scalar(select(func.count()).select_from(m.NotUnderstoodTurn)
                                    .where(m.NotUnderstoodTurn.sender_id.in_(list(senders)))) or 0
        for name in self.residents:
            counts[f"{name}:not_understood"] = queued
        return counts


class Trail:
    """Reads what Rasa recorded for one conversation in its tracker store (the `events` table)."""

    def __init__(self, district: District) -> None:
        self.district = district
        self.last_id: Dict[str, int] = {}
        self.slots: Dict[str, Dict[str, object]] = {}

    def turn(self, sender: str) -> Tuple[str, List[str], Dict[str, object]]:
        from sqlalchemy import text

        query = text("SELECT id, type_name, intent_name, action_name, data FROM events "
                     "WHERE sender_id = :sender AND id > :after ORDER BY id")
        intent, actions = "", []
        slots = self.slots.setdefault(sender, {})
        with self.district.engine.connect() as connection:
            rows = connection.execute(query, {"sender": sender, "after": self.last_id.get(sender, 0)}).all()
        for event_id, kind, intent_name, action_name, data in rows:
            self.last_id[sender] = event_id
            if kind == "user" and intent_name:
                intent = intent_name
            elif kind == "action" and action_name and action_name != "action_listen":
                actions.append(action_name)
            elif kind == "slot":
                body = json.loads(data)
                slots[body.get("name")] = body.get("value")
            elif kind in ("session_started", "restart"):
                slots.clear()
        return intent, actions, dict(slots)


def _metadata(conversation: Conversation, district: District, chat_id: str):  # type: ignore[no-untyped-def]
    """Sender id and metadata, built the way the conversation's channel builds them."""
    from bot.kernel.contract import ChannelMetadata

    if conversation.channel == "home_kiosk":
        rid = district.residents[conversation.resident]
        return f"kiosk-home-{rid}-{chat_id}", ChannelMetadata(channel="kiosk", role="resident", resident_id=rid,
                                                              kiosk_mode="home", location="家里")
    if conversation.channel == "community_kiosk":
        # Nobody is named yet, so the core keeps the conversation as "anon:<sender>" (bot/core/rest_channel.py);
        # the trail must read the tracker under that id, or it sees no intent, action or slot at all.
        return f"anon:kiosk-community-{chat_id}", ChannelMetadata(channel="kiosk", role="anonymous",
                                                             kiosk_mode="community", location="幸福里社区服务中心")
    raise ValueError(conversation.channel)


def play(conversation: Conversation, client, district: District, trail: Trail,  # type: ignore[no-untyped-def]
         verbose: bool) -> Tuple[List[bool], List[str]]:
    """One conversation, start to end; per turn a pass or a failure, and the failures in words."""
    from bot.telegram.chats import ChatStore
    from bot.telegram.handlers import metadata_for, sender_id

    district.clean()
    chat_id = uuid.uuid4().hex[:12]
    store = ChatStore(district.sessions)
    parents: List[str] = []
    if conversation.channel == "telegram":
        from sqlalchemy import update

        from actions.db.models import FamilyMember, TelegramChat

        member = district.family_member(conversation.relative)
        with district.sessions.begin() as session:  # as after the relative redeemed a link code
            session.execute(update(FamilyMember).where(FamilyMember.id == member)
                            .values(telegram_chat_id=f"eval-{chat_id}"))
            session.add(TelegramChat(chat_id=f"eval-{chat_id}", family_member_id=member))
        parents = [name for _, name in store.state(f"eval-{chat_id}").parents]
    default = resident_of(conversation, parents)
    outcome, notes, senders = [], [], set()
    for number, step in enumerate(conversation.steps, start=1):
        if conversation.channel == "telegram":
            state = store.state_for_words(f"eval-{chat_id}", step.say)
            sender, metadata = sender_id(state), metadata_for(state)
            default = state.active_name
        else:
            sender, metadata = _metadata(conversation, district, chat_id)
        senders.add(sender)
        answer = client.send(sender, step.say, metadata)
        intent, actions, slots = trail.turn(sender)
        seen = Observed(answer.text, intent, actions, slots, district.rows(sorted(senders)))
        problems = check(step.expect, seen, default)
        outcome.append(not problems)
        if problems:
            notes.append(f"  turn {number} 「{step.say}」 → 「{answer.text}」\n      intent={intent} "
                         f"actions={actions}\n      " + "; ".join(problems))
        elif verbose:
            notes.append(f"  turn {number} ok 「{step.say}」 → 「{answer.text}」 ({intent}: {', '.join(actions)})")
    return outcome, notes


def table(results: Dict[str, Tuple[Conversation, List[bool]]]) -> List[str]:
    tallies = summarise(results)
    lines = ["| part | kind | conversations | all turns pass | turns | turns passed | turn pass rate |",
             "|---|---|---|---|---|---|---|"]
    for part in PARTS:
        kinds = sorted(kind for p, kind in tallies if p == part and kind != "all") + ["all"]
        for kind in kinds:
            if (part, kind) not in tallies:
                continue
            t = tallies[(part, kind)]
            label = f"**{kind}**" if kind == "all" else kind
            lines.append(f"| {part} | {label} | {t.conversations} | {t.whole} | {t.turns} | {t.passed} | "
                         f"{100 * t.rate:.1f}% |")
    return lines


def main(argv: Sequence[str] = ()) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gate", type=float, default=0.0, help="least turn pass rate of the tuned part")
    parser.add_argument("--record", action="store_true", help="append the table to docs/benchmarks.md")
    parser.add_argument("--show-failures", choices=["tuned", "held_out", "all", "none"], default="tuned")
    parser.add_argument("--only", default="", help="play only conversations whose id starts with this (several: comma-separated)")
    parser.add_argument("--verbose", action="store_true", help="print passing turns too")
    parser.add_argument("--root", type=Path, default=CONVERSATIONS, help="where the conversation files are")
    args = parser.parse_args(list(argv) or None)

    from bot.kernel.core_client import CoreClient
    from bot.ops.launcher import start_demo_stack

    conversations = [c for c in load_all(args.root) if c.id.startswith(tuple(args.only.split(",")))]
    if not conversations:
        print("no conversations found", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="xiaonuan-eval-") as workdir:
        stack, startup = start_demo_stack(Path(workdir), SECRET, FROZEN_NOW)
        try:
            district = District(f"sqlite:///{Path(workdir) / 'xiaonuan.db'}")
            client = CoreClient(stack.rasa_url, SECRET, timeout_s=60)
            trail = Trail(district)
            results: Dict[str, Tuple[Conversation, List[bool]]] = {}
            started = time.monotonic()
            for conversation in conversations:
                outcome, notes = play(conversation, client, district, trail, args.verbose)
                results[conversation.id] = (conversation, outcome)
                show = args.show_failures in ("all", conversation.part) or args.verbose
                if notes and show:
                    print(f"{conversation.part}/{conversation.kind} {conversation.id}: "
                          f"{sum(outcome)}/{len(outcome)}")
                    print("\n".join(notes))
            elapsed = time.monotonic() - started
        finally:
            stack.stop()
    lines = table(results)
    print("\n".join(lines))
    turns = sum(len(o) for _, o in results.values())
    print(f"\n{len(results)} conversations, {turns} turns in {elapsed:.0f} s (servers up in {startup:.1f} s)")
    if args.record:
        append_section("Conversation evaluation (bench/conversations.py)", lines + [
            "", f"{len(results)} conversations, {turns} turns, real Rasa and action servers over HTTP, "
                "frozen clock Monday 2026-11-23 08:00. The held-out part is never tuned on."])
    tuned = summarise(results).get(("tuned", "all"))
    if args.gate and tuned and tuned.rate < args.gate:
        print(f"FAILED: tuned turn pass rate {100 * tuned.rate:.1f}% is below {100 * args.gate:.0f}%")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
