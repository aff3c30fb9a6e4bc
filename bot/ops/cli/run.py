"""`xiaonuan run | kiosk | console | telegram | demo-voice`: the assistant and its front-ends."""
from __future__ import annotations

import argparse
import logging
import signal
import sys
import time
from pathlib import Path

from bot.kernel.settings import load_settings


def _speaker(settings):  # type: ignore[no-untyped-def]
    from voice.speech import SpeechOutput, audio_output_available, speech_engine_available

    if not settings.speech_enabled:
        return None, "speech output is off (XIAONUAN_SPEECH=0)"
    if not speech_engine_available():
        return None, "speech output is off: install espeak-ng"
    if not audio_output_available():
        return None, "no audio device found: answers are shown as text only"
    try:
        return SpeechOutput().start(), "answers are read aloud"
    except RuntimeError as exc:
        return None, f"speech output is off: {exc}"


def _screen(settings):  # type: ignore[no-untyped-def]
    """The large-text page on loopback; None (with a note) when its port is taken."""
    from voice.screen import Screen, ScreenServer

    try:
        server = ScreenServer(Screen(), settings.host, settings.screen_port).start()
    except OSError as exc:
        print(f"[run] the large-text screen could not start on port {settings.screen_port}: {exc}", flush=True)
        return None
    print(f"[run] large-text screen: {server.url} (open it full-screen in the kiosk's browser)", flush=True)
    return server


def _console(settings, sessions):  # type: ignore[no-untyped-def]
    """The staff console on its port; None (with a note) when the port is taken."""
    from bot.staff.app import ConsoleServer, build_console
    from bot.staff.auth import ensure_first_admin

    first = ensure_first_admin(sessions)
    try:
        server = ConsoleServer(build_console(settings, sessions), settings.host, settings.staff_console_port).start()
    except OSError as exc:
        print(f"[run] the staff console could not start on port {settings.staff_console_port}: {exc}", flush=True)
        return None
    print(f"[run] staff console: {server.url}", flush=True)
    if first is not None:
        print(f"[run]   first login: user {first[0]!r}, one-time password {first[1]!r} "
              "(shown only now; you choose your own password at the first login)", flush=True)
    else:
        print("[run]   log in with your staff account (an admin can reset passwords)", flush=True)
    return server


def _retention(settings, sessions, log: Path):  # type: ignore[no-untyped-def]
    """Apply the retention period a minute after start and then every XIAONUAN_PURGE_EVERY_HOURS.

    Each round goes to `log` and to the audit log, not to the kiosk's screen.
    """
    from bot.kernel.clock import to_local, utcnow
    from bot.ops.lifecycle.retention_worker import RetentionWorker

    if settings.purge_every_hours <= 0:
        print("[run] retention: not scheduled (XIAONUAN_PURGE_EVERY_HOURS=0); run `xiaonuan purge` yourself",
              flush=True)
    else:
        print(f"[run] retention: conversations and delivered notices older than {settings.retention_days} days "
              f"are deleted every {settings.purge_every_hours:g} h, first within a minute (log in {log})", flush=True)

    def record(done) -> None:  # type: ignore[no-untyped-def]
        with log.open("a", encoding="utf-8") as out:
            out.write(f"{to_local(settings, utcnow()):%Y-%m-%d %H:%M:%S} {done.summary()}\n")

    return RetentionWorker(settings, sessions, on_round=record).start()


ROUND_LOGGERS = ("bot.workers.escalation", "bot.workers.care", "bot.workers.outbox", "bot.ops.lifecycle.retention_worker")


def _log_rounds_to(path: Path) -> None:
    """The background rounds write to a file (0600), not over the text kiosk's conversation."""
    from bot.kernel.private_files import private_file

    private_file(path)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for name in ROUND_LOGGERS:
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.propagate = False


def _care(settings, sessions):  # type: ignore[no-untyped-def]
    """The care rounds: unanswered check-ins and silent home kiosks reach staff and family."""
    from actions.db.session import sessions_for
    from bot.workers.care import CareWorker

    trackers = sessions_for(settings.trackers_url) if settings.trackers_url != settings.database_url else None
    hours = f"{settings.inactivity_hours:g} daytime hours" if settings.inactivity_hours > 0 else "off"
    print(f"[run] care rounds: unanswered check-ins after two tries; silent home kiosks after {hours} "
          f"(daytime {'-'.join(settings.daytime)})", flush=True)
    return CareWorker(settings, sessions, trackers).start()


def _reminders(settings, sessions):  # type: ignore[no-untyped-def]
    """The reminder round: reminders fall due, and those not confirmed in time reach the relatives."""
    from bot.workers.reminders import ReminderWorker

    print(f"[run] reminders: relatives told when one is not confirmed in {settings.reminder_miss_minutes} minutes",
          flush=True)
    return ReminderWorker(settings, sessions).start()


def _converse(client, settings, speaker, screen) -> None:  # type: ignore[no-untyped-def]
    """The voice kiosk where a Chinese model and a microphone exist, else the text kiosk."""
    from voice.home_timer import home_timer_for
    from voice.kiosk_loop import KioskTiming, VoiceKiosk
    from voice.listener import open_listener
    from voice.screen import Screen
    from voice.text_kiosk import TextKiosk

    listener, note = open_listener(settings)
    print(f"[run] {note}", flush=True)
    checkin = home_timer_for(settings)
    if checkin is not None:
        print("[run] reminders and the family's messages: said by this home kiosk when due", flush=True)
        print(f"[run] daily check-in: asked at the resident's time (default {settings.checkin_time}), "
              "when staff switched it on or the resident lives alone", flush=True)
    if listener is None:
        TextKiosk(client, settings, speaker, screen=screen, checkin=checkin).run()
        return
    kiosk = VoiceKiosk(client, settings, listener, screen or Screen(), speaker,
                       KioskTiming(reminder_after_s=settings.listen_reminder_s, barge_in=settings.barge_in),
                       checkin=checkin)
    try:
        kiosk.run()
    except KeyboardInterrupt:
        kiosk.stopped.set()


