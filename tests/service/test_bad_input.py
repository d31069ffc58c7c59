"""Bad input through Twilio's webhook, the same on SQLite and PostgreSQL (issue 14, item 6):
a NUL is dropped and the rest stored, a WhatsApp sender is refused (never merged with the
SMS contact), bidi controls never reach a text, and a large or multipart body is refused
before it is parsed or its signature checked."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from adapters.storage.orm import Contact, Message
from adapters.storage.vocab import Direction, Role
from tests.service.conftest import ACCOUNT, PUBLIC_URL, Service

ANA = "+15125550142"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def _inbound_count(service: Service) -> int:
    with service.container.uow(read_only=True) as uow:
        found = uow.session.scalar(
            select(func.count()).select_from(Message).where(Message.direction == Direction.IN)
        )
        return int(found or 0)


def test_a_nul_in_a_leads_text_is_dropped_and_the_text_stored(service: Service) -> None:
    maria, _ = service.user("maria@example.com", Role.AGENT, "Maria")
    service.lead(ANA, "Ana", maria)
    answer = service.inbound(ANA, "3 bed\x00rooms in Hutto")
    assert answer.status_code == 200, answer.text
    with service.container.uow(read_only=True) as uow:
        bodies = list(
            uow.session.scalars(select(Message.body).where(Message.direction == Direction.IN))
        )
    assert bodies == ["3 bedrooms in Hutto"]


def test_a_whatsapp_sender_is_refused_not_merged_with_the_sms_contact(service: Service) -> None:
    maria, _ = service.user("maria@example.com", Role.AGENT, "Maria")
    service.lead(ANA, "Ana", maria)
    params = {
        "MessageSid": service.next_sid(),
        "From": "whatsapp:" + ANA,
        "To": "whatsapp:+15125550100",
        "Body": "STOP",
        "AccountSid": ACCOUNT,
    }
    answer = service.client.post(
        "/sms/inbound", data=params, headers=service.signed("/sms/inbound", params)
    )
    assert answer.status_code == 400
    assert "whatsapp address" in answer.json()["detail"]
    assert _inbound_count(service) == 0
    with service.container.uow(read_only=True) as uow:
        assert uow.session.scalar(select(Contact.dead).where(Contact.phone == ANA)) is False


def test_bidi_controls_in_a_name_never_reach_a_text(make_service: object) -> None:
    service = make_service(auto_approve="opening")  # type: ignore[operator]
    maria, _ = service.user("maria@example.com", Role.AGENT, "Ma\u202eria")
    service.lead(ANA, "A\u202en\u2066a\u2069", maria)
    [opening] = service.texted(ANA)
    assert "Ana" in opening and "Maria" in opening
    assert not set(BIDI) & set(opening)


def test_a_large_body_is_refused_before_it_is_parsed_or_checked(service: Service) -> None:
    started = time.perf_counter()
    answer = service.client.post(
        "/sms/inbound",
        files={"upload": ("big.bin", b"x" * (8 * 2**20), "application/octet-stream")},
        data={"MessageSid": "SM" + "1" * 32, "From": ANA, "Body": "hi"},
    )
    assert answer.status_code == 413
    assert time.perf_counter() - started < 5
    assert _inbound_count(service) == 0


def test_a_multipart_webhook_is_refused_before_it_is_parsed(service: Service) -> None:
    answer = service.client.post(
        "/sms/inbound",
        files={"upload": ("small.bin", b"x" * 100, "application/octet-stream")},
        data={"MessageSid": "SM" + "1" * 32, "From": ANA, "Body": "hi"},
    )
    assert answer.status_code == 415
    assert _inbound_count(service) == 0


def test_a_bad_signature_is_refused_without_echoing_the_public_url(service: Service) -> None:
    params = {"MessageSid": service.next_sid(), "From": ANA, "Body": "hi", "AccountSid": ACCOUNT}
    answer = service.client.post(
        "/sms/inbound", data=params, headers={"X-Twilio-Signature": "forged"}
    )
    assert answer.status_code == 403
    assert PUBLIC_URL not in answer.text and "isa.example.com" not in answer.text
