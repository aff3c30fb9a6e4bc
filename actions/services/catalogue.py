"""Home services from the staff-edited catalogue: prices, subsidies, weekly capacity, what seniors call them."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

from actions.lang.numbers import clean
from actions.yaml_files import ReloadingFile

HALF_DAYS = ("上午", "下午")
WEEKDAYS = tuple(range(1, 8))  # ISO weekdays, 1 = Monday


class CatalogueError(ValueError):
    """The service catalogue is missing or wrong; the message says where."""


@dataclass(frozen=True)
class SubsidyRule:
    """One subsidy rule; a service uses the first rule that applies to the resident."""

    label: str
    min_age: Optional[int] = None
    flags: Tuple[str, ...] = ()
    free: bool = False
    discount: float = 0.0

    def applies(self, age: Optional[int], flags: Iterable[str]) -> bool:
        """Every condition given must hold (any one flag is enough); no condition means everybody."""
        if self.min_age is not None and (age is None or age < self.min_age):
            return False
        return not self.flags or bool(set(self.flags).intersection(flags))

    def subsidy_on(self, price: float) -> float:
        """Yuan paid by the subsidy; a discount never exceeds the price."""
        return float(price) if self.free else min(float(price), self.discount)


@dataclass(frozen=True)
class Service:
    """One home service as staff configured it."""

    code: str
    name: str
    description: str
    duration_minutes: int
    price: float
    needs_assessment: bool
    subsidy: Tuple[SubsidyRule, ...]
    capacity: Dict[int, Dict[str, int]]  # weekday 1..7 -> half-day -> visits, overrides already applied
    helpers: Tuple[str, ...]
    synonyms: Tuple[str, ...]

    def capacity_on(self, day: date, half_day: str) -> int:
        """Visits the weekly template allows on that day's half-day (0 = closed)."""
        if half_day not in HALF_DAYS:
            raise ValueError(f"unknown half-day {half_day!r} (use {' or '.join(HALF_DAYS)})")
        return self.capacity.get(day.isoweekday(), {}).get(half_day, 0)

    def subsidy_for(self, age: Optional[int], flags: Iterable[str]) -> Tuple[float, str]:
        """Yuan off one visit and the rule's label, so the resident can be told why; (0.0, "") when none."""
        flags = tuple(flags)
        for rule in self.subsidy:
            if rule.applies(age, flags):
                return rule.subsidy_on(self.price), rule.label
        return 0.0, ""


# Text hidden before matching: words that contain a service word but mean something else.
# Meals (订饭, 买两份午饭, 吃饭, 早餐...) belong to the meal feature, 修改 means "change",
# 吓坏了 is a feeling, 胸口闷 a symptom (emergencies are handled elsewhere), 穿衣 is dressing.
_NOT_A_SERVICE = re.compile(
    r"修改|[吓急累饿气乐渴困]坏|胸口?闷|穿衣"
    r"|(?:订|买|送|带|吃|做)?(?:[一两二三四五几]?(?:点|些|个|份))?(?:早|午|中|晚|盒)?(?:饭|餐)"
)
# A refusal right before the service, maybe with helper words between: "不用帮我洗澡", "别再约理发".
# "要不要"/"用不用"/"去不去" ask a question and "要不" suggests, so those are no refusal.
_NEGATORS = "|".join([f"(?<!{word[1]}){word}" if word[0] == "不" else word for word in (
    "不需要", "用不着", "没必要", "不用", "不要", "不必", "不想", "不是", "甭", "别")] + ["(?<![要去来约订做搞帮给])不"])
_FILLERS = "再|去|来|帮我|给我|替我|帮|给|找人|叫人|派人|请人|预约|约|订|安排|上门|做|搞"
_NEGATED_BEFORE = re.compile(rf"(?:{_NEGATORS})(?:{_FILLERS})*$")
# A refusal after the service: "洗澡就不用了", "理发算了"; "助洁不要钱吧" is no refusal.
_NEGATED_AFTER = re.compile(
    r"^(?:就|也|先|暂时|这次|今天|服务)*(?:不需要|用不着|没必要|不用|不要|不必|算了|免了|取消)(?=$|[了啦吧，。！？、；：,.!?;:])"
)


