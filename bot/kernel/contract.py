"""The contract between the channels (kiosk, Telegram, tests) and the dialogue core, over HTTP.

Both sides import this module and nothing re-declares what it holds:
- the paths and the secret header;
- the request body (sender, message, metadata, message id) and what makes each valid;
- the metadata: who is speaking, on which channel, from which kiosk;
- text cleaning: what every database can store, and the normalisation the NLU and the actions share;
- the speech profile the core sends back (how to speak to this person);
- button payloads ("/intent{json}"): what a button sends as the person's words.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import asdict, dataclass
from enum import Enum
from typing import Any, Dict, Mapping, Optional

# ---------------------------------------------------------------- paths, header, request body

WEBHOOK_PATH = "/webhooks/xiaonuan/webhook"
HEALTH_PATH = "/webhooks/xiaonuan/"
SECRET_HEADER = "X-Xiaonuan-Secret"
MAX_BODY_BYTES = 64 * 1024
SENDER_PATTERN = re.compile(r"^[A-Za-z0-9_.:@-]{1,128}$")
MESSAGE_ID_PATTERN = re.compile(r"^[A-Za-z0-9_.:@-]{1,80}$")


def request_body(sender: str, text: str, metadata: "ChannelMetadata", message_id: str) -> Dict[str, Any]:
    """What a channel posts to WEBHOOK_PATH for one message."""
    return {"sender": sender, "message": text, "metadata": metadata.as_dict(), "message_id": message_id}


# ---------------------------------------------------------------- metadata

ROLES = ("resident", "family", "staff", "anonymous")
CHANNELS = ("kiosk", "telegram", "rest", "console", "test")

# Keys whose presence means "this request speaks for a person": the secret is required.
IDENTITY_KEYS = ("resident_id", "family_member_id", "staff_id")
MAX_ID = 2**31 - 1  # the largest INTEGER key on PostgreSQL: a larger id overflows the database driver


_NUL = "\x00"
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Text every database can store: NUL dropped (PostgreSQL refuses it), a lone surrogate (valid in
    JSON, not in UTF-8: SQLite refuses it) becomes U+FFFD. "救命\\ud800" must still raise its alert."""
    return _LONE_SURROGATE.sub("\ufffd", text.replace(_NUL, ""))


class MetadataError(ValueError):
    """The metadata is malformed (wrong types or unknown values)."""


def _optional_id(raw: Mapping[str, Any], key: str) -> Optional[int]:
    value = raw.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise MetadataError(f"{key} must be a whole number")
    try:
        number = int(value)
    except ValueError as exc:
        raise MetadataError(f"{key} must be a whole number") from exc
    if number <= 0:
        raise MetadataError(f"{key} must be positive")
    if number > MAX_ID:
        raise MetadataError(f"{key} is too large")
    return number


def _optional_text(raw: Mapping[str, Any], key: str, limit: int = 200) -> Optional[str]:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise MetadataError(f"{key} must be text")
    return clean_text(value)[:limit]


@dataclass(frozen=True)
class ChannelMetadata:
    """Identity and context of one message, as a channel states it."""

    channel: str = "rest"
    role: str = "anonymous"
    resident_id: Optional[int] = None
    family_member_id: Optional[int] = None
    staff_id: Optional[int] = None
    kiosk_mode: Optional[str] = None
    location: Optional[str] = None

    def __post_init__(self) -> None:
        if self.channel not in CHANNELS:
            raise MetadataError(f"unknown channel {self.channel!r}")
        if self.role not in ROLES:
            raise MetadataError(f"unknown role {self.role!r}")
        if self.kiosk_mode not in (None, "home", "community"):
            raise MetadataError(f"unknown kiosk mode {self.kiosk_mode!r}")
        if self.role == "family" and (self.family_member_id is None or self.resident_id is None):
            raise MetadataError("a family member must name themselves and the resident they act for")
        if self.role == "resident" and self.resident_id is None:
            raise MetadataError("a resident role needs resident_id")

    @property
    def names_a_person(self) -> bool:
        return any(getattr(self, key) is not None for key in IDENTITY_KEYS)

    def as_dict(self) -> dict:
        return {key: value for key, value in asdict(self).items() if value is not None}

    @classmethod
    def from_dict(cls, raw: Optional[Mapping[str, Any]]) -> "ChannelMetadata":
        if raw is None:
            return cls()
        if not isinstance(raw, Mapping):
            raise MetadataError("metadata must be an object")
        resident_id = _optional_id(raw, "resident_id")
        family_member_id = _optional_id(raw, "family_member_id")
        staff_id = _optional_id(raw, "staff_id")
        default_role = "family" if family_member_id else ("resident" if resident_id else "anonymous")
        return cls(
            channel=_optional_text(raw, "channel") or "rest",
            role=_optional_text(raw, "role") or default_role,
            resident_id=resident_id,
            family_member_id=family_member_id,
            staff_id=staff_id,
            kiosk_mode=_optional_text(raw, "kiosk_mode"),
            location=_optional_text(raw, "location"),
        )


