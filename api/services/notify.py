"""Outcomes leave the process: the agent's e-mail and each CRM webhook, as jobs.

A turn that records an Appointment, an Engagement or an Update writes one
``notify`` job in its own transaction. The worker runs it: the e-mail to the
agent (when SMTP is configured and the agent has an address), then one
``crm`` job per configured URL, so a CRM that is down is retried with
backoff on its own and never holds up the e-mail or another CRM. Provider
errors that may pass are retried; those that cannot are parked.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from email.utils import make_msgid
from typing import TYPE_CHECKING

from sqlalchemy import select

from adapters.email_smtp import SmtpMailer
from adapters.storage.orm import (
    Assignment,
    Contact,
    ConversationRow,
    Inquiry,
    Message,
    OutcomeRow,
    User,
)
from adapters.storage.unit_of_work import SqlAlchemyUnitOfWork
from adapters.storage.vocab import AssignmentState, DeliveryStatus, Direction
from api.container import Container
from api.services.locking import lock
from api.services.worker import ClaimedJob, PermanentJobError
from isa_engine.model import OutcomeKind, Status
from isa_engine.persona import check as persona_check
from isa_engine.ports import (
    AlertNotice,
    AssignmentOffer,
    LeadCard,
    NewLeadNotice,
    OutcomeNotice,
    PermanentSendError,
    Recipient,
    TextLine,
)

CRM = "crm"
"""Job: post one outcome to one CRM URL (payload ``{"outcome_id": …, "url": …}``)."""
SHOWN_TEXTS = 20  # the conversation's latest texts in an alert

if TYPE_CHECKING:
    from adapters.crm_webhook import CrmWebhook


def run_notify_job(container: Container, job: ClaimedJob) -> datetime | None:
    """E-mail the agent, then queue a CRM post per configured URL."""
    outcome_id = _outcome_id(job)
    settings = container.settings
    with container.uow(read_only=True) as uow:
        notice, agent = notice_of(uow, outcome_id)
    if settings.smtp_host and agent is not None and agent.email:
        try:
            mailer_of(container).send_outcome(notice, Recipient(agent.email, agent.first_name))
        except PermanentSendError as e:
            raise PermanentJobError(f"the agent's e-mail was refused: {e}") from None
    if settings.crm_urls:
        with container.uow() as uow:
            for url in settings.crm_urls:
                now = container.clock()
                uow.jobs.add(CRM, now, {"outcome_id": outcome_id, "url": url}, at=now)
            uow.commit()
    return None


def run_remind_job(container: Container, job: ClaimedJob) -> datetime | None:
    """An hour before an appointment: the agent's reminder, if it still stands."""
    outcome_id = _outcome_id(job)
    with container.uow(read_only=True) as uow:
        notice, agent = notice_of(uow, outcome_id)
        outcome = uow.session.get(OutcomeRow, outcome_id)
        row = uow.session.get(ConversationRow, outcome.conversation_id) if outcome else None
    if row is None or row.status is not Status.APPOINTMENT:
        return None  # taken back, dead, or rescheduled (the new time has its own reminder)
    remind_lead(container, row.contact_id, outcome_id)
    if not (container.settings.smtp_host and agent is not None and agent.email):
        return None
    mailer = mailer_of(container)
    as_appointment = replace(notice, kind=OutcomeKind.APPOINTMENT)  # an Update may have moved it
    message = mailer.outcome_message(as_appointment, Recipient(agent.email, agent.first_name))
    subject = str(message["Subject"])
    del message["Subject"], message["Message-ID"]
    message["Subject"] = f"Reminder, in an hour: {subject}"
    message["Message-ID"] = make_msgid(f"isa.reminder-{outcome_id}")
    try:
        mailer.send(message)
    except PermanentSendError as e:
        raise PermanentJobError(f"the agent's reminder was refused: {e}") from None
    return None


