"""The kiosk's large-text screen: a local web page served by the kiosk process.

It shows what was heard, the answer in large type, the kiosk's state by colour
and word, big buttons for the main tasks and the core's own buttons, and a red
emergency button. The page polls `/state`; a press posts to `/press`. It
listens on loopback only; the browser runs full-screen on the kiosk itself.

Any local process, or any web page open in a browser on the kiosk, could reach
those two doors: a text/plain POST from a foreign origin pressed 救命, and
`/state` showed what was heard and said. So the server makes a token per run
and writes it into the page it serves; `/state` and `/press` need it in the
`X-Screen-Token` header, a press must be JSON, and a request whose Origin (or
Host) is not the screen's own is refused. Every response carries security
headers, the page's scripts run under a per-response CSP nonce.
"""
from __future__ import annotations

import hmac
import json
import logging
import queue
import secrets
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
TOKEN_HEADER = "X-Screen-Token"


def security_headers(nonce: str = "") -> dict:
    """Headers on every answer: no framing, no sniffing, no referrer, only the page's own scripts."""
    script = f"'nonce-{nonce}'" if nonce else "'none'"
    return {
        "Content-Security-Policy": (f"default-src 'none'; script-src {script}; style-src {script}; "
                                    "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; "
                                    "frame-ancestors 'none'"),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cross-Origin-Resource-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cache-Control": "no-store",
    }


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


def _handler(screen: Screen, token: str, origins: Tuple[str, ...]):  # type: ignore[no-untyped-def]
    hosts = tuple(origin.split("//", 1)[1] for origin in origins)

    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, body: bytes, kind: str, nonce: str = "") -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            for name, value in security_headers(nonce).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def _refuse(self, status: int, reason: str) -> None:
            self._send(status, json.dumps({"error": reason}).encode(), "application/json")

        def _same_origin(self) -> bool:
            """The Host is the screen's own (no DNS rebinding), and so is the Origin when a browser sends one."""
            if (self.headers.get("Host") or "") not in hosts:
                return False
            origin = self.headers.get("Origin")
            if origin is not None and origin not in origins:
                return False
            return (self.headers.get("Sec-Fetch-Site") or "same-origin") in ("same-origin", "none")

        def _token_ok(self) -> bool:
            sent = self.headers.get(TOKEN_HEADER) or ""
            return hmac.compare_digest(sent.encode("utf-8", "replace"), token.encode())

        def do_GET(self) -> None:  # noqa: N802
            if not self._same_origin():
                self._refuse(403, "not from this screen")
            elif self.path in ("/", "/index.html"):
                nonce = secrets.token_urlsafe(16)
                page = PAGE.read_text(encoding="utf-8").replace("__NONCE__", nonce).replace("__TOKEN__", token)
                self._send(200, page.encode(), "text/html; charset=utf-8", nonce)
            elif self.path == "/state":
                if not self._token_ok():
                    self._refuse(401, "the screen's token is required")
                    return
                self._send(200, json.dumps(screen.state.as_json(), ensure_ascii=False).encode(),
                           "application/json; charset=utf-8")
            else:
                self._refuse(404, "not found")

        def do_POST(self) -> None:  # noqa: N802
            if self.path != "/press":
                self._refuse(404, "not found")
                return
            if not self._same_origin():
                self._refuse(403, "not from this screen")
                return
            if not self._token_ok():
                self._refuse(401, "the screen's token is required")
                return
            kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if kind != "application/json":
                self._refuse(415, "a press must be application/json")
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

        def do_PUT(self) -> None:  # noqa: N802
            self._refuse(405, "method not allowed")

        do_DELETE = do_PATCH = do_OPTIONS = do_PUT

        def log_message(self, *args: object) -> None:
            logger.debug("screen: %s", args)

    return Handler


class ScreenServer:
    """Serves the page on loopback from a background thread."""

    def __init__(self, screen: Screen, host: str = "127.0.0.1", port: int = 0) -> None:
        self.screen = screen
        self.token = secrets.token_urlsafe(32)
        self._server = ThreadingHTTPServer((host, port), BaseHTTPRequestHandler)
        bound = self._server.server_address[1]
        names = {host, "127.0.0.1", "localhost"} if host in ("127.0.0.1", "localhost") else {host}
        self.origins = tuple(f"http://{name}:{bound}" for name in sorted(names))
        self._server.RequestHandlerClass = _handler(screen, self.token, self.origins)
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
