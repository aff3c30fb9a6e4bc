"""Phone and ID numbers are masked wherever staff see lists or exports."""
from __future__ import annotations

import re

_MOBILE = re.compile(r"(?<!\d)1\d{10}(?!\d)")
_ID_NUMBER = re.compile(r"(?<![0-9Xx])\d{17}[0-9Xx](?![0-9Xx])")


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


def mask_in_text(words: str) -> str:
    """Mobile and ID numbers inside free text (what people said), masked like everywhere else."""
    words = _ID_NUMBER.sub(lambda match: mask_id_number(match.group(0)), words or "")
    return _MOBILE.sub(lambda match: mask_phone(match.group(0)), words)
