"""Twilio's webhooks through HTTP: signatures, retries, bad forms, status callbacks, STOP."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, select

from adapters.storage.orm import AuditEntry, Contact, ConversationRow, Message, Suggestion
from adapters.storage.vocab import DeliveryStatus, Direction, Role, SuggestionState
from tests.service.conftest import ACCOUNT, Service, ServiceFactory, contact_row

ANA = "+15125550142"


def count(svc: Service, model: type, *where: ColumnElement[bool]) -> int:
    with svc.container.uow(read_only=True) as uow:
        found = uow.session.scalar(select(func.count()).select_from(model).where(*where))
        return int(found or 0)


def inbound_params(svc: Service, body: str = "3 bedrooms") -> dict[str, str]:
    return {
        "MessageSid": svc.next_sid(),
        "From": ANA,
        "To": "+15125550100",
        "Body": body,
        "AccountSid": ACCOUNT,
    }


def test_a_forged_or_missing_signature_is_refused_and_nothing_is_stored(service: Service) -> None:
    params = inbound_params(service)
    good = service.signed("/sms/inbound", params)
    missing = service.client.post("/sms/inbound", data=params)
    forged = service.client.post(
        "/sms/inbound", data=params, headers={"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}
    )
    tampered = service.client.post("/sms/inbound", data={**params, "Body": "STOP"}, headers=good)
    other_url = service.signed("/sms/status", params)
    wrong_path = service.client.post("/sms/inbound", data=params, headers=other_url)
    assert [r.status_code for r in (missing, forged, tampered, wrong_path)] == [403] * 4
    assert "X-Twilio-Signature" in forged.json()["detail"]
    assert count(service, Message) == 0 and count(service, Contact) == 0


def test_without_a_twilio_token_the_webhook_refuses_and_points_to_the_dev_phone(
    make_service: ServiceFactory,
) -> None:
    svc = make_service(twilio=False)
    answer = svc.client.post("/sms/inbound", data=inbound_params(svc))
    assert answer.status_code == 403 and "/dev/sms" in answer.json()["detail"]
    assert count(svc, Message) == 0


def test_the_same_webhook_posted_five_times_is_one_message_and_one_turn(service: Service) -> None:
    agent, _ = service.user("maria@example.com", Role.AGENT, "Maria", "Lopez")
    contact = service.lead(ANA, "Ana", agent)
    params = inbound_params(service, "yes, 3 bedrooms")
    headers = service.signed("/sms/inbound", params)
    answers = [service.client.post("/sms/inbound", data=params, headers=headers) for _ in range(5)]
    assert {a.status_code for a in answers} == {200}
    assert all(a.headers["content-type"].startswith("application/xml") for a in answers)
    assert all(a.text.endswith("<Response/>") for a in answers)
    assert count(service, Message, Message.direction == Direction.IN) == 1
    with service.container.uow(read_only=True) as uow:
        conv = uow.session.scalar(
            select(ConversationRow).where(ConversationRow.contact_id == contact)
        )
        assert conv is not None and conv.turn == 1 and conv.slots["beds"] == 3
    # the opening plus one reply to the text, both waiting for an ISA
    assert count(service, Suggestion) == 2


def test_a_malformed_form_is_refused_with_what_is_wrong_and_nothing_stored(
    service: Service,
) -> None:
    for params, says in (
        ({"From": ANA, "Body": "hi"}, "MessageSid"),
        ({"MessageSid": service.next_sid(), "Body": "hi"}, "From is missing"),
        ({"MessageSid": service.next_sid(), "From": "not a phone", "Body": "hi"}, "From:"),
        ({"MessageSid": service.next_sid(), "From": "+1512", "Body": "hi"}, "From:"),
    ):
        answer = service.client.post(
            "/sms/inbound", data=params, headers=service.signed("/sms/inbound", params)
        )
        assert answer.status_code == 400 and says in answer.json()["detail"], answer.text
    assert count(service, Message) == 0 and count(service, Contact) == 0


def test_a_text_from_an_unknown_number_is_kept_and_starts_nothing(service: Service) -> None:
    assert (
        service.inbound("+15125550199", "hi, is the house on Elm still for sale?").status_code
        == 200
    )
    assert count(service, Contact) == 1 and count(service, Message) == 1
    assert count(service, ConversationRow) == 0 and service.sms.sent == []


def test_stop_from_an_unknown_number_makes_it_dead_and_start_revives_it(service: Service) -> None:
    service.inbound("+15125550199", "STOP")
    with service.container.uow(read_only=True) as uow:
        contact = uow.contacts.get_by_phone("+15125550199")
        assert contact is not None and contact.dead
    service.inbound("+15125550199", "START")
    with service.container.uow(read_only=True) as uow:
        contact = uow.contacts.get_by_phone("+15125550199")
        assert contact is not None and not contact.dead


def test_stop_kills_the_lead_sends_one_confirmation_and_empties_the_queue(service: Service) -> None:
    agent, _ = service.user("maria@example.com", Role.AGENT, "Maria", "Lopez")
    contact = service.lead(ANA, "Ana", agent)
    assert count(service, Suggestion, Suggestion.state == SuggestionState.PENDING) == 1
    service.inbound(ANA, "Stop texting me")
    service.inbound(ANA, "STOP")
    service.inbound(ANA, "yes")  # a bare yes later does not revive
    assert contact_row(service, contact).dead
    assert service.texted(ANA) == [
        "You're unsubscribed and won't get more texts from us. Sorry for the bother!"
    ]
    assert count(service, Suggestion, Suggestion.state == SuggestionState.PENDING) == 0
    assert count(service, AuditEntry, AuditEntry.action == "contact.dead") == 1
    assert count(service, Message, Message.direction == Direction.IN) == 3


def test_delivery_status_only_moves_forward(service: Service) -> None:
    agent, _ = service.user("maria@example.com", Role.AGENT, "Maria")
    service.lead(ANA, "Ana", agent)
    _, isa = service.user("ivy@example.com", Role.ISA)
    opening = service.client.get("/queue", headers=isa).json()["items"][0]["id"]
    service.client.post(f"/queue/{opening}/approve", headers=isa)
    sid = service.sms.sent[0].sid
    for status in ("delivered", "sent", "sending", "queued"):
        params = {"MessageSid": sid, "MessageStatus": status, "AccountSid": ACCOUNT}
        answer = service.client.post(
            "/sms/status", data=params, headers=service.signed("/sms/status", params)
        )
        assert answer.status_code == 204
    with service.container.uow(read_only=True) as uow:
        message = uow.messages.by_sid(sid)
        assert message is not None and message.delivery_status is DeliveryStatus.DELIVERED


def test_error_21610_makes_the_contact_dead_and_nothing_more_is_sent(service: Service) -> None:
    agent, _ = service.user("maria@example.com", Role.AGENT, "Maria")
    _, isa = service.user("ivy@example.com", Role.ISA)
    contact = service.lead(ANA, "Ana", agent)
    opening = service.client.get("/queue", headers=isa).json()["items"][0]["id"]
    assert service.client.post(f"/queue/{opening}/approve", headers=isa).status_code == 200
    sid = service.sms.sent[0].sid
    params = {
        "MessageSid": sid,
        "MessageStatus": "failed",
        "ErrorCode": "21610",
        "AccountSid": ACCOUNT,
    }
    answer = service.client.post(
        "/sms/status", data=params, headers=service.signed("/sms/status", params)
    )
    assert answer.status_code == 204
    assert contact_row(service, contact).dead
    service.inbound(ANA, "3 bedrooms")
    assert count(service, Suggestion, Suggestion.state == SuggestionState.PENDING) == 0
    assert len(service.sms.sent) == 1


def _post_status(service: Service, sid: str, status: str, code: str = "") -> int:
    params = {"MessageSid": sid, "MessageStatus": status, "AccountSid": ACCOUNT}
    if code:
        params["ErrorCode"] = code
    answer = service.client.post(
        "/sms/status", data=params, headers=service.signed("/sms/status", params)
    )
    return answer.status_code


def test_a_status_that_comes_before_the_sid_is_stored_is_applied_when_it_lands(
    service: Service,
) -> None:
    agent, _ = service.user("maria@example.com", Role.AGENT, "Maria")
    service.lead(ANA, "Ana", agent)
    _, isa = service.user("ivy@example.com", Role.ISA)
    early = "SM" + "e" * 32
    # Twilio may call back before its answer to our send is saved: keep what it says
    assert _post_status(service, early, "sent") == 204
    assert _post_status(service, early, "delivered") == 204
    real_send = service.sms.send

    def send_as_twilio_did(to: str, body: str, key: str, **kw: Any) -> str:
        real_send(to, body, key, **kw)
        return early

    service.sms.send = send_as_twilio_did  # type: ignore[method-assign]
    opening = service.client.get("/queue", headers=isa).json()["items"][0]["id"]
    assert service.client.post(f"/queue/{opening}/approve", headers=isa).status_code == 200
    with service.container.uow(read_only=True) as uow:
        message = uow.messages.by_sid(early)
        assert message is not None and message.delivery_status is DeliveryStatus.DELIVERED


def test_a_signed_status_callback_cannot_change_a_leads_text(service: Service) -> None:
    agent, _ = service.user("maria@example.com", Role.AGENT, "Maria")
    service.lead(ANA, "Ana", agent)
    sid = service.next_sid()
    service.inbound(ANA, "yes still looking", sid=sid)
    assert _post_status(service, sid, "failed", "30003") == 204
    with service.container.uow(read_only=True) as uow:
        message = uow.messages.by_sid(sid)
        assert message is not None
        assert message.delivery_status is DeliveryStatus.RECEIVED and message.error_code is None
