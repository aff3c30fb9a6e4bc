"""Residents: looking them up, addressing them politely, their speech preferences."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import List, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.db.models import FamilyLink, Resident

SLOWER_STEP = 0.8
MIN_RATE_FACTOR = 0.5
LOUDER_STEP = 0.15
MAX_VOLUME = 1.0

_DIGITS = {"零": "0", "〇": "0", "一": "1", "幺": "1", "二": "2", "两": "2", "三": "3", "四": "4",
           "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}
_NAME_PREFIX = re.compile(r"^(我的名字是|我的名字叫|我叫|我是|我姓|名字是|名字叫|叫|是)")
_NAME_SUFFIX = re.compile(r"(奶奶|爷爷|阿姨|叔叔|大妈|大爷|老师|同志|啊|呀|吧|呢|哈|嘛)+$")
_PUNCT = re.compile(r"[\s，。！？,.!?、~～]+")


@dataclass(frozen=True)
class ResidentView:
    """What the dialogue needs to know about a resident."""

    id: int
    name: str
    title: str
    address: str
    speech_rate_factor: float
    speech_volume: Optional[float]


def title_for(resident: Resident, today: dt.date) -> str:
    """How a kiosk addresses the resident: 张奶奶 / 王爷爷 for the very old, 阿姨 / 叔叔 otherwise."""
    surname = resident.name[:1]
    old = resident.age_on(today) >= 70
    if resident.gender == "女":
        return surname + ("奶奶" if old else "阿姨")
    if resident.gender == "男":
        return surname + ("爷爷" if old else "叔叔")
    return resident.name


def view_of(resident: Resident, today: dt.date) -> ResidentView:
    return ResidentView(
        id=resident.id,
        name=resident.name,
        title=title_for(resident, today),
        address=resident.address,
        speech_rate_factor=resident.speech_rate_factor,
        speech_volume=resident.speech_volume,
    )


def load_resident(session: Session, resident_id: int) -> Optional[Resident]:
    return session.get(Resident, resident_id)


def is_linked(session: Session, family_member_id: int, resident_id: int) -> bool:
    link = session.scalar(
        select(FamilyLink.id).where(
            FamilyLink.family_member_id == family_member_id, FamilyLink.resident_id == resident_id
        )
    )
    return link is not None


def linked_family_ids(session: Session, resident_id: int) -> List[int]:
    return list(session.scalars(select(FamilyLink.family_member_id).where(FamilyLink.resident_id == resident_id)))


def clean_spoken_name(text: str) -> str:
    """"我叫张桂英啊" → "张桂英"."""
    cleaned = _PUNCT.sub("", text or "")
    cleaned = _NAME_PREFIX.sub("", cleaned)
    return _NAME_SUFFIX.sub("", cleaned)


def find_by_name(session: Session, name: str) -> List[Resident]:
    if not name:
        return []
    return list(session.scalars(select(Resident).where(Resident.name == name).order_by(Resident.id)))


def spoken_digits(text: str) -> str:
    """All digits in the text, Chinese numerals included: "幺二三四" → "1234"."""
    return "".join(_DIGITS.get(char, char) for char in text or "" if char.isdigit() or char in _DIGITS)


def short_address(address: str) -> str:
    """Address up to the building, enough to confirm identity without reading out the flat."""
    match = re.match(r"^(.*?号楼)", address)
    return match.group(1) if match else address


def slower(factor: float) -> float:
    return max(MIN_RATE_FACTOR, round(factor * SLOWER_STEP, 2))


def louder(volume: float) -> float:
    return min(MAX_VOLUME, round(volume + LOUDER_STEP, 2))
