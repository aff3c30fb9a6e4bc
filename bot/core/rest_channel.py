"""The channel our own adapters use to reach the core: REST with a shared secret.

A request whose metadata names a person (resident, family member, staff) must
carry the channel secret in the `X-Xiaonuan-Secret` header, or it is refused
with 401. Anonymous requests are accepted but their sender ids are kept apart
("anon:" prefix), so nobody can step into an identified conversation.
A request that claims a channel, kiosk mode or location also needs the secret:
the kiosk always presents it, so only our own channels can start the community
kiosk's identification or say where an alert comes from. The channel adds
`verified` to the metadata it passes on (never taken from the caller). Each
sender may send `XIAONUAN_WEBHOOK_PER_MINUTE` messages a minute, and all callers
without the secret together `XIAONUAN_ANONYMOUS_PER_MINUTE`; more get 429 (counted in Redis,
across every worker and replica, when REDIS_URL is set: bot/core/redis_limits.py).
A message sent again with the same `message_id` (a channel retrying after a
timeout) gets the answer it got the first time and is not processed again.
Emergencies are answered first: ordinary turns pass a gate (`bot/core/turn_gate.py`)
that emergency words skip.
"""
from __future__ import annotations

import hmac
import json
import logging
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.core import rasa_compat
from bot.core.redis_limits import rate_limiter
from bot.core.turn_gate import TurnGate, is_urgent
from bot.kernel.contract import MAX_BODY_BYTES, MESSAGE_ID_PATTERN, SECRET_HEADER, SENDER_PATTERN, ChannelMetadata, MetadataError, clean_text
from bot.kernel.settings import Settings, load_settings

logger = logging.getLogger(__name__)

NO_ANSWER = "对不起，我这边刚才出了点小问题，这件事还没有办成。请您再说一遍；着急的话，请打社区电话{community_phone}。"


class BadRequest(ValueError):
    """The request cannot be understood; the text is safe to return to the caller."""


def _error(status: int, message: str) -> HTTPResponse:
    return response.json({"error": message}, status=status)


def parse_request(body: bytes, max_chars: int) -> Dict[str, Any]:
    """Validate a webhook body: sender, message, metadata and an optional message id."""
    if len(body) > MAX_BODY_BYTES:
        raise BadRequest("request body too large")
    try:
        payload = json.loads(body or b"")
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("body must be JSON") from exc
    if not isinstance(payload, dict):
        raise BadRequest("body must be a JSON object")
    sender = payload.get("sender")
    if not isinstance(sender, str) or not SENDER_PATTERN.match(sender):
        raise BadRequest("sender must be 1-128 letters, digits or _.:@-")
    message = payload.get("message", "")
    if message is None:
        message = ""
    if not isinstance(message, str):
        raise BadRequest("message must be text")
    message_id = payload.get("message_id")
    if message_id is not None and (not isinstance(message_id, str) or not MESSAGE_ID_PATTERN.match(message_id)):
        raise BadRequest("message_id must be 1-80 letters, digits or _.:@-")
    try:
        metadata = ChannelMetadata.from_dict(payload.get("metadata"))
    except MetadataError as exc:
        raise BadRequest(f"metadata: {exc}") from exc
    return {"sender": sender, "message": clean_text(message)[:max_chars], "metadata": metadata,
            "message_id": message_id}


def replayed_answer(events: Iterable[Any], message_id: str, recipient: str) -> Optional[List[Dict[str, Any]]]:
    """The answer already given to this message id, or None when the message is new."""
    answer: Optional[List[Dict[str, Any]]] = None
    for event in events:
        if isinstance(event, UserUttered):
            if answer is not None:
                break
            if event.message_id == message_id:
                answer = []
        elif answer is not None and isinstance(event, BotUttered):
            message: Dict[str, Any] = {"recipient_id": recipient}
            if event.text:
                message["text"] = event.text
            for key in ("buttons", "custom", "image", "attachment"):
                if (event.data or {}).get(key):
                    message[key] = event.data[key]
            answer.append(message)
    return answer


class ConversationsUnavailable(RuntimeError):
    """The tracker store cannot be read: the turn is refused rather than started afresh."""


