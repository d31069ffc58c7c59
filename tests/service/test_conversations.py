"""Agents and ISAs on a conversation: who sees it, takeover, hand-back, texts, drip, notes."""

from __future__ import annotations

from sqlalchemy import select

from adapters.storage.orm import Campaign, ConsentRecord, Enrollment
from adapters.storage.vocab import EnrollmentState, Role
from tests.service.conftest import Service

ANA, BEN = "+15125550142", "+15125550143"


def test_an_agent_cannot_read_or_touch_another_agents_lead(service: Service) -> None:
    maria, maria_h = service.user("maria@example.com", Role.AGENT, "Maria")
    _, omar_h = service.user("omar@example.com", Role.AGENT, "Omar")
    contact = service.lead(ANA, "Ana", maria)
    assert service.client.get(f"/conversations/{contact}", headers=maria_h).status_code == 200
    for method, path, body in (
        ("GET", f"/conversations/{contact}", None),
        ("POST", f"/conversations/{contact}/takeover", None),
        ("POST", f"/conversations/{contact}/messages", {"text": "Hi Ana!"}),
        ("POST", f"/conversations/{contact}/notes", {"body": "peek"}),
        ("POST", f"/conversations/{contact}/drip", {"action": "stop"}),
        ("GET", "/conversations/999999", None),
    ):
        answer = service.client.request(method, path, headers=omar_h, json=body)
        assert answer.status_code == 404, (path, answer.text)
    assert service.sms.sent == []


def test_the_conversation_shows_slots_with_where_they_came_from(service: Service) -> None:
    maria, maria_h = service.user("maria@example.com", Role.AGENT, "Maria")
    contact = service.lead(ANA, "Ana", maria)
    service.inbound(ANA, "yes, 3 bedrooms in Austin")
    view = service.client.get(f"/conversations/{contact}", headers=maria_h).json()
    conv = view["conversation"]
    assert conv["script"] == "buyer@1" and conv["status"] == "active" and conv["turns"] == 1
    assert conv["slots"]["beds"] == {"value": 3, "turn": 1, "text": "yes, 3 bedrooms in Austin"}
    assert [m["direction"] for m in view["messages"]] == ["in"]


def test_a_taken_over_conversation_suggests_nothing_and_alerts_the_agent(service: Service) -> None:
    maria, maria_h = service.user("maria@example.com", Role.AGENT, "Maria")
    contact = service.lead(ANA, "Ana", maria)
    taken = service.client.post(f"/conversations/{contact}/takeover", headers=maria_h)
    assert taken.status_code == 200 and taken.json()["status"] == "agent"
    service.inbound(ANA, "3 bedrooms")
    view = service.client.get(f"/conversations/{contact}", headers=maria_h).json()
    assert view["alerts"][-1]["text"] == "3 bedrooms"
    # only the opening, from before the takeover, and it went out of the queue with it
    assert [s["state"] for s in view["suggestions"]] == ["expired"]
    typed = service.client.post(
        f"/conversations/{contact}/messages",
        headers={**maria_h, "Idempotency-Key": "k-1"},
        json={"text": "Hi Ana, Maria will call you. When is good?"},
    )
    assert typed.status_code == 201
    assert service.texted(ANA) == ["Hi Ana, Maria will call you. When is good?"]
    back = service.client.post(f"/conversations/{contact}/handback", headers=maria_h)
    assert back.status_code == 200 and back.json()["status"] == "active"
    view = service.client.get(f"/conversations/{contact}", headers=maria_h).json()
    # the agent's question is the last word: the engine waits for the lead, asking nothing
    assert [s["state"] for s in view["suggestions"]] == ["expired"]
    service.inbound(ANA, "tomorrow at 3 works, 2 baths")
    view = service.client.get(f"/conversations/{contact}", headers=maria_h).json()
    assert view["conversation"]["status"] == "appointment"


def test_a_typed_text_passes_the_persona_guard(service: Service) -> None:
    maria, maria_h = service.user("maria@example.com", Role.AGENT, "Maria", "Lopez")
    contact = service.lead(ANA, "Ana", maria)
    refused = service.client.post(
        f"/conversations/{contact}/messages",
        headers=maria_h,
        json={"text": "As a licensed realtor I can tell you this is a great investment."},
    )
    assert refused.status_code == 422 and refused.json()["reasons"]
    assert service.sms.sent == []


