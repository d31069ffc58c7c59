"""The outbox and timers: texts leave only through the sender, which re-checks the dead rule."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import select

from adapters.console_sms import ConsoleSms
from adapters.storage.orm import Job, Message
from adapters.storage.vocab import DeliveryStatus, Direction, Role
from api.services import outbox
from api.services.effects import ALERT_MAIL
from api.services.turns import start_conversation
from tests.service.conftest import Service, ServiceFactory, contact_row

ANA = "+15125550142"


def jobs(svc: Service) -> list[tuple[str, int | None]]:
    """The timers and sends pending (the agent's alert e-mails aside)."""
    return [(j.kind, j.conversation_id) for j in all_jobs(svc)]


def all_jobs(svc: Service) -> list[Job]:
    with svc.container.uow(read_only=True) as uow:
        return list(uow.session.scalars(select(Job).where(Job.kind != ALERT_MAIL)))


def test_a_text_queued_before_the_contact_died_is_refused_at_send_time(
    make_service: ServiceFactory,
) -> None:
    svc = make_service(auto_approve="opening")
    agent, _ = svc.user("maria@example.com", Role.AGENT, "Maria")
    with svc.container.uow() as uow:  # the lead starts, but nothing is handed to the sender yet
        contact, _ = uow.contacts.get_or_create(ANA, at=svc.clock(), first_name="Ana")
        result = start_conversation(
            svc.container, uow, contact.id, script_ref="buyer", agent_id=agent, actor_id=None
        )
        uow.contacts.mark_dead(contact.id, "opted out by phone call", svc.clock())
        uow.commit()
    assert outbox.deliver(svc.container, result.outbound_ids) == []
    assert svc.sms.sent == []
    with svc.container.uow(read_only=True) as uow:
        status = uow.session.scalar(select(Message.delivery_status))
    assert status is DeliveryStatus.FAILED


def test_a_sweep_sends_what_others_queued_and_each_text_goes_once(
    make_service: ServiceFactory,
) -> None:
    svc = make_service(auto_approve="opening")
    agent, _ = svc.user("maria@example.com", Role.AGENT, "Maria")
    with svc.container.uow() as uow:
        contact, _ = uow.contacts.get_or_create(ANA, at=svc.clock(), first_name="Ana")
        start_conversation(
            svc.container, uow, contact.id, script_ref="buyer", agent_id=agent, actor_id=None
        )
        uow.commit()
    first = outbox.deliver_queued(svc.container)
    again = outbox.deliver_queued(svc.container)
    assert len(first) == 1 and again == [] and len(svc.texted(ANA)) == 1
    with svc.container.uow(read_only=True) as uow:
        sent = uow.session.scalar(select(Message).where(Message.direction == Direction.OUT))
    assert sent is not None and sent.delivery_status is DeliveryStatus.SENT
    assert sent.message_sid == svc.sms.sent[0].sid


def test_the_cold_timer_starts_when_our_text_leaves_and_a_reply_or_stop_cancels_it(
    service: Service,
) -> None:
    agent, _ = service.user("maria@example.com", Role.AGENT, "Maria")
    _, isa = service.user("ivy@example.com", Role.ISA, "Ivy")
    service.lead(ANA, "Ana", agent)
    assert jobs(service) == []  # suggested, not sent: the lead owes us nothing yet

    def approve_next() -> None:
        pending = service.client.get("/queue", headers=isa).json()["items"]
        service.clock.advance(minutes=3)  # the ISA takes a while
        service.client.post(f"/queue/{pending[0]['id']}/approve", headers=isa)

    approve_next()
    [(kind, due)] = [(j.kind, j.due_at) for j in all_jobs(service)]
    assert kind == "cold" and due == service.clock() + timedelta(minutes=15)
    service.inbound(ANA, "yes")
    assert jobs(service) == []  # the lead answered; our reply waits for the ISA
    approve_next()
    assert [kind for kind, _ in jobs(service)] == ["cold"]  # one, from the new text
    service.inbound(ANA, "STOP")
    assert jobs(service) == []


def test_start_after_stop_re_opts_in_and_says_so(service: Service) -> None:
    agent, _ = service.user("maria@example.com", Role.AGENT, "Maria")
    contact = service.lead(ANA, "Ana", agent)
    service.inbound(ANA, "STOP")
    service.inbound(ANA, "START")
    view = service.client.get(
        f"/conversations/{contact}", headers=service.user("root@x.com", Role.ADMIN)[1]
    ).json()
    assert not view["contact"]["dead"] and view["conversation"]["status"] == "active"
    assert service.texted(ANA)[-1].startswith("You're subscribed again")


def test_a_stop_that_arrives_while_twilio_holds_a_text_is_handled_at_once(
    make_service: ServiceFactory,
) -> None:
    """The provider is called outside any transaction: the lead's STOP, arriving while the
    opening is still with Twilio, is stored and obeyed then (on SQLite a send held inside a
    transaction would have kept every writer waiting); its confirmation follows the opening,
    and nothing else does."""
    svc = make_service(auto_approve="opening")
    agent, _ = svc.user("maria@example.com", Role.AGENT, "Maria")
    answers: list[int] = []
    held: list[str] = []
    console = svc.sms

    class SlowTwilio(ConsoleSms):
        def send(
            self,
            to: str,
            body: str,
            idempotency_key: str,
            *,
            unsure_since: datetime | None = None,
            taken: Collection[str] = (),
        ) -> str:
            if not held:  # the first text: the lead answers STOP before Twilio answers us
                held.append(body)
                answers.append(svc.inbound(ANA, "STOP").status_code)
            return console.send(to, body, idempotency_key, unsure_since=unsure_since)

    svc.container.extras["sms"] = SlowTwilio(echo=False)
    with svc.container.uow() as uow:
        contact, _ = uow.contacts.get_or_create(ANA, at=svc.clock(), first_name="Ana")
        result = start_conversation(
            svc.container, uow, contact.id, script_ref="buyer", agent_id=agent, actor_id=None
        )
        uow.commit()
    assert outbox.deliver(svc.container, result.outbound_ids) == list(result.outbound_ids)
    assert answers == [200]
    # the opening left first; the confirmation waited while the opening was with Twilio
    (opening,) = svc.texted(ANA)
    assert opening == held[0] and "still looking" in opening
    assert contact_row(svc, contact.id).dead
    assert [kind for kind, _ in jobs(svc)] == ["send"]  # the confirmation, due in a moment
    svc.clock.advance(seconds=outbox.IN_FLIGHT_WAIT.total_seconds())
    assert len(outbox.deliver_queued(svc.container)) == 1
    opening_again, confirmation = svc.texted(ANA)
    assert opening_again == opening and "STOP" not in confirmation and confirmation != opening
    with svc.container.uow(read_only=True) as uow:
        statuses = list(
            uow.session.scalars(
                select(Message.delivery_status)
                .where(Message.direction == Direction.OUT)
                .order_by(Message.id)
            )
        )
    assert statuses == [DeliveryStatus.SENT, DeliveryStatus.SENT]
    assert jobs(svc) == []  # no timer left to text a dead contact
