"""``TwilioSms``: texts through Twilio's Messages API, at most once per idempotency key.

Twilio's Messages API takes no idempotency key, and a POST whose answer is
lost (a timeout, a dropped connection, a 5xx) may or may not have created the
message. Resending blindly could text a lead twice; giving up could lose the
text. So every attempt is remembered until Twilio answers definitely, and a
key whose earlier attempt is *unsure* is looked up before it is sent again:

1. Before the POST, the key is marked unsure with the attempt's time.
2. A created message (2xx) or a refusal (4xx: nothing was created) clears the
   mark; a lost answer or a 5xx keeps it and raises ``TransientSendError``.
3. The retry of an unsure key lists the recipient's recent messages
   (``GET …/Messages.json?To=…``, newest first) and takes the earliest one with
   the same body, sent from our number or Messaging Service, created no earlier
   than the first attempt (less ``skew`` for the two clocks). Found: its sid is
   returned and nothing is sent. Not found: the text is sent.

The two clocks: Twilio stamps ``date_created`` with its own. Every answer's ``Date``
header tells how far ours is from it (``clock_offset``: Twilio's less ours, to
the second); when ours runs ahead, the match window is widened by that much, so a
server clock minutes fast still finds the text and never sends it twice, and an
offset beyond ``WARN_OFFSET`` is logged as a warning (fix the server's clock: NTP).

Why a lookup, and not a marker Twilio would keep: a message resource keeps no
field of ours (the status callback URL is not returned, and the body must stay
the lead's text), so recipient + body + time is what identifies it. What can
fool it is a different key's identical text to the same lead in the few
seconds before the first attempt; sids this sender returned for other keys are
skipped, so only another process's identical text can, and then the result is
a text not sent twice, never a text sent twice. The retry comes after the
worker's backoff, by which time Twilio lists what it created.

Attempts are remembered in this process. A worker that finds a text left in
``sending`` by a process that died passes ``unsure_since`` (when that text was
claimed) so the same lookup runs first. Errors (``isa_engine.ports``): 21610 →
``RecipientUnsubscribed``; 429, 5xx, timeouts and the account's credentials
or sid refused (401/403/404, which an operator fixes) → ``TransientSendError``;
any other 4xx (21211 invalid number…) → ``PermanentSendError``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Collection
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import requests  # twilio's own HTTP client
from twilio.base.exceptions import (  # type: ignore[import-untyped]
    TwilioRestException,
    TwilioServiceException,
)
from twilio.http.http_client import TwilioHttpClient  # type: ignore[import-untyped]
from twilio.rest import Client  # type: ignore[import-untyped]

from isa_engine.ports import (
    PermanentSendError,
    RecipientUnsubscribed,
    SendError,
    TransientSendError,
)

log = logging.getLogger("isa.twilio")

UNSUBSCRIBED = 21610
"""Twilio: the recipient replied STOP to this sender; never text them again."""

_OPERATOR_FIXES = frozenset({401, 403, 404})  # credentials or account sid: wait, do not fail
WARN_OFFSET = timedelta(seconds=30)
"""A clock this far from Twilio's is logged as a warning (at most every WARN_EVERY seconds)."""
WARN_EVERY = 600.0


def _utc_now() -> datetime:
    return datetime.now(UTC)


