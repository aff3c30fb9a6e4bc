"""Phone and ID numbers are masked wherever staff read text: lists, banners, transcripts, exports.

One function, `mask_in_text`, for every place. People write and say numbers in many ways:
13800001234, 138 0000 1234, 138-0000-1234, +86 138…, 010-6688-1234, and the recogniser
writes spoken digits as characters (幺三八零零零零一二三四). Any run of seven or more
digits (ASCII, full-width or Chinese), with single spaces, dashes or dots between them,
is masked in place, so the text still reads naturally; dates (2026-11-23) are left alone.
Full numbers appear only on an alert's own page and a resident's page, and both are audited.
"""
from __future__ import annotations

import re

_D = "0-9０-９零〇一二三四五六七八九幺两"
_SEP = r"[ \t\u3000\-‐–—.·]"
_RUN = re.compile(rf"(?<![{_D}])(?P<cc>(?:\+|＋|00)86{_SEP}*)?(?P<body>[{_D}](?:{_SEP}?[{_D}]){{5,}}(?:{_SEP}?[{_D}Xx]))"
                  rf"(?![{_D}Xx])")
_DIGIT = re.compile(rf"[{_D}Xx]")
_DATE = re.compile(r"^\d{4}([\-.])\d{1,2}\1\d{1,2}$")
MIN_DIGITS = 7


def mask_phone(phone: str) -> str:
    """13800001234 → 138****1234; short numbers keep only their last two digits."""
    digits = (phone or "").strip()
    if len(digits) >= 11:
        return digits[:3] + "****" + digits[-4:]
    if len(digits) > 2:
        return "*" * (len(digits) - 2) + digits[-2:]
    return digits


def mask_id_number(number: str) -> str:
    """110101194103121234 → 1101**********1234."""
    value = (number or "").strip()
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def _mask_run(match: re.Match) -> str:
    body = match.group("body")
    positions = [m.start() for m in _DIGIT.finditer(body)]
    count = len(positions)
    if count < MIN_DIGITS or _DATE.match(body):
        return match.group(0)
    if count >= 15:  # an ID number: like mask_id_number
        keep = set(positions[:4] + positions[-4:])
    elif count >= 11:  # a mobile or a landline with its area code: like mask_phone
        keep = set(positions[:3] + positions[-4:])
    else:
        keep = set(positions[-2:])
    chars = [char if index in keep or index not in positions else "*" for index, char in enumerate(body)]
    return (match.group("cc") or "") + "".join(chars)


def mask_in_text(words: str) -> str:
    """Phone and ID numbers inside free text (what people said), masked in place."""
    return _RUN.sub(_mask_run, words or "")
