"""A stand-in for the Telegram Bot API, served over real HTTP on loopback.

Tests run the real python-telegram-bot (PTB) stack against it::

    with BotApiStandin() as api:
        app = (
            ApplicationBuilder()
            .token(api.token)
            .base_url(f"{api.url}/bot")
            .base_file_url(f"{api.url}/file/bot")
            .build()
        )
        ...
        api.push_update(api.text_update(42, "/start"))
        [reply] = await api.wait_for_sent_async(42)

Wire format, as PTB 22 uses it (see ``telegram/_bot.py`` and ``telegram/request``):

* API calls are ``POST {base_url}{token}/{methodName}``. Parameters arrive as an
  ``application/x-www-form-urlencoded`` body, or as ``multipart/form-data`` when a
  file is uploaded. String values are sent verbatim; every other value (ints,
  bools, dicts, lists) is JSON-encoded, so ``chat_id=42`` arrives as ``"42"`` and
  ``reply_markup`` as a JSON object string. Query strings and JSON bodies are
  accepted too, as the real Bot API does.
* Successful answers are ``{"ok": true, "result": ...}``; PTB only reads
  ``result``. Errors are decided by the HTTP status: 401/404 -> ``InvalidToken``,
  400 -> ``BadRequest``, 403 -> ``Forbidden``, 409 -> ``Conflict``, anything else
  (502 included) -> ``NetworkError``; ``parameters.retry_after`` -> ``RetryAfter``.
* Files are downloaded with ``GET {base_file_url}{token}/{file_path}``, where
  ``file_path`` is the relative path returned by ``getFile``.

Blocking helpers (``wait_for``...) must not be called from a coroutine that
shares its event loop with a running PTB ``Application``: the loop would stall
and the bot could never answer. Use the ``*_async`` variants there.
"""
from __future__ import annotations

import asyncio
import copy
import hashlib
import itertools
import json
import re
import threading
import time
import traceback
from dataclasses import dataclass
from email.message import Message as _MimeHeaders
from email.parser import BytesHeaderParser
from email.policy import HTTP as _HTTP_POLICY
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple, Union
from urllib.parse import parse_qsl, unquote, urlsplit

import requests

DEFAULT_TOKEN = "123456:TEST-TOKEN"
BOT_USERNAME = "xiaonuan_test_bot"
BOT_FIRST_NAME = "小暖"
DEFAULT_USER_FIRST_NAME = "丽"
SECRET_TOKEN_HEADER = "X-Telegram-Bot-Api-Secret-Token"

# Limits the real Bot API enforces; breaking them is a bug worth catching in tests.
MAX_MESSAGE_LENGTH = 4096  # UTF-16 code units
MAX_CALLBACK_DATA_BYTES = 64
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_COMMAND_IN_TEXT = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)

_CONFLICT_WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
)
_CONFLICT_OTHER_POLL = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)

_API_PATH = re.compile(r"^/bot(?P<token>[^/]*)/(?P<method>[A-Za-z0-9_]*)$")
_FILE_PATH = re.compile(r"^/file/bot(?P<token>[^/]*)/(?P<path>.+)$")

# Form values are strings on the wire. These parameters are integers/booleans in the
# Bot API and are converted back; JSON objects/arrays are decoded for every parameter
# except the free-text ones below (a message may well start with "[").
_INTEGER_PARAMS = frozenset(
    {
        "chat_id", "message_id", "message_thread_id", "reply_to_message_id", "offset",
        "limit", "timeout", "duration", "cache_time", "max_connections", "width", "height",
    }
)
_BOOLEAN_PARAMS = frozenset(
    {
        "disable_notification", "protect_content", "show_alert", "drop_pending_updates",
        "allow_sending_without_reply", "disable_web_page_preview", "has_spoiler",
    }
)
_FREE_TEXT_PARAMS = frozenset(
    {
        "text", "caption", "callback_query_id", "inline_message_id", "url", "secret_token",
        "action", "parse_mode", "file_id", "language_code", "ip_address", "voice",
    }
)

Json = Dict[str, Any]

_webhook_update_ids = itertools.count(900_000_001)
# Each stand-in numbers its polled updates from its own base: Telegram processes started against one shared
# database (one per test module) record the update ids they handled, and a new stand-in starting at the same
# id again would have its first updates taken for repeats and dropped.
_polling_bases = itertools.count(10_001, 100_000)


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class UploadedFile:
    """One file part of a multipart request."""

    field: str
    filename: str
    mime_type: str
    data: bytes


@dataclass
class ApiCall:
    """One recorded request.

    ``at`` is the ``time.monotonic()`` of the request's arrival; the call is recorded
    once its answer is ready, so ``status`` and ``result`` are always final.
    ``method`` is the canonical Bot API name (``sendMessage``), or the synthetic name
    ``downloadFile`` for ``GET /file/bot<token>/<path>``.
    """

    method: str
    params: Dict[str, Any]
    files: Dict[str, UploadedFile]
    at: float
    status: int = 200
    result: Any = None
    description: str = ""

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def chat_id(self) -> Union[int, str, None]:
        return self.params.get("chat_id")

    @property
    def text(self) -> Optional[str]:
        """``text`` of a message, or ``caption`` of a media message."""
        return self.params.get("text", self.params.get("caption"))

    @property
    def reply_markup(self) -> Optional[Json]:
        markup = self.params.get("reply_markup")
        return markup if isinstance(markup, dict) else None

    @property
    def buttons(self) -> List[Json]:
        """All buttons of the reply markup (inline or reply keyboard), row by row."""
        markup = self.reply_markup or {}
        rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
        return [button for row in rows for button in row]

    def summary(self) -> str:
        shown = {k: v for k, v in self.params.items() if k != "reply_markup"}
        line = f"{self.method} -> {self.status} {shown}"
        if self.buttons:
            line += f" buttons={[b.get('text') for b in self.buttons]}"
        if self.files:
            line += " files=" + ", ".join(
                f"{f.field}:{f.filename} ({f.mime_type}, {len(f.data)} B)" for f in self.files.values()
            )
        if self.description:
            line += f" [{self.description}]"
        return line

    def __repr__(self) -> str:
        return f"<ApiCall {self.summary()}>"


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes

    def as_result(self) -> Json:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }


@dataclass
class _Failure:
    status: int
    description: str
    retry_after: Optional[int] = None


@dataclass
class _Response:
    status: int
    body: bytes
    content_type: str = "application/json"


class _ApiError(Exception):
    """Raised by method implementations; becomes an ``{"ok": false}`` answer."""

    def __init__(self, status: int, description: str, retry_after: Optional[int] = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


def _bad_request(reason: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {reason}")


# --------------------------------------------------------------------------- stand-in


class BotApiStandin:
    """The Telegram Bot API on ``http://127.0.0.1:<free port>``, for one bot token."""

    def __init__(self, token: str = DEFAULT_TOKEN) -> None:
        self.token = token
        prefix = token.split(":", 1)[0]
        self.bot_user: Json = {
            "id": int(prefix) if prefix.isdigit() else 123456,
            "is_bot": True,
            "first_name": BOT_FIRST_NAME,
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self._cond = threading.Condition()
        self._server: Optional[_StandinServer] = None
        self._thread: Optional[threading.Thread] = None
        self._closing = False

        self._calls: List[ApiCall] = []
        self._server_errors: List[str] = []
        self._updates: List[Json] = []
        self._next_update_id = next(_polling_bases)
        self._allowed_updates: Optional[List[str]] = None
        self._poll_generation = 0

        self._last_message_id: Dict[Union[int, str], int] = {}
        self._last_incoming_id: Dict[Union[int, str], int] = {}
        self._messages: Dict[Tuple[Union[int, str], int], Json] = {}
        self._chats: Dict[Union[int, str], Json] = {}
        self._files: Dict[str, _StoredFile] = {}
        self._file_counter = itertools.count(1)
        self._callback_counter = itertools.count(1)

        self._unreachable = False
        self._failures: Dict[str, List[_Failure]] = {}
        self._webhook: Json = {}
        self._commands: Dict[str, List[Json]] = {}

        self._methods: Dict[str, Callable[[Json, Dict[str, UploadedFile]], Any]] = {
            "getMe": self._api_get_me,
            "getUpdates": self._api_get_updates,
            "setWebhook": self._api_set_webhook,
            "deleteWebhook": self._api_delete_webhook,
            "getWebhookInfo": self._api_get_webhook_info,
            "setMyCommands": self._api_set_my_commands,
            "getMyCommands": self._api_get_my_commands,
            "deleteMyCommands": self._api_delete_my_commands,
            "sendMessage": self._api_send_message,
            "sendVoice": self._api_send_voice,
            "sendChatAction": self._api_send_chat_action,
            "answerCallbackQuery": self._api_answer_callback_query,
            "editMessageText": self._api_edit_message_text,
            "editMessageReplyMarkup": self._api_edit_message_reply_markup,
            "getFile": self._api_get_file,
        }
        # The Bot API matches method names case-insensitively.
        self._method_names = {name.lower(): name for name in self._methods}

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> "BotApiStandin":
        if self._server is not None:
            raise RuntimeError("BotApiStandin is already running")
        self._closing = False
        self._server = _StandinServer(("127.0.0.1", 0), _RequestHandler, self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="bot-api-standin",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        with self._cond:
            self._closing = True  # releases held long polls
            self._cond.notify_all()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> "BotApiStandin":
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("BotApiStandin is not running; call start() first")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # ------------------------------------------------------------------ recording

    def calls(self, method: Optional[str] = None) -> List[ApiCall]:
        """Recorded calls in order of arrival, optionally of one method."""
        with self._cond:
            found = [c for c in self._calls if method is None or c.method == method]
        return sorted(found, key=lambda c: c.at)

    def sent(self, chat_id: Union[int, str, None] = None) -> List[ApiCall]:
        """Successful ``sendMessage``/``sendVoice`` calls, optionally to one chat."""
        with self._cond:
            return self._sent_locked(chat_id)

    def wait_for(self, predicate: Callable[[ApiCall], bool], timeout: float = 10.0) -> ApiCall:
        """Block until a recorded call (past or future) satisfies ``predicate``; return it.

        Lookup errors inside the predicate (KeyError, IndexError, TypeError,
        AttributeError) count as "no match".
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                match = self._find_locked(predicate)
                if match is not None:
                    return match
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(self._timeout_report(f"no call matched {predicate!r} within {timeout}s"))
                self._cond.wait(remaining)

    def wait_for_sent(self, chat_id: Union[int, str], count: int = 1, timeout: float = 10.0) -> List[ApiCall]:
        """Block until at least ``count`` messages were sent to ``chat_id``; return them all."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                sent = self._sent_locked(chat_id)
                if len(sent) >= count:
                    return sent
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(self._sent_timeout_report(chat_id, count, timeout, len(sent)))
                self._cond.wait(remaining)

    async def wait_for_async(
        self, predicate: Callable[[ApiCall], bool], timeout: float = 10.0, *, interval: float = 0.02
    ) -> ApiCall:
        """``wait_for`` that keeps the event loop running (for use next to a PTB Application)."""
        deadline = time.monotonic() + timeout
        while True:
            with self._cond:
                match = self._find_locked(predicate)
            if match is not None:
                return match
            if time.monotonic() >= deadline:
                with self._cond:
                    raise AssertionError(self._timeout_report(f"no call matched {predicate!r} within {timeout}s"))
            await asyncio.sleep(interval)

    async def wait_for_sent_async(
        self, chat_id: Union[int, str], count: int = 1, timeout: float = 10.0, *, interval: float = 0.02
    ) -> List[ApiCall]:
        """``wait_for_sent`` that keeps the event loop running."""
        deadline = time.monotonic() + timeout
        while True:
            sent = self.sent(chat_id)
            if len(sent) >= count:
                return sent
            if time.monotonic() >= deadline:
                with self._cond:
                    raise AssertionError(self._sent_timeout_report(chat_id, count, timeout, len(sent)))
            await asyncio.sleep(interval)

    def clear(self) -> None:
        """Forget the recorded calls (pending updates, files and messages are kept)."""
        with self._cond:
            self._calls.clear()
            self._server_errors.clear()

    @property
    def server_errors(self) -> List[str]:
        """Tracebacks of bugs in the stand-in itself (answered with HTTP 500)."""
        with self._cond:
            return list(self._server_errors)

    @property
    def webhook(self) -> Json:
        """The webhook settings last given to ``setWebhook`` (empty when none)."""
        with self._cond:
            return copy.deepcopy(self._webhook)

    def pending_updates(self) -> List[Json]:
        """Updates queued and not yet confirmed by a ``getUpdates`` offset."""
        with self._cond:
            return copy.deepcopy(self._updates)

    # ------------------------------------------------------------------ failure injection

    def set_unreachable(self, unreachable: bool = True) -> None:
        """While on, every request (downloads too) is answered ``502 Bad Gateway``."""
        with self._cond:
            self._unreachable = unreachable
            self._cond.notify_all()  # held long polls fail as well

    def fail_next(
        self,
        method: str,
        count: int = 1,
        status: int = 502,
        *,
        description: Optional[str] = None,
        retry_after: Optional[int] = None,
    ) -> None:
        """Answer the next ``count`` calls of ``method`` with ``status``.

        ``retry_after`` adds ``parameters.retry_after`` (use with 429 for PTB's ``RetryAfter``).
        """
        if description is None:
            if status == 429 and retry_after is not None:
                description = f"Too Many Requests: retry after {retry_after}"
            else:
                description = HTTPStatus(status).phrase
        failure = _Failure(status, description, retry_after)
        with self._cond:
            self._failures.setdefault(method.lower(), []).extend([failure] * count)

    # ------------------------------------------------------------------ files

    def add_file(
        self, file_id: str, data: bytes, file_path: Optional[str] = None, *, file_unique_id: Optional[str] = None
    ) -> Json:
        """Make ``data`` available to ``getFile(file_id)`` and the download URL; return the getFile result."""
        with self._cond:
            stored = _StoredFile(
                file_id=file_id,
                file_unique_id=file_unique_id or _unique_id(file_id),
                file_path=file_path or f"documents/file_{next(self._file_counter)}",
                data=bytes(data),
            )
            self._files[file_id] = stored
            return stored.as_result()

    # ------------------------------------------------------------------ feeding updates

    def push_update(self, update: Mapping[str, Any]) -> int:
        """Queue an update for ``getUpdates``; assigns ``update_id`` if missing. Returns the id."""
        update = copy.deepcopy(dict(update))
        with self._cond:
            if "update_id" not in update:
                update["update_id"] = self._next_update_id
            self._next_update_id = max(self._next_update_id, update["update_id"] + 1)
            self._updates.append(update)
            self._cond.notify_all()
            return update["update_id"]

    def push_raw(self, update: Mapping[str, Any]) -> int:
        """Queue ``update`` exactly as given, e.g. to replay an already delivered update_id.

        Like every queued update it is handed to pollers asking with an offset at or
        below its id, e.g. a freshly started Application (which polls with offset 0);
        a poller whose offset is already past it confirms (drops) it instead.
        """
        if "update_id" not in update:
            raise ValueError("push_raw needs an update with an update_id; use push_update to assign one")
        with self._cond:
            self._updates.append(copy.deepcopy(dict(update)))
            self._cond.notify_all()
            return update["update_id"]

    def text_update(
        self,
        chat_id: int,
        text: str,
        user_first_name: str = DEFAULT_USER_FIRST_NAME,
        *,
        entities: Optional[List[Json]] = None,
        **sender: Any,
    ) -> Json:
        """A private text message. A leading ``/command`` gets its ``bot_command`` entity.

        ``sender`` keywords (all builders): user_id, last_name, username,
        language_code, message_id, date.
        """
        message = self._incoming_message(chat_id, user_first_name, **sender)
        message["text"] = text
        if entities is None:
            entities = _command_entities(text)
        if entities:
            message["entities"] = entities
        return {"message": message}

    def edited_text_update(
        self,
        chat_id: int,
        text: str,
        user_first_name: str = DEFAULT_USER_FIRST_NAME,
        *,
        message_id: Optional[int] = None,
        edit_date: Optional[int] = None,
        **sender: Any,
    ) -> Json:
        """An ``edited_message``; by default edits the user's latest message in the chat."""
        if message_id is None:
            with self._cond:
                message_id = self._last_incoming_id.get(_chat_key(chat_id))
        message = self._incoming_message(chat_id, user_first_name, message_id=message_id, **sender)
        message["date"] = message["date"] - 30
        message["edit_date"] = edit_date or int(time.time())
        message["text"] = text
        entities = _command_entities(text)
        if entities:
            message["entities"] = entities
        return {"edited_message": message}

    def callback_update(
        self,
        chat_id: int,
        data: str,
        message_id: Optional[int] = None,
        user_first_name: str = DEFAULT_USER_FIRST_NAME,
        **sender: Any,
    ) -> Json:
        """A button press. The pressed message is the bot's message ``message_id``, by
        default the latest bot message in the chat with an inline keyboard; if there is
        none, a bot message is made up (and remembered, so it can be edited)."""
        key = _chat_key(chat_id)
        user = self._user(chat_id, user_first_name, **_user_fields(sender))
        with self._cond:
            if message_id is None:
                message_id = self._latest_keyboard_message_id(key)
            message = self._messages.get((key, message_id)) if message_id is not None else None
            if message is None:
                if message_id is None:
                    message_id = self._new_message_id(key)
                message = {
                    "message_id": message_id,
                    "from": dict(self.bot_user),
                    "chat": self._chat(key),
                    "date": int(time.time()) - 5,
                    "text": "…",
                    "reply_markup": {"inline_keyboard": [[{"text": data, "callback_data": data}]]},
                }
                self._messages[(key, message_id)] = message
            callback_id = str(4_382_000_000_000_000_000 + next(self._callback_counter))
            return {
                "callback_query": {
                    "id": callback_id,
                    "from": user,
                    "message": copy.deepcopy(message),
                    "chat_instance": str(-(7_000_000_000_000_000_000 + _stable_number(key))),
                    "data": data,
                }
            }

    def voice_update(
        self,
        chat_id: int,
        file_id: str,
        duration: int = 2,
        mime_type: str = "audio/ogg",
        user_first_name: str = DEFAULT_USER_FIRST_NAME,
        *,
        data: Optional[bytes] = None,
        file_size: Optional[int] = None,
        **sender: Any,
    ) -> Json:
        """A voice message. Pass ``data`` to also register the audio for ``getFile``."""
        if data is not None:
            self.add_file(file_id, data, file_path=f"voice/file_{next(self._file_counter)}.oga")
        message = self._incoming_message(chat_id, user_first_name, **sender)
        voice = {
            "file_id": file_id,
            "file_unique_id": self._file_unique_id(file_id),
            "duration": duration,
            "mime_type": mime_type,
        }
        size = file_size if file_size is not None else self._file_size(file_id)
        if size is not None:
            voice["file_size"] = size
        message["voice"] = voice
        return {"message": message}

    def sticker_update(
        self,
        chat_id: int,
        emoji: str = "👍",
        file_id: str = "CAACAgIAAxkBAAEBsticker",
        user_first_name: str = DEFAULT_USER_FIRST_NAME,
        *,
        set_name: str = "HotCherry",
        **sender: Any,
    ) -> Json:
        message = self._incoming_message(chat_id, user_first_name, **sender)
        message["sticker"] = {
            "file_id": file_id,
            "file_unique_id": self._file_unique_id(file_id),
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "set_name": set_name,
            "file_size": 24_310,
        }
        return {"message": message}

    def photo_update(
        self,
        chat_id: int,
        file_id: str = "AgACAgUAAxkBAAEBphoto",
        caption: Optional[str] = None,
        user_first_name: str = DEFAULT_USER_FIRST_NAME,
        **sender: Any,
    ) -> Json:
        """A photo in three sizes; the largest one has ``file_id``."""
        message = self._incoming_message(chat_id, user_first_name, **sender)
        sizes = [(90, 68, 1_544, "-s"), (320, 240, 18_220, "-m"), (1280, 960, 121_877, "")]
        message["photo"] = [
            {
                "file_id": file_id + suffix,
                "file_unique_id": self._file_unique_id(file_id + suffix),
                "file_size": self._file_size(file_id + suffix) or size,
                "width": width,
                "height": height,
            }
            for width, height, size, suffix in sizes
        ]
        if caption is not None:
            message["caption"] = caption
        return {"message": message}

    def location_update(
        self,
        chat_id: int,
        latitude: float = 31.230416,
        longitude: float = 121.473701,
        user_first_name: str = DEFAULT_USER_FIRST_NAME,
        **sender: Any,
    ) -> Json:
        message = self._incoming_message(chat_id, user_first_name, **sender)
        message["location"] = {"latitude": latitude, "longitude": longitude}
        return {"message": message}

    # ------------------------------------------------------------------ webhook helpers

    @staticmethod
    def post_update_to(
        url: str, update: Mapping[str, Any], secret_token: Optional[str] = None, *, timeout: float = 10.0
    ) -> int:
        """POST ``update`` to a webhook like Telegram does; return the HTTP status.

        Blocking: from a coroutine sharing the loop with the webhook server, use
        :meth:`post_update_to_async`. An ``update_id`` is added if missing.
        """
        payload = dict(update)
        payload.setdefault("update_id", next(_webhook_update_ids))
        headers = {"Content-Type": "application/json"}
        if secret_token is not None:
            headers[SECRET_TOKEN_HEADER] = secret_token
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        return requests.post(url, data=body, headers=headers, timeout=timeout).status_code

    @staticmethod
    async def post_update_to_async(
        url: str, update: Mapping[str, Any], secret_token: Optional[str] = None, *, timeout: float = 10.0
    ) -> int:
        return await asyncio.to_thread(BotApiStandin.post_update_to, url, update, secret_token, timeout=timeout)

    # ------------------------------------------------------------------ request dispatch

    def _dispatch(self, http_method: str, raw_path: str, headers: Mapping[str, str], body: bytes) -> _Response:
        arrived = time.monotonic()
        split = urlsplit(raw_path)
        path = unquote(split.path)

        file_match = _FILE_PATH.match(path)
        if file_match and http_method == "GET":
            return self._serve_file(file_match["token"], file_match["path"], arrived)

        api_match = _API_PATH.match(path)
        if api_match is None:
            return _json_response(404, _error_body(404, "Not Found"))

        requested = api_match["method"]
        method = self._method_names.get(requested.lower(), requested)
        parse_error: Optional[ValueError] = None
        try:
            params, files = _parse_params(split.query, headers.get("Content-Type", ""), body)
        except ValueError as exc:
            params, files, parse_error = {}, {}, exc

        call = ApiCall(method=method, params=params, files=files, at=arrived)
        try:
            self._check_reachable_and_token(api_match["token"], method)
            if parse_error is not None:
                raise _bad_request(f"can't parse request parameters: {parse_error}")
            handler = self._methods.get(method)
            if handler is None:
                raise _ApiError(404, "Not Found")
            call.result = handler(params, files)
            response = _json_response(200, {"ok": True, "result": call.result})
        except _ApiError as exc:
            call.status, call.description = exc.status, exc.description
            response = _json_response(exc.status, _error_body(exc.status, exc.description, exc.retry_after))
        except Exception as exc:  # a bug in the stand-in: make it visible, keep serving
            with self._cond:
                self._server_errors.append(traceback.format_exc())
            call.status, call.description = 500, f"Internal Server Error: {exc!r}"
            response = _json_response(500, _error_body(500, call.description))
        self._record(call)
        return response

    def _check_reachable_and_token(self, token: str, method: str) -> None:
        with self._cond:
            if self._unreachable:
                raise _ApiError(502, "Bad Gateway")
            if token != self.token:
                raise _ApiError(401, "Unauthorized")
            queued = self._failures.get(method.lower())
            if queued:
                failure = queued.pop(0)
                raise _ApiError(failure.status, failure.description, failure.retry_after)

    def _serve_file(self, token: str, file_path: str, arrived: float) -> _Response:
        call = ApiCall("downloadFile", {"file_path": file_path}, {}, arrived)
        with self._cond:
            stored = next((f for f in self._files.values() if f.file_path == file_path), None)
            if self._unreachable:
                call.status = 502
            elif token != self.token:
                call.status = 401
            elif stored is None:
                call.status = 404
            if call.status != 200:
                call.description = HTTPStatus(call.status).phrase
        self._record(call)
        if call.status != 200:
            return _json_response(call.status, _error_body(call.status, call.description))
        return _Response(200, stored.data, "application/octet-stream")

    def _record(self, call: ApiCall) -> None:
        with self._cond:
            self._calls.append(call)
            self._cond.notify_all()

    # ------------------------------------------------------------------ Bot API methods

    def _api_get_me(self, params: Json, files: Dict[str, UploadedFile]) -> Json:
        return dict(self.bot_user)

    def _api_get_updates(self, params: Json, files: Dict[str, UploadedFile]) -> List[Json]:
        offset = _int_param(params, "offset", 0)
        limit = min(max(_int_param(params, "limit", 100), 1), 100)
        try:
            timeout = max(float(params.get("timeout") or 0), 0.0)
        except (TypeError, ValueError):
            raise _bad_request("wrong parameter timeout") from None
        deadline = time.monotonic() + timeout
        with self._cond:
            if self._webhook.get("url"):
                raise _ApiError(409, _CONFLICT_WEBHOOK_ACTIVE)
            if isinstance(params.get("allowed_updates"), list) and params["allowed_updates"]:
                self._allowed_updates = list(params["allowed_updates"])
            # Like Telegram, a newer getUpdates request terminates one still waiting.
            self._poll_generation += 1
            generation = self._poll_generation
            self._cond.notify_all()
            self._confirm_updates(offset)
            while True:
                if generation != self._poll_generation:
                    raise _ApiError(409, _CONFLICT_OTHER_POLL)
                if self._unreachable:
                    raise _ApiError(502, "Bad Gateway")
                batch = self._deliverable_updates(offset, limit)
                remaining = deadline - time.monotonic()
                if batch or remaining <= 0 or self._closing:
                    return batch
                self._cond.wait(remaining)

    def _api_set_webhook(self, params: Json, files: Dict[str, UploadedFile]) -> bool:
        url = params.get("url", "")
        with self._cond:
            if params.get("drop_pending_updates"):
                self._updates.clear()
            if not url:
                self._webhook = {}
                return True
            self._webhook = {
                "url": url,
                "secret_token": params.get("secret_token"),
                "allowed_updates": params.get("allowed_updates"),
                "max_connections": params.get("max_connections", 40),
                "has_custom_certificate": "certificate" in files,
            }
            self._cond.notify_all()
        return True

    def _api_delete_webhook(self, params: Json, files: Dict[str, UploadedFile]) -> bool:
        with self._cond:
            self._webhook = {}
            if params.get("drop_pending_updates"):
                self._updates.clear()
        return True

    def _api_get_webhook_info(self, params: Json, files: Dict[str, UploadedFile]) -> Json:
        with self._cond:
            info: Json = {
                "url": self._webhook.get("url", ""),
                "has_custom_certificate": self._webhook.get("has_custom_certificate", False),
                "pending_update_count": len(self._updates),
            }
            if self._webhook:
                info["max_connections"] = self._webhook["max_connections"]
                if self._webhook.get("allowed_updates"):
                    info["allowed_updates"] = self._webhook["allowed_updates"]
        return info

    def _api_set_my_commands(self, params: Json, files: Dict[str, UploadedFile]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad_request("parameter \"commands\" is required")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_NAME.fullmatch(str(command.get("command", ""))):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        with self._cond:
            self._commands[_commands_key(params)] = commands
        return True

    def _api_get_my_commands(self, params: Json, files: Dict[str, UploadedFile]) -> List[Json]:
        with self._cond:
            return copy.deepcopy(self._commands.get(_commands_key(params), []))

    def _api_delete_my_commands(self, params: Json, files: Dict[str, UploadedFile]) -> bool:
        with self._cond:
            self._commands.pop(_commands_key(params), None)
        return True

    def _api_send_message(self, params: Json, files: Dict[str, UploadedFile]) -> Json:
        key = _required_chat(params)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _bad_request("message text is empty")
        if _utf16_len(text) > MAX_MESSAGE_LENGTH:
            raise _bad_request("message is too long")
        _check_reply_markup(params.get("reply_markup"))
        with self._cond:
            message = self._outgoing_message(key, params)
            message["text"] = text
            if isinstance(params.get("entities"), list):
                message["entities"] = params["entities"]
            return copy.deepcopy(message)

    def _api_send_voice(self, params: Json, files: Dict[str, UploadedFile]) -> Json:
        key = _required_chat(params)
        upload = files.get("voice")
        reference = params.get("voice")
        if upload is None and isinstance(reference, str) and reference.startswith("attach://"):
            upload = files.get(reference[len("attach://"):])
        if upload is None and not reference:
            raise _bad_request("there is no voice in the request")
        caption = params.get("caption")
        if caption is not None and _utf16_len(caption) > 1024:
            raise _bad_request("message caption is too long")
        _check_reply_markup(params.get("reply_markup"))
        with self._cond:
            if upload is not None:
                file_id = f"AwACAgUAAxkDAAI{next(self._file_counter):05d}voice"
                file_path = f"voice/file_{next(self._file_counter)}.oga"
                stored = _StoredFile(file_id, _unique_id(file_id), file_path, upload.data)
                self._files[file_id] = stored
            elif reference in self._files:
                stored = self._files[reference]
            else:  # a file_id or URL the stand-in does not know: accept it as Telegram would
                stored = _StoredFile(reference, _unique_id(reference), "voice/remote.oga", b"")
            message = self._outgoing_message(key, params)
            message["voice"] = {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "duration": _int_param(params, "duration", max(1, len(stored.data) // 4000)),
                "mime_type": "audio/ogg",
                "file_size": len(stored.data),
            }
            if caption is not None:
                message["caption"] = caption
            return copy.deepcopy(message)

    def _api_send_chat_action(self, params: Json, files: Dict[str, UploadedFile]) -> bool:
        _required_chat(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        return True

    def _api_answer_callback_query(self, params: Json, files: Dict[str, UploadedFile]) -> bool:
        if not params.get("callback_query_id"):
            raise _bad_request("query_id is empty")
        text = params.get("text")
        if text is not None and len(text) > 200:
            raise _bad_request("MESSAGE_TOO_LONG")
        return True

    def _api_edit_message_text(self, params: Json, files: Dict[str, UploadedFile]) -> Union[Json, bool]:
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _bad_request("message text is empty")
        if _utf16_len(text) > MAX_MESSAGE_LENGTH:
            raise _bad_request("MESSAGE_TOO_LONG")
        return self._edit_message(params, {"text": text})

    def _api_edit_message_reply_markup(self, params: Json, files: Dict[str, UploadedFile]) -> Union[Json, bool]:
        return self._edit_message(params, {})

    def _api_get_file(self, params: Json, files: Dict[str, UploadedFile]) -> Json:
        file_id = params.get("file_id")
        if not file_id:
            raise _bad_request("file_id is empty")
        with self._cond:
            stored = self._files.get(file_id)
            if stored is None:
                raise _bad_request("invalid file_id")
            return stored.as_result()

    # ------------------------------------------------------------------ internals (call with the lock held)

    def _confirm_updates(self, offset: int) -> None:
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = sorted(self._updates, key=lambda u: u["update_id"])[offset:]

    def _deliverable_updates(self, offset: int, limit: int) -> List[Json]:
        if self._allowed_updates:
            allowed = set(self._allowed_updates)
            self._updates = [u for u in self._updates if _update_type(u) in allowed]
        ordered = sorted(self._updates, key=lambda u: u["update_id"])
        return copy.deepcopy(ordered[:limit])

    def _find_locked(self, predicate: Callable[[ApiCall], bool]) -> Optional[ApiCall]:
        for call in sorted(self._calls, key=lambda c: c.at):
            try:
                if predicate(call):
                    return call
            except (KeyError, IndexError, TypeError, AttributeError):
                continue
        return None

    def _sent_locked(self, chat_id: Union[int, str, None]) -> List[ApiCall]:
        wanted = None if chat_id is None else _chat_key(chat_id)
        return sorted(
            (
                c
                for c in self._calls
                if c.method in ("sendMessage", "sendVoice")
                and c.ok
                and (wanted is None or _chat_key(c.chat_id) == wanted)
            ),
            key=lambda c: c.at,
        )

    def _timeout_report(self, headline: str) -> str:
        now = time.monotonic()
        polls = [c for c in self._calls if c.method == "getUpdates"]
        others = sorted((c for c in self._calls if c.method != "getUpdates"), key=lambda c: c.at)
        lines = [f"BotApiStandin: {headline}.", f"Recorded calls ({len(others)}, plus {len(polls)} getUpdates):"]
        lines += [f"  {c.at - now:+.3f}s {c.summary()}" for c in others[-40:]] or ["  (none)"]
        if polls:
            last = max(polls, key=lambda c: c.at)
            offset = last.params.get("offset")
            lines.append(f"Last getUpdates: {last.at - now:+.3f}s offset={offset} status={last.status}")
        else:
            lines.append("No getUpdates call yet: is the bot polling this stand-in?")
        lines.append(f"Pending updates: {[u.get('update_id') for u in self._updates]}")
        if self._unreachable:
            lines.append("The stand-in is in unreachable mode (every request gets 502).")
        for error in self._server_errors:
            lines.append("Stand-in error:\n" + error)
        return "\n".join(lines)

    def _sent_timeout_report(self, chat_id: Union[int, str], count: int, timeout: float, got: int) -> str:
        return self._timeout_report(f"expected {count} message(s) sent to chat {chat_id} within {timeout}s, got {got}")

    def _new_message_id(self, key: Union[int, str]) -> int:
        message_id = self._last_message_id.get(key, 0) + 1
        self._last_message_id[key] = message_id
        return message_id

    def _chat(self, key: Union[int, str]) -> Json:
        known = self._chats.get(key)
        if known is not None:
            return dict(known)
        if isinstance(key, int) and key < 0:
            return {"id": key, "title": "Test group", "type": "supergroup" if str(key).startswith("-100") else "group"}
        if isinstance(key, str):
            return {"id": -1001000000001, "title": key.lstrip("@"), "username": key.lstrip("@"), "type": "channel"}
        return {"id": key, "first_name": DEFAULT_USER_FIRST_NAME, "type": "private"}

    def _user(
        self,
        chat_id: int,
        first_name: str,
        *,
        user_id: Optional[int] = None,
        last_name: Optional[str] = None,
        username: Optional[str] = None,
        language_code: str = "zh-hans",
    ) -> Json:
        user: Json = {"id": user_id if user_id is not None else chat_id, "is_bot": False, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        user["language_code"] = language_code
        return user

    def _incoming_message(
        self,
        chat_id: int,
        user_first_name: str,
        *,
        message_id: Optional[int] = None,
        date: Optional[int] = None,
        **user_fields: Any,
    ) -> Json:
        key = _chat_key(chat_id)
        user = self._user(chat_id, user_first_name, **user_fields)
        chat: Json = {"id": chat_id, "first_name": user_first_name}
        for name in ("last_name", "username"):
            if name in user:
                chat[name] = user[name]
        chat["type"] = "private"
        with self._cond:
            self._chats[key] = chat
            if message_id is None:
                message_id = self._new_message_id(key)
            else:
                self._last_message_id[key] = max(self._last_message_id.get(key, 0), message_id)
            self._last_incoming_id[key] = message_id
        return {"message_id": message_id, "from": user, "chat": dict(chat), "date": date or int(time.time())}

    def _outgoing_message(self, key: Union[int, str], params: Json) -> Json:
        message: Json = {
            "message_id": self._new_message_id(key),
            "from": dict(self.bot_user),
            "chat": self._chat(key),
            "date": int(time.time()),
        }
        markup = params.get("reply_markup")
        # Only inline keyboards belong to a message; reply keyboards are not echoed.
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        self._messages[(key, message["message_id"])] = message
        return message

    def _edit_message(self, params: Json, changes: Json) -> Union[Json, bool]:
        markup = params.get("reply_markup")
        _check_reply_markup(markup)
        if params.get("inline_message_id"):
            return True
        key = _required_chat(params)
        message_id = params.get("message_id")
        if not isinstance(message_id, int):
            raise _bad_request("message identifier is not specified")
        with self._cond:
            message = self._messages.get((key, message_id))
            if message is None:
                raise _bad_request("message to edit not found")
            updated = dict(message, **changes)
            updated.pop("reply_markup", None)
            # An edit without reply_markup removes the inline keyboard, as on Telegram.
            if isinstance(markup, dict) and markup.get("inline_keyboard"):
                updated["reply_markup"] = markup
            if updated == message:
                raise _bad_request(
                    "message is not modified: specified new message content and reply markup are "
                    "exactly the same as a current content and reply markup of the message"
                )
            updated["edit_date"] = int(time.time())
            self._messages[(key, message_id)] = updated
            return copy.deepcopy(updated)

    def _latest_keyboard_message_id(self, key: Union[int, str]) -> Optional[int]:
        ids = [mid for (chat, mid), msg in self._messages.items() if chat == key and msg.get("reply_markup")]
        return max(ids) if ids else None

    def _file_unique_id(self, file_id: str) -> str:
        with self._cond:
            stored = self._files.get(file_id)
            return stored.file_unique_id if stored else _unique_id(file_id)

    def _file_size(self, file_id: str) -> Optional[int]:
        with self._cond:
            stored = self._files.get(file_id)
            return len(stored.data) if stored else None


# --------------------------------------------------------------------------- HTTP plumbing


class _StandinServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: Tuple[str, int], handler: type, standin: BotApiStandin) -> None:
        self.standin = standin
        super().__init__(address, handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that give up on a held long poll are expected; do not spam stderr.
        pass


class _RequestHandler(BaseHTTPRequestHandler):
    # One request per connection: a stopped stand-in never keeps answering on a
    # pooled keep-alive connection.
    protocol_version = "HTTP/1.0"
    server_version = "nginx/1.18.0"
    sys_version = ""
    server: _StandinServer

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        try:
            body = self._read_body()
        except (ValueError, OSError):
            response = _json_response(400, _error_body(400, "Bad Request: malformed request body"))
        else:
            response = self.server.standin._dispatch(self.command, self.path, self.headers, body)
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            self.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client went away (e.g. PTB cancelled a long poll)

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _json_response(status: int, payload: Json) -> _Response:
    return _Response(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"))


def _error_body(status: int, description: str, retry_after: Optional[int] = None) -> Json:
    body: Json = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return body


def _parse_params(query: str, content_type: str, body: bytes) -> Tuple[Json, Dict[str, UploadedFile]]:
    """Parameters from the query string and a urlencoded, multipart or JSON body."""
    raw: Dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    files: Dict[str, UploadedFile] = {}
    headers = _MimeHeaders()
    headers["Content-Type"] = content_type or "application/x-www-form-urlencoded"
    kind = headers.get_content_type()
    if kind == "multipart/form-data":
        fields, files = _parse_multipart(body, headers.get_param("boundary"))
        raw.update(fields)
    elif kind == "application/json" and body:
        decoded = json.loads(body.decode("utf-8"))
        if not isinstance(decoded, dict):
            raise ValueError("JSON body must be an object")
        raw.update(decoded)
    elif body:
        raw.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    return {name: _decode_param(name, value) for name, value in raw.items()}, files


def _parse_multipart(body: bytes, boundary: Any) -> Tuple[Dict[str, str], Dict[str, UploadedFile]]:
    if not isinstance(boundary, str) or not boundary:
        raise ValueError("multipart body without boundary")
    fields: Dict[str, str] = {}
    files: Dict[str, UploadedFile] = {}
    for part in body.split(b"--" + boundary.encode("latin-1"))[1:]:
        if part.startswith(b"--"):
            break  # closing delimiter
        head, _, content = part.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        content = content.removesuffix(b"\r\n")
        part_headers = BytesHeaderParser(policy=_HTTP_POLICY).parsebytes(head + b"\r\n\r\n")
        name = part_headers.get_param("name", header="content-disposition")
        if not name:
            continue
        filename = part_headers.get_filename()
        if filename is None:
            fields[str(name)] = content.decode("utf-8")
        else:
            mime_type = part_headers.get_content_type() if part_headers["Content-Type"] else "application/octet-stream"
            files[str(name)] = UploadedFile(str(name), filename, mime_type, content)
    return fields, files


def _decode_param(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value  # already typed (JSON body)
    if name in _INTEGER_PARAMS and re.fullmatch(r"-?\d+", value):
        return int(value)
    if name in _BOOLEAN_PARAMS and value in ("true", "false"):
        return value == "true"
    if name not in _FREE_TEXT_PARAMS and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _int_param(params: Json, name: str, default: int) -> int:
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        return int(float(value))
    except (TypeError, ValueError):
        raise _bad_request(f"wrong parameter {name}") from None


def _chat_key(chat_id: Any) -> Union[int, str]:
    if isinstance(chat_id, int):
        return chat_id
    text = str(chat_id)
    return int(text) if re.fullmatch(r"-?\d+", text) else text


def _required_chat(params: Json) -> Union[int, str]:
    chat_id = params.get("chat_id")
    if chat_id is None or chat_id == "":
        raise _bad_request("chat_id is empty")
    return _chat_key(chat_id)


def _check_reply_markup(markup: Any) -> None:
    if markup is None:
        return
    if not isinstance(markup, dict):
        raise _bad_request("can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard") or []:
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
                raise _bad_request("BUTTON_DATA_INVALID")
            if not button.get("text"):
                raise _bad_request("button text is empty")


def _commands_key(params: Json) -> str:
    scope = params.get("scope") or {"type": "default"}
    return json.dumps([scope, params.get("language_code", "")], sort_keys=True)


def _command_entities(text: str) -> List[Json]:
    match = _COMMAND_IN_TEXT.match(text)
    if match is None:
        return []
    return [{"type": "bot_command", "offset": 0, "length": _utf16_len(match.group())}]


def _user_fields(sender: Mapping[str, Any]) -> Json:
    return {k: v for k, v in sender.items() if k in ("user_id", "last_name", "username", "language_code")}


def _update_type(update: Mapping[str, Any]) -> str:
    return next((key for key in update if key != "update_id"), "")


def _unique_id(file_id: str) -> str:
    return "AgAD" + hashlib.sha1(file_id.encode("utf-8")).hexdigest()[:12]


def _stable_number(value: Any) -> int:
    return int(hashlib.sha1(str(value).encode("utf-8")).hexdigest()[:12], 16)


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


post_update_to = BotApiStandin.post_update_to
post_update_to_async = BotApiStandin.post_update_to_async
