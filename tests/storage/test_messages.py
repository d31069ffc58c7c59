"""Messages: one row per MessageSid (invariant 5), one per idempotency key (invariant 6)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from sqlalchemy import func, select

from adapters.storage.orm import Message
from adapters.storage.vocab import DeliveryStatus
from tests.storage.conftest import UowFactory

NOW = datetime(2037, 11, 23, 15, 0, tzinfo=UTC)  # years from the real date: a leak shows


def _contact(uow: UowFactory, phone: str = "+12125550142") -> int:
    with uow() as u:
        contact, _ = u.contacts.get_or_create(phone, at=NOW)
        u.commit()
        return contact.id


def _count(uow: UowFactory) -> int:
    with uow() as u:
        return int(u.session.scalar(select(func.count()).select_from(Message)) or 0)


def test_a_duplicate_message_sid_is_stored_once_and_the_transaction_stays_usable(
    uow: UowFactory,
) -> None:
    contact_id = _contact(uow)
    with uow() as u:
        assert (
            u.messages.add_inbound(at=NOW, sid="SM1", contact_id=contact_id, body="3 beds") is True
        )
        assert (
            u.messages.add_inbound(at=NOW, sid="SM1", contact_id=contact_id, body="3 beds") is False
        )
        # still usable: more work in the same transaction commits
        assert (
            u.messages.add_inbound(at=NOW, sid="SM2", contact_id=contact_id, body="in Austin")
            is True
        )
        u.contacts.get_or_create("+13125550100", at=NOW)
        u.commit()
    with uow() as u:
        assert (
            u.messages.add_inbound(at=NOW, sid="SM1", contact_id=contact_id, body="3 beds") is False
        )
        u.commit()
        assert u.contacts.get_by_phone("+13125550100") is not None
    assert _count(uow) == 2


def test_the_same_webhook_posted_five_times_at_once_is_stored_once(uow: UowFactory) -> None:
    contact_id = _contact(uow)
    start = threading.Barrier(5)
    stored: list[bool] = []

    def post() -> None:
        start.wait()
        with uow() as u:
            stored.append(
                u.messages.add_inbound(at=NOW, sid="SMsame", contact_id=contact_id, body="hi")
            )
            u.commit()

    threads = [threading.Thread(target=post) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(stored) == [False, False, False, False, True]
    assert _count(uow) == 1


def test_an_outbound_is_queued_once_per_idempotency_key(uow: UowFactory) -> None:
    contact_id = _contact(uow)
    with uow() as u:
        first = u.messages.add_outbound(
            at=NOW, idempotency_key="conv1:s3", contact_id=contact_id, body="How many beds?"
        )
        again = u.messages.add_outbound(
            at=NOW, idempotency_key="conv1:s3", contact_id=contact_id, body="How many beds?"
        )
        u.commit()
    assert first is not None and again is None
    assert _count(uow) == 1


def test_many_messages_may_have_no_sid_and_no_key(uow: UowFactory) -> None:
    contact_id = _contact(uow)
    with uow() as u:
        for i in range(3):
            u.session.add(
                Message(
                    contact_id=contact_id,
                    direction="out",
                    body=f"draft {i}",
                    delivery_status=DeliveryStatus.QUEUED,
                    created_at=NOW,
                )
            )
        u.commit()
    assert _count(uow) == 3


def test_delivery_status_only_moves_forward(uow: UowFactory) -> None:
    contact_id = _contact(uow)
    with uow() as u:
        message_id = u.messages.add_outbound(
            at=NOW, idempotency_key="k1", contact_id=contact_id, body="Hi Ann"
        )
        message = u.session.get(Message, message_id)
        assert message is not None
        message.message_sid = "SMout"
        u.commit()
    with uow() as u:
        assert u.messages.record_status("SMout", DeliveryStatus.DELIVERED) is True
        assert u.messages.record_status("SMout", DeliveryStatus.SENT) is False  # late, older
        u.commit()
    with uow() as u:
        message = u.messages.by_sid("SMout")
        assert message is not None and message.delivery_status is DeliveryStatus.DELIVERED
