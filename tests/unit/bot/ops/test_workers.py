"""How many Rasa workers `make run` starts, and the private Redis their conversation locks need."""
from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest
import redis
import yaml

from bot.kernel.settings import load_settings
from bot.ops.launcher import MAX_AUTO_WORKERS, lock_store_config, plan_workers, start_private_redis, worker_count, write_runtime_config


def test_one_worker_per_core_up_to_the_cap_unless_set() -> None:
    settings = load_settings().with_overrides(rasa_workers=0)
    assert [worker_count(settings, cores) for cores in (1, 2, 3, 16)] == [1, 2, 3, MAX_AUTO_WORKERS]
    assert worker_count(settings.with_overrides(rasa_workers=3), cores=1) == 3


def test_one_worker_says_so_and_starts_nothing(tmp_path: Path) -> None:
    settings, workers, process, note = plan_workers(load_settings().with_overrides(rasa_workers=1), tmp_path)
    assert (workers, process) == (1, None) and "one Rasa worker" in note


def test_several_workers_use_the_configured_redis(tmp_path: Path) -> None:
    given = load_settings().with_overrides(rasa_workers=2, redis_url="redis://10.0.0.5:6379/0")
    settings, workers, process, note = plan_workers(given, tmp_path)
    assert (workers, process, settings.redis_url) == (2, None, "redis://10.0.0.5:6379/0")
    assert "REDIS_URL" in note


def test_without_redis_url_a_private_password_protected_redis_is_started(tmp_path: Path) -> None:
    assert shutil.which("redis-server"), "make setup installs redis-server (scripts/bootstrap.sh)"
    settings, workers, process, note = plan_workers(load_settings().with_overrides(rasa_workers=2, redis_url=""),
                                                    tmp_path / "run")
    try:
        assert workers == 2 and process is not None and "private Redis" in note
        url = settings.redis_url
        assert url.startswith("redis://:") and "@127.0.0.1:" in url
        assert redis.Redis.from_url(url).ping()
        port = int(url.rsplit(":", 1)[1].split("/")[0])
        with pytest.raises(redis.exceptions.AuthenticationError):  # the door is locked
            redis.Redis(host="127.0.0.1", port=port).ping()
        config = tmp_path / "run" / "redis.conf"
        assert stat.S_IMODE(config.stat().st_mode) == 0o600  # the password is in a private file
        lock_store = lock_store_config(url)
        assert lock_store["password"] and lock_store["port"] == port
        endpoints, _ = write_runtime_config(tmp_path / "cfg", settings.with_overrides(action_token="t"), 5055)
        written = yaml.safe_load(endpoints.read_text())
        assert written["lock_store"]["type"] == "bot.core.redis_locks.AtomicRedisLockStore"
        assert written["tracker_store"]["type"] == "bot.core.tracker_store.XiaonuanTrackerStore"
        assert written["action_endpoint"]["enable_selective_domain"] is True
    finally:
        if process is not None:
            process.terminate()
            process.wait(10)


def test_without_redis_server_one_worker_and_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    settings, workers, process, note = plan_workers(load_settings().with_overrides(rasa_workers=2, redis_url=""),
                                                    tmp_path)
    assert (workers, process) == (1, None)
    assert "one Rasa worker, not 2" in note and "redis-server" in note
    assert start_private_redis(tmp_path)[0] is None
