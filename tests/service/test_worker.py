"""Time passes: cold after 15 minutes, drip on the lead's own mornings, quiet hours, retries.

The clock is the test's; ``drain`` plays the worker (``isa worker`` or the
thread in ``isa serve``) running every job due at that moment.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from adapters.storage.orm import AuditEntry, ConsentRecord, Enrollment, Job, Message
from adapters.storage.vocab import DeliveryStatus, Direction, EnrollmentState, Role
from api.services.dispatch import worker_for
from api.services.worker import ClaimedJob, Worker, backoff
from tests.service.conftest import Service, ServiceFactory, contact_row

AUSTIN = "+15125550142"
EVENING = datetime(2037, 11, 24, 2, 50, tzinfo=UTC)  # Monday 20:50 in Austin
CENTRAL = timedelta(hours=-6)


def drain(svc: Service) -> int:
    """Run every job due now, as a worker would, until none is left; how many ran."""
    worker, ran = worker_for(svc.container), 0
    while (n := worker.run_once()) > 0:
        ran += n
    return ran


def consent(svc: Service, contact_id: int) -> None:
    with svc.container.uow() as uow:
        uow.session.add(
            ConsentRecord(
                contact_id=contact_id,
                source="web form",
                wording="I agree to receive texts about homes from Dana's team.",
                given_at=svc.clock(),
            )
        )
        uow.commit()


def outbound(svc: Service) -> list[Message]:
    with svc.container.uow(read_only=True) as uow:
        return list(
            uow.session.scalars(
                select(Message).where(Message.direction == Direction.OUT).order_by(Message.id)
            )
        )


def status_of(svc: Service, phone: str) -> Any:
    return svc.client.get(f"/dev/sms/{phone}").json()["status"]


def jobs(svc: Service, kind: str) -> list[Job]:
    with svc.container.uow(read_only=True) as uow:
        return list(uow.session.scalars(select(Job).where(Job.kind == kind).order_by(Job.due_at)))


@pytest.fixture
def auto(make_service: ServiceFactory) -> Service:
    """The service that answers without an ISA, with the simulated phone to read statuses."""
    svc = make_service(twilio=False, auto_approve="all")
    svc.clock.now = EVENING
    return svc


def test_a_silent_lead_goes_cold_then_gets_drip_on_its_next_allowed_morning_and_a_reply_stops_it(
    auto: Service,
) -> None:
    agent, _ = auto.user("dana@example.com", Role.AGENT, "Dana")
    contact = auto.lead(AUSTIN, "Ana", agent)
    consent(auto, contact)
    assert len(auto.texted(AUSTIN)) == 1  # the opening, at 20:50
    auto.clock.advance(minutes=14)
    drain(auto)
    assert status_of(auto, AUSTIN) == "active"
    auto.clock.advance(minutes=1)
    drain(auto)
    assert status_of(auto, AUSTIN) == "cold"
    [step] = jobs(auto, "drip")
    assert step.due_at == EVENING + timedelta(days=1, minutes=15)  # day 1: Tuesday 21:05

    auto.clock.now = step.due_at
    drain(auto)
    [_opening, drip] = outbound(auto)
    assert drip.delivery_status is DeliveryStatus.QUEUED  # 21:05 in Texas is quiet
    [send] = jobs(auto, "send")
    # Texas allows 09:00-21:00 Mon-Sat: Wednesday 09:00 in Austin
    assert send.due_at.astimezone(UTC) == datetime(2037, 11, 25, 15, 0, tzinfo=UTC)
    auto.clock.now = send.due_at
    drain(auto)
    assert auto.texted(AUSTIN)[-1] == drip.body and "Dana" in drip.body
    assert outbound(auto)[-1].sent_at == datetime(2037, 11, 25, 15, 0, tzinfo=UTC)

    auto.clock.advance(hours=2)
    auto.client.post("/dev/sms", json={"from": AUSTIN, "body": "still looking, 3 beds"})
    assert status_of(auto, AUSTIN) == "active"
    assert jobs(auto, "drip") == []  # day 3 will not come
    with auto.container.uow(read_only=True) as uow:
        enrolment = uow.session.scalar(select(Enrollment))
        assert enrolment is not None and enrolment.state is EnrollmentState.STOPPED
    auto.clock.advance(minutes=15)  # silent again after our next question: a fresh drip
    drain(auto)
    assert status_of(auto, AUSTIN) == "cold"
    [again] = jobs(auto, "drip")
    assert again.due_at == auto.clock() + timedelta(days=1)
    assert again.payload["step"] == 0


def test_an_appointment_lead_keeps_its_drip_until_the_agent_stops_it(auto: Service) -> None:
    auto.clock.now = datetime(2037, 11, 23, 16, 0, tzinfo=UTC)  # Monday 10:00 in Austin
    agent, agent_h = auto.user("dana@example.com", Role.AGENT, "Dana")
    contact = auto.lead(AUSTIN, "Ana", agent)
    consent(auto, contact)
    auto.client.post(
        "/dev/sms", json={"from": AUSTIN, "body": "3 bd in hutto, call me tomorrow at 3"}
    )
    assert status_of(auto, AUSTIN) == "appointment"
    drain(auto)  # the enrolment job
    sent = len(auto.texted(AUSTIN))
    for day in (1, 3, 7):
        auto.clock.now = datetime(2037, 11, 23, 16, 0, tzinfo=UTC) + timedelta(days=day, hours=1)
        drain(auto)
    drips = [m for m in outbound(auto) if (m.script_step or "").startswith("drip:")]
    assert len(drips) == 3 and len(auto.texted(AUSTIN)) == sent + 4  # and the call reminder
    assert status_of(auto, AUSTIN) == "appointment"

    stopped = auto.client.post(
        f"/conversations/{contact}/drip", headers=agent_h, json={"action": "stop"}
    )
    assert stopped.status_code == 200
    auto.clock.now += timedelta(days=60)
    drain(auto)
    assert len(auto.texted(AUSTIN)) == sent + 4


def test_no_drip_without_a_consent_record(auto: Service) -> None:
    agent, _ = auto.user("dana@example.com", Role.AGENT, "Dana")
    contact = auto.lead(AUSTIN, "Ana", agent)
    auto.clock.advance(minutes=15)
    drain(auto)
    assert status_of(auto, AUSTIN) == "cold"
    assert jobs(auto, "drip") == []
    with auto.container.uow(read_only=True) as uow:
        refused = uow.session.scalar(select(AuditEntry).where(AuditEntry.action == "drip.refused"))
    assert refused is not None and "consent" in str(refused.details)
    assert contact_row(auto, contact).dead is False


def test_a_timer_that_fires_after_the_lead_answered_does_nothing(auto: Service) -> None:
    agent, _ = auto.user("dana@example.com", Role.AGENT, "Dana")
    auto.clock.now = datetime(2037, 11, 23, 16, 0, tzinfo=UTC)
    auto.lead(AUSTIN, "Ana", agent)
    auto.clock.advance(minutes=10)
    auto.client.post("/dev/sms", json={"from": AUSTIN, "body": "yes, 3 beds"})
    auto.clock.advance(minutes=6)  # 16 minutes after the opening, 6 after our last question
    drain(auto)
    assert status_of(auto, AUSTIN) == "active"
    auto.clock.advance(minutes=9)
    drain(auto)
    assert status_of(auto, AUSTIN) == "cold"


def test_a_text_due_in_quiet_hours_waits_for_the_morning_and_is_never_dropped(
    make_service: ServiceFactory,
) -> None:
    svc = make_service(twilio=False, auto_approve="all")
    svc.clock.now = datetime(2037, 11, 24, 4, 30, tzinfo=UTC)  # Monday 22:30 in Austin
    agent, _ = svc.user("dana@example.com", Role.AGENT, "Dana")
    svc.lead(AUSTIN, "Ana", agent)
    assert svc.texted(AUSTIN) == []
    [message] = outbound(svc)
    assert message.delivery_status is DeliveryStatus.QUEUED
    with svc.container.uow(read_only=True) as uow:
        deferred = uow.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "send.deferred")
        )
    assert deferred is not None and "TX" in str(deferred.details)
    svc.clock.now = datetime(2037, 11, 24, 14, 59, tzinfo=UTC)
    drain(svc)
    assert svc.texted(AUSTIN) == []
    svc.clock.now = datetime(2037, 11, 24, 15, 0, tzinfo=UTC)  # Tuesday 09:00 in Austin
    drain(svc)
    assert svc.texted(AUSTIN) == [message.body]


def test_a_failing_job_is_retried_with_backoff_then_parked_and_an_unknown_kind_at_once(
    service: Service,
) -> None:
    calls: list[int] = []

    def flaky(_container: Any, job: ClaimedJob) -> None:
        calls.append(job.attempts)
        raise ConnectionError("CRM down")

    worker = Worker(service.container, {"flaky": flaky}, name="test", max_attempts=3)
    with service.container.uow() as uow:
        uow.jobs.add("flaky", service.clock(), {}, at=service.clock())
        uow.jobs.add("nobody-knows", service.clock(), {}, at=service.clock())
        uow.commit()
    for _ in range(3):
        worker.run_once()
        service.clock.advance(hours=2)
    assert calls == [1, 2, 3]
    assert [backoff(n) for n in (1, 2, 3)] == [timedelta(seconds=s) for s in (30, 60, 120)]
    with service.container.uow(read_only=True) as uow:
        parked = {j.kind: j.last_error for j in uow.jobs.parked()}
    assert parked["flaky"] == "ConnectionError: CRM down"
    assert "no handler" in (parked["nobody-knows"] or "")
    worker.run_once()
    assert calls == [1, 2, 3]  # parked jobs stay where an operator sees them


def test_the_service_runs_due_jobs_itself_when_told_to(make_service: ServiceFactory) -> None:
    svc = make_service(twilio=False, worker_in_process=True)  # as isa serve sets it on SQLite
    with svc.container.uow() as uow:
        contact, _ = uow.contacts.get_or_create(AUSTIN, at=svc.clock(), first_name="Ana")
        uow.messages.add_outbound(
            "queued-elsewhere", contact_id=contact.id, body="Hi Ana!", at=svc.clock()
        )
        uow.commit()
    deadline = datetime.now(UTC) + timedelta(seconds=10)
    while svc.texted(AUSTIN) == [] and datetime.now(UTC) < deadline:
        time.sleep(0.05)
    assert svc.texted(AUSTIN) == ["Hi Ana!"]


def test_an_agent_adds_a_lead_to_a_further_campaign_and_takes_it_out_again(auto: Service) -> None:
    auto.clock.now = datetime(2037, 11, 23, 16, 0, tzinfo=UTC)
    agent, agent_h = auto.user("dana@example.com", Role.AGENT, "Dana")
    contact = auto.lead(AUSTIN, "Ana", agent)
    url = f"/conversations/{contact}/campaigns"
    refused = auto.client.post(
        url, headers=agent_h, json={"campaign": "seller_nurture", "action": "add"}
    )
    assert refused.status_code == 409 and "consent" in refused.json()["detail"]
    consent(auto, contact)
    added = auto.client.post(
        url, headers=agent_h, json={"campaign": "seller_nurture", "action": "add"}
    )
    assert added.json() == {"result": "enrolled in seller_nurture"}
    [step] = jobs(auto, "drip")
    removed = auto.client.post(
        url, headers=agent_h, json={"campaign": "seller_nurture", "action": "remove"}
    )
    assert removed.json() == {"result": "removed from seller_nurture"}
    sent = len(auto.texted(AUSTIN))
    auto.clock.now = step.due_at + timedelta(hours=1)
    drain(auto)
    assert len(auto.texted(AUSTIN)) == sent  # its step found the lead out of the campaign
    unknown = auto.client.post(url, headers=agent_h, json={"campaign": "nope", "action": "add"})
    assert unknown.status_code == 404
