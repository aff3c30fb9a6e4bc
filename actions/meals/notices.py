"""What the resident and their family are told when a meal booking is made or cancelled."""
from __future__ import annotations

from sqlalchemy.orm import Session

from actions.db.models import Canteen, FamilyMember, MealBooking, Resident
from actions.lang.spoken import say_count
from actions.meals.phrases import meal_word
from actions.outbox import enqueue
from actions.residents import linked_family_ids

TEMPLATES = {
    "meal_booked": "{whose}{day}{meal}订好了：{count}，{how}，{canteen}。{by}",
    "meal_cancelled": "{whose}{day}{meal}（{count}）取消了。{by}",
}


def _by(actor: str, resident: Resident, session: Session) -> str:
    """Who made the change, when it was not the resident themselves."""
    if actor.startswith("staff:"):
        return "是社区工作人员办的。"
    if actor.startswith("family:"):
        member = session.get(FamilyMember, int(actor.split(":", 1)[1]))
        return f"是家人{member.name}办的。" if member else "是家人办的。"
    return ""


def notify_meal(session: Session, booking: MealBooking, kind: str, actor: str) -> None:
    """Queue the notice for the resident and each linked family member, except whoever made the change."""
    resident = session.get(Resident, booking.resident_id)
    canteen = session.get(Canteen, booking.canteen_id)
    fields = dict(day=f"{booking.day.month}月{booking.day.day}日", meal=meal_word(booking.meal_type),
                  count=say_count(booking.quantity), how="送到家" if booking.delivery else "去食堂吃",
                  canteen=canteen.name if canteen else "", by=_by(actor, resident, session))
    recipients = [(f"resident:{resident.id}", "您")] + \
        [(f"family:{fid}", resident.name) for fid in linked_family_ids(session, resident.id)]
    messages = [(recipient, TEMPLATES[kind].format(whose=whose, **fields))
                for recipient, whose in recipients if recipient != actor]
    enqueue(session, messages, kind, f"meal:{booking.id}:{kind}")
