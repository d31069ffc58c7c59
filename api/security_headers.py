"""Security headers on every response; a strict Content-Security-Policy on the console's.

The console loads only its own files (``/console/static``): no inline script
or style (htmx's injected indicator style and eval are off in base.html), no
framing by other sites, no referrer to other origins. The JSON API gets the
headers that cost nothing (``nosniff``, no framing, referrer); ``/docs`` keeps
FastAPI's Swagger page working, which a strict policy would block.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

EMPTY_HASH = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
CONSOLE_CSP = (
    "default-src 'self'; script-src 'self'; "
    # htmx 2 sets an empty style attribute while it swaps: that one (the hash of "") only
    f"style-src 'self' 'unsafe-hashes' '{EMPTY_HASH}'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
ALWAYS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
)


class SecurityHeaders:
    """ASGI middleware adding the headers above to every HTTP response."""

    def __init__(self, app: ASGIApp, console_prefix: str = "/console") -> None:
        self.app, self.prefix = app, console_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        console = path == "/" or path == self.prefix or path.startswith(self.prefix + "/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _OURS]
                headers += ALWAYS
                if console:
                    headers.append((b"content-security-policy", CONSOLE_CSP.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


_OURS = frozenset({k for k, _ in ALWAYS} | {b"content-security-policy"})
