"""Settings of every Xiaonuan process: the one module that reads the environment.

Each concern is a frozen dataclass whose fields declare their environment variable beside them
(bot/kernel/setting_fields.py); `Settings` inherits them all, so every field is read flat
(`settings.database_url`). `load_settings`, `child_environment` and the settings table in
docs/operations.md (`xiaonuan settings-table`) all come from those declarations.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Dict, Iterator, Mapping, Optional, Tuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.kernel.setting_fields import (
    EnvSetting,
    check_port,
    declaration,
    is_clock_time,
    parse_bool,
    parse_daytime,
    parse_float,
    parse_int,
    parse_lower,
    parse_path,
    parse_seconds_pair,
    parse_url_root,
    render_bool,
    render_daytime,
    render_seconds_pair,
    setting,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]  # bot/kernel/settings.py

KIOSK_MODES = ("home", "community")


@dataclass(frozen=True)
class StorageSettings:
    """Where data, models, logs and the files staff edit are kept."""

    database_url: str = setting(
        default_factory=lambda: f"sqlite:///{PROJECT_ROOT / 'var' / 'xiaonuan.db'}",
        env="DATABASE_URL", shown_default="`sqlite:///…/var/xiaonuan.db`",
        doc="SQLAlchemy URL of the one database: application data and Rasa's tracker store.")

    tracker_store_url: str = setting(
        "", env="XIAONUAN_TRACKER_STORE_URL", shown_default="— (same as `DATABASE_URL`)",
        doc="Rasa's conversations in another database. The console's conversation pages and `xiaonuan purge` "
            "read them from `DATABASE_URL` (purge refuses, the scheduled round prunes only the working "
            "records), so production keeps one database (the fault tests use two servers to stop one at a time).")

    redis_url: str = setting(
        "", env="REDIS_URL",
        doc="Redis for Rasa's lock store (`redis://host:6379/0`); required when several Rasa servers share "
            "conversations.")

    model_dir: Path = setting(
        PROJECT_ROOT / "models", env="XIAONUAN_MODEL_DIR", parse=parse_path, to_children=False,
        doc="Where trained Rasa models are stored (Rasa's default).")

    run_dir: Path = setting(
        PROJECT_ROOT / "var" / "run", env="XIAONUAN_RUN_DIR", parse=parse_path, to_children=False,
        doc="Where `xiaonuan run` writes the servers' configuration and logs, and `retention.log`.")

    meals_config: Path = setting(
        PROJECT_ROOT / "data" / "meals.yml", env="XIAONUAN_MEALS_CONFIG", parse=parse_path,
        doc="Meal rules staff can edit: cut-offs, subsidies by age, booking limits.")

    services_config: Path = setting(
        PROJECT_ROOT / "data" / "services.yml", env="XIAONUAN_SERVICES_CONFIG", parse=parse_path,
        doc="The home-service catalogue staff can edit: prices, subsidies, weekly capacity, helpers, synonyms.")

    policies_dir: Path = setting(
        PROJECT_ROOT / "data" / "policies", env="XIAONUAN_POLICIES_DIR", parse=parse_path,
        doc="The policy knowledge base, one YAML file per item; read again when a file changes.")

    def _check_storage(self) -> None:
        if self.redis_url and not self.redis_url.startswith(("redis://", "rediss://")):
            raise ValueError(f"REDIS_URL must look like redis://host:6379/0, got {self.redis_url!r}")


@dataclass(frozen=True)
class CoreSettings:
    """The Rasa server, the action server and what guards them; the clock every process shares."""

    host: str = setting(
        "127.0.0.1", env="XIAONUAN_HOST",
        doc="Interface every server listens on (Rasa, actions, the staff console, the device door, the kiosk's "
            "screen); loopback by default.")

    rasa_port: int = setting(
        0, env="XIAONUAN_RASA_PORT", parse=parse_int, to_children=False, shown_default="`0` (free port)",
        doc="Port of the Rasa server; 0 picks a free port.")

    actions_port: int = setting(
        0, env="XIAONUAN_ACTIONS_PORT", parse=parse_int, to_children=False, shown_default="`0` (free port)",
        doc="Port of the action server; 0 picks a free port.")

    rasa_workers: int = setting(
        0, env="XIAONUAN_RASA_WORKERS", parse=parse_int, to_children=False, shown_default="`0` (one per core, up to 4)",
        doc="Worker processes of the Rasa server `xiaonuan run` starts (each takes turns on one core, about 1 GB of "
            "memory); more than one needs Redis for the conversation locks: REDIS_URL, or a private `redis-server` "
            "on loopback that `xiaonuan run` starts itself. Without either, one worker.")

    channel_secret: str = setting(
        "", env="XIAONUAN_CHANNEL_SECRET", shown_default="generated per run",
        doc="Secret a channel must present to speak for a resident; empty means one is generated per run.")

    action_token: str = setting(
        "", env="XIAONUAN_ACTION_TOKEN", shown_default="generated per run",
        doc="Token the Rasa server presents to the action server on every call (required by "
            "`xiaonuan actions` / `core`); empty means one is generated per run.")

    webhook_per_minute: int = setting(
        30, env="XIAONUAN_WEBHOOK_PER_MINUTE", parse=parse_int,
        doc="Messages one sender may send to the core's webhook per minute; more get 429 and are not processed.")

    anonymous_per_minute: int = setting(
        20, env="XIAONUAN_ANONYMOUS_PER_MINUTE", parse=parse_int,
        doc="Messages per minute from all callers without the channel secret together (a scan with made-up "
            "senders).")

    turns_in_flight: int = setting(
        4, env="XIAONUAN_TURNS_IN_FLIGHT", parse=parse_int,
        doc="Ordinary turns one Rasa process works on at once; others queue and emergencies skip the queue "
            "(0: no gate).")

    identify_failures_per_resident: int = setting(
        5, env="XIAONUAN_IDENTIFY_FAILURES_PER_RESIDENT", parse=parse_int,
        doc="Failed identifications naming one resident (any kiosk, any conversation) within a day before "
            "staff must help.")

    identify_failures_per_kiosk: int = setting(
        10, env="XIAONUAN_IDENTIFY_FAILURES_PER_KIOSK", parse=parse_int,
        doc="Failed identifications at one kiosk within an hour before it stops identifying and staff are told.")

    max_message_chars: int = setting(
        2000, env="XIAONUAN_MAX_MESSAGE_CHARS", parse=parse_int,
        doc="The channel keeps at most this many characters of a message (the NLU answers long ones politely).")

    core_url: str = setting(
        "", env="XIAONUAN_CORE_URL", to_children=False, shown_default="— (set by `make run`)",
        doc="Base URL of a running core, for channels started on their own (`xiaonuan telegram`).")

    core_timeout_s: float = setting(
        30.0, env="XIAONUAN_CORE_TIMEOUT", parse=parse_float, to_children=False,
        doc="Seconds a channel (text kiosk, Telegram) waits for the core to answer one turn.")

    timezone: str = setting(
        "Asia/Shanghai", env="XIAONUAN_TIMEZONE",
        doc="The community's time zone: cut-offs, \"today\" and \"tomorrow\" are local times.")

    fixed_now: Optional[str] = setting(
        None, env="XIAONUAN_NOW",
        doc="A frozen local time such as `2026-11-23T08:00`, for demos and tests; unset means the real clock.")

    def _check_core(self) -> None:
        for name in ("rasa_port", "actions_port"):
            check_port(name, getattr(self, name))
        if self.max_message_chars < 10:
            raise ValueError("max_message_chars is too small")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {self.timezone!r}") from exc
        for name in ("webhook_per_minute", "anonymous_per_minute", "identify_failures_per_resident",
                     "identify_failures_per_kiosk"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.rasa_workers < 0:
            raise ValueError("XIAONUAN_RASA_WORKERS must be 0 (one per core) or more")
        if self.turns_in_flight < 0:
            raise ValueError("XIAONUAN_TURNS_IN_FLIGHT must be 0 (no gate) or more")
        if self.fixed_now is not None:
            try:
                dt.datetime.fromisoformat(self.fixed_now)
            except ValueError as exc:
                raise ValueError(f"XIAONUAN_NOW must look like 2026-11-23T08:00, got {self.fixed_now!r}") from exc


@dataclass(frozen=True)
class KioskSettings:
    """The kiosk: whose it is, where it stands, its screen and how it listens."""

    kiosk_mode: str = setting(
        "community", env="XIAONUAN_KIOSK_MODE", shown_default="`community` (`home` when a resident id is set)",
        doc="`home`: the kiosk belongs to one resident; `community`: it asks who is speaking.")

    kiosk_resident_id: Optional[int] = setting(
        None, env="XIAONUAN_KIOSK_RESIDENT_ID", parse=parse_int,
        doc="The resident a home kiosk is bound to.")

    kiosk_location: str = setting(
        "幸福里社区服务中心", env="XIAONUAN_KIOSK_LOCATION",
        doc="Where the kiosk stands; shown to staff and family with alerts.")

    screen_port: int = setting(
        8090, env="XIAONUAN_SCREEN_PORT", parse=parse_int, to_children=False,
        doc="Port of the kiosk's large-text screen on `XIAONUAN_HOST` (0 picks a free port).")

    listen_reminder_s: float = setting(
        8.0, env="XIAONUAN_LISTEN_REMINDER", parse=parse_float, to_children=False,
        doc="Seconds of silence after a question before the one gentle reminder.")

    barge_in: bool = setting(
        False, env="XIAONUAN_BARGE_IN", parse=parse_bool, render=render_bool, to_children=False,
        doc="Stop speaking when the resident starts talking (only with a microphone that does not hear the "
            "speaker).")

    def _check_kiosk(self) -> None:
        if self.kiosk_mode not in KIOSK_MODES:
            raise ValueError(f"kiosk mode must be one of {KIOSK_MODES}, got {self.kiosk_mode!r}")
        if self.kiosk_mode == "home" and self.kiosk_resident_id is None:
            raise ValueError("a home kiosk needs XIAONUAN_KIOSK_RESIDENT_ID")
        check_port("screen_port", self.screen_port)


@dataclass(frozen=True)
class SpeechSettings:
    """Reading answers aloud and hearing the resident."""

    speech_enabled: bool = setting(
        True, env="XIAONUAN_SPEECH", parse=parse_bool, render=render_bool, to_children=False,
        doc="Read answers aloud where an audio device exists.")

    speech_voice: str = setting(
        "sit/cmn", env="XIAONUAN_SPEECH_VOICE", to_children=False,
        doc="espeak-ng voice used through pyttsx3 (Mandarin).")

    speech_rate: int = setting(
        150, env="XIAONUAN_SPEECH_RATE", parse=parse_int, to_children=False,
        doc="Default speaking rate in words per minute (60 to 400); residents can ask for slower.")

    speech_volume: float = setting(
        0.7, env="XIAONUAN_SPEECH_VOLUME", parse=parse_float, to_children=False,
        doc="Default volume, more than 0 and at most 1; residents can ask for louder.")

    vosk_model: Path = setting(
        PROJECT_ROOT / "models" / "vosk-model-small-cn-0.22", env="XIAONUAN_VOSK_MODEL", parse=parse_path,
        doc="Directory of the Vosk Chinese speech model (vosk-model-small-cn-0.22 in production); without it "
            "the kiosk runs in text mode.")

    vosk_model_sha256: str = setting(
        "3af8b0e7e0f835ae9d414ce5df580237a3cfb08d586c9fbbb0f7ff29ad5b14ba", env="XIAONUAN_VOSK_MODEL_SHA256",
        parse=parse_lower, to_children=False, shown_default="the official zip's (`3af8b0e7…b14ba`)",
        doc="SHA-256 of the official vosk-model-small-cn-0.22.zip (43,898,754 bytes), as a public build script "
            "gives it; the setup verifies the download against it, and a wrong value only refuses the download.")

    def _check_speech(self) -> None:
        if not 0.0 < self.speech_volume <= 1.0:
            raise ValueError("speech volume must be in (0, 1]")
        if not 60 <= self.speech_rate <= 400:
            raise ValueError("speech rate must be between 60 and 400 words per minute")


@dataclass(frozen=True)
class TelegramSettings:
    """The Telegram channel for family members."""

    telegram_bot_token: str = setting(
        "", env="TELEGRAM_BOT_TOKEN",
        doc="The bot's token from @BotFather; without it the Telegram channel stays off.")

    telegram_api_url: str = setting(
        "https://api.telegram.org", env="TELEGRAM_API_URL", parse=parse_url_root,
        doc="Root of the Bot API (a local Bot API server, or the test stand-in); a trailing `/` is dropped.")

    telegram_webhook_url: str = setting(
        "", env="TELEGRAM_WEBHOOK_URL",
        doc="Public HTTPS URL Telegram should post updates to; empty means long polling.")

    telegram_webhook_secret: str = setting(
        "", env="TELEGRAM_WEBHOOK_SECRET",
        doc="Secret Telegram sends with each webhook call (X-Telegram-Bot-Api-Secret-Token); required for "
            "webhooks.")

    telegram_webhook_port: int = setting(
        8443, env="TELEGRAM_WEBHOOK_PORT", parse=parse_int,
        doc="Local port the webhook server listens on (behind the HTTPS reverse proxy).")

    telegram_messages_per_minute: int = setting(
        12, env="XIAONUAN_TELEGRAM_PER_MINUTE", parse=parse_int,
        doc="Messages one chat may send per minute; more get one polite note and are not processed.")

    def _check_telegram(self) -> None:
        if self.telegram_webhook_url and not self.telegram_webhook_secret:
            raise ValueError("a Telegram webhook needs TELEGRAM_WEBHOOK_SECRET")
        if not 0 <= self.telegram_webhook_port <= 65535:
            raise ValueError("TELEGRAM_WEBHOOK_PORT must be between 0 and 65535")
        if self.telegram_messages_per_minute < 1:
            raise ValueError("XIAONUAN_TELEGRAM_PER_MINUTE must be at least 1")


@dataclass(frozen=True)
class ConsoleSettings:
    """The staff console."""

    staff_console_port: int = setting(
        8080, env="XIAONUAN_CONSOLE_PORT", parse=parse_int, to_children=False,
        doc="Port of the staff console on `XIAONUAN_HOST` (loopback by default; put HTTPS in front to share it).")

    staff_console_secure_cookie: bool = setting(
        False, env="XIAONUAN_CONSOLE_SECURE_COOKIE", parse=parse_bool, render=render_bool, to_children=False,
        doc="Mark the console's session cookie `Secure` (set when it is served over HTTPS).")

    def _check_console(self) -> None:
        check_port("staff_console_port", self.staff_console_port)


@dataclass(frozen=True)
class RetentionSettings:
    """How long conversations are kept."""

    retention_days: int = setting(
        180, env="XIAONUAN_RETENTION_DAYS", parse=parse_int,
        doc="Conversations and delivered notices older than this many days are deleted by `xiaonuan purge` "
            "(bookings and alerts are kept); a whole number, at least 1.")

    purge_every_hours: float = setting(
        24.0, env="XIAONUAN_PURGE_EVERY_HOURS", parse=parse_float,
        doc="How often `xiaonuan run` applies the retention period by itself; 0 leaves it to `xiaonuan purge`.")

    def _check_retention(self) -> None:
        if self.retention_days < 1:
            raise ValueError(f"XIAONUAN_RETENTION_DAYS must be at least 1 (days), got {self.retention_days}")
        if not (self.purge_every_hours == 0 or 0.001 <= self.purge_every_hours <= 24 * 31):
            raise ValueError("XIAONUAN_PURGE_EVERY_HOURS must be 0 (off) or between 0.001 and 744 hours, "
                             f"got {self.purge_every_hours}")


@dataclass(frozen=True)
class CareSettings:
    """Help for residents: the numbers given, the alert ladder, notices to family, devices, check-ins."""

    community_phone: str = setting(
        "010-6688-1234", env="XIAONUAN_COMMUNITY_PHONE",
        doc="Phone number of the community service centre, given at a human handoff.")

    hotline: str = setting(
        "12345", env="XIAONUAN_HOTLINE",
        doc="The city's public service hotline.")

    crisis_line: str = setting(
        "12356", env="XIAONUAN_CRISIS_LINE",
        doc="The psychological crisis line given to someone who speaks of ending their life (national 12356).")

    escalation_s: Tuple[int, int] = setting(
        (60, 180), env="XIAONUAN_ESCALATION", parse=parse_seconds_pair, render=render_seconds_pair,
        doc="The alert ladder: seconds unacknowledged before an alert is re-sounded and family told, then "
            "before every staff account is called and the phone numbers shown (docs/safety.md).")

    escalation_phones: str = setting(
        "", env="XIAONUAN_ESCALATION_PHONES",
        doc="Numbers shown on the desk at the ladder's top rung (`值班主任 139…, 社区卫生站 010-…`), after the "
            "community phone.")

    escalation_check_every_s: float = setting(
        5.0, env="XIAONUAN_ESCALATION_CHECK_EVERY", parse=parse_float,
        doc="Seconds between climbs of the ladder in `xiaonuan run` for alerts nobody has acknowledged.")

    outbox_interval_s: float = setting(
        0.5, env="XIAONUAN_OUTBOX_INTERVAL", parse=parse_float,
        doc="Seconds between the outbox workers' looks for notices to deliver (kiosk inbox and Telegram; an "
            "emergency reaches family within about 2 s).")

    outbox_retry_base_s: float = setting(
        2.0, env="XIAONUAN_OUTBOX_RETRY_BASE", parse=parse_float,
        doc="First pause in seconds before a failed notice is tried again; it doubles each time, up to five "
            "minutes.")

    devices_port: int = setting(
        8070, env="XIAONUAN_DEVICES_PORT", parse=parse_int,
        doc="Port of the device door for SOS buttons and wristbands on `XIAONUAN_HOST` (docs/devices.md); "
            "0 picks a free port.")

    device_events_per_minute: int = setting(
        30, env="XIAONUAN_DEVICE_EVENTS_PER_MINUTE", parse=parse_int,
        doc="Events one device may post per minute; more get 429 (a stuck button must not flood the desk).")

    device_check_every_s: float = setting(
        60.0, env="XIAONUAN_DEVICE_CHECK_EVERY", parse=parse_float,
        doc="Seconds between the device door's looks for devices that missed their heartbeat.")

    checkin_time: str = setting(
        "09:00", env="XIAONUAN_CHECKIN_TIME",
        doc="Default local time (HH:MM) of the daily check-in at a home kiosk (on by default for residents "
            "flagged 独居); staff change it per resident.")

    checkin_retry_minutes: int = setting(
        10, env="XIAONUAN_CHECKIN_RETRY_MINUTES", parse=parse_int,
        doc="Minutes without an answer before the check-in is asked once more, and again before staff and "
            "family are told.")

    inactivity_hours: float = setting(
        6.0, env="XIAONUAN_INACTIVITY_HOURS", parse=parse_float,
        doc="Daytime hours without any interaction at a home kiosk before staff and family are told; 0 turns "
            "it off.")

    daytime: Tuple[str, str] = setting(
        ("08:00", "20:00"), env="XIAONUAN_DAYTIME", parse=parse_daytime, render=render_daytime,
        doc="Local hours in which check-ins are asked and silence counts (never at night).")

    reminder_miss_minutes: int = setting(
        30, env="XIAONUAN_REMINDER_MISS_MINUTES", parse=parse_int,
        doc="Minutes after a reminder falls due without \"吃过了\" (or a skip) before the relatives who set "
            "or follow it are told on Telegram.")

    reminder_snooze_minutes: int = setting(
        10, env="XIAONUAN_REMINDER_SNOOZE_MINUTES", parse=parse_int,
        doc="Minutes a reminder waits when the resident says \"等一会儿\" before the kiosk says it again.")

    reminder_repeat_minutes: int = setting(
        5, env="XIAONUAN_REMINDER_REPEAT_MINUTES", parse=parse_int,
        doc="Minutes without an answer before a home kiosk says a due reminder again, gently (three times "
            "at most).")

    kiosk_look_every_s: float = setting(
        5.0, env="XIAONUAN_KIOSK_LOOK_EVERY", parse=parse_float,
        doc="Seconds between an idle home kiosk's looks for a due reminder or a new message from the family.")

    def _check_care(self) -> None:
        if self.outbox_interval_s <= 0 or self.outbox_retry_base_s <= 0:
            raise ValueError("the outbox interval and retry pause must be positive")
        first, top = self.escalation_s
        if not 0 < first <= top:
            raise ValueError("XIAONUAN_ESCALATION must be two whole numbers of seconds, the second not smaller "
                             f"than the first, such as 60,180; got {first},{top}")
        if self.escalation_check_every_s <= 0:
            raise ValueError("XIAONUAN_ESCALATION_CHECK_EVERY must be a positive number of seconds")
        check_port("devices_port", self.devices_port)
        if self.device_events_per_minute < 1:
            raise ValueError("XIAONUAN_DEVICE_EVENTS_PER_MINUTE must be at least 1")
        if self.device_check_every_s <= 0:
            raise ValueError("XIAONUAN_DEVICE_CHECK_EVERY must be a positive number of seconds")
        for name, value in (("XIAONUAN_CHECKIN_TIME", self.checkin_time), ("XIAONUAN_DAYTIME", self.daytime[0]),
                            ("XIAONUAN_DAYTIME", self.daytime[1])):
            if not is_clock_time(value):
                raise ValueError(f"{name} needs times like 09:00, got {value!r}")
        if self.daytime[0] >= self.daytime[1]:
            raise ValueError(f"XIAONUAN_DAYTIME must start before it ends, such as 08:00-20:00; got {self.daytime}")
        if self.checkin_retry_minutes < 1:
            raise ValueError("XIAONUAN_CHECKIN_RETRY_MINUTES must be at least 1")
        if self.inactivity_hours < 0:
            raise ValueError("XIAONUAN_INACTIVITY_HOURS must be 0 (off) or a positive number of hours")
        for name, value in (("XIAONUAN_REMINDER_MISS_MINUTES", self.reminder_miss_minutes),
                            ("XIAONUAN_REMINDER_SNOOZE_MINUTES", self.reminder_snooze_minutes),
                            ("XIAONUAN_REMINDER_REPEAT_MINUTES", self.reminder_repeat_minutes)):
            if value < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.kiosk_look_every_s <= 0:
            raise ValueError("XIAONUAN_KIOSK_LOOK_EVERY must be a positive number of seconds")


CONCERNS: Tuple[Tuple[str, type], ...] = (
    ("storage", StorageSettings),
    ("core", CoreSettings),
    ("kiosk", KioskSettings),
    ("speech", SpeechSettings),
    ("Telegram", TelegramSettings),
    ("console", ConsoleSettings),
    ("retention", RetentionSettings),
    ("care", CareSettings),
)
"""Every concern, in the order of the settings table."""


@dataclass(frozen=True)
class Settings(StorageSettings, CoreSettings, KioskSettings, SpeechSettings, TelegramSettings,
               ConsoleSettings, RetentionSettings, CareSettings):
    """Configuration of the core, the action server, the channels and the kiosk: every concern's fields,
    read flat (`settings.host`), checked together when built."""

    def __post_init__(self) -> None:
        self._check_storage()
        self._check_core()
        self._check_kiosk()
        self._check_speech()
        self._check_telegram()
        self._check_console()
        self._check_retention()
        self._check_care()

    @property
    def trackers_url(self) -> str:
        """Where Rasa keeps conversations: its own URL if set, else the application database."""
        return self.tracker_store_url or self.database_url

    def with_overrides(self, **changes: object) -> "Settings":
        """A copy with some fields changed (used by the launcher and tests)."""
        return replace(self, **changes)


def declared_settings() -> Iterator[Tuple[str, str, EnvSetting]]:
    """(concern, field name, declaration) of every setting, concern by concern, as declared."""
    for concern, cls in CONCERNS:
        for each in fields(cls):
            declared = declaration(each)
            if declared is None:
                raise TypeError(f"{cls.__name__}.{each.name} has no environment variable (use setting())")
            yield concern, each.name, declared


def load_settings(env: Optional[Mapping[str, str]] = None) -> Settings:
    """Build settings from the environment (or from a given mapping, for tests)."""
    env = os.environ if env is None else env
    values: Dict[str, Any] = {}
    for _, name, declared in declared_settings():
        raw = env.get(declared.env, "").strip()
        if raw:  # empty or unset: the default
            values[name] = declared.parse(raw, declared.env)
    # A kiosk bound to a resident is a home kiosk unless the mode is given.
    if "kiosk_mode" not in values and values.get("kiosk_resident_id") is not None:
        values["kiosk_mode"] = "home"
    return Settings(**values)


PROCESS_ENVIRONMENT = {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    # Rasa's telemetry and error reporting would try to reach the internet.
    "RASA_TELEMETRY_ENABLED": "false",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "PYTHONUNBUFFERED": "1",
}
"""What every child process gets besides the settings."""


def child_environment(settings: Settings, base: Optional[Mapping[str, str]] = None) -> dict:
    """Environment for a process the launcher starts, so it sees the same settings.

    Every setting declared `to_children` is written; one whose value is None is removed, so the child
    does not inherit it from `base`. The others (ports chosen per run, the core's URL, the kiosk's
    speech and screen, the console) are left to `base` and the launcher.
    """
    env = dict(os.environ if base is None else base)
    for _, name, declared in declared_settings():
        if not declared.to_children:
            continue
        value = getattr(settings, name)
        if value is None:
            env.pop(declared.env, None)
        else:
            env[declared.env] = declared.render(value)
    env.update(PROCESS_ENVIRONMENT)
    return env