@dataclass(frozen=True)
class Catalogue:
    """All services, with the recogniser built once per loaded file."""

    services: Tuple[Service, ...]

    @cached_property
    def _matcher(self) -> Tuple[Dict[str, Service], "re.Pattern[str]"]:
        """Every name and synonym, and a pattern giving the longest one starting at each position."""
        words = {word: service for service in self.services for word in (service.name, *service.synonyms)}
        alternatives = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
        return words, re.compile(f"(?=({alternatives}))" if words else "(?!)")

    def by_code(self, code: str) -> Service:
        """The service with that code; a KeyError names the known codes."""
        for service in self.services:
            if service.code == code:
                return service
        raise KeyError(f"no service with code {code!r} (known: {', '.join(s.code for s in self.services)})")

    def by_name(self, name: str) -> Optional[Service]:
        """The service with exactly that name (spaces ignored), or None."""
        return next((service for service in self.services if service.name == clean(name)), None)

    def recognise(self, text: str) -> Optional[Service]:
        """The service meant: the longest non-negated word wins, ties go to the earliest; None when unsure."""
        words, pattern = self._matcher
        cleaned = _NOT_A_SERVICE.sub(lambda m: "\0" * len(m.group(0)), clean(text))
        hits = [(m.start(), m.start() + len(m.group(1))) for m in pattern.finditer(cleaned)]
        refused = [(start, end) for start, end in hits
                   if _NEGATED_BEFORE.search(cleaned[:start]) or _NEGATED_AFTER.match(cleaned[end:])]
        # A word inside a refused mention is refused too: "不用陪我去医院" also refuses "医院".
        kept = [(start, end) for start, end in hits if not any(start < e and s < end for s, e in refused)]
        best = max(kept, key=lambda hit: (hit[1] - hit[0], -hit[0]), default=None)
        return words[cleaned[best[0]:best[1]]] if best else None


def _word(value: Any, where: str) -> str:
    """A non-empty text, cleaned the way user text is, so both compare alike."""
    if isinstance(value, bool) or not isinstance(value, (str, int)) or not clean(str(value)):
        raise CatalogueError(f"{where}: expected a non-empty text, got {value!r}")
    return clean(str(value))


def _number(value: Any, where: str, whole: bool = False) -> Any:
    if value is None:
        raise CatalogueError(f"{where}: required")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (whole and not isinstance(value, int)):
        raise CatalogueError(f"{where}: expected {'a whole number' if whole else 'a number'}, got {value!r}")
    if value < 0:
        raise CatalogueError(f"{where}: must not be negative, got {value!r}")
    return value


def _typed(entry: Dict[str, Any], key: str, where: str, kind: type, default: Any) -> Any:
    value = default if entry.get(key) is None else entry[key]
    if not isinstance(value, kind):
        raise CatalogueError(f"{where}.{key}: expected {'true or false' if kind is bool else 'a list'}, got {value!r}")
    return value


def _words(entry: Dict[str, Any], key: str, where: str) -> List[str]:
    return [_word(item, f"{where}.{key}[{i}]") for i, item in enumerate(_typed(entry, key, where, list, []))]


def _rule(raw: Any, where: str) -> SubsidyRule:
    if not isinstance(raw, dict) or "label" not in raw:
        raise CatalogueError(f"{where}: expected a mapping with a label and free or discount")
    free, has_discount = _typed(raw, "free", where, bool, False), raw.get("discount") is not None
    if free == has_discount:
        raise CatalogueError(f"{where}: give either `free: true` or `discount: <yuan>`")
    min_age = raw.get("min_age")
    return SubsidyRule(label=_word(raw["label"], f"{where}.label"),
                       min_age=None if min_age is None else _number(min_age, f"{where}.min_age", whole=True),
                       flags=tuple(_words(raw, "flags", where)), free=free,
                       discount=float(_number(raw["discount"], f"{where}.discount")) if has_discount else 0.0)