def run_alert_job(container: Container, job: ClaimedJob) -> datetime | None:
    """E-mail the agent an alert with the lead's text and the conversation's link."""
    contact_id, agent_id = job.payload.get("contact_id"), job.payload.get("agent_id")
    try:
        at = datetime.fromisoformat(str(job.payload.get("at")))
    except ValueError:
        at = None
    if not isinstance(contact_id, int) or not isinstance(agent_id, int) or at is None:
        raise PermanentJobError(f"alert job {job.id}: bad payload {job.payload!r}")
    if not container.settings.smtp_host:
        return None
    with container.uow(read_only=True) as uow:
        contact = uow.session.get(Contact, contact_id)
        agent = uow.session.get(User, agent_id)
        if contact is None or agent is None or not agent.email:
            return None
        notice = AlertNotice(
            _card(contact),
            str(job.payload.get("reason") or "alert"),
            str(job.payload.get("text") or ""),
            at,
        )
    try:
        mailer_of(container).send_alert(notice, Recipient(agent.email, agent.first_name))
    except PermanentSendError as e:
        raise PermanentJobError(f"the alert e-mail was refused: {e}") from None
    return None


def run_new_lead_job(container: Container, job: ClaimedJob) -> datetime | None:
    """E-mail the owning agent about a lead that just came in (when SMTP is configured)."""
    inquiry_id = job.payload.get("inquiry_id")
    if not isinstance(inquiry_id, int):
        raise PermanentJobError(f"new-lead job {job.id}: bad payload {job.payload!r}")
    with container.uow(read_only=True) as uow:
        inquiry = uow.session.get(Inquiry, inquiry_id)
        if inquiry is None:
            raise PermanentJobError(f"no inquiry {inquiry_id}")
        contact = uow.session.get(Contact, inquiry.contact_id)
        agent = uow.session.get(User, inquiry.owner_id) if inquiry.owner_id else None
        assert contact is not None  # foreign key
        notice = NewLeadNotice(
            inquiry.id,
            _card(contact),
            inquiry.source,
            inquiry.inquiry_type,
            inquiry.received_at,
            inquiry.property_address,
            inquiry.message,
        )
    if not (container.settings.smtp_host and agent is not None and agent.email):
        return None
    try:
        mailer_of(container).send_new_lead(notice, Recipient(agent.email, agent.first_name))
    except PermanentSendError as e:
        raise PermanentJobError(f"the new-lead e-mail was refused: {e}") from None
    return None


def run_assignment_job(container: Container, job: ClaimedJob) -> datetime | None:
    """E-mail the agent a lead offered to them, with links to accept or reject it."""
    assignment_id = job.payload.get("assignment_id")
    if not isinstance(assignment_id, int):
        raise PermanentJobError(f"assignment job {job.id}: bad payload {job.payload!r}")
    with container.uow(read_only=True) as uow:
        offer = uow.session.get(Assignment, assignment_id)
        if offer is None or offer.state is not AssignmentState.OFFERED:
            return None  # decided meanwhile
        agent = uow.session.get(User, offer.agent_id)
        by = uow.session.get(User, offer.assigned_by_id) if offer.assigned_by_id else None
        contact = uow.session.get(Contact, offer.contact_id)
        inquiry = uow.session.scalar(
            select(Inquiry)
            .where(Inquiry.contact_id == offer.contact_id)
            .order_by(Inquiry.received_at.desc())
            .limit(1)
        )
        if contact is None or inquiry is None or agent is None:
            return None
        # the lead's page in the console: the agent signs in and answers with one click
        page = f"{container.settings.public_url.rstrip('/')}/console/leads/{contact.id}"
        notice = AssignmentOffer(
            offer.id,
            NewLeadNotice(
                inquiry.id,
                _card(contact),
                inquiry.source,
                inquiry.inquiry_type,
                inquiry.received_at,
                inquiry.property_address,
                inquiry.message,
            ),
            offer.offered_at,
            accept_url=f"{page}?offer={offer.id}#accept",
            reject_url=f"{page}?offer={offer.id}#reject",
            offered_by=by.name if by else None,
        )
    if not (container.settings.smtp_host and agent.email):
        return None
    try:
        mailer_of(container).send_assignment(notice, Recipient(agent.email, agent.first_name))
    except PermanentSendError as e:
        raise PermanentJobError(f"the assignment e-mail was refused: {e}") from None
    return None


def _card(contact: Contact) -> LeadCard:
    return LeadCard(
        contact.id,
        contact.phone,
        contact.first_name,
        contact.last_name,
        contact.email,
        contact.timezone,
    )


