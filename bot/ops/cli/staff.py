"""Staff commands for home-service visits and the outbox, until the staff console has them:
`xiaonuan services list|confirm|done|cancel|move` and `xiaonuan outbox`."""
from __future__ import annotations

import argparse
import datetime as dt
import sys

from sqlalchemy import func, select

from bot.kernel.settings import load_settings


def _sessions_and_catalogue():  # type: ignore[no-untyped-def]
    from actions.db.session import sessions_for
    from actions.services.catalogue import load_catalogue

    settings = load_settings()
    return sessions_for(settings.database_url), load_catalogue(settings.services_config)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise SystemExit(f"a date must look like 2026-11-24, got {text!r}") from None


def cmd_services(args: argparse.Namespace) -> int:
    from actions.db.models import ServiceBooking, ServiceSlot
    from actions.services.lifecycle import TransitionRefused, change_status, move

    sessions, catalogue = _sessions_and_catalogue()
    actor = args.by
    try:
        if args.action == "list":
            day = _date(args.date)
            with sessions() as session:
                rows = session.scalars(select(ServiceBooking).join(ServiceSlot).where(ServiceSlot.day == day)
                                       .order_by(ServiceSlot.half_day, ServiceBooking.id))
                print(f"上门服务 {day.isoformat()}")
                for b in rows:
                    service = catalogue.by_code(b.slot.service_type.code)
                    print(f"  #{b.id} {b.time_note or b.slot.half_day} {service.name} {b.resident.name} "
                          f"{b.resident.address} [{b.status}] {b.helper_name or '未派人'} {b.note}")
        elif args.action == "confirm":
            change_status(sessions, catalogue, args.id, "confirmed", actor, helper=args.helper)
        elif args.action == "done":
            change_status(sessions, catalogue, args.id, "done", actor)
        elif args.action == "cancel":
            change_status(sessions, catalogue, args.id, "cancelled", actor, reason=args.reason)
        elif args.action == "move":
            move(sessions, catalogue, args.id, _date(args.date), args.half_day, actor, reason=args.reason or "")
    except TransitionRefused as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 1
    if args.action != "list":
        print(f"service booking {args.id}: {args.action} done")
    return 0


def cmd_outbox(args: argparse.Namespace) -> int:
    from actions.db.models import OutboxMessage
    from bot.workers.outbox import OutboxWorker, default_receivers

    sessions, _ = _sessions_and_catalogue()
    delivered = OutboxWorker(sessions, default_receivers(sessions)).run_once()
    with sessions() as session:
        waiting = session.execute(select(OutboxMessage.recipient, func.count(OutboxMessage.id))
                                  .where(OutboxMessage.delivered_at.is_(None))
                                  .group_by(OutboxMessage.recipient)).all()
    print(f"delivered {delivered}; waiting: " + (", ".join(f"{r} {n}" for r, n in waiting) or "none"))
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    services = sub.add_parser("services", help="home-service visits: list a day, confirm, done, cancel, move")
    services.add_argument("action", choices=("list", "confirm", "done", "cancel", "move"))
    services.add_argument("id", nargs="?", type=int, help="the booking number (#) shown by list")
    services.add_argument("--date", help="YYYY-MM-DD (list, move)")
    services.add_argument("--half-day", choices=("上午", "下午"), help="move: the new half-day")
    services.add_argument("--helper", help="confirm: who goes")
    services.add_argument("--reason", help="cancel (required), move")
    services.add_argument("--by", default="staff:1", help="who does it, e.g. staff:1")
    services.set_defaults(func=_checked_services)
    sub.add_parser("outbox", help="deliver waiting notices once and show what still waits") \
        .set_defaults(func=cmd_outbox)


def _checked_services(args: argparse.Namespace) -> int:
    needs = {"list": ("date",), "confirm": ("id", "helper"), "done": ("id",), "cancel": ("id", "reason"),
             "move": ("id", "date", "half_day")}[args.action]
    missing = [name for name in needs if getattr(args, name) in (None, "")]
    if missing:
        print(f"services {args.action} needs: {', '.join('--' + m.replace('_', '-') if m != 'id' else 'ID' for m in missing)}",
              file=sys.stderr)
        return 2
    return cmd_services(args)


def cmd_notices(args: argparse.Namespace) -> int:
    """Queue notices for residents who became eligible for something in the month up to the date."""
    from actions.db.session import sessions_for
    from actions.policies.knowledge import load_knowledge
    from actions.policies.notices import queue_notices

    settings = load_settings()
    day = _date(args.date)
    queued = queue_notices(sessions_for(settings.database_url), load_knowledge(settings.policies_dir), day)
    print(f"notices queued for {day.isoformat()}: {queued} (each is given once; `xiaonuan outbox` delivers)")
    return 0


def cmd_policies(args: argparse.Namespace) -> int:
    """Check the knowledge base files, or answer a question the way the assistant would find its item."""
    from actions.policies.knowledge import KnowledgeError, load_knowledge
    from actions.policies.retrieval import PolicyIndex

    try:
        knowledge = load_knowledge(load_settings().policies_dir)
    except KnowledgeError as exc:
        print(f"knowledge base: {exc}", file=sys.stderr)
        return 1
    if args.question:
        for match in PolicyIndex(knowledge).search(args.question):
            print(f"{match.score:.2f}  {match.item.id}  {match.item.title}  (via {match.via})")
        return 0
    print(f"knowledge base: {len(knowledge)} items, "
          f"{sum(len(item.aliases) for item in knowledge)} aliases, all valid")
    return 0


def cmd_link_code(args: argparse.Namespace) -> int:
    """Issue a one-time family link code for a resident (valid 24 h), to give to a son or daughter."""
    from actions.db.models import Resident
    from actions.family import spaced
    from actions.linking import issue_code

    sessions, _ = _sessions_and_catalogue()
    with sessions.begin() as session:
        resident = session.get(Resident, args.resident)
        if resident is None:
            print(f"resident {args.resident} does not exist", file=sys.stderr)
            return 1
        code = issue_code(session, resident.id, issued_by=args.by)
        name = resident.name
    print(f"家属绑定码 for {name} (resident {args.resident}): {spaced(code)}  — valid 24 h, used once; "
          "the relative sends it to the Xiaonuan bot on Telegram")
    return 0


def add_family_commands(sub: argparse._SubParsersAction) -> None:
    link = sub.add_parser("link-code", help="issue a one-time code that links a relative's Telegram to a resident")
    link.add_argument("--resident", type=int, required=True, help="the resident's number")
    link.add_argument("--by", default="staff:1", help="who issues it, e.g. staff:1")
    link.set_defaults(func=cmd_link_code)


def add_policy_commands(sub: argparse._SubParsersAction) -> None:
    notices = sub.add_parser("notices", help="queue notices for residents who became eligible (once each)")
    notices.add_argument("--date", required=True, help="YYYY-MM-DD")
    notices.set_defaults(func=cmd_notices)
    policies = sub.add_parser("policies", help="check the policy knowledge base, or try a question")
    policies.add_argument("question", nargs="?", help="a question in Chinese, to see which items it finds")
    policies.set_defaults(func=cmd_policies)
