"""The one small client every channel uses to talk to the dialogue core."""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Iterable, List, Optional, Tuple

import requests

from bot.kernel.contract import HEALTH_PATH, SECRET_HEADER, WEBHOOK_PATH, ChannelMetadata, SpeechProfile, request_body, speech_profile_in


class CoreUnavailable(RuntimeError):
    """The core could not be reached or did not answer in time."""


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Reply:
    """One answer to show and speak."""

    text: str
    buttons: Tuple[Button, ...] = ()


@dataclass(frozen=True)
class Turn:
    """What the core answered to one message."""

    replies: Tuple[Reply, ...]
    speech: Optional[SpeechProfile] = None

    @property
    def text(self) -> str:
        return "\n".join(reply.text for reply in self.replies)

    @property
    def buttons(self) -> Tuple[Button, ...]:
        return tuple(button for reply in self.replies for button in reply.buttons)


def parse_turn(messages: Iterable[dict]) -> Turn:
    """Turn the core's JSON messages into replies and an optional speech profile."""
    replies: List[Reply] = []
    speech: Optional[SpeechProfile] = None
    for message in messages:
        speech = speech_profile_in(message.get("custom")) or speech
        text = message.get("text")
        buttons = tuple(
            Button(str(b.get("title", "")), str(b.get("payload", "")))
            for b in message.get("buttons") or []
            if isinstance(b, dict)
        )
        if text or buttons:
            replies.append(Reply(text or "", buttons))
    return Turn(tuple(replies), speech)


class CoreClient:
    """Sends a person's words to the core with who they are, and returns the answer."""

    def __init__(self, base_url: str, secret: str, timeout_s: float = 30.0,
                 http: Optional[requests.Session] = None, retries: int = 1, retry_pause_s: float = 0.5) -> None:
        self.base_url = base_url.rstrip("/")
        self.secret = secret
        self.timeout_s = timeout_s
        self.http = http or requests.Session()
        self.retries = retries
        self.retry_pause_s = retry_pause_s

    def send(self, sender_id: str, text: str, metadata: ChannelMetadata,
             message_id: Optional[str] = None) -> Turn:
        """One turn; a failed attempt is retried with the same message id, so it is never acted on twice."""
        body = request_body(sender_id, text, metadata, message_id or uuid.uuid4().hex)
        problem = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.retry_pause_s)
            try:
                answer = self.http.post(self.base_url + WEBHOOK_PATH, json=body, timeout=self.timeout_s,
                                        headers={SECRET_HEADER: self.secret})
            except requests.RequestException as exc:
                problem = str(exc)
                continue
            if answer.status_code == 200:
                return parse_turn(answer.json())
            if answer.status_code == 429:  # too many messages: the core's polite answer, said as it is
                try:
                    return parse_turn(answer.json())
                except ValueError:
                    pass
            problem = f"core answered HTTP {answer.status_code}: {answer.text[:200]}"
            if answer.status_code < 500:
                break  # the request itself is wrong: sending it again will not help
        raise CoreUnavailable(problem)

    def healthy(self) -> bool:
        try:
            return self.http.get(self.base_url + HEALTH_PATH, timeout=2).status_code == 200
        except requests.RequestException:
            return False
