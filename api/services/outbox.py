"""The in-process sender: queued outbound rows (the outbox) handed to the ``Sms`` port.

Each text goes in two short transactions. The claim moves it from ``queued``
to ``sending`` (only one caller wins it); the send locks the contact, checks
once more that they are not dead (the opt-out confirmation aside), calls
``Sms.send`` and records the sid. A process that dies after the claim leaves
the text in ``sending``: never sent twice, picked up by issue 4's worker.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Protocol

from sqlalchemy import select, update

from adapters.console_sms import ConsoleSms
from adapters.storage import audit
from adapters.storage.orm import Contact, Message
from adapters.storage.vocab import DeliveryStatus, Direction
from api.container import Container
from api.services.effects import FINAL_STEP

log = logging.getLogger("isa.outbox")


class Sms(Protocol):
    """The outbound SMS port: send one text, at most once per idempotency key."""

    def send(self, to: str, body: str, idempotency_key: str) -> str:
        """Send ``body`` to ``to`` (E.164); the provider's MessageSid."""
        ...


def sms_for(container: Container) -> Sms | None:
    """The container's sender: the console without Twilio; None until issue 4's Twilio sender."""
    found = container.extras.get("sms")
    if found is not None:
        return found  # type: ignore[return-value]  # set by create_app or a test
    if container.settings.twilio_enabled:
        log.warning("Twilio is configured but its sender is not built yet: texts stay queued")
        return None
    console = ConsoleSms()
    container.extras["sms"] = console
    return console


def deliver(container: Container, message_ids: Iterable[int]) -> list[int]:
    """Send each queued outbound text; the ids actually sent."""
    sms = sms_for(container)
    if sms is None:
        return []
    sent = []
    for message_id in message_ids:
        if _claim(container, message_id) and _send(container, sms, message_id):
            sent.append(message_id)
    return sent


def deliver_queued(container: Container, limit: int = 100) -> list[int]:
    """Send whatever is queued, oldest first (texts queued by another process or route)."""
    with container.uow(read_only=True) as uow:
        ids = list(
            uow.session.scalars(
                select(Message.id)
                .where(
                    Message.direction == Direction.OUT,
                    Message.delivery_status == DeliveryStatus.QUEUED,
                )
                .order_by(Message.id)
                .limit(limit)
            )
        )
    return deliver(container, ids)


def _claim(container: Container, message_id: int) -> bool:
    with container.uow() as uow:
        claimed = uow.session.execute(
            update(Message)
            .where(
                Message.id == message_id,
                Message.direction == Direction.OUT,
                Message.delivery_status == DeliveryStatus.QUEUED,
            )
            .values(delivery_status=DeliveryStatus.SENDING)
            .returning(Message.id)
        ).scalar()
        uow.commit()
    return claimed is not None


def _send(container: Container, sms: Sms, message_id: int) -> bool:
    now = container.clock()
    with container.uow() as uow:
        message = uow.session.get(Message, message_id)
        if message is None:  # pragma: no cover - messages are never deleted
            return False
        # the contact first, as a turn locks it: a STOP being handled finishes before this check
        contact = uow.session.scalar(
            select(Contact)
            .where(Contact.id == message.contact_id)
            .with_for_update(key_share=True)
            .execution_options(populate_existing=True)
        )
        if contact is None:  # pragma: no cover - foreign key
            return False
        if contact.dead and message.script_step != FINAL_STEP:
            message.delivery_status = DeliveryStatus.FAILED
            audit.record(
                uow.session,
                actor_id=None,
                action="send.refused",
                subject=("message", message.id),
                at=now,
                reason="contact is dead",
            )
            uow.commit()
            return False
        try:
            sid = sms.send(contact.phone, message.body, message.idempotency_key or str(message.id))
        except Exception as exc:  # the provider's error: kept, the text goes back to the queue
            log.exception("sending message %s failed", message.id)
            message.delivery_status = DeliveryStatus.QUEUED
            audit.record(
                uow.session,
                actor_id=None,
                action="send.failed",
                subject=("message", message.id),
                at=now,
                error=str(exc)[:500],
            )
            uow.commit()
            return False
        message.message_sid, message.delivery_status = sid, DeliveryStatus.SENT
        uow.commit()
    return True
