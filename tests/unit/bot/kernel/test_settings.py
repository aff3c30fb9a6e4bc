"""Settings come from the environment, with validation; one declaration per setting gives the reading,
the environment of child processes and the docs table."""
import ast
import re
from dataclasses import fields
from pathlib import Path

import pytest

from bot.kernel.settings import (
    CONCERNS,
    PROCESS_ENVIRONMENT,
    PROJECT_ROOT,
    Settings,
    child_environment,
    declared_settings,
    load_settings,
)


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


# --- one declaration per setting: load_settings, child_environment and the docs table come from it ---

DECLARED = {name: declared for _, name, declared in declared_settings()}
VARIABLES = {declared.env: name for name, declared in DECLARED.items()}

# A value other than the default for every field, valid together.
NON_DEFAULT = {
    "database_url": "postgresql://xn:pw@db.internal:5432/xiaonuan",
    "tracker_store_url": "postgresql://xn:pw@db.internal:5432/conversations",
    "redis_url": "redis://redis.internal:6379/2",
    "model_dir": Path("/srv/xiaonuan/models"),
    "run_dir": Path("/srv/xiaonuan/run"),
    "meals_config": Path("/srv/xiaonuan/meals.yml"),
    "services_config": Path("/srv/xiaonuan/services.yml"),
    "policies_dir": Path("/srv/xiaonuan/policies"),
    "host": "10.0.0.11",
    "rasa_port": 5005,
    "actions_port": 5055,
    "rasa_workers": 3,
    "channel_secret": "s3cret",
    "action_token": "t0ken",
    "webhook_per_minute": 45,
    "anonymous_per_minute": 7,
    "turns_in_flight": 0,
    "identify_failures_per_resident": 3,
    "identify_failures_per_kiosk": 12,
    "max_message_chars": 500,
    "core_url": "http://core.internal:5005",
    "core_timeout_s": 12.5,
    "timezone": "Asia/Urumqi",
    "fixed_now": "2026-11-23T08:00",
    "kiosk_mode": "home",
    "kiosk_resident_id": 7,
    "kiosk_location": "和平里社区 3 号楼",
    "screen_port": 8091,
    "listen_reminder_s": 6.5,
    "barge_in": True,
    "speech_enabled": False,
    "speech_voice": "sit/yue",
    "speech_rate": 120,
    "speech_volume": 0.25,
    "vosk_model": Path("/srv/vosk"),
    "vosk_model_sha256": "ab" * 32,
    "telegram_bot_token": "123:abc",
    "telegram_api_url": "http://127.0.0.1:8081",
    "telegram_webhook_url": "https://xn.example.org/telegram",
    "telegram_webhook_secret": "hook-secret",
    "telegram_webhook_port": 9443,
    "telegram_messages_per_minute": 5,
    "staff_console_port": 9080,
    "staff_console_secure_cookie": True,
    "retention_days": 30,
    "purge_every_hours": 0.5,
    "community_phone": "010-1234-5678",
    "hotline": "12315",
    "crisis_line": "400-161-9995",
    "escalation_s": (30, 90),
    "escalation_phones": "值班主任 139 0000 0000",
    "escalation_check_every_s": 2.5,
    "outbox_interval_s": 0.25,
    "outbox_retry_base_s": 3.0,
    "devices_port": 9070,
    "device_events_per_minute": 10,
    "device_check_every_s": 30.0,
    "checkin_time": "10:30",
    "checkin_retry_minutes": 15,
    "reminder_miss_minutes": 45,
    "reminder_snooze_minutes": 15,
    "reminder_repeat_minutes": 7,
    "kiosk_look_every_s": 2.5,
    "inactivity_hours": 0.0,
    "daytime": ("07:30", "21:00"),
}