def remind_lead(container: Container, contact_id: int, outcome_id: int) -> None:
    """Queue the script's reminder text for the lead, if it has one (the outbox applies quiet
    hours and the dead check when it goes)."""
    with container.uow() as uow:
        locked = lock(container, uow, contact_id)
        template = locked.script.reminder if locked else None
        if (
            locked is None
            or template is None
            or locked.conversation.status is not Status.APPOINTMENT
        ):
            return
        conv = locked.conversation
        body = template.render(conv.contact, conv.agent, conv.slots, conv.language)
        verdict = persona_check(body, conv.agent, conv.agent_last)
        if not verdict.ok:
            raise PermanentJobError(f"the guard refuses the reminder: {'; '.join(verdict.reasons)}")
        uow.messages.add_outbound(
            f"reminder:{outcome_id}",
            contact_id=contact_id,
            body=body,
            at=container.clock(),
            conversation_id=locked.row.id,
            sent_by="reminder",
            script_step="reminder",
        )
        uow.commit()


def run_crm_job(container: Container, job: ClaimedJob) -> datetime | None:
    """Post the outcome to one CRM URL (its delivery id is the same on every retry)."""
    outcome_id, url = _outcome_id(job), job.payload.get("url")
    if not isinstance(url, str):
        raise PermanentJobError(f"crm job {job.id} names no URL: {job.payload!r}")
    with container.uow(read_only=True) as uow:
        notice, _agent = notice_of(uow, outcome_id)
    try:
        crm_of(container).post_outcome(url, notice)
    except PermanentSendError as e:
        raise PermanentJobError(f"{url} refused outcome {outcome_id}: {e}") from None
    return None


def notice_of(uow: SqlAlchemyUnitOfWork, outcome_id: int) -> tuple[OutcomeNotice, User | None]:
    """The outcome as the agent reads it, and the agent it goes to."""
    outcome = uow.session.get(OutcomeRow, outcome_id)
    if outcome is None:
        raise PermanentJobError(f"no outcome {outcome_id}")
    row = uow.session.get(ConversationRow, outcome.conversation_id)
    contact = uow.session.get(Contact, row.contact_id) if row else None
    if row is None or contact is None:  # pragma: no cover - foreign keys
        raise PermanentJobError(f"outcome {outcome_id} has no conversation")
    texts = list(
        uow.session.scalars(
            select(Message)
            .where(
                Message.conversation_id == row.id,
                (Message.direction == Direction.IN)
                | Message.delivery_status.in_(
                    (DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.QUEUED)
                ),
            )
            .order_by(Message.created_at.desc(), Message.id.desc())
            .limit(SHOWN_TEXTS)
        )
    )
    notice = OutcomeNotice(
        outcome_id=outcome.id,
        kind=outcome.kind,
        lead=_card(contact),
        slots=dict(outcome.slots),
        reason=outcome.reason,
        at=outcome.created_at,
        texts=[TextLine(m.created_at, m.direction == Direction.IN, m.body) for m in texts[::-1]],
    )
    agent_id = outcome.agent_id or row.agent_id
    return notice, uow.session.get(User, agent_id) if agent_id else None


def mailer_of(container: Container) -> SmtpMailer:
    """The SMTP sender from the settings, built once."""
    found = container.extras.get("mailer")
    if isinstance(found, SmtpMailer):
        return found
    s = container.settings
    mailer = SmtpMailer(
        s.smtp_host or "",
        port=s.smtp_port,
        user=s.smtp_user,
        password=s.smtp_password,
        starttls=s.smtp_starttls,
        mail_from=s.mail_from or "",
        public_url=s.public_url,
    )
    container.extras["mailer"] = mailer
    return mailer


def crm_of(container: Container) -> CrmWebhook:
    """The CRM poster from the settings, built once (its HTTP client, httpx, is imported
    only by a process that posts an outcome)."""
    from adapters.crm_webhook import CrmWebhook

    found = container.extras.get("crm")
    if isinstance(found, CrmWebhook):
        return found
    s = container.settings
    crm = CrmWebhook(s.crm_urls, s.crm_webhook_secret or "", public_url=s.public_url)
    container.extras["crm"] = crm
    return crm


def _outcome_id(job: ClaimedJob) -> int:
    outcome_id = job.payload.get("outcome_id")
    if not isinstance(outcome_id, int):
        raise PermanentJobError(f"{job.kind} job {job.id} names no outcome: {job.payload!r}")
    return outcome_id
