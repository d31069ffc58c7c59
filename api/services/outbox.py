"""The sender: each queued outbound text has a send job, run by a worker or by the request.

Every outbound row is written with its send job in the turn's transaction
(the outbox), so nothing queued is lost when a process dies. A request that
queued texts runs their jobs at once (``deliver``); whatever it could not
send, a worker sends later. A send locks the contact, checks once more that
they are not dead (the opt-out confirmation aside) and that quiet hours and
caps allow it now (else it says when), and marks the text ``sending``; then,
outside any transaction, it calls ``Sms.send`` with the message's idempotency
key, and records the sid and the time it left. A provider error
that may pass is raised so the worker retries it with backoff.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from adapters.console_sms import ConsoleSms
from adapters.rule_files import load_rules
from adapters.storage import audit
from adapters.storage.jobs import SEND
from adapters.storage.orm import Contact, Inquiry, Job, Message
from adapters.storage.unit_of_work import SqlAlchemyUnitOfWork
from adapters.storage.vocab import DELIVERY_RANK, DeliveryStatus, Direction
from api.container import Container
from api.services.effects import EXEMPT_STEPS, TurnScope
from api.services.locking import lock, policy_of, run
from api.services.webhook import apply_early_status, mark_unsubscribed
from api.services.worker import ClaimedJob, Done, PermanentJobError, Worker, default_name
from isa_engine.events import TextNotSent, TextSent
from isa_engine.policy.quiet_hours import earliest_send
from isa_engine.policy.recipient import Recipient, locate
from isa_engine.policy.rules import Rules
from isa_engine.policy.zones import lead_now
from isa_engine.ports import PermanentSendError, RecipientUnsubscribed, Sms

log = logging.getLogger("isa.outbox")

_SENDER_NAME = default_name()
IN_FLIGHT_WAIT = timedelta(seconds=2)
"""How long a text waits while another text to the same lead is with the provider."""


def sms_for(container: Container) -> Sms | None:
    """The container's sender: Twilio when configured with a sender, else the console."""
    found = container.extras.get("sms")
    if found is not None:
        return found  # type: ignore[return-value]  # set by create_app or a test
    settings = container.settings
    if settings.twilio_enabled:
        if not (settings.twilio_messaging_service_sid or settings.twilio_from):
            log.warning(
                "Twilio has no sender: set ISA_TWILIO_MESSAGING_SERVICE_SID or ISA_TWILIO_FROM; "
                "texts stay queued"
            )
            return None
        from adapters.twilio_sms import TwilioSms  # twilio's client and requests: only if used

        twilio = TwilioSms(
            settings.twilio_account_sid or "",
            settings.twilio_auth_token or "",
            from_=settings.twilio_from,
            messaging_service_sid=settings.twilio_messaging_service_sid,
            status_callback=settings.public_url.rstrip("/") + "/sms/status",
            api_base=settings.twilio_api_base,
            timeout=settings.twilio_timeout_seconds,
        )
        container.extras["sms"] = twilio
        return twilio
    console = ConsoleSms()
    container.extras["sms"] = console
    return console


def deliver(container: Container, message_ids: Iterable[int]) -> list[int]:
    """Send texts a request just queued, through their send jobs; the ids that went now.

    A text quiet hours or a cap hold back stays queued, its job due when it
    may go; a text a worker holds already is left to it.
    """
    ids = list(message_ids)
    if not ids:
        return []
    _sender(container).send_now(ids)
    return _sent_of(container, ids)


def deliver_queued(container: Container, limit: int = 100) -> list[int]:
    """Run every send job due now (texts queued by another process, retries); the ids sent."""
    with container.uow(read_only=True) as uow:
        ids = [
            m
            for (m,) in uow.session.execute(
                select(Job.payload["message_id"].as_integer())
                .where(Job.kind == SEND, Job.parked.is_(False), Job.due_at <= container.clock())
                .order_by(Job.due_at, Job.id)
                .limit(limit)
            )
        ]
    if ids:
        _sender(container).send_now(ids)
    return _sent_of(container, ids)