# What child_environment leaves to the parent's environment and the launcher, as before the declarations.
NOT_HANDED_ON = {"rasa_port", "actions_port", "rasa_workers", "model_dir", "run_dir", "speech_enabled", "speech_voice", "speech_rate",
                 "speech_volume", "core_timeout_s", "vosk_model_sha256", "screen_port", "listen_reminder_s",
                 "barge_in", "core_url", "staff_console_port", "staff_console_secure_cookie"}


def test_every_field_belongs_to_one_concern_and_declares_one_variable() -> None:
    assert [concern for concern, _ in CONCERNS] == ["storage", "core", "kiosk", "speech", "Telegram", "console",
                                                     "retention", "care"]
    by_concern = [each.name for _, cls in CONCERNS for each in fields(cls)]
    assert sorted(by_concern) == sorted(each.name for each in fields(Settings)), "a field outside the concerns"
    assert len(by_concern) == len(set(by_concern)), "a field declared in two concerns"
    assert len(VARIABLES) == len(DECLARED), "two fields read the same variable"
    assert all(declared.doc for declared in DECLARED.values())
    assert "XIAONUAN_CORE_TIMEOUT" in VARIABLES


def test_the_values_used_below_differ_from_every_default() -> None:
    defaults = Settings()
    assert set(NON_DEFAULT) == set(DECLARED), "give every new setting a non-default value here"
    same = [name for name, value in NON_DEFAULT.items() if getattr(defaults, name) == value]
    assert not same, f"these values are the defaults: {same}"


def test_every_variable_reads_back_what_it_renders() -> None:
    settings = Settings().with_overrides(**NON_DEFAULT)
    env = {declared.env: declared.render(getattr(settings, name)) for name, declared in DECLARED.items()}
    assert load_settings(env) == settings


def test_child_processes_read_back_every_setting_handed_on() -> None:
    settings = Settings().with_overrides(**NON_DEFAULT)
    handed_on = {name for name, declared in DECLARED.items() if declared.to_children}
    assert set(DECLARED) - handed_on == NOT_HANDED_ON
    env = child_environment(settings, base={"PATH": "/bin"})
    assert env["PATH"] == "/bin" and all(env[name] == value for name, value in PROCESS_ENVIRONMENT.items())
    assert not {DECLARED[name].env for name in NOT_HANDED_ON} & set(env), "a † variable was written"
    back = load_settings(env)
    assert back == Settings().with_overrides(**{name: NON_DEFAULT[name] for name in handed_on})


def test_the_parents_environment_reaches_children_except_what_settings_change_or_unset() -> None:
    base = {"XIAONUAN_NOW": "2026-01-01T09:00", "XIAONUAN_KIOSK_RESIDENT_ID": "4", "XIAONUAN_SPEECH": "0",
            "XIAONUAN_CORE_TIMEOUT": "9"}
    env = child_environment(load_settings({}), base=base)
    assert "XIAONUAN_NOW" not in env and "XIAONUAN_KIOSK_RESIDENT_ID" not in env  # None: removed
    assert env["XIAONUAN_KIOSK_MODE"] == "community"
    assert env["XIAONUAN_SPEECH"] == "0" and env["XIAONUAN_CORE_TIMEOUT"] == "9"  # not handed on: inherited


def test_the_special_reading_rules_hold() -> None:
    assert load_settings({}).database_url == f"sqlite:///{PROJECT_ROOT / 'var' / 'xiaonuan.db'}"
    assert load_settings({"DATABASE_URL": "  ", "XIAONUAN_HOST": ""}) == load_settings({})  # empty: default
    assert load_settings({"TELEGRAM_API_URL": "http://127.0.0.1:8081//"}).telegram_api_url == "http://127.0.0.1:8081"
    assert load_settings({"XIAONUAN_VOSK_MODEL_SHA256": "AB" * 32}).vosk_model_sha256 == "ab" * 32
    home = load_settings({"XIAONUAN_KIOSK_RESIDENT_ID": " 9 "})
    assert (home.kiosk_mode, home.kiosk_resident_id) == ("home", 9)
    given = load_settings({"XIAONUAN_KIOSK_RESIDENT_ID": "9", "XIAONUAN_KIOSK_MODE": "community"})
    assert (given.kiosk_mode, given.kiosk_resident_id) == ("community", 9)
    assert load_settings({"XIAONUAN_ESCALATION": "30，90"}).escalation_s == (30, 90)
    assert load_settings({"XIAONUAN_DAYTIME": "07:00–19:00"}).daytime == ("07:00", "19:00")
    assert load_settings({"XIAONUAN_SPEECH": "off"}).speech_enabled is False
    assert load_settings({"XIAONUAN_BARGE_IN": "Yes"}).barge_in is True


