"""The kiosk's large-text screen: a local web page served by the kiosk process.

It shows what was heard, the answer in large type, the kiosk's state by colour
and word, big buttons for the main tasks and the core's own buttons, and a red
emergency button. The page polls `/state`; a press posts to `/press`. It
listens on loopback only; the browser runs full-screen on the kiosk itself.
"""
from __future__ import annotations

import json
import logging
import queue
import threading
from dataclasses import asdict, dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import List, Optional, Tuple

logger = logging.getLogger(__name__)

PAGE = Path(__file__).parent / "static" / "kiosk.html"
STATE_WORDS = {"idle": "请说“小暖”或点屏幕", "listening": "正在听", "thinking": "正在想", "speaking": "正在说"}
# The main tasks, always on screen; what a press sends to the core.
MAIN_BUTTONS = (("订餐", "我要订餐"), ("上门服务", "我要约上门服务"), ("政策咨询", "我想问政策"), ("再说一遍", "再说一遍"))
EMERGENCY = ("紧急求助", "救命")  # the same words as saying it: the same alert
MAX_PRESS_BYTES = 2048


@dataclass(frozen=True)
class ScreenState:
    state: str = "idle"
    heard: str = ""
    answer: str = ""
    buttons: Tuple[Tuple[str, str], ...] = ()  # (title, payload) from the core
    note: str = ""  # "没有麦克风，请用下面的按钮" …
    seq: int = 0

    def as_json(self) -> dict:
        data = asdict(self)
        data["state_word"] = STATE_WORDS.get(self.state, "")
        data["buttons"] = [{"title": t, "payload": p} for t, p in self.buttons]
        data["main_buttons"] = [{"title": t, "payload": p} for t, p in MAIN_BUTTONS]
        data["emergency"] = {"title": EMERGENCY[0], "payload": EMERGENCY[1]}
        return data


@dataclass
class Screen:
    """Holds what the page shows and the presses it sent; thread-safe."""

    presses: "queue.Queue[str]" = field(default_factory=queue.Queue)
    _state: ScreenState = field(default_factory=ScreenState)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def show(self, **changes: object) -> ScreenState:
        with self._lock:
            self._state = replace(self._state, seq=self._state.seq + 1, **changes)
            return self._state

    @property
    def state(self) -> ScreenState:
        with self._lock:
            return self._state

    def allowed_payloads(self) -> List[str]:
        state = self.state
        return [p for _, p in MAIN_BUTTONS] + [EMERGENCY[1]] + [p for _, p in state.buttons] + ["listen", "stop"]


def _handler(screen: Screen):  # type: ignore[no-untyped-def]
    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802
            if self.path in ("/", "/index.html"):
                self._send(200, PAGE.read_bytes(), "text/html; charset=utf-8")
            elif self.path == "/state":
                self._send(200, json.dumps(screen.state.as_json(), ensure_ascii=False).encode(),
                           "application/json; charset=utf-8")
            else:
                self._send(404, b'{"error": "not found"}', "application/json")

        def do_POST(self) -> None:  # noqa: N802
            if self.path != "/press":
                self._send(404, b'{"error": "not found"}', "application/json")
                return
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:  # "abc": refused like any other malformed press
                length = -1
            if length <= 0 or length > MAX_PRESS_BYTES:
                self._send(400, b'{"error": "bad request"}', "application/json")
                return
            try:
                payload = json.loads(self.rfile.read(length)).get("payload")
            except (ValueError, AttributeError):
                payload = None
            if payload not in screen.allowed_payloads():
                self._send(400, b'{"error": "unknown button"}', "application/json")
                return
            screen.presses.put(payload)
            self._send(200, b'{"ok": true}', "application/json")

        def log_message(self, *args: object) -> None:
            logger.debug("screen: %s", args)

    return Handler


class ScreenServer:
    """Serves the page on loopback from a background thread."""

    def __init__(self, screen: Screen, host: str = "127.0.0.1", port: int = 0) -> None:
        self.screen = screen
        self._server = ThreadingHTTPServer((host, port), _handler(screen))
        self._thread: Optional[threading.Thread] = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> "ScreenServer":
        self._thread = threading.Thread(target=self._server.serve_forever, name="screen", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
