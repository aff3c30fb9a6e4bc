"""The data model: residents, family, canteens, services, alerts, staff, audit, the Telegram channel."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship

from bot.kernel.clock import utcnow

Base = declarative_base()


class Resident(Base):
    """A senior living in the district."""

    __tablename__ = "residents"

    id = Column(Integer, primary_key=True)
    name = Column(String(40), nullable=False, index=True)
    gender = Column(String(4), nullable=False, default="")
    birth_date = Column(Date, nullable=False)
    phone = Column(String(20), nullable=False, default="")
    address = Column(String(200), nullable=False, default="")
    id_number = Column(String(20), nullable=True)
    home_canteen_id = Column(Integer, ForeignKey("canteens.id"), nullable=True)
    dietary_notes = Column(String(200), nullable=False, default="")
    flags = Column(String(200), nullable=False, default="")  # comma separated: 独居,失能,低保
    flags_updated_at = Column(DateTime, nullable=True)  # when staff last changed the flags (for notices)
    speech_rate_factor = Column(Float, nullable=False, default=1.0)
    speech_volume = Column(Float, nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)

    home_canteen = relationship("Canteen")
    family_links = relationship("FamilyLink", back_populates="resident")

    def age_on(self, day: dt.date) -> int:
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


class FamilyMember(Base):
    """A relative who acts for one or more residents from a messaging app."""

    __tablename__ = "family_members"

    id = Column(Integer, primary_key=True)
    name = Column(String(40), nullable=False)
    phone = Column(String(20), nullable=False, default="")
    telegram_chat_id = Column(String(40), nullable=True, unique=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)

    links = relationship("FamilyLink", back_populates="family_member")


class FamilyLink(Base):
    """Family member ↔ resident: who may act for whom."""

    __tablename__ = "family_links"
    __table_args__ = (UniqueConstraint("family_member_id", "resident_id"),)

    id = Column(Integer, primary_key=True)
    family_member_id = Column(Integer, ForeignKey("family_members.id", ondelete="CASCADE"), nullable=False)
    resident_id = Column(Integer, ForeignKey("residents.id", ondelete="CASCADE"), nullable=False, index=True)
    relation = Column(String(20), nullable=False, default="")
    created_at = Column(DateTime, nullable=False, default=utcnow)

    family_member = relationship("FamilyMember", back_populates="links")
    resident = relationship("Resident", back_populates="family_links")


class LinkCode(Base):
    """A one-time 6-digit code that links a family member's chat to a resident (valid 24 h, used once)."""

    __tablename__ = "link_codes"

    id = Column(Integer, primary_key=True)
    code = Column(String(6), nullable=False, index=True)
    resident_id = Column(Integer, ForeignKey("residents.id", ondelete="CASCADE"), nullable=False)
    issued_by = Column(String(60), nullable=False)  # "resident:1" (at the kiosk), "staff:2"
    created_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False)
    used_at = Column(DateTime, nullable=True)
    used_by = Column(Integer, ForeignKey("family_members.id", ondelete="SET NULL"), nullable=True)