def _sender(container: Container) -> Worker:
    """A worker that runs send jobs only: the texts a request queued, now (one name a
    process, as the jobs table shows who holds a job)."""
    return Worker(container, {SEND: run_send_job}, name=_SENDER_NAME)


def _sent_of(container: Container, ids: list[int]) -> list[int]:
    with container.uow(read_only=True) as uow:
        return list(
            uow.session.scalars(
                select(Message.id)
                .where(Message.id.in_(ids), Message.delivery_status == DeliveryStatus.SENT)
                .order_by(Message.id)
            )
        )


def run_send_job(container: Container, job: ClaimedJob) -> datetime | Done | None:
    """The worker's handler for a send job: send it, or say when it may go."""
    message_id = job.payload.get("message_id")
    if not isinstance(message_id, int):
        raise PermanentJobError(f"send job {job.id} names no message: {job.payload!r}")
    sms = sms_for(container)
    if sms is None:
        raise RuntimeError("no sender: set ISA_TWILIO_FROM or ISA_TWILIO_MESSAGING_SERVICE_SID")
    return _send(container, sms, message_id, job)


@dataclass(frozen=True)
class _Cleared:
    """A text cleared to go, as it stood when it was marked ``sending``."""

    id: int
    phone: str
    body: str
    key: str
    created_at: datetime
    contact_id: int
    conversation_id: int | None = None
    text_key: str | None = None  # the core's name for it (SendText.key)
    taken: tuple[str, ...] = ()  # the sids of the lead's earlier texts with the same body


def _send(
    container: Container, sms: Sms, message_id: int, job: ClaimedJob
) -> datetime | Done | None:
    """Send one text: ``Done.COMPLETED`` when sent (its job deleted with the sid recorded),
    None when otherwise settled, else the instant to try again.

    Otherwise settled: refused (dead contact), failed for good, or found sent
    already. Deferred: quiet hours, a cap, or another text to the lead still
    with the provider; the instant it may go is returned. A
    provider error that may pass is raised, so the worker retries with backoff.
    The provider is called between two transactions, never inside one: a
    transaction held across a network call would hold the contact's row (and,
    on SQLite, every writer of the process) for as long as Twilio takes.
    """
    now = container.clock()
    cleared = _clear(container, message_id, now, retry=job.attempts > 1)
    if not isinstance(cleared, _Cleared):
        return cleared
    try:
        # a retry may follow a worker that died mid-send: the provider is asked first
        sid = sms.send(
            cleared.phone,
            cleared.body,
            cleared.key,
            unsure_since=cleared.created_at if job.attempts > 1 else None,
            taken=cleared.taken,  # an identical earlier text's sid is not this one's
        )
    except Exception as exc:
        _record_failure(container, cleared, now, exc)
        if isinstance(exc, RecipientUnsubscribed | PermanentSendError):
            return None
        raise  # may pass (a timeout, a 5xx): kept, and retried with backoff
    with container.uow() as uow:
        # the conversation first, as a turn locks it: the core hears the text left (TextSent)
        _report(container, uow, cleared, TextSent(cleared.text_key, now), now)
        message = uow.session.get(Message, cleared.id)
        if message is not None:
            message.message_sid, message.sent_at = sid, now
            if DELIVERY_RANK[message.delivery_status] < DELIVERY_RANK[DeliveryStatus.SENT]:
                message.delivery_status = DeliveryStatus.SENT
            apply_early_status(container, uow, message, now)  # a callback that came first
        uow.jobs.complete(job.id, job.claimed_by)  # only while this worker still holds it
        uow.commit()
    return Done.COMPLETED


