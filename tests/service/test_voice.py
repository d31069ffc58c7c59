"""A lead's call rings through to the owning agent's cell (seed 000), through HTTP."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from sqlalchemy import update

from adapters.storage.orm import Inquiry, User
from adapters.storage.vocab import Role
from api.routes.voice import NOBODY
from tests.service.conftest import ACCOUNT, Service, ServiceFactory

ANA = "+15125550142"
DANA_CELL = "+15125550199"


def call(svc: Service, caller: str, *, signed: bool = True) -> Any:
    params = {
        "CallSid": "CA" + "3" * 32,
        "AccountSid": ACCOUNT,
        "From": caller,
        "To": "+15125550100",
        "CallStatus": "ringing",
        "Direction": "inbound",
    }
    headers = svc.signed("/voice/inbound", params) if signed else {}
    return svc.client.post("/voice/inbound", data=params, headers=headers)


def agent(svc: Service, email: str, first: str, cell: str | None) -> int:
    agent_id, _ = svc.user(email, Role.AGENT, first)
    with svc.container.uow() as uow:
        uow.session.execute(update(User).where(User.id == agent_id).values(cell_phone=cell))
        uow.commit()
    return agent_id


def verbs(answer: Any) -> list[tuple[str, str, dict[str, str]]]:
    """The TwiML's verbs: (tag, text, attributes)."""
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(answer.text)
    assert root.tag == "Response"
    return [(v.tag, (v.text or "").strip(), dict(v.attrib)) for v in root]


def test_a_lead_calling_our_number_rings_their_agents_cell(service: Service) -> None:
    dana = agent(service, "dana@example.com", "Dana", "(512) 555-0199")
    service.lead(ANA, "Ana", dana)
    [(tag, number, attrs)] = verbs(call(service, ANA))
    assert (tag, number) == ("Dial", DANA_CELL)
    assert attrs["answerOnBridge"] == "true" and "callerId" not in attrs  # the lead's number shows


def test_the_call_rings_whoever_owns_the_lead_now(service: Service) -> None:
    dana = agent(service, "dana@example.com", "Dana", DANA_CELL)
    sam = agent(service, "sam@example.com", "Sam", "+15125550177")
    contact = service.lead(ANA, "Ana", dana)
    with service.container.uow() as uow:  # the lead was reassigned and Sam accepted it
        uow.session.execute(
            update(Inquiry).where(Inquiry.contact_id == contact).values(owner_id=sam)
        )
        uow.commit()
    [(tag, number, _)] = verbs(call(service, ANA))
    assert (tag, number) == ("Dial", "+15125550177")


def test_an_unknown_caller_hears_a_polite_message_and_nobody_is_dialled(service: Service) -> None:
    agent(service, "dana@example.com", "Dana", DANA_CELL)
    assert verbs(call(service, "+14155550123")) == [("Say", NOBODY, {}), ("Hangup", "", {})]


def test_a_lead_without_an_agent_or_whose_agent_has_no_cell_hears_the_same(
    service: Service,
) -> None:
    service.lead(ANA, "Ana", None)
    assert [v[0] for v in verbs(call(service, ANA))] == ["Say", "Hangup"]
    nocell = agent(service, "lee@example.com", "Lee", None)
    service.lead("+15125550143", "Bo", nocell)
    assert [v[0] for v in verbs(call(service, "+15125550143"))] == ["Say", "Hangup"]


def test_a_withheld_caller_id_hears_the_polite_message(service: Service) -> None:
    assert [v[0] for v in verbs(call(service, "anonymous"))] == ["Say", "Hangup"]


def test_an_unsigned_or_forged_call_is_refused(service: Service) -> None:
    dana = agent(service, "dana@example.com", "Dana", DANA_CELL)
    service.lead(ANA, "Ana", dana)
    assert call(service, ANA, signed=False).status_code == 403
    params = {"CallSid": "CA" + "3" * 32, "From": ANA, "AccountSid": ACCOUNT}
    forged = service.client.post(
        "/voice/inbound", data=params, headers=service.signed("/sms/inbound", params)
    )
    assert forged.status_code == 403 and "X-Twilio-Signature" in forged.json()["detail"]


def test_without_twilio_the_voice_webhook_is_off(make_service: ServiceFactory) -> None:
    svc = make_service(twilio=False)
    answer = call(svc, ANA)
    assert answer.status_code == 403 and "ISA_TWILIO_AUTH_TOKEN" in answer.json()["detail"]