class LinkAttempt(Base):
    """A code typed in a chat; wrong ones count towards the hourly limit."""

    __tablename__ = "link_attempts"
    __table_args__ = (Index("ix_link_attempt_chat_time", "chat_id", "created_at"),)

    id = Column(Integer, primary_key=True)
    chat_id = Column(String(40), nullable=False)
    ok = Column(Boolean, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class TelegramChat(Base):
    """A Telegram chat: whose family member it is, which parent it acts for now, voice replies on or off."""

    __tablename__ = "telegram_chats"

    chat_id = Column(String(40), primary_key=True)
    family_member_id = Column(Integer, ForeignKey("family_members.id", ondelete="SET NULL"), nullable=True)
    active_resident_id = Column(Integer, ForeignKey("residents.id", ondelete="SET NULL"), nullable=True)
    voice_replies = Column(Boolean, nullable=False, default=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class TelegramUpdate(Base):
    """An update id already handled: Telegram (or a replay) sending it again changes nothing."""

    __tablename__ = "telegram_updates"

    update_id = Column(BigInteger, primary_key=True, autoincrement=False)
    received_at = Column(DateTime, nullable=False, default=utcnow, index=True)


class ChannelDelivery(Base):
    """An outbox notice a messaging channel has sent: a second delivery of the same key sends nothing."""

    __tablename__ = "channel_deliveries"

    key = Column(String(120), primary_key=True)
    sent_at = Column(DateTime, nullable=False, default=utcnow)


class AlertResponse(Base):
    """A family member's answer to an alert: on the way, or please send staff."""

    __tablename__ = "alert_responses"

    id = Column(Integer, primary_key=True)
    alert_id = Column(Integer, ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False, index=True)
    family_member_id = Column(Integer, ForeignKey("family_members.id", ondelete="CASCADE"), nullable=False)
    response = Column(String(20), nullable=False)  # on_my_way / send_staff
    created_at = Column(DateTime, nullable=False, default=utcnow)


class Canteen(Base):
    """A community canteen (幸福食堂 / 助餐点)."""

    __tablename__ = "canteens"

    id = Column(Integer, primary_key=True)
    name = Column(String(80), nullable=False, unique=True)
    short_name = Column(String(20), nullable=False, default="")  # what people call it: 幸福里, 康乐苑
    address = Column(String(200), nullable=False)
    phone = Column(String(20), nullable=False)
    opening_hours = Column(String(80), nullable=False)
    closed_weekdays = Column(String(20), nullable=False, default="")  # ISO weekdays, "7" = Sunday
    delivery_fee = Column(Float, nullable=False, default=3.0)
    delivery_daily_limit = Column(Integer, nullable=False, default=20)  # portions delivered per day

    meals = relationship("CanteenMeal", back_populates="canteen", order_by="CanteenMeal.id")

    def closed_on(self, day: dt.date) -> bool:
        return str(day.isoweekday()) in self.closed_weekdays.split(",")


class CanteenMeal(Base):
    """A meal a canteen serves: its set price and how many portions it can cook."""

    __tablename__ = "canteen_meals"
    __table_args__ = (UniqueConstraint("canteen_id", "meal_type"),)

    id = Column(Integer, primary_key=True)
    canteen_id = Column(Integer, ForeignKey("canteens.id", ondelete="CASCADE"), nullable=False)
    meal_type = Column(String(10), nullable=False)  # 早餐 / 午餐 / 晚餐
    price = Column(Float, nullable=False)  # one portion (set meal) before subsidy
    capacity = Column(Integer, nullable=False)  # portions per day, dine-in and delivery together

    canteen = relationship("Canteen", back_populates="meals")


class MenuItem(Base):
    """One dish on one canteen's menu for one day and meal."""

    __tablename__ = "menu_items"
    __table_args__ = (Index("ix_menu_canteen_day_meal", "canteen_id", "day", "meal_type"),)

    id = Column(Integer, primary_key=True)
    canteen_id = Column(Integer, ForeignKey("canteens.id", ondelete="CASCADE"), nullable=False)
    day = Column(Date, nullable=False)
    meal_type = Column(String(10), nullable=False)  # 早餐 / 午餐 / 晚餐
    dish = Column(String(60), nullable=False)
    tags = Column(String(60), nullable=False, default="")  # 软烂,低盐,低糖,清真,素


class MealSitting(Base):
    """Portions booked for one canteen, day and meal: the row every booking updates atomically."""

    __tablename__ = "meal_sittings"
    __table_args__ = (UniqueConstraint("canteen_id", "day", "meal_type"),)

    id = Column(Integer, primary_key=True)
    canteen_id = Column(Integer, ForeignKey("canteens.id", ondelete="CASCADE"), nullable=False)
    day = Column(Date, nullable=False)
    meal_type = Column(String(10), nullable=False)
    capacity = Column(Integer, nullable=False)  # copied from CanteenMeal; staff may change one day
    booked = Column(Integer, nullable=False, default=0)


class DeliveryDay(Base):
    """Portions delivered by one canteen on one day, against its daily delivery limit."""

    __tablename__ = "delivery_days"
    __table_args__ = (UniqueConstraint("canteen_id", "day"),)

    id = Column(Integer, primary_key=True)
    canteen_id = Column(Integer, ForeignKey("canteens.id", ondelete="CASCADE"), nullable=False)
    day = Column(Date, nullable=False)
    capacity = Column(Integer, nullable=False)
    booked = Column(Integer, nullable=False, default=0)


class MealBooking(Base):
    """A canteen meal booked by or for a resident."""

    __tablename__ = "meal_bookings"
    __table_args__ = (
        Index("ix_meal_booking_slot", "canteen_id", "day", "meal_type", "status"),
        Index("ix_meal_booking_resident_day", "resident_id", "day"),
    )

    id = Column(Integer, primary_key=True)
    resident_id = Column(Integer, ForeignKey("residents.id"), nullable=False)
    canteen_id = Column(Integer, ForeignKey("canteens.id"), nullable=False)
    day = Column(Date, nullable=False)
    meal_type = Column(String(10), nullable=False)
    quantity = Column(Integer, nullable=False, default=1)
    delivery = Column(Boolean, nullable=False, default=False)
    unit_price = Column(Float, nullable=False, default=0.0)
    subsidy = Column(Float, nullable=False, default=0.0)
    delivery_fee = Column(Float, nullable=False, default=0.0)
    price_total = Column(Float, nullable=False, default=0.0)
    status = Column(String(20), nullable=False, default="booked")  # booked / cancelled
    booked_by = Column(String(60), nullable=False)  # "resident:3", "family:2", "staff:1"
    channel = Column(String(20), nullable=False, default="")
    message_id = Column(String(80), nullable=True, unique=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    cancelled_at = Column(DateTime, nullable=True)
    cancelled_by = Column(String(60), nullable=True)

    resident = relationship("Resident")
    canteen = relationship("Canteen")


class ServiceType(Base):
    """An entry of the home-service catalogue (助洁, 助浴, 助医 …)."""

    __tablename__ = "service_types"

    id = Column(Integer, primary_key=True)
    code = Column(String(20), nullable=False, unique=True)
    name = Column(String(20), nullable=False, unique=True)
    duration_minutes = Column(Integer, nullable=False)
    price = Column(Float, nullable=False)
    needs_assessment = Column(Boolean, nullable=False, default=False)
    description = Column(String(200), nullable=False, default="")


class ServiceSlot(Base):
    """Capacity of one service for one half-day (上午/下午)."""

    __tablename__ = "service_slots"
    __table_args__ = (UniqueConstraint("service_type_id", "day", "half_day"),)

    id = Column(Integer, primary_key=True)
    service_type_id = Column(Integer, ForeignKey("service_types.id", ondelete="CASCADE"), nullable=False)
    day = Column(Date, nullable=False)
    half_day = Column(String(4), nullable=False)  # 上午 / 下午
    capacity = Column(Integer, nullable=False)  # from the catalogue's weekly template when created
    booked = Column(Integer, nullable=False, default=0)

    service_type = relationship("ServiceType")


class ServiceBooking(Base):
    """A home-service visit booked by or for a resident: requested → confirmed → done, or cancelled."""

    __tablename__ = "service_bookings"
    __table_args__ = (Index("ix_service_booking_resident_status", "resident_id", "status"),)

    id = Column(Integer, primary_key=True)
    resident_id = Column(Integer, ForeignKey("residents.id"), nullable=False)
    slot_id = Column(Integer, ForeignKey("service_slots.id"), nullable=False, index=True)
    status = Column(String(20), nullable=False, default="requested")  # requested/confirmed/done/cancelled
    time_note = Column(String(20), nullable=False, default="")  # "下午三点" when a time was asked for
    note = Column(String(200), nullable=False, default="")  # special request: 带上梯子, 要女护工
    helper_name = Column(String(40), nullable=True)
    unit_price = Column(Float, nullable=False, default=0.0)
    subsidy = Column(Float, nullable=False, default=0.0)
    price_total = Column(Float, nullable=False, default=0.0)
    booked_by = Column(String(60), nullable=False)
    channel = Column(String(20), nullable=False, default="")
    message_id = Column(String(80), nullable=True, unique=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow)

    slot = relationship("ServiceSlot")
    resident = relationship("Resident")
    changes = relationship("ServiceBookingChange", back_populates="booking", order_by="ServiceBookingChange.id")


class ServiceBookingChange(Base):
    """One step of a service booking's life: who changed what, when and why."""

    __tablename__ = "service_booking_changes"

    id = Column(Integer, primary_key=True)
    booking_id = Column(Integer, ForeignKey("service_bookings.id", ondelete="CASCADE"), nullable=False, index=True)
    from_status = Column(String(20), nullable=True)  # None when the booking was made
    to_status = Column(String(20), nullable=False)
    actor = Column(String(60), nullable=False)  # "resident:3", "family:2", "staff:1", "system"
    reason = Column(String(200), nullable=False, default="")
    detail = Column(String(200), nullable=False, default="")  # helper assigned, new time …
    created_at = Column(DateTime, nullable=False, default=utcnow)

    booking = relationship("ServiceBooking", back_populates="changes")


class OutboxMessage(Base):
    """A notice to deliver to a resident or family member, written in the same transaction as its cause.

    Delivered at least once by the outbox worker; receivers drop a key they have seen.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "delivered_at", "next_attempt_at"),)

    id = Column(Integer, primary_key=True)
    recipient = Column(String(40), nullable=False)  # "resident:1", "family:2"
    kind = Column(String(40), nullable=False)  # service_confirmed, service_done …
    text = Column(Text, nullable=False)
    key = Column(String(120), nullable=False, unique=True)  # one notice per cause and recipient
    created_at = Column(DateTime, nullable=False, default=utcnow)
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime, nullable=False, default=utcnow)
    delivered_at = Column(DateTime, nullable=True)
    last_error = Column(String(200), nullable=False, default="")


class ResidentMessage(Base):
    """A notice waiting for a resident: the kiosk says it at the start of their next conversation."""

    __tablename__ = "resident_messages"
    __table_args__ = (UniqueConstraint("resident_id", "key"),)

    id = Column(Integer, primary_key=True)
    resident_id = Column(Integer, ForeignKey("residents.id", ondelete="CASCADE"), nullable=False)
    key = Column(String(120), nullable=False)
    text = Column(Text, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    told_at = Column(DateTime, nullable=True)


class Alert(Base):
    """An emergency raised by a resident (or for one), to be answered by staff."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alert_status_created", "status", "created_at"),)

    id = Column(Integer, primary_key=True)
    resident_id = Column(Integer, ForeignKey("residents.id"), nullable=True, index=True)
    sender_id = Column(String(120), nullable=False)
    channel = Column(String(20), nullable=False)
    location = Column(String(200), nullable=False, default="")
    text = Column(Text, nullable=False)
    status = Column(String(20), nullable=False, default="open")  # open / acknowledged / resolved
    created_at = Column(DateTime, nullable=False, default=utcnow)
    acknowledged_at = Column(DateTime, nullable=True)
    resolved_at = Column(DateTime, nullable=True)
    note = Column(Text, nullable=False, default="")
    kind = Column(String(20), nullable=False, default="help")  # fall / medical / fire / gas / intruder / lost / self_harm / scam / help
    repeats = Column(Integer, nullable=False, default=1)  # how many times it was raised while open (staff see ×3)
    updated_at = Column(DateTime, nullable=True)  # when words were last added
    acknowledged_by = Column(String(60), nullable=True)  # "staff:2 王芳": who answered, for the relative who asks
    outcome = Column(String(20), nullable=True)  # false_alarm / helped / hospital / … when resolved
    closed_by = Column(String(60), nullable=True)  # "resident:1" when the resident took it back
    arrived_at = Column(DateTime, nullable=True)  # staff said 已到现场 (the escalation ladder, docs/safety.md)
    arrived_by = Column(String(60), nullable=True)  # "staff:2 王芳"
    resolved_by = Column(String(60), nullable=True)  # "staff:2 王芳"
    escalated = Column(Integer, nullable=False, default=0)  # highest ladder rung reached: 0 desk, 1 re-sounded, 2 everyone

    resident = relationship("Resident")
    words = relationship("AlertWord", order_by="AlertWord.id", cascade="all, delete-orphan")


class AlertWord(Base):
    """What was said after an alert was raised (injuries, where, a retraction): one row per turn, in order."""

    __tablename__ = "alert_words"

    id = Column(Integer, primary_key=True)
    alert_id = Column(Integer, ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False, index=True)
    text = Column(Text, nullable=False)
    kind = Column(String(20), nullable=False, default="")  # the danger these words name, if any
    said_at = Column(DateTime, nullable=False, default=utcnow)


class HandoffRequest(Base):
    """A request to be called back by a person, raised by the dialogue."""

    __tablename__ = "handoff_requests"

    id = Column(Integer, primary_key=True)
    resident_id = Column(Integer, ForeignKey("residents.id"), nullable=True, index=True)
    sender_id = Column(String(120), nullable=False)
    channel = Column(String(20), nullable=False)
    reason = Column(String(40), nullable=False)  # asked / not_understood
    last_text = Column(Text, nullable=False, default="")
    status = Column(String(20), nullable=False, default="open")
    created_at = Column(DateTime, nullable=False, default=utcnow)


class StaffUser(Base):
    """A community staff member using the console."""

    __tablename__ = "staff_users"

    id = Column(Integer, primary_key=True)
    username = Column(String(40), nullable=False, unique=True)
    display_name = Column(String(40), nullable=False)
    role = Column(String(10), nullable=False, default="staff")  # admin / staff
    password_hash = Column(String(200), nullable=True)  # set on the console's first start
    must_change_password = Column(Boolean, nullable=False, default=True)  # a one-time password was given
    failed_logins = Column(Integer, nullable=False, default=0)
    locked_until = Column(DateTime, nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class StaffSession(Base):
    """A logged-in console session; the cookie holds the token, the table only its hash."""

    __tablename__ = "staff_sessions"

    token_hash = Column(String(64), primary_key=True)
    staff_id = Column(Integer, ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False)


class ConversationSummary(Base):
    """One conversation (a tracker's sender id) as the console lists it, kept up to date from Rasa's events."""

    __tablename__ = "conversation_summaries"
    __table_args__ = (Index("ix_conversation_last", "last_at"),
                      Index("ix_conversation_channel_last", "channel", "last_at"))

    sender_id = Column(String(255), primary_key=True)
    channel = Column(String(20), nullable=False, default="")
    resident_id = Column(Integer, nullable=True, index=True)
    started_at = Column(DateTime, nullable=False)  # UTC, like every DateTime here
    last_at = Column(DateTime, nullable=False)
    user_turns = Column(Integer, nullable=False, default=0)
    not_understood = Column(Integer, nullable=False, default=0)
    last_text = Column(String(200), nullable=False, default="")
    active_days = Column(Text, nullable=False, default="")  # local days with user turns: "20261122,20261123"
    last_user_event_id = Column(Integer, nullable=True)  # a fallback action later counts against this turn
    last_user_missed = Column(Boolean, nullable=False, default=False)  # that turn is counted as not understood


class SummaryCursor(Base):
    """How far into Rasa's events table the conversation summaries have read."""

    __tablename__ = "summary_cursor"

    id = Column(Integer, primary_key=True)
    last_event_id = Column(Integer, nullable=False, default=0)


class NotUnderstoodTurn(Base):
    """A user turn the assistant did not understand (fallback or low confidence), to be labelled by staff."""

    __tablename__ = "not_understood_turns"

    event_id = Column(Integer, primary_key=True, autoincrement=False)  # Rasa's events.id of the user turn
    sender_id = Column(String(255), nullable=False)
    text = Column(Text, nullable=False)
    predicted = Column(String(60), nullable=False, default="")
    confidence = Column(Float, nullable=False, default=0.0)
    at = Column(DateTime, nullable=False, index=True)
    label = Column(String(60), nullable=True)  # an intent, or "new_topic"
    labelled_by = Column(Integer, ForeignKey("staff_users.id"), nullable=True)  # who labelled or skipped it
    labelled_at = Column(DateTime, nullable=True)
    skipped_at = Column(DateTime, nullable=True)  # staff chose not to label it (noise, half a word …)
    exported_at = Column(DateTime, nullable=True)


class AuditLog(Base):
    """Who did what to which record, and when."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_created", "created_at"),)

    id = Column(Integer, primary_key=True)
    actor = Column(String(60), nullable=False)  # "resident:3", "staff:1", "system"
    action = Column(String(40), nullable=False)
    target = Column(String(80), nullable=False, default="")
    detail = Column(Text, nullable=False, default="")
    created_at = Column(DateTime, nullable=False, default=utcnow)


class Device(Base):
    """A one-key call button or wristband that posts events to the device door, bound to a resident by staff.

    Only the token's SHA-256 is kept: the token is shown to staff once, when the device is added.
    """

    __tablename__ = "devices"

    id = Column(Integer, primary_key=True)
    device_id = Column(String(64), nullable=False, unique=True)  # the vendor's id, as the device sends it
    token_hash = Column(String(64), nullable=False, unique=True)  # sha256 hex of the device's token
    resident_id = Column(Integer, ForeignKey("residents.id", ondelete="SET NULL"), nullable=True, index=True)
    kind = Column(String(20), nullable=False, default="button")  # button / wristband
    label = Column(String(40), nullable=False, default="")  # what staff call it: 床头按钮
    heartbeat_every_minutes = Column(Integer, nullable=False, default=60)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    created_by = Column(String(60), nullable=False, default="")  # "staff:2"
    last_seen_at = Column(DateTime, nullable=True)  # any authenticated event
    last_event = Column(String(20), nullable=True)  # sos / fall / low_battery / heartbeat
    last_battery = Column(Integer, nullable=True)  # percent, when the device reports it
    silent_notified_at = Column(DateTime, nullable=True)  # staff were told of this silence (cleared by any event)
    deactivated_at = Column(DateTime, nullable=True)

    resident = relationship("Resident")


class AlertEscalation(Base):
    """A rung of the escalation ladder an alert reached unacknowledged: written once, so staff can see when.

    The unique key keeps a rung to one row even with two workers running.
    """

    __tablename__ = "alert_escalations"
    __table_args__ = (UniqueConstraint("alert_id", "rung"),)

    id = Column(Integer, primary_key=True)
    alert_id = Column(Integer, ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False, index=True)
    rung = Column(Integer, nullable=False)  # 1 re-sounded and family told, 2 every staff account and the phones
    after_s = Column(Integer, nullable=False)  # the ladder's delay for this rung when it was reached
    created_at = Column(DateTime, nullable=False, default=utcnow)


class StaffNotice(Base):
    """A call to one staff account (the top rung of the ladder): staff have no push channel, so it waits on
    the desk for them and records whether they saw it."""

    __tablename__ = "staff_notices"
    __table_args__ = (UniqueConstraint("staff_id", "alert_id", "kind"),)

    id = Column(Integer, primary_key=True)
    staff_id = Column(Integer, ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False, index=True)
    alert_id = Column(Integer, ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = Column(String(20), nullable=False, default="all_staff")
    text = Column(Text, nullable=False, default="")
    created_at = Column(DateTime, nullable=False, default=utcnow)
    seen_at = Column(DateTime, nullable=True)  # when this staff member opened the alert


class FollowUpVisit(Base):
    """A follow-up visit (回访) after an alert was resolved: on the Today page from the next local day."""

    __tablename__ = "follow_up_visits"
    __table_args__ = (Index("ix_follow_up_due", "done_at", "due_day"),)

    id = Column(Integer, primary_key=True)
    alert_id = Column(Integer, ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False, unique=True)
    resident_id = Column(Integer, ForeignKey("residents.id", ondelete="SET NULL"), nullable=True, index=True)
    due_day = Column(Date, nullable=False)  # a local day
    created_by = Column(String(60), nullable=False, default="")
    created_at = Column(DateTime, nullable=False, default=utcnow)
    done_at = Column(DateTime, nullable=True)
    done_by = Column(String(60), nullable=True)
    note = Column(Text, nullable=False, default="")


class CheckinPlan(Base):
    """A resident's daily check-in as staff set it. No row: on for residents flagged 独居, at the default time."""

    __tablename__ = "checkin_plans"

    resident_id = Column(Integer, ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True,
                         autoincrement=False)
    enabled = Column(Boolean, nullable=False, default=True)
    time = Column(String(5), nullable=False, default="09:00")  # local "HH:MM"
    updated_at = Column(DateTime, nullable=False, default=utcnow)
    updated_by = Column(String(60), nullable=False, default="")  # "staff:2"


class Checkin(Base):
    """One day's check-in at a resident's home kiosk: asked, answered (fine or low), or escalated unanswered."""

    __tablename__ = "checkins"
    __table_args__ = (UniqueConstraint("resident_id", "day"),)

    id = Column(Integer, primary_key=True)
    resident_id = Column(Integer, ForeignKey("residents.id", ondelete="CASCADE"), nullable=False, index=True)
    day = Column(Date, nullable=False)  # a local day
    asked_at = Column(DateTime, nullable=False, default=utcnow)  # the latest try (UTC)
    tries = Column(Integer, nullable=False, default=1)
    answered_at = Column(DateTime, nullable=True)
    answer = Column(Text, nullable=False, default="")
    mood = Column(String(10), nullable=True)  # ok / low
    escalated_at = Column(DateTime, nullable=True)
    alert_id = Column(Integer, ForeignKey("alerts.id", ondelete="SET NULL"), nullable=True)


class InactivityAlert(Base):
    """A silence at a home kiosk that was escalated: the unique key keeps one alert per silence."""

    __tablename__ = "inactivity_alerts"
    __table_args__ = (UniqueConstraint("resident_id", "silent_since"),)

    id = Column(Integer, primary_key=True)
    resident_id = Column(Integer, ForeignKey("residents.id", ondelete="CASCADE"), nullable=False, index=True)
    silent_since = Column(DateTime, nullable=False)  # the last interaction (UTC) the silence began after
    alert_id = Column(Integer, ForeignKey("alerts.id", ondelete="SET NULL"), nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)


# -- issue 19: reminders and messages between family and the kiosk ---------------------------------


class Reminder(Base):
    """Something to remind a resident of: every day at a time, or once at a date and time (local)."""

    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminder_resident_active", "resident_id", "active"),)

    id = Column(Integer, primary_key=True)
    resident_id = Column(Integer, ForeignKey("residents.id", ondelete="CASCADE"), nullable=False)
    what = Column(String(60), nullable=False)  # "吃药", "去医院复查", "带医保卡"
    daily = Column(Boolean, nullable=False, default=True)
    time = Column(String(5), nullable=False)  # local "HH:MM"
    day = Column(Date, nullable=True)  # the local day of a one-off reminder
    active = Column(Boolean, nullable=False, default=True)
    created_by = Column(String(60), nullable=False)  # "resident:1", "family:2", "staff:3"
    created_at = Column(DateTime, nullable=False, default=utcnow)
    stopped_at = Column(DateTime, nullable=True)
    stopped_by = Column(String(60), nullable=True)

    resident = relationship("Resident")


class ReminderFollower(Base):
    """A relative told when a reminder is not confirmed in time (the one who set it, and those who follow it)."""

    __tablename__ = "reminder_followers"
    __table_args__ = (UniqueConstraint("reminder_id", "family_member_id"),)

    id = Column(Integer, primary_key=True)
    reminder_id = Column(Integer, ForeignKey("reminders.id", ondelete="CASCADE"), nullable=False, index=True)
    family_member_id = Column(Integer, ForeignKey("family_members.id", ondelete="CASCADE"), nullable=False)


class ReminderOccurrence(Base):
    """One time a reminder fell due: said at the kiosk, answered taken / later / skip, or missed and told."""

    __tablename__ = "reminder_occurrences"
    __table_args__ = (UniqueConstraint("reminder_id", "due_at"), Index("ix_reminder_occ_status", "status", "due_at"))

    id = Column(Integer, primary_key=True)
    reminder_id = Column(Integer, ForeignKey("reminders.id", ondelete="CASCADE"), nullable=False)
    resident_id = Column(Integer, ForeignKey("residents.id", ondelete="CASCADE"), nullable=False, index=True)
    due_at = Column(DateTime, nullable=False)  # UTC
    said_at = Column(DateTime, nullable=True)  # the kiosk said it (the first time)
    says = Column(Integer, nullable=False, default=0)  # how many times it was said
    snoozed = Column(Integer, nullable=False, default=0)  # how many times "等一会儿" was asked
    next_say_at = Column(DateTime, nullable=True)  # said again then (UTC): a gentle repeat, or "等一会儿"
    status = Column(String(10), nullable=False, default="due")  # due / taken / skipped / missed
    answered_at = Column(DateTime, nullable=True)
    escalated_at = Column(DateTime, nullable=True)  # the relatives were told it was not confirmed


class FamilyNote(Base):
    """A message between a relative and a resident: text or a voice note, either way."""

    __tablename__ = "family_notes"
    __table_args__ = (Index("ix_family_note_resident_heard", "resident_id", "heard_at"),)

    id = Column(Integer, primary_key=True)
    resident_id = Column(Integer, ForeignKey("residents.id", ondelete="CASCADE"), nullable=False)
    family_member_id = Column(Integer, ForeignKey("family_members.id", ondelete="CASCADE"), nullable=False)
    direction = Column(String(12), nullable=False, default="to_resident")  # to_resident / to_family
    text = Column(Text, nullable=False)  # what was typed, or the transcript of the voice note
    audio_path = Column(String(200), nullable=True)  # a voice note kept under the data folder
    created_at = Column(DateTime, nullable=False, default=utcnow)
    heard_at = Column(DateTime, nullable=True)  # played at the kiosk (to_resident)
    reply_to = Column(Integer, nullable=True)  # the note this one answers (no foreign key: notes are purged alone)


# --- Issue 19 (community life): activities, notices, the daily word to the family, mood (revision 0004) ---


class Activity(Base):
    """A community activity staff publish (义诊, 免费体检, 防诈骗讲座, 老年大学): places held exactly."""

    __tablename__ = "activities"
    __table_args__ = (Index("ix_activities_starts", "starts_at"),)

    id = Column(Integer, primary_key=True)
    title = Column(String(60), nullable=False)
    kind = Column(String(20), nullable=False, default="")  # 义诊, 体检, 讲座, 课程, 文体, 其他
    starts_at = Column(DateTime, nullable=False)  # local time
    place = Column(String(100), nullable=False, default="")
    for_whom = Column(String(100), nullable=False, default="")  # "60岁以上居民"
    capacity = Column(Integer, nullable=False)
    booked = Column(Integer, nullable=False, default=0)
    status = Column(String(12), nullable=False, default="open")  # open / cancelled
    created_by = Column(String(60), nullable=False, default="")
    created_at = Column(DateTime, nullable=False, default=utcnow)


class ActivitySignup(Base):
    """A resident's place at an activity; cancelling gives the place back."""

    __tablename__ = "activity_signups"
    __table_args__ = (UniqueConstraint("activity_id", "resident_id"),)

    id = Column(Integer, primary_key=True)
    activity_id = Column(Integer, ForeignKey("activities.id", ondelete="CASCADE"), nullable=False, index=True)
    resident_id = Column(Integer, ForeignKey("residents.id", ondelete="CASCADE"), nullable=False, index=True)
    status = Column(String(12), nullable=False, default="booked")  # booked / cancelled
    booked_by = Column(String(60), nullable=False, default="")
    message_id = Column(String(80), nullable=True, unique=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    cancelled_at = Column(DateTime, nullable=True)
    reminded_at = Column(DateTime, nullable=True)  # the reminder the day before was queued


class CommunityNotice(Base):
    """A notice staff send (heat warning, water cut, a scam going round) to all or some residents."""

    __tablename__ = "community_notices"

    id = Column(Integer, primary_key=True)
    text = Column(Text, nullable=False)
    audience = Column(String(200), nullable=False, default="all")  # "all" or resident ids "1,3,5"
    to_family = Column(Boolean, nullable=False, default=True)
    created_by = Column(String(60), nullable=False, default="")
    created_at = Column(DateTime, nullable=False, default=utcnow)


class NoticeReceipt(Base):
    """One resident's copy of a community notice: heard when the kiosk has said it."""

    __tablename__ = "notice_receipts"
    __table_args__ = (UniqueConstraint("notice_id", "resident_id"),)

    id = Column(Integer, primary_key=True)
    notice_id = Column(Integer, ForeignKey("community_notices.id", ondelete="CASCADE"), nullable=False, index=True)
    resident_id = Column(Integer, ForeignKey("residents.id", ondelete="CASCADE"), nullable=False, index=True)
    heard_at = Column(DateTime, nullable=True)


class DailyWordPlan(Base):
    """A relative's daily word about one parent: on or off, and the local hour it is sent."""

    __tablename__ = "daily_word_plans"
    __table_args__ = (UniqueConstraint("family_member_id", "resident_id"),)

    id = Column(Integer, primary_key=True)
    family_member_id = Column(Integer, ForeignKey("family_members.id", ondelete="CASCADE"), nullable=False)
    resident_id = Column(Integer, ForeignKey("residents.id", ondelete="CASCADE"), nullable=False, index=True)
    enabled = Column(Boolean, nullable=False, default=True)
    hour = Column(Integer, nullable=False, default=20)  # local hour 0-23
    last_sent_day = Column(Date, nullable=True)  # the local day of the last word queued
    updated_at = Column(DateTime, nullable=False, default=utcnow)
