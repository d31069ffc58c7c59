"""A cap on every request body, enforced before the body is read or parsed.

Starlette reads a whole body (and spools a whole multipart form) before a
route's own checks run: a 50 MB post to a webhook was parsed before its
signature was checked. ``BodyLimit`` refuses a body over its path's cap with
413, from the ``Content-Length`` header when it is given and while the body
streams in when it is not.
"""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

KIB = 1024
DEFAULT_LIMIT = 1024 * KIB  # JSON, script YAML, console forms
# Twilio's webhooks are a few KB (a text is at most 1,600 characters)
LIMITS: tuple[tuple[str, int], ...] = (
    ("/sms/", 64 * KIB),
    ("/voice/", 64 * KIB),
    ("/leads/import", 65 * 1024 * KIB),  # the CSV upload's own cap (64 MB) and the form around it
    ("/console/leads/import", 65 * 1024 * KIB),
)


def limit_for(path: str) -> int:
    """The most bytes a request to ``path`` may carry."""
    return next((cap for prefix, cap in LIMITS if path.startswith(prefix)), DEFAULT_LIMIT)


class TooLarge(HTTPException):
    """The body went over its cap while streaming (the app's handlers answer 413)."""

    def __init__(self, cap: int) -> None:
        super().__init__(413, f"the request body is over {cap // KIB} KB")


class BodyLimit:
    """ASGI middleware: 413 for a body over its path's cap, before any of it is parsed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = limit_for(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > cap):
            await _too_large(send, cap)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > cap:
                    raise TooLarge(cap)
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except TooLarge:
            if not started:
                await _too_large(send, cap)


async def _too_large(send: Send, cap: int) -> None:
    body = json.dumps(
        {"error": "TooLarge", "detail": f"the request body is over {cap // KIB} KB"}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": body})
