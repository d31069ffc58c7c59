"""The delivery ports: what the adapters that reach people implement, and how they fail.

Texts (``Sms``), e-mail alerts (``Mailer``) and CRM webhooks (``OutcomeHook``)
take the plain values below, never database rows, so the worker that calls
them and the adapters that implement them share nothing but this module.

Every adapter fails with one of these, so the outbox and the worker decide
what to do from the type alone:

SendError                    a delivery did not happen (or may not have)
 ├── TransientSendError      try again later, with backoff (timeouts, 5xx, 429,
 │                           a server or its settings being wrong: fixable by an operator)
 └── PermanentSendError      retrying the same delivery cannot succeed (invalid number,
      │                      a refused recipient or body): mark it failed
      └── RecipientUnsubscribed   Twilio 21610: the contact is dead, never texted again

They are not ``IsaError``s: those are the engine's decisions, these are the world's.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from isa_engine.model import OutcomeKind


class SendError(Exception):
    """A delivery that failed or whose outcome is unknown; ``code`` is the provider's."""

    def __init__(self, message: str, *, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class TransientSendError(SendError):
    """Retry with backoff; ``retry_after`` (seconds) when the provider said how long."""

    def __init__(
        self, message: str, *, code: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after


class PermanentSendError(SendError):
    """Retrying cannot fix it: mark the delivery failed and keep the reason."""


class RecipientUnsubscribed(PermanentSendError):
    """The carrier says the recipient opted out (Twilio 21610): mark the contact dead."""


class Sms(Protocol):
    """The outbound SMS port: send one text, at most once per idempotency key."""

    def send(
        self,
        to: str,
        body: str,
        idempotency_key: str,
        *,
        unsure_since: datetime | None = None,
        taken: Collection[str] = (),
    ) -> str:
        """Send ``body`` to ``to`` (E.164); the provider's MessageSid.

        ``unsure_since``: an earlier attempt, made since then, may have gone
        (its process died before it could record the answer): look before
        sending again.
        """
        ...


# ---------------------------------------------------------------- what the agent is told


@dataclass(frozen=True, slots=True)
class LeadCard:
    """Who the lead is, as an alert shows them."""

    contact_id: int
    phone: str  # E.164
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    timezone: str | None = None  # IANA name: the alert shows times in the lead's zone

    @property
    def name(self) -> str:
        """The lead's full name, or their phone number when no name is known."""
        return " ".join(p for p in (self.first_name, self.last_name) if p) or self.phone


@dataclass(frozen=True, slots=True)
class TextLine:
    """One text of the conversation, as the agent reads it."""

    at: datetime
    inbound: bool  # True: the lead wrote it
    body: str


@dataclass(frozen=True, slots=True)
class Recipient:
    """An agent an e-mail goes to."""

    email: str
    first_name: str | None = None


@dataclass(frozen=True, slots=True)
class OutcomeNotice:
    """An Appointment, Engagement or Update: what was learned and the texts that said it.

    ``slots`` are JSON values as stored (a location is a list of places).
    """

    outcome_id: int
    kind: OutcomeKind
    lead: LeadCard
    slots: Mapping[str, object]
    reason: str
    at: datetime
    texts: Sequence[TextLine] = ()


@dataclass(frozen=True, slots=True)
class NewLeadNotice:
    """A lead event the agent (or coordinator) should know of (seed 001's inquiry)."""

    inquiry_id: int
    lead: LeadCard
    source: str
    inquiry_type: str
    received_at: datetime
    property_address: str | None = None
    message: str | None = None


@dataclass(frozen=True, slots=True)
class AssignmentOffer:
    """A lead offered to an agent, who accepts or rejects it from the e-mail (seed 002).

    The links are built by the caller, which owns the routes and their tokens.
    """

    assignment_id: int
    inquiry: NewLeadNotice
    offered_at: datetime
    accept_url: str
    reject_url: str
    offered_by: str | None = None


@dataclass(frozen=True, slots=True)
class AlertNotice:
    """Something the agent should know now (a call request, a question only they may answer,
    the lead texting while they have the conversation), with the lead's own words."""

    lead: LeadCard
    reason: str
    text: str
    at: datetime


class Mailer(Protocol):
    """The agent's e-mail alerts; each returns the Message-ID it sent."""

    def send_alert(self, alert: AlertNotice, to: Recipient) -> str:
        """An alert with the lead's text and a link to the conversation."""
        ...

    def send_outcome(self, outcome: OutcomeNotice, to: Recipient) -> str:
        """An Appointment, Engagement or Update alert."""
        ...

    def send_new_lead(self, lead: NewLeadNotice, to: Recipient) -> str:
        """A new-lead alert."""
        ...

    def send_assignment(self, offer: AssignmentOffer, to: Recipient) -> str:
        """The assignment e-mail with accept and reject links."""
        ...


class OutcomeHook(Protocol):
    """Outcomes pushed to other systems (a CRM), one URL at a time so each retries alone."""

    def post_outcome(self, url: str, outcome: OutcomeNotice) -> None:
        """Deliver ``outcome`` to ``url``; raises a ``SendError`` when it did not land."""
        ...
