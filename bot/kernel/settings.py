"""Settings of every Xiaonuan process: the one module that reads the environment."""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping, Optional, Tuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PROJECT_ROOT = Path(__file__).resolve().parents[2]  # bot/kernel/settings.py

KIOSK_MODES = ("home", "community")


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from exc


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number, got {raw!r}") from exc


def _seconds_pair(env: Mapping[str, str], name: str, default: Tuple[int, int]) -> Tuple[int, int]:
    """Two whole numbers of seconds, "60,180"."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    parts = [part.strip() for part in raw.replace("，", ",").split(",")]
    try:
        first, second = (int(part) for part in parts)
    except ValueError as exc:
        raise ValueError(f"{name} must be two whole numbers of seconds such as 60,180, got {raw!r}") from exc
    return first, second


def _is_clock_time(value: str) -> bool:
    """"09:00" style, as the check-in time and the daytime window are written."""
    try:
        return len(value) == 5 and dt.datetime.strptime(value, "%H:%M") is not None
    except ValueError:
        return False


def _daytime(env: Mapping[str, str], name: str, default: Tuple[str, str]) -> Tuple[str, str]:
    """Two local times, "08:00-20:00"."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    parts = [part.strip() for part in raw.replace("–", "-").replace("~", "-").split("-")]
    if len(parts) != 2:
        raise ValueError(f"{name} must look like 08:00-20:00, got {raw!r}")
    return parts[0], parts[1]


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    return raw in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Settings:
    """Configuration of the core, the action server, the channels and the kiosk."""

    database_url: str = field(default_factory=lambda: f"sqlite:///{PROJECT_ROOT / 'var' / 'xiaonuan.db'}")
    """SQLAlchemy URL of the one database (application data and Rasa's tracker store)."""

    tracker_store_url: str = ""
    """SQLAlchemy URL of Rasa's tracker store when it is not the application database (empty: the same one)."""

    redis_url: str = ""
    """Redis for Rasa's lock store (redis://host:port/db); required when several Rasa servers share conversations."""

    host: str = "127.0.0.1"
    """Interface the Rasa server and the action server listen on; loopback by default."""

    rasa_port: int = 0
    """Port of the Rasa server; 0 picks a free port."""

    actions_port: int = 0
    """Port of the action server; 0 picks a free port."""

    channel_secret: str = ""
    """Secret a channel must present to speak for a resident; empty means one is generated per run."""

    action_token: str = ""
    """Token the Rasa server presents to the action server on every call; empty means one is generated per run."""

    webhook_per_minute: int = 30
    """Messages one sender may send to the core's webhook per minute; more get 429 and are not processed."""

    anonymous_per_minute: int = 20
    """Messages per minute from all callers without the channel secret together (a scan with made-up senders)."""

    turns_in_flight: int = 4
    """Ordinary turns one Rasa process works on at once; others queue and emergencies skip the queue (0: no gate)."""

    identify_failures_per_resident: int = 5
    """Failed identifications naming one resident (any kiosk, any conversation) within a day before staff must help."""

    identify_failures_per_kiosk: int = 10
    """Failed identifications at one kiosk within an hour before it stops identifying and staff are told."""

    model_dir: Path = PROJECT_ROOT / "models"
    """Where trained Rasa models are stored (Rasa's default)."""

    run_dir: Path = PROJECT_ROOT / "var" / "run"
    """Where `xiaonuan run` writes the servers' configuration and logs."""

    kiosk_mode: str = "community"
    """"home": the kiosk belongs to one resident; "community": it asks who is speaking."""

    kiosk_resident_id: Optional[int] = None
    """The resident a home kiosk is bound to."""

    kiosk_location: str = "幸福里社区服务中心"
    """Where the kiosk stands; shown to staff and family with alerts."""

    community_phone: str = "010-6688-1234"
    """Phone number of the community service centre, given at a human handoff."""

    hotline: str = "12345"
    """The city's public service hotline."""

    crisis_line: str = "12356"
    """The psychological crisis line given to someone who speaks of ending their life (national 12356)."""

    escalation_s: Tuple[int, int] = (60, 180)
    """The alert ladder: seconds unacknowledged before it is re-sounded and family told, then before every
    staff account is called and the phone numbers shown (XIAONUAN_ESCALATION="60,180"; docs/safety.md)."""

    escalation_phones: str = ""
    """Numbers shown on the desk at the ladder's top rung ("值班主任 139…, 社区卫生站 010-…"), after the
    community phone."""

    escalation_check_every_s: float = 5.0
    """How often `xiaonuan run` climbs the ladder for alerts nobody has acknowledged."""

    speech_enabled: bool = True
    """Read answers aloud where an audio device exists."""

    speech_voice: str = "sit/cmn"
    """espeak-ng voice used through pyttsx3 (Mandarin)."""

    speech_rate: int = 150
    """Default speaking rate in words per minute; residents can ask for slower."""

    speech_volume: float = 0.7
    """Default volume between 0 and 1; residents can ask for louder."""

    max_message_chars: int = 2000
    """The channel keeps at most this many characters of a message (the NLU answers long ones politely)."""

    core_timeout_s: float = 30.0
    """How long a channel waits for the core to answer one turn."""

    timezone: str = "Asia/Shanghai"
    """The community's time zone: cut-offs, "today" and "tomorrow" are local times."""

    fixed_now: Optional[str] = None
    """A frozen local time ("2026-11-23T08:00") for demos and tests; None means the real clock."""

    meals_config: Path = PROJECT_ROOT / "data" / "meals.yml"
    """Meal rules staff can edit: cut-offs, subsidies by age, booking limits."""

    services_config: Path = PROJECT_ROOT / "data" / "services.yml"
    """The home-service catalogue staff can edit: prices, subsidies, weekly capacity, helpers, synonyms."""

    policies_dir: Path = PROJECT_ROOT / "data" / "policies"
    """The policy knowledge base, one YAML file per item; read again when a file changes."""

    vosk_model: Path = PROJECT_ROOT / "models" / "vosk-model-small-cn-0.22"
    """Directory of the Vosk model (vosk-model-small-cn-0.22 in production); without it the kiosk runs in text mode."""

    vosk_model_sha256: str = "3af8b0e7e0f835ae9d414ce5df580237a3cfb08d586c9fbbb0f7ff29ad5b14ba"
    """SHA-256 of the official vosk-model-small-cn-0.22.zip (43,898,754 bytes), as a public build script
    gives it; the setup verifies the download against it, and a wrong value only refuses the download."""

    screen_port: int = 8090
    """Port of the kiosk's large-text screen on loopback (0 picks a free port)."""

    listen_reminder_s: float = 8.0
    """Silence after a question before the one gentle reminder."""

    barge_in: bool = False
    """Stop speaking when the resident starts talking (only with a microphone that does not hear the speaker)."""

    outbox_interval_s: float = 0.5
    """How often the outbox workers look for notices to deliver (an emergency reaches family within ~2 s)."""

    outbox_retry_base_s: float = 2.0
    """First pause before a failed notice is tried again; it doubles each time, up to five minutes."""

    core_url: str = ""
    """Base URL of a running core, for channels started on their own (`xiaonuan telegram`)."""

    telegram_bot_token: str = ""
    """The bot's token from @BotFather; without it the Telegram channel stays off."""

    telegram_api_url: str = "https://api.telegram.org"
    """Root of the Bot API (a local Bot API server, or the test stand-in)."""

    telegram_webhook_url: str = ""
    """Public HTTPS URL Telegram should post updates to; empty means long polling."""

    telegram_webhook_secret: str = ""
    """Secret Telegram sends with each webhook call (X-Telegram-Bot-Api-Secret-Token); required for webhooks."""

    telegram_webhook_port: int = 8443
    """Local port the webhook server listens on (behind the HTTPS reverse proxy)."""

    staff_console_port: int = 8080
    """Port of the staff console on XIAONUAN_HOST (loopback by default; put HTTPS in front to share it)."""

    staff_console_secure_cookie: bool = False
    """Mark the console's session cookie Secure (set when it is served over HTTPS)."""

    telegram_messages_per_minute: int = 12
    """Messages one chat may send per minute; more get one polite note and are not processed."""

    retention_days: int = 180
    """Conversations older than this many days are deleted by `xiaonuan purge` (bookings and alerts are kept)."""

    purge_every_hours: float = 24.0
    """How often `xiaonuan run` applies the retention period by itself; 0 leaves it to `xiaonuan purge`."""

    devices_port: int = 8070
    """Port of the device door (SOS buttons, wristbands) on XIAONUAN_HOST; 0 picks a free port."""

    device_events_per_minute: int = 30
    """Events one device may post per minute; more get 429 (a stuck button must not flood the desk)."""

    device_check_every_s: float = 60.0
    """How often the device door looks for devices that missed their heartbeat."""

    checkin_time: str = "09:00"
    """Default time ("HH:MM", local) of the daily check-in at a home kiosk; staff change it per resident."""

    checkin_retry_minutes: int = 10
    """Minutes without an answer before the check-in is asked once more, and again before staff are told."""

    inactivity_hours: float = 6.0
    """Daytime hours without any interaction at a home kiosk before staff and family are told; 0 turns it off."""

    daytime: Tuple[str, str] = ("08:00", "20:00")
    """Local hours in which check-ins are asked and silence counts (XIAONUAN_DAYTIME="08:00-20:00")."""

    def __post_init__(self) -> None:
        if self.kiosk_mode not in KIOSK_MODES:
            raise ValueError(f"kiosk mode must be one of {KIOSK_MODES}, got {self.kiosk_mode!r}")
        if self.kiosk_mode == "home" and self.kiosk_resident_id is None:
            raise ValueError("a home kiosk needs XIAONUAN_KIOSK_RESIDENT_ID")
        for name in ("rasa_port", "actions_port", "screen_port", "staff_console_port", "devices_port"):
            port = getattr(self, name)
            if not 0 <= port <= 65535:
                raise ValueError(f"{name} must be between 0 and 65535, got {port}")
        if not 0.0 < self.speech_volume <= 1.0:
            raise ValueError("speech volume must be in (0, 1]")
        if not 60 <= self.speech_rate <= 400:
            raise ValueError("speech rate must be between 60 and 400 words per minute")
        if self.max_message_chars < 10:
            raise ValueError("max_message_chars is too small")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {self.timezone!r}") from exc
        if self.outbox_interval_s <= 0 or self.outbox_retry_base_s <= 0:
            raise ValueError("the outbox interval and retry pause must be positive")
        if self.telegram_webhook_url and not self.telegram_webhook_secret:
            raise ValueError("a Telegram webhook needs TELEGRAM_WEBHOOK_SECRET")
        if not 0 <= self.telegram_webhook_port <= 65535:
            raise ValueError("TELEGRAM_WEBHOOK_PORT must be between 0 and 65535")
        for name in ("webhook_per_minute", "anonymous_per_minute", "identify_failures_per_resident",
                     "identify_failures_per_kiosk"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.turns_in_flight < 0:
            raise ValueError("XIAONUAN_TURNS_IN_FLIGHT must be 0 (no gate) or more")
        if self.telegram_messages_per_minute < 1:
            raise ValueError("XIAONUAN_TELEGRAM_PER_MINUTE must be at least 1")
        if self.retention_days < 1:
            raise ValueError(f"XIAONUAN_RETENTION_DAYS must be at least 1 (days), got {self.retention_days}")
        if not (self.purge_every_hours == 0 or 0.001 <= self.purge_every_hours <= 24 * 31):
            raise ValueError("XIAONUAN_PURGE_EVERY_HOURS must be 0 (off) or between 0.001 and 744 hours, "
                             f"got {self.purge_every_hours}")
        first, top = self.escalation_s
        if not 0 < first <= top:
            raise ValueError("XIAONUAN_ESCALATION must be two whole numbers of seconds, the second not smaller "
                             f"than the first, such as 60,180; got {first},{top}")
        if self.escalation_check_every_s <= 0:
            raise ValueError("XIAONUAN_ESCALATION_CHECK_EVERY must be a positive number of seconds")
        if self.device_events_per_minute < 1:
            raise ValueError("XIAONUAN_DEVICE_EVENTS_PER_MINUTE must be at least 1")
        if self.device_check_every_s <= 0:
            raise ValueError("XIAONUAN_DEVICE_CHECK_EVERY must be a positive number of seconds")
        for name, value in (("XIAONUAN_CHECKIN_TIME", self.checkin_time), ("XIAONUAN_DAYTIME", self.daytime[0]),
                            ("XIAONUAN_DAYTIME", self.daytime[1])):
            if not _is_clock_time(value):
                raise ValueError(f"{name} needs times like 09:00, got {value!r}")
        if self.daytime[0] >= self.daytime[1]:
            raise ValueError(f"XIAONUAN_DAYTIME must start before it ends, such as 08:00-20:00; got {self.daytime}")
        if self.checkin_retry_minutes < 1:
            raise ValueError("XIAONUAN_CHECKIN_RETRY_MINUTES must be at least 1")
        if self.inactivity_hours < 0:
            raise ValueError("XIAONUAN_INACTIVITY_HOURS must be 0 (off) or a positive number of hours")
        if self.redis_url and not self.redis_url.startswith(("redis://", "rediss://")):
            raise ValueError(f"REDIS_URL must look like redis://host:6379/0, got {self.redis_url!r}")
        if self.fixed_now is not None:
            try:
                dt.datetime.fromisoformat(self.fixed_now)
            except ValueError as exc:
                raise ValueError(f"XIAONUAN_NOW must look like 2026-11-23T08:00, got {self.fixed_now!r}") from exc

    @property
    def trackers_url(self) -> str:
        """Where Rasa keeps conversations: its own URL if set, else the application database."""
        return self.tracker_store_url or self.database_url

    def with_overrides(self, **changes: object) -> "Settings":
        """A copy with some fields changed (used by the launcher and tests)."""
        return replace(self, **changes)


def load_settings(env: Optional[Mapping[str, str]] = None) -> Settings:
    """Build settings from the environment (or from a given mapping, for tests)."""
    env = os.environ if env is None else env
    defaults = Settings()
    resident = env.get("XIAONUAN_KIOSK_RESIDENT_ID", "").strip()
    return Settings(
        database_url=env.get("DATABASE_URL", "").strip() or defaults.database_url,
        tracker_store_url=env.get("XIAONUAN_TRACKER_STORE_URL", "").strip(),
        redis_url=env.get("REDIS_URL", "").strip(),
        host=env.get("XIAONUAN_HOST", "").strip() or defaults.host,
        rasa_port=_int(env, "XIAONUAN_RASA_PORT", defaults.rasa_port),
        actions_port=_int(env, "XIAONUAN_ACTIONS_PORT", defaults.actions_port),
        channel_secret=env.get("XIAONUAN_CHANNEL_SECRET", "").strip(),
        action_token=env.get("XIAONUAN_ACTION_TOKEN", "").strip(),
        webhook_per_minute=_int(env, "XIAONUAN_WEBHOOK_PER_MINUTE", defaults.webhook_per_minute),
        anonymous_per_minute=_int(env, "XIAONUAN_ANONYMOUS_PER_MINUTE", defaults.anonymous_per_minute),
        turns_in_flight=_int(env, "XIAONUAN_TURNS_IN_FLIGHT", defaults.turns_in_flight),
        identify_failures_per_resident=_int(env, "XIAONUAN_IDENTIFY_FAILURES_PER_RESIDENT",
                                            defaults.identify_failures_per_resident),
        identify_failures_per_kiosk=_int(env, "XIAONUAN_IDENTIFY_FAILURES_PER_KIOSK",
                                         defaults.identify_failures_per_kiosk),
        model_dir=Path(env.get("XIAONUAN_MODEL_DIR", "").strip() or defaults.model_dir),
        run_dir=Path(env.get("XIAONUAN_RUN_DIR", "").strip() or defaults.run_dir),
        kiosk_mode=env.get("XIAONUAN_KIOSK_MODE", "").strip() or ("home" if resident else defaults.kiosk_mode),
        kiosk_resident_id=int(resident) if resident else None,
        kiosk_location=env.get("XIAONUAN_KIOSK_LOCATION", "").strip() or defaults.kiosk_location,
        community_phone=env.get("XIAONUAN_COMMUNITY_PHONE", "").strip() or defaults.community_phone,
        crisis_line=env.get("XIAONUAN_CRISIS_LINE", "").strip() or defaults.crisis_line,
        escalation_s=_seconds_pair(env, "XIAONUAN_ESCALATION", defaults.escalation_s),
        escalation_phones=env.get("XIAONUAN_ESCALATION_PHONES", "").strip(),
        escalation_check_every_s=_float(env, "XIAONUAN_ESCALATION_CHECK_EVERY", defaults.escalation_check_every_s),
        hotline=env.get("XIAONUAN_HOTLINE", "").strip() or defaults.hotline,
        speech_enabled=_bool(env, "XIAONUAN_SPEECH", defaults.speech_enabled),
        speech_voice=env.get("XIAONUAN_SPEECH_VOICE", "").strip() or defaults.speech_voice,
        speech_rate=_int(env, "XIAONUAN_SPEECH_RATE", defaults.speech_rate),
        speech_volume=_float(env, "XIAONUAN_SPEECH_VOLUME", defaults.speech_volume),
        max_message_chars=_int(env, "XIAONUAN_MAX_MESSAGE_CHARS", defaults.max_message_chars),
        core_timeout_s=_float(env, "XIAONUAN_CORE_TIMEOUT", defaults.core_timeout_s),
        timezone=env.get("XIAONUAN_TIMEZONE", "").strip() or defaults.timezone,
        fixed_now=env.get("XIAONUAN_NOW", "").strip() or None,
        meals_config=Path(env.get("XIAONUAN_MEALS_CONFIG", "").strip() or defaults.meals_config),
        services_config=Path(env.get("XIAONUAN_SERVICES_CONFIG", "").strip() or defaults.services_config),
        outbox_interval_s=_float(env, "XIAONUAN_OUTBOX_INTERVAL", defaults.outbox_interval_s),
        outbox_retry_base_s=_float(env, "XIAONUAN_OUTBOX_RETRY_BASE", defaults.outbox_retry_base_s),
        core_url=env.get("XIAONUAN_CORE_URL", "").strip(),
        telegram_bot_token=env.get("TELEGRAM_BOT_TOKEN", "").strip(),
        telegram_api_url=(env.get("TELEGRAM_API_URL", "").strip() or defaults.telegram_api_url).rstrip("/"),
        telegram_webhook_url=env.get("TELEGRAM_WEBHOOK_URL", "").strip(),
        telegram_webhook_secret=env.get("TELEGRAM_WEBHOOK_SECRET", "").strip(),
        telegram_webhook_port=_int(env, "TELEGRAM_WEBHOOK_PORT", defaults.telegram_webhook_port),
        staff_console_port=_int(env, "XIAONUAN_CONSOLE_PORT", defaults.staff_console_port),
        staff_console_secure_cookie=_bool(env, "XIAONUAN_CONSOLE_SECURE_COOKIE", defaults.staff_console_secure_cookie),
        telegram_messages_per_minute=_int(env, "XIAONUAN_TELEGRAM_PER_MINUTE", defaults.telegram_messages_per_minute),
        retention_days=_int(env, "XIAONUAN_RETENTION_DAYS", defaults.retention_days),
        purge_every_hours=_float(env, "XIAONUAN_PURGE_EVERY_HOURS", defaults.purge_every_hours),
        policies_dir=Path(env.get("XIAONUAN_POLICIES_DIR", "").strip() or defaults.policies_dir),
        vosk_model=Path(env.get("XIAONUAN_VOSK_MODEL", "").strip() or defaults.vosk_model),
        vosk_model_sha256=env.get("XIAONUAN_VOSK_MODEL_SHA256", "").strip().lower() or defaults.vosk_model_sha256,
        screen_port=_int(env, "XIAONUAN_SCREEN_PORT", defaults.screen_port),
        listen_reminder_s=_float(env, "XIAONUAN_LISTEN_REMINDER", defaults.listen_reminder_s),
        barge_in=_bool(env, "XIAONUAN_BARGE_IN", defaults.barge_in),
        devices_port=_int(env, "XIAONUAN_DEVICES_PORT", defaults.devices_port),
        device_events_per_minute=_int(env, "XIAONUAN_DEVICE_EVENTS_PER_MINUTE", defaults.device_events_per_minute),
        device_check_every_s=_float(env, "XIAONUAN_DEVICE_CHECK_EVERY", defaults.device_check_every_s),
        checkin_time=env.get("XIAONUAN_CHECKIN_TIME", "").strip() or defaults.checkin_time,
        checkin_retry_minutes=_int(env, "XIAONUAN_CHECKIN_RETRY_MINUTES", defaults.checkin_retry_minutes),
        inactivity_hours=_float(env, "XIAONUAN_INACTIVITY_HOURS", defaults.inactivity_hours),
        daytime=_daytime(env, "XIAONUAN_DAYTIME", defaults.daytime),
    )


def child_environment(settings: Settings, base: Optional[Mapping[str, str]] = None) -> dict:
    """Environment for a process the launcher starts, so it sees the same settings."""
    env = dict(os.environ if base is None else base)
    env.update(
        {
            "DATABASE_URL": settings.database_url,
            "XIAONUAN_TRACKER_STORE_URL": settings.tracker_store_url,
            "REDIS_URL": settings.redis_url,
            "XIAONUAN_HOST": settings.host,
            "XIAONUAN_CHANNEL_SECRET": settings.channel_secret,
            "XIAONUAN_ACTION_TOKEN": settings.action_token,
            "XIAONUAN_WEBHOOK_PER_MINUTE": str(settings.webhook_per_minute),
            "XIAONUAN_ANONYMOUS_PER_MINUTE": str(settings.anonymous_per_minute),
            "XIAONUAN_TURNS_IN_FLIGHT": str(settings.turns_in_flight),
            "XIAONUAN_IDENTIFY_FAILURES_PER_RESIDENT": str(settings.identify_failures_per_resident),
            "XIAONUAN_IDENTIFY_FAILURES_PER_KIOSK": str(settings.identify_failures_per_kiosk),
            "XIAONUAN_KIOSK_MODE": settings.kiosk_mode,
            "XIAONUAN_KIOSK_LOCATION": settings.kiosk_location,
            "XIAONUAN_COMMUNITY_PHONE": settings.community_phone,
            "XIAONUAN_CRISIS_LINE": settings.crisis_line,
            "XIAONUAN_ESCALATION": ",".join(str(s) for s in settings.escalation_s),
            "XIAONUAN_ESCALATION_PHONES": settings.escalation_phones,
            "XIAONUAN_ESCALATION_CHECK_EVERY": str(settings.escalation_check_every_s),
            "XIAONUAN_HOTLINE": settings.hotline,
            "XIAONUAN_MAX_MESSAGE_CHARS": str(settings.max_message_chars),
            "XIAONUAN_TIMEZONE": settings.timezone,
            "XIAONUAN_MEALS_CONFIG": str(settings.meals_config),
            "XIAONUAN_SERVICES_CONFIG": str(settings.services_config),
            "XIAONUAN_POLICIES_DIR": str(settings.policies_dir),
            "XIAONUAN_OUTBOX_INTERVAL": str(settings.outbox_interval_s),
            "XIAONUAN_OUTBOX_RETRY_BASE": str(settings.outbox_retry_base_s),
            "XIAONUAN_VOSK_MODEL": str(settings.vosk_model),
            "TELEGRAM_BOT_TOKEN": settings.telegram_bot_token,
            "TELEGRAM_API_URL": settings.telegram_api_url,
            "TELEGRAM_WEBHOOK_URL": settings.telegram_webhook_url,
            "TELEGRAM_WEBHOOK_SECRET": settings.telegram_webhook_secret,
            "TELEGRAM_WEBHOOK_PORT": str(settings.telegram_webhook_port),
            "XIAONUAN_TELEGRAM_PER_MINUTE": str(settings.telegram_messages_per_minute),
            "XIAONUAN_RETENTION_DAYS": str(settings.retention_days),
            "XIAONUAN_PURGE_EVERY_HOURS": str(settings.purge_every_hours),
            "XIAONUAN_DEVICES_PORT": str(settings.devices_port),
            "XIAONUAN_DEVICE_EVENTS_PER_MINUTE": str(settings.device_events_per_minute),
            "XIAONUAN_DEVICE_CHECK_EVERY": str(settings.device_check_every_s),
            "XIAONUAN_CHECKIN_TIME": settings.checkin_time,
            "XIAONUAN_CHECKIN_RETRY_MINUTES": str(settings.checkin_retry_minutes),
            "XIAONUAN_INACTIVITY_HOURS": str(settings.inactivity_hours),
            "XIAONUAN_DAYTIME": "-".join(settings.daytime),
            "TF_CPP_MIN_LOG_LEVEL": "3",
            # Rasa's telemetry and error reporting would try to reach the internet.
            "RASA_TELEMETRY_ENABLED": "false",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "PYTHONUNBUFFERED": "1",
        }
    )
    if settings.kiosk_resident_id is not None:
        env["XIAONUAN_KIOSK_RESIDENT_ID"] = str(settings.kiosk_resident_id)
    if settings.fixed_now is not None:
        env["XIAONUAN_NOW"] = settings.fixed_now
    else:
        env.pop("XIAONUAN_NOW", None)
    return env
