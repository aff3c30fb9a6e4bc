"""What the resident and their family are told when a service booking changes."""
from __future__ import annotations

from typing import List, Tuple

from sqlalchemy.orm import Session

from actions.db.models import Resident, ServiceBooking
from actions.outbox import enqueue
from actions.residents import linked_family_ids
from actions.services.catalogue import Catalogue

TEMPLATES = {
    "service_confirmed": "{whose}{service}已经确认：{when}，{helper}上门。",
    "service_changed": "{whose}{service}有变动：现在是{when}，{helper}上门。",
    "service_cancelled": "{whose}{service}（{when}）取消了。{reason}",
    "service_done": "{whose}{service}（{when}）已经做完了。",
    "service_booked": "{whose}{service}约好了：{when}，等工作人员确认。",
}


def when_text(booking: ServiceBooking) -> str:
    day = booking.slot.day
    return f"{day.month}月{day.day}日{booking.time_note or booking.slot.half_day}"


def notify(session: Session, catalogue: Catalogue, booking: ServiceBooking, kind: str, actor: str,
           cause: str, reason: str = "") -> None:
    """Queue the notice for the resident and each linked family member, except whoever made the change."""
    resident = session.get(Resident, booking.resident_id)
    service = catalogue.by_code(booking.slot.service_type.code).name
    fields = dict(service=service, when=when_text(booking), helper=booking.helper_name or "工作人员",
                  reason=f"原因：{reason}。" if reason else "")
    messages: List[Tuple[str, str]] = []
    for recipient, whose in ([(f"resident:{resident.id}", "您的")]
                             + [(f"family:{fid}", f"{resident.name}的") for fid in linked_family_ids(session, resident.id)]):
        if recipient != actor:
            messages.append((recipient, TEMPLATES[kind].format(whose=whose, **fields)))
    enqueue(session, messages, kind, cause)
