"""Failed identifications at community kiosks, counted across conversations.

Three tries per conversation did not stop a guesser who simply started a new
conversation. Each failure is an audit entry naming the kiosk and, when the name
said is a resident's, that resident; the counts over a window decide. When a
limit is reached staff are told (a call-back request on their desk and an audit
entry), and the kiosk says so instead of going silent.
"""
from __future__ import annotations

import datetime as dt
from typing import Iterable, Optional

from sqlalchemy import func, select

from actions import runtime
from actions.db.models import AuditLog, HandoffRequest
from bot.kernel.clock import utcnow

FAILED = "identify_failed"
LOCKED = "identify_locked"
RESIDENT_WINDOW = dt.timedelta(hours=24)
KIOSK_WINDOW = dt.timedelta(hours=1)


def kiosk_key(location: Optional[str]) -> str:
    """The kiosk, as its configuration names it (the verified metadata's location)."""
    return f"kiosk:{(location or 'unknown')[:70]}"


def _failures(session, target: str, since: dt.datetime) -> int:
    return session.scalar(select(func.count(AuditLog.id)).where(
        AuditLog.action == FAILED, AuditLog.target == target, AuditLog.created_at >= since)) or 0


def locked(kiosk: str, resident_ids: Iterable[int] = ()) -> bool:
    """Whether this kiosk, or any of these residents, has used up its failed identifications."""
    settings = runtime.settings()
    now = utcnow()
    with runtime.sessions()() as session:
        if _failures(session, kiosk, now - KIOSK_WINDOW) >= settings.identify_failures_per_kiosk:
            return True
        return any(_failures(session, f"resident:{rid}", now - RESIDENT_WINDOW)
                   >= settings.identify_failures_per_resident for rid in resident_ids)


def record_failure(kiosk: str, sender_id: str, channel: str, resident_ids: Iterable[int] = ()) -> bool:
    """Count one failure; True when it reached a limit (staff were told once, at that moment)."""
    settings = runtime.settings()
    now = utcnow()
    reached = []
    with runtime.sessions().begin() as session:
        targets = [(kiosk, KIOSK_WINDOW, settings.identify_failures_per_kiosk, None)] + [
            (f"resident:{rid}", RESIDENT_WINDOW, settings.identify_failures_per_resident, rid) for rid in resident_ids]
        for target, window, limit, rid in targets:
            session.add(AuditLog(actor="anonymous", action=FAILED, target=target, detail=sender_id[:120]))
            session.flush()
            if _failures(session, target, now - window) == limit:
                reached.append((target, rid))
        for target, rid in reached:
            session.add(AuditLog(actor="system", action=LOCKED, target=target, detail=sender_id[:120]))
            # On the staff desk with the call-back requests: someone should see who is trying.
            session.add(HandoffRequest(resident_id=rid, sender_id=sender_id[:120], channel=channel,
                                       reason=LOCKED, last_text=f"身份确认失败次数太多（{target}），已暂停在社区机器上确认身份。"))
    return bool(reached)
