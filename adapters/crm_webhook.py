"""``CrmWebhook``: each outcome POSTed as signed JSON to the configured URLs (``OutcomeHook``).

A delivery is one event (``outcome.appointment``…) as JSON, built once and
byte-for-byte the same on every retry. Its headers, in Stripe's style:

    X-Isa-Delivery: outcome-12            stable across retries: receivers dedupe on it
    X-Isa-Event: outcome.appointment
    X-Isa-Signature: t=1795449600,v1=<hex HMAC-SHA256(secret, "1795449600." + body)>

The timestamp is signed with the body, so a receiver can refuse an old
(replayed) delivery; ``verify`` below does all of it for a Python receiver.
Each URL is posted to alone (``post_outcome(url, outcome)``), so a worker
retries only the receiver that failed. Answers: 2xx delivered; 408, 425, 429
and 5xx, timeouts and network errors → ``TransientSendError`` (with the
``Retry-After`` seconds when given); 3xx, 401, 403 and 404, which the
operator fixes (a moved URL, a secret that differs) → ``TransientSendError``
too, so nothing is lost meanwhile; 410 and any other 4xx → ``PermanentSendError``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from isa_engine.ports import OutcomeNotice, PermanentSendError, SendError, TransientSendError

SIGNATURE_HEADER = "X-Isa-Signature"
DELIVERY_HEADER = "X-Isa-Delivery"
EVENT_HEADER = "X-Isa-Event"
TOLERANCE_SECONDS = 300.0
"""How old a signature ``verify`` accepts by default (Stripe's five minutes)."""

_RETRY = frozenset({408, 425, 429})
_OPERATOR_FIXES = frozenset({401, 403, 404})


class BadSignature(ValueError):
    """A delivery whose signature is missing, malformed, too old, or not ours; says which."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """One event to deliver: its stable id, its type, and the exact JSON bytes."""

    id: str
    event: str
    body: bytes


def outcome_delivery(outcome: OutcomeNotice, public_url: str) -> Delivery:
    """The delivery for an outcome; the same bytes every time it is built."""
    lead = outcome.lead
    event = f"outcome.{outcome.kind.value}"
    data = {
        "outcome_id": outcome.outcome_id,
        "kind": outcome.kind.value,
        "reason": outcome.reason,
        "at": _iso(outcome.at),
        "slots": dict(outcome.slots),
        "lead": {
            "contact_id": lead.contact_id,
            "phone": lead.phone,
            "first_name": lead.first_name,
            "last_name": lead.last_name,
            "email": lead.email,
        },
        "conversation_url": f"{public_url.rstrip('/')}/conversations/{lead.contact_id}",
        "texts": [
            {"at": _iso(t.at), "from": "lead" if t.inbound else "assistant", "body": t.body}
            for t in outcome.texts
        ],
    }
    ident = f"outcome-{outcome.outcome_id}"
    payload = {"id": ident, "type": event, "created": _iso(outcome.at), "data": data}
    body = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return Delivery(ident, event, body.encode())


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The ``X-Isa-Signature`` value for ``body`` sent at ``timestamp`` (Unix seconds)."""
    return f"t={timestamp},v1={_mac(secret, timestamp, body)}"


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    tolerance: float = TOLERANCE_SECONDS,
    *,
    now: float | None = None,
) -> None:
    """Raise ``BadSignature`` unless ``body`` was signed with ``secret`` within ``tolerance`` s.

    For receivers: pass the raw request body (before any JSON parsing) and its
    headers (any mapping; names are matched case-insensitively). Several
    ``v1=`` values are accepted, so a sender can sign with an old and a new
    secret while they are rotated.
    """
    found = next((v for k, v in headers.items() if k.lower() == SIGNATURE_HEADER.lower()), None)
    if not found:
        raise BadSignature(f"no {SIGNATURE_HEADER} header")
    fields = [part.strip().partition("=") for part in found.split(",")]
    stamps = [value for key, _, value in fields if key == "t"]
    signatures = [value for key, _, value in fields if key == "v1"]
    if len(stamps) != 1 or not stamps[0].isdigit() or not signatures:
        raise BadSignature(f"{SIGNATURE_HEADER} needs t=<unix seconds> and v1=<hex signature>")
    stamp = int(stamps[0])
    age = (time.time() if now is None else now) - stamp
    if abs(age) > tolerance:
        raise BadSignature(
            f"the signature's timestamp is {age:.0f}s away from now (tolerance {tolerance:.0f}s): "
            "a replayed delivery, or a clock that is wrong"
        )
    expected = _mac(secret, stamp, body)
    if not any(hmac.compare_digest(expected, s) for s in signatures):
        raise BadSignature("no v1 signature matches this body with this secret")


class CrmWebhook:
    """POSTs signed outcome deliveries; one ``httpx.Client`` (connection pool) for all URLs."""

    def __init__(
        self,
        urls: Sequence[str],
        secret: str,
        *,
        public_url: str,
        timeout: float = 10.0,
        client: httpx.Client | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """``client`` may be given (e.g. with a transport of one's own); ``clock`` is Unix time."""
        if not secret:
            raise ValueError("a CRM webhook needs ISA_CRM_WEBHOOK_SECRET: every delivery is signed")
        self.urls, self.public_url = tuple(urls), public_url
        self._secret, self._clock = secret, clock
        self._client = client or httpx.Client(
            timeout=timeout,
            follow_redirects=False,
            headers={"User-Agent": "isa-engine-webhooks/0.1"},
        )

    def post_outcome(self, url: str, outcome: OutcomeNotice) -> None:
        """Deliver ``outcome`` to ``url``; raises a ``SendError`` when it did not land."""
        self.post(url, outcome_delivery(outcome, self.public_url))

    def post(self, url: str, delivery: Delivery) -> None:
        """POST one delivery to one URL, signed now."""
        headers = {
            "Content-Type": "application/json",
            DELIVERY_HEADER: delivery.id,
            EVENT_HEADER: delivery.event,
            SIGNATURE_HEADER: sign(self._secret, delivery.body, int(self._clock())),
        }
        try:
            answer = self._client.post(url, content=delivery.body, headers=headers)
        except httpx.HTTPError as exc:
            raise TransientSendError(
                f"CRM webhook {url}: {type(exc).__name__} ({exc}); delivery {delivery.id} "
                "will be retried with the same id"
            ) from exc
        if not answer.is_success:
            raise _error(url, answer)

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()


def _error(url: str, answer: httpx.Response) -> SendError:
    status = answer.status_code
    what = f"CRM webhook {url} answered {status} {answer.reason_phrase}: {answer.text[:200]!r}"
    if status in _RETRY or status >= 500:
        return TransientSendError(what, code=status, retry_after=_retry_after(answer))
    if status in _OPERATOR_FIXES or 300 <= status < 400:
        hint = (
            f"moved to {answer.headers.get('Location')}: configure the new URL"
            if status < 400
            else "check the URL and that the receiver shares ISA_CRM_WEBHOOK_SECRET"
        )
        return TransientSendError(f"{what}; {hint}", code=status)
    return PermanentSendError(what, code=status)


def _retry_after(answer: httpx.Response) -> float | None:
    raw = answer.headers.get("Retry-After", "").strip()
    if not raw:
        return None
    if raw.isdigit():
        return float(raw)
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # an HTTP date is GMT
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _mac(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")
