"""Staff accounts: argon2 password hashes, lock-out after failed logins, server-side sessions, CSRF tokens.

The session cookie carries a random token; the database keeps only its SHA-256,
with the session's CSRF token, so a stolen database gives no live sessions.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Optional, Tuple

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from actions.db.models import AuditLog, StaffSession, StaffUser, utcnow

MAX_FAILED_LOGINS = 5
LOCK_FOR = dt.timedelta(minutes=15)
SESSION_FOR = dt.timedelta(hours=12)
MIN_PASSWORD = 10
ROLES = ("admin", "staff")

_hasher = PasswordHasher()


@dataclass(frozen=True)
class StaffView:
    id: int
    username: str
    display_name: str
    role: str
    must_change_password: bool
    csrf_token: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def actor(self) -> str:
        return f"staff:{self.id}"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(stored: Optional[str], password: str) -> bool:
    if not stored:
        return False
    try:
        return _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def one_time_password() -> str:
    """Easy to read aloud and type: no 0/O or 1/l."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))


def ensure_first_admin(sessions: sessionmaker) -> Optional[Tuple[str, str]]:
    """On the first start: give the admin without a password a one-time one; returns (username, password)."""
    with sessions.begin() as session:
        admin = session.scalar(select(StaffUser).where(StaffUser.role == "admin", StaffUser.password_hash.is_(None))
                               .order_by(StaffUser.id))
        if admin is None:
            return None
        password = one_time_password()
        admin.password_hash = hash_password(password)
        admin.must_change_password = True
        session.add(AuditLog(actor="system", action="one_time_password", target=f"staff:{admin.id}"))
        return admin.username, password


def password_problem(password: str, again: str) -> Optional[str]:
    if password != again:
        return "两次输入的密码不一样。"
    if len(password) < MIN_PASSWORD:
        return f"密码至少要{MIN_PASSWORD}位。"
    return None


class LoginRefused(Exception):
    """Wrong name or password, or locked; the message is safe to show."""


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def log_in(sessions: sessionmaker, username: str, password: str, now: Optional[dt.datetime] = None) -> str:
    """Check the password (counting failures, locking after five) and open a session; returns its token.

    A refusal is raised only after the transaction has committed, so failures are counted.
    """
    now = now or utcnow()
    locked = "登录失败次数太多，账号已锁定15分钟。请稍后再试，或请管理员解锁。"
    refusal: Optional[str] = None
    token = secrets.token_urlsafe(32)
    with sessions.begin() as session:
        user = session.scalar(select(StaffUser).where(StaffUser.username == username.strip()))
        if user is None:
            password_matches(None, password)
            refusal = "用户名或密码不对。"
        elif user.locked_until is not None and user.locked_until > now:
            session.add(AuditLog(actor=f"staff:{user.id}", action="login_while_locked"))
            refusal = locked
        elif not password_matches(user.password_hash, password):
            user.failed_logins += 1
            if user.failed_logins >= MAX_FAILED_LOGINS:
                user.locked_until = now + LOCK_FOR
                user.failed_logins = 0
                session.add(AuditLog(actor=f"staff:{user.id}", action="locked_out"))
                refusal = locked
            else:
                session.add(AuditLog(actor=f"staff:{user.id}", action="login_failed"))
                refusal = "用户名或密码不对。"
        else:
            user.failed_logins = 0
            user.locked_until = None
            session.add(StaffSession(token_hash=_token_hash(token), staff_id=user.id,
                                     csrf_token=secrets.token_urlsafe(32), created_at=now,
                                     expires_at=now + SESSION_FOR))
            session.add(AuditLog(actor=f"staff:{user.id}", action="login"))
            session.execute(delete(StaffSession).where(StaffSession.expires_at < now))
    if refusal is not None:
        raise LoginRefused(refusal)
    return token


def current_staff(sessions: sessionmaker, token: Optional[str], now: Optional[dt.datetime] = None) -> Optional[StaffView]:
    if not token:
        return None
    now = now or utcnow()
    with sessions() as session:
        row = session.get(StaffSession, _token_hash(token))
        if row is None or row.expires_at <= now:
            return None
        user = session.get(StaffUser, row.staff_id)
        if user is None:
            return None
        return StaffView(user.id, user.username, user.display_name, user.role, user.must_change_password,
                         row.csrf_token)


def log_out(sessions: sessionmaker, token: Optional[str]) -> None:
    if token:
        with sessions.begin() as session:
            session.execute(delete(StaffSession).where(StaffSession.token_hash == _token_hash(token)))


def csrf_ok(staff: StaffView, sent: Optional[str]) -> bool:
    # As bytes: compare_digest refuses str with non-ASCII characters (a forged token may have them).
    return bool(sent) and hmac.compare_digest(staff.csrf_token.encode(), (sent or "").encode())


def change_password(sessions: sessionmaker, staff_id: int, password: str) -> None:
    with sessions.begin() as session:
        user = session.get(StaffUser, staff_id)
        user.password_hash = hash_password(password)
        user.must_change_password = False
        session.add(AuditLog(actor=f"staff:{staff_id}", action="password_changed", target=f"staff:{staff_id}"))


def create_staff(session: Session, username: str, display_name: str, role: str, by: str) -> str:
    """A new account with a one-time password (returned, shown once)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    if not username.strip() or session.scalar(select(StaffUser.id).where(StaffUser.username == username.strip())):
        raise ValueError("这个用户名已经有了，或者是空的。")
    password = one_time_password()
    session.add(StaffUser(username=username.strip(), display_name=display_name.strip() or username.strip(),
                          role=role, password_hash=hash_password(password), must_change_password=True))
    session.add(AuditLog(actor=by, action="staff_created", target=username.strip(), detail=role))
    return password