@pytest.mark.parametrize("env,message", [
    ({"XIAONUAN_CORE_TIMEOUT": "soon"}, "XIAONUAN_CORE_TIMEOUT must be a number"),
    ({"XIAONUAN_KIOSK_RESIDENT_ID": "Wang"}, "XIAONUAN_KIOSK_RESIDENT_ID must be a whole number"),
    ({"XIAONUAN_ESCALATION": "60"}, "XIAONUAN_ESCALATION must be two whole numbers of seconds"),
    ({"XIAONUAN_ESCALATION": "180,60"}, "the second not smaller than the first"),
    ({"XIAONUAN_DAYTIME": "08:00"}, "XIAONUAN_DAYTIME must look like 08:00-20:00"),
    ({"XIAONUAN_DAYTIME": "20:00-08:00"}, "XIAONUAN_DAYTIME must start before it ends"),
    ({"XIAONUAN_CHECKIN_TIME": "9am"}, "XIAONUAN_CHECKIN_TIME needs times like 09:00"),
    ({"XIAONUAN_NOW": "tomorrow"}, "XIAONUAN_NOW must look like"),
    ({"XIAONUAN_TIMEZONE": "Mars/Olympus"}, "unknown time zone"),
    ({"XIAONUAN_CONSOLE_PORT": "70000"}, "staff_console_port must be between 0 and 65535"),
    ({"TELEGRAM_WEBHOOK_URL": "https://x.example.org/hook"}, "TELEGRAM_WEBHOOK_SECRET"),
    ({"XIAONUAN_PURGE_EVERY_HOURS": "1000"}, "XIAONUAN_PURGE_EVERY_HOURS must be 0"),
])
def test_each_concern_refuses_its_bad_values_by_name(env, message) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        load_settings(env)


def test_the_docs_settings_table_is_the_one_the_declarations_write() -> None:
    from bot.ops.settings_table import DOCS_PAGE, settings_table, table_in

    generated = settings_table()
    assert table_in(DOCS_PAGE.read_text(encoding="utf-8")) == generated, (
        "docs/operations.md's settings table differs from bot/kernel/settings.py: "
        "run .venv/bin/xiaonuan settings-table --write")
    for variable in VARIABLES:
        assert f"| `{variable}`" in generated
    assert generated.count("†") == len(NOT_HANDED_ON)


def test_the_settings_table_command_prints_the_table(capsys) -> None:
    from bot.ops.cli import build_parser
    from bot.ops.settings_table import settings_table

    args = build_parser().parse_args(["settings-table"])
    assert args.func(args) == 0
    assert capsys.readouterr().out == settings_table()


