"""Settings come from the environment, with validation."""
import pytest

from bot.kernel.settings import child_environment, load_settings


def test_defaults_listen_on_loopback_with_sqlite() -> None:
    settings = load_settings({})
    assert settings.host == "127.0.0.1"
    assert settings.database_url.startswith("sqlite:///") and settings.database_url.endswith("var/xiaonuan.db")
    assert settings.kiosk_mode == "community" and settings.hotline == "12345"


def test_environment_overrides() -> None:
    settings = load_settings({"DATABASE_URL": "postgresql://u:p@localhost/x", "XIAONUAN_RASA_PORT": "5055",
                              "XIAONUAN_KIOSK_RESIDENT_ID": "3", "XIAONUAN_SPEECH": "off"})
    assert settings.database_url == "postgresql://u:p@localhost/x"
    assert settings.rasa_port == 5055
    assert (settings.kiosk_mode, settings.kiosk_resident_id) == ("home", 3)
    assert settings.speech_enabled is False


@pytest.mark.parametrize("env,message", [
    ({"XIAONUAN_RASA_PORT": "abc"}, "whole number"),
    ({"XIAONUAN_RASA_PORT": "70000"}, "between 0 and 65535"),
    ({"XIAONUAN_KIOSK_MODE": "mall"}, "kiosk mode"),
    ({"XIAONUAN_KIOSK_MODE": "home"}, "RESIDENT_ID"),
    ({"XIAONUAN_SPEECH_VOLUME": "3"}, "volume"),
])
def test_bad_settings_are_refused_clearly(env, message) -> None:
    with pytest.raises(ValueError, match=message):
        load_settings(env)


def test_child_processes_get_the_same_settings() -> None:
    settings = load_settings({}).with_overrides(channel_secret="s3cret", database_url="sqlite:////tmp/x.db")
    env = child_environment(settings, base={"PATH": "/bin"})
    assert env["XIAONUAN_CHANNEL_SECRET"] == "s3cret" and env["DATABASE_URL"] == "sqlite:////tmp/x.db"
    assert load_settings(env).channel_secret == "s3cret"


def test_retention_defaults_to_180_days_and_reaches_child_processes() -> None:
    assert load_settings({}).retention_days == 180
    settings = load_settings({"XIAONUAN_RETENTION_DAYS": " 30 "})
    assert settings.retention_days == 30
    assert load_settings(child_environment(settings, base={})).retention_days == 30


@pytest.mark.parametrize("raw,message", [("0", "at least 1"), ("-5", "at least 1"), ("half a year", "a whole number"),
                                         ("30.5", "a whole number")])
def test_a_retention_that_is_not_a_positive_number_of_days_is_refused(raw, message) -> None:
    with pytest.raises(ValueError, match=f"XIAONUAN_RETENTION_DAYS must be {message}"):
        load_settings({"XIAONUAN_RETENTION_DAYS": raw})


def test_redis_url_becomes_rasas_lock_store_and_a_bad_one_is_refused() -> None:
    from bot.ops.launcher import lock_store_config

    assert lock_store_config("") is None  # one core: Rasa's in-memory locks
    assert lock_store_config("redis://:s3cret@redis.internal:6380/2") == {
        "type": "bot.core.redis_locks.AtomicRedisLockStore", "url": "redis.internal", "port": 6380, "db": 2,
        "key_prefix": "xiaonuan", "password": "s3cret"}
    assert lock_store_config("rediss://cache")["use_ssl"] is True
    assert load_settings({"REDIS_URL": "redis://127.0.0.1:6379/0"}).redis_url == "redis://127.0.0.1:6379/0"
    with pytest.raises(ValueError, match="REDIS_URL"):
        load_settings({"REDIS_URL": "127.0.0.1:6379"})


def test_the_tracker_store_is_the_application_database_unless_set() -> None:
    settings = load_settings({"DATABASE_URL": "postgresql://x@db/app"})
    assert settings.trackers_url == "postgresql://x@db/app"
    assert load_settings({"DATABASE_URL": "postgresql://x@db/app",
                          "XIAONUAN_TRACKER_STORE_URL": "postgresql://x@db/conv"}).trackers_url == "postgresql://x@db/conv"


def test_the_retention_schedule_and_run_directory_default_and_reach_child_processes() -> None:
    defaults = load_settings({})
    assert defaults.purge_every_hours == 24 and defaults.run_dir.parts[-2:] == ("var", "run")
    settings = load_settings({"XIAONUAN_PURGE_EVERY_HOURS": "6", "XIAONUAN_RUN_DIR": "/srv/xiaonuan/run"})
    assert settings.purge_every_hours == 6 and str(settings.run_dir) == "/srv/xiaonuan/run"
    assert load_settings(child_environment(settings, base={})).purge_every_hours == 6
    assert load_settings({"XIAONUAN_PURGE_EVERY_HOURS": "0"}).purge_every_hours == 0
