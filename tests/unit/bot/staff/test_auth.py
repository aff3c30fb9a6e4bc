"""Staff accounts: argon2 hashes, the one-time first password, lock-out, sessions and CSRF tokens."""
import datetime as dt

import pytest
from sqlalchemy import select

from actions.db.models import AuditLog, StaffSession, StaffUser
from bot.kernel.clock import utcnow
from bot.staff import auth
from bot.staff.masking import mask_id_number, mask_phone

pytestmark = pytest.mark.both_databases


def test_passwords_are_hashed_with_argon2() -> None:
    stored = auth.hash_password("correct horse battery")
    assert stored.startswith("$argon2id$") and "correct" not in stored
    assert auth.password_matches(stored, "correct horse battery")
    assert not auth.password_matches(stored, "wrong")
    assert not auth.password_matches(None, "anything") and not auth.password_matches("garbage", "x")


def test_the_first_admin_gets_a_one_time_password_once(sessions) -> None:
    first = auth.ensure_first_admin(sessions)
    assert first is not None and first[0] == "admin"
    assert auth.ensure_first_admin(sessions) is None
    with sessions() as session:
        admin = session.scalar(select(StaffUser).where(StaffUser.username == "admin"))
    assert admin.must_change_password and auth.password_matches(admin.password_hash, first[1])


def test_five_failures_make_that_source_wait_with_backoff_not_the_owner(sessions) -> None:
    _, password = auth.ensure_first_admin(sessions)
    throttle = auth.LoginThrottle()
    now = utcnow()
    for _attempt in range(4):
        with pytest.raises(auth.LoginRefused, match="不对"):
            auth.log_in(sessions, "admin", "wrong", now, source="10.0.0.9", throttle=throttle)
    with pytest.raises(auth.LoginRefused, match="锁定.*30秒"):
        auth.log_in(sessions, "admin", "wrong", now, source="10.0.0.9", throttle=throttle)
    with pytest.raises(auth.LoginRefused, match="锁定"):  # even the right password waits, from that source
        auth.log_in(sessions, "admin", password, now + dt.timedelta(seconds=20), source="10.0.0.9", throttle=throttle)
    # The owner, from another source, is not locked out by someone else's guesses.
    assert auth.log_in(sessions, "admin", password, now + dt.timedelta(seconds=20), source="10.0.0.1",
                       throttle=throttle)
    with sessions() as session:
        actions = [a for (a,) in session.execute(select(AuditLog.action).where(AuditLog.actor.like("staff:%")))]
    assert actions.count("login_failed") == 4 and "locked_out" in actions and "login" in actions


def test_the_wait_doubles_and_is_at_most_15_minutes(sessions) -> None:
    auth.ensure_first_admin(sessions)
    throttle = auth.LoginThrottle()
    now = utcnow()
    waits = []
    for _attempt in range(12):
        until = throttle.failed("admin", "x", now)
        waits.append(None if until is None else (until - now).total_seconds())
    assert waits[:4] == [None] * 4 and waits[4:8] == [30, 60, 120, 240] and waits[-1] == 15 * 60


def test_many_sources_together_make_the_account_wait(sessions) -> None:
    _, password = auth.ensure_first_admin(sessions)
    throttle = auth.LoginThrottle()
    now = utcnow()
    for attempt in range(auth.ACCOUNT_FAILURES):
        with pytest.raises(auth.LoginRefused):
            auth.log_in(sessions, "admin", "wrong", now, source=f"10.1.{attempt}.1", throttle=throttle)
    with pytest.raises(auth.LoginRefused, match="锁定"):
        auth.log_in(sessions, "admin", password, now + dt.timedelta(seconds=10), source="10.0.0.1", throttle=throttle)
    assert auth.log_in(sessions, "admin", password, now + dt.timedelta(seconds=31), source="10.0.0.1",
                       throttle=throttle)


