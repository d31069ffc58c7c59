"""The outbox through the real Twilio sender, on SQLite and PostgreSQL, against the fake API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from adapters.storage.orm import ConversationRow, Message
from adapters.storage.vocab import DeliveryStatus, Direction, Role
from adapters.twilio_sms import TwilioSms
from api.services import outbox
from tests.fakes.twilio_api import ACCOUNT, TOKEN, FakeTwilioApi
from tests.service.conftest import (  # noqa: F401 - make_service is a fixture
    PUBLIC_URL,
    Service,
    ServiceFactory,
    contact_row,
    make_service,
)
from tests.storage.conftest import (  # noqa: F401 - fixtures make_service needs
    backend,
    database_url,
    postgres_url,
    sqlite_template,
)

ANA = "+15125550142"
SERVICE = "MG" + "b" * 32


@pytest.fixture
def twilio() -> Iterator[FakeTwilioApi]:
    with FakeTwilioApi() as fake:
        yield fake


@pytest.fixture
def svc(make_service: ServiceFactory, twilio: FakeTwilioApi) -> Service:  # noqa: F811
    """The service texting through Twilio (the fake), openings sent without an ISA."""
    built = make_service(
        auto_approve="opening",
        twilio_account_sid=ACCOUNT,
        twilio_auth_token=TOKEN,
        twilio_messaging_service_sid=SERVICE,
        twilio_api_base=twilio.url,
        twilio_timeout_seconds=0.3,
    )
    built.container.extras.pop("sms")  # the fixture's console sender: build the real one
    return built


def outbound(svc: Service) -> list[Message]:
    with svc.container.uow(read_only=True) as uow:
        query = select(Message).where(Message.direction == Direction.OUT).order_by(Message.id)
        return list(uow.session.scalars(query))


def test_with_twilio_configured_the_opening_goes_through_twilio_with_its_callback(
    svc: Service, twilio: FakeTwilioApi
) -> None:
    agent, _ = svc.user("dana@example.com", Role.AGENT, "Dana")
    svc.lead(ANA, "Ana", agent)
    assert isinstance(outbox.sms_for(svc.container), TwilioSms)
    [sent] = twilio.sent_to(ANA)
    assert "Dana" in sent.body and sent.messaging_service_sid == SERVICE
    assert sent.status_callback == PUBLIC_URL + "/sms/status"
    [row] = outbound(svc)
    assert row.message_sid == sent.sid and row.delivery_status is DeliveryStatus.SENT


def test_twilio_21610_at_send_time_makes_the_contact_dead_and_is_never_retried(
    svc: Service, twilio: FakeTwilioApi
) -> None:
    agent, _ = svc.user("dana@example.com", Role.AGENT, "Dana")
    twilio.unsubscribed.add(ANA)
    contact = svc.lead(ANA, "Ana", agent)
    assert contact_row(svc, contact).dead
    assert contact_row(svc, contact).dead_reason == "carrier: unsubscribed (21610)"
    [row] = outbound(svc)
    assert row.delivery_status is DeliveryStatus.FAILED and row.error_code == 21610
    with svc.container.uow(read_only=True) as uow:
        status = uow.session.scalar(
            select(ConversationRow.status).where(ConversationRow.contact_id == contact)
        )
    assert status == "dead"
    assert outbox.deliver_queued(svc.container) == []
    assert len(twilio.creates()) == 1 and twilio.sent_to(ANA) == []


def test_an_invalid_number_fails_the_text_for_good(svc: Service, twilio: FakeTwilioApi) -> None:
    agent, _ = svc.user("dana@example.com", Role.AGENT, "Dana")
    twilio.invalid.add(ANA)
    contact = svc.lead(ANA, "Ana", agent)
    [row] = outbound(svc)
    assert row.delivery_status is DeliveryStatus.FAILED and row.error_code == 21211
    assert not contact_row(svc, contact).dead
    assert outbox.deliver_queued(svc.container) == [] and len(twilio.creates()) == 1


def test_a_timed_out_send_is_retried_after_backoff_and_never_texts_twice(
    svc: Service, twilio: FakeTwilioApi
) -> None:
    agent, _ = svc.user("dana@example.com", Role.AGENT, "Dana")
    twilio.slow = 1  # Twilio creates the text but its answer never comes
    svc.lead(ANA, "Ana", agent)
    [row] = outbound(svc)
    assert row.delivery_status is DeliveryStatus.QUEUED and row.message_sid is None
    svc.clock.advance(minutes=1)  # past the worker's backoff
    assert outbox.deliver_queued(svc.container) == [row.id]
    [sent] = twilio.sent_to(ANA)
    [row] = outbound(svc)
    assert row.message_sid == sent.sid and row.delivery_status is DeliveryStatus.SENT
    assert len(twilio.creates()) == 1
