"""CrmWebhook posts to a real local HTTP receiver that checks signatures with ``verify``."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from pydantic import ValidationError

from adapters.crm_webhook import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    BadSignature,
    CrmWebhook,
    outcome_delivery,
    sign,
    verify,
)
from api.settings import Settings
from isa_engine.model import OutcomeKind
from isa_engine.ports import (
    LeadCard,
    OutcomeNotice,
    PermanentSendError,
    TextLine,
    TransientSendError,
)
from tests.adapters.conftest import free_port

SECRET = "whsec_3f9a1c0d2e7b4a56"
PUBLIC = "https://isa.example.com"
T0 = datetime(2037, 11, 23, 16, 0, tzinfo=UTC)
OUTCOME = OutcomeNotice(
    outcome_id=12,
    kind=OutcomeKind.APPOINTMENT,
    lead=LeadCard(42, "+15125550142", "Ana", "Lopez", "ana@example.com"),
    slots={"beds": 3, "location": ["Hutto"], "appointment": "2037-11-24T15:00"},
    reason="a firm time to talk",
    at=T0,
    texts=(TextLine(T0 - timedelta(minutes=1), True, "tomorrow at 3 works"),),
)


@dataclass
class Receiver:
    """A CRM's webhook endpoint: verifies each delivery, keeps the good ones, answers as told."""

    secret: str = SECRET
    answer: tuple[int, dict[str, str]] = (204, {})
    hold: threading.Event | None = None  # set: the answer waits until released (too slow)
    accepted: list[tuple[dict[str, str], dict[str, Any]]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            try:
                verify(state.secret, dict(self.headers.items()), body)
            except BadSignature as exc:
                state.refused.append(str(exc))
                self._reply(401, {})
                return
            if state.hold is not None:
                state.hold.wait(5)
            state.accepted.append((dict(self.headers.items()), json.loads(body)))
            self._reply(*state.answer)

        def _reply(self, status: int, headers: dict[str, str]) -> None:
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()
            except OSError:  # the sender gave up waiting
                pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/isa"
    yield state
    if state.hold is not None:
        state.hold.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def hook() -> Iterator[CrmWebhook]:
    sender = CrmWebhook(["unused"], SECRET, public_url=PUBLIC, timeout=0.5)
    yield sender
    sender.close()


def test_an_outcome_arrives_signed_with_what_a_crm_needs(
    receiver: Receiver, hook: CrmWebhook
) -> None:
    hook.post_outcome(receiver.url, OUTCOME)
    [(headers, event)] = receiver.accepted
    assert headers[DELIVERY_HEADER] == "outcome-12" and headers["X-Isa-Event"] == (
        "outcome.appointment"
    )
    assert event["id"] == "outcome-12" and event["type"] == "outcome.appointment"
    data = event["data"]
    assert data["kind"] == "appointment" and data["slots"]["appointment"] == "2037-11-24T15:00"
    assert data["slots"]["location"] == ["Hutto"] and data["lead"]["phone"] == "+15125550142"
    assert data["conversation_url"] == f"{PUBLIC}/conversations/42"
    assert data["texts"] == [
        {"at": "2037-11-23T15:59:00Z", "from": "lead", "body": "tomorrow at 3 works"}
    ]


def test_a_retry_is_the_same_delivery_with_a_fresh_signature(receiver: Receiver) -> None:
    now = time.time()
    stamps = iter([now, now + 1])
    sender = CrmWebhook([], SECRET, public_url=PUBLIC, clock=lambda: next(stamps))
    receiver.answer = (503, {})
    with pytest.raises(TransientSendError):
        sender.post_outcome(receiver.url, OUTCOME)
    receiver.answer = (204, {})
    sender.post_outcome(receiver.url, OUTCOME)  # the worker's retry
    sender.close()
    [(first, sent), (again, resent)] = receiver.accepted  # both verified by the receiver
    assert first[DELIVERY_HEADER] == again[DELIVERY_HEADER] == "outcome-12" and sent == resent
    assert first[SIGNATURE_HEADER] != again[SIGNATURE_HEADER]
    assert outcome_delivery(OUTCOME, PUBLIC) == outcome_delivery(OUTCOME, PUBLIC)


def test_a_receiver_with_another_secret_refuses_and_the_delivery_waits_for_the_operator(
    receiver: Receiver, hook: CrmWebhook
) -> None:
    receiver.secret = "whsec_someone_elses"
    with pytest.raises(TransientSendError, match="ISA_CRM_WEBHOOK_SECRET") as caught:
        hook.post_outcome(receiver.url, OUTCOME)
    assert caught.value.code == 401 and receiver.accepted == []
    assert receiver.refused == ["no v1 signature matches this body with this secret"]


@pytest.mark.parametrize("status", [429, 503])
def test_busy_or_failing_receivers_are_retried_when_they_say(
    receiver: Receiver, hook: CrmWebhook, status: int
) -> None:
    receiver.answer = (status, {"Retry-After": "30"})
    with pytest.raises(TransientSendError) as caught:
        hook.post_outcome(receiver.url, OUTCOME)
    assert caught.value.code == status and caught.value.retry_after == 30.0


@pytest.mark.parametrize("status", [400, 410, 422])
def test_a_receiver_that_refuses_the_delivery_itself_fails_it_for_good(
    receiver: Receiver, hook: CrmWebhook, status: int
) -> None:
    receiver.answer = (status, {})
    with pytest.raises(PermanentSendError) as caught:
        hook.post_outcome(receiver.url, OUTCOME)
    assert caught.value.code == status


def test_a_slow_receiver_times_out_as_transient(receiver: Receiver) -> None:
    receiver.hold = threading.Event()
    sender = CrmWebhook([], SECRET, public_url=PUBLIC, timeout=0.2)
    with pytest.raises(TransientSendError, match="ReadTimeout"):
        sender.post_outcome(receiver.url, OUTCOME)
    sender.close()


def test_an_unreachable_receiver_is_transient(hook: CrmWebhook) -> None:
    with pytest.raises(TransientSendError, match="ConnectError"):
        hook.post_outcome(f"http://127.0.0.1:{free_port()}/hooks", OUTCOME)


def test_a_webhook_without_a_secret_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="ISA_CRM_WEBHOOK_SECRET"):
        CrmWebhook(["https://crm.example.com/hook"], "", public_url=PUBLIC)