def test_a_known_browser_is_not_kept_out_by_guesses_from_the_same_address(sessions) -> None:
    """On a loopback console every caller is 127.0.0.1: the owner's device cookie is what sets them apart."""
    _, password = auth.ensure_first_admin(sessions)
    throttle = auth.LoginThrottle()
    now = utcnow()
    auth.log_in(sessions, "admin", password, now, source="127.0.0.1", throttle=throttle)
    device = auth.device_cookie(sessions, "admin")
    for _attempt in range(auth.ACCOUNT_FAILURES + 5):  # enough to make the account itself wait
        with pytest.raises(auth.LoginRefused):
            auth.log_in(sessions, "admin", "wrong", now, source="127.0.0.1", throttle=throttle)
    with pytest.raises(auth.LoginRefused, match="锁定"):  # without the cookie: the wait
        auth.log_in(sessions, "admin", password, now, source="127.0.0.1", throttle=throttle)
    with pytest.raises(auth.LoginRefused, match="锁定"):  # a forged cookie is no cookie
        auth.log_in(sessions, "admin", password, now, source="127.0.0.1", throttle=throttle,
                    device=device.split(".")[0] + ".0123456789abcdef0123456789abcdef")
    assert auth.log_in(sessions, "admin", password, now, source="127.0.0.1", throttle=throttle, device=device)
    # The attacker's wait is still there after the owner got in.
    with pytest.raises(auth.LoginRefused, match="锁定"):
        auth.log_in(sessions, "admin", password, now, source="127.0.0.1", throttle=throttle)


def test_a_known_browser_waits_for_its_own_failures_and_a_new_password_voids_its_cookie(sessions) -> None:
    _, password = auth.ensure_first_admin(sessions)
    throttle = auth.LoginThrottle()
    now = utcnow()
    device = auth.device_cookie(sessions, "admin")
    assert auth.trusted_device(sessions, "admin", device) and not auth.trusted_device(sessions, "nobody", device)
    for _attempt in range(auth.MAX_FAILED_LOGINS):
        with pytest.raises(auth.LoginRefused):
            auth.log_in(sessions, "admin", "wrong", now, source="127.0.0.1", throttle=throttle, device=device)
    with pytest.raises(auth.LoginRefused, match="锁定"):
        auth.log_in(sessions, "admin", password, now, source="127.0.0.1", throttle=throttle, device=device)
    with sessions.begin() as session:
        admin = session.scalar(select(StaffUser).where(StaffUser.username == "admin"))
        assert admin.failed_logins == 0  # a known device's slips never count against the account
        admin.password_hash = auth.hash_password("another-long-passphrase-9")
    assert auth.trusted_device(sessions, "admin", device) is None


def test_unknown_users_take_as_long_as_real_ones(sessions) -> None:
    import time

    auth.ensure_first_admin(sessions)

    def timed(name: str) -> float:
        best = 10.0
        for _ in range(3):
            started = time.perf_counter()
            with pytest.raises(auth.LoginRefused, match="用户名或密码不对"):
                auth.log_in(sessions, name, "wrong-password", source=name, throttle=auth.LoginThrottle())
            best = min(best, time.perf_counter() - started)
        return best

    real, unknown = timed("admin"), timed("nobody-here")
    assert unknown > real * 0.5, (real, unknown)  # both pay for one argon2 verification


def test_unknown_users_get_the_same_answer(sessions) -> None:
    with pytest.raises(auth.LoginRefused, match="用户名或密码不对"):
        auth.log_in(sessions, "nobody", "whatever")


def test_sessions_keep_only_a_hash_and_expire(sessions) -> None:
    _, password = auth.ensure_first_admin(sessions)
    token = auth.log_in(sessions, "admin", password)
    with sessions() as session:
        stored = session.scalars(select(StaffSession.token_hash)).all()
    assert token not in stored and len(stored) == 1
    staff = auth.current_staff(sessions, token)
    assert staff is not None and staff.is_admin and staff.must_change_password
    assert auth.csrf_ok(staff, staff.csrf_token) and not auth.csrf_ok(staff, "forged") and not auth.csrf_ok(staff, None)
    assert auth.current_staff(sessions, token, utcnow() + auth.SESSION_FOR + dt.timedelta(seconds=1)) is None
    auth.log_out(sessions, token)
    assert auth.current_staff(sessions, token) is None
    assert auth.current_staff(sessions, None) is None and auth.current_staff(sessions, "made-up") is None


