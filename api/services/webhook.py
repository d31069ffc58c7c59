"""Twilio's callbacks: signature check, form parsing, and delivery status updates.

The signature is checked with twilio's ``RequestValidator`` against the
configured public URL and the POSTed parameters before anything is stored
(COMPLIANCE.md #10). A malformed form is refused whole, so nothing is half-stored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]

from adapters.storage import audit
from adapters.storage.orm import EarlyStatus, Message
from adapters.storage.repositories import to_e164
from adapters.storage.unit_of_work import SqlAlchemyUnitOfWork
from adapters.storage.vocab import DELIVERY_RANK, DeliveryStatus, Direction
from api.container import Container
from api.services.effects import TurnScope, apply_turn, kill_quietly
from api.services.locking import Locked, lock, policy_of
from api.services.turns import InboundText

UNSUBSCRIBED = 21610
"""Twilio: the recipient replied STOP to the sending number; never text them again (#7)."""

_SID = re.compile(r"^[A-Za-z0-9]{10,64}$")


_CHANNEL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)  # a channel prefix: whatsapp:…


class WebhookRefused(Exception):
    """A callback that is not from Twilio, or a webhook that is off (both 403)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


class BadForm(ValueError):
    """A callback whose fields are missing or wrong (400); says which."""


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    """A delivery status callback."""

    sid: str
    status: DeliveryStatus | None  # None: a status we do not track (read, canceled, …)
    error_code: int | None


def verify(
    container: Container, path: str, params: Mapping[str, str], signature: str | None
) -> None:
    """Raise WebhookRefused unless ``signature`` signs ``params`` for ``public_url + path``."""
    settings = container.settings
    token = settings.twilio_auth_token
    if not token:
        raise WebhookRefused(
            403,  # not 503: a probe of an unconfigured server is refused, not an outage
            "the Twilio webhook is off: set ISA_TWILIO_AUTH_TOKEN (and ISA_TWILIO_ACCOUNT_SID); "
            "without Twilio, play a lead with POST /dev/sms (ISA_DEV_PHONE=true)",
        )
    url = settings.public_url.rstrip("/") + path
    if not signature or not RequestValidator(token).validate(url, dict(params), signature):
        # the URL is not echoed: it would tell a prober what to sign for
        raise WebhookRefused(
            403,
            "X-Twilio-Signature does not sign this request (is ISA_PUBLIC_URL what Twilio calls?)",
        )
    account = params.get("AccountSid")
    if settings.twilio_account_sid and account and account != settings.twilio_account_sid:
        raise WebhookRefused(403, "AccountSid is not this service's Twilio account")


FORM_TYPE = "application/x-www-form-urlencoded"


def check_form_type(content_type: str | None) -> None:
    """Twilio posts URL-encoded forms only: anything else (a multipart upload to spool) is
    refused before it is parsed, let alone signed."""
    if (content_type or "").split(";")[0].strip().lower() != FORM_TYPE:
        raise WebhookRefused(415, f"Twilio's webhooks are {FORM_TYPE}")


def parse_inbound(params: Mapping[str, str], region: str) -> InboundText:
    """The inbound text in Twilio's form; BadForm names every field that is wrong."""
    problems = []
    sid = (params.get("MessageSid") or params.get("SmsSid") or "").strip()
    if not _SID.match(sid):
        problems.append("MessageSid is missing or not a Twilio sid (10-64 letters and digits)")
    phone = ""
    raw = (params.get("From") or "").strip()
    if not raw:
        problems.append("From is missing")
    elif _CHANNEL.match(raw):  # whatsapp:+1…, messenger:…: never merged with an SMS contact
        problems.append(
            f"From is a {raw.split(':', 1)[0]} address, not a phone number: only SMS is handled "
            "(a WhatsApp sender is never taken for the SMS contact with the same number)"
        )
    else:
        try:
            phone = to_e164(raw, region)
        except ValueError as exc:
            problems.append(f"From: {exc}")
    if problems:
        raise BadForm("; ".join(problems))
    # a NUL cannot be stored by PostgreSQL (SQLite would keep it): dropped, the rest kept
    body = (params.get("Body") or "").replace("\x00", "")
    to = params.get("To")
    return InboundText(sid=sid, phone=phone, body=body, to=to.replace("\x00", "") if to else to)


