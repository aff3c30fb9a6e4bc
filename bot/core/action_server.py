"""The action server: rasa_sdk's endpoint behind a gate, so only the Rasa server can run actions.

rasa_sdk answers anyone who can reach its port: a made-up tracker raised
alerts and issued link codes, and a web page could post to it blind (it takes
any content type and allows every origin). Here every request must carry the
per-run token (`X-Xiaonuan-Action-Token`, sent by Rasa from the endpoints file
the launcher writes), a POST must be JSON, and a request with an `Origin`
header (a browser) is refused. Malformed bodies get a 400 with a reason
instead of a traceback in the log.
"""
from __future__ import annotations

import argparse
import hmac
import json
import logging
from typing import Any, Optional

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.kernel.settings import load_settings

logger = logging.getLogger(__name__)

TOKEN_HEADER = "X-Xiaonuan-Action-Token"
MAX_BODY_BYTES = 4 * 1024 * 1024  # a long conversation's tracker, with room to spare


def token_ok(presented: Optional[str], expected: str) -> bool:
    """Constant-time comparison; an empty expected token never matches (a misconfigured server stays shut)."""
    if not expected or not presented:
        return False
    return hmac.compare_digest(presented.encode("utf-8", "replace"), expected.encode())


def _refuse(status: int, message: str) -> HTTPResponse:
    return response.json({"error": message}, status=status)


def _action_call_problem(body: bytes) -> Optional[str]:
    """Why a webhook body cannot be an action call, or None when it can."""
    if len(body) > MAX_BODY_BYTES:
        return "request body too large"
    try:
        call: Any = json.loads(body or b"")
    except (ValueError, UnicodeDecodeError):
        return "body must be JSON"
    if not isinstance(call, dict):
        return "body must be a JSON object"
    if not isinstance(call.get("next_action"), str):
        return "next_action must be text"
    if not isinstance(call.get("tracker"), dict):
        return "tracker must be an object"
    if not isinstance(call.get("domain", {}), dict):
        return "domain must be an object"
    return None


def gate(request: Request, token: str) -> Optional[HTTPResponse]:
    """The checks every request passes before rasa_sdk sees it; a response means refused."""
    if request.headers.get("origin") is not None:
        logger.warning("refused a request with an Origin header (a browser) to %s", request.path)
        return _refuse(403, "browsers may not call the action server")
    if not token_ok(request.headers.get(TOKEN_HEADER), token):
        logger.warning("refused a request without a valid action token to %s", request.path)
        return _refuse(401, "a valid action token is required")
    if request.method == "POST":
        kind = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
        if kind != "application/json":
            return _refuse(415, "the body must be application/json")
        if request.headers.get("content-encoding") not in (None, "", "identity"):
            return _refuse(415, "compressed bodies are not accepted")
        if request.path == "/webhook":
            problem = _action_call_problem(request.body)
            if problem:
                return _refuse(400, problem)
    return None


def build_action_app(token: str, package: str = "actions") -> Sanic:
    """rasa_sdk's app (CORS off) with the gate in front of every route."""
    from rasa_sdk.endpoint import create_app

    if not token:
        raise ValueError("the action server needs XIAONUAN_ACTION_TOKEN")
    app = create_app(package, cors_origins=None)

    @app.middleware("request")
    async def check(request: Request) -> Optional[HTTPResponse]:
        return gate(request, token)

    @app.middleware("response")
    async def headers(request: Request, resp: HTTPResponse) -> None:
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Cache-Control", "no-store")

    return app


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(description="Xiaonuan's action server (token required)")
    parser.add_argument("--port", type=int, default=5055)
    args = parser.parse_args(argv)
    from rasa_sdk import utils

    settings = load_settings()
    utils.configure_colored_logging("INFO")
    utils.update_sanic_log_level()
    try:
        app = build_action_app(settings.action_token)
    except ValueError as exc:
        print(f"[actions] {exc}")
        return 2
    logger.info("action server on http://%s:%s (token required)", settings.host, args.port)
    app.run(settings.host, args.port, workers=1, access_log=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
