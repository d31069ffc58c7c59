"""``SmtpMailer``: the agent's e-mail alerts through SMTP (the ``Mailer`` port).

Three alerts (seed 000, seed 002): an Appointment / Engagement / Update with
what was learned, the conversation's texts and a link to it; a new lead; and
a lead offered to the agent with accept and reject links. Each is one
``EmailMessage`` with a plain-text and an HTML part, both rendered from the
Jinja2 templates in ``email_templates/`` (autoescaped for HTML: a lead's text
is shown, never run). Times are shown in the lead's zone, which is the zone
their appointment is in.

The Message-ID is derived from what the alert is about (``outcome-12``), so a
retry after a lost answer (the server took the message but its 250 never
arrived) is the same message, which mail clients show once. Failures raise
``TransientSendError`` (the server or its settings: unreachable, timeouts,
4xx, login or STARTTLS refused, all fixable without changing the message) or
``PermanentSendError`` (a 5xx about this message: recipient or content refused).
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping, Sequence
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
import phonenumbers

from isa_engine.model import SLOT_TYPES, OutcomeKind, SlotValue
from isa_engine.policy.zones import lead_zone
from isa_engine.ports import (
    AlertNotice,
    AssignmentOffer,
    LeadCard,
    NewLeadNotice,
    OutcomeNotice,
    PermanentSendError,
    Recipient,
    SendError,
    TextLine,
    TransientSendError,
)
from isa_engine.templates import show

TEMPLATES = Path(__file__).with_name("email_templates")

LABELS: Mapping[str, str] = {
    "appointment": "Call time",
    "lead_type": "Looking to",
    "beds": "Bedrooms",
    "baths": "Bathrooms",
    "location": "Area",
    "price_min": "Price from",
    "price_max": "Price up to",
    "preapproval": "Pre-approved",
    "has_agent": "Already has an agent",
    "timeframe": "Moving",
    "email": "E-mail",
    "address": "Home address",
    "home_value": "Home value",
}
WORDS: Mapping[str, Mapping[str, str]] = {
    "lead_type": {"buy": "buy", "sell": "sell", "both": "buy and sell", "rent": "rent"},
    "preapproval": {"yes": "yes", "no": "no", "in_progress": "in progress", "cash": "paying cash"},
    "timeframe": {
        "0-3": "within 3 months",
        "3-6": "in 3 to 6 months",
        "6-12": "in 6 to 12 months",
        "12+": "in a year or more",
    },
}
HEADLINES: Mapping[OutcomeKind, str] = {
    OutcomeKind.APPOINTMENT: "Appointment",
    OutcomeKind.ENGAGEMENT: "Engagement",
    OutcomeKind.UPDATE: "Update",
}


class SmtpMailer:
    """Sends alerts through one SMTP server; a new connection per e-mail (alerts are few)."""

    def __init__(
        self,
        host: str,
        *,
        mail_from: str,
        public_url: str,
        port: int = 587,
        user: str | None = None,
        password: str | None = None,
        starttls: bool = True,
        timeout: float = 15.0,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        """``public_url`` is where links point; ``tls_context`` replaces the system's CAs."""
        self.host, self.port, self.timeout = host, port, timeout
        self.user, self.password, self.starttls = user, password, starttls
        self.mail_from, self.public_url = mail_from, public_url.rstrip("/")
        self.tls_context = tls_context
        self._domain = parseaddr(mail_from)[1].rpartition("@")[2] or "isa.invalid"

    # ------------------------------------------------------------ the Mailer port

    def send_alert(self, alert: AlertNotice, to: Recipient) -> str:
        """An alert (call request, question, the lead texting during a takeover); the Message-ID."""
        return self.send(self.alert_message(alert, to))

    def send_outcome(self, outcome: OutcomeNotice, to: Recipient) -> str:
        """An Appointment, Engagement or Update alert; the Message-ID sent."""
        return self.send(self.outcome_message(outcome, to))

    def send_new_lead(self, lead: NewLeadNotice, to: Recipient) -> str:
        """A new-lead alert; the Message-ID sent."""
        return self.send(self.new_lead_message(lead, to))

    def send_assignment(self, offer: AssignmentOffer, to: Recipient) -> str:
        """The assignment e-mail with accept and reject links; the Message-ID sent."""
        return self.send(self.assignment_message(offer, to))

    # ------------------------------------------------------------ building

    def outcome_message(self, outcome: OutcomeNotice, to: Recipient) -> EmailMessage:
        """The outcome alert as it would be sent."""
        lead, zone = outcome.lead, _zone(outcome.lead)
        when = _slot_text("appointment", outcome.slots.get("appointment"), zone)
        headline = HEADLINES[outcome.kind]
        subject = f"{headline}: {lead.name}" + (
            f", call {when}" if outcome.kind is OutcomeKind.APPOINTMENT and when else ""
        )
        context = {
            "kind": outcome.kind.value,
            "headline": headline,
            "when": when,
            "reason": outcome.reason,
            "facts": _facts(outcome.slots, zone),
            "texts": _texts(outcome.texts, lead, zone),
        }
        return self._message("outcome", subject, to, lead, context, f"outcome-{outcome.outcome_id}")

    def alert_message(self, alert: AlertNotice, to: Recipient) -> EmailMessage:
        """The alert as it would be sent: why, the lead's text, and the link."""
        zone = _zone(alert.lead)
        reason = " ".join(alert.reason.split())
        subject = f"{reason[:1].upper()}{reason[1:]}: {alert.lead.name}"
        context = {"reason": reason, "said": alert.text, "at": _when(alert.at, zone)}
        key = f"alert-{alert.lead.contact_id}-{int(alert.at.timestamp() * 1000)}"
        return self._message("alert", subject, to, alert.lead, context, key)

    def new_lead_message(self, lead: NewLeadNotice, to: Recipient) -> EmailMessage:
        """The new-lead alert as it would be sent."""
        subject = f"New lead: {lead.lead.name} ({lead.source}, {lead.inquiry_type})"
        context = {"inquiry": _inquiry(lead)}
        return self._message("new_lead", subject, to, lead.lead, context, f"lead-{lead.inquiry_id}")

    def assignment_message(self, offer: AssignmentOffer, to: Recipient) -> EmailMessage:
        """The assignment e-mail as it would be sent."""
        lead = offer.inquiry.lead
        subject = f"Lead offered to you: {lead.name}. Accept or reject"
        context = {
            "inquiry": _inquiry(offer.inquiry),
            "offered_by": offer.offered_by,
            "offered_at": _when(offer.offered_at, _zone(lead)),
            "accept_url": offer.accept_url,
            "reject_url": offer.reject_url,
        }
        key = f"assignment-{offer.assignment_id}"
        return self._message("assignment", subject, to, lead, context, key)

    def _message(
        self,
        template: str,
        subject: str,
        to: Recipient,
        lead: LeadCard,
        context: dict[str, Any],
        key: str,
    ) -> EmailMessage:
        values = {
            **context,
            "agent": to.first_name,
            "lead": {
                "name": lead.name,
                "first": lead.first_name or lead.name,
                "phone": lead.phone,
                "phone_shown": _phone(lead.phone),
                "email": lead.email,
            },
            "link": f"{self.public_url}/console/conversations/{lead.contact_id}",
        }
        message = EmailMessage()
        message["Subject"] = " ".join(subject.split())  # no line breaks from a lead's name
        message["From"] = self.mail_from
        message["To"] = Address(" ".join((to.first_name or "").split()), addr_spec=to.email)
        message["Date"] = formatdate(usegmt=True)
        message["Message-ID"] = f"<isa.{key}@{self._domain}>"
        message["References"] = f"<isa.lead-{lead.contact_id}@{self._domain}>"  # one thread
        message.set_content(_env().get_template(f"{template}.txt").render(values))
        message.add_alternative(_env().get_template(f"{template}.html").render(values), "html")
        return message

    # ------------------------------------------------------------ sending

    def send(self, message: EmailMessage) -> str:
        """Send one built message; its Message-ID. Raises a ``SendError`` on failure."""
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                smtp.ehlo()
                if self.starttls:
                    smtp.starttls(context=self.tls_context or ssl.create_default_context())
                    smtp.ehlo()
                if self.user:
                    smtp.login(self.user, self.password or "")
                smtp.send_message(message)
        except Exception as exc:  # smtplib's errors and the socket's
            raise _error(exc, self.host, self.port) from exc
        return str(message["Message-ID"])