def parse_status(params: Mapping[str, str]) -> StatusUpdate:
    """A status callback's fields; BadForm when the sid or the error code is wrong."""
    sid = (params.get("MessageSid") or params.get("SmsSid") or "").strip()
    if not _SID.match(sid):
        raise BadForm("MessageSid is missing or not a Twilio sid")
    raw_status = (params.get("MessageStatus") or params.get("SmsStatus") or "").strip().lower()
    if not raw_status:
        raise BadForm("MessageStatus is missing")
    status = DeliveryStatus(raw_status) if raw_status in set(DeliveryStatus) else None
    raw_code = (params.get("ErrorCode") or "").strip()
    if raw_code and not raw_code.isdigit():
        raise BadForm(f"ErrorCode {raw_code!r} is not a number")
    return StatusUpdate(sid, status, int(raw_code) if raw_code else None)


def record_status(container: Container, update: StatusUpdate) -> bool:
    """Move the message's status forward; 21610 makes the contact dead. True if anything changed."""
    now = container.clock()
    with container.uow() as uow:
        message = uow.messages.by_sid(update.sid)
        if message is None:  # Twilio called back before the send's sid was saved: keep it
            keep_early_status(uow, update, now)
            uow.commit()
            return False
        if message.direction is Direction.IN:
            return False  # a lead's text has no delivery status to move, signed or not
        locked = lock(container, uow, message.contact_id)  # the contact before the message
        moved = update.status is not None and uow.messages.record_status(
            update.sid, update.status, update.error_code
        )
        if update.error_code == UNSUBSCRIBED:
            cause = f"status:{update.sid}"
            died = mark_unsubscribed(
                container, uow, message.contact_id, locked, now, cause, sid=update.sid
            )
            moved = moved or died
        uow.commit()
    return bool(moved)


def keep_early_status(uow: SqlAlchemyUnitOfWork, update: StatusUpdate, now: datetime) -> None:
    """Keep a status for a sid not stored yet (the furthest one if several come)."""
    if update.status is None and update.error_code is None:
        return
    row = uow.session.get(EarlyStatus, update.sid, with_for_update=True)
    status = update.status or DeliveryStatus.QUEUED
    if row is None:
        uow.session.add(
            EarlyStatus(
                message_sid=update.sid,
                delivery_status=status,
                error_code=update.error_code,
                received_at=now,
            )
        )
        uow.session.flush()
        return
    if DELIVERY_RANK[status] > DELIVERY_RANK[row.delivery_status]:
        row.delivery_status = status
    row.error_code = update.error_code or row.error_code


def apply_early_status(
    container: Container, uow: SqlAlchemyUnitOfWork, message: Message, now: datetime
) -> None:
    """The status Twilio reported before ``message``'s sid was stored, applied now (forward
    only, 21610 making the contact dead); the caller holds the contact's lock and commits."""
    if message.message_sid is None:
        return
    early = uow.session.get(EarlyStatus, message.message_sid)
    if early is None:
        return
    if DELIVERY_RANK[early.delivery_status] > DELIVERY_RANK[message.delivery_status]:
        message.delivery_status = early.delivery_status
    if early.error_code is not None:
        message.error_code = early.error_code
    if early.error_code == UNSUBSCRIBED:
        locked = lock(container, uow, message.contact_id)
        cause = f"status:{message.message_sid}"
        mark_unsubscribed(
            container, uow, message.contact_id, locked, now, cause, sid=message.message_sid
        )
    uow.session.delete(early)


def mark_unsubscribed(
    container: Container,
    uow: SqlAlchemyUnitOfWork,
    contact_id: int,
    locked: Locked | None,
    now: datetime,
    cause: str,
    **details: object,
) -> bool:
    """Twilio 21610: the contact is dead and its conversation ends quietly (COMPLIANCE.md #7).

    ``locked`` is the contact's conversation as ``turns.lock`` returned it (the
    caller locks first); True when the contact was alive. The caller commits.
    """
    died = False
    contact = uow.contacts.get(contact_id)
    if contact is not None and not contact.dead:
        uow.contacts.mark_dead(contact.id, "carrier: unsubscribed (21610)", now)
        audit.record(
            uow.session,
            actor_id=None,
            action="contact.dead",
            subject=("contact", contact.id),
            at=now,
            reason="twilio 21610",
            **details,
        )
        died = True
    if locked is not None:
        scope = TurnScope(uow, locked.contact, locked.row, now, cause, policy_of(container))
        apply_turn(scope, kill_quietly(locked.conversation))
    return died
