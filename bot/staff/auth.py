"""Staff accounts: argon2 password hashes, throttled logins, server-side sessions, CSRF tokens.

The session cookie carries a random token; the database keeps only its SHA-256,
with the session's CSRF token, so a stolen database gives no live sessions.

Failed logins slow down the one who fails, not the account's owner: five failures
from one source for one user name make that source wait, 30 s doubling to 15 min.
Only a flood from many sources (50 failures in a row) makes the account itself wait,
with the same backoff. On a loopback console every caller has the same address, so a
browser that has logged in to an account before carries a device cookie signed with
that account's password hash: its failures are counted on their own and the account's
wait does not apply to it, so nobody without the cookie can keep the owner out (the
"device cookie" scheme; a password change voids every device cookie). An unknown user name costs the same argon2 work as a real one
and gets the same answer. A password reset or change ends the account's other sessions.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass, field
from typing import Dict, Optional, Tuple

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from actions.db.models import AuditLog, StaffSession, StaffUser
from bot.kernel.clock import utcnow

MAX_FAILED_LOGINS = 5  # from one source, for one user name, before that source waits
ACCOUNT_FAILURES = 50  # from all sources together before the account itself waits
FIRST_WAIT = dt.timedelta(seconds=30)
LOCK_FOR = dt.timedelta(minutes=15)  # the longest wait
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


@functools.lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verified against for unknown users, so they take as long as real ones (made on first use)."""
    return _hasher.hash(secrets.token_urlsafe(16))


