"""Phone and ID numbers are masked wherever staff see lists or exports."""
from __future__ import annotations


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