def test_a_dead_contact_can_be_texted_by_no_path(service: Service) -> None:
    maria, maria_h = service.user("maria@example.com", Role.AGENT, "Maria")
    _, isa = service.user("ivy@example.com", Role.ISA, "Ivy")
    contact = service.lead(ANA, "Ana", maria)
    opening = service.client.get("/queue", headers=isa).json()["items"][0]["id"]
    with service.container.uow() as uow:
        campaign = Campaign(name="buyer_nurture", version=1, created_at=service.clock())
        uow.session.add(campaign)
        uow.session.flush()
        uow.session.add(
            Enrollment(contact_id=contact, campaign_id=campaign.id, enrolled_at=service.clock())
        )
        uow.commit()
    service.inbound(ANA, "STOP")
    confirmation = list(service.texted(ANA))
    attempts = {
        "approve": service.client.post(f"/queue/{opening}/approve", headers=isa),
        "edit": service.client.post(f"/queue/{opening}/edit", headers=isa, json={"text": "Hi"}),
        "agent text": service.client.post(
            f"/conversations/{contact}/messages", headers=maria_h, json={"text": "Hi Ana!"}
        ),
        "isa text": service.client.post(
            f"/conversations/{contact}/messages", headers=isa, json={"text": "Hi Ana!"}
        ),
        "drip restart": service.client.post(
            f"/conversations/{contact}/drip", headers=maria_h, json={"action": "restart"}
        ),
    }
    assert {name: a.status_code for name, a in attempts.items()} == dict.fromkeys(attempts, 409)
    assert "dead" in attempts["agent text"].json()["detail"]
    service.inbound(ANA, "yes")
    assert service.texted(ANA) == confirmation and len(confirmation) == 1


def test_stopping_the_drip_stops_every_enrolment_and_a_restart_resumes_it(
    service: Service,
) -> None:
    maria, maria_h = service.user("maria@example.com", Role.AGENT, "Maria")
    contact = service.lead(ANA, "Ana", maria)
    with service.container.uow() as uow:
        campaign = Campaign(name="buyer_nurture", version=1, created_at=service.clock())
        uow.session.add(campaign)
        uow.session.flush()
        uow.session.add(
            Enrollment(contact_id=contact, campaign_id=campaign.id, enrolled_at=service.clock())
        )
        uow.commit()
    _consent(service, contact)
    stopped = service.client.post(
        f"/conversations/{contact}/drip", headers=maria_h, json={"action": "stop"}
    )
    assert stopped.status_code == 200 and len(stopped.json()["enrollments"]) == 1
    with service.container.uow(read_only=True) as uow:
        assert uow.session.scalar(select(Enrollment.state)) is EnrollmentState.STOPPED
    service.client.post(
        f"/conversations/{contact}/drip", headers=maria_h, json={"action": "restart"}
    )
    with service.container.uow(read_only=True) as uow:
        assert uow.session.scalar(select(Enrollment.state)) is EnrollmentState.ACTIVE


def test_notes_are_kept_on_the_lead(service: Service) -> None:
    maria, maria_h = service.user("maria@example.com", Role.AGENT, "Maria")
    contact = service.lead(ANA, "Ana", maria)
    added = service.client.post(
        f"/conversations/{contact}/notes", headers=maria_h, json={"body": "prefers mornings"}
    )
    assert added.status_code == 201
    view = service.client.get(f"/conversations/{contact}", headers=maria_h).json()
    assert [n["body"] for n in view["notes"]] == ["prefers mornings"]


def test_each_agent_lists_only_their_own_outcomes(service: Service) -> None:
    maria, maria_h = service.user("maria@example.com", Role.AGENT, "Maria")
    omar, omar_h = service.user("omar@example.com", Role.AGENT, "Omar")
    _, admin = service.user("root@example.com", Role.ADMIN)
    service.lead(ANA, "Ana", maria)
    service.lead(BEN, "Ben", omar)
    service.inbound(ANA, "yes, call me tomorrow at 3pm")
    service.inbound(BEN, "3 bedrooms, I can't do a call, just text me")
    mine = service.client.get("/outcomes", headers=maria_h).json()["items"]
    assert [(o["kind"], o["agent_id"]) for o in mine] == [("appointment", maria)]
    theirs = service.client.get("/outcomes", headers=omar_h).json()["items"]
    assert [(o["kind"], o["agent_id"]) for o in theirs] == [("engagement", omar)]
    peek = service.client.get("/outcomes", headers=maria_h, params={"agent_id": omar})
    assert peek.status_code == 403
    everyone = service.client.get("/outcomes", headers=admin, params={"kind": "appointment"})
    assert [o["agent_id"] for o in everyone.json()["items"]] == [maria]


def _consent(service: Service, contact: int) -> None:
    with service.container.uow() as uow:
        uow.session.add(
            ConsentRecord(
                contact_id=contact, source="web form", wording="I agree", given_at=service.clock()
            )
        )
        uow.commit()


def test_restarting_a_drip_rechecks_consent(service: Service) -> None:
    maria, maria_h = service.user("maria@example.com", Role.AGENT, "Maria")
    contact = service.lead(ANA, "Ana", maria)
    with service.container.uow() as uow:
        campaign = Campaign(name="buyer_nurture", version=1, created_at=service.clock())
        uow.session.add(campaign)
        uow.session.flush()
        uow.session.add(
            Enrollment(contact_id=contact, campaign_id=campaign.id, enrolled_at=service.clock())
        )
        uow.commit()
    url = f"/conversations/{contact}/drip"
    assert service.client.post(url, headers=maria_h, json={"action": "stop"}).status_code == 200
    refused = service.client.post(url, headers=maria_h, json={"action": "restart"})
    assert refused.status_code == 409 and "consent" in refused.json()["detail"]
    with service.container.uow(read_only=True) as uow:
        assert uow.session.scalar(select(Enrollment.state)) is EnrollmentState.STOPPED
    _consent(service, contact)
    assert service.client.post(url, headers=maria_h, json={"action": "restart"}).status_code == 200
