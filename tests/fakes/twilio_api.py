"""A local fake of Twilio's Messages API on a real socket, for driving the real twilio client.

``FakeTwilioApi`` serves, on ``127.0.0.1`` and a free port (``http.server`` in
a thread), the three calls a sender makes:

- ``POST /2010-04-01/Accounts/{AccountSid}/Messages.json``  create (201)
- ``GET  /2010-04-01/Accounts/{AccountSid}/Messages.json``  list, newest first,
  filtered by ``To`` / ``From``, paged by ``PageSize`` / ``Page``
- ``GET  /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json``  fetch

It checks Basic auth (401, error 20003), answers Twilio's JSON shapes and
error bodies, and records every request in ``received``. Switches, each for
the next N creates: ``slow`` (the message is created but the answer is held
until the client gives up), ``drop`` (created, then the connection is closed
with no answer), ``fail`` (500, nothing created), ``rate_limit`` (429);
and per number: ``unsubscribed`` (400, 21610), ``invalid`` (400, 21211).
"""

from __future__ import annotations

import base64
import json
import re
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

ACCOUNT = "AC" + "7" * 32
TOKEN = "f" * 32
_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account>AC\w+)/Messages(?:/(?P<sid>\w+))?\.json$")
_E164 = re.compile(r"^\+[1-9]\d{7,14}$")


@dataclass(frozen=True)
class Received:
    """One request the fake got: method, path, form or query fields, and the Basic user."""

    method: str
    path: str
    fields: dict[str, str]
    user: str | None


@dataclass
class FakeMessage:
    """A message the fake created."""

    sid: str
    to: str
    body: str
    from_: str | None
    messaging_service_sid: str | None
    status_callback: str | None
    date_created: datetime
    status: str = "queued"

    def resource(self, account: str) -> dict[str, Any]:
        """The message as Twilio's API returns it."""
        created = format_datetime(self.date_created)
        return {
            "account_sid": account,
            "api_version": "2010-04-01",
            "body": self.body,
            "date_created": created,
            "date_updated": created,
            "date_sent": None,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": self.from_,
            "messaging_service_sid": self.messaging_service_sid,
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": self.sid,
            "status": self.status,
            "subresource_uris": {},
            "to": self.to,
            "uri": f"/2010-04-01/Accounts/{account}/Messages/{self.sid}.json",
        }


@dataclass
class FakeTwilioApi:
    """Twilio's Messages API, in a thread; use as a context manager."""

    account_sid: str = ACCOUNT
    auth_token: str = TOKEN
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    hold_seconds: float = 5.0  # the longest a slow answer is held (released at stop)
    slow: int = 0
    drop: int = 0
    fail: int = 0
    rate_limit: int = 0
    unsubscribed: set[str] = field(default_factory=set)
    invalid: set[str] = field(default_factory=set)
    messages: list[FakeMessage] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _release: threading.Event = field(default_factory=threading.Event)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        """The base URL to give the client instead of ``https://api.twilio.com``."""
        assert self._server is not None, "start the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def sent_to(self, phone: str) -> list[FakeMessage]:
        """The messages created for ``phone``, oldest first."""
        with self._lock:
            return [m for m in self.messages if m.to == phone]

    def creates(self) -> list[Received]:
        """Every create request received, whatever was answered."""
        return [r for r in self.received if r.method == "POST"]

    def __enter__(self) -> FakeTwilioApi:
        fake = self

        class Handler(_Handler):
            api = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        serve = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        serve.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _take(self, switch: str) -> bool:
        """Use one of the next-N switch ``switch``; True if it was on."""
        with self._lock:
            left: int = getattr(self, switch)
            if left > 0:
                setattr(self, switch, left - 1)
                return True
            return False


