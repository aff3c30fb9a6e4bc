"""The device door: `POST /v1/events` for one-key call buttons and wristbands (docs/devices.md).

Every request is authenticated, even on loopback: `Authorization: Bearer <device token>`,
checked in constant time against the hash of that device's token. A request with an
`Origin` header (a web page) is refused, the body must be a small JSON object, and each
device may post `device_events_per_minute` events. Logs carry ids only.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import logging
from typing import Any, Optional

from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.orm import sessionmaker

from actions.devices.events import BadEvent, handle_event, parse_event
from actions.devices.registry import authenticate, device_id_ok
from bot.kernel.clock import local_now, utc_now
from bot.kernel.rate_limit import RateLimiter
from bot.kernel.settings import Settings

logger = logging.getLogger(__name__)

PATH = "/v1/events"
DOOR_HEADER = "X-Xiaonuan-Door"  # lets the launcher tell this door from another program on the port
MAX_BODY_BYTES = 4096
_names = itertools.count(1)


def _dumps(body: Any) -> str:
    return json.dumps(body, ensure_ascii=False)


def refuse(status: int, error: str, reason: str) -> HTTPResponse:
    return response.json({"ok": False, "error": error, "reason": reason}, status=status, dumps=_dumps)


def bearer_token(request: Request) -> Optional[str]:
    """The token of `Authorization: Bearer <token>`, None when absent or another scheme."""
    scheme, _, token = (request.headers.get("authorization") or "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def _decode(request: Request) -> Any:
    """The JSON body, or a refusal (415 for another media type, 400 when it does not decode)."""
    kind = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if kind != "application/json":
        return refuse(415, "unsupported_media_type", "the body must be application/json")
    if request.headers.get("content-encoding") not in (None, "", "identity"):
        return refuse(415, "unsupported_media_type", "compressed bodies are not accepted")
    try:
        return json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
        return refuse(400, "bad_request", "the body is not valid JSON (UTF-8)")


def build_device_app(settings: Settings, sessions: sessionmaker) -> Sanic:
    """The door's app; `sessions` must reach the same database as `actions.runtime` (alerts go there)."""
    app = Sanic(f"xiaonuan_devices_{next(_names)}")
    app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES
    app.config.MOTD = False
    limiter = RateLimiter(settings.device_events_per_minute)

    @app.middleware("request")
    async def gate(request: Request) -> Optional[HTTPResponse]:
        if request.headers.get("origin") is not None:
            logger.warning("device door: refused a request with an Origin header (a browser)")
            return refuse(403, "forbidden", "browsers may not call the device door")
        if bearer_token(request) is None:
            return refuse(401, "unauthorized", "send Authorization: Bearer <device token>")
        return None

    @app.middleware("response")
    async def headers(request: Request, resp: HTTPResponse) -> None:
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Cache-Control", "no-store")
        resp.headers[DOOR_HEADER] = "devices"

    @app.post(PATH)
    async def post_event(request: Request) -> HTTPResponse:
        body = _decode(request)
        if isinstance(body, HTTPResponse):
            return body
        claimed = body.get("device_id") if isinstance(body, dict) else None
        if not isinstance(claimed, str) or not device_id_ok(claimed):
            return refuse(400, "bad_request", "device_id must be 1-64 characters: letters, digits and . _ : -"
                          if isinstance(body, dict) else "the body must be a JSON object")
        try:
            device = await asyncio.to_thread(authenticate, sessions, claimed, bearer_token(request) or "")
        except Exception as exc:  # the database is away: the vendor retries
            logger.error("device door: could not check a token (%s)", type(exc).__name__)
            return refuse(503, "unavailable", "try again shortly")
        if device is None:
            logger.warning("device door: wrong token or unknown device id %r", claimed)
            return refuse(401, "unauthorized", "unknown device or wrong token")
        if not limiter.allow(str(device.id)):
            logger.warning("device door: device %s over %d events a minute", device.id,
                           settings.device_events_per_minute)
            return refuse(429, "too_many_requests",
                          f"at most {settings.device_events_per_minute} events a minute per device")
        try:
            event = parse_event(body)
        except BadEvent as exc:
            return refuse(400, "bad_request", str(exc))
        try:
            outcome = await asyncio.to_thread(handle_event, sessions, device.id, event, utc_now(settings),
                                              local_now(settings))
        except Exception as exc:
            logger.error("device door: device %s event %s failed (%s)", device.id, event.event, type(exc).__name__)
            return refuse(503, "unavailable", "the event was not recorded; try again shortly")
        logger.log(logging.INFO if outcome.status < 300 else logging.WARNING, "device door: device %s %s -> %s",
                   device.id, event.event, outcome.result)
        if outcome.status >= 300:
            return refuse(outcome.status, outcome.result, outcome.reason)
        return response.json({"ok": True, "result": outcome.result}, status=outcome.status, dumps=_dumps)

    @app.exception(SanicException)
    async def refused(request: Request, exc: SanicException) -> HTTPResponse:
        """Sanic's own refusals (404, 405, 413 …): a JSON status and one line, no traceback."""
        status = getattr(exc, "status_code", 500) or 500
        logger.info("device door: %s %s on %s", status, type(exc).__name__, request.path[:100])
        return refuse(status, "refused" if status < 500 else "error", str(exc)[:200] if status < 500 else "")

    @app.exception(Exception)
    async def failed(request: Request, exc: Exception) -> HTTPResponse:
        logger.error("device door: %s on %s", type(exc).__name__, request.path[:100])
        return refuse(500, "error", "")

    return app