def _capacity(raw: Any, where: str) -> Dict[int, Dict[str, int]]:
    """The weekly template resolved per weekday: a weekday's entry overrides the default half-day by half-day."""
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: required, e.g. {{default: {{上午: 3, 下午: 3}}, 7: {{上午: 0, 下午: 0}}}}")
    days: Dict[Any, Dict[str, int]] = {}
    for key, visits in raw.items():
        day = int(key) if isinstance(key, (int, str)) and str(key).isdigit() else key
        if day != "default" and (day not in WEEKDAYS or day in days):
            raise CatalogueError(f"{where}: unknown or repeated weekday {key!r} (use default or 1-7, 1 = Monday)")
        if not isinstance(visits, dict):
            raise CatalogueError(f"{where}.{key}: expected visits per half-day, e.g. {{上午: 3, 下午: 3}}")
        for half_day, count in visits.items():
            if half_day not in HALF_DAYS:
                raise CatalogueError(f"{where}.{key}: unknown half-day {half_day!r} (use {' or '.join(HALF_DAYS)})")
            _number(count, f"{where}.{key}.{half_day}", whole=True)
        days[day] = dict(visits)
    default = {**dict.fromkeys(HALF_DAYS, 0), **days.get("default", {})}
    return {day: {**default, **days.get(day, {})} for day in WEEKDAYS}


def _service(entry: Any, where: str) -> Service:
    if not isinstance(entry, dict):
        raise CatalogueError(f"{where}: expected a mapping with code, name, price...")
    code = _word(entry.get("code"), f"{where}.code")
    where = f"{where} ({code})"
    if not re.fullmatch(r"[a-z][a-z0-9_]*", code):
        raise CatalogueError(f"{where}: code must be lower-case letters, digits or _, got {code!r}")
    helpers, capacity = _words(entry, "helpers", where), _capacity(entry.get("capacity"), f"{where}.capacity")
    if len(set(helpers)) != len(helpers):
        raise CatalogueError(f"{where}.helpers: a helper is listed twice")
    if helpers and max(n for day in capacity.values() for n in day.values()) > len(helpers):
        raise CatalogueError(f"{where}.capacity: more visits in a half-day than the {len(helpers)} helpers can make")
    return Service(
        code=code,
        name=_word(entry.get("name"), f"{where}.name"),
        description=str(entry.get("description") or "").strip(),
        duration_minutes=_number(entry.get("duration_minutes"), f"{where}.duration_minutes", whole=True),
        price=float(_number(entry.get("price"), f"{where}.price")),
        needs_assessment=_typed(entry, "needs_assessment", where, bool, False),
        subsidy=tuple(_rule(rule, f"{where}.subsidy[{index}]")
                      for index, rule in enumerate(_typed(entry, "subsidy", where, list, []))),
        capacity=capacity,
        helpers=tuple(helpers),
        synonyms=tuple(dict.fromkeys(_words(entry, "synonyms", where))),
    )


def parse_catalogue(raw: Dict[str, Any]) -> Catalogue:
    """Build the catalogue from the YAML mapping, with a clear error for each mistake."""
    if not isinstance(raw, dict) or not isinstance(raw.get("services"), list) or not raw["services"]:
        raise CatalogueError("services: expected a non-empty list of services")
    services: Dict[str, Service] = {}
    owners: Dict[str, str] = {}
    for index, entry in enumerate(raw["services"]):
        service = _service(entry, f"services[{index}]")
        where = f"services[{index}] ({service.code})"
        if service.code in services:
            raise CatalogueError(f"{where}: duplicate code {service.code!r}")
        for word in (service.name, *service.synonyms):
            if owners.get(word, service.code) != service.code:
                raise CatalogueError(f"{where}: {word!r} is already a name or synonym of {owners[word]}")
            owners[word] = service.code
        services[service.code] = service
    return Catalogue(tuple(services.values()))


_catalogue_file: "ReloadingFile[Catalogue]" = ReloadingFile(parse_catalogue, CatalogueError, "service catalogue")


def load_catalogue(path: Path) -> Catalogue:
    """The catalogue in the file, read again whenever the file changes."""
    return _catalogue_file.load(path)