def _report(
    container: Container,
    uow: SqlAlchemyUnitOfWork,
    cleared: _Cleared,
    event: TextSent | TextNotSent,
    now: datetime,
) -> None:
    """Tell the core what became of its text, in a turn of the caller's transaction: the cold
    timer counts from the moment a text left, and a text that never goes is no longer owed."""
    if cleared.conversation_id is None:
        return
    locked = lock(container, uow, cleared.contact_id)
    if locked is None or locked.row.id != cleared.conversation_id:
        return  # a text of an earlier conversation: nothing of today's waits on it
    local = lead_now(now, locked.contact.phone, locked.contact.timezone)
    cause = f"sent:{cleared.id}"
    run(
        locked,
        event,
        TurnScope(uow, locked.contact, locked.row, local, cause, policy_of(container)),
    )


def _clear(
    container: Container, message_id: int, now: datetime, *, retry: bool
) -> _Cleared | datetime | None:
    """Under the contact's lock: is the text still to go, to a live contact, now?

    Returns the text marked ``sending`` (committed); the instant quiet hours,
    a cap or another text to the lead still with the provider let it go; or
    None when it is settled (sent, or refused: dead).
    """
    with container.uow() as uow:
        contact_id = uow.session.scalar(select(Message.contact_id).where(Message.id == message_id))
        if contact_id is None:  # pragma: no cover - messages are never deleted
            return None
        # the contact first, as a turn locks it: a STOP, or a later text that withdraws this
        # one, being handled finishes before these checks; both rows are read after the lock
        contact = uow.session.scalar(
            select(Contact)
            .where(Contact.id == contact_id)
            .with_for_update(key_share=True)
            .execution_options(populate_existing=True)
        )
        message = uow.session.get(Message, message_id, populate_existing=True)
        if contact is None or message is None:  # pragma: no cover - foreign keys
            return None
        # queued, or sending when a worker died mid-send: the provider's idempotency key decides
        if message.delivery_status not in (DeliveryStatus.QUEUED, DeliveryStatus.SENDING):
            return None
        exempt = message.script_step in EXEMPT_STEPS  # opt-out confirmation, HELP's answer
        if contact.dead and not exempt:
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
            return None
        # one text at a time with the provider per lead: they arrive in order, and a 21610
        # on one is known before the next goes (a text stuck "sending" after its sender died
        # holds the others back no longer than two provider timeouts)
        window = timedelta(seconds=2 * container.settings.twilio_timeout_seconds)
        in_flight = uow.session.scalar(
            select(Message.id)
            .where(
                Message.contact_id == contact.id,
                Message.direction == Direction.OUT,
                Message.delivery_status == DeliveryStatus.SENDING,
                Message.id != message.id,
                Message.sent_at > now - window,
            )
            .limit(1)
        )
        if in_flight is not None:
            return now + IN_FLIGHT_WAIT
        if not exempt:  # the opt-out confirmation (#5) and HELP's answer (#8) go at once
            rules, recipient = rules_of(container), recipient_of(uow, contact)
            caps = [cap.per for cap in rules.caps if cap.applies(recipient.states)]
            # the recent sends matter only where a cap binds (FL, OK, MD): most leads skip it
            sent = recent_sends(uow, contact.id, now - max(caps)) if caps else []
            clearance = earliest_send(rules.sending(), recipient, now, sent)
            if rules.override is not None and not clearance.deferred:
                _audit_override(uow, rules, recipient, message.id, now, sent)
            if clearance.deferred:
                audit.record(
                    uow.session,
                    actor_id=None,
                    action="send.deferred",
                    subject=("message", message.id),
                    at=now,
                    until=clearance.at.isoformat(),
                    reasons=list(clearance.reasons),
                )
                uow.commit()
                return clearance.at
        # from here the text counts as handed over: a STOP handled meanwhile comes after it
        message.delivery_status = DeliveryStatus.SENDING
        message.sent_at = now  # so a cap counts it while it is in flight
        cleared = _Cleared(
            message.id,
            contact.phone,
            message.body,
            message.idempotency_key or str(message.id),
            message.created_at,
            contact.id,
            message.conversation_id,
            message.text_key,
            _identical_sids(uow, message) if retry else (),
        )
        uow.commit()
    return cleared


