"""Reading and writing residents for the console; every change is audited in its own transaction."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from sqlalchemy import func, select

from actions.db.models import AuditLog, Canteen, FamilyLink, FamilyMember, Resident
from actions.family import spaced
from actions.linking import issue_code
from bot.staff.app import Console
from bot.staff.localtime import utc_now
from bot.staff.resident_form import FIELDS, KNOWN_FLAGS, changes

LIST_LIMIT = 300


@dataclass(frozen=True)
class ListRow:
    id: int
    name: str
    age: int
    phone: str
    address: str
    flags: str
    canteen: str
    family: int


@dataclass(frozen=True)
class Relative:
    name: str
    relation: str
    phone: str
    telegram: bool


def canteens(console: Console) -> Dict[int, str]:
    with console.sessions() as session:
        return dict(session.execute(select(Canteen.id, Canteen.name).order_by(Canteen.id)).all())


def residents_list(console: Console, query: str, today: dt.date) -> List[ListRow]:
    family = (select(FamilyLink.resident_id, func.count(FamilyLink.id).label("n"))
              .group_by(FamilyLink.resident_id).subquery())
    statement = (select(Resident, Canteen.short_name, Canteen.name, family.c.n)
                 .outerjoin(Canteen, Canteen.id == Resident.home_canteen_id)
                 .outerjoin(family, family.c.resident_id == Resident.id)
                 .order_by(Resident.name, Resident.id).limit(LIST_LIMIT))
    if query:
        statement = statement.where(Resident.name.contains(query, autoescape=True))
    with console.sessions() as session:
        return [ListRow(r.id, r.name, r.age_on(today), r.phone, r.address, r.flags.replace(",", "、"),
                        short or name or "", n or 0) for r, short, name, n in session.execute(statement)]


def values_of(resident: Resident) -> Dict[str, object]:
    return {key: getattr(resident, key) for key in FIELDS}


def load(console: Console, resident_id: int) -> Optional[Tuple[Dict[str, object], List[Relative]]]:
    """The resident's stored values (full phone and ID number) and linked family."""
    with console.sessions() as session:
        resident = session.get(Resident, resident_id)
        if resident is None:
            return None
        family = [Relative(member.name, relation, member.phone, member.telegram_chat_id is not None)
                  for member, relation in session.execute(
                      select(FamilyMember, FamilyLink.relation)
                      .join(FamilyLink, FamilyLink.family_member_id == FamilyMember.id)
                      .where(FamilyLink.resident_id == resident_id).order_by(FamilyLink.id))]
        return dict(values_of(resident), id=resident.id), family


def other_flags(values: Dict[str, object]) -> List[str]:
    """Flags stored on a resident that the form does not offer: kept as they are."""
    return [flag for flag in str(values.get("flags") or "").split(",") if flag and flag not in KNOWN_FLAGS]


def create(console: Console, values: Dict[str, object], actor: str) -> int:
    names = canteens(console)
    with console.sessions.begin() as session:
        resident = Resident(**values)
        if values.get("flags"):
            resident.flags_updated_at = utc_now(console.settings)
        session.add(resident)
        session.flush()
        session.add(AuditLog(actor=actor, action="resident_created", target=f"resident:{resident.id}",
                             detail="；".join(changes({}, values, names))[:2000]))
        return resident.id


def update(console: Console, resident_id: int, values: Dict[str, object], actor: str) -> Optional[List[str]]:
    """Store the form's values; returns what changed (None when the resident is gone)."""
    names = canteens(console)
    with console.sessions.begin() as session:
        resident = session.get(Resident, resident_id)
        if resident is None:
            return None
        changed = changes(values_of(resident), values, names)
        if not changed:
            return []
        if resident.flags != values["flags"]:
            resident.flags_updated_at = utc_now(console.settings)  # policy notices look at this
        for key, value in values.items():
            setattr(resident, key, value)
        session.add(AuditLog(actor=actor, action="resident_updated", target=f"resident:{resident_id}",
                             detail="；".join(changed)[:2000]))
        return changed


def new_link_code(console: Console, resident_id: int, actor: str) -> str:
    """A one-time family link code, spaced for reading aloud; `issue_code` writes the audit row."""
    with console.sessions.begin() as session:
        return spaced(issue_code(session, resident_id, issued_by=actor))
