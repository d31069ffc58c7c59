"""Spanish through the running service: the simulated phone, the queue, the stored switch.

The switch, the stored conversation and the Spanish texts hold with today's reader, which
tells the language of a text but reads no Spanish slot yet; the whole conversation to an
Appointment waits for the Spanish reader (issue 16's reader branch) and is marked so.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from adapters.storage.orm import AuditEntry, ConversationRow
from adapters.storage.vocab import Role
from tests.service.conftest import Service
from tests.service.test_dev_phone import approve_everything

MARISOL = "+18325550142"
# ces-001 of ../shared/corpus/conversations-es.jsonl, as the lead texted it
LEAD_SAYS = [
    "hola, sí buscamos casa en Katy o Cypress",
    "3 recámaras 2 baños, hasta 320 mil",
    "ya estamos preaprobados con Chase",
    "no tenemos agente",
    "el jueves a las 4",
]


def _text(svc: Service, body: str) -> dict[str, Any]:
    svc.clock.advance(minutes=1)
    answer = svc.client.post("/dev/sms", json={"from": MARISOL, "body": body})
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_a_lead_who_writes_spanish_is_switched_and_the_switch_is_stored(
    dev_service: Service,
) -> None:
    svc = dev_service
    agent, agent_h = svc.user("maria@example.com", Role.AGENT, "Maria", "Lopez")
    _, isa = svc.user("ivy@example.com", Role.ISA, "Ivy")
    contact_id = svc.lead(MARISOL, "Marisol", agent)
    approve_everything(svc, isa)
    _text(svc, "hola, sí seguimos buscando")
    approve_everything(svc, isa)
    phone = svc.client.get(f"/dev/sms/{MARISOL}").json()
    texts = [m["text"] for m in phone["thread"] if m["from"] == "assistant"]
    assert texts[0].startswith("Hi Marisol! This is Maria's assistant")
    assert texts[1] == "¡Qué bien! ¿Cuántas recámaras necesita?"
    with svc.container.uow(read_only=True) as uow:
        row = uow.session.scalar(
            select(ConversationRow).where(ConversationRow.contact_id == contact_id)
        )
        assert row is not None
        assert (row.script_name, row.script_version) == ("buyer-es", 1)
        assert (row.language, row.switched_from) == ("es", "buyer@1")
        (entry,) = uow.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "conversation.language")
        )
        assert entry.details["to_script"] == "buyer-es@1"
        assert entry.details["reason"].startswith("the lead wrote in Spanish")
    view = svc.client.get(f"/conversations/{contact_id}", headers=agent_h).json()
    assert view["conversation"]["language"] == "es"
    assert view["conversation"]["script"] == "buyer-es@1"


def test_an_opt_out_in_spanish_is_confirmed_once_in_spanish(dev_service: Service) -> None:
    svc = dev_service
    agent, _ = svc.user("maria@example.com", Role.AGENT, "Maria")
    _, isa = svc.user("ivy@example.com", Role.ISA, "Ivy")
    svc.lead(MARISOL, "Marisol", agent)
    approve_everything(svc, isa)
    phone = _text(svc, "STOP, no me manden más mensajes por favor")
    assert phone["status"] == "dead"
    last = phone["thread"][-1]
    assert last["from"] == "assistant"
    assert last["text"] == "Listo, ya no recibirá más mensajes de nosotros. ¡Disculpe la molestia!"


def test_a_spanish_conversation_reaches_an_appointment_through_the_simulated_phone(
    dev_service: Service,
) -> None:
    svc = dev_service
    agent, agent_h = svc.user("maria@example.com", Role.AGENT, "Maria", "Lopez")
    _, isa = svc.user("ivy@example.com", Role.ISA, "Ivy")
    contact_id = svc.lead(MARISOL, "Marisol", agent)
    approve_everything(svc, isa)
    for body in LEAD_SAYS:
        _text(svc, body)
        approve_everything(svc, isa)
    phone: dict[str, Any] = svc.client.get(f"/dev/sms/{MARISOL}").json()
    assert phone["status"] == "appointment" and phone["waiting_for_isa"] == 0
    assert [m["text"] for m in phone["thread"] if m["from"] == "lead"] == LEAD_SAYS
    # Monday 23 November 2037, 10:00 in Houston: "el jueves a las 4" is Thursday the 26th
    assert phone["thread"][-1]["text"] == (
        "¡Perfecto! Maria le llamará el jueves 26 de noviembre a las 4 PM. ¡Hasta pronto!"
    )
    outcomes = svc.client.get("/outcomes", headers=agent_h).json()["items"]
    assert [o["kind"] for o in outcomes] == ["appointment"]
    slots = outcomes[0]["slots"]
    assert slots["location"] == ["Katy", "Cypress"] and slots["beds"] == 3
    assert slots["price_max"] == 320000 and slots["has_agent"] is False
    with svc.container.uow(read_only=True) as uow:
        row = uow.session.scalar(
            select(ConversationRow).where(ConversationRow.contact_id == contact_id)
        )
        assert row is not None and row.script_name == "buyer-es" and row.language == "es"
        assert all(n <= 1 for n in row.asked.values())  # no question asked twice
