"""The benchmarks' own arithmetic and load generator, on the smallest configuration (no timing asserted)."""
import asyncio
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.common import percentile
from bench.load import CONVERSATION_KINDS, LoadPlan, TurnResult, by_position, conversation, run_load, summarise
from bench.processes import listen_overflows, memory_of
from bench.soak import growth


def _turn(latency: float, error: str = "", measured: bool = True, position: int = 1, started: float = 0.0):
    return TurnResult(1, "你好", started, latency, error, measured=measured, position=position)


def test_summary_counts_errors_apart_from_latency() -> None:
    results = [_turn(100, started=0.0), _turn(200, started=0.1), _turn(300, started=0.2),
               _turn(0, "timeout", started=0.3), _turn(0, "HTTP 500", started=0.4), _turn(0, "HTTP 500", started=0.5),
               _turn(5000, measured=False, started=0.6)]
    summary = summarise(results, seconds=2.0)
    assert (summary.turns, summary.answered, summary.error_count) == (6, 3, 3)
    assert summary.errors == {"timeout": 1, "HTTP 500": 2}
    assert summary.errors_text() == "2 HTTP 500, 1 timeout"
    assert (summary.p50, summary.maximum, summary.mean) == (200, 300, 200)
    assert summary.throughput == 1.5  # answered turns only


def test_summary_time_span_defaults_to_first_send_to_last_answer() -> None:
    summary = summarise([_turn(500, started=10.0), _turn(1000, started=11.0)])
    assert summary.seconds == 2.0


def test_percentile_is_nearest_rank() -> None:
    values = list(range(1, 101))
    assert (percentile(values, 0.5), percentile(values, 0.95), percentile(values, 0.99)) == (51, 95, 99)


def test_by_position_groups_turns_by_their_number_in_the_conversation() -> None:
    results = [_turn(10 * p, position=p) for p in range(1, 26)]
    groups = by_position(results, 10)
    assert [(low, high, s.turns) for low, high, s in groups] == [(1, 10, 10), (11, 20, 10), (21, 30, 5)]


def test_every_booking_conversation_cancels_what_it_booked() -> None:
    for slot in range(12):
        steps = [step.text for step in conversation(2, slot)]
        booked = steps[0].removeprefix("帮我订").removesuffix("一份去食堂吃")
        assert steps[3] == f"{booked}不要了" and steps[4] == "对"
    assert all(conversation(kind, 0) for kind in range(CONVERSATION_KINDS))


def test_growth_reads_as_mib_and_share() -> None:
    assert growth(500.0, 510.0) == "+10 MiB (+2.0%)"


def test_process_readings_work_here() -> None:
    import os

    assert memory_of(os.getpid()).rss > 0
    assert listen_overflows() >= 0


class _Stub(BaseHTTPRequestHandler):
    """A core that fails some messages: 500 for the weather, too slow for fish."""

    answer = "".join(step.expect for kind in range(CONVERSATION_KINDS) for step in conversation(kind, 0))

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if body["message"] == "今天有鱼吗":
            time.sleep(1.0)
        status = 500 if body["message"] == "明天会下雨吗" else 200
        payload = json.dumps([{"recipient_id": body["sender"], "text": self.answer}]).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting: that is the timeout under test

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def stub_core():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Stub)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_load_counts_timeouts_and_server_errors(stub_core: str) -> None:
    plan = LoadPlan(stub_core, "secret", residents=[1, 2, 3], budget=60, timeout_s=0.3, turns_per_sender=4)
    results = asyncio.run(run_load(plan, 3))
    summary = summarise(results)
    assert summary.turns == 60
    assert summary.errors.get("HTTP 500", 0) >= 1 and summary.errors.get("timeout", 0) >= 1
    assert summary.answered + summary.error_count == 60
    assert summary.unexpected == 0
    assert {r.kiosk for r in results} == {0, 1, 2}
    # a new sender id once 4 turns were sent, at the end of the conversation under way (at most 5 turns)
    assert max(r.position for r in results) < 4 + 5


def test_action_server_waits_for_a_busy_core_to_write_its_request() -> None:
    """Found by bench/concurrency.py: with Sanic's 5 s default, actions failed under 200 conversations."""
    from bot.kernel.settings import load_settings
    from bot.ops.launcher import server_environment

    assert int(server_environment(load_settings({}))["SANIC_KEEP_ALIVE_TIMEOUT"]) >= 60


def test_the_retention_benchmark_runs_on_a_small_district() -> None:
    import subprocess
    import sys

    from bot.kernel.settings import PROJECT_ROOT

    done = subprocess.run([sys.executable, "bench/retention.py", "--conversations", "60", "--no-append"],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    first = next(line for line in done.stdout.splitlines() if line.startswith("| first |"))
    cells = [cell.strip() for cell in first.strip("|").split("|")]
    assert int(cells[2]) > 0 and int(cells[3].replace(",", "")) > 0 and int(cells[4]) > 0  # it deleted something
    assert "| next (nothing to do) |" in done.stdout and done.stdout.rstrip().endswith("| 0 | 0 | 0 | 0 |")


def test_the_migration_benchmark_upgrades_a_small_first_release_database() -> None:
    import subprocess
    import sys

    from bot.kernel.settings import PROJECT_ROOT

    done = subprocess.run([sys.executable, "bench/migrate.py", "--rows", "40", "--no-append"],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    from actions.db.schema import head_revision

    assert f"| upgrade 0001 → {head_revision()} (0002, " in done.stdout or \
        f"| upgrade 0001 → {head_revision()} (0002), one transaction |" in done.stdout
    assert "40 alerts, 40 conversations" in done.stdout