def _audit_override(
    uow: SqlAlchemyUnitOfWork,
    rules: Rules,
    recipient: Recipient,
    message_id: int,
    now: datetime,
    sent: list[datetime],
) -> None:
    """Under the dev rules (simulated phone only), record each text quiet hours would hold."""
    real = earliest_send(rules, recipient, now, sent)
    if real.deferred:
        audit.record(
            uow.session,
            actor_id=None,
            action="send.override",
            subject=("message", message_id),
            at=now,
            would_wait_until=real.at.isoformat(),
            reasons=list(real.reasons),
            rules=rules.override,
        )


def _identical_sids(uow: SqlAlchemyUnitOfWork, message: Message) -> tuple[str, ...]:
    """The sids of the lead's other texts with this one's body (a question asked twice):
    a retry that asks the provider whether this text went must not take one of them."""
    return tuple(
        sid
        for sid in uow.session.scalars(
            select(Message.message_sid).where(
                Message.contact_id == message.contact_id,
                Message.direction == Direction.OUT,
                Message.body == message.body,
                Message.message_sid.is_not(None),
                Message.id != message.id,
            )
        )
        if sid is not None
    )


def _record_failure(container: Container, cleared: _Cleared, now: datetime, exc: Exception) -> None:
    """What the provider's refusal or error means for the text (and, for 21610, the contact)."""
    with container.uow() as uow:
        message = uow.session.get(Message, cleared.id)
        if message is None:  # pragma: no cover - messages are never deleted
            return
        if isinstance(exc, RecipientUnsubscribed):  # 21610: dead, never retried (COMPLIANCE.md #7)
            message.delivery_status, message.error_code = DeliveryStatus.FAILED, exc.code
            message.sent_at = None
            locked = lock(container, uow, cleared.contact_id)
            cause = f"send:{message.id}"
            mark_unsubscribed(
                container, uow, cleared.contact_id, locked, now, cause, message_id=message.id
            )
        elif isinstance(exc, PermanentSendError):  # retrying cannot fix it: the reason kept
            message.delivery_status, message.error_code = DeliveryStatus.FAILED, exc.code
            message.sent_at = None
            if cleared.text_key is not None:
                _report(container, uow, cleared, TextNotSent(cleared.text_key, str(exc)), now)
            audit.record(
                uow.session,
                actor_id=None,
                action="send.failed",
                subject=("message", message.id),
                at=now,
                error=str(exc)[:500],
                permanent=True,
            )
        else:  # may pass: queued again; a retry asks the provider first if it went after all
            message.delivery_status, message.sent_at = DeliveryStatus.QUEUED, None
            audit.record(
                uow.session,
                actor_id=None,
                action="send.failed",
                subject=("message", message.id),
                at=now,
                error=str(exc)[:500],
            )
        uow.commit()


def rules_of(container: Container) -> Rules:
    """The quiet-hours and cap rules (loaded by create_app; from ``ISA_RULES_DIR`` otherwise)."""
    found = container.extras.get("rules")
    if isinstance(found, Rules):
        return found
    rules = load_rules(container.settings.rules_dir)
    container.extras["rules"] = rules
    return rules


def recipient_of(uow: SqlAlchemyUnitOfWork, contact: Contact) -> Recipient:
    """Where the contact may be: their phone, their ZIP, their latest inquiry's property state."""
    state = uow.session.scalar(
        select(Inquiry.property_state)
        .where(Inquiry.contact_id == contact.id, Inquiry.property_state.is_not(None))
        .order_by(Inquiry.received_at.desc())
        .limit(1)
    )
    return locate(contact.phone, contact.zip, state or contact.state)


def recent_sends(uow: SqlAlchemyUnitOfWork, contact_id: int, since: datetime) -> list[datetime]:
    """When texts to the contact left since ``since`` (the opt-out confirmation aside)."""
    return list(
        uow.session.scalars(
            select(Message.sent_at).where(
                Message.contact_id == contact_id,
                Message.direction == Direction.OUT,
                Message.sent_at >= since,
                or_(Message.script_step.is_(None), Message.script_step.not_in(EXEMPT_STEPS)),
            )
        )
    )