# Variables the code reads or sets that are not Xiaonuan's settings, and why.
NOT_SETTINGS = {
    "TF_CPP_MIN_LOG_LEVEL": "TensorFlow's log level, quiet in every child",
    "RASA_TELEMETRY_ENABLED": "Rasa's telemetry, off in every child",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "SQLAlchemy 2.0's warning, silenced in every child",
    "PYTHONUNBUFFERED": "children's output reaches the logs at once",
    "SANIC_HOST": "the action server's interface, from XIAONUAN_HOST",
    "SANIC_KEEP_ALIVE_TIMEOUT": "the action server's keep-alive (bot/ops/launcher.py)",
    "SANIC_WORKERS": "Rasa's worker count for the Rasa server, from XIAONUAN_RASA_WORKERS",
    "PGPASSWORD": "pg_dump's password, from DATABASE_URL",
}
ENVIRONMENT_LIKE = re.compile(r"environ|getenv|(^|[._])env$", re.IGNORECASE)
MENTIONED = re.compile(r"\b(?:XIAONUAN|TELEGRAM)_[A-Z0-9_]*[A-Z0-9]\b")


def environment_names(source: str) -> set:
    """Variables a module reads or writes through something environment-like (os.environ, os.getenv,
    env[...], environment.get(...), a dict literal assigned to or updating one), and every XIAONUAN_ /
    TELEGRAM_ name any of its strings mentions (a message telling the operator what to set)."""
    found: set = set()

    def constant_keys(*nodes: ast.AST) -> None:
        for node in nodes:
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Subscript) and ENVIRONMENT_LIKE.search(ast.unparse(node.value)):
            constant_keys(node.slice)
        elif isinstance(node, ast.Call) and isinstance(node.func, (ast.Attribute, ast.Name)):
            func = node.func
            owner = ast.unparse(func.value) if isinstance(func, ast.Attribute) else ""
            name = func.attr if isinstance(func, ast.Attribute) else func.id
            if name == "getenv" and node.args:
                constant_keys(node.args[0])
            elif name in ("get", "pop", "setdefault") and node.args and ENVIRONMENT_LIKE.search(owner):
                constant_keys(node.args[0])
            elif name == "update" and ENVIRONMENT_LIKE.search(owner):
                for argument in node.args:
                    if isinstance(argument, ast.Dict):
                        constant_keys(*argument.keys)
                constant_keys(*(ast.Constant(keyword.arg) for keyword in node.keywords if keyword.arg))
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Dict):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(ENVIRONMENT_LIKE.search(ast.unparse(target)) for target in targets):
                constant_keys(*node.value.keys)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.update(MENTIONED.findall(node.value))
    return found


def test_the_environment_scanner_sees_reads_writes_and_mentions() -> None:
    sample = (
        "import os\nfrom os import getenv\n"
        "a = os.environ.get('A_READ')\nb = getenv('B_READ', '')\nc = os.environ['C_READ']\n"
        "env = {}\nenv['D_WRITTEN'] = '1'\nenv.setdefault('E_WRITTEN', '2')\nenvironment = process.environ()\n"
        "f = environment.get('F_READ')\nCHILD_ENV = {'G_WRITTEN': '1'}\nenv.update({'H_WRITTEN': '1'})\n"
        "print('set XIAONUAN_SOMETHING=1 first')\nconfig.get('NOT_ENVIRONMENT')\n"
    )
    assert environment_names(sample) == {"A_READ", "B_READ", "C_READ", "D_WRITTEN", "E_WRITTEN", "F_READ",
                                         "G_WRITTEN", "H_WRITTEN", "XIAONUAN_SOMETHING"}


def test_every_environment_variable_the_code_uses_is_declared() -> None:
    used: dict = {}
    for top in ("bot", "actions", "voice"):
        for path in sorted((PROJECT_ROOT / top).rglob("*.py")):
            for name in environment_names(path.read_text(encoding="utf-8")):
                used.setdefault(name, []).append(str(path.relative_to(PROJECT_ROOT)))
    undeclared = {name: where for name, where in used.items() if name not in VARIABLES and name not in NOT_SETTINGS}
    assert not undeclared, f"declare these in bot/kernel/settings.py (or list them in NOT_SETTINGS): {undeclared}"
    assert set(NOT_SETTINGS) <= set(used), f"no longer used: {set(NOT_SETTINGS) - set(used)}"
    assert not set(NOT_SETTINGS) & set(VARIABLES)