class _Handler(BaseHTTPRequestHandler):
    api: FakeTwilioApi
    protocol_version = "HTTP/1.1"
    # headers and body go out in two writes: with Nagle on, each answer waits for the
    # client's delayed ACK (40 ms), which Twilio's servers do not make a client wait
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The ``Date`` header by the fake's clock, as Twilio's by its own."""
        return format_datetime(self.api.clock().astimezone(UTC), usegmt=True)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        fields = dict(parse_qsl(parts.query))
        match = self._route(parts.path, "GET", fields)
        if match is None:
            return
        api, account, sid = self.api, match["account"], match["sid"]
        with api._lock:
            found = list(api.messages)
        if sid is not None:
            one = next((m for m in found if m.sid == sid), None)
            if one is None:
                self._error(404, 20404, f"The requested resource {parts.path} was not found")
            else:
                self._json(200, one.resource(account))
            return
        if "To" in fields:
            found = [m for m in found if m.to == fields["To"]]
        if "From" in fields:
            found = [m for m in found if m.from_ == fields["From"]]
        found.reverse()  # newest first, as Twilio lists
        size, page = int(fields.get("PageSize", 50)), int(fields.get("Page", 0))
        chunk = found[page * size : (page + 1) * size]
        more = len(found) > (page + 1) * size
        base = parts.path
        self._json(
            200,
            {
                "messages": [m.resource(account) for m in chunk],
                "page": page,
                "page_size": size,
                "start": page * size,
                "end": page * size + max(len(chunk) - 1, 0),
                "uri": f"{base}?PageSize={size}&Page={page}",
                "first_page_uri": f"{base}?PageSize={size}&Page=0",
                "previous_page_uri": None,
                "next_page_uri": f"{base}?PageSize={size}&Page={page + 1}" if more else None,
            },
        )

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        fields = dict(parse_qsl(self.rfile.read(length).decode()))
        match = self._route(self.path, "POST", fields)
        if match is None:
            return
        api = self.api
        to, body = fields.get("To", ""), fields.get("Body")
        if api._take("fail"):
            self._error(500, 20500, "Internal Server Error")
        elif api._take("rate_limit"):
            self._error(429, 20429, "Too Many Requests")
        elif not to:
            self._error(400, 21604, "A 'To' phone number is required.")
        elif not body:
            self._error(400, 21602, "Message body is required.")
        elif not (fields.get("From") or fields.get("MessagingServiceSid")):
            self._error(400, 21603, "A 'From' phone number is required.")
        elif to in api.invalid or not _E164.match(to):
            self._error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        elif to in api.unsubscribed:
            self._error(400, 21610, "Attempt to send to unsubscribed recipient")
        else:
            self._create(match["account"], to, body, fields)

    def _create(self, account: str, to: str, body: str, fields: dict[str, str]) -> None:
        api = self.api
        message = FakeMessage(
            sid="SM" + uuid.uuid4().hex,
            to=to,
            body=body,
            from_=fields.get("From"),
            messaging_service_sid=fields.get("MessagingServiceSid"),
            status_callback=fields.get("StatusCallback"),
            date_created=api.clock(),
            status="accepted" if fields.get("MessagingServiceSid") else "queued",
        )
        with api._lock:
            api.messages.append(message)
        if api._take("drop"):
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if api._take("slow"):
            api._release.wait(api.hold_seconds)
        self._json(201, message.resource(account))

    def _route(self, path: str, method: str, fields: dict[str, str]) -> dict[str, Any] | None:
        api = self.api
        user = None
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
        else:
            password = None
        with api._lock:
            api.received.append(Received(method, path, fields, user))
        match = _PATH.match(path)
        if match is None:
            self._error(404, 20404, f"The requested resource {path} was not found")
            return None
        if user != api.account_sid or password != api.auth_token:
            self._error(401, 20003, "Authenticate")
            return None
        if match["account"] != api.account_sid or (method == "POST" and match["sid"]):
            self._error(404, 20404, f"The requested resource {path} was not found")
            return None
        return match.groupdict()

    def _error(self, status: int, code: int, message: str) -> None:
        self._json(
            status,
            {
                "code": code,
                "message": message,
                "more_info": f"https://www.twilio.com/docs/errors/{code}",
                "status": status,
            },
        )

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client gave up waiting (the slow switch): nothing to answer
            self.close_connection = True
