"""Finding: the kiosk screen's /press and /state were open: a text/plain POST from a foreign origin pressed
救命, and /state showed what was heard and said to any process; the screen sent no security headers."""
from __future__ import annotations

import json
from typing import Iterator

import pytest
import requests

from voice.screen import TOKEN_HEADER, Screen, ScreenServer


@pytest.fixture()
def served() -> Iterator[ScreenServer]:
    server = ScreenServer(Screen()).start()
    server.screen.show(heard="我叫张桂英，住幸福里5号楼", answer="张奶奶，您好！")
    yield server
    server.stop()


def test_a_foreign_page_cannot_press_sos(served) -> None:
    url = served.url + "press"
    body = json.dumps({"payload": "救命"})
    attempts = [
        {"Content-Type": "text/plain", "Origin": "http://evil.example"},  # the audit's blind POST
        {"Content-Type": "text/plain"},
        {"Content-Type": "application/json", "Origin": "http://evil.example", TOKEN_HEADER: served.token},
        {"Content-Type": "application/json"},
        {"Content-Type": "application/json", TOKEN_HEADER: "guessed"},
        {"Content-Type": "text/plain", TOKEN_HEADER: served.token},
        {"Content-Type": "application/json", TOKEN_HEADER: served.token, "Host": "evil.example"},  # DNS rebinding
        {"Content-Type": "application/json", TOKEN_HEADER: served.token, "Sec-Fetch-Site": "cross-site"},
    ]
    statuses = [requests.post(url, data=body, headers=headers, timeout=5).status_code for headers in attempts]
    assert statuses == [403, 401, 403, 401, 401, 415, 403, 403]
    assert served.screen.presses.empty()
    ok = requests.post(url, data=body, headers={"Content-Type": "application/json", TOKEN_HEADER: served.token,
                                                "Origin": served.url.rstrip("/")}, timeout=5)
    assert ok.status_code == 200 and served.screen.presses.get_nowait() == "救命"  # the page itself still can


def test_state_is_only_for_the_page(served) -> None:
    for headers in ({}, {TOKEN_HEADER: "guessed"}, {TOKEN_HEADER: served.token, "Origin": "http://evil.example"}):
        answer = requests.get(served.url + "state", headers=headers, timeout=5)
        assert answer.status_code in (401, 403) and "张桂英" not in answer.text
    mine = requests.get(served.url + "state", headers={TOKEN_HEADER: served.token}, timeout=5)
    assert mine.status_code == 200 and "张桂英" in mine.json()["heard"]


def test_the_page_carries_its_token_and_every_answer_security_headers(served) -> None:
    page = requests.get(served.url, timeout=5)
    assert served.token in page.text and "__TOKEN__" not in page.text and "__NONCE__" not in page.text
    for answer in (page, requests.get(served.url + "state", timeout=5), requests.get(served.url + "nope", timeout=5),
                   requests.post(served.url + "press", data=b"{}", timeout=5)):
        csp = answer.headers.get("Content-Security-Policy", "")
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert answer.headers.get("X-Frame-Options") == "DENY"
        assert answer.headers.get("X-Content-Type-Options") == "nosniff"
        assert answer.headers.get("Referrer-Policy") == "no-referrer"
    assert "'unsafe-inline'" not in page.headers["Content-Security-Policy"]


def test_two_screens_have_different_tokens() -> None:
    first, second = ScreenServer(Screen()), ScreenServer(Screen())
    try:
        assert first.token != second.token and len(first.token) >= 32
    finally:
        for server in (first, second):
            server._server.server_close()
