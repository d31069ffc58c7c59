"""The simulated phone: a whole conversation without Twilio, the way a newcomer runs it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from adapters.storage.vocab import Role
from tests.service.conftest import Service, ServiceFactory

ANA = "+15125550142"
LEAD_SAYS = [
    "yes",
    "3 bedrooms and 2 baths",
    "Austin",
    "under 450k",
    "preapproved",
    "no",
    "in 3 months",
    "tomorrow at 3pm",
]


def approve_everything(svc: Service, isa: dict[str, str]) -> None:
    for item in svc.client.get("/queue", headers=isa).json()["items"]:
        answer = svc.client.post(f"/queue/{item['id']}/approve", headers=isa)
        assert answer.status_code == 200, answer.text


def test_the_simulated_phone_is_off_unless_enabled(service: Service) -> None:
    answer = service.client.post("/dev/sms", json={"from": ANA, "body": "hi"})
    assert answer.status_code == 404 and "ISA_DEV_PHONE" in answer.json()["detail"]
    assert service.client.get(f"/dev/sms/{ANA}").status_code == 404


def test_a_whole_conversation_runs_to_an_appointment_through_the_isa_queue(
    dev_service: Service,
) -> None:
    svc = dev_service
    agent, agent_h = svc.user("maria@example.com", Role.AGENT, "Maria", "Lopez")
    _, isa = svc.user("ivy@example.com", Role.ISA, "Ivy")
    svc.lead(ANA, "Ana", agent)
    approve_everything(svc, isa)
    for body in LEAD_SAYS:
        svc.clock.advance(minutes=1)
        answer = svc.client.post("/dev/sms", json={"from": ANA, "body": body})
        assert answer.status_code == 200 and answer.json()["waiting_for_isa"] >= 1
        approve_everything(svc, isa)
    phone: dict[str, Any] = svc.client.get(f"/dev/sms/{ANA}").json()
    assert phone["status"] == "appointment" and phone["waiting_for_isa"] == 0
    said = [m["text"] for m in phone["thread"] if m["from"] == "lead"]
    assert said == LEAD_SAYS
    assert phone["thread"][-1]["text"].startswith("Perfect! Maria will call you")
    outcomes = svc.client.get("/outcomes", headers=agent_h).json()["items"]
    assert [o["kind"] for o in outcomes] == ["appointment"]
    assert outcomes[0]["slots"]["location"] == ["Austin"]


def test_with_auto_approval_the_phone_answers_at_once_and_takes_a_form_too(
    make_service: ServiceFactory,
) -> None:
    svc = make_service(twilio=False, auto_approve="all")
    agent, _ = svc.user("maria@example.com", Role.AGENT, "Maria")
    svc.lead(ANA, "Ana", agent)
    answer = svc.client.post("/dev/sms", data={"from": "(512) 555-0142", "body": "yes"})
    thread = answer.json()["thread"]
    assert [m["from"] for m in thread] == ["assistant", "lead", "assistant"]
    assert thread[-1]["text"] == "Great! How many bedrooms are you looking for?"


def test_the_simulated_phone_refuses_what_is_not_a_text(dev_service: Service) -> None:
    for body in ({"from": ANA}, {"from": "nope", "body": "hi"}, {"body": "hi"}):
        assert dev_service.client.post("/dev/sms", json=body).status_code == 400
    assert (
        dev_service.client.post(
            "/dev/sms", content=b"[1]", headers={"content-type": "application/json"}
        ).status_code
        == 400
    )


def test_times_are_read_on_the_leads_own_clock(make_service: ServiceFactory) -> None:
    svc = make_service(twilio=False, auto_approve="all")
    agent, _ = svc.user("maria@example.com", Role.AGENT, "Maria")
    seattle = "+12065550142"
    svc.lead(seattle, "Sam", agent)
    # 03:30 UTC on the 24th is still the 23rd, 19:30, in Seattle (inside its quiet-hours window)
    svc.clock.now = datetime(2037, 11, 24, 3, 30, tzinfo=UTC)
    svc.client.post("/dev/sms", json={"from": seattle, "body": "3 bd 2 ba in ballard"})
    svc.client.post("/dev/sms", json={"from": seattle, "body": "tomorrow at 3pm"})
    phone = svc.client.get(f"/dev/sms/{seattle}").json()
    assert phone["status"] == "appointment"
    assert "Tuesday, November 24 at 3 PM" in phone["thread"][-1]["text"]


def test_the_dev_clock_lets_a_newcomer_watch_a_lead_go_cold_and_get_its_first_drip_text(
    dev_service: Service,
) -> None:
    svc = dev_service
    agent, _ = svc.user("dana@example.com", Role.AGENT, "Dana")
    _, coordinator = svc.user("cora@example.com", Role.COORDINATOR, "Cora")
    _, isa = svc.user("ivy@example.com", Role.ISA, "Ivy")
    consent = {"source": "website form", "wording": "I agree to receive texts about homes."}
    lead = {"phone": "(512) 555-0142", "first_name": "Maria", "owner_id": agent}
    made = svc.client.post("/leads", headers=coordinator, json={**lead, "consent": consent})
    assert made.status_code == 201
    svc.client.post("/dev/clock", json={"advance": "20m"})  # nobody approved: nothing left
    assert svc.client.get(f"/dev/sms/{ANA}").json()["status"] == "active"
    approve_everything(svc, isa)  # the opening leaves now
    moved = svc.client.post("/dev/clock", json={"advance": "16m"})
    assert moved.status_code == 200 and moved.json()["jobs_run"] >= 1
    assert svc.client.get(f"/dev/sms/{ANA}").json()["status"] == "cold"
    svc.client.post("/dev/clock", json={"advance": "1d"})
    thread = svc.client.get(f"/dev/sms/{ANA}").json()["thread"]
    assert len(thread) == 2 and thread[-1]["text"].startswith("Hi Maria")  # day 1 of the drip
    bad = svc.client.post("/dev/clock", json={"advance": "soon"})
    assert bad.status_code == 400 and "90s, 15m, 2h or 3d" in bad.json()["detail"]