def test_password_rules_and_changing_it(sessions) -> None:
    assert auth.password_problem("short", "short") == "密码至少要10位。"
    assert auth.password_problem("long-enough-1", "long-enough-2") == "两次输入的密码不一样。"
    assert auth.password_problem("long-enough-1", "long-enough-1") is None
    for common in ("1234567890", "password12", "qwertyuiop", "aaaaaaaaaa", "a" * 5000):
        assert "太常见" in auth.password_problem(common, common), common
    assert "用户名" in auth.password_problem("xiaoli-2026", "xiaoli-2026", ("xiaoli", "小李"))
    assert "用户名" in auth.password_problem("xiaoli1234567", "xiaoli1234567", ("xiaoli1234567", "小李"))
    auth.ensure_first_admin(sessions)
    with sessions() as session:
        admin_id = session.scalar(select(StaffUser.id).where(StaffUser.username == "admin"))
    auth.change_password(sessions, admin_id, "my-own-password")
    first = auth.log_in(sessions, "admin", "my-own-password")
    second = auth.log_in(sessions, "admin", "my-own-password")
    assert not auth.current_staff(sessions, first).must_change_password
    auth.change_password(sessions, admin_id, "another-own-password", keep_token=first)
    assert auth.current_staff(sessions, first) is not None, "the session that changed it goes on"
    assert auth.current_staff(sessions, second) is None, "every other session of the account ends"


def test_new_accounts_and_roles(sessions) -> None:
    with sessions.begin() as session:
        password = auth.create_staff(session, "xiaoli", "小李", "staff", "staff:1")
    assert auth.current_staff(sessions, auth.log_in(sessions, "xiaoli", password)).role == "staff"
    with pytest.raises(ValueError), sessions.begin() as session:
        auth.create_staff(session, "xiaoli", "又一个", "staff", "staff:1")
    with pytest.raises(ValueError), sessions.begin() as session:
        auth.create_staff(session, "boss", "老板", "owner", "staff:1")


@pytest.mark.parametrize("raw,masked", [("13800001234", "138****1234"), ("010-6688", "******88"), ("", "")])
def test_phone_masking(raw, masked) -> None:
    assert mask_phone(raw) == masked


def test_id_number_masking() -> None:
    assert mask_id_number("11010119410312123X") == "1101**********123X"
    assert mask_id_number("123") == "***"


def test_numbers_inside_what_people_said_are_masked() -> None:
    from bot.staff.masking import mask_in_text
    from bot.staff.training_export import clean_example

    said = "我电话13800001234，身份证11010119410312123X"
    assert mask_in_text(said) == "我电话138****1234，身份证1101**********123X"
    assert "13800001234" not in clean_example(said) and "138****1234" in clean_example(said)
    assert mask_in_text("订2份午饭") == "订2份午饭"


@pytest.mark.parametrize("said,masked", [
    ("138 0000 1234", "138 **** 1234"),
    ("138-0000-1234", "138-****-1234"),
    ("+86 138 0000 1234", "+86 138 **** 1234"),
    ("+8613800001234", "+86138****1234"),
    ("座机 010-66881234 找我", "座机 010-****1234 找我"),
    ("010-6688-1234", "010-****-1234"),
    ("幺三八零零零零一二三四", "幺三八****一二三四"),
    ("一三八零零零零一二三四", "一三八****一二三四"),
    ("身份证110101194103121234", "身份证1101**********1234"),
    ("1101 0119 4103 1212 3X", "1101 **** **** **12 3X"),
])
def test_numbers_written_or_spoken_any_way_are_masked(said, masked) -> None:
    from bot.staff.masking import mask_in_text

    assert mask_in_text(said) == masked


@pytest.mark.parametrize("plain", ["2026-11-23 订饭", "打120", "12345热线", "我八十二了", "三号楼", "订两份", "下午3点", "一共15元"])
def test_ordinary_numbers_stay(plain) -> None:
    from bot.staff.masking import mask_in_text

    assert mask_in_text(plain) == plain
