"""Who is speaking, on which channel: the metadata every channel sends with a message."""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any, Mapping, Optional

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
