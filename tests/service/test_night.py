"""At night for the lead (their 21:00–08:00, and Texas's 09:00 on weekdays) nothing is sent,
and every place a person looks says so and why: the approval's answer, the simulated phone,
the thread. The dev rules (``rules/dev``) let a newcomer try the product at night on the
simulated phone only, each text saying which quiet hours it broke."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from adapters.storage.orm import AuditEntry
from adapters.storage.vocab import Role
from api.app import create_app
from api.settings import Settings
from isa_engine.errors import ScriptError
from tests.conftest import REPO
from tests.service.conftest import Service, ServiceFactory

ANA = "+15125550142"  # Austin, Texas
NIGHT = datetime(2037, 11, 24, 4, 30, tzinfo=UTC)  # Monday 22:30 in Austin
WHY = "held until 09:00 tomorrow (federal and Texas quiet hours: it is 22:30 in Texas)"


def _night_lead(svc: Service) -> tuple[int, dict[str, str]]:
    svc.clock.now = NIGHT
    agent, _ = svc.user("maria@example.com", Role.AGENT, "Maria", "Lopez")
    _, isa = svc.user("ivy@example.com", Role.ISA, "Ivy")
    return svc.lead(ANA, "Ana", agent), isa


def test_at_night_the_approval_the_phone_and_the_thread_say_why_nothing_was_sent(
    dev_service: Service,
) -> None:
    svc = dev_service
    contact_id, isa = _night_lead(svc)
    (item,) = svc.client.get("/queue", headers=isa).json()["items"]
    approved = svc.client.post(f"/queue/{item['id']}/approve", headers=isa).json()
    assert approved["held"] == WHY
    assert svc.texted(ANA) == []  # never dropped, never sent at night

    phone = svc.client.get(f"/dev/sms/{ANA}").json()
    assert phone["thread"] == []
    (waiting,) = phone["held"]
    assert waiting["why"] == WHY and waiting["text"].startswith("Hi Ana!")
    page = svc.client.get(f"/console/phone/{ANA}").text
    assert f"Not sent yet, {WHY}" in page

    _, coordinator = svc.user("cora@example.com", Role.COORDINATOR, "Cora")
    thread = svc.client.get(f"/conversations/{contact_id}", headers=coordinator).json()
    (opening,) = thread["messages"]
    assert (opening["status"], opening["held"]) == ("queued", WHY)

    moved = svc.client.post("/dev/clock", json={"advance": "11h"})  # Tuesday 09:30 in Austin
    assert moved.status_code == 200
    phone = svc.client.get(f"/dev/sms/{ANA}").json()
    assert phone["held"] == [] and phone["thread"][0]["text"].startswith("Hi Ana!")
    assert [t.startswith("Hi Ana!") for t in svc.texted(ANA)] == [True]


def test_a_text_held_overnight_shows_in_the_thread_when_it_left(dev_service: Service) -> None:
    svc = dev_service
    contact_id, isa = _night_lead(svc)
    (item,) = svc.client.get("/queue", headers=isa).json()["items"]
    svc.client.post(f"/queue/{item['id']}/approve", headers=isa)
    assert svc.client.post("/dev/sms", json={"from": ANA, "body": "hello?"}).status_code == 200
    svc.client.post("/dev/clock", json={"advance": "11h"})  # Tuesday 09:30 in Austin

    phone = svc.client.get(f"/dev/sms/{ANA}").json()["thread"]
    assert [t["from"] for t in phone[:2]] == ["lead", "assistant"]  # the order the phone saw
    left = datetime.fromisoformat(phone[1]["at"])
    assert left >= datetime(2037, 11, 24, 15, 0, tzinfo=UTC)  # 09:00 in Austin, not 22:30
    _, coordinator = svc.user("cora@example.com", Role.COORDINATOR, "Cora")
    thread = svc.client.get(f"/conversations/{contact_id}", headers=coordinator).json()
    opening = next(m for m in thread["messages"] if m["body"].startswith("Hi Ana!"))
    assert datetime.fromisoformat(opening["at"]) >= datetime(2037, 11, 24, 15, 0, tzinfo=UTC)
    assert datetime.fromisoformat(opening["queued_at"]) < left


def test_a_lead_posted_at_night_says_its_opening_is_held(make_service: ServiceFactory) -> None:
    svc = make_service(twilio=False, auto_approve="opening")
    svc.clock.now = NIGHT
    _, coordinator = svc.user("cora@example.com", Role.COORDINATOR, "Cora")
    answer = svc.client.post(
        "/leads", json={"phone": ANA, "first_name": "Ana"}, headers=coordinator
    ).json()
    assert answer["conversation"] == "started" and answer["opening"] == WHY


def test_in_the_lead_s_day_nothing_is_held(dev_service: Service) -> None:
    svc = dev_service  # 10:00 in Austin
    agent, _ = svc.user("maria@example.com", Role.AGENT, "Maria")
    _, isa = svc.user("ivy@example.com", Role.ISA, "Ivy")
    svc.lead(ANA, "Ana", agent)
    (item,) = svc.client.get("/queue", headers=isa).json()["items"]
    assert svc.client.post(f"/queue/{item['id']}/approve", headers=isa).json()["held"] is None
    assert svc.client.get(f"/dev/sms/{ANA}").json()["held"] == []


def test_the_dev_rules_send_at_night_and_say_which_quiet_hours_they_broke(
    make_service: ServiceFactory,
) -> None:
    svc = make_service(twilio=False, rules_dir=REPO / "rules" / "dev")
    contact_id, isa = _night_lead(svc)
    (item,) = svc.client.get("/queue", headers=isa).json()["items"]
    approved = svc.client.post(f"/queue/{item['id']}/approve", headers=isa).json()
    assert approved["held"].startswith("sent at once: the dev rules (")
    assert approved["held"].endswith(f"ignore quiet hours; a real lead's text would be {WHY}")
    assert [t.startswith("Hi Ana!") for t in svc.texted(ANA)] == [True]
    (opening,) = svc.client.get(f"/dev/sms/{ANA}").json()["thread"]
    assert opening["override"].endswith("would have waited until Tue 09:00")
    _, coordinator = svc.user("cora@example.com", Role.COORDINATOR, "Cora")
    thread = svc.client.get(f"/conversations/{contact_id}", headers=coordinator).json()
    assert thread["messages"][0]["override"] == opening["override"]
    assert "would have waited until Tue 09:00" in svc.client.get(f"/console/phone/{ANA}").text
    with svc.container.uow(read_only=True) as uow:
        entry = uow.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "send.override")
        ).one()
    assert entry.details["would_wait_until"].startswith("2037-11-24T15:00")  # 09:00 in Austin
    assert any("federal quiet hours" in r for r in entry.details["reasons"])


def test_the_dev_rules_are_refused_without_the_simulated_phone() -> None:
    settings = Settings(database_url="sqlite://", rules_dir=REPO / "rules" / "dev")
    with pytest.raises(ScriptError) as refused:
        create_app(settings, migrate=False)
    assert refused.value.path.endswith("override.yaml")
    assert "ISA_DEV_PHONE=true" in refused.value.message