async def handle_once(request: Request, message: UserMessage,
                      on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Optional[List[Dict[str, Any]]]:
    """Process a message unless its id was answered before; returns that earlier answer, or None.

    The check runs under the conversation's lock (Redis when several Rasa servers share the
    conversations), so a message sent again to another server while the first is still
    answering waits, finds the answer and is not processed twice. A turn that gave no answer
    (the action server was down) is processed again when retried.

    Rasa wraps its tracker store in a "fail-safe" one that, when the database is down, quietly
    starts a new conversation in memory: the person would lose what they were doing, and the
    replicas would disagree. The conversation is therefore read from the real store first, and a
    failure refuses the turn (the channel tells the person; the same message id can be retried).
    """
    agent = getattr(request.app.ctx, "agent", None)
    if agent is None or agent.tracker_store is None or not agent.is_ready():
        await on_new_message(message)
        return None
    store = getattr(agent.tracker_store, "_tracker_store", agent.tracker_store)  # past Rasa's fail-safe
    async with agent.lock_store.lock(message.sender_id):
        try:
            tracker = await store.retrieve(message.sender_id)
        except Exception as error:
            raise ConversationsUnavailable(str(error)) from error
        if message.message_id and tracker is not None:
            previous = replayed_answer(tracker.events, message.message_id, message.sender_id)
            if previous:
                return previous
        await agent.processor.handle_message(message)
    return None


def claims_a_place(metadata: ChannelMetadata) -> bool:
    """Metadata only our channels may send: a channel other than plain REST, a kiosk mode, a location."""
    return metadata.channel not in ("rest", "test") or metadata.kiosk_mode is not None or metadata.location is not None


TOO_MANY = "您发得太快了，请稍等一分钟再说。着急的话，请打社区电话{community_phone}；有危险请打120。"


def secret_ok(presented: Optional[str], expected: str) -> bool:
    if not expected or not presented:
        return False
    return hmac.compare_digest(presented.encode(), expected.encode())


class SecureRestInput(InputChannel):
    """REST input for Xiaonuan's channels (kiosk, Telegram adapter, tests)."""

    @classmethod
    def name(cls) -> Text:
        return "xiaonuan"

    def __init__(self, settings: Optional[Settings] = None) -> None:
        self._settings = settings
        self._per_sender: Any = None  # a RateLimiter or SharedRateLimiter
        self._anonymous: Any = None
        self._gate: Optional[TurnGate] = None

    @property
    def gate(self) -> TurnGate:
        if self._gate is None:
            self._gate = TurnGate(self.settings.turns_in_flight)
        return self._gate

    def _within_limits(self, sender: str, verified: bool) -> bool:
        if self._per_sender is None:  # shared by every worker and replica when Redis is at hand
            self._per_sender = rate_limiter(self.settings.redis_url, self.settings.webhook_per_minute, "sender")
            self._anonymous = rate_limiter(self.settings.redis_url, self.settings.anonymous_per_minute, "anonymous")
        if not verified and not self._anonymous.allow("anonymous"):
            return False
        return self._per_sender.allow(sender)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings()
        return self._settings

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        rasa_compat.apply()  # every Rasa server with this channel gets the fixes, however it was started
        webhook = Blueprint("xiaonuan_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                parsed = parse_request(request.body, self.settings.max_message_chars)
            except BadRequest as exc:
                return _error(400, str(exc))
            metadata: ChannelMetadata = parsed["metadata"]
            sender = parsed["sender"]
            verified = secret_ok(request.headers.get(SECRET_HEADER), self.settings.channel_secret)
            if (metadata.names_a_person or claims_a_place(metadata)) and not verified:
                logger.warning("refused channel metadata without a valid secret from %s", request.ip)
                return _error(401, "a valid channel secret is required to speak for a person or a kiosk")
            if not metadata.names_a_person:
                if verified:  # a community kiosk: nobody named yet
                    sender = sender if sender.startswith("anon:") else f"anon:{sender}"
                else:  # kept apart from the kiosks' conversations too, whatever sender it names
                    sender = sender if sender.startswith("anon:web-") else f"anon:web-{sender.removeprefix('anon:')}"
            if not self._within_limits(sender, verified):
                logger.warning("rate limit: refused a message from sender %s", sender)
                return response.json([{"recipient_id": sender, "text": TOO_MANY.format(
                    community_phone=self.settings.community_phone)}], status=429)
            collector = CollectingOutputChannel()
            message = UserMessage(parsed["message"], collector, sender, input_channel=self.name(),
                                  metadata={**metadata.as_dict(), "verified": verified},
                                  message_id=parsed["message_id"])
            try:
                async with self.gate.turn(is_urgent(parsed["message"])):  # emergencies first
                    previous = await handle_once(request, message, on_new_message)
            except ConversationsUnavailable as error:
                logger.error("the conversation store is unavailable (%s); refused a message from %s",
                             str(error).splitlines()[0] if str(error) else "?", sender)
                return _error(503, "the conversation store is unavailable; send the same message again later")
            except Exception:
                logger.exception("the core failed on a message from %s", sender)
                return _error(500, "the assistant could not answer this time")
            if previous is not None:
                return response.json(previous)
            if not collector.messages:
                # Every turn answers something; silence means an action failed (the action server
                # was restarting). Nothing was done, and the same words can be said again.
                logger.error("no answer for a message from %s: is the action server running?", sender)
                return response.json([{"recipient_id": sender, "text": NO_ANSWER.format(
                    community_phone=self.settings.community_phone)}])
            return response.json(collector.messages)

        return webhook