class TwilioSms:
    """The ``Sms`` port on Twilio: ``send(to, body, idempotency_key) -> MessageSid``."""

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        from_: str | None = None,
        messaging_service_sid: str | None = None,
        status_callback: str | None = None,
        api_base: str | None = None,
        timeout: float = 10.0,
        clock: Callable[[], datetime] = _utc_now,
        skew: timedelta = timedelta(seconds=10),
        lookback: int = 50,
        remember: int = 10_000,
    ) -> None:
        """Send from the Messaging Service if given, else from the number ``from_``.

        ``api_base`` replaces ``https://api.twilio.com`` (a local fake in tests);
        ``lookback`` is how many of a recipient's latest messages a lookup reads;
        ``remember`` bounds the keys kept in memory.
        """
        if not (from_ or messaging_service_sid):
            raise ValueError(
                "Twilio needs a sender: set ISA_TWILIO_MESSAGING_SERVICE_SID or ISA_TWILIO_FROM"
            )
        self.from_, self.messaging_service_sid = from_, messaging_service_sid
        self.status_callback = status_callback
        hooks = {"response": [self._measure_clock]}
        self._client = Client(
            account_sid,
            auth_token,
            http_client=TwilioHttpClient(timeout=timeout, request_hooks=hooks),
        )
        if api_base:
            self._client.api.base_url = api_base.rstrip("/")
        self._clock, self._skew, self._lookback, self._remember = clock, skew, lookback, remember
        self._lock = threading.Lock()
        self._unsure: OrderedDict[str, datetime] = OrderedDict()  # key → first attempt
        self._sent: OrderedDict[str, str] = OrderedDict()  # key → sid
        self.clock_offset: timedelta | None = None  # Twilio's clock less ours, last measured
        self._warned_at: float | None = None

    def send(
        self,
        to: str,
        body: str,
        idempotency_key: str,
        *,
        unsure_since: datetime | None = None,
        taken: Collection[str] = (),
    ) -> str:
        """Send ``body`` to ``to`` once; the MessageSid (the earlier one if it went already)."""
        key = idempotency_key
        with self._lock:
            known = self._sent.get(key)
            since = min(
                (t for t in (self._unsure.get(key), unsure_since) if t is not None), default=None
            )
        if known is not None:
            return known
        if since is not None:
            found = self.find(to, body, since, taken)
            if found is not None:
                log.info("key %s: found %s from an earlier attempt, not sent again", key, found)
                self._settle(key, found)
                return found
        with self._lock:
            self._keep(self._unsure, key, since or self._clock())
        try:
            message = self._client.messages.create(to=to, body=body, **self._sender())
        except (TwilioRestException, TwilioServiceException) as exc:
            if exc.status < 500:  # a definite refusal: nothing was created
                self._settle(key, None)
            raise _error(exc) from exc
        except requests.RequestException as exc:
            raise TransientSendError(
                f"Twilio did not answer ({type(exc).__name__}); the text may have gone: "
                "a retry looks it up before sending"
            ) from exc
        sid = str(message.sid)
        self._settle(key, sid)
        return sid

    def find(self, to: str, body: str, since: datetime, taken: Collection[str] = ()) -> str | None:
        """The sid of our earliest text of ``body`` to ``to`` since ``since`` (less skew)."""
        try:
            recent = self._client.messages.list(
                to=to, limit=self._lookback, page_size=self._lookback
            )
        except (TwilioRestException, TwilioServiceException) as exc:
            raise _error(exc, looking_up=True) from exc
        except requests.RequestException as exc:
            raise TransientSendError(
                f"looking up an unsure text failed ({type(exc).__name__}): not sent again yet"
            ) from exc
        with self._lock:
            offset = self.clock_offset  # measured on the list's own answer just now
        # ours ahead of Twilio's (offset < 0): ``since`` is later than Twilio's stamp of
        # the same moment, so widen the window by the difference
        floor = since - self._skew + min(offset or timedelta(0), timedelta(0))
        with self._lock:
            others = set(self._sent.values()) | set(taken)
        matches = [
            m
            for m in recent
            if m.body == body
            and m.date_created is not None
            and m.date_created >= floor
            and m.sid not in others
            and self._ours(m)
        ]
        if not matches:
            return None
        return str(min(matches, key=lambda m: m.date_created).sid)

    def _measure_clock(self, response: requests.Response, *_args: Any, **_kw: Any) -> None:
        """A requests hook: how far our clock is from Twilio's, from the answer's ``Date``."""
        header = response.headers.get("Date")
        if not header:
            return
        try:
            theirs = parsedate_to_datetime(header)
        except (TypeError, ValueError):
            return
        if theirs.tzinfo is None:
            return
        offset = theirs - self._clock()
        with self._lock:
            self.clock_offset = offset
            loud = abs(offset) > WARN_OFFSET and (
                self._warned_at is None or time.monotonic() - self._warned_at > WARN_EVERY
            )
            if loud:
                self._warned_at = time.monotonic()
        if loud:
            log.warning(
                "this server's clock is %+.0f s off Twilio's (its Date header; + ahead): resend "
                "lookups widen their window to match, but set the clock right (NTP)",
                -offset.total_seconds(),
            )

    def _sender(self) -> dict[str, Any]:
        params: dict[str, Any] = {"smart_encoded": False}  # the body stays as we wrote it
        if self.messaging_service_sid:
            params["messaging_service_sid"] = self.messaging_service_sid
        else:
            params["from_"] = self.from_
        if self.status_callback:
            params["status_callback"] = self.status_callback
        return params

    def _ours(self, message: Any) -> bool:
        if not str(message.direction or "").startswith("outbound"):
            return False
        if self.messaging_service_sid:
            return bool(message.messaging_service_sid == self.messaging_service_sid)
        return bool(message.from_ == self.from_)

    def _settle(self, key: str, sid: str | None) -> None:
        """The key's outcome is known: forget the attempt; remember the sid if it went."""
        with self._lock:
            self._unsure.pop(key, None)
            if sid is not None:
                self._keep(self._sent, key, sid)

    def _keep(self, where: OrderedDict[str, Any], key: str, value: Any) -> None:
        where.setdefault(key, value)
        where.move_to_end(key)
        while len(where) > self._remember:
            where.popitem(last=False)


def _error(
    exc: TwilioRestException | TwilioServiceException, looking_up: bool = False
) -> SendError:
    """The port's error for a Twilio error answer."""
    status, code = int(exc.status), exc.code
    detail = getattr(exc, "msg", None) or getattr(exc, "detail", None) or getattr(exc, "title", "")
    what = f"Twilio answered {status}" + (f" (error {code})" if code else "") + f": {detail}"
    if code == UNSUBSCRIBED:
        return RecipientUnsubscribed(what + "; the recipient opted out", code=code)
    if status == 429 or status >= 500:
        return TransientSendError(what, code=code)
    if status in _OPERATOR_FIXES:
        return TransientSendError(
            what + "; check ISA_TWILIO_ACCOUNT_SID and ISA_TWILIO_AUTH_TOKEN", code=code
        )
    if looking_up:  # a lookup that cannot work must not turn into a second text
        return TransientSendError(what + " while looking up an unsure text", code=code)
    return PermanentSendError(what, code=code)