def _stop_on_terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def cmd_run(args: argparse.Namespace) -> int:
    from actions.db.session import sessions_for
    from bot.kernel.core_client import CoreClient
    from bot.ops.launcher import StartupError, plan_workers, start_devices, start_stack, start_telegram
    from bot.ops.training import train
    from bot.workers.escalation import EscalationWorker
    from bot.workers.outbox import OutboxWorker, default_receivers

    settings = load_settings()
    model = train(settings.model_dir)
    signal.signal(signal.SIGTERM, _stop_on_terminate)  # a service manager's stop shuts the servers down too
    started = time.monotonic()
    print("[run] starting the action server and the dialogue core (about half a minute) ...", flush=True)
    settings, workers, redis_process, note = plan_workers(settings)
    print(f"[run] {note}", flush=True)
    try:
        stack = start_stack(settings, model, workers=workers)
    except StartupError as exc:
        print(f"[run] {exc}", file=sys.stderr)
        if redis_process is not None:
            redis_process.terminate()
        return 1
    if redis_process is not None:
        stack.processes.append(redis_process)  # stopped with the servers
    with stack:
        print(f"[run] ready in {time.monotonic() - started:.1f} s: core {stack.rasa_url} "
              f"(loopback only), actions {stack.actions_url}", flush=True)
        speaker = outbox = retention = console = server = escalation = care = reminders = None
        try:  # a stop may come while the helpers below are still starting, too
            speaker, note = _speaker(stack.settings)
            print(f"[run] {note}", flush=True)
            sessions = sessions_for(stack.settings.database_url)
            _log_rounds_to(stack.settings.run_dir / "rounds.log")
            print(f"[run] the background rounds (notices, alerts, check-ins) log to {stack.settings.run_dir / 'rounds.log'}",
                  flush=True)
            outbox = OutboxWorker(sessions, default_receivers(sessions), stack.settings.outbox_interval_s,
                                  stack.settings.outbox_retry_base_s).start()
            retention = _retention(stack.settings, sessions, stack.settings.run_dir / "retention.log")
            escalation = EscalationWorker(stack.settings, sessions).start()
            care = _care(stack.settings, sessions)
            reminders = _reminders(stack.settings, sessions)
            first, top = stack.settings.escalation_s
            print(f"[run] alert ladder: unacknowledged alerts are re-sounded and family told after {first} s, "
                  f"every staff account called after {top} s", flush=True)
            _telegram, note = start_telegram(stack)
            print(f"[run] {note}", flush=True)
            _devices, note = start_devices(stack)
            print(f"[run] {note}", flush=True)
            console = _console(stack.settings, sessions)
            server = _screen(stack.settings)
            client = CoreClient(stack.rasa_url, stack.settings.channel_secret, stack.settings.core_timeout_s)
            _converse(client, stack.settings, speaker, server.screen if server else None)
        except KeyboardInterrupt:  # Ctrl-C or SIGTERM in the middle of a turn: stop cleanly all the same
            print("\n[run] stopping ...", flush=True)
        finally:
            if outbox is not None:
                outbox.stop()
            if retention is not None:
                retention.stop()
            if escalation is not None:
                escalation.stop()
            if care is not None:
                care.stop()
            if reminders is not None:
                reminders.stop()
            if console is not None:
                console.stop()
            if server is not None:
                server.stop()
            if speaker is not None:
                speaker.close()
    print("[run] stopped.")
    return 0


def cmd_kiosk(args: argparse.Namespace) -> int:
    """A text kiosk attached to a core that is already running."""
    from bot.kernel.core_client import CoreClient
    from voice.text_kiosk import TextKiosk

    settings = load_settings()
    if not settings.channel_secret:
        print("set XIAONUAN_CHANNEL_SECRET to the core's channel secret", file=sys.stderr)
        return 2
    speaker, note = _speaker(settings)
    print(f"[kiosk] {note}")
    TextKiosk(CoreClient(args.url, settings.channel_secret, settings.core_timeout_s), settings, speaker).run()
    return 0


def cmd_console(args: argparse.Namespace) -> int:
    """The staff console alone, on a database other processes use."""
    from actions.db.session import sessions_for

    settings = load_settings()
    server = _console(settings, sessions_for(settings.database_url))
    if server is None:
        return 1
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()
    return 0


def cmd_telegram(args: argparse.Namespace) -> int:
    from bot.telegram.app import run_telegram

    logging.getLogger().setLevel(logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return run_telegram(load_settings())


def cmd_demo_voice(args: argparse.Namespace) -> int:
    from bot.ops.demo_voice import main as demo

    return demo()


def add_run_commands(sub: argparse._SubParsersAction) -> None:
    sub.add_parser("run", help="start the servers and a text kiosk in this terminal").set_defaults(func=cmd_run)
    kiosk = sub.add_parser("kiosk", help="a text kiosk for a core that is already running")
    kiosk.add_argument("--url", required=True, help="base URL of the Rasa server, e.g. http://127.0.0.1:5005")
    kiosk.set_defaults(func=cmd_kiosk)
    sub.add_parser("console", help="the staff console alone (make run starts it too)").set_defaults(func=cmd_console)
    sub.add_parser("telegram", help="the Telegram channel for family members, attached to a running core") \
        .set_defaults(func=cmd_telegram)
    sub.add_parser("demo-voice", help="speak a few requests into the kiosk pipeline and save the answers") \
        .set_defaults(func=cmd_demo_voice)
