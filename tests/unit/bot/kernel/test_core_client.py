"""The core client's reading of replies, against a real local HTTP server."""
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from bot.kernel.contract import SECRET_HEADER, ChannelMetadata
from bot.kernel.core_client import CoreClient, CoreUnavailable, parse_turn


def test_parse_turn_reads_text_buttons_and_speech() -> None:
    turn = parse_turn([
        {"recipient_id": "a", "custom": {"speech": {"rate_factor": 0.8, "volume": 0.85}}},
        {"recipient_id": "a", "text": "您好", "buttons": [{"title": "订餐", "payload": "/book_meal"}]},
        {"recipient_id": "a", "text": "还有吗"},
    ])
    assert turn.text == "您好\n还有吗"
    assert [(b.title, b.payload) for b in turn.buttons] == [("订餐", "/book_meal")]
    assert (turn.speech.rate_factor, turn.speech.volume) == (0.8, 0.85)


class _Core(BaseHTTPRequestHandler):
    seen = []

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Core.seen.append((self.headers.get(SECRET_HEADER), body))
        status = {"boom": 500, "flood": 429}.get(body["message"], 200)
        text = "您发得太快了，请稍等一分钟再说。" if status == 429 else "收到"
        payload = json.dumps([{"recipient_id": body["sender"], "text": text}]).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture()
def core_url():
    server = HTTPServer(("127.0.0.1", 0), _Core)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_send_presents_secret_and_metadata(core_url) -> None:
    client = CoreClient(core_url, "s3cret", timeout_s=5)
    turn = client.send("kiosk-1", "你好", ChannelMetadata(channel="kiosk", resident_id=1))
    assert turn.text == "收到"
    secret, body = _Core.seen[-1]
    assert secret == "s3cret" and body["metadata"]["resident_id"] == 1 and body["message_id"]


def test_errors_become_core_unavailable(core_url) -> None:
    with pytest.raises(CoreUnavailable, match="500"):
        CoreClient(core_url, "s", timeout_s=5).send("a", "boom", ChannelMetadata())
    with pytest.raises(CoreUnavailable):
        CoreClient("http://127.0.0.1:9", "s", timeout_s=2).send("a", "你好", ChannelMetadata())


def test_a_failed_attempt_is_retried_with_the_same_message_id(core_url) -> None:
    _Core.seen.clear()
    with pytest.raises(CoreUnavailable, match="500"):
        CoreClient(core_url, "s", timeout_s=5, retries=2, retry_pause_s=0.01).send("a", "boom", ChannelMetadata())
    ids = [body["message_id"] for _, body in _Core.seen]
    assert len(ids) == 3 and len(set(ids)) == 1


def test_a_rate_limited_turn_is_the_cores_polite_answer(core_url) -> None:
    turn = CoreClient(core_url, "s3cret", retries=0).send("kiosk-1", "flood", ChannelMetadata(channel="kiosk"))
    assert "稍等" in turn.text