# ---------------------------------------------------------------- text cleaning

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}\uff0c\u3002\uff1f\uff01])\s+(?=[{_CJK}\uff0c\u3002\uff1f\uff01])")
_ANSI_ESCAPE = re.compile(r"\x1b(\[[0-9;?]*[ -/]*[@-~]|[@-Z\\-_])")  # e.g. arrow keys typed at a terminal
_CONTROL = re.compile(r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]")
_WHITESPACE = re.compile(r"\s+")
_HAS_CJK = re.compile(rf"[{_CJK}]")


class InputProblem(str, Enum):
    """Why a message cannot be interpreted as a request."""

    EMPTY = "empty"  # nothing, or only emoji, punctuation, control characters
    TOO_LONG = "too_long"
    NOT_CHINESE = "not_chinese"  # letters (of any script) but no Chinese characters
    HESITATION = "hesitation"  # only fillers while searching for a word: "嗯……那个……啥来着"


def normalize(text: Optional[str]) -> str:
    """Normalise width, drop control characters and the spaces speech recognisers put between characters."""
    if not text:
        return ""
    cleaned = unicodedata.normalize("NFKC", text)
    cleaned = _ANSI_ESCAPE.sub(" ", cleaned)
    cleaned = _CONTROL.sub(" ", cleaned)
    cleaned = _WHITESPACE.sub(" ", cleaned).strip()
    return _SPACE_BETWEEN_CJK.sub("", cleaned)


# Words people fill a pause with. A bare "嗯" is a yes, so only a search for a word ("那个", "啥来着",
# "怎么说") with nothing but fillers around it is a hesitation.
_FILLER = re.compile(r"那个谁|那个|这个|就是说|就是|啥来着|什么来着|怎么说呢|怎么说|让我想想|我想想|想想|等等|等一下|"
                     r"等会儿|哎呀|哎哟|嗯+|呃+|额+|啊+|唉+|哎+|诶+|哦+|噢+|嘛|呀|呢|吧")
_SEARCHING = re.compile(r"那个|这个|啥来着|什么来着|怎么说|想想|等等|等一下|等会儿")
_PAUSE = re.compile(r"[\s，。？！、…,.?!~～-]+")


def is_hesitation(text: str) -> bool:
    """Only fillers while the speaker searches for a word: a pause to wait through, not a request."""
    return bool(_SEARCHING.search(text)) and not _PAUSE.sub("", _FILLER.sub("", text))


def input_problem(text: Optional[str], max_chars: int) -> Optional[InputProblem]:
    """What is wrong with the (normalised) text, or None when it can be interpreted."""
    cleaned = normalize(text)
    if not any(char.isalnum() for char in cleaned):
        return InputProblem.EMPTY
    if len(cleaned) > max_chars:
        return InputProblem.TOO_LONG
    if not _HAS_CJK.search(cleaned) and any(char.isalpha() for char in cleaned):
        return InputProblem.NOT_CHINESE  # "hello", "Привет", "*0æ": nothing here to understand
    if is_hesitation(cleaned):
        return InputProblem.HESITATION
    return None


# ---------------------------------------------------------------- the speech profile

SPEECH_KEY = "speech"


@dataclass(frozen=True)
class SpeechProfile:
    """How to speak to this person: a factor on the speaking rate, and a volume in (0, 1]."""

    rate_factor: float = 1.0
    volume: float = 0.7


def speech_profile_message(rate_factor: float, volume: float) -> Dict[str, Any]:
    """The custom message (core side) telling channels how to speak to this resident from now on."""
    return {SPEECH_KEY: {"rate_factor": round(float(rate_factor), 2), "volume": round(float(volume), 2)}}


def speech_profile_in(custom: Any) -> Optional[SpeechProfile]:
    """The speech profile a custom message carries (channel side), or None."""
    if not isinstance(custom, dict) or not isinstance(custom.get(SPEECH_KEY), dict):
        return None
    profile = custom[SPEECH_KEY]
    return SpeechProfile(float(profile.get("rate_factor", 1.0)), float(profile.get("volume", 0.7)))


# ---------------------------------------------------------------- button payloads


def button_payload(intent: str, **entities: str) -> str:
    """What a button sends as the person's words: "/intent" or "/intent{json of entities}"."""
    return f"/{intent}" + (json.dumps(entities, ensure_ascii=False) if entities else "")


def button(title: str, intent: str, **entities: str) -> Dict[str, str]:
    """A button the core offers (the form Rasa's dispatcher takes)."""
    return {"title": title, "payload": button_payload(intent, **entities)}


def is_button_payload(text: str) -> bool:
    """The words are a pressed button (already an intent), not something said."""
    return text.startswith("/")
