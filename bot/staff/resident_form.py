"""The resident form: reading, checking and comparing what staff typed, with clear Chinese messages."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any, Dict, Iterable, List, Optional, Tuple

from actions.policies.knowledge import FLAGS
from bot.staff.masking import mask_id_number, mask_phone

# The flags staff can tick. They come from one place: the policy knowledge base's
# list of known flags (actions/policies/knowledge.py, documented in
# data/policies/README.md), which eligibility rules are checked against; the
# subsidies in data/services.yml use a subset of them (低保, 失能, 半失能).
KNOWN_FLAGS: Tuple[str, ...] = FLAGS
GENDERS = ("女", "男")
OLDEST_AGE = 120
FIELDS = ("name", "gender", "birth_date", "phone", "address", "id_number", "home_canteen_id", "dietary_notes", "flags")
LABELS = {"name": "姓名", "gender": "性别", "birth_date": "出生日期", "phone": "电话", "address": "住址",
          "id_number": "身份证号", "home_canteen_id": "常去食堂", "dietary_notes": "饮食要求", "flags": "情况标记"}
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_SEPARATORS = re.compile(r"[,，、;；\s]+")
_DIGITS = re.compile(r"[0-9]+")


def _digits_only(value: str) -> bool:
    """ASCII digits only: "²" or "٣" pass str.isdigit() but are no part of a number staff type."""
    return _DIGITS.fullmatch(value) is not None


def split_list(text: str) -> List[str]:
    """"低盐，软烂 低糖" → ["低盐", "软烂", "低糖"]: stored comma separated, the way the kitchen list reads it."""
    return list(dict.fromkeys(part for part in _SEPARATORS.split(text or "") if part))


def id_number_problem(value: str) -> Optional[str]:
    """18 characters: 17 digits and a digit or X, with the national check digit (GB 11643)."""
    if len(value) != 18:
        return f"身份证号应该是18位，现在是{len(value)}位。"
    if not _digits_only(value[:17]) or not (_digits_only(value[17]) or value[17] == "X"):
        return "身份证号前17位只能是数字，最后一位是数字或X。"
    if _ID_CHECK[sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS)) % 11] != value[17]:
        return "身份证号的最后一位（校验位）对不上，可能有一位输错了，请再核对一下。"
    return None


def _birth_date(raw: str, today: dt.date, errors: List[str]) -> Optional[dt.date]:
    if not raw:
        errors.append("请填写出生日期。")
        return None
    try:
        born = dt.date.fromisoformat(raw)
    except ValueError:
        errors.append("出生日期请按“1945-03-12”这样的格式填写。")
        return None
    if born >= today:
        errors.append("出生日期必须是今天以前的日子。")
    elif today.year - born.year > OLDEST_AGE:
        errors.append(f"出生日期不太对：算下来超过{OLDEST_AGE}岁了，请再核对一下。")
    return born


def _phone(raw: str, errors: List[str]) -> str:
    digits = re.sub(r"[\s-]", "", raw)
    if digits and not _digits_only(digits):
        errors.append("电话只能填数字（可以带空格或短横线）。")
    elif digits.startswith("1") and len(digits) != 11:
        errors.append(f"手机号应该是11位数字，现在是{len(digits)}位。")
    elif digits and not 7 <= len(digits) <= 12:
        errors.append("电话号码位数不对：座机7到12位（可带区号），手机11位。")
    return digits


def read_form(form: Any, canteen_ids: Iterable[int], today: dt.date,
              kept_flags: Iterable[str] = ()) -> Tuple[Dict[str, object], List[str]]:
    """The values to store and the problems found (empty when all is well).

    `kept_flags` are flags a resident already has that the form does not offer
    (written by an older version or an import); they are kept, not silently dropped.
    """
    text = {key: (form.get(key) or "").strip() for key in FIELDS if key != "flags"}
    for key in ("phone", "id_number", "home_canteen_id"):  # full-width digits from a Chinese input method
        text[key] = unicodedata.normalize("NFKC", text[key])
    errors: List[str] = []
    if not text["name"]:
        errors.append("请填写姓名。")
    elif len(text["name"]) > 40:
        errors.append("姓名太长了（最多40个字）。")
    if text["gender"] not in GENDERS + ("",):
        errors.append("性别请选择“女”或“男”。")
    born = _birth_date(text["birth_date"], today, errors)
    phone = _phone(text["phone"], errors)
    id_number = text["id_number"].replace(" ", "").upper()
    if id_number and (problem := id_number_problem(id_number)):
        errors.append(problem)
    canteen: Optional[int] = None
    if text["home_canteen_id"]:
        canteen = int(text["home_canteen_id"]) if _digits_only(text["home_canteen_id"]) else -1
        if canteen not in set(canteen_ids):
            errors.append("请从列表里选择常去的食堂。")
    if len(text["address"]) > 200:
        errors.append("住址太长了（最多200个字）。")
    notes = ",".join(split_list(text["dietary_notes"]))
    if len(notes) > 200:
        errors.append("饮食要求太长了（最多200个字）。")
    ticked = set(form.getlist("flags") or [])
    flags = [flag for flag in KNOWN_FLAGS if flag in ticked] + [f for f in kept_flags if f not in KNOWN_FLAGS]
    values = dict(name=text["name"], gender=text["gender"], birth_date=born, phone=phone, address=text["address"],
                  id_number=id_number or None, home_canteen_id=canteen, dietary_notes=notes, flags=",".join(flags))
    return values, errors


def _shown(key: str, value: object, canteens: Dict[int, str]) -> str:
    if value in (None, ""):
        return "（空）"
    if key == "home_canteen_id":
        return canteens.get(value, str(value))  # type: ignore[call-overload]
    if key == "phone":
        return mask_phone(str(value))
    if key == "id_number":
        return mask_id_number(str(value))
    return str(value)


def changes(before: Dict[str, object], after: Dict[str, object], canteens: Dict[int, str]) -> List[str]:
    """What changed, for the audit log; phone and ID numbers appear masked, canteens by name."""
    return [f"{LABELS[key]}：{_shown(key, before.get(key), canteens)} → {_shown(key, after.get(key), canteens)}"
            for key in FIELDS if before.get(key) != after.get(key) and (before.get(key) or after.get(key))]
