"""The ISA queue through HTTP: order, context, decisions, the guard, stale and dead, policy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from adapters.storage.orm import AuditEntry
from adapters.storage.vocab import Role
from tests.service.conftest import Service, ServiceFactory

ANA, BEN, CAL = "+15125550142", "+15125550143", "+15125550144"


def queue(svc: Service, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    answer = svc.client.get("/queue", headers=headers, params=params)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def staffed(svc: Service) -> tuple[int, dict[str, str]]:
    agent, _ = svc.user("maria@example.com", Role.AGENT, "Maria", "Lopez")
    _, isa = svc.user("ivy@example.com", Role.ISA, "Ivy")
    return agent, isa


def test_the_queue_is_oldest_waiting_first_with_the_context_to_decide(service: Service) -> None:
    agent, isa = staffed(service)
    for phone, name in ((ANA, "Ana"), (BEN, "Ben"), (CAL, "Cal")):
        service.lead(phone, name, agent)
        service.clock.advance(minutes=1)
    service.inbound(BEN, "yes! 3 bedrooms please")
    page = queue(service, isa)
    names = [item["contact_first_name"] for item in page["items"]]
    # Ben's opening still goes first: it introduces us and says how to opt out
    assert names == ["Ana", "Ben", "Cal", "Ben"] and page["total"] == 4
    latest = page["items"][-1]
    assert latest["inbound"] == "yes! 3 bedrooms please"
    assert latest["slots"] == {"beds": 3} and latest["asks"] == "baths"
    assert latest["why"] and latest["agent_first_name"] == "Maria"
    second_page = queue(service, isa, limit=2, offset=2)
    assert [i["contact_first_name"] for i in second_page["items"]] == ["Cal", "Ben"]


def test_only_isas_and_admins_work_the_queue(service: Service) -> None:
    _, agent_headers = service.user("dana@example.com", Role.AGENT, "Dana")
    assert service.client.get("/queue", headers=agent_headers).status_code == 403
    assert service.client.get("/queue").status_code == 401


def test_approving_sends_the_text_and_records_who_decided(service: Service) -> None:
    agent, isa = staffed(service)
    service.lead(ANA, "Ana", agent)
    first = queue(service, isa)["items"][0]
    answer = service.client.post(f"/queue/{first['id']}/approve", headers=isa)
    assert answer.status_code == 200 and len(answer.json()["outbound_ids"]) == 1
    assert service.texted(ANA) == [first["text"]]
    assert queue(service, isa)["total"] == 0
    again = service.client.post(f"/queue/{first['id']}/approve", headers=isa)
    assert again.status_code == 409 and "approved already" in again.json()["detail"]
    with service.container.uow(read_only=True) as uow:
        entry = uow.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "suggestion.approved")
        )
        assert entry is not None and entry.actor_id is not None


def test_an_edit_the_guard_refuses_shows_the_reasons_and_sends_nothing(service: Service) -> None:
    agent, isa = staffed(service)
    service.lead(ANA, "Ana", agent)
    first = queue(service, isa)["items"][0]
    refused = service.client.post(
        f"/queue/{first['id']}/edit",
        headers=isa,
        json={"text": "Hi Ana, this is Maria Lopez, your realtor. Prices will only go up!"},
    )
    assert refused.status_code == 422
    assert refused.json()["reasons"], refused.json()
    assert service.sms.sent == [] and queue(service, isa)["total"] == 1
    fine = service.client.post(
        f"/queue/{first['id']}/edit",
        headers=isa,
        json={"text": "Hi Ana! This is Maria's assistant. Still looking? Reply STOP to opt out."},
    )
    assert fine.status_code == 200 and service.texted(ANA)[0].startswith("Hi Ana! This is Maria")


def test_a_rejection_needs_a_reason_and_the_reason_is_shown(service: Service) -> None:
    agent, isa = staffed(service)
    contact = service.lead(ANA, "Ana", agent)
    first = queue(service, isa)["items"][0]
    no_reason = service.client.post(f"/queue/{first['id']}/reject", headers=isa, json={})
    assert no_reason.status_code == 422
    done = service.client.post(
        f"/queue/{first['id']}/reject", headers=isa, json={"reason": "she called us already"}
    )
    assert done.status_code == 204 and service.sms.sent == []
    view = service.client.get(f"/conversations/{contact}", headers=isa).json()
    assert view["suggestions"][0]["reject_reason"] == "she called us already"


def test_a_question_the_lead_answered_since_leaves_the_queue(service: Service) -> None:
    agent, isa = staffed(service)
    service.lead(ANA, "Ana", agent)
    service.inbound(ANA, "yes")  # → "how many bedrooms?" waits in the queue
    beds = next(i for i in queue(service, isa)["items"] if i["asks"] == "beds")
    service.inbound(ANA, "4 bedrooms and 3 baths")  # answered before anyone approved
    asks = [i["asks"] for i in queue(service, isa)["items"]]
    assert asks == [None, "location"]  # the opening, and one reply to everything said
    stale = service.client.post(f"/queue/{beds['id']}/approve", headers=isa)
    assert stale.status_code == 409 and "expired already" in stale.json()["detail"]


def test_approving_for_a_lead_who_went_dead_meanwhile_fails_with_a_reason(
    service: Service,
) -> None:
    agent, isa = staffed(service)
    service.lead(ANA, "Ana", agent)
    first = queue(service, isa)["items"][0]
    service.inbound(ANA, "STOP")
    answer = service.client.post(f"/queue/{first['id']}/approve", headers=isa)
    assert answer.status_code == 409
    assert answer.json()["error"] == "ContactDead" and "opted out" in answer.json()["detail"]
    assert service.texted(ANA) == [
        "You're unsubscribed and won't get more texts from us. Sorry for the bother!"
    ]


def test_undecided_suggestions_are_escalated_after_the_configured_time(
    make_service: ServiceFactory,
) -> None:
    svc = make_service(escalate_after_minutes=5)
    agent, isa = staffed(svc)
    svc.lead(ANA, "Ana", agent)
    svc.clock.advance(minutes=4)
    svc.lead(BEN, "Ben", agent)
    assert [i["escalated"] for i in queue(svc, isa)["items"]] == [False, False]
    svc.clock.advance(minutes=2)
    page = queue(svc, isa)
    assert [i["escalated"] for i in page["items"]] == [True, False] and page["escalated"] == 1
    only = queue(svc, isa, escalated="true")["items"]
    assert [i["contact_first_name"] for i in only] == ["Ana"]
    assert only[0]["waiting_seconds"] == 360


def test_the_opening_policy_sends_the_first_text_at_once_and_queues_the_rest(
    make_service: ServiceFactory,
) -> None:
    svc = make_service(auto_approve="opening")
    agent, isa = staffed(svc)
    svc.lead(ANA, "Ana", agent)
    assert len(svc.texted(ANA)) == 1 and queue(svc, isa)["total"] == 0
    svc.inbound(ANA, "yes")
    assert len(svc.texted(ANA)) == 1 and queue(svc, isa)["total"] == 1


def test_a_policy_file_names_the_steps_and_intents_that_go_without_an_isa(
    make_service: ServiceFactory, tmp_path: Path
) -> None:
    policy = tmp_path / "auto.yaml"
    policy.write_text("auto: [beds, identity_question]\n")
    svc = make_service(auto_approve=str(policy))
    agent, _ = staffed(svc)
    svc.lead(ANA, "Ana", agent)
    assert svc.texted(ANA) == []  # the opening is not in the file
    svc.inbound(ANA, "yes")  # → asks beds: in the file, goes at once
    assert svc.texted(ANA) == ["Great! How many bedrooms are you looking for?"]
    svc.inbound(ANA, "is this a bot?")  # the answer, and beds asked in other words: one text
    answer = svc.texted(ANA)[-1]
    assert "automated" in answer and answer.endswith("About how many bedrooms do you need?")
    assert len(svc.texted(ANA)) == 2
