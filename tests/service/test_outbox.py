"""The outbox and timers: texts leave only through the sender, which re-checks the dead rule."""

from __future__ import annotations

from sqlalchemy import select

from adapters.storage.orm import Job, Message
from adapters.storage.vocab import DeliveryStatus, Direction, Role
from api.services import outbox
from api.services.turns import start_conversation
from tests.service.conftest import Service, ServiceFactory

ANA = "+15125550142"


def jobs(svc: Service) -> list[tuple[str, int | None]]:
    with svc.container.uow(read_only=True) as uow:
        return [(j.kind, j.conversation_id) for j in uow.session.scalars(select(Job))]


def test_a_text_queued_before_the_contact_died_is_refused_at_send_time(
    make_service: ServiceFactory,
) -> None:
    svc = make_service(auto_approve="opening")
    agent, _ = svc.user("maria@example.com", Role.AGENT, "Maria")
    with svc.container.uow() as uow:  # the lead starts, but nothing is handed to the sender yet
        contact, _ = uow.contacts.get_or_create(ANA, first_name="Ana")
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
        contact, _ = uow.contacts.get_or_create(ANA, first_name="Ana")
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


def test_each_question_sets_one_cold_timer_and_stop_cancels_it(service: Service) -> None:
    agent, _ = service.user("maria@example.com", Role.AGENT, "Maria")
    service.lead(ANA, "Ana", agent)
    assert [kind for kind, _ in jobs(service)] == ["cold"]
    service.inbound(ANA, "yes")
    assert [kind for kind, _ in jobs(service)] == ["cold"]  # replaced, not added
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