# ---------------------------------------------------------------- verify, as a receiver uses it

BODY = b'{"id":"outcome-12"}'
NOW = 1_800_000_000


def test_verify_accepts_a_fresh_signature_whatever_the_header_case() -> None:
    verify(SECRET, {"x-isa-signature": sign(SECRET, BODY, NOW)}, BODY, now=NOW + 10)


@pytest.mark.parametrize(
    ("headers", "body", "says"),
    [
        ({}, BODY, "no X-Isa-Signature"),
        ({SIGNATURE_HEADER: "v1=abc"}, BODY, "needs t="),
        ({SIGNATURE_HEADER: sign(SECRET, BODY, NOW)}, BODY + b" ", "no v1 signature matches"),
        ({SIGNATURE_HEADER: sign("other", BODY, NOW)}, BODY, "no v1 signature matches"),
        ({SIGNATURE_HEADER: sign(SECRET, BODY, NOW - 301)}, BODY, "replayed"),
    ],
)
def test_verify_refuses_what_is_missing_tampered_foreign_or_replayed(
    headers: dict[str, str], body: bytes, says: str
) -> None:
    with pytest.raises(BadSignature, match=says):
        verify(SECRET, headers, body, now=NOW)


def test_verify_accepts_either_secret_while_they_are_rotated() -> None:
    old, new = sign("old-secret", BODY, NOW), sign(SECRET, BODY, NOW)
    both = f"{new},v1={old.split('v1=')[1]}"
    verify("old-secret", {SIGNATURE_HEADER: both}, BODY, now=NOW)
    verify(SECRET, {SIGNATURE_HEADER: both}, BODY, now=NOW)


def test_settings_list_the_urls_and_refuse_urls_without_a_secret() -> None:
    both = Settings(
        crm_webhook_urls=" https://a.example/h , https://b.example/h ,", crm_webhook_secret=SECRET
    )
    assert both.crm_urls == ("https://a.example/h", "https://b.example/h")
    with pytest.raises(ValidationError, match="ISA_CRM_WEBHOOK_SECRET"):
        Settings(crm_webhook_urls="https://a.example/h")
    with pytest.raises(ValidationError, match="placeholder"):
        Settings(crm_webhook_urls="https://a.example/h", crm_webhook_secret="changeme")