def password_matches(stored: Optional[str], password: str) -> bool:
    if not stored:
        try:
            _hasher.verify(_dummy_hash(), password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            pass
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


MIN_STRENGTH = 3  # zxcvbn's score 0–4: 3 is "safely unguessable" for an online attack


def password_problem(password: str, again: str, user_inputs: Tuple[str, ...] = ()) -> Optional[str]:
    """Why a new password is refused (in Chinese, for the form), or None.

    zxcvbn knows common passwords, keyboard walks, sequences and repeats; the user's own
    names are added to what it looks for.
    """
    from zxcvbn import zxcvbn

    if password != again:
        return "两次输入的密码不一样。"
    if len(password) < MIN_PASSWORD:
        return f"密码至少要{MIN_PASSWORD}位。"
    lowered = password.lower()
    if any(word and len(lowered.replace(word.lower(), "")) < MIN_PASSWORD for word in user_inputs):
        return "密码不能只是您的用户名或名字，请换一个。"
    # zxcvbn refuses more than 72 characters; a longer password is judged by its start.
    if zxcvbn(password[:72], user_inputs=[w[:72] for w in user_inputs if w])["score"] < MIN_STRENGTH:
        return "这个密码太常见或太好猜了。请用几个不相关的词加上数字，比如“松树-茶杯-2718-晚霞”。"
    return None


def _wait_after(failures: int, threshold: int) -> Optional[dt.timedelta]:
    """How long to wait after this many failures in a row: none below the threshold, then doubling."""
    if failures < threshold:
        return None
    return min(LOCK_FOR, FIRST_WAIT * (2 ** min(failures - threshold, 10)))


@dataclass
class LoginThrottle:
    """Failures per (user name, source) in this console process; a success clears them."""

    _failures: Dict[Tuple[str, str], Tuple[int, dt.datetime]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_until(self, username: str, source: str) -> Optional[dt.datetime]:
        with self._lock:
            count, last = self._failures.get((username.lower(), source), (0, None))
        wait = _wait_after(count, MAX_FAILED_LOGINS)
        return last + wait if wait and last else None

    def failed(self, username: str, source: str, now: dt.datetime) -> Optional[dt.datetime]:
        """Count a failure; returns until when this source now waits (None: no wait yet)."""
        with self._lock:
            if len(self._failures) > 10000:  # many made-up names: keep only the ones still waiting
                horizon = now - LOCK_FOR
                self._failures = {k: v for k, v in self._failures.items() if v[1] > horizon}
            count = self._failures.get((username.lower(), source), (0, now))[0] + 1
            self._failures[(username.lower(), source)] = (count, now)
        wait = _wait_after(count, MAX_FAILED_LOGINS)
        return now + wait if wait else None

    def clear(self, username: str, source: Optional[str] = None) -> None:
        """Forget failures for this user name: from one source (its owner logged in), or all (staff unlock)."""
        with self._lock:
            for key in [k for k in self._failures if k[0] == username.lower() and source in (None, k[1])]:
                del self._failures[key]


def _locked_message(until: dt.datetime, now: dt.datetime) -> str:
    seconds = max(1, int((until - now).total_seconds() + 0.999))
    wait = f"{seconds}秒" if seconds < 120 else f"{(seconds + 59) // 60}分钟"
    return f"登录失败次数太多，已暂时锁定。请{wait}后再试，或请管理员解锁。"


class LoginRefused(Exception):
    """Wrong name or password, or locked; the message is safe to show."""


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _device_signature(password_hash: str, username: str, nonce: str) -> str:
    return hmac.new(password_hash.encode(), f"{username}\n{nonce}".encode(), hashlib.sha256).hexdigest()[:32]


def device_cookie(sessions: sessionmaker, username: str) -> Optional[str]:
    """A new device cookie for a browser that has just logged in as `username` (None: no such user)."""
    with sessions() as session:
        user = session.scalar(select(StaffUser).where(StaffUser.username == username.strip()))
        if user is None:
            return None
        nonce = secrets.token_urlsafe(12)
        return f"{nonce}.{_device_signature(user.password_hash, user.username, nonce)}"


def trusted_device(sessions: sessionmaker, username: str, cookie: Optional[str]) -> Optional[str]:
    """The device's nonce when `cookie` was given to this browser by a login to this account."""
    nonce, _, signature = (cookie or "").partition(".")
    if not nonce or not signature or len(cookie or "") > 100:
        return None
    with sessions() as session:
        user = session.scalar(select(StaffUser).where(StaffUser.username == username.strip()))
        if user is None:
            return None
        expected = _device_signature(user.password_hash, user.username, nonce)
    return nonce if hmac.compare_digest(expected.encode(), signature.encode()) else None


def log_in(sessions: sessionmaker, username: str, password: str, now: Optional[dt.datetime] = None,
           source: str = "?", throttle: Optional[LoginThrottle] = None, device: Optional[str] = None) -> str:
    """Check the password and open a session; returns its token.

    Failures are counted per (user name, source) in `throttle` and per account in the database;
    a source that failed five times waits, whoever it names (an unknown name the same as a real one).
    A browser with this account's device cookie is a source of its own, outside the account's wait.
    A refusal is raised only after the transaction has committed, so failures are counted.
    """
    now = now or utcnow()
    throttle = throttle if throttle is not None else LoginThrottle()
    name = username.strip()
    refusal: Optional[str] = None
    token = secrets.token_urlsafe(32)
    known = trusted_device(sessions, name, device) if device else None
    if known is not None:
        source = f"device:{known}"
    waiting = throttle.wait_until(name, source)
    if waiting is not None and waiting > now:
        password_matches(None, password)  # the same work as any other answer
        with sessions.begin() as session:
            user = session.scalar(select(StaffUser).where(StaffUser.username == name))
            if user is not None:
                session.add(AuditLog(actor=f"staff:{user.id}", action="login_while_locked", detail=source[:60]))
        raise LoginRefused(_locked_message(waiting, now))
    with sessions.begin() as session:
        user = session.scalar(select(StaffUser).where(StaffUser.username == name))
        if user is None:
            password_matches(None, password)
            until = throttle.failed(name, source, now)
            refusal = _locked_message(until, now) if until else "用户名或密码不对。"
        elif known is None and user.locked_until is not None and user.locked_until > now:
            password_matches(None, password)
            session.add(AuditLog(actor=f"staff:{user.id}", action="login_while_locked", detail=source[:60]))
            refusal = _locked_message(user.locked_until, now)
        elif not password_matches(user.password_hash, password):
            until = throttle.failed(name, source, now)
            user.failed_logins += 0 if known else 1  # a known device only ever makes itself wait
            account_wait = None if known else _wait_after(user.failed_logins, ACCOUNT_FAILURES)
            if account_wait:
                user.locked_until = now + account_wait
                until = max(until or now, user.locked_until)
            if until:
                session.add(AuditLog(actor=f"staff:{user.id}", action="locked_out", detail=source[:60]))
                refusal = _locked_message(until, now)
            else:
                session.add(AuditLog(actor=f"staff:{user.id}", action="login_failed", detail=source[:60]))
                refusal = "用户名或密码不对。"
        else:
            throttle.clear(name, source)  # someone else's guesses keep their wait
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


def end_sessions(session: Session, staff_id: int, keep_token: Optional[str] = None) -> int:
    """End every session of the account (but the one changing its password); returns how many."""
    query = delete(StaffSession).where(StaffSession.staff_id == staff_id)
    if keep_token:
        query = query.where(StaffSession.token_hash != _token_hash(keep_token))
    return session.execute(query).rowcount or 0


def change_password(sessions: sessionmaker, staff_id: int, password: str, keep_token: Optional[str] = None) -> None:
    """Set the new password and end the account's other sessions (a stolen one stops working)."""
    with sessions.begin() as session:
        user = session.get(StaffUser, staff_id)
        user.password_hash = hash_password(password)
        user.must_change_password = False
        ended = end_sessions(session, staff_id, keep_token)
        session.add(AuditLog(actor=f"staff:{staff_id}", action="password_changed", target=f"staff:{staff_id}",
                             detail=f"other sessions ended: {ended}"))


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
