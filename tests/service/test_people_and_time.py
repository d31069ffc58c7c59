"""People and time in the loop, through HTTP: an ISA approving minutes later, quiet hours holding
texts overnight, an agent taking over, a lead rescheduling. The service's clock is moved, never
slept; the worker runs the jobs that came due, as `isa serve` would.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from adapters.storage.orm import Job
from adapters.storage.vocab import Role
from api.services.dispatch import worker_for
from tests.service.conftest import Service, ServiceFactory

ANA = "+15125550142"  # Austin, US Central
CONSENT = {"source": "website form", "wording": "I agree to receive texts about homes."}
THURSDAY_NIGHT = datetime(2037, 12, 3, 8, 16, tzinfo=UTC)  # Thursday 02:16 in Austin


class Office:
    """A coordinator, an ISA and an agent (Dana) on the service under test."""

    def __init__(self, svc: Service) -> None:
        self.svc = svc
        self.dana, self.agent = svc.user("dana@example.com", Role.AGENT, "Dana", "Reyes")
        _, self.coordinator = svc.user("cora@example.com", Role.COORDINATOR, "Cora")
        _, self.isa = svc.user("ivy@example.com", Role.ISA, "Ivy")

    def new_lead(self, phone: str = ANA, name: str = "Maria") -> int:
        answer = self.svc.client.post(
            "/leads",
            headers=self.coordinator,
            json={"phone": phone, "first_name": name, "owner_id": self.dana, "consent": CONSENT},
        )
        assert answer.status_code == 201, answer.text
        contact: int = answer.json()["contact_id"]
        return contact

    def queue(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self.svc.client.get("/queue", headers=self.isa).json()[
            "items"
        ]
        return items

    def approve_all(self) -> None:
        for item in self.queue():
            answer = self.svc.client.post(f"/queue/{item['id']}/approve", headers=self.isa)
            assert answer.status_code == 200, answer.text

    def text(self, body: str, phone: str = ANA) -> None:
        answer = self.svc.client.post("/dev/sms", json={"from": phone, "body": body})
        assert answer.status_code == 200, answer.text

    def view(self, contact: int) -> dict[str, Any]:
        body: dict[str, Any] = self.svc.client.get(
            f"/conversations/{contact}", headers=self.agent
        ).json()
        return body

    def wait(self, **delta: float) -> None:
        """Time passes as it would for a worker that never sleeps: each job runs when due."""
        run_until(self.svc, self.svc.clock() + timedelta(**delta))


def run_until(svc: Service, until: datetime) -> None:
    """Move the clock to each due job in turn, running it then, and on to ``until``."""
    worker = worker_for(svc.container)
    while True:
        while worker.run_once():
            pass
        with svc.container.uow(read_only=True) as uow:
            due = uow.session.scalar(
                select(func.min(Job.due_at)).where(Job.parked.is_(False), Job.due_at <= until)
            )
        if due is None:
            break
        svc.clock.now = max(svc.clock.now, due)
    svc.clock.now = until


def office(make_service: ServiceFactory, **settings: Any) -> Office:
    return Office(make_service(twilio=False, **settings))


def test_a_silent_lead_goes_cold_15_minutes_after_our_text_left_and_gets_the_drip(
    make_service: ServiceFactory,
) -> None:
    o = office(make_service)
    contact = o.new_lead()
    o.wait(seconds=5)
    o.wait(minutes=3)  # the ISA is slow: nothing was sent, so nothing counts yet
    assert o.view(contact)["conversation"]["status"] == "active"
    o.approve_all()  # the opening leaves now
    o.wait(minutes=14)
    assert o.view(contact)["conversation"]["status"] == "active"
    o.wait(minutes=1, seconds=1)
    view = o.view(contact)
    assert view["conversation"]["status"] == "cold"
    assert [e["state"] for e in view["enrollments"]] == ["active"]
    o.wait(days=1, hours=1)
    drips = [m for m in view_messages(o, contact) if m["sent_by"] == "drip"]
    assert len(drips) == 1  # day 1 of the nurture campaign


def view_messages(o: Office, contact: int) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = o.view(contact)["messages"]
    return messages


def test_a_lead_whose_reply_waits_for_an_isa_is_never_cold(make_service: ServiceFactory) -> None:
    o = office(make_service)
    contact = o.new_lead()
    o.approve_all()
    o.wait(minutes=2)
    o.text("yes still looking")
    o.wait(hours=2)  # nobody approves our reply
    view = o.view(contact)
    assert view["conversation"]["status"] == "active"
    assert [q["asks"] for q in o.queue()] == ["beds"]


def test_a_lead_whose_reply_quiet_hours_hold_overnight_is_never_cold(
    make_service: ServiceFactory,
) -> None:
    o = office(make_service, auto_approve="all")
    o.svc.clock.now = datetime(2037, 11, 24, 2, 50, tzinfo=UTC)  # Monday 20:50 in Austin
    contact = o.new_lead()  # the opening goes at once
    o.wait(minutes=12)
    o.text("yes, 3 bedrooms")  # 21:02: our reply is held until 09:00 (Texas's window)
    o.wait(minutes=30)
    assert o.view(contact)["conversation"]["status"] == "active"
    o.wait(hours=11, minutes=30)  # 09:02: it went at 09:00
    assert o.view(contact)["conversation"]["status"] == "active"
    o.wait(minutes=14)  # 09:16: unanswered for 16 minutes
    assert o.view(contact)["conversation"]["status"] == "cold"


def test_a_new_time_alone_keeps_the_agreed_day_and_the_update_names_it(
    make_service: ServiceFactory,
) -> None:
    o = office(make_service, auto_approve="all")
    o.svc.clock.now = datetime(2037, 12, 2, 16, 0, tzinfo=UTC)  # Wednesday 10:00 in Austin
    contact = o.new_lead()
    o.text("3 bd 2 ba in hutto. friday at 11am works for a call")
    assert o.view(contact)["conversation"]["slots"]["appointment"]["value"] == "2037-12-04T11:00"
    o.svc.clock.now = THURSDAY_NIGHT + timedelta(minutes=11)  # Thursday 02:27
    o.text("can we do 2pm instead?")
    view = o.view(contact)
    assert view["conversation"]["slots"]["appointment"]["value"] == "2037-12-04T14:00"
    update = view["outcomes"][-1]
    assert update["kind"] == "update" and update["slots"]["appointment"] == "2037-12-04T14:00"
    [confirmation] = [q["text"] for q in queued(o, contact)]
    assert "Friday, December 4 at 2 PM" in confirmation


def test_a_new_day_alone_keeps_the_agreed_time(make_service: ServiceFactory) -> None:
    o = office(make_service, auto_approve="all")
    o.svc.clock.now = datetime(2037, 12, 2, 16, 0, tzinfo=UTC)  # Wednesday 10:00 in Austin
    contact = o.new_lead()
    o.text("3 bd in hutto, thursday at 4pm")
    o.wait(hours=2)
    o.text("actually could we do friday instead?")
    view = o.view(contact)
    assert view["conversation"]["slots"]["appointment"]["value"] == "2037-12-04T16:00"
    assert "Friday, December 4 at 4 PM" in view_messages(o, contact)[-1]["body"]


def queued(o: Office, contact: int) -> list[dict[str, Any]]:
    """Texts to the lead not sent yet (quiet hours hold them)."""
    return [
        {"text": m["body"]}
        for m in view_messages(o, contact)
        if m["direction"] == "out" and m["status"] == "queued"
    ]


def test_a_weekday_that_is_today_means_today_and_the_confirmation_says_so(
    make_service: ServiceFactory,
) -> None:
    o = office(make_service, auto_approve="all")
    o.svc.clock.now = datetime(2037, 12, 2, 16, 0, tzinfo=UTC)
    contact = o.new_lead()
    o.text("3 bedrooms in Hutto please")
    o.svc.clock.now = THURSDAY_NIGHT
    o.text("can dana call me thursday at 5:30pm?")
    view = o.view(contact)
    assert view["conversation"]["slots"]["appointment"]["value"] == "2037-12-03T17:30"
    [confirmation] = [q["text"] for q in queued(o, contact)]
    assert "Thursday, December 3 at 5:30 PM" in confirmation


def test_an_off_script_question_is_answered_and_the_question_asked_in_other_words_in_one_text(
    make_service: ServiceFactory,
) -> None:
    o = office(make_service, auto_approve="all")
    contact = o.new_lead()
    o.text("yes")
    o.text("is this a bot?")
    o.text("what's the house on Elm worth?")
    o.text("who is this?")
    outbound = [m["body"] for m in view_messages(o, contact) if m["direction"] == "out"]
    bedrooms = [t for t in outbound if "bedrooms" in t]
    assert len(bedrooms) == 2  # asked, then once more in the script's other words
    assert bedrooms[0] != bedrooms[1] and "automated" in bedrooms[1]
    assert all(a != b for a, b in itertools.pairwise(outbound))
    assert len(outbound) == 5  # opening, question, and one text for each turn after


def test_the_agent_who_took_over_may_say_who_they_are(make_service: ServiceFactory) -> None:
    o = office(make_service)
    contact = o.new_lead()
    assert o.svc.client.post(f"/conversations/{contact}/takeover", headers=o.agent).is_success
    mine = o.svc.client.post(
        f"/conversations/{contact}/messages",
        headers=o.agent,
        json={"text": "Hi Maria, Dana here. When's good for a quick call?"},
    )
    assert mine.status_code == 201, mine.text
    isa = o.svc.client.post(
        f"/conversations/{contact}/messages",
        headers=o.isa,
        json={"text": "Hi Maria, Dana here."},
    )
    assert isa.status_code == 422  # the ISA types in the assistant's name
    fair = o.svc.client.post(
        f"/conversations/{contact}/messages",
        headers=o.agent,
        json={"text": "It's a very family-friendly street."},
    )
    assert fair.status_code == 422 and "family" in " ".join(fair.json()["reasons"])


def test_an_alert_carries_the_leads_text(make_service: ServiceFactory) -> None:
    o = office(make_service, auto_approve="all")
    contact = o.new_lead()
    o.text("what's the house on Elm worth?")
    assert o.view(contact)["alerts"][-1] == {
        **o.view(contact)["alerts"][-1],
        "reason": "lead: question",
        "text": "what's the house on Elm worth?",
    }


def test_a_rejected_suggestion_leaves_the_reply_owed_and_the_thread_shows_why(
    make_service: ServiceFactory,
) -> None:
    o = office(make_service)
    contact = o.new_lead()
    o.approve_all()
    o.text("yes, 3 beds")
    [question] = o.queue()
    rejected = o.svc.client.post(
        f"/queue/{question['id']}/reject", headers=o.isa, json={"reason": "asks too fast"}
    )
    assert rejected.status_code == 204
    [owed] = o.queue()
    assert owed["text"] == "" and owed["why"].startswith("needs a reply")
    o.wait(hours=1)
    assert o.view(contact)["conversation"]["status"] == "active"  # still ours to answer
    [was] = [s for s in o.view(contact)["suggestions"] if s["state"] == "rejected"]
    assert was["text"] == question["text"] and was["reject_reason"] == "asks too fast"
    empty = o.svc.client.post(f"/queue/{owed['id']}/approve", headers=o.isa)
    assert empty.status_code == 409 and "empty" in empty.json()["detail"]
    written = o.svc.client.post(
        f"/queue/{owed['id']}/edit", headers=o.isa, json={"text": "Great! Any area in mind?"}
    )
    assert written.status_code == 200 and o.queue() == []
    o.wait(minutes=16)
    assert o.view(contact)["conversation"]["status"] == "cold"


def test_a_lead_who_declines_a_call_is_engaged_and_not_asked_for_a_time_again(
    make_service: ServiceFactory,
) -> None:
    o = office(make_service, auto_approve="all")
    contact = o.new_lead()
    o.text("yes, 3 bed 2 bath in round rock under 400k")
    o.wait(minutes=2)
    o.text("I don't want a call right now, just looking")
    view = o.view(contact)
    assert view["conversation"]["status"] == "engaged"
    assert [x["kind"] for x in view["outcomes"]] == ["engagement"]
    o.wait(minutes=2)
    o.text("preapproved with chase")
    outbound = [m["body"] for m in view_messages(o, contact) if m["direction"] == "out"]
    assert not any("What day and time works" in t for t in outbound)
    o.wait(minutes=1)
    assert [e["state"] for e in o.view(contact)["enrollments"]] == ["active"]