def _error(exc: Exception, host: str, port: int) -> SendError:
    """The port's error for what smtplib or the socket raised."""
    where = f"SMTP {host}:{port}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        what = f"{where} refused the recipient(s): {exc.recipients}"
        if codes and all(code >= 500 for code in codes):
            return PermanentSendError(what, code=codes[0])
        return TransientSendError(what, code=codes[0] if codes else None)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return TransientSendError(
            f"{where} refused the login ({exc.smtp_code}): check ISA_SMTP_USER and "
            "ISA_SMTP_PASSWORD",
            code=exc.smtp_code,
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return TransientSendError(
            f"{where}: {exc}; the server offers no STARTTLS or AUTH "
            "(ISA_SMTP_STARTTLS=false only on a trusted network)"
        )
    if isinstance(exc, smtplib.SMTPDataError) and exc.smtp_code >= 500:
        return PermanentSendError(
            f"{where} refused the message ({exc.smtp_code}): {exc.smtp_error!r}",
            code=exc.smtp_code,
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return TransientSendError(
            f"{where} answered {exc.smtp_code}: {exc.smtp_error!r}", code=exc.smtp_code
        )
    return TransientSendError(f"{where} failed ({type(exc).__name__}: {exc})")


@cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _zone(lead: LeadCard) -> ZoneInfo:
    return lead_zone(lead.phone, lead.timezone)


def _phone(phone: str) -> str:
    try:
        number = phonenumbers.parse(phone, "US")
    except phonenumbers.NumberParseException:
        return phone
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _when(at: datetime, zone: ZoneInfo) -> str:
    local = at.astimezone(zone)
    hour = local.strftime("%I:%M %p").lstrip("0")
    return f"{local:%a %b} {local.day}, {hour} {local:%Z}"


def _slot_text(slot: str, value: object, zone: ZoneInfo) -> str:
    """A slot's value as the agent reads it ("" when empty)."""
    if value is None or value == "" or value == []:
        return ""
    if slot in WORDS and isinstance(value, str):
        return WORDS[slot].get(value, value)
    if slot == "appointment" and isinstance(value, str):  # lead-local: say which zone
        try:
            at = datetime.fromisoformat(value).replace(tzinfo=zone)
        except ValueError:
            return value
        return f"{show(slot, value)} {at:%Z}"
    shown: SlotValue = tuple(value) if isinstance(value, list) else value  # type: ignore[assignment]
    return show(slot, shown)


def _facts(slots: Mapping[str, object], zone: ZoneInfo) -> list[tuple[str, str]]:
    """(label, value) for each filled slot, in the order a buyer conversation asks them."""
    order = [*LABELS, *(s for s in SLOT_TYPES if s not in LABELS), *sorted(slots)]
    facts = []
    for slot in dict.fromkeys(order):
        text = _slot_text(slot, slots.get(slot), zone)
        if text:
            facts.append((LABELS.get(slot, slot.replace("_", " ").capitalize()), text))
    return facts


def _texts(lines: Sequence[TextLine], lead: LeadCard, zone: ZoneInfo) -> list[dict[str, Any]]:
    who = lead.first_name or "Lead"
    return [
        {
            "when": _when(t.at, zone),
            "who": who if t.inbound else "Assistant",
            "inbound": t.inbound,
            "body": t.body,
        }
        for t in lines
    ]


def _inquiry(notice: NewLeadNotice) -> dict[str, Any]:
    return {
        "source": notice.source,
        "type": notice.inquiry_type,
        "received": _when(notice.received_at, _zone(notice.lead)),
        "address": notice.property_address,
        "message": notice.message,
    }
