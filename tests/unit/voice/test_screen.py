"""The large-text screen: its HTTP interface, and the page itself in headless Chromium."""
from __future__ import annotations

import json
import shutil
import socket
import subprocess
import urllib.error
import urllib.request

import pytest

from voice.screen import Screen, ScreenServer

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture()
def served():
    screen = Screen()
    server = ScreenServer(screen).start()
    TOKENS[server.url] = server.token
    yield screen, server.url
    server.stop()


TOKENS: dict = {}


def _post(url: str, body: bytes) -> int:
    request = urllib.request.Request(url + "press", data=body, headers={
        "Content-Type": "application/json", "X-Screen-Token": TOKENS[url]})
    try:
        return urllib.request.urlopen(request, timeout=5).status
    except urllib.error.HTTPError as error:
        return error.code


def test_state_and_presses(served) -> None:
    screen, url = served
    screen.show(state="listening", heard="明天", answer="您想订哪一天的？", buttons=(("明天", "/inform"),))
    state = json.loads(urllib.request.urlopen(urllib.request.Request(
        url + "state", headers={"X-Screen-Token": TOKENS[url]}), timeout=5).read())
    assert (state["state"], state["state_word"], state["answer"]) == ("listening", "正在听", "您想订哪一天的？")
    assert state["buttons"] == [{"title": "明天", "payload": "/inform"}]
    assert _post(url, json.dumps({"payload": "/inform"}).encode()) == 200
    assert _post(url, json.dumps({"payload": "救命"}).encode()) == 200
    assert [screen.presses.get_nowait(), screen.presses.get_nowait()] == ["/inform", "救命"]


@pytest.mark.parametrize("body", [b"", b"not json", b'{"payload": "/restart"}', b'{"payload": 1}', b"x" * 5000])
def test_bad_presses_are_refused(served, body) -> None:
    screen, url = served
    assert _post(url, body) == 400
    assert screen.presses.empty()


@pytest.mark.parametrize("length", ["abc", "-5", "1e3", "²"])
def test_a_malformed_content_length_is_refused_and_the_server_goes_on(served, length) -> None:
    screen, url = served
    host, port = url.split("//")[1].rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as connection:
        connection.sendall(f"POST /press HTTP/1.1\r\nHost: {host}:{port}\r\nX-Screen-Token: {TOKENS[url]}\r\n"
                           f"Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n".encode())
        status = connection.recv(200).split(b" ")[1]
    assert status == b"400"
    assert _post(url, json.dumps({"payload": "救命"}).encode()) == 200
    assert screen.presses.get_nowait() == "救命"


def _contrast(rgb_a: str, rgb_b: str) -> float:
    def luminance(rgb: str) -> float:
        channels = [int(c) / 255 for c in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    high, low = sorted((luminance(rgb_a), luminance(rgb_b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_page_in_headless_chromium(served) -> None:
    from playwright.sync_api import expect, sync_playwright

    assert CHROMIUM, "make test installs Debian's chromium (scripts/bootstrap.sh)"
    screen, url = served
    screen.show(state="speaking", heard="我要订饭", answer="您想订哪一天的？",
                buttons=(("明天", '/inform{"date": "2026-11-24"}'), ("后天", "/inform")))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(url)
        expect(page.locator("#answer")).to_have_text("您想订哪一天的？", timeout=10000)  # no eval under the CSP
        answer = page.eval_on_selector("#answer", "e => [getComputedStyle(e).fontSize, getComputedStyle(e).color,"
                                                  " getComputedStyle(document.body).backgroundColor]")
        assert float(answer[0].rstrip("px")) >= 48
        # Chinese needs a Chinese font, or the page shows empty boxes (make test installs fonts-wqy-microhei).
        assert page.evaluate("document.fonts.check('56px \"WenQuanYi Micro Hei\"', '您好')")
        assert shutil.which("fc-list") and "WenQuanYi" in subprocess.run(
            ["fc-list", ":lang=zh"], capture_output=True, text=True, timeout=30).stdout
        assert _contrast(answer[1], answer[2]) >= 7
        state = page.eval_on_selector("#state", "e => [e.textContent, getComputedStyle(e).color,"
                                                " getComputedStyle(e).backgroundColor]")
        assert state[0] == "正在说" and _contrast(state[1], state[2]) >= 7
        titles = page.eval_on_selector_all("button", "bs => bs.map(b => b.textContent)")
        assert titles[0] == "紧急求助", "the emergency button is first in the tab order"
        assert titles[1:4] == ["停一下", "明天", "后天"]  # while it speaks, a big stop button comes next
        assert {"订餐", "上门服务", "政策咨询", "再说一遍", "紧急求助"} <= set(titles)
        red = page.eval_on_selector("#emergency", "e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor,"
                                                  " getComputedStyle(e).fontSize]")
        assert _contrast(red[0], red[1]) >= 7 and float(red[2].rstrip("px")) >= 48
        page.click("text=停一下")
        page.click("text=明天")
        page.click("#emergency")
        page.click("#answer")  # a touch starts listening
        page.keyboard.press("Enter")  # so does a key
        screen.show(state="listening", answer="好的。")
        expect(page.locator("#state")).to_have_attribute("data-state", "listening", timeout=10000)
        browser.close()
    presses = [screen.presses.get(timeout=5) for _ in range(5)]
    assert presses == ["stop", '/inform{"date": "2026-11-24"}', "救命", "listen", "listen"]
