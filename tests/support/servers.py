"""Throwaway PostgreSQL and Redis servers on loopback, for tests and benchmarks of the scale-out layout.

Each server lives in a temporary directory, listens on a free loopback port and is gone after
`stop()`. PostgreSQL refuses to run as root, so as root its directory belongs to the `postgres`
system user (made by Debian's package) and its programs run as that user.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import List, Optional

from bot.ops.launcher import free_port


class ServerUnavailable(RuntimeError):
    """The server's programs are missing or it did not start; the message says what to install or read."""


def _postgres_bin() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    found = shutil.which("pg_ctl")
    if found:
        candidates.append(found)
    if not candidates:
        raise ServerUnavailable("PostgreSQL is not installed: apt-get install postgresql (make setup does)")
    return Path(os.path.realpath(candidates[0])).parent


class ThrowawayPostgres:
    """A private PostgreSQL cluster: trust authentication on 127.0.0.1, no fsync (test data only)."""

    def __init__(self, user: str = "xiaonuan") -> None:
        self.user = user
        self.port = 0
        self.dir: Optional[Path] = None
        self._options = ""
        self._bin = _postgres_bin()
        self._run_as: List[str] = []

    @property
    def url(self) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/postgres"

    def database_url(self, name: str) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{name}"

    def _run(self, *args: str, timeout: float = 120) -> None:
        done = subprocess.run([*self._run_as, *args], capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise ServerUnavailable(f"{' '.join(args[:2])} failed: {done.stdout}{done.stderr}")

    def start(self) -> "ThrowawayPostgres":
        self.dir = Path(tempfile.mkdtemp(prefix="xiaonuan-pg-"))
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam("postgres")
            except KeyError as exc:
                raise ServerUnavailable("running as root needs the postgres user (apt-get install postgresql)") from exc
            os.chown(self.dir, account.pw_uid, account.pw_gid)
            self._run_as = ["runuser", "-u", "postgres", "--"]
        data, sockets = self.dir / "data", self.dir
        self._run(str(self._bin / "initdb"), "-D", str(data), "-U", self.user, "-A", "trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")
        self.port = free_port("127.0.0.1")
        self._options = (f"-p {self.port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300")
        self._start()
        return self

    def _start(self) -> None:
        assert self.dir is not None
        self._run(str(self._bin / "pg_ctl"), "-D", str(self.dir / "data"), "-o", self._options,
                  "-l", str(self.dir / "server.log"), "-w", "-t", "60", "start")

    def create_database(self, name: Optional[str] = None, template: Optional[str] = None) -> str:
        """A new empty database (or a copy of `template`); returns its URL."""
        name = name or f"t_{uuid.uuid4().hex[:12]}"
        clause = f" TEMPLATE {template}" if template else ""
        self.execute(f'CREATE DATABASE "{name}"{clause}')
        return self.database_url(name)

    def drop_database(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def execute(self, sql: str) -> None:
        import psycopg2

        connection = psycopg2.connect(self.url)
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(sql)
        finally:
            connection.close()

    def pause(self) -> None:
        """Stop the server, keeping its data (a database outage)."""
        assert self.dir is not None
        self._run(str(self._bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop")

    def resume(self) -> None:
        self._start()

    def stop(self) -> None:
        if self.dir is None:
            return
        subprocess.run([*self._run_as, str(self._bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate",
                        "-w", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None


class ThrowawayRedis:
    """A Redis server without persistence on a free loopback port."""

    def __init__(self) -> None:
        self.port = 0
        self.process: Optional[subprocess.Popen] = None
        self.dir: Optional[Path] = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "ThrowawayRedis":
        binary = shutil.which("redis-server")
        if not binary:
            raise ServerUnavailable("Redis is not installed: apt-get install redis-server (make setup does)")
        self.dir = Path(tempfile.mkdtemp(prefix="xiaonuan-redis-"))
        self.port = free_port("127.0.0.1")
        log = open(self.dir / "server.log", "ab")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.dir)], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        import redis

        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerUnavailable(f"redis-server exited; see {self.dir / 'server.log'}")
            try:
                if redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1).ping():
                    return self
            except redis.exceptions.ConnectionError:
                time.sleep(0.1)
        raise ServerUnavailable(f"redis-server did not answer; see {self.dir / 'server.log'}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None
